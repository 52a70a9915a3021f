"""Daily API call budgets: how often a key may be called now. Pure: ``now`` is a parameter.

The realtime subway key allows 1,000 calls per day (ERROR-337 after that; the count is assumed
to reset at midnight KST). A plan spreads the day's calls over the service hours, ``rush_factor``
times denser in the weekday rush hours, and none outside service hours. The interval is
recomputed at every decision from what is left of the day, so calls spent early (a restart, a
manual refresh, ``kiosk fetch``) lengthen the later intervals instead of running the key dry,
and a hard cap (``daily_calls - reserve``) holds whatever happens.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from kiosk.core.timeutil import KST

_DAY = timedelta(days=1)


@dataclass(frozen=True)
class Window:
    """A daily time-of-day window [start, end) in KST; ``end <= start`` means it crosses midnight."""

    start: time
    end: time

    def contains(self, t: time) -> bool:
        """Whether a time of day falls inside the window."""
        if self.start == self.end:
            return True  # a zero-length window means "all day"
        if self.start < self.end:
            return self.start <= t < self.end
        return t >= self.start or t < self.end


def parse_hhmm(text: str) -> time:
    """ "05:00" -> time(5, 0)."""
    hh, mm = text.split(":")
    return time(int(hh), int(mm))


ALL_DAY = Window(time(0, 0), time(0, 0))
DEFAULT_RUSH = (Window(time(7, 0), time(9, 0)), Window(time(18, 0), time(20, 0)))


@dataclass(frozen=True)
class BudgetPlan:
    """How a key's daily calls are to be spent."""

    daily_calls: int
    service: Window = ALL_DAY  # calls only inside this window
    rush: tuple[Window, ...] = ()  # denser in these windows, on weekdays
    rush_factor: float = 2.0
    reserve: int = 0  # calls held back for manual refreshes and retries
    min_interval_s: float = 0.0  # never faster than this, however much budget is left

    def __post_init__(self) -> None:
        if self.daily_calls < 1 or not 0 <= self.reserve < self.daily_calls:
            raise ValueError(f"bad budget: {self.daily_calls} calls, reserve {self.reserve}")
        if self.rush_factor < 1:
            raise ValueError(f"rush_factor must be >= 1 (got {self.rush_factor})")

    @property
    def spendable(self) -> int:
        """Calls that the pacing may use in one quota day."""
        return self.daily_calls - self.reserve


@dataclass(frozen=True)
class BudgetState:
    """What has been spent on the current quota day (KST calendar day)."""

    day: date | None = None
    used: int = 0
    blocked_until: datetime | None = None  # set by a quota error: no calls before this


def quota_day(now: datetime) -> date:
    """The quota day (KST calendar date) that ``now`` belongs to."""
    return now.astimezone(KST).date()


def next_reset(now: datetime) -> datetime:
    """The next midnight KST, when the daily quota is assumed to reset."""
    return datetime.combine(quota_day(now) + _DAY, time(0, 0), KST)


def rolled(state: BudgetState, now: datetime) -> BudgetState:
    """The state for ``now``'s quota day: a new day starts with nothing used and no block.

    Only a later day starts afresh: a state from a day after ``now``'s means the clock went
    back over midnight, and the calls counted since then were still made (the key's real day
    has not changed), so they stay counted.
    """
    today = quota_day(now)
    blocked = state.blocked_until if state.blocked_until and state.blocked_until > now else None
    if state.day is None or state.day < today:
        return BudgetState(day=today, used=0, blocked_until=blocked)
    return replace(state, blocked_until=blocked)


def record_call(state: BudgetState, now: datetime) -> BudgetState:
    """Count one call made at ``now``."""
    s = rolled(state, now)
    return replace(s, used=s.used + 1)


def record_exhausted(state: BudgetState, now: datetime) -> BudgetState:
    """The API said the daily quota is used up: no calls until the reset."""
    s = rolled(state, now)
    return replace(s, blocked_until=next_reset(now))


