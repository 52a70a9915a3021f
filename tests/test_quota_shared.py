"""Quota ledgers shared by a station's screens in a real redis-server: counts add up atomically,
an ERROR-337 block is shared, a new key starts afresh, no key ever reaches Redis, and with
Redis gone each screen goes on with its share of the budget and rejoins by itself."""

from __future__ import annotations

import logging
import threading
import time as time_module
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from kiosk.core.budget import DEFAULT_RUSH, BudgetPlan, Window, next_reset
from kiosk.core.timeutil import KST
from kiosk.poller.fingerprint import fingerprint
from kiosk.poller.pacing import BudgetPacer, QuotaLedger
from kiosk.poller.redis_link import RedisLink, parse_target
from tests.redis_server import FakeMonotonic, RedisServer, free_port

T0 = datetime(2026, 11, 23, 13, 0, tzinfo=KST)  # a Monday, 13:00 KST
KEY_A = "SubwayKeyA-0123456789abcdef"
KEY_B = "SubwayKeyB-fedcba9876543210"
PLAN = BudgetPlan(1000, Window(time(5, 0), time(1, 0)), DEFAULT_RUSH, 2.0, 50, 20.0)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path, persist=True) as srv:
        yield srv


class Screen:
    """One kiosk's ledger: its own link (connection pool), its own state folder."""

    def __init__(self, url: str, folder: Path, key: str = KEY_A, fleet: int = 4) -> None:
        self.mono = FakeMonotonic()
        self.link = RedisLink(parse_target(url), monotonic=self.mono)
        folder.mkdir(parents=True, exist_ok=True)
        self.ledger = QuotaLedger(
            "subway", PLAN, folder / "quota-subway.json", key=key, link=self.link, fleet_size=fleet
        )


def test_screens_share_one_count_and_a_block(server: RedisServer, tmp_path: Path) -> None:
    a, b = Screen(server.url, tmp_path / "a"), Screen(server.url, tmp_path / "b")
    a.ledger.record_calls(3, T0)
    b.ledger.record_calls(4, T0 + timedelta(seconds=1))
    later = T0 + timedelta(seconds=10)
    assert a.ledger.state(later).used == b.ledger.state(later).used == 7
    assert a.ledger.sharing is True and a.ledger.plan == PLAN  # the whole budget, shared
    r = server.client()
    used_key = f"kiosk:quota:subway:{fingerprint(KEY_A)}:used:2026-11-23"
    assert r.get(used_key) == b"7"
    to_midnight = (next_reset(T0) - T0).total_seconds()
    assert to_midnight - 30 < r.ttl(used_key) <= to_midnight  # gone at the next midnight KST

    b.ledger.exhausted(later)  # one screen got ERROR-337: none of them calls until midnight
    reason = "daily quota exceeded; no calls until 00:00 KST"
    assert a.ledger.quota_block(later + timedelta(seconds=5)) == reason
    assert BudgetPacer(a.ledger).interval_s(later + timedelta(seconds=5)) is None
    block_ttl = r.ttl(f"kiosk:quota:subway:{fingerprint(KEY_A)}:blocked")
    assert to_midnight - 30 < block_ttl <= to_midnight


def test_counts_from_many_screens_at_once_add_up_exactly(server, tmp_path) -> None:
    screens = [Screen(server.url, tmp_path / str(i)) for i in range(4)]
    barrier = threading.Barrier(len(screens))

    def count(s: Screen) -> None:
        barrier.wait(timeout=30)
        for i in range(50):
            s.ledger.record_calls(1, T0 + timedelta(milliseconds=i))

    threads = [threading.Thread(target=count, args=(s,)) for s in screens]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert screens[0].ledger.state(T0 + timedelta(minutes=1)).used == 200
    assert sum(s.ledger.calls_made for s in screens) == 200


def test_a_new_key_starts_a_fresh_shared_count(server: RedisServer, tmp_path: Path) -> None:
    Screen(server.url, tmp_path / "a").ledger.record_calls(40, T0)
    fresh = Screen(server.url, tmp_path / "b", key=KEY_B).ledger
    assert fresh.state(T0).used == 0 and fresh.quota_block(T0) is None


