"""The HTTP cache file when it fails (issue 11, findings 1-3): a real SQLite file damaged on disk
before start and while the kiosk runs, a real tmpfs filled to ENOSPC and remounted read-only,
and the real session in front of the real local HTTP server."""

from __future__ import annotations

import json
import logging
import os
import random
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.timeutil import KST
from kiosk.errors import TransportError
from kiosk.poller import http, sqlite_files
from kiosk.poller.session import KioskSession, build_session
from kiosk.poller.sqlite_files import RETRY_S
from tests.httpserver import LocalServer, Reply
from tests.redis_server import FakeMonotonic
from tests.small_disk import SmallDisk

KEY = "Sk3yPathSecret0123456789abcd"
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=KST)


def body(i: int, size: int = 20_000) -> bytes:
    return json.dumps({"ok": True, "n": i, "pad": "x" * size}).encode()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        s.route(r"/svc(\d+)/", lambda path: Reply(body(int(path.split("/svc")[1].split("/")[0]))))
        yield s


def url(server: LocalServer, i: int) -> str:
    return f"{server.url}/api/{KEY}/json/svc{i}/1/5/"


def get(ks: KioskSession, u: str, now: datetime) -> http.Body:
    return http.get(ks, u, now=now, expire_after=0, timeout=2, accept=lambda b: b"ok" in b)


def seed(path: Path, server: LocalServer, n: int) -> None:
    ks = build_session(path, [KEY])
    try:
        for i in range(n):
            get(ks, url(server, i), T0)
    finally:
        ks.close()


def damage(path: Path, offset: int = 4096, length: int = 4096 * 64) -> None:
    """Random bytes over the file's pages after the header page (what `dd` does)."""
    size = path.stat().st_size
    rnd = random.Random(1)
    with open(path, "r+b") as f:
        f.seek(offset)
        f.write(bytes(rnd.randrange(256) for _ in range(min(length, size - offset))))


def asides(folder: Path) -> list[str]:
    """The damaged copies kept (each with its -wal, if it had one)."""
    return sorted(
        p.name for p in folder.iterdir() if ".corrupt" in p.name and not p.name.endswith("-wal")
    )


