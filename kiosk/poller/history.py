"""Air-quality history: every new reading appended to a small SQLite file next to the HTTP cache.

The readings live in memory (an in-memory SQLite table, read by ``history``) and are written
through to the file, in WAL mode with ``synchronous=FULL``: a power cut loses at most the reading
being written. Readings older than ``keep_days`` are deleted as new ones arrive (25 districts x
24 readings x 7 days at most, usually one district). When the file fails the readings stay in
memory and the chart goes on (``kiosk.poller.sqlite_files``):

* damaged (at open or on any later write): moved aside (numbered ``.corrupt`` copies, never
  overwritten) and replaced by a fresh file holding what memory has;
* disk full, I/O error, read-only folder: the file is kept (what it holds is read at start),
  and writing is tried again every ``RETRY_S``, then memory's readings are written to it.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

from kiosk.core.models import AirReading
from kiosk.poller.sqlite_files import RETRY_S, connect, is_damage, move_aside, reason

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS air_readings (
    district TEXT NOT NULL,
    measured_at TEXT NOT NULL,  -- ISO-8601 with offset
    measured_ts REAL NOT NULL,  -- epoch seconds, for range queries
    region TEXT NOT NULL DEFAULT '',
    pm10 REAL, pm25 REAL, cai REAL, cai_grade TEXT, main_pollutant TEXT, o3 REAL, no2 REAL,
    PRIMARY KEY (district, measured_ts)
)
"""
_INSERT = "INSERT OR IGNORE INTO air_readings VALUES (?,?,?,?,?,?,?,?,?,?,?)"
_ALL = "SELECT * FROM air_readings"
Row = tuple[object, ...]


