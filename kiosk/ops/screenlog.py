"""The screen log: which page was on screen when, with the data (and its timestamps) it showed.

It answers "the screen said the train was 2 minutes away at 08:14": ``query(at)`` returns the
page shown at that moment, the text it displayed, and when each source's data was fetched
(and, for arrivals, received by the city's system: countdowns tick from ``received_at``).

Storage is JSON lines in ``path`` plus rotated ``path.1`` .. ``path.N``; together they never
exceed ``max_bytes``. Lines are flushed but not fsync'ed: the log lives on an SD card for
months, a page change every ~15 s, and a crash of the process loses nothing (the kernel has
the data); only a power cut may lose the last few seconds.

``kiosk screenlog --at 08:14`` (kiosk/ops/screenlog_cli.py) prints an entry compactly.

Entry (the app builds it with ``screen_entry`` when a page appears)::

    {"page": "arrivals", "shown_at": "2025-11-26T08:13:55+09:00",
     "sources": {"subway": {"status": "ok", "fetched_at": "...", "received_at": "..."}},
     "lines": ["5호선 방화행 2분 후 (여의나루)", "9호선 급행 중앙보훈병원행 곧 도착"]}
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, is_dataclass
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any

log = logging.getLogger("kiosk.ops.screenlog")

SCREENLOG_FILE = "screen.jsonl"
# ~600 bytes per page change, one every ~15 s: ~3.5 MB a day, so 32 MB keeps about 9 days.
DEFAULT_MAX_BYTES = 32 * 1024 * 1024
DEFAULT_FILES = 8


def _jsonable(value: Any) -> Any:
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    return str(value)


def _when(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else None
    if isinstance(value, str):
        try:
            dt = datetime.fromisoformat(value)
        except ValueError:
            return None
        return dt if dt.tzinfo is not None else None
    return None


def screen_entry(
    page: str,
    shown_at: datetime,
    sources: Mapping[str, Mapping[str, Any]],
    lines: Sequence[str] = (),
    **extra: Any,
) -> dict[str, Any]:
    """Build a screen-log entry: page id, when, per-source data times, the text shown."""
    return {
        "page": page,
        "shown_at": shown_at,
        "sources": dict(sources),
        "lines": list(lines),
        **extra,
    }


class ScreenLog:
    """A bounded, rotating JSON-lines record of what was on screen."""

    def __init__(
        self, path: Path | str, max_bytes: int = DEFAULT_MAX_BYTES, files: int = DEFAULT_FILES
    ):
        if files < 1:
            raise ValueError(f"screen log needs at least 1 file (got {files})")
        if max_bytes < 1024 * files:
            raise ValueError(f"screen log max_bytes {max_bytes} is too small for {files} files")
        self.path = Path(path)
        self.max_bytes = max_bytes
        self.files = files
        self.file_bytes = max_bytes // files
        self._lock = threading.Lock()
        self._failing = False
        self._tail_ok = False  # checked once: every line we write ends with a newline

    def paths(self) -> list[Path]:
        """The log files, oldest first (rotated ones, then the current one)."""
        rotated = [
            self.path.with_name(f"{self.path.name}.{i}") for i in range(self.files - 1, 0, -1)
        ]
        return [*rotated, self.path]

    def record(self, entry: Mapping[str, Any]) -> bool:
        """Append one entry; False (logged once, never raised) if it cannot be written."""
        if not isinstance(entry, Mapping) or not isinstance(entry.get("page"), str):
            raise ValueError("screen log entry needs a 'page' id (str)")
        if _when(entry.get("shown_at")) is None:
            raise ValueError("screen log entry needs 'shown_at' as a timezone-aware datetime")
        line = json.dumps(entry, ensure_ascii=False, default=_jsonable, separators=(",", ":"))
        data = (line + "\n").encode()
        if len(data) > self.file_bytes:
            log.warning(
                "screen log entry for %s is %d bytes (limit %d); not recorded",
                entry["page"],
                len(data),
                self.file_bytes,
            )
            return False
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                size = self.path.stat().st_size if self.path.exists() else 0
                if size and not self._tail_ok and self._last_byte() != b"\n":
                    data = b"\n" + data  # a power cut tore the last line: do not glue onto it
                if size + len(data) > self.file_bytes:
                    self._rotate()
                    data = data.lstrip(b"\n")
                fd = os.open(
                    self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o644
                )
                # 0644 despite the unit's UMask=0027: public screen content, and the
                # operator answering a complaint should not need sudo to read it.
                os.fchmod(fd, 0o644)
                with os.fdopen(fd, "ab") as f:
                    f.write(data)
                self._tail_ok = True
        except OSError as e:
            if not self._failing:
                log.warning("cannot write screen log %s: %s", self.path, e)
            self._failing = True
            self._tail_ok = False  # a full disk may have taken half the line: look next time
            return False
        self._failing = False
        return True

    def _last_byte(self) -> bytes:
        with self.path.open("rb") as f:
            f.seek(-1, os.SEEK_END)
            return f.read(1)

    def _rotate(self) -> None:
        paths = self.paths()  # oldest first; paths[0] falls off the end
        paths[0].unlink(missing_ok=True)
        for older, newer in zip(paths, paths[1:], strict=False):
            if newer.exists():
                newer.replace(older)

    def _existing(self) -> list[Path]:
        # Every rotated file present, whatever `files` the writer used: highest number = oldest.
        rotated = []
        for p in self.path.parent.glob(self.path.name + ".*"):
            suffix = p.name[len(self.path.name) + 1 :]
            if suffix.isdigit():
                rotated.append((int(suffix), p))
        return [p for _, p in sorted(rotated, reverse=True)] + [self.path]

    def entries(self) -> Iterator[dict[str, Any]]:
        """Every readable entry, oldest first (a torn last line after a power cut is skipped)."""
        for p in self._existing():
            try:
                with p.open("rb") as f:
                    for raw in f:
                        try:
                            obj = json.loads(raw)
                        except ValueError:
                            continue
                        if isinstance(obj, dict) and _when(obj.get("shown_at")) is not None:
                            yield obj
            except FileNotFoundError:
                continue

    def query(self, at: datetime) -> dict[str, Any] | None:
        """The entry on screen at ``at`` (latest ``shown_at`` <= at), with ``shown_until`` added.

        ``shown_until`` is the next entry's ``shown_at`` (None if it is the last one).
        None if ``at`` is before the oldest entry kept.
        """
        if at.tzinfo is None:
            raise ValueError("query time must be timezone-aware (e.g. 2025-11-26T08:14:00+09:00)")
        best: dict[str, Any] | None = None
        best_at: datetime | None = None
        until: str | None = None
        take_next = False
        # A linear scan: a few MB at most, and wall-clock steps (NTP) make the file only
        # mostly ordered, so "latest shown_at not after `at`" beats a bisection here.
        for entry in self.entries():
            when = _when(entry["shown_at"])
            assert when is not None
            if take_next:
                until, take_next = entry["shown_at"], False
            if when <= at and (best_at is None or when >= best_at):
                best, best_at, until, take_next = entry, when, None, True
        if best is None:
            return None
        return {**best, "shown_until": until}


def default_path(environ: Mapping[str, str] | None = None) -> Path:
    """$STATE_DIRECTORY/screen.jsonl under systemd, else ~/.local/state/kiosk/screen.jsonl."""
    env = os.environ if environ is None else environ
    if env.get("STATE_DIRECTORY"):
        return Path(env["STATE_DIRECTORY"].split(":")[0]) / SCREENLOG_FILE
    if Path("/var/lib/kiosk", SCREENLOG_FILE).exists():
        return Path("/var/lib/kiosk", SCREENLOG_FILE)
    base = env.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(base) / "kiosk" / SCREENLOG_FILE
