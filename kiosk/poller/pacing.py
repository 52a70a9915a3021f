"""When each source may call its API: per-key call ledgers and two pacers.

``QuotaLedger`` counts one key's calls for the current quota day (KST) and remembers an
ERROR-337 block until midnight. It is shared by every source using the key (the general key
serves air, parks, trails, bikes and events) and keyed by the key's fingerprint, so a new key
starts a fresh count. Where the count lives:

* alone (no ``sources.cache_url``): a small JSON file next to the HTTP cache
  (``quota_store.LocalStore``), so a restart or a ``kiosk fetch`` does not reset it;
* with a station Redis: in Redis (``quota_redis.RedisQuotaStore``), shared by every screen.
  While Redis is out of reach the ledger counts in the local file against this screen's share
  of the budget (``daily // fleet_size``, less what the fleet had already spent), and when
  Redis answers again it adds the calls made meanwhile to the shared count and shares again.

``BudgetPacer`` spreads the subway key's calls over the day (core/budget.py);
``IntervalPacer`` refreshes at a fixed interval, within the shared ledger's cap. A last attempt
that lies after ``now`` means the clock went back: both pacers then treat the source as due
instead of waiting for the clock to catch up.
"""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.core import budget
from kiosk.core.budget import BudgetPlan, BudgetState
from kiosk.poller.fingerprint import fingerprint
from kiosk.poller.quota_store import LocalRecord, LocalStore, StoreUnavailable, current

if TYPE_CHECKING:  # redis-py is loaded only by a kiosk that has a shared Redis
    from kiosk.poller.quota_redis import RedisQuotaStore
    from kiosk.poller.redis_link import RedisLink

log = logging.getLogger(__name__)

SHARED_READ_S = 2.0  # a shared count read this recently is reused (pacers ask several times a tick)


