"""What a hostile or broken server can no longer do (issue 11, findings 5, 8, 9), against the real
session and the real local HTTP server: a gzip bomb or a 30 MB body (refused, memory bounded,
nothing stored), bytes dribbled to stay under the timeout (a deadline per request and per fetch),
Retry-After: 0 (the backoff still holds) and redirects (never followed, the key never sent on)."""

from __future__ import annotations

import json
import time
import tracemalloc
import zlib
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.models import FeedStatus
from kiosk.core.timeutil import KST
from kiosk.errors import TransportError
from kiosk.poller import http
from kiosk.poller.service import Poller
from kiosk.poller.session import KioskSession, build_session
from tests.httpserver import (
    BUS_KEY,
    FakeClock,
    LocalServer,
    Reply,
    SeoulApi,
    kiosk_config,
)

KEY = "Sk3yPathSecret0123456789abcd"
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=KST)
GOOD = json.dumps({"ok": True, "rows": [1, 2, 3]}).encode()
MiB = 1024 * 1024
SUBWAY_KEY, OPEN_KEY = "SubwayKey-0123456789abcdef", "OpenKey-fedcba9876543210"
ENV = {"SEOUL_SUBWAY_API_KEY": SUBWAY_KEY, "SEOUL_API_KEY": OPEN_KEY, "SEOUL_BUS_API_KEY": BUS_KEY}


