"""The air history file when it fails (issue 11, finding 3): damaged before start and while
running, on a real tmpfs that fills up or turns read-only. The chart's readings are never lost
while the process runs, and reach the file once it can take them."""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.models import AirReading
from kiosk.core.timeutil import KST
from kiosk.poller import sqlite_files
from kiosk.poller.history import AirHistory
from kiosk.poller.sqlite_files import RETRY_S
from tests.redis_server import FakeMonotonic
from tests.small_disk import SmallDisk

T0 = datetime(2026, 11, 23, 12, 0, tzinfo=KST)


def reading(hour: int) -> AirReading:
    return AirReading("영등포구", "서남권", T0 + timedelta(hours=hour), 30.0 + hour, 12.0)


def hours(store: AirHistory) -> list[int]:
    rows = store.history("영등포구", T0 - timedelta(days=1))
    return [int((r.measured_at - T0).total_seconds() // 3600) for r in rows]


def fill_file(path: Path, n: int) -> None:
    store = AirHistory(path)
    for h in range(n):
        store.append([reading(h)], T0 + timedelta(hours=h))
    store.close()


def damage(path: Path) -> None:
    rnd = random.Random(2)
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(4096)
        f.write(bytes(rnd.randrange(256) for _ in range(size - 4096)))


def test_a_damaged_history_file_is_moved_aside_and_replaced(tmp_path: Path) -> None:
    path = tmp_path / "air-history.sqlite"
    fill_file(path, 40)
    damage(path)
    (tmp_path / "air-history.sqlite.corrupt").write_bytes(b"an earlier damaged copy")
    store = AirHistory(path)
    try:
        assert store.location == str(path)
        assert (tmp_path / "air-history.sqlite.corrupt").read_bytes() == b"an earlier damaged copy"
        assert (tmp_path / "air-history.sqlite.corrupt.2").is_file()
        store.append([reading(50)], T0 + timedelta(hours=50))
        assert 50 in hours(store)
    finally:
        store.close()
    reopened = AirHistory(path)
    try:
        assert 50 in hours(reopened)  # the fresh file holds what came after
    finally:
        reopened.close()


def test_damage_met_while_running_keeps_the_readings_and_replaces_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(sqlite_files, "CACHE_KIB", 1)  # every write reads its pages from disk
    path = tmp_path / "air-history.sqlite"
    fill_file(path, 60)
    store = AirHistory(path)
    try:
        damage(path)
        for h in range(60, 70):
            store.append([reading(h)], T0 + timedelta(hours=h))
        assert "is damaged" in caplog.text
        assert (tmp_path / "air-history.sqlite.corrupt").is_file()
        assert hours(store)[-10:] == list(range(60, 70))  # nothing the chart had is lost
        assert store.location == str(path)
    finally:
        store.close()
    reopened = AirHistory(path)
    try:
        assert hours(reopened)[-10:] == list(range(60, 70))  # memory went into the fresh file
    finally:
        reopened.close()


def test_a_full_disk_keeps_readings_in_memory_and_writes_them_later(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = FakeMonotonic()
    with SmallDisk(tmp_path / "disk", kib=256) as disk:
        path = disk.path / "air-history.sqlite"
        fill_file(path, 3)
        store = AirHistory(path, monotonic=clock)
        try:
            disk.fill()
            for h in range(3, 200):  # far more than the disk could take
                store.append([reading(h)], T0 + timedelta(hours=3))
            assert hours(store) == list(range(200))
            assert store.problem is not None and "cannot write" in store.problem
            assert not list(disk.path.glob("*.corrupt*"))
            warned = [r for r in caplog.records if r.levelno >= logging.WARNING]
            assert len(warned) == 1
            disk.free()
            clock.t += RETRY_S
            store.append([reading(200)], T0 + timedelta(hours=3))
            assert store.problem is None and store.location == str(path)
        finally:
            store.close()
        reopened = AirHistory(path)
        try:
            assert hours(reopened) == list(range(201))
        finally:
            reopened.close()


def test_a_read_only_folder_still_shows_the_kept_readings(tmp_path: Path) -> None:
    with SmallDisk(tmp_path / "disk", kib=512) as disk:
        path = disk.path / "air-history.sqlite"
        fill_file(path, 5)
        disk.read_only()
        store = AirHistory(path)
        try:
            assert hours(store) == [0, 1, 2, 3, 4]
            store.append([reading(5)], T0 + timedelta(hours=5))
            assert hours(store) == [0, 1, 2, 3, 4, 5] and store.location == "memory"
        finally:
            store.close()
