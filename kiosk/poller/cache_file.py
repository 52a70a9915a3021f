"""The HTTP cache in one SQLite file, with what the kiosk does when the file or its disk fails.

A requests-cache backend (``BaseCache`` over ``BaseStorage`` tables, requests-cache's documented
way to add one) rather than its ``SQLiteCache``, whose writes swallow ``OperationalError`` (a
full disk looks like success) and retry ``BEGIN IMMEDIATE`` forever on a read-only file.

* Damaged, at open or on any later read or write: the file is moved aside
  (``sqlite_files.move_aside``: numbered, never over an earlier copy), the answers that can
  still be read are carried into a fresh file, and the kiosk goes on.
* Disk full, I/O error, a read-only folder: the file is kept and read as long as it can be;
  new answers are kept in memory (served first) and the file is tried again every
  ``RETRY_S``; when it takes writes again, what memory held is written to it.
* No file at all (its folder cannot be made): memory only, tried again likewise.

``location`` and ``problem`` say which of these holds, for the log, status and `kiosk fetch`.
All of it sits behind ``responses``, one storage object for the cache's life, so requests-cache's
own ``get_response``/``save_response`` (and a cache layered over this one) go through it. The
file's table is the one requests-cache's ``SQLiteCache`` made (same name, columns, keys and
pickles): a kiosk's existing cache file is read as it is.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from requests_cache import CachedResponse
from requests_cache.backends.base import BaseCache, BaseStorage

from kiosk.ops.files import identity
from kiosk.poller.cache_table import Table
from kiosk.poller.sqlite_files import RETRY_S, connect, is_damage, move_aside, reason

log = logging.getLogger(__name__)

MAX_MEMORY_ANSWERS = 500  # the kiosk asks for a few dozen URLs; this only bounds a bug


class FileCache(BaseCache):
    """The kiosk's HTTP cache file (see the module docstring for what happens when it fails)."""

    def __init__(
        self, path: Path, serializer: Any, monotonic: Callable[[], float] = time.monotonic
    ):
        super().__init__(cache_name=str(path))
        self.path = Path(path)
        self._serializer = serializer
        self._monotonic = monotonic
        self._lock = threading.RLock()
        self._memory = Table(sqlite3.connect(":memory:", check_same_thread=False), serializer)
        self._file: Table | None = None
        self._writable = False
        self._identity: tuple[int, int] | None = None  # the file opened (device, inode)
        self._retry_at: float | None = None
        self.problem: str | None = None  # one line: why new answers are kept in memory
        self.responses = _Guarded(self, serializer)
        self._open()

    # -- what holds -----------------------------------------------------------------------
    @property
    def location(self) -> str:
        """The file, the file read-only, or "memory"."""
        if self._file is None:
            return "memory"
        return str(self.path) if self._writable else f"{self.path} (read-only)"

    # -- opening, and replacing a damaged file -------------------------------------------
    def _open(self) -> None:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            self._no_file(f"cannot make its folder ({reason(e)})")
            return
        try:
            self._use(connect(self.path), writable=True)
        except sqlite3.Error as e:
            if is_damage(e):
                self._replace_damaged(e)
            else:
                self._read_only(e)

    def _use(self, db: sqlite3.Connection, writable: bool) -> None:
        try:
            self._file = Table(db, self._serializer, writable=writable)
        except BaseException:
            db.close()
            raise
        self._writable = writable
        self._identity = identity(self.path)

    def _read_only(self, error: BaseException) -> None:
        """The file cannot be written: read its last good answers, keep new ones in memory."""
        self._retry_later()
        try:
            readable = self.path.is_file() and self.path.stat().st_size > 0
        except OSError:
            readable = False
        if readable:
            try:
                self._use(connect(self.path, read_only=True), writable=False)
                self._say(f"cannot be written ({reason(error)}); reading it, new answers in memory")
                return
            except sqlite3.Error as e:
                if is_damage(e):
                    self._replace_damaged(e)
                    return
                error = e
        self._no_file(f"is unusable ({reason(error)})")

    def _no_file(self, why: str) -> None:
        self._file, self._writable = None, False
        self._retry_later()
        self._say(f"{why}; caching in memory only")

    def _replace_damaged(self, error: BaseException) -> None:
        salvaged = self._salvage()
        self._close_file()
        aside = move_aside(self.path)
        if aside is None:
            self._no_file(f"is damaged ({reason(error)}) and cannot be moved aside")
            return
        log.warning(
            "HTTP cache %s is damaged (%s); moved it to %s and started a fresh one",
            self.path,
            reason(error),
            aside.name,
        )
        try:
            self._use(connect(self.path), writable=True)
        except sqlite3.Error as e:
            self._read_only(e)
            return
        self.problem = (
            f"HTTP cache {self.path} was damaged ({reason(error)}); moved it to {aside.name} "
            "and started a fresh one"
        )
        try:
            kept = self._copy_into_file(salvaged)
        except sqlite3.Error as e:  # the fresh file failing at once: the disk, not the data
            self._retry_later()
            log.warning("HTTP cache %s: cannot write the fresh file (%s)", self.path, reason(e))
            return
        if kept:
            log.info("HTTP cache: %d readable answer(s) carried into the fresh file", kept)

    def _salvage(self) -> list[tuple[str, bytes, int | None]]:
        if self._file is not None:
            return self._file.raw_rows()
        try:
            db = sqlite3.connect(
                f"file:{quote(str(self.path))}?mode=ro", uri=True, check_same_thread=False
            )
        except sqlite3.Error:
            return []
        try:
            return Table(db, None, writable=False).raw_rows()
        finally:
            db.close()

    def _copy_into_file(self, rows: list[tuple[str, bytes, int | None]]) -> int:
        assert self._file is not None
        done = 0
        for key, data, expires in rows:
            self._file.put_raw(key, data, expires)
            done += 1
        return done

    def _close_file(self) -> None:
        if self._file is not None:
            with contextlib.suppress(sqlite3.Error):
                self._file.close()
        self._file, self._writable = None, False

    # -- failures later on ------------------------------------------------------------------
    def _failed(self, error: sqlite3.Error, doing: str) -> None:
        if is_damage(error):
            self._replace_damaged(error)
            return
        first = self._retry_at is None
        self._retry_later()
        if first:
            self._say(f"cannot {doing} ({reason(error)}); new answers kept in memory")

    def _retry_later(self) -> None:
        self._retry_at = self._monotonic() + RETRY_S

    def _say(self, what: str) -> None:
        problem = f"HTTP cache {self.path} {what}"
        if problem != self.problem:  # once per state, not once per retry
            log.warning("%s (trying the file again every %g s)", problem, RETRY_S)
        self.problem = problem

    def _follow_the_path(self) -> None:
        """Another process (`kiosk fetch`) replaced the file: open the one now at the path."""
        if self._file is not None and identity(self.path) != self._identity:
            log.info("HTTP cache %s was replaced by another process; reopening it", self.path)
            self._close_file()
            self._open()

    def _try_file_again(self) -> None:
        """Past the retry time: reopen the file if needed, then move memory's answers into it."""
        self._follow_the_path()
        if self._retry_at is None or self._monotonic() < self._retry_at:
            return
        self._retry_at = None
        if not self._writable:
            self._close_file()
            self._open()
            if not self._writable:
                return
        assert self._file is not None
        rows = self._memory.raw_rows()
        try:
            self._copy_into_file(rows)
        except sqlite3.Error as e:
            self._failed(e, "write it")
            return
        self._memory.bulk_delete([key for key, _, _ in rows])
        self.problem = None
        log.info("HTTP cache %s is writable again (%d answer(s) from memory)", self.path, len(rows))

    # -- what the storage asks (under the lock) -----------------------------------------------
    def _get(self, key: str) -> CachedResponse:
        """The stored answer for ``key``: memory first (newer), then the file; KeyError if none."""
        with self._lock:
            try:
                return self._memory[key]
            except KeyError:
                pass
            self._follow_the_path()
            for _ in range(2):  # once more on a fresh file that took the readable answers
                if self._file is None:
                    break
                try:
                    return self._file[key]
                except sqlite3.Error as e:
                    self._failed(e, "read it")
                    if not is_damage(e):
                        break
            raise KeyError(key)

    def _put(self, key: str, value: CachedResponse) -> None:
        """Store an answer in the file, else (while the file fails) in memory."""
        with self._lock:
            self._try_file_again()
            for _ in range(2):  # once more on the fresh file that replaced a damaged one
                if self._file is None or not self._writable or self._retry_at is not None:
                    break
                try:
                    self._file[key] = value
                except sqlite3.Error as e:
                    self._failed(e, "write it")
                    continue
                with contextlib.suppress(KeyError):
                    del self._memory[key]
                return
            if len(self._memory) >= MAX_MEMORY_ANSWERS:
                self._memory.clear()
            self._memory[key] = value

    def _delete(self, keys: list[str]) -> None:
        with self._lock:
            self._memory.bulk_delete(keys)
            if self._file is not None and self._writable:
                try:
                    self._file.bulk_delete(keys)
                except sqlite3.Error as e:
                    self._failed(e, "write it")

    def _keys(self) -> list[str]:
        with self._lock:
            keys = list(self._memory)
            if self._file is not None:
                try:
                    keys += [k for k in self._file if k not in keys]
                except sqlite3.Error as e:
                    self._failed(e, "read it")
            return keys

    def close(self) -> None:
        """Close the file and the memory table."""
        with self._lock:
            self._close_file()
            self._memory.close()


class _Guarded(BaseStorage[str, CachedResponse]):
    """``FileCache.responses``: one storage object for the cache's whole life, whatever file (or
    memory) is behind it, so that requests-cache's own ``get_response``/``save_response`` and a
    cache layered over this one (``cache_backend.SharedCache``) get the same fault handling."""

    def __init__(self, owner: FileCache, serializer: Any):
        super().__init__(serializer=serializer)
        self._owner = owner

    def __getitem__(self, key: str) -> CachedResponse:
        return self._owner._get(key)

    def __setitem__(self, key: str, value: CachedResponse) -> None:
        self._owner._put(key, value)

    def __delitem__(self, key: str) -> None:
        if key not in self._owner._keys():
            raise KeyError(key)
        self._owner._delete([key])

    def bulk_delete(self, keys: Any) -> None:
        self._owner._delete(list(keys))

    def __iter__(self) -> Iterator[str]:
        return iter(self._owner._keys())

    def __len__(self) -> int:
        return len(self._owner._keys())

    def clear(self) -> None:
        self._owner._delete(self._owner._keys())

    def close(self) -> None:
        self._owner.close()
