"""The status file: what the running kiosk reports, written atomically as JSON in the runtime dir.

The app builds a ``StatusReport`` every few seconds and calls ``write_status(report, path)``
(``path = status_path()``); on a clean exit it calls ``remove_status(path)``. ``kiosk status``
(``run`` below) reads the file back. The file lives on tmpfs (/run), so frequent writes cost
no flash wear, and it never holds a secret: every string is scrubbed on the way out.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk import __version__
from kiosk.buildinfo import commit
from kiosk.ops.files import write_atomic
from kiosk.ops.redact import Redactor

STATUS_FILE = "status.json"
FORMAT = 1


@dataclass(frozen=True)
class SourceStatus:
    """One data source as the poller sees it (status words as in ``kiosk fetch --json``)."""

    name: str
    status: str  # ok | stale | empty | error | rate_limited | unauthorized | ...
    fetched_at: datetime | None = None  # when the data on screen was fetched
    error: str | None = None  # one line, the last failure

    @classmethod
    def from_obj(cls, obj: Any) -> SourceStatus:
        """Accept a SourceStatus, a dict, or any object with these attribute names."""
        if isinstance(obj, cls):
            return obj
        get = obj.get if isinstance(obj, Mapping) else lambda k, d=None: getattr(obj, k, d)
        fetched = get("fetched_at")
        if isinstance(fetched, str):
            try:
                fetched = datetime.fromisoformat(fetched)
            except ValueError:
                fetched = None
        return cls(
            name=str(get("name", "?")),
            status=str(get("status", "unknown")),
            fetched_at=fetched if isinstance(fetched, datetime) else None,
            error=None if get("error") is None else str(get("error")),
        )


@dataclass(frozen=True)
class PanelStatus:
    """The display panel: what we want it to be and what it last said it is."""

    driver: str = "none"
    desired: Mapping[str, Any] | str | None = None  # e.g. {"power": "on", "brightness": 80}
    actual: Mapping[str, Any] | str | None = None  # None: not known (no answer yet)
    checked_at: datetime | None = None
    error: str | None = None
    # Operator holds in force (PanelReport.to_dict()["holds"]): what, value, by, until, text.
    holds: tuple[Mapping[str, Any], ...] = ()


@dataclass(frozen=True)
class ErrorEntry:
    """A recent warning or error (repeats folded into ``count``)."""

    at: datetime
    where: str  # logger name or component
    message: str
    count: int = 1


@dataclass(frozen=True)
class StatusReport:
    """Everything ``kiosk status`` shows; ``now`` is when the app built it."""

    pid: int
    started_at: datetime
    now: datetime
    state: str = "running"  # starting | running | reloading | stopping
    page: str | None = None  # id of the page on screen
    page_since: datetime | None = None
    sources: tuple[SourceStatus, ...] = ()
    panel: PanelStatus | None = None
    errors: tuple[ErrorEntry, ...] = ()
    versions: Mapping[str, str] = field(default_factory=dict)
    config: str | None = None  # path of the config file in use
    demo: bool | None = None  # True: the screen shows bundled recordings (sources.demo)
    # The notice leading on screen (level, origin, text, since, until), or None.
    notice: Mapping[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        """The JSON object written to the status file (ages computed against ``now``)."""
        return {
            "format": FORMAT,
            "pid": self.pid,
            "state": self.state,
            "written_at": self.now.isoformat(),
            "started_at": self.started_at.isoformat(),
            "uptime_s": round((self.now - self.started_at).total_seconds(), 1),
            "page": self.page,
            "page_since": _iso(self.page_since),
            "sources": [
                {**_plain(s), "age_s": _age(self.now, s.fetched_at)}
                for s in map(SourceStatus.from_obj, self.sources)
            ],
            "panel": None if self.panel is None else _plain(self.panel),
            "errors": [_plain(e) for e in self.errors],
            "versions": dict(self.versions),
            "config": self.config,
            "demo": self.demo,
            "notice": None if self.notice is None else dict(self.notice),
        }


def versions(qt: str | None = None) -> dict[str, str]:
    """kiosk and its commit, Python and (passed in by the app, which owns Qt) the Qt version."""
    out = {"kiosk": __version__, "commit": commit(), "python": platform.python_version()}
    if qt:
        out["qt"] = qt
    return out


def _iso(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _age(now: datetime, then: datetime | None) -> float | None:
    return None if then is None else round((now - then).total_seconds(), 1)


def _plain(obj: Any) -> Any:
    """Dataclasses, datetimes and mappings -> JSON-ready values."""
    if isinstance(obj, datetime):
        return obj.isoformat()
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, Mapping):
        return {str(k): _plain(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_plain(v) for v in obj]
    if obj is None or isinstance(obj, (str, int, float, bool)):
        return obj
    return str(obj)


# --- where the file lives ---------------------------------------------------------------


def candidate_dirs(
    environ: Mapping[str, str] | None = None,
    *,
    uid: int | None = None,
    system_dir: Path = Path("/run/kiosk"),
) -> list[Path]:
    """Runtime dirs in order of preference: systemd's, /run/kiosk, $XDG_RUNTIME_DIR, /tmp."""
    env = os.environ if environ is None else environ
    out: list[Path] = []
    if env.get("RUNTIME_DIRECTORY"):  # systemd may pass several, ':'-separated
        out.append(Path(env["RUNTIME_DIRECTORY"].split(":")[0]))
    out.append(system_dir)
    if env.get("XDG_RUNTIME_DIR"):
        out.append(Path(env["XDG_RUNTIME_DIR"]) / "kiosk")
    out.append(Path(tempfile.gettempdir()) / f"kiosk-{os.getuid() if uid is None else uid}")
    return out


