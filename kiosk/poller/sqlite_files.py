"""The kiosk's SQLite files (HTTP cache, air history): open them checked, tell damage from a full
disk, and move a damaged file aside without ever overwriting an earlier damaged copy.

Damage (SQLITE_CORRUPT, SQLITE_NOTADB: a power cut on an SD card, a bad sector) is permanent:
the file is moved aside and a fresh one started. Everything else (SQLITE_FULL, an I/O error, a
read-only folder, permissions) says nothing about the file itself: it is kept, and read if it
can be, and writing is tried again later.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from urllib.parse import quote

log = logging.getLogger(__name__)

MAX_ASIDE = 9  # damaged copies kept per file (http.sqlite.corrupt, .corrupt.2, ... .corrupt.9)
RETRY_S = 60.0  # a file that could not be written is tried again after this long
# SQLite's page cache per connection (its default is 2 MiB): pages of a small file stay in memory
# either way, and what is not cached is read from disk, where damage shows.
CACHE_KIB = 512
_DAMAGE = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


class Damaged(sqlite3.DatabaseError):
    """``PRAGMA quick_check`` found the file damaged."""

    sqlite_errorcode = sqlite3.SQLITE_CORRUPT


def is_damage(error: BaseException) -> bool:
    """Whether an SQLite error says the file itself is damaged (not the disk full or read-only)."""
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(error, sqlite3.DatabaseError) and code is not None and code & 0xFF in _DAMAGE


def reason(error: BaseException) -> str:
    """A short, secret-free description of an SQLite or OS error."""
    text = getattr(error, "strerror", None) or " ".join(str(error).split())
    return text or error.__class__.__name__


def connect(path: Path, *, read_only: bool = False, wal: bool = True) -> sqlite3.Connection:
    """An open, checked connection to ``path`` (``Damaged`` when ``quick_check`` fails).

    Read-only: ``mode=ro``, else (a WAL file in a folder where its ``-shm`` cannot be made)
    ``immutable=1``, which reads the file as it is. The check runs on a connection of its own,
    so the one returned starts with an empty page cache and meets later damage when it reads.
    """
    if not read_only:
        db = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)
        try:
            db.execute(f"PRAGMA cache_size=-{int(CACHE_KIB)}")
            if wal:
                db.execute("PRAGMA journal_mode=WAL")
            _check(str(path), uri=False)
        except BaseException:
            db.close()
            raise
        return db
    base = f"file:{quote(str(path))}?mode=ro"
    for uri in (base, base + "&immutable=1"):
        try:
            _check(uri, uri=True)
            db = sqlite3.connect(uri, uri=True, check_same_thread=False, timeout=5.0)
            db.execute(f"PRAGMA cache_size=-{int(CACHE_KIB)}")
            return db
        except Damaged:
            raise
        except sqlite3.Error as e:
            error = e
    raise error


def _check(target: str, uri: bool) -> None:
    db = sqlite3.connect(target, uri=uri, check_same_thread=False, timeout=5.0)
    try:
        row = db.execute("PRAGMA quick_check(1)").fetchone()
    finally:
        db.close()
    if not row or row[0] != "ok":
        raise Damaged(f"quick_check: {' '.join(str(row and row[0]).split())[:120]}")


def move_aside(path: Path) -> Path | None:
    """Move a damaged ``path`` (with its ``-wal``) to the first free ``.corrupt[.N]`` name.

    None when it cannot be moved (a read-only folder) or MAX_ASIDE copies are there already:
    an earlier damaged copy is never overwritten.
    """
    aside = next(
        (
            c
            for c in (
                path.with_name(f"{path.name}.corrupt{'' if n == 1 else f'.{n}'}")
                for n in range(1, MAX_ASIDE + 1)
            )
            if not c.exists() and not Path(f"{c}-wal").exists()
        ),
        None,
    )
    if aside is None:
        log.warning("%s is damaged and %d damaged copies are kept already", path, MAX_ASIDE)
        return None
    try:
        os.rename(path, aside)
    except OSError as e:
        log.warning("cannot move the damaged %s aside: %s", path, reason(e))
        return None
    wal = Path(f"{path}-wal")
    try:
        if wal.exists():
            os.rename(wal, f"{aside}-wal")  # the copy keeps what its log held
        Path(f"{path}-shm").unlink(missing_ok=True)
    except OSError as e:
        # A log left behind would be replayed into the fresh file: it must go, or no fresh file.
        try:
            wal.unlink(missing_ok=True)
        except OSError:
            log.warning("cannot move %s aside: %s", wal, reason(e))
            return None
    return aside
