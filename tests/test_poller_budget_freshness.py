"""Pure freshness and budget rules (kiosk.core.freshness, kiosk.core.budget) on a fake clock."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest

from kiosk.core import budget
from kiosk.core.budget import BudgetPlan, BudgetState, Window
from kiosk.core.freshness import Freshness, FreshnessPolicy, assess, data_time, feed_status
from kiosk.core.models import AirReading, Arrival, FeedStatus
from kiosk.core.timeutil import KST

POLICY = FreshnessPolicy(stale_after_s=180, unavailable_after_s=900)
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=KST)  # a Monday


def plan(**kw: object) -> BudgetPlan:
    base: dict[str, object] = dict(
        daily_calls=1000,
        service=Window(time(5, 0), time(1, 0)),
        rush=budget.DEFAULT_RUSH,
        rush_factor=2.0,
        reserve=50,
        min_interval_s=20.0,
    )
    base.update(kw)
    return BudgetPlan(**base)  # type: ignore[arg-type]


# --- freshness ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("age_s", "expected"),
    [
        (0, Freshness.FRESH),
        (179, Freshness.FRESH),
        (180, Freshness.STALE),
        (899, Freshness.STALE),
        (900, Freshness.UNAVAILABLE),
        (86400, Freshness.UNAVAILABLE),
    ],
)
def test_freshness_turns_stale_then_unavailable_at_the_thresholds(
    age_s: int, expected: Freshness
) -> None:
    assert assess(T0, T0 + timedelta(seconds=age_s), POLICY) is expected


def test_no_data_is_unavailable_and_a_clock_slightly_behind_is_fresh() -> None:
    assert assess(None, T0, POLICY) is Freshness.UNAVAILABLE
    assert assess(T0 + timedelta(seconds=5), T0, POLICY) is Freshness.FRESH


def test_air_data_age_counts_from_the_measurement_not_the_fetch() -> None:
    reading = AirReading("중구", "도심권", T0 - timedelta(hours=3), 30.0, 10.0)
    since = data_time(T0, [reading])
    assert since == T0 - timedelta(hours=3)
    air = FreshnessPolicy(2 * 3600, 6 * 3600)
    assert assess(since, T0, air) is Freshness.STALE


def _arrival(received_at: datetime) -> Arrival:
    return Arrival(
        "1001",
        "1호선",
        "상행",
        "동두천",
        120,
        "99",
        "2분 후",
        "남영",
        "0150",
        False,
        False,
        received_at,
    )


def test_arrival_data_age_counts_from_the_newest_recptndt_not_the_fetch() -> None:
    # Rows all two days old were judged by the fetch time alone: fresh "no trains running".
    two_days = [_arrival(T0 - timedelta(days=2, seconds=s)) for s in (0, 30)]
    assert data_time(T0, two_days) == T0 - timedelta(days=2)
    assert assess(data_time(T0, two_days), T0, POLICY) is Freshness.UNAVAILABLE
    # One current row makes the body current; the old rows are dropped on the page by age.
    mixed = [*two_days, _arrival(T0 - timedelta(seconds=20))]
    assert data_time(T0, mixed) == T0 - timedelta(seconds=20)
    # Rows ahead of the fetch (skew) never make data newer than its fetch.
    assert data_time(T0, [_arrival(T0 + timedelta(minutes=5))]) == T0
    assert data_time(T0, []) == T0 and data_time(None, two_days) is None


@pytest.mark.parametrize(
    ("fresh", "failure", "empty", "expected"),
    [
        (Freshness.FRESH, None, False, FeedStatus.OK),
        (Freshness.FRESH, None, True, FeedStatus.EMPTY),
        (Freshness.FRESH, FeedStatus.ERROR, False, FeedStatus.OK),  # a blip; the error line says it
        (Freshness.STALE, FeedStatus.ERROR, False, FeedStatus.STALE),
        (Freshness.STALE, None, False, FeedStatus.STALE),
        (Freshness.UNAVAILABLE, FeedStatus.ERROR, False, FeedStatus.ERROR),
        (Freshness.UNAVAILABLE, None, True, FeedStatus.EMPTY),
        (Freshness.FRESH, FeedStatus.UNAUTHORIZED, False, FeedStatus.UNAUTHORIZED),
        (Freshness.STALE, FeedStatus.RATE_LIMITED, False, FeedStatus.RATE_LIMITED),
        (Freshness.UNAVAILABLE, FeedStatus.RATE_LIMITED, True, FeedStatus.RATE_LIMITED),
    ],
)
def test_feed_status_combines_age_and_last_outcome(
    fresh: Freshness, failure: FeedStatus | None, empty: bool, expected: FeedStatus
) -> None:
    assert feed_status(fresh, failure, empty) is expected


def test_policy_rejects_thresholds_in_the_wrong_order() -> None:
    with pytest.raises(ValueError, match="stale_after"):
        FreshnessPolicy(900, 180)


# --- budget -------------------------------------------------------------------------------


def test_service_window_crosses_midnight() -> None:
    w = Window(time(5, 0), time(1, 0))
    assert w.contains(time(5, 0)) and w.contains(time(23, 59)) and w.contains(time(0, 30))
    assert not w.contains(time(1, 0)) and not w.contains(time(3, 0)) and not w.contains(time(4, 59))


def test_weight_is_zero_outside_service_hours_and_higher_in_weekday_rush() -> None:
    p = plan()
    assert budget.weight(p, T0.replace(hour=3)) == 0
    assert budget.weight(p, T0.replace(hour=8)) == 2.0
    assert budget.weight(p, T0.replace(hour=12)) == 1.0
    saturday = T0 + timedelta(days=5)
    assert budget.weight(p, saturday.replace(hour=8)) == 1.0


def replay_day(p: BudgetPlan, day: datetime, step_s: int = 5) -> list[datetime]:
    """Tick every ``step_s`` seconds from 00:00 to 24:00 KST, calling whenever allowed."""
    state, last, calls = BudgetState(), None, []
    t = day.replace(hour=0, minute=0, second=0, microsecond=0)
    end = t + timedelta(days=1)
    while t < end:
        if budget.may_call(p, state, last, t):
            calls.append(t)
            state = budget.record_call(state, t)
            last = t
        t += timedelta(seconds=step_s)
    return calls


def gaps_in(calls: list[datetime], hour: int) -> list[float]:
    return [
        (b - a).total_seconds()
        for a, b in zip(calls, calls[1:], strict=False)
        if a.hour == hour and b.hour == hour
    ]


def test_a_weekday_replay_spends_the_budget_within_the_limit_denser_in_rush_hour() -> None:
    p = plan()
    calls = replay_day(p, T0)
    assert 0.9 * p.spendable <= len(calls) <= p.spendable <= p.daily_calls
    assert not [c for c in calls if time(1, 0) <= c.time() < time(5, 0)]
    rush, midday = gaps_in(calls, 8), gaps_in(calls, 13)
    assert max(rush) < min(midday)
    assert sum(midday) / len(midday) == pytest.approx(2 * sum(rush) / len(rush), rel=0.1)


def test_a_weekend_replay_has_no_rush_hours_and_stays_within_the_limit() -> None:
    p = plan()
    calls = replay_day(p, T0 + timedelta(days=5))
    assert len(calls) <= p.spendable
    assert sum(gaps_in(calls, 8)) / len(gaps_in(calls, 8)) == pytest.approx(
        sum(gaps_in(calls, 13)) / len(gaps_in(calls, 13)), rel=0.1
    )


def test_calls_spent_early_lengthen_the_remaining_intervals() -> None:
    p = plan()
    noon = T0.replace(hour=12)
    normal = budget.interval_s(p, BudgetState(day=noon.date(), used=300), noon)
    overspent = budget.interval_s(p, BudgetState(day=noon.date(), used=800), noon)
    assert normal is not None and overspent is not None
    assert overspent > 2 * normal


def test_quota_exceeded_blocks_until_midnight_kst_and_the_new_day_starts_fresh() -> None:
    p = plan()
    at = T0.replace(hour=14, minute=3)
    state = budget.record_exhausted(BudgetState(day=at.date(), used=120), at)
    assert budget.quota_reason(p, state, at + timedelta(hours=9)) is not None
    assert not budget.may_call(p, state, None, at + timedelta(hours=9, minutes=56))
    midnight = datetime.combine(at.date() + timedelta(days=1), time(0, 0), KST)
    assert budget.next_opening(p, state, at) == midnight
    assert budget.may_call(p, state, None, midnight)
    assert budget.rolled(state, midnight).used == 0


def test_a_clock_that_jumps_back_does_not_stop_the_calls() -> None:
    p = plan()
    last = T0.replace(hour=12)
    state = BudgetState(day=last.date(), used=300)
    gap = budget.interval_s(p, state, last)
    assert gap is not None and not budget.may_call(p, state, last, last + timedelta(seconds=1))
    # An hour back: (now - last_call) was negative for an hour, so no call was due for an hour.
    back = last - timedelta(hours=1)
    assert budget.may_call(p, state, last, back)
    # Once called on the new clock, the pacing resumes from that call.
    assert not budget.may_call(p, state, back, back + timedelta(seconds=1))
    assert budget.may_call(p, state, back, back + timedelta(seconds=2 * gap))


def test_a_clock_that_goes_back_over_midnight_keeps_the_calls_already_counted() -> None:
    p = plan(daily_calls=100, reserve=5)
    after = T0.replace(hour=0, minute=20)  # Monday 00:20, 95 calls spent since midnight
    state = BudgetState(day=after.date(), used=95)
    before = after - timedelta(hours=1)  # Sunday 23:20 on a clock that went back
    assert budget.rolled(state, before).used == 95  # was reset to 0: a second budget's worth
    assert "used up" in (budget.quota_reason(p, state, before) or "")
    assert budget.rolled(state, after + timedelta(days=1)).used == 0  # a real new day


def test_the_spendable_budget_is_a_hard_cap() -> None:
    p = plan(daily_calls=100, reserve=5)
    noon = T0.replace(hour=12)
    state = BudgetState(day=noon.date(), used=95)
    assert budget.interval_s(p, state, noon) is None
    assert "used up" in (budget.quota_reason(p, state, noon) or "")
    assert budget.next_opening(p, state, noon).date() == noon.date() + timedelta(days=1)


def test_outside_service_hours_the_next_opening_is_the_window_start() -> None:
    p = plan()
    at = T0.replace(hour=2, minute=10)
    assert budget.block_reason(p, BudgetState(), at) == "outside service hours"
    assert budget.next_opening(p, BudgetState(), at) == at.replace(hour=5, minute=0)