def share_plan(plan: BudgetPlan, fleet_size: int) -> BudgetPlan:
    """One screen's conservative share of a plan shared by ``fleet_size`` screens."""
    if fleet_size <= 1:
        return plan
    daily = max(1, plan.daily_calls // fleet_size)
    return replace(plan, daily_calls=daily, reserve=min(plan.reserve // fleet_size, daily - 1))


def _added(n: int, unsynced: bool) -> Callable[[LocalRecord], LocalRecord]:
    def change(r: LocalRecord) -> LocalRecord:
        state = replace(r.state, used=r.state.used + n)
        return LocalRecord(state, r.unsynced + (n if unsynced else 0))

    return change


class QuotaLedger:
    """One API key's calls today, shared by its sources (and screens), persisted across restarts."""

    def __init__(
        self,
        name: str,
        plan: BudgetPlan,
        path: Path | None = None,
        *,
        key: str | None = None,
        link: RedisLink | None = None,
        fleet_size: int = 1,
    ):
        self.name = name
        self.full_plan = plan
        self.path = path
        self.fleet_size = max(1, fleet_size)
        self.fingerprint = fingerprint(key)
        self._local = LocalStore(name, self.fingerprint, path)
        self._shared: RedisQuotaStore | None = None
        if link is not None:
            from kiosk.poller.quota_redis import RedisQuotaStore

            self._shared = RedisQuotaStore(link, name, self.fingerprint)
        self._lock = threading.RLock()
        self._fallback = False  # Redis is configured but out of reach: counting locally
        self._last_shared: BudgetState | None = None
        self._last_read: datetime | None = None
        self._calls = 0

    @property
    def plan(self) -> BudgetPlan:
        """The plan in force: this screen's share of the budget while Redis is out of reach."""
        if self._fallback:
            return share_plan(self.full_plan, self.fleet_size)
        return self.full_plan

    @property
    def sharing(self) -> bool | None:
        """None without a shared ledger; True while counting in Redis; False on the local share."""
        return None if self._shared is None else not self._fallback

    @property
    def calls_made(self) -> int:
        """Calls this process has counted on this ledger since it started (for metrics)."""
        return self._calls

    def state(self, now: datetime) -> BudgetState:
        """The state for ``now``'s quota day."""
        with self._lock:
            if self._shared is None:
                return self._local.load(now).state
            if self._fresh_read(now):
                assert self._last_shared is not None
                return current(self._last_shared, now)
            try:
                shared = self._shared.read(now)
            except StoreUnavailable:
                return self._fall_back(now).state
            return self._joined(shared, now)

    def _fresh_read(self, now: datetime) -> bool:
        last, read = self._last_shared, self._last_read
        if self._fallback or last is None or read is None:
            return False
        age = (now - read).total_seconds()  # negative after the clock went back: read again
        return 0 <= age < SHARED_READ_S and last.day == budget.quota_day(now)

    def record_calls(self, n: int, now: datetime) -> None:
        """Count ``n`` calls made at ``now``."""
        if n <= 0:
            return
        with self._lock:
            self._calls += n
            if self._shared is not None:
                try:
                    shared = self._shared.add(n, now)
                except StoreUnavailable:
                    self._fall_back(now)
                else:
                    self._joined(shared, now)
                    return
            self._local.update(now, _added(n, unsynced=self._shared is not None))

    def exhausted(self, now: datetime) -> None:
        """The API reported the daily quota exceeded: block until the reset."""
        log.warning("%s key: daily quota exceeded; no calls until midnight KST", self.name)
        with self._lock:
            if self._shared is not None:
                try:
                    shared = self._shared.block(budget.next_reset(now), now)
                except StoreUnavailable:
                    self._fall_back(now)
                else:
                    self._joined(shared, now)
                    return
            self._local.update(
                now, lambda r: LocalRecord(budget.record_exhausted(r.state, now), r.unsynced)
            )

    def quota_block(self, now: datetime) -> str | None:
        """Why the key may not be called before the reset, or None."""
        state = self.state(now)
        return budget.quota_reason(self.plan, state, now)

    def next_opening(self, now: datetime) -> datetime:
        """When calls may resume."""
        state = self.state(now)
        return budget.next_opening(self.plan, state, now)

    def remaining(self, now: datetime) -> int:
        """Calls the plan in force still allows today (0 while blocked; for metrics)."""
        state = self.state(now)
        if state.blocked_until is not None:
            return 0
        return budget.remaining_calls(self.plan, state, now)

    # -- shared / local ----------------------------------------------------------------------
    def _fall_back(self, now: datetime) -> LocalRecord:
        """Redis is out of reach: count locally, starting from this screen's part of the day."""
        if self._fallback:
            return self._local.load(now)
        self._fallback = True
        seen = self._last_shared
        seen = current(seen, now) if seen is not None else BudgetState(day=budget.quota_day(now))
        # The fleet had spent seen.used: this screen's share of what is left is its share of
        # the budget less its share of what was spent.
        spent = math.ceil(seen.used / self.fleet_size)

        def seed(r: LocalRecord) -> LocalRecord:
            blocks = [b for b in (r.state.blocked_until, seen.blocked_until) if b is not None]
            state = replace(
                r.state, used=max(r.state.used, spent), blocked_until=max(blocks, default=None)
            )
            return LocalRecord(state, r.unsynced)

        record = self._local.update(now, seed)
        plan = self.plan
        log.info(
            "%s key: counting locally on this screen's share, %d of %d calls (%d already used)",
            self.name,
            plan.spendable,
            self.full_plan.spendable,
            record.state.used,
        )
        return record

    def _joined(self, shared: BudgetState, now: datetime) -> BudgetState:
        """Redis answered: hand it what was counted locally meanwhile, then share again."""
        assert self._shared is not None
        if self._fallback:
            local = self._local.load(now)
            try:
                if local.unsynced:
                    shared = self._shared.add(local.unsynced, now)
                if local.state.blocked_until is not None and shared.blocked_until is None:
                    shared = self._shared.block(local.state.blocked_until, now)
            except StoreUnavailable:
                return self._local.load(now).state
            self._local.update(now, lambda r: replace(r, unsynced=0))
            self._fallback = False
            log.info(
                "%s key: counting on the shared ledger again (%d calls today, %d made here meanwhile)",
                self.name,
                shared.used,
                local.unsynced,
            )
        self._last_shared, self._last_read = shared, now
        return shared


def trusted(last_attempt: datetime | None, now: datetime) -> datetime | None:
    """The last attempt, or None when it lies after ``now``: the clock went back, and waiting
    for it to catch up would stop polling for as long as the jump (an hour for a DST-like
    step). The source is then due at once, and its next attempt is on the new clock."""
    if last_attempt is not None and last_attempt > now:
        return None
    return last_attempt


class BudgetPacer:
    """Paces a key by its daily budget: spread over service hours, denser in rush hours."""

    def __init__(self, ledger: QuotaLedger, calls_per_poll: int = 1):
        self.ledger = ledger
        # A refresh of several requests (one per bus stop) spends that many calls: its polls are
        # spaced by as many of the budget's intervals, so the day's spending stays even.
        self.calls_per_poll = max(1, calls_per_poll)

    def due(self, last_attempt: datetime | None, now: datetime) -> bool:
        last = trusted(last_attempt, now)
        if self.ledger.quota_block(now) is not None:
            # Due as far as timing goes: the coordinator then reports the block instead of calling.
            gap = timedelta(seconds=self.ledger.plan.min_interval_s)
            return last is None or now - last >= gap
        state = self.ledger.state(now)
        if self.calls_per_poll == 1:
            return budget.may_call(self.ledger.plan, state, last, now)
        step = budget.interval_s(self.ledger.plan, state, now)
        if step is None:
            return False
        return last is None or (now - last).total_seconds() >= step * self.calls_per_poll

    def may_retry(self, last_attempt: datetime | None, now: datetime) -> bool:
        # A retry costs a call like any other: it waits for the budget's interval too.
        return self.due(last_attempt, now)

    def next_due(self, last_attempt: datetime | None, now: datetime) -> datetime | None:
        """When ``due`` turns True at the pace of ``now`` (None: no call is planned now)."""
        last = trusted(last_attempt, now)
        if self.ledger.quota_block(now) is not None:
            gap: float | None = self.ledger.plan.min_interval_s
        else:
            gap = self.interval_s(now)
        if gap is None:
            return None
        return now if last is None else last + timedelta(seconds=gap)

    def next_retry(self, last_attempt: datetime | None, now: datetime) -> datetime | None:
        return self.next_due(last_attempt, now)

    def quota_block(self, now: datetime) -> str | None:
        return self.ledger.quota_block(now)

    def exhausted(self, now: datetime) -> None:
        self.ledger.exhausted(now)

    def next_opening(self, now: datetime) -> datetime:
        return self.ledger.next_opening(now)

    def idle_reason(self, now: datetime) -> str | None:
        """Why no calls are planned now although nothing failed (outside service hours), or None."""
        if budget.weight(self.ledger.plan, now) == 0:
            w = self.ledger.plan.service
            return f"outside service hours ({w.start:%H:%M}-{w.end:%H:%M} KST)"
        return None

    def interval_s(self, now: datetime) -> float | None:
        """The current spacing between polls (for status output)."""
        state = self.ledger.state(now)
        step = budget.interval_s(self.ledger.plan, state, now)
        return None if step is None else step * self.calls_per_poll


class IntervalPacer:
    """Refreshes every ``interval_s`` seconds, within an optional shared ledger's cap."""

    def __init__(self, interval_s: float, ledger: QuotaLedger | None = None):
        self.interval = timedelta(seconds=interval_s)
        self.ledger = ledger

    def due(self, last_attempt: datetime | None, now: datetime) -> bool:
        # A quota block is reported by the coordinator when the refresh comes due, not before:
        # a source with fresh data has nothing to report.
        last = trusted(last_attempt, now)
        return last is None or now - last >= self.interval

    def may_retry(self, last_attempt: datetime | None, now: datetime) -> bool:
        return True

    def next_due(self, last_attempt: datetime | None, now: datetime) -> datetime | None:
        last = trusted(last_attempt, now)
        return now if last is None else last + self.interval

    def next_retry(self, last_attempt: datetime | None, now: datetime) -> datetime | None:
        return now  # a retry waits only for its backoff

    def quota_block(self, now: datetime) -> str | None:
        return self.ledger.quota_block(now) if self.ledger else None

    def exhausted(self, now: datetime) -> None:
        if self.ledger:
            self.ledger.exhausted(now)

    def next_opening(self, now: datetime) -> datetime:
        return self.ledger.next_opening(now) if self.ledger else now + self.interval