def gzip_bomb(decoded_mib: int) -> bytes:
    """A gzip stream of ``decoded_mib`` MiB of zeros (about a thousandth of that on the wire)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * MiB
    return b"".join(z.compress(block) for _ in range(decoded_mib)) + z.flush()


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


@pytest.fixture
def session(tmp_path: Path) -> Iterator[KioskSession]:
    ks = build_session(tmp_path / "cache" / "http.sqlite", [KEY])
    yield ks
    ks.close()


def url(server: LocalServer, name: str = "svc") -> str:
    return f"{server.url}/api/{KEY}/json/{name}/1/5/"


def get(ks: KioskSession, u: str, now: datetime = T0, **kw: object) -> http.Body:
    kw.setdefault("timeout", 2.0)
    return http.get(ks, u, now=now, expire_after=0, accept=lambda b: b"ok" in b, **kw)  # type: ignore[arg-type]


# --- 5: sizes ------------------------------------------------------------------------------


def test_a_gzip_bomb_is_refused_reading_no_more_than_the_limit(
    server: LocalServer, session: KioskSession
) -> None:
    bomb = gzip_bomb(200)
    assert len(bomb) < 400 * 1024  # ~200 KB on the wire, 200 MiB unpacked
    server.route("/svc/", Reply(GOOD), Reply(bomb, headers={"Content-Encoding": "gzip"}))
    get(session, url(server), max_bytes=MiB)
    tracemalloc.start()
    try:
        body = get(session, url(server), T0 + timedelta(minutes=1), max_bytes=MiB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 * MiB  # a few chunks of 64 KiB, never the 200 MiB
    assert body.from_cache and body.content == GOOD  # the last good answer stands in
    assert (
        body.fallback_error == f"the answer from 127.0.0.1:{server.port} is over 1024 KiB: refused"
    )
    assert session.cached(url(server)).content == GOOD  # type: ignore[union-attr]


def test_a_30_mb_body_is_refused_whether_its_length_is_declared_or_not(
    server: LocalServer, session: KioskSession
) -> None:
    big = b'{"ok": true, "pad": "' + b"x" * (30 * MiB) + b'"}'
    server.route("/declared/", Reply(big))
    server.route("/undeclared/", Reply(big, no_length=True))
    for name in ("declared", "undeclared"):
        with pytest.raises(TransportError, match=r"is over 2048 KiB: refused"):
            get(session, url(server, name), max_bytes=2 * MiB)
        assert session.cached(url(server, name)) is None  # nothing stored


def test_a_source_refuses_a_bomb_and_keeps_its_last_good_data(tmp_path: Path) -> None:
    clock = FakeClock(T0)
    with SeoulApi(SUBWAY_KEY, OPEN_KEY, clock.now) as api:
        poller = Poller(kiosk_config(api, tmp_path, cache_expiry={"air": 0}), env=ENV)
        try:
            good = poller.coordinators["air"].refresh(T0)
            assert good.status is FeedStatus.OK
            api.fail("air", Reply(gzip_bomb(64), headers={"Content-Encoding": "gzip"}))
            snap = poller.coordinators["air"].refresh(clock.advance(600))
            assert snap.error == f"the answer from 127.0.0.1:{api.port} is over 512 KiB: refused"
            assert snap.items == good.items and snap.fetched_at == T0  # shown with its age
        finally:
            poller.close()


# --- 8: deadlines ---------------------------------------------------------------------------


@pytest.mark.parametrize("head", [False, True], ids=["body", "headers"])
def test_a_server_dribbling_bytes_is_cut_at_the_request_deadline(
    server: LocalServer, session: KioskSession, head: bool
) -> None:
    # One byte every 0.2 s never trips the 2 s timeout; without a deadline this takes a minute.
    server.route("/svc/", Reply(GOOD + b" " * 300, dribble_s=0.2, dribble_head=head))
    t0 = time.monotonic()
    with pytest.raises(TransportError) as info:
        get(session, url(server), deadline_s=1.0)
    assert time.monotonic() - t0 < 3.0
    assert info.value.one_line() == (
        f"no complete answer from 127.0.0.1:{server.port} within 1 s (deadline)"
    )
    server.route("/svc/", Reply(GOOD))  # the next request is not harmed by the cut one
    assert get(session, url(server), deadline_s=1.0).content == GOOD


def test_a_refresh_of_several_pages_ends_at_the_fetch_deadline(tmp_path: Path) -> None:
    clock = FakeClock(T0)
    with SeoulApi(SUBWAY_KEY, OPEN_KEY, clock.now) as api:
        cfg = kiosk_config(
            api,
            tmp_path,
            timeout=5,
            request_deadline=5,
            fetch_deadline=2,
            cache_expiry={"bikes": 0},
        )
        poller = Poller(cfg, env=ENV)
        try:
            assert poller.coordinators["bikes"].refresh(T0).status is FeedStatus.OK
            # Each page of bikeList now takes 1.5 s: under the timeout and the request deadline.
            api.fail("bikes", lambda path: replace(api._openapi(path), delay_s=1.5))
            t0 = time.monotonic()
            snap = poller.coordinators["bikes"].refresh(clock.advance(600))
            took = time.monotonic() - t0
        finally:
            poller.close()
    assert took < 3.5  # three pages would take 4.5 s
    assert snap.status in (FeedStatus.ERROR, FeedStatus.STALE)  # 10 min old: stale by now
    assert "(deadline)" in (snap.error or "")
    assert len(snap.items) == 5  # the stored pages stood in for the rest


# --- 9: Retry-After and redirects -----------------------------------------------------------


def test_retry_after_zero_does_not_make_every_tick_a_call(tmp_path: Path) -> None:
    clock = FakeClock(T0)
    with SeoulApi(SUBWAY_KEY, OPEN_KEY, clock.now) as api:
        api.fail("air", Reply(b"busy", status=503, headers={"Retry-After": "0"}))
        poller = Poller(kiosk_config(api, tmp_path), env=ENV)
        try:
            air = poller.coordinators["air"]
            for _ in range(int(8 * 3600 / 30)):  # eight hours of 30 s ticks
                air.tick(clock.advance(30))
        finally:
            poller.close()
        # The backoff (30 s doubling to 15 min) holds: ~40 calls, not one per tick (960).
        assert api.hits("RealtimeCityAir") <= 45


def test_a_redirect_is_not_followed_and_the_key_goes_nowhere_else(
    server: LocalServer, session: KioskSession
) -> None:
    with LocalServer() as elsewhere:
        elsewhere.route(".", Reply(GOOD))
        target = f"{elsewhere.url}/steal/{KEY}/json/svc/1/5/"
        server.route("/svc/", Reply(b"", status=302, headers={"Location": target}))
        with pytest.raises(TransportError) as info:
            get(session, url(server))
        assert elsewhere.paths == []  # the key never went there
    message = info.value.one_line()
    assert message == (
        f"HTTP 302 from 127.0.0.1:{server.port}: redirect to 127.0.0.1:{elsewhere.port} not followed"
    )
    assert KEY not in message


def test_a_redirect_loop_costs_one_counted_call(server: LocalServer, session: KioskSession) -> None:
    server.route("/svc/", lambda path: Reply(b"", status=301, headers={"Location": path}))
    with pytest.raises(TransportError, match="redirect not followed"):
        get(session, url(server))
    assert server.hits("/svc/") == 1 and session.trace.sent == 1
