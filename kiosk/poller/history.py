"""Air-quality history: every new reading appended to a small SQLite file next to the HTTP cache.

SQLite in WAL mode with ``synchronous=FULL``: a power cut loses at most the reading being
written, never the file. Readings older than ``keep_days`` are deleted as new ones arrive, so
the file stays small (25 districts x 24 readings x 7 days at most, usually one district).
If the file cannot be opened, history is kept in memory and the kiosk carries on.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta
from pathlib import Path

from kiosk.core.models import AirReading

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


class AirHistory:
    """Append-only (deduplicated) store of air readings, bounded in age."""

    def __init__(self, path: Path | None, keep_days: int = 7):
        self.keep = timedelta(days=keep_days)
        self._lock = threading.Lock()
        self.location = "memory"
        self._db = self._open(path)

    def _open(self, path: Path | None) -> sqlite3.Connection:
        if path is not None:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(str(path), check_same_thread=False, timeout=5.0)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=FULL")
                db.execute(_SCHEMA)
                db.commit()
                self.location = str(path)
                return db
            except (OSError, sqlite3.Error) as e:
                log.warning("air history %s is unusable (%s); keeping history in memory", path, e)
        db = sqlite3.connect(":memory:", check_same_thread=False)
        db.execute(_SCHEMA)
        return db

    def append(self, readings: Iterable[AirReading], now: datetime) -> int:
        """Store readings not stored yet; drop those older than the retention. Returns how many were new."""
        rows = [
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
            try:
                with self._db:  # one transaction
                    before = self._db.total_changes
                    self._db.executemany(
                        "INSERT OR IGNORE INTO air_readings VALUES (?,?,?,?,?,?,?,?,?,?,?)", rows
                    )
                    added = self._db.total_changes - before
                    self._db.execute("DELETE FROM air_readings WHERE measured_ts < ?", (cutoff,))
                return added
            except sqlite3.Error as e:
                log.warning("air history: cannot store readings (%s)", e)
                return 0

    def history(self, district: str, since: datetime) -> tuple[AirReading, ...]:
        """The district's readings measured at or after ``since``, oldest first."""
        with self._lock:
            try:
                cur = self._db.execute(
                    "SELECT district, region, measured_at, pm10, pm25, cai, cai_grade, main_pollutant, o3, no2 "
                    "FROM air_readings WHERE district = ? AND measured_ts >= ? ORDER BY measured_ts",
                    (district, since.timestamp()),
                )
                rows = cur.fetchall()
            except sqlite3.Error as e:
                log.warning("air history: cannot read (%s)", e)
                return ()
        return tuple(
            AirReading(
                district=d,
                region=region,
                measured_at=datetime.fromisoformat(at),
                pm10=pm10,
                pm25=pm25,
                cai=cai,
                cai_grade=grade,
                main_pollutant=main,
                o3=o3,
                no2=no2,
            )
            for d, region, at, pm10, pm25, cai, grade, main, o3, no2 in rows
        )

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