def weight(plan: BudgetPlan, now: datetime) -> float:
    """Relative call density at ``now``: 0 outside service hours, ``rush_factor`` in weekday rush."""
    local = now.astimezone(KST)
    t = local.time()
    if not plan.service.contains(t):
        return 0.0
    if local.weekday() < 5 and any(w.contains(t) for w in plan.rush):
        return plan.rush_factor
    return 1.0


def _boundaries(plan: BudgetPlan, start: datetime, end: datetime) -> list[datetime]:
    """Every instant in (start, end) where the weight may change, sorted, with start and end."""
    times = {plan.service.start, plan.service.end, time(0, 0)}
    for w in plan.rush:
        times.update((w.start, w.end))
    a, b = start.astimezone(KST), end.astimezone(KST)
    points = {a, b}
    d = a.date() - _DAY
    while d <= b.date():
        for t in times:
            p = datetime.combine(d, t, KST)
            if a < p < b:
                points.add(p)
        d += _DAY
    return sorted(points)


def weighted_seconds(plan: BudgetPlan, start: datetime, end: datetime) -> float:
    """The integral of ``weight`` over [start, end): weight-1 seconds the window holds."""
    pts = _boundaries(plan, start, end)
    total = 0.0
    for a, b in zip(pts, pts[1:], strict=False):
        total += weight(plan, a + (b - a) / 2) * (b - a).total_seconds()
    return total


def remaining_calls(plan: BudgetPlan, state: BudgetState, now: datetime) -> int:
    """Calls the pacing may still make today."""
    return max(0, plan.spendable - rolled(state, now).used)


def quota_reason(plan: BudgetPlan, state: BudgetState, now: datetime) -> str | None:
    """Why the key may not be called before the next reset (one line), or None."""
    s = rolled(state, now)
    if s.blocked_until is not None:
        return f"daily quota exceeded; no calls until {s.blocked_until.astimezone(KST):%H:%M} KST"
    if s.used >= plan.spendable:
        return f"daily call budget ({plan.spendable}) used up; no calls until 00:00 KST"
    return None


def block_reason(plan: BudgetPlan, state: BudgetState, now: datetime) -> str | None:
    """Why no call may be made at ``now`` (one line), or None when one may."""
    reason = quota_reason(plan, state, now)
    if reason is None and weight(plan, now) == 0:
        return "outside service hours"
    return reason


def interval_s(plan: BudgetPlan, state: BudgetState, now: datetime) -> float | None:
    """Seconds to leave between calls at ``now``; None when no call may be made now.

    The larger of the day's steady pace and what the rest of the day allows, divided by the
    current weight, so rush hours get shorter intervals and overspending slows down.
    """
    if block_reason(plan, state, now) is not None:
        return None
    day_start = datetime.combine(quota_day(now), time(0, 0), KST)
    steady = weighted_seconds(plan, day_start, day_start + _DAY) / plan.spendable
    left = weighted_seconds(plan, now, next_reset(now)) / remaining_calls(plan, state, now)
    return max(plan.min_interval_s, max(steady, left) / weight(plan, now))


def may_call(
    plan: BudgetPlan, state: BudgetState, last_call: datetime | None, now: datetime
) -> bool:
    """Whether a paced source should call now, given its previous call.

    A previous call after ``now`` means the clock went back: the time since it cannot be
    measured, so a call is due (once; the next gap counts from it) instead of waiting until
    the clock catches up with the old timestamp, which after a jump back of an hour would
    leave the screen without new data for an hour.
    """
    gap = interval_s(plan, state, now)
    if gap is None:
        return False
    if last_call is None or last_call > now:
        return True
    return (now - last_call).total_seconds() >= gap


def next_opening(plan: BudgetPlan, state: BudgetState, now: datetime, step_s: int = 60) -> datetime:
    """The first instant (to the minute) from ``now`` at which a call may be made again."""
    s = rolled(state, now)
    t = now
    if s.blocked_until is not None or s.used >= plan.spendable:
        t = next_reset(now)
        s = rolled(s, t)
    for _ in range(2 * 24 * 60):
        if block_reason(plan, s, t) is None:
            return t
        t = t + timedelta(seconds=step_s)
    return t