def test_a_cache_damaged_before_start_is_moved_aside_and_a_fresh_one_used(
    tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "cache" / "http.sqlite"
    seed(path, server, 20)
    damage(path)
    ks = build_session(path, [KEY])
    try:
        assert asides(path.parent) == ["http.sqlite.corrupt"]
        assert ks.location == str(path)
        assert ks.problem is not None and "was damaged" in ks.problem
        got = get(ks, url(server, 3), T0 + timedelta(minutes=1))
        assert not got.from_cache and ks.cached(url(server, 3)) is not None  # stored again
    finally:
        ks.close()
    ks = build_session(path, [KEY])  # the fresh file is sound: nothing more moved aside
    try:
        assert asides(path.parent) == ["http.sqlite.corrupt"] and ks.problem is None
        assert ks.cached(url(server, 3)) is not None
    finally:
        ks.close()


@pytest.fixture
def tiny_page_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    # SQLite keeps the pages it read in memory and would not see damage done under them; with
    # the smallest page cache every read and write goes to the disk, where the damage is.
    monkeypatch.setattr(sqlite_files, "CACHE_KIB", 1)


@pytest.mark.usefixtures("tiny_page_cache")
def test_damage_met_on_a_read_while_running_replaces_the_file(
    tmp_path: Path, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "cache" / "http.sqlite"
    seed(path, server, 40)
    ks = build_session(path, [KEY])
    try:
        assert ks.problem is None
        damage(path)
        server.down()
        results = []
        for i in range(40):
            try:
                results.append(get(ks, url(server, i), T0 + timedelta(minutes=1)).content)
            except TransportError:
                results.append(None)
        assert asides(path.parent) == ["http.sqlite.corrupt"]
        assert "is damaged" in caplog.text and ks.location == str(path)
        server.up()
        get(ks, url(server, 7), T0 + timedelta(minutes=2))
        assert ks.cached(url(server, 7)) is not None  # the fresh file takes answers
        # Answers that still read came along; the others are gone, never garbage.
        assert all(r is None or json.loads(r)["ok"] for r in results)
    finally:
        ks.close()
    assert json.loads(sqlite_cached(path, server, 7))["n"] == 7


def sqlite_cached(path: Path, server: LocalServer, i: int) -> bytes:
    ks = build_session(path, [KEY])
    try:
        cached = ks.cached(url(server, i))
        assert cached is not None
        return cached.content
    finally:
        ks.close()


@pytest.mark.usefixtures("tiny_page_cache")
def test_damage_met_on_a_write_while_running_replaces_the_file(
    tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "cache" / "http.sqlite"
    seed(path, server, 40)
    ks = build_session(path, [KEY])
    try:
        damage(path, offset=4096, length=path.stat().st_size)
        for i in range(40, 50):  # new answers: every write must find its place in the tree
            get(ks, url(server, i), T0 + timedelta(minutes=1))
        assert asides(path.parent) == ["http.sqlite.corrupt"]
        assert ks.cached(url(server, 49)) is not None
    finally:
        ks.close()
    assert json.loads(sqlite_cached(path, server, 49))["n"] == 49


def test_an_earlier_damaged_copy_is_never_overwritten(tmp_path: Path, server: LocalServer) -> None:
    path = tmp_path / "cache" / "http.sqlite"
    path.parent.mkdir()
    (path.parent / "http.sqlite.corrupt").write_bytes(b"the first damaged copy")
    for expected in (
        ["http.sqlite.corrupt", "http.sqlite.corrupt.2"],
        ["http.sqlite.corrupt", "http.sqlite.corrupt.2", "http.sqlite.corrupt.3"],
    ):
        path.write_bytes(b"not a database at all" * 300)
        build_session(path, [KEY]).close()
        assert asides(path.parent) == expected
    assert (path.parent / "http.sqlite.corrupt").read_bytes() == b"the first damaged copy"


def test_a_full_disk_is_not_damage_the_file_is_kept_and_answers_go_to_memory(
    tmp_path: Path, server: LocalServer, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="kiosk.poller.cache_file")
    clock = FakeMonotonic()
    with SmallDisk(tmp_path / "disk", kib=1024) as disk:
        path = disk.path / "cache" / "http.sqlite"
        seed(path, server, 5)
        ks = build_session(path, [KEY], monotonic=clock)
        try:
            disk.fill()
            for i in range(5, 15):  # new answers, more than the file could take
                get(ks, url(server, i), T0 + timedelta(minutes=1))
            assert asides(path.parent) == [] and path.stat().st_size > 0
            assert ks.problem is not None and "new answers kept in memory" in ks.problem
            # Every answer is still served: the old ones from the file, the new from memory.
            for i in range(15):
                assert json.loads(ks.cached(url(server, i)).content)["n"] == i  # type: ignore[union-attr]
            warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
            assert len(warnings) == 1  # once for the state, not once per answer
            disk.free()
            get(ks, url(server, 15), T0 + timedelta(minutes=2))  # too early: memory still
            assert ks.problem is not None
            clock.t += RETRY_S
            get(ks, url(server, 16), T0 + timedelta(minutes=3))
            assert ks.problem is None and "writable again" in caplog.text
        finally:
            ks.close()
        for i in range(17):  # what memory held went into the file
            assert json.loads(sqlite_cached(path, server, i))["n"] == i


def test_starting_on_a_full_disk_keeps_earlier_copies_and_runs_in_memory(
    tmp_path: Path, server: LocalServer
) -> None:
    with SmallDisk(tmp_path / "disk", kib=256) as disk:
        folder = disk.path / "cache"
        folder.mkdir()
        (folder / "http.sqlite.corrupt").write_bytes(b"an earlier damaged copy")
        disk.fill()
        for _ in range(2):  # the first start, then the restart after it
            ks = build_session(folder / "http.sqlite", [KEY])
            try:
                assert get(ks, url(server, 1), T0).content == body(1)
                assert ks.cached(url(server, 1)) is not None  # served from memory
                assert ks.problem is not None and ks.location == "memory"
            finally:
                ks.close()
            assert asides(folder) == ["http.sqlite.corrupt"]
            assert (folder / "http.sqlite.corrupt").read_bytes() == b"an earlier damaged copy"


def test_a_read_only_cache_folder_still_serves_the_last_good_answers(
    tmp_path: Path, server: LocalServer
) -> None:
    with SmallDisk(tmp_path / "disk", kib=1024) as disk:
        path = disk.path / "http.sqlite"
        seed(path, server, 3)
        disk.read_only()
        ks = build_session(path, [KEY])
        try:
            assert ks.location == f"{path} (read-only)"
            assert ks.problem is not None and "cannot be written" in ks.problem
            server.down()
            got = get(ks, url(server, 2), T0 + timedelta(hours=1))
            assert got.from_cache and got.fetched_at == T0 and got.fallback_error
            assert json.loads(got.content)["n"] == 2
            server.up()
            get(ks, url(server, 9), T0 + timedelta(hours=2))
            assert json.loads(ks.cached(url(server, 9)).content)["n"] == 9  # type: ignore[union-attr]
        finally:
            ks.close()
        assert os.listdir(disk.path) == ["http.sqlite"]


def test_a_cache_file_written_by_requests_caches_sqlitecache_is_read_as_it_is(
    tmp_path: Path, server: LocalServer
) -> None:
    # Kiosks in the field have caches written by SQLiteCache: the upgrade must keep them.
    import requests
    from requests_cache import CachedSession, SQLiteCache

    from kiosk.ops.redact import Redactor
    from kiosk.poller.session import masked_key_fn, scrubbing_serializer

    path = tmp_path / "cache" / "http.sqlite"
    path.parent.mkdir()
    red = Redactor([KEY])
    old = CachedSession(
        backend=SQLiteCache(path, serializer=scrubbing_serializer(red), wal=True),
        key_fn=masked_key_fn(red),
        read_only=True,
    )
    response = requests.get(url(server, 4), timeout=5)
    old.cache.save_response(response, cache_key=old.cache.create_key(response.request))
    old.close()
    ks = build_session(path, [KEY])
    try:
        assert ks.problem is None
        assert json.loads(ks.cached(url(server, 4)).content)["n"] == 4  # type: ignore[union-attr]
    finally:
        ks.close()