def test_no_api_key_is_ever_written_to_redis(server: RedisServer, tmp_path: Path) -> None:
    for key in (KEY_A, KEY_B):
        s = Screen(server.url, tmp_path / key[:10], key=key)
        s.ledger.record_calls(5, T0)
        s.ledger.exhausted(T0 + timedelta(minutes=1))
        s.ledger.state(T0 + timedelta(minutes=2))
    dump = server.dump()
    assert len(dump) == 4
    for name, value in dump:
        text = (name + b" " + value).decode()
        for key in (KEY_A, KEY_B):
            for form in (key, quote(key, safe=""), key.lower(), key[:12]):
                assert form not in text, (name, value)
    assert {n.decode().split(":")[3] for n, _ in dump} == {fingerprint(KEY_A), fingerprint(KEY_B)}


def test_redis_lost_mid_run_the_screen_goes_on_with_its_share_and_rejoins(
    server: RedisServer, tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.INFO)
    a, b = Screen(server.url, tmp_path / "a"), Screen(server.url, tmp_path / "b")
    a.ledger.record_calls(200, T0)  # the fleet spent 200 of 1,000 this morning
    assert b.ledger.state(T0).used == 200
    server.stop()

    t = T0 + timedelta(minutes=1)
    b.ledger.record_calls(1, t)  # must not raise, must not wait
    assert b.ledger.sharing is False
    # 1/4 of the budget (250, 12 in reserve), less 1/4 of what the fleet had spent (50).
    assert b.ledger.plan.daily_calls == 250 and b.ledger.plan.spendable == 238
    assert b.ledger.state(t).used == 51 and b.ledger.remaining(t) == 187
    for i in range(9):  # more calls while Redis is gone: counted locally, no more log lines
        b.ledger.record_calls(1, t + timedelta(seconds=i))
    assert b.ledger.state(t + timedelta(seconds=10)).used == 60
    assert BudgetPacer(b.ledger).interval_s(t + timedelta(seconds=10)) is not None

    server.start()
    b.mono.t += 60  # the retry delay has passed: the next operation is the probe
    back = t + timedelta(minutes=2)
    assert b.ledger.state(back).used == 210  # the 10 calls made meanwhile were added
    assert b.ledger.sharing is True and b.ledger.plan == PLAN
    a.mono.t += 60
    assert a.ledger.state(back).used == 210
    down = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(down) == 1
    assert (
        len([r for r in caplog.records if "counting on the shared ledger again" in r.message]) == 1
    )


def test_redis_unreachable_at_start_then_up(tmp_path: Path) -> None:
    port = free_port()
    s = Screen(f"redis://127.0.0.1:{port}/0", tmp_path / "a")
    s.ledger.record_calls(3, T0)
    assert s.ledger.sharing is False and s.ledger.plan.daily_calls == 250
    assert s.ledger.state(T0).used == 3
    # A restart while Redis is still away keeps the local count and what is owed to Redis.
    again = Screen(f"redis://127.0.0.1:{port}/0", tmp_path / "a")
    again.ledger.exhausted(T0 + timedelta(minutes=1))
    assert again.ledger.state(T0 + timedelta(minutes=1)).used == 3

    srv = RedisServer(tmp_path)
    srv.port = port
    with srv:
        again.mono.t += 60
        later = T0 + timedelta(minutes=2)
        assert again.ledger.state(later).used == 3 and again.ledger.sharing is True
        assert again.ledger.quota_block(later) == "daily quota exceeded; no calls until 00:00 KST"
        assert srv.client().get(f"kiosk:quota:subway:{fingerprint(KEY_A)}:used:2026-11-23") == b"3"


def test_with_redis_down_every_ledger_call_returns_at_once(tmp_path: Path) -> None:
    s = Screen(f"redis://127.0.0.1:{free_port()}/0", tmp_path / "a")
    pacer = BudgetPacer(s.ledger)
    start = time_module.monotonic()
    for i in range(200):  # 200 ticks while waiting to retry: no connection attempt at all
        now = T0 + timedelta(seconds=i)
        pacer.due(None, now)
        s.ledger.record_calls(1, now)
    assert time_module.monotonic() - start < 5
    assert s.ledger.state(T0 + timedelta(seconds=300)).used == 200
