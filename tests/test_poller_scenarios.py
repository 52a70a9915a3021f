"""Long stories on a fake clock, through the real session, the real parsers and a real local server:
hours of network outage, quota exhaustion mid-day, a whole day of subway polling."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from kiosk.core.models import FeedStatus
from kiosk.core.timeutil import KST
from kiosk.poller.service import Poller
from tests.httpserver import BUS_KEY, FakeClock, SeoulApi, kiosk_config

SUBWAY_KEY, OPEN_KEY = "SubwayKey-0123456789abcdef", "OpenKey-fedcba9876543210"
ENV = {"SEOUL_SUBWAY_API_KEY": SUBWAY_KEY, "SEOUL_API_KEY": OPEN_KEY, "SEOUL_BUS_API_KEY": BUS_KEY}
MONDAY = datetime(2026, 11, 23, 0, 0, tzinfo=KST)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY.replace(hour=9, minute=30))


@pytest.fixture
def api(clock: FakeClock) -> Iterator[SeoulApi]:
    with SeoulApi(SUBWAY_KEY, OPEN_KEY, clock.now) as server:
        yield server


def run_until(
    poller: Poller,
    clock: FakeClock,
    until: datetime,
    step_s: float = 5,
    sources: tuple[str, ...] = ("subway",),
) -> list:
    """Tick the coordinators every ``step_s`` fake seconds; return the subway snapshots seen."""
    snaps = []
    while clock.now() < until:
        clock.advance(step_s)
        for s in sources:
            snap = poller.coordinators[s].tick(clock.now())
            if s == "subway":
                snaps.append(snap)
    return snaps


def test_network_down_for_hours_then_back_recovers_by_itself(
    api: SeoulApi, clock: FakeClock, tmp_path: Path
) -> None:
    poller = Poller(kiosk_config(api, tmp_path), env=ENV)
    try:
        start = clock.now()
        first = poller.coordinators["subway"].tick(start)
        assert first.status is FeedStatus.OK and first.items
        air = poller.coordinators["air"].tick(start)
        assert air.status is FeedStatus.OK

        api.down()
        down_at = clock.now()
        snaps = run_until(poller, clock, down_at + timedelta(hours=3), sources=("subway", "air"))
        by_age = {(s.fetched_at is not None and (s.status, bool(s.items))) for s in snaps}
        assert (FeedStatus.OK, True) in by_age  # the first minutes: last data, still fresh
        assert (FeedStatus.STALE, True) in by_age  # then kept on screen, marked stale
        last = snaps[-1]
        assert last.status is FeedStatus.ERROR and last.items == ()  # then the no-data state
        assert last.fetched_at == first.fetched_at and "connection refused" in (last.error or "")
        assert (
            poller.coordinators["air"].snapshot(clock.now()).status is FeedStatus.STALE
        )  # 3 h > 2 h
        attempts = poller.coordinators["subway"].consecutive_failures
        assert 10 < attempts < 200  # backed off, not hammering

        api.up()
        snaps = run_until(
            poller, clock, clock.now() + timedelta(minutes=20), sources=("subway", "air")
        )
        assert snaps[-1].status is FeedStatus.OK and snaps[-1].items
        assert snaps[-1].fetched_at > down_at + timedelta(hours=3)
        assert poller.coordinators["subway"].last_update_success
        assert poller.coordinators["air"].snapshot(clock.now()).status is FeedStatus.OK
    finally:
        poller.close()


def test_quota_exhaustion_mid_day_stops_calls_until_midnight_even_across_a_restart(
    api: SeoulApi, clock: FakeClock, tmp_path: Path
) -> None:
    clock.t = MONDAY.replace(hour=13)
    api.quota["subway"] = 20
    poller = Poller(kiosk_config(api, tmp_path), env=ENV)
    try:
        snaps = run_until(poller, clock, MONDAY.replace(hour=18))
        assert api.calls["subway"] == 21  # 20 answered, the 21st said ERROR-337, then silence
        limited = [s for s in snaps if s.status is FeedStatus.RATE_LIMITED]
        assert limited and limited[0].items  # right after: the last trains, still shown
        assert "daily quota exceeded" in (limited[0].error or "")
        assert limited[-1].items == ()  # hours later: too old to show
    finally:
        poller.close()
    saved = json.loads((tmp_path / "quota-subway.json").read_text())
    assert saved["blocked_until"].startswith("2026-11-24T00:00")

    restarted = Poller(kiosk_config(api, tmp_path), env=ENV)
    try:
        run_until(restarted, clock, MONDAY.replace(hour=23, minute=59, second=50))
        assert api.calls["subway"] == 21  # the restart remembered the block
        api.quota.clear()
        run_until(restarted, clock, MONDAY + timedelta(days=1, minutes=5))
        assert api.calls["subway"] > 21
        assert restarted.coordinators["subway"].snapshot(clock.now()).status is FeedStatus.OK
    finally:
        restarted.close()


def test_a_whole_weekday_through_the_real_stack_stays_within_the_subway_budget(
    api: SeoulApi, clock: FakeClock, tmp_path: Path
) -> None:
    budget = 1000  # the real subway key
    clock.t = MONDAY
    hours = {
        "start": "05:00",
        "end": "01:00",
    }  # the default service window, not the tests' all-day one
    poller = Poller(
        kiosk_config(api, tmp_path, subway_daily_budget=budget, service_hours=hours), env=ENV
    )
    calls: list[datetime] = []
    poller.coordinators["subway"].add_listener(
        lambda s: calls.append(clock.now()) if s.fetched_at == clock.now() else None
    )
    try:
        run_until(poller, clock, MONDAY + timedelta(days=1) - timedelta(seconds=5))
    finally:
        poller.close()
    assert api.calls["subway"] == len(calls)
    assert 0.9 * (budget - budget // 20) <= len(calls) <= budget - budget // 20
    assert not [c for c in calls if time(1, 0) <= c.time() < time(5, 0)]
    gaps = {
        h: [
            (b - a).total_seconds()
            for a, b in zip(calls, calls[1:], strict=False)
            if a.hour == b.hour == h
        ]
        for h in (8, 14, 19)
    }
    assert max(gaps[8]) < min(gaps[14]) and max(gaps[19]) < min(gaps[14])
    saved = json.loads((tmp_path / "quota-subway.json").read_text())
    assert saved["used"] == len(calls)
