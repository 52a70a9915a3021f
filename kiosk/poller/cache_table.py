"""The cache file's one table, as requests-cache storage: errors raised, never swallowed.

The same table requests-cache's ``SQLiteCache`` made (name, columns, keys, pickles), so an
existing cache file reads as it is; ``kiosk.poller.cache_file`` decides what an error means.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator
from typing import Any

from requests_cache import CachedResponse
from requests_cache.backends.base import BaseStorage

log = logging.getLogger("kiosk.poller.cache_file")

_SALVAGE_MAX = 2000  # rows carried out of a damaged file at most


class Table(BaseStorage[str, CachedResponse]):
    """One key -> serialized answer table on a connection; errors are raised, never swallowed."""

    def __init__(self, db: sqlite3.Connection, serializer: Any, writable: bool = True):
        super().__init__(serializer=serializer)
        self.db = db
        if writable:
            with db:
                db.execute(
                    "CREATE TABLE IF NOT EXISTS responses "
                    "(key TEXT PRIMARY KEY, value BLOB, expires INTEGER)"
                )

    def __getitem__(self, key: str) -> CachedResponse:
        row = self.db.execute("SELECT value FROM responses WHERE key = ?", (key,)).fetchone()
        if row is None:
            raise KeyError(key)
        value = self.deserialize(key, row[0])
        if value is None:
            raise KeyError(key)  # a row no longer readable counts as absent
        return value  # type: ignore[no-any-return]

    def __setitem__(self, key: str, value: CachedResponse) -> None:
        self.put_raw(key, self.serialize(value), getattr(value, "expires_unix", None))

    def put_raw(self, key: str, data: bytes, expires: int | None) -> None:
        """Store already serialized bytes (when moving answers between files and memory)."""
        with self.db:
            self.db.execute(
                "INSERT OR REPLACE INTO responses (key, value, expires) VALUES (?, ?, ?)",
                (key, sqlite3.Binary(data), expires),
            )

    def raw_rows(self, limit: int = _SALVAGE_MAX) -> list[tuple[str, bytes, int | None]]:
        """Every row as stored, as far as it can be read (a damaged file may stop part way)."""
        out: list[tuple[str, bytes, int | None]] = []
        try:
            for key, value, expires in self.db.execute("SELECT key, value, expires FROM responses"):
                if isinstance(key, str) and isinstance(value, bytes):
                    out.append((key, value, expires))
                if len(out) >= limit:
                    break
        except sqlite3.Error:
            pass
        return out

    def __delitem__(self, key: str) -> None:
        with self.db:
            cur = self.db.execute("DELETE FROM responses WHERE key = ?", (key,))
        if not cur.rowcount:
            raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        return iter([r[0] for r in self.db.execute("SELECT key FROM responses").fetchall()])

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM responses").fetchone()[0])

    def bulk_delete(self, keys: Any) -> None:
        with self.db:
            self.db.executemany("DELETE FROM responses WHERE key = ?", [(k,) for k in keys])

    def clear(self) -> None:
        with self.db:
            self.db.execute("DELETE FROM responses")

    def close(self) -> None:
        self.db.close()

    def deserialize(self, key: Any, value: Any) -> Any:
        # requests-cache logs an unreadable row at ERROR; for a cache that is merely a miss.
        try:
            obj = self.serializer.loads(value) if self.serializer else value
        except Exception as e:
            log.debug("unreadable cached answer (%s)", e.__class__.__name__)
            return None
        if hasattr(obj, "cache_key"):
            obj.cache_key = key
        return obj
