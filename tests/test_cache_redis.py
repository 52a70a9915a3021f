"""The HTTP cache on a station's real redis-server (requests-cache's RedisCache through the
kiosk's session): answers shared between screens, a copy kept in each screen's SQLite file,
that file standing in while Redis is away and Redis used again when it is back, and nothing
secret in any Redis key or value."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote, quote_plus

import pytest

from kiosk.core.timeutil import KST
from kiosk.poller import http
from kiosk.poller.cache_backend import NAMESPACE, SharedCache
from kiosk.poller.cache_file import FileCache
from kiosk.poller.redis_link import RedisLink, parse_target
from kiosk.poller.session import KioskSession, build_session
from tests.httpserver import LocalServer, Reply
from tests.redis_server import FakeMonotonic, RedisServer

KEY = "BUSKEY+fleet/0123456789abcd=="  # data.go.kr keys carry + / =
PASSWORD = "station-redis-pass-0123456789"
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=KST)


def body(n: int) -> bytes:
    # An accepted answer that quotes the key, as some error pages and echoes do.
    return json.dumps({"ok": True, "n": n, "echo": f"/api/{KEY}/json"}).encode()


def stored(n: int) -> bytes:
    """``body(n)`` as the cache keeps it: the key masked."""
    return body(n).replace(KEY.encode(), b"****")


def accept(content: bytes) -> bool:
    try:
        return bool(json.loads(content).get("ok"))
    except ValueError:
        return False


class Api:
    """A local server answering ``body(n)`` for the n-th request."""

    def __init__(self) -> None:
        self.server = LocalServer().start()
        self.n = 0
        self.server.route(r"^/api/", self._answer)

    def _answer(self, path: str) -> Reply:
        self.n += 1
        return Reply(body(self.n))

    @property
    def url(self) -> str:
        return f"{self.server.url}/api/{quote(KEY, safe='')}/json/svc/1/5/"


@pytest.fixture
def redis_srv(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path, password=PASSWORD) as srv:
        yield srv


@pytest.fixture
def api() -> Iterator[Api]:
    a = Api()
    yield a
    a.server.stop()


class Screen:
    """One kiosk's session: its own SQLite file, its own link (retry clock moved by the test)."""

    def __init__(self, srv: RedisServer, folder: Path):
        self.mono = FakeMonotonic()
        target = parse_target(f"redis://:{PASSWORD}@127.0.0.1:{srv.port}/0")
        self.link = RedisLink(target, monotonic=self.mono)
        self.file = folder / "http.sqlite"
        self.ks = build_session(self.file, [KEY, *target.secrets()], link=self.link)

    def get(self, url: str, now: datetime) -> http.Body:
        return http.get(self.ks, url, now=now, expire_after=20, timeout=2, accept=accept)

    def local_bodies(self) -> list[bytes]:
        """The answers in this screen's own SQLite file (read with requests-cache itself)."""
        local = self.ks.cache.local if isinstance(self.ks.cache, SharedCache) else self.ks.cache
        return [r.content for r in local.responses.values() if r is not None]

    def close(self) -> None:
        self.ks.close()
        self.link.close()


@pytest.fixture
def screens(redis_srv: RedisServer, tmp_path: Path) -> Iterator[tuple[Screen, Screen]]:
    a, b = Screen(redis_srv, tmp_path / "a"), Screen(redis_srv, tmp_path / "b")
    yield a, b
    a.close()
    b.close()


def http_keys(srv: RedisServer) -> list[bytes]:
    return [k for k, _ in srv.dump() if k.startswith(NAMESPACE.encode() + b":")]


def test_one_screens_answer_serves_the_others_and_each_keeps_a_copy(
    api: Api, redis_srv: RedisServer, screens: tuple[Screen, Screen]
) -> None:
    a, b = screens
    first = a.get(api.url, T0)
    assert not first.from_cache and api.n == 1
    assert len(http_keys(redis_srv)) == 1
    ttl = redis_srv.client().ttl(http_keys(redis_srv)[0])
    assert 29 * 86400 < ttl <= 30 * 86400  # an answer nobody refreshes leaves Redis by itself

    got = b.get(api.url, T0 + timedelta(seconds=5))  # the other screen: no call of its own
    assert got.from_cache and got.content == stored(1) and api.n == 1
    assert got.fetched_at == T0  # its true age, from the screen that called
    assert a.local_bodies() == [stored(1)]
    assert b.local_bodies() == [stored(1)]  # copied into b's file the first time b read it