def runtime_dir(environ: Mapping[str, str] | None = None, **kw: Any) -> Path:
    """The first candidate dir we can write to and own, created (mode 0755) if missing."""
    env = os.environ if environ is None else environ
    dirs = candidate_dirs(env, **kw)
    for d in dirs:
        try:
            d.mkdir(mode=0o755, parents=False, exist_ok=True)
            owner = d.stat().st_uid
        except OSError:
            continue
        # Only a dir we own: `sudo kiosk run --windowed` must not overwrite the service's
        # /run/kiosk/status.json, and nobody else's /tmp/kiosk-UID is ours to write into.
        # systemd's $RUNTIME_DIRECTORY was made for us, whoever owns it.
        ours = owner == os.geteuid() or str(d) == env.get("RUNTIME_DIRECTORY", "").split(":")[0]
        if ours and os.access(d, os.W_OK | os.X_OK):
            return d
    return dirs[-1]


def status_path(environ: Mapping[str, str] | None = None, **kw: Any) -> Path:
    """Where the running kiosk writes its status file."""
    return runtime_dir(environ, **kw) / STATUS_FILE


def find_status_file(environ: Mapping[str, str] | None = None, **kw: Any) -> Path | None:
    """The first existing status file among the candidate dirs (for readers)."""
    for d in candidate_dirs(environ, **kw):
        if (d / STATUS_FILE).is_file():
            return d / STATUS_FILE
    return None


# --- writing ---------------------------------------------------------------------------


def proc_start_ticks(pid: int) -> int | None:
    """The process start time in clock ticks since boot (tells a reused pid from ours)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
        # comm (field 2) may contain spaces and parentheses: split after the last ')'.
        return int(stat.rsplit(")", 1)[1].split()[19])
    except (OSError, IndexError, ValueError):
        return None


def write_status(
    report: StatusReport, path: Path | str, secrets: Redactor | Iterable[str] = ()
) -> None:
    """Write the report atomically (tmp + rename): readers never see half a file.

    Not fsynced: it is rewritten every few seconds, describes the running process, lives in the
    runtime dir (tmpfs under systemd) and is stale after a power cut whatever was synced.

    Every string is masked by the kiosk's redactor (or one made of ``secrets``) on the way out.
    """
    path = Path(path)
    redactor = secrets if isinstance(secrets, Redactor) else Redactor(secrets)
    data = redactor.scrub(report.to_json())
    data["proc_start"] = proc_start_ticks(report.pid)
    # One line, by json's C encoder (indented output takes its pure-Python one, 5x slower
    # every few seconds): `kiosk status --json` prints it indented.
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    # World-readable on purpose: an operator without sudo may run `kiosk status`, and the
    # contents are scrubbed. The unit's UMask=0027 would hide it otherwise.
    write_atomic(path, payload, mode=0o644, durable=False)


def remove_status(path: Path | str) -> None:
    """Remove the status file on a clean exit; never raises."""
    with contextlib.suppress(OSError):
        Path(path).unlink(missing_ok=True)


def run(args: argparse.Namespace) -> int:
    """``kiosk status [--json] [--runtime-dir DIR]``: print what the running kiosk reports."""
    from kiosk.ops.status_view import run_status

    return run_status(args)
