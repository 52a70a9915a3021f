"""The operator's notice spool: one small JSON file per notice, written atomically, read on change.

``kiosk notice show`` writes ``<id>.json`` into the spool directory (tmp file, fsync, rename,
fsync of the directory), so the kiosk never sees half a file. The kiosk's ``NoticeSpool.poll``
lists the directory when the kernel says it changed (kiosk/ops/spool_watch.py; every 10 s
anyway, once a second where there is no inotify: a few ``stat`` calls, no network) and
re-reads only files whose size, mtime, inode or mode changed: a new notice is on screen at
once (within 2 s without inotify), and a notice survives a restart until it expires. A file
that is malformed, oversized, writable by anyone, or not a regular file is refused with one
log line (once per version of the file) and never drawn. The install makes the directory
root:kiosk 2770 (systemd/kiosk-notices.conf).

File (format 1)::

    {"format": 1, "id": "op-20260818-090000-3f2a", "level": "critical",
     "text_ko": "...", "text_en": "...",
     "issued_at": "2026-08-18T09:00:00+09:00", "until": "2026-08-18T09:30:00+09:00"}
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import stat
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.core.models import Notice
from kiosk.core.notices import LEVELS, OPERATOR
from kiosk.ops.files import fsync_dir, write_atomic

log = logging.getLogger("kiosk.notices")

FORMAT = 1
MAX_FILE_BYTES = 8192
MAX_TEXT_KO = 200  # the takeover fits the feed's longest messages (~90) with room to spare
MAX_TEXT_EN = 300
MAX_DURATION = timedelta(days=7)
FILE_MODE = 0o640  # the kiosk reads through its group; only the writer (root/operator) writes
_KEYS = frozenset({"format", "id", "level", "text_ko", "text_en", "issued_at", "until"})
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class SpoolError(Exception):
    """A notice file or value that cannot be used; the message is one line, safe to show."""


def new_id(now: datetime) -> str:
    """A fresh operator notice id: "op-20260818-090000-3f2a"."""
    return f"op-{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def operator_notice(
    notice_id: str, level: str, text_ko: str, text_en: str, issued_at: datetime, until: datetime
) -> Notice:
    """A checked operator notice; raises SpoolError naming the bad value."""
    if not _ID.match(notice_id):
        raise SpoolError(f"bad id {notice_id[:70]!r}")
    if level not in LEVELS:
        raise SpoolError(f"level must be one of {', '.join(LEVELS)} (got {level[:20]!r})")
    ko, en = _text(text_ko, "text_ko", MAX_TEXT_KO), _text(text_en, "text_en", MAX_TEXT_EN)
    if not ko:
        raise SpoolError("text_ko is empty")
    if issued_at.tzinfo is None or until.tzinfo is None:
        raise SpoolError("times must carry a UTC offset")
    if not issued_at < until <= issued_at + MAX_DURATION:
        raise SpoolError("until must be after issued_at and at most 7 days later")
    return Notice(
        id=notice_id,
        level=level,  # type: ignore[arg-type]  # checked against LEVELS above
        origin="operator",
        category="",
        text_ko=ko,
        text_en=en,
        regions=(),
        issued_at=issued_at,
        until=until,
        issuer_ko=OPERATOR[0],
        issuer_en=OPERATOR[1],
    )


def _text(value: object, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise SpoolError(f"{name} is not text")
    text = " ".join(_CONTROL.sub(" ", value).split())
    if len(text) > limit:
        raise SpoolError(f"{name} has {len(text)} characters (at most {limit})")
    return text


def _time(value: object, name: str) -> datetime:
    try:
        when = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise SpoolError(f"{name} is not an ISO-8601 time with an offset")
    return when


def to_json(notice: Notice) -> dict[str, Any]:
    """The file content for an operator notice."""
    return {
        "format": FORMAT,
        "id": notice.id,
        "level": notice.level,
        "text_ko": notice.text_ko,
        "text_en": notice.text_en,
        "issued_at": notice.issued_at.isoformat(),
        "until": notice.until.isoformat(),
    }


def from_json(data: object, stem: str) -> Notice:
    """The notice in a parsed file named ``<stem>.json``; raises SpoolError saying what is wrong."""
    if not isinstance(data, dict):
        raise SpoolError("not a JSON object")
    unknown = sorted(str(k) for k in data if k not in _KEYS)
    if unknown:
        raise SpoolError(f"unknown key {unknown[0][:40]!r}")
    if data.get("format") != FORMAT:
        raise SpoolError(f"format must be {FORMAT}")
    if data.get("id") != stem:
        raise SpoolError("id does not match the file name")
    level = data.get("level")
    return operator_notice(
        stem,
        level if isinstance(level, str) else "?",
        data.get("text_ko"),  # type: ignore[arg-type]  # _text checks the type
        data.get("text_en", ""),  # type: ignore[arg-type]
        _time(data.get("issued_at"), "issued_at"),
        _time(data.get("until"), "until"),
    )


def read_file(path: Path) -> Notice:
    """One spool file, checked; raises SpoolError for anything the screen must not draw."""
    try:
        st = path.lstat()
        if not stat.S_ISREG(st.st_mode):
            raise SpoolError("not a regular file")
        if st.st_mode & stat.S_IWOTH:
            raise SpoolError(f"writable by anyone (mode {stat.S_IMODE(st.st_mode):04o})")
        if st.st_size > MAX_FILE_BYTES:
            raise SpoolError(f"oversized ({st.st_size} bytes, at most {MAX_FILE_BYTES})")
        with open(path, "rb") as f:
            raw = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise SpoolError(f"cannot read ({e.strerror or e.__class__.__name__})") from None
    if len(raw) > MAX_FILE_BYTES:  # it grew between the stat and the read
        raise SpoolError(f"oversized (more than {MAX_FILE_BYTES} bytes)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise SpoolError("not valid UTF-8 JSON") from None
    return from_json(data, path.name.removesuffix(".json"))


def write_notice(spool: Path, notice: Notice) -> Path:
    """Write ``notice`` into the spool atomically (tmp, fsync, rename, fsync the directory)."""
    if not spool.is_dir():
        _make_spool(spool)
    data = json.dumps(to_json(notice), ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    if len(data) > MAX_FILE_BYTES:
        raise SpoolError(f"notice would be {len(data)} bytes (at most {MAX_FILE_BYTES})")
    final = spool / f"{notice.id}.json"
    # The temporary file has a dot name: the reader skips it, a half-written file is never seen.
    write_atomic(final, data, mode=FILE_MODE, sync_dir=True)
    return final


def _make_spool(spool: Path) -> None:
    """Create the spool as the tmpfiles snippet would: 2770, group kiosk when there is one."""
    import grp

    spool.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(KeyError, OSError):  # no kiosk group (a developer's machine)
        os.chown(spool, -1, grp.getgrnam("kiosk").gr_gid)
    os.chmod(spool, 0o2770)  # not the umask's guess: the kiosk reads through its group


def remove_notice(spool: Path, notice_id: str) -> bool:
    """Delete one notice file; False when there was none with that id."""
    if not _ID.match(notice_id):
        return False
    try:
        (spool / f"{notice_id}.json").unlink()
    except FileNotFoundError:
        return False
    fsync_dir(spool)  # the unlink is durable only once the folder is on disk
    return True


def spool_names(spool: Path) -> list[str]:
    """The notice file names in the spool (tmp files skipped); [] when it does not exist."""
    try:
        with os.scandir(spool) as it:
            return sorted(e.name for e in it if e.name.endswith(".json") and e.name[0] != ".")
    except FileNotFoundError:
        return []


@dataclass(frozen=True)
class SpoolContents:
    """Every usable notice in the spool, and the files refused with the reason."""

    notices: tuple[Notice, ...]
    refused: tuple[tuple[str, str], ...]  # (file name, reason)


def read_spool(spool: Path) -> SpoolContents:
    """Read every notice file now (the CLI's view; the kiosk uses ``NoticeSpool``)."""
    good: list[Notice] = []
    bad: list[tuple[str, str]] = []
    for name in spool_names(spool):
        try:
            good.append(read_file(spool / name))
        except SpoolError as e:
            bad.append((name, str(e)))
    return SpoolContents(tuple(good), tuple(bad))


# A chmod changes only the mode and ctime: a notice made writable by anyone must be re-read
# (and refused).
_Signature = tuple[int, int, int, int, int]  # size, mtime_ns, inode, mode, ctime_ns


class NoticeSpool:
    """The kiosk's reader: ``poll()`` gives the spool's notices when they changed."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._seen: dict[str, tuple[_Signature, Notice | None]] = {}
        self._notices: tuple[Notice, ...] = ()
        self._missing_logged = False
        self._failed: str | None = None

    @property
    def notices(self) -> tuple[Notice, ...]:
        """The usable notices as of the last poll (expired ones included: the rules drop them)."""
        return self._notices

    def poll(self) -> tuple[Notice, ...] | None:
        """Re-read what changed; the notices when the set changed since the last poll, else None."""
        entries: dict[str, os.stat_result] = {}
        try:
            with os.scandir(self.path) as it:
                for e in it:
                    if e.name.endswith(".json") and e.name[0] != ".":
                        with contextlib.suppress(FileNotFoundError):  # cleared meanwhile
                            entries[e.name] = e.stat(follow_symlinks=False)
        except FileNotFoundError:
            if not self._missing_logged:
                log.info("notice spool %s does not exist (yet): no operator notices", self.path)
                self._missing_logged = True
        except OSError as e:
            reason = e.strerror or e.__class__.__name__
            if self._failed != reason:
                log.warning("notice spool %s cannot be read: %s", self.path, reason)
                self._failed = reason
            return None  # keep what is on screen: a passing error must not clear a notice
        self._failed = None
        if entries:
            self._missing_logged = False
        seen: dict[str, tuple[_Signature, Notice | None]] = {}
        for name, st in sorted(entries.items()):
            sig = (st.st_size, st.st_mtime_ns, st.st_ino, st.st_mode, st.st_ctime_ns)
            old = self._seen.get(name)
            seen[name] = old if old is not None and old[0] == sig else (sig, self._load(name))
        self._seen = seen
        notices = tuple(n for _, n in seen.values() if n is not None)
        if notices == self._notices:
            return None
        self._notices = notices
        log.info("operator notices: %s", ", ".join(n.id for n in notices) or "none")
        return notices

    def _load(self, name: str) -> Notice | None:
        try:
            return read_file(self.path / name)
        except SpoolError as e:
            log.warning("notice file %s refused: %s", self.path / name, e)
            return None