def test_no_key_or_password_in_any_redis_key_or_value(
    api: Api, redis_srv: RedisServer, screens: tuple[Screen, Screen]
) -> None:
    a, b = screens
    a.get(api.url, T0)
    b.get(api.url, T0 + timedelta(seconds=30))  # expired: b calls and stores too
    assert api.n == 2
    dump = redis_srv.dump()
    assert dump, "nothing was written to Redis"
    blob = b"\n".join(k + b"\x00" + v for k, v in dump)
    for secret in (KEY, quote(KEY, safe=""), quote(KEY), quote_plus(KEY), PASSWORD):
        assert secret.encode() not in blob, secret
    assert b"****" in blob  # the echoed key was masked, not dropped with the answer


def test_a_damaged_local_file_does_not_cost_the_shared_answer(
    api: Api, screens: tuple[Screen, Screen], caplog: pytest.LogCaptureFixture
) -> None:
    a, b = screens
    a.get(api.url, T0)
    assert isinstance(b.ks.cache, SharedCache)
    b.ks.cache.local.close()  # its connection is opened again on the next use, on what is there
    for path in b.file.parent.glob("http.sqlite*"):  # a power cut on an SD card
        path.write_bytes(b"\x00garbage" * 4096)
    for n in (5, 6):
        got = b.get(api.url, T0 + timedelta(seconds=n))
        assert got.from_cache and got.content == stored(1) and api.n == 1
    said = [r for r in caplog.records if "cannot keep a local copy" in r.getMessage()]
    assert len(said) == 1  # once, not once per read


def test_redis_away_the_local_copy_stands_in_and_redis_is_used_again_when_back(
    api: Api, redis_srv: RedisServer, screens: tuple[Screen, Screen]
) -> None:
    a, b = screens
    a.get(api.url, T0)
    b.get(api.url, T0 + timedelta(seconds=1))  # b has a's answer in its file now
    redis_srv.stop()

    # Reads: from the file, at once (the link is down without waiting on the network again).
    seen = http.peek(b.ks, api.url, T0 + timedelta(seconds=2))
    assert seen is not None and seen.content == stored(1) and b.link.up is False
    # A refresh after expiry: b calls itself and keeps the answer in its file.
    fresh = b.get(api.url, T0 + timedelta(seconds=40))
    assert not fresh.from_cache and fresh.content == body(2)
    assert stored(2) in b.local_bodies()
    assert b.get(api.url, T0 + timedelta(seconds=45)).content == stored(2)  # from the file

    redis_srv.start()  # back, empty (no append-only file in this test)
    for s in (a, b):
        s.mono.t += 60  # past the link's retry delay: the next command is the probe
    # A key Redis does not have is read from the file: never blank.
    assert http.peek(b.ks, api.url, T0 + timedelta(seconds=50)).content == stored(2)
    assert b.link.up is True
    third = b.get(api.url, T0 + timedelta(seconds=80))  # stored in Redis again
    assert third.content == body(3) and len(http_keys(redis_srv)) == 1
    shared = a.get(api.url, T0 + timedelta(seconds=85))
    assert shared.from_cache and shared.content == stored(3) and api.n == 3


def test_unreachable_at_start_the_file_alone_serves(api: Api, tmp_path: Path) -> None:
    srv = RedisServer(tmp_path)  # never started: its port refuses
    s = Screen(srv, tmp_path / "s")
    try:
        assert not s.get(api.url, T0).from_cache
        assert s.get(api.url, T0 + timedelta(seconds=5)).from_cache and api.n == 1
        assert s.link.up is False and s.local_bodies() == [stored(1)]
    finally:
        s.close()


def test_without_cache_url_the_cache_is_the_sqlite_file_alone(api: Api, tmp_path: Path) -> None:
    ks: KioskSession = build_session(tmp_path / "http.sqlite", [KEY])
    try:
        assert isinstance(ks.cache, FileCache)  # the local file alone: no shared layer
        http.get(ks, api.url, now=T0, expire_after=20, timeout=2, accept=accept)
    finally:
        ks.close()
    with sqlite3.connect(tmp_path / "http.sqlite") as db:
        assert db.execute("select count(*) from responses").fetchone() == (1,)