class AirHistory:
    """Append-only (deduplicated) store of air readings, bounded in age."""

    def __init__(
        self,
        path: Path | None,
        keep_days: int = 7,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.keep = timedelta(days=keep_days)
        self.path = path
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._mem = sqlite3.connect(":memory:", check_same_thread=False)
        self._mem.execute(_SCHEMA)
        self._file: sqlite3.Connection | None = None
        self._retry_at: float | None = None
        self.problem: str | None = None  # one line: why readings are kept in memory only
        if path is not None:
            self._open()

    @property
    def location(self) -> str:
        """The file the readings are written to, or "memory"."""
        return str(self.path) if self._file is not None else "memory"

    # -- the file ----------------------------------------------------------------------------
    def _open(self) -> None:
        assert self.path is not None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = connect(self.path)
        except (OSError, sqlite3.Error) as e:
            if is_damage(e):
                self._replace_damaged(e)
            else:
                self._unwritable(e)
            return
        try:
            db.execute("PRAGMA synchronous=FULL")
            with db:
                db.execute(_SCHEMA)
            self._load(db.execute(_ALL).fetchall())
            with db:  # what memory held while the file failed
                db.executemany(_INSERT, self._mem.execute(_ALL).fetchall())
        except sqlite3.Error as e:
            db.close()
            if is_damage(e):
                self._replace_damaged(e)
            else:
                self._unwritable(e)
            return
        self._file, self._retry_at = db, None
        if self.problem is not None:
            log.info("air history %s is writable again", self.path)
        self.problem = None

    def _load(self, rows: list[Row]) -> None:
        with self._mem:
            self._mem.executemany(_INSERT, rows)

    def _unwritable(self, error: BaseException) -> None:
        """Keep the file; read what it holds if it can be read; write again later."""
        assert self.path is not None
        self._close_file()
        self._retry_at = self._monotonic() + RETRY_S
        if self.path.is_file():
            try:
                ro = connect(self.path, read_only=True)
                try:
                    self._load(ro.execute(_ALL).fetchall())
                finally:
                    ro.close()
            except sqlite3.Error:
                pass  # unreadable as well: the chart starts from what arrives
        self._say(f"air history {self.path} cannot be written ({reason(error)})")

    def _replace_damaged(self, error: BaseException) -> None:
        assert self.path is not None
        self._close_file()
        self._salvage()
        aside = move_aside(self.path)
        if aside is None:
            self._retry_at = self._monotonic() + RETRY_S
            self._say(f"air history {self.path} is damaged and cannot be moved aside")
            return
        log.warning(
            "air history %s is damaged (%s); moved it to %s and started a fresh one",
            self.path,
            reason(error),
            aside.name,
        )
        self._open()

    def _salvage(self) -> None:
        """Keep in memory what a damaged file still gives (its rows, as far as they read)."""
        assert self.path is not None
        try:
            db = sqlite3.connect(f"file:{quote(str(self.path))}?mode=ro", uri=True)
        except sqlite3.Error:
            return
        rows: list[Row] = []
        try:
            for row in db.execute(_ALL):
                rows.append(tuple(row))
        except sqlite3.Error:
            pass
        finally:
            db.close()
        with contextlib.suppress(sqlite3.Error):
            self._load(rows)

    def _say(self, problem: str) -> None:
        if problem != self.problem:  # once per state
            log.warning(
                "%s; keeping readings in memory (trying again every %g s)", problem, RETRY_S
            )
        self.problem = problem

    def _close_file(self) -> None:
        if self._file is not None:
            with contextlib.suppress(sqlite3.Error):
                self._file.close()
        self._file = None

    def _write_through(self, rows: list[Row], cutoff: float) -> None:
        if self.path is None:
            return
        if self._file is None:
            if self._retry_at is not None and self._monotonic() >= self._retry_at:
                self._open()  # writes every reading memory holds
            return
        try:
            with self._file:
                self._file.executemany(_INSERT, rows)
                self._file.execute("DELETE FROM air_readings WHERE measured_ts < ?", (cutoff,))
        except sqlite3.Error as e:
            if is_damage(e):
                self._replace_damaged(e)
            else:
                self._close_file()
                self._retry_at = self._monotonic() + RETRY_S
                self._say(f"air history {self.path}: cannot write ({reason(e)})")

    # -- readings ----------------------------------------------------------------------------
    def append(self, readings: Iterable[AirReading], now: datetime) -> int:
        """Store readings not stored yet; drop those older than the retention. Returns how many were new."""
        rows: list[Row] = [
            (
                r.district,
                r.measured_at.isoformat(),
                r.measured_at.timestamp(),
                r.region,
                r.pm10,
                r.pm25,
                r.cai,
                r.cai_grade,
                r.main_pollutant,
                r.o3,
                r.no2,
            )
            for r in readings
        ]
        cutoff = (now - self.keep).timestamp()
        with self._lock:
            with self._mem:  # one transaction
                before = self._mem.total_changes
                self._mem.executemany(_INSERT, rows)
                added = self._mem.total_changes - before
                self._mem.execute("DELETE FROM air_readings WHERE measured_ts < ?", (cutoff,))
            self._write_through(rows, cutoff)
        return added

    def history(self, district: str, since: datetime) -> tuple[AirReading, ...]:
        """The district's readings measured at or after ``since``, oldest first."""
        with self._lock:
            rows = self._mem.execute(
                "SELECT district, region, measured_at, pm10, pm25, cai, cai_grade, main_pollutant, o3, no2 "
                "FROM air_readings WHERE district = ? AND measured_ts >= ? ORDER BY measured_ts",
                (district, since.timestamp()),
            ).fetchall()
        out = []
        for d, region, at, pm10, pm25, cai, grade, main, o3, no2 in rows:
            try:  # a row carried over from a damaged file may not read back
                when = datetime.fromisoformat(at)
            except (TypeError, ValueError):
                continue
            out.append(
                AirReading(
                    district=d,
                    region=region,
                    measured_at=when,
                    pm10=pm10,
                    pm25=pm25,
                    cai=cai,
                    cai_grade=grade,
                    main_pollutant=main,
                    o3=o3,
                    no2=no2,
                )
            )
        return tuple(out)

    def close(self) -> None:
        """Close the file and the memory table."""
        with self._lock:
            self._close_file()
            self._mem.close()
