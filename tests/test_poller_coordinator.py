"""Coordinator semantics with a fake fetch and a fake clock (no network, no scheduler)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, time, timedelta

import pytest

from kiosk.core.budget import DEFAULT_RUSH, BudgetPlan, Window
from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.timeutil import KST
from kiosk.errors import ApiKeyError, MalformedResponse, QuotaExceeded, TransportError
from kiosk.poller.coordinator import Coordinator, FetchResult
from kiosk.poller.http import HttpError
from kiosk.poller.pacing import BudgetPacer, IntervalPacer, QuotaLedger

T0 = datetime(2026, 11, 23, 10, 0, tzinfo=KST)  # a Monday
POLICY = FreshnessPolicy(stale_after_s=180, unavailable_after_s=900)


class FakeFetch:
    """Returns or raises what the test scripts; counts calls."""

    def __init__(self) -> None:
        self.outcome: Callable[[datetime], FetchResult] = lambda now: FetchResult(("a", "b"), now)
        self.calls: list[datetime] = []

    def __call__(self, now: datetime) -> FetchResult:
        self.calls.append(now)
        return self.outcome(now)

    def fail_with(self, error: Exception) -> None:
        def raise_(now: datetime) -> FetchResult:
            raise error

        self.outcome = raise_

    def succeed(self, items: tuple[str, ...] = ("a", "b")) -> None:
        self.outcome = lambda now: FetchResult(items, now)


def make(
    interval_s: float = 60, **kw: object
) -> tuple[Coordinator, FakeFetch, list[Snapshot[str]]]:
    fetch = FakeFetch()
    c = Coordinator("subway", fetch, POLICY, IntervalPacer(interval_s), **kw)  # type: ignore[arg-type]
    seen: list[Snapshot[str]] = []
    c.add_listener(seen.append)
    return c, fetch, seen


def test_success_publishes_ok_snapshot_with_items_and_fetch_time() -> None:
    c, fetch, seen = make()
    snap = c.tick(T0)
    assert snap.status is FeedStatus.OK and snap.items == ("a", "b") and snap.fetched_at == T0
    assert seen == [snap] and c.last_update_success and c.last_success_at == T0


def test_failure_keeps_last_good_data_and_records_both_times() -> None:
    c, fetch, _ = make()
    c.tick(T0)
    fetch.fail_with(TransportError("connection refused by 127.0.0.1:1"))
    snap = c.refresh(T0 + timedelta(seconds=60))
    assert snap.items == ("a", "b") and snap.fetched_at == T0
    assert snap.status is FeedStatus.OK  # a minute old: still fresh, but the error is visible
    assert snap.error == "connection refused by 127.0.0.1:1"
    assert not c.last_update_success
    assert (c.last_success_at, c.last_failure_at) == (T0, T0 + timedelta(seconds=60))


def test_last_data_goes_stale_then_unavailable_while_failing_then_recovers() -> None:
    c, fetch, seen = make()
    c.tick(T0)
    fetch.fail_with(TransportError("no answer from x within 10 s (timeout)"))
    statuses = []
    t = T0
    for _ in range(20 * 60 // 5):  # 20 minutes, ticking every 5 s
        t += timedelta(seconds=5)
        statuses.append(c.tick(t).status)
    assert FeedStatus.STALE in statuses and statuses[-1] is FeedStatus.ERROR
    last = c.snapshot(t)
    assert last.items == () and last.error  # unavailable: never show 20-minute-old arrivals
    fetch.succeed(("c",))
    for _ in range(200):
        t += timedelta(seconds=5)
        if c.tick(t).status is FeedStatus.OK:
            break
    assert c.snapshot(t).items == ("c",) and c.last_update_success
    changes = [s.status for i, s in enumerate(seen) if i == 0 or s.status is not seen[i - 1].status]
    assert changes == [FeedStatus.OK, FeedStatus.STALE, FeedStatus.ERROR, FeedStatus.OK]


def test_logs_once_going_down_and_once_on_recovery(caplog: pytest.LogCaptureFixture) -> None:
    c, fetch, _ = make()
    caplog.set_level(logging.DEBUG, logger="kiosk.poller.coordinator")
    c.refresh(T0)
    fetch.fail_with(TransportError("HTTP 503 Service Unavailable from h"))
    for i in range(1, 6):
        c.refresh(T0 + timedelta(minutes=i))
    fetch.succeed()
    c.refresh(T0 + timedelta(minutes=10))
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    infos = [r for r in caplog.records if r.levelno == logging.INFO]
    assert len(warnings) == 1 and "HTTP 503" in warnings[0].getMessage()
    assert len(infos) == 1 and "recovered after 5 failed" in infos[0].getMessage()


def test_backoff_doubles_up_to_the_cap() -> None:
    c, fetch, _ = make(interval_s=10, backoff_base_s=30, backoff_max_s=200)
    fetch.fail_with(TransportError("down"))
    t, gaps = T0, []
    c.refresh(t)
    for _ in range(6):
        nxt = c.retry_at
        assert nxt is not None
        assert not c.due(nxt - timedelta(seconds=1)) and c.due(nxt)
        gaps.append((nxt - t).total_seconds())
        t = nxt
        c.tick(t)
    assert gaps == [30, 60, 120, 200, 200, 200]


def test_retry_after_is_honoured_instead_of_the_backoff() -> None:
    c, fetch, _ = make(interval_s=10)
    fetch.fail_with(HttpError("HTTP 429 Too Many Requests from h", 429, retry_after_s=600))
    c.refresh(T0)
    assert c.retry_at == T0 + timedelta(seconds=600)
    assert not c.due(T0 + timedelta(seconds=599))


def test_a_retry_after_shorter_than_the_backoff_does_not_shorten_it() -> None:
    c, fetch, _ = make(interval_s=10)
    fetch.fail_with(HttpError("HTTP 503 Service Unavailable from h", 503, retry_after_s=0))
    waits = []
    t = T0
    for _ in range(4):
        c.refresh(t)
        assert c.retry_at is not None
        waits.append((c.retry_at - t).total_seconds())
        t = c.retry_at
    assert waits == [30, 60, 120, 240]  # the backoff, as without a Retry-After


@pytest.mark.parametrize(
    ("error", "status", "text"),
    [
        (
            ApiKeyError("INFO-100", "인증키가 유효하지 않습니다."),
            FeedStatus.UNAUTHORIZED,
            "API key was rejected",
        ),
        (
            ApiKeyError("NO-KEY", "no API key: set SEOUL_API_KEY or sources.api_key_file"),
            FeedStatus.UNAUTHORIZED,
            "no API key: set SEOUL_API_KEY",
        ),
        (QuotaExceeded("ERROR-337", "..."), FeedStatus.RATE_LIMITED, "daily quota exceeded"),
        (MalformedResponse("truncated or malformed JSON"), FeedStatus.ERROR, "malformed"),
        (ValueError("parser bug"), FeedStatus.ERROR, "unexpected ValueError"),
    ],
)
def test_each_error_maps_to_a_status_and_one_line(
    error: Exception, status: FeedStatus, text: str
) -> None:
    c, fetch, _ = make()
    fetch.fail_with(error)
    snap = c.refresh(T0)
    assert snap.status is status and text in (snap.error or "") and "\n" not in (snap.error or "")


def test_empty_answer_is_not_a_failure() -> None:
    c, fetch, _ = make()
    fetch.succeed(())
    snap = c.refresh(T0)
    assert snap.status is FeedStatus.EMPTY and c.last_update_success and snap.error is None


def test_a_cached_fallback_counts_as_a_failure_but_shows_the_cached_data() -> None:
    c, fetch, _ = make()
    fetch.outcome = lambda now: FetchResult(
        ("old",), now - timedelta(minutes=5), True, "connection refused by h"
    )
    snap = c.refresh(T0)
    assert snap.items == ("old",) and snap.status is FeedStatus.STALE and snap.from_cache
    assert snap.error == "connection refused by h" and not c.last_update_success


def test_primed_cache_data_shows_at_start_with_its_true_age() -> None:
    def prime(now: datetime) -> FetchResult:
        return FetchResult(("cached",), now - timedelta(minutes=4), from_cache=True)

    c, fetch, _ = make(prime=prime)
    fetch.fail_with(QuotaExceeded("ERROR-337", "..."))
    snap = c.refresh(T0)
    assert snap.items == ("cached",) and snap.fetched_at == T0 - timedelta(minutes=4)
    assert snap.status is FeedStatus.RATE_LIMITED


def test_a_failing_listener_does_not_stop_the_others(caplog: pytest.LogCaptureFixture) -> None:
    c, _, seen = make()

    def broken(snap: Snapshot[str]) -> None:
        raise RuntimeError("boom")

    c.add_listener(broken)
    late: list[Snapshot[str]] = []
    remove = c.add_listener(late.append)
    c.refresh(T0)
    assert len(seen) == 1 and len(late) == 1
    remove()
    c.refresh(T0 + timedelta(minutes=1))
    assert len(late) == 1 and len(seen) == 2


def test_request_refresh_skips_the_interval() -> None:
    c, fetch, _ = make(interval_s=3600)
    c.tick(T0)
    c.tick(T0 + timedelta(minutes=1))
    assert len(fetch.calls) == 1
    c.request_refresh()
    c.tick(T0 + timedelta(minutes=2))
    assert len(fetch.calls) == 2


def subway_ledger(daily: int = 1000) -> QuotaLedger:
    p = BudgetPlan(daily, Window(time(5, 0), time(1, 0)), DEFAULT_RUSH, 2.0, daily // 20, 20.0)
    return QuotaLedger("subway", p)


def test_quota_exceeded_midday_stops_calls_until_midnight_and_extrapolates_stale() -> None:
    ledger = subway_ledger()
    fetch = FakeFetch()
    c = Coordinator("subway", fetch, POLICY, BudgetPacer(ledger))

    def counted(now: datetime) -> FetchResult:
        ledger.record_calls(1, now)
        return FetchResult(("train",), now)

    fetch.outcome = counted
    t = T0.replace(hour=13)
    c.tick(t)
    ledger_calls_before = len(fetch.calls)

    def quota(now: datetime) -> FetchResult:
        ledger.record_calls(1, now)
        raise QuotaExceeded("ERROR-337", "...")

    fetch.outcome = quota
    while c.last_update_success:
        t += timedelta(seconds=5)
        c.tick(t)
    exhausted_at = t
    assert len(fetch.calls) == ledger_calls_before + 1
    snap = c.snapshot(t + timedelta(seconds=1))
    assert snap.status is FeedStatus.RATE_LIMITED and snap.items == ("train",)
    midnight = datetime.combine(t.date() + timedelta(days=1), time(0, 0), KST)
    fetch.outcome = counted
    while t < midnight - timedelta(seconds=5):
        t += timedelta(seconds=5)
        c.tick(t)
    assert len(fetch.calls) == ledger_calls_before + 1  # not one call until the reset
    assert c.snapshot(t).items == ()  # hours later: no old trains on screen
    assert c.snapshot(exhausted_at + timedelta(seconds=200)).status is FeedStatus.RATE_LIMITED
    t += timedelta(seconds=10)
    c.tick(t)
    assert t >= midnight and len(fetch.calls) == ledger_calls_before + 2
    assert c.snapshot(t).status is FeedStatus.OK


def test_a_whole_day_of_coordinator_ticks_stays_within_the_subway_budget() -> None:
    ledger = subway_ledger()
    fetch = FakeFetch()

    def counted(now: datetime) -> FetchResult:
        ledger.record_calls(1, now)
        return FetchResult(("train",), now)

    fetch.outcome = counted
    c = Coordinator("subway", fetch, POLICY, BudgetPacer(ledger))
    t = T0.replace(hour=0)
    while t < T0.replace(hour=0) + timedelta(days=1):
        c.tick(t)
        t += timedelta(seconds=5)
    calls = fetch.calls
    assert 0.9 * 950 <= len(calls) <= 1000 - 50  # 50 kept in reserve
    rush = [
        (b - a).total_seconds()
        for a, b in zip(calls, calls[1:], strict=False)
        if a.hour == b.hour == 8
    ]
    quiet = [
        (b - a).total_seconds()
        for a, b in zip(calls, calls[1:], strict=False)
        if a.hour == b.hour == 14
    ]
    assert max(rush) < min(quiet)
    assert not [x for x in calls if time(1, 0) <= x.time() < time(5, 0)]


def test_after_service_hours_old_arrivals_give_way_to_an_empty_state_not_an_error() -> None:
    ledger = subway_ledger()
    fetch = FakeFetch()
    c = Coordinator("subway", fetch, POLICY, BudgetPacer(ledger))
    last_train = T0.replace(hour=0, minute=55)
    c.tick(last_train)
    t = last_train
    while t < T0.replace(hour=4, minute=59):
        t += timedelta(seconds=30)
        c.tick(t)
    night = len(fetch.calls)
    assert night >= 2 and all(x.hour == 0 for x in fetch.calls)  # none between 01:00 and 05:00
    snap = c.snapshot(t)
    assert snap.status is FeedStatus.EMPTY and snap.items == () and snap.error is None
    assert snap.note == "outside service hours (05:00-01:00 KST)"
    c.tick(T0.replace(hour=5, minute=0, second=5))
    assert (
        len(fetch.calls) == night + 1
        and c.snapshot(T0.replace(hour=5, minute=1)).status is FeedStatus.OK
    )


def test_a_clock_that_went_back_behind_the_failure_retries_without_waiting_out_the_jump() -> None:
    c, fetch, _ = make()
    c.tick(T0)
    fetch.fail_with(TransportError("HTTP 503 Service Unavailable from h"))
    c.refresh(T0 + timedelta(seconds=60))
    assert not c.due(T0 + timedelta(seconds=61))  # backing off, as it should
    fetch.succeed(("c",))
    back = T0 - timedelta(hours=1)  # NTP stepped the clock back an hour
    # Before: due only once the clock reached the retry time again, an hour and 30 s later.
    assert c.due(back)
    assert c.tick(back).items == ("c",) and c.last_update_success


# --- when the next tick has something to do (the jobs sleep until then) ------------------


def test_next_tick_is_the_next_call_or_the_data_turning_stale_whichever_comes_first() -> None:
    c, _fetch, _seen = make(interval_s=60)
    assert c.next_tick(T0) == T0  # never called: at once
    c.tick(T0)
    assert c.next_tick(T0 + timedelta(seconds=5)) == T0 + timedelta(seconds=60)
    slow, _f, _s = make(interval_s=600)
    slow.tick(T0)
    # POLICY: stale after 180 s, before the next call at 600 s: the state moves first.
    assert slow.next_tick(T0) == T0 + timedelta(seconds=180)
    c.request_refresh()
    assert c.next_tick(T0 + timedelta(seconds=5)) == T0 + timedelta(seconds=5)


def test_next_tick_after_a_failure_is_its_retry_time() -> None:
    c, fetch, _seen = make(interval_s=10)
    fetch.fail_with(TransportError("subway", "connection refused"))
    c.tick(T0)
    assert c.retry_at is not None and c.retry_at > T0 + timedelta(seconds=10)
    assert c.next_tick(T0) == c.retry_at  # the backoff, not the 10 s interval
    # The clock went back behind the failure: due at once (as ``due`` says).
    assert c.next_tick(T0 - timedelta(hours=1)) == T0 - timedelta(hours=1)
    assert c.due(T0 - timedelta(hours=1))


def test_a_budget_paced_next_tick_follows_the_budgets_interval() -> None:
    ledger = subway_ledger()
    pacer = BudgetPacer(ledger)
    c = Coordinator("subway", FakeFetch(), POLICY, pacer)  # type: ignore[arg-type]
    c.tick(T0)
    step = pacer.interval_s(T0)
    assert step is not None
    assert c.next_tick(T0) == T0 + timedelta(seconds=min(step, POLICY.stale_after_s))
    # (the jobs wake DUE_MARGIN_S after it: a timedelta rounds to the microsecond)
    assert not c.due(T0 + timedelta(seconds=step - 1)) and c.due(
        T0 + timedelta(seconds=step + 0.05)
    )
    night = datetime(2026, 11, 24, 3, 0, tzinfo=KST)  # outside service hours: no call planned
    assert pacer.next_due(T0, night) is None


def test_next_tick_outside_service_hours_after_a_clock_set_back_is_not_now() -> None:
    pacer = BudgetPacer(subway_ledger())  # service 05:00-01:00
    fetch = FakeFetch()
    c = Coordinator("subway", fetch, POLICY, pacer)  # type: ignore[arg-type]
    fetch.fail_with(TransportError("subway", "connection refused"))
    c.tick(T0)
    night = T0.replace(hour=3)  # the clock went back behind the failure, into the night
    assert not c.due(night)
    assert c.next_tick(night) is None  # the regular tick, not a wake-up every second
