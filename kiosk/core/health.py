"""A source's health at a moment: what the screen may show, what status output claims, and why.

One policy, one function: the coordinator judges a snapshot with it when it publishes, and the
UI, ``kiosk status``, the screen log and metrics judge the same snapshot with it again at their
own ``now`` (data keeps ageing between snapshots). Pure: ``now`` is a parameter.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.core.format import duration_text
from kiosk.core.freshness import Freshness, FreshnessPolicy, age_s, assess, data_time, feed_status
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.views.common import DataState

FAILURES = frozenset({FeedStatus.ERROR, FeedStatus.RATE_LIMITED, FeedStatus.UNAUTHORIZED})


@dataclass(frozen=True)
class Health:
    """How a source stands at one moment."""

    state: DataState  # what a page may show: fresh data, stale data with its age, or no data
    status: FeedStatus  # what status output claims (the `kiosk fetch --json` status words)
    freshness: Freshness  # the data's age against the policy alone
    age_s: float | None  # seconds since the data was true (None: never received)
    reason: str | None  # one line: the last failure, or "no new data for 2 h"; None when fine

    @property
    def showable(self) -> bool:
        """Whether the source's items may be shown (or listed) at all."""
        return self.state is not DataState.NO_DATA


def failure_of(snap: Snapshot) -> FeedStatus | None:
    """How the last attempt failed: the snapshot's ``failure``, or a failing published status."""
    if snap.failure is not None:
        return snap.failure
    return snap.status if snap.status in FAILURES else None


def health(snap: Snapshot | None, policy: FreshnessPolicy, now: datetime) -> Health:
    """Judge ``snap`` at ``now`` by ``policy``."""
    if snap is None:
        return Health(DataState.NO_DATA, FeedStatus.ERROR, Freshness.UNAVAILABLE, None, None)
    since = snap.data_at if snap.data_at is not None else data_time(snap.fetched_at, snap.items)
    fresh = assess(since, now, policy)
    age = age_s(since, now)
    failure = failure_of(snap)
    # "No data" is what the API said (INFO-200), not a snapshot emptied because it aged out.
    empty = not snap.items and snap.status is FeedStatus.EMPTY
    status = feed_status(fresh, failure, empty)
    reason = snap.error
    if fresh is Freshness.UNAVAILABLE and snap.note is not None and failure is None:
        status = FeedStatus.EMPTY  # e.g. no trains run now: nothing is wrong
    elif reason is None and fresh is Freshness.UNAVAILABLE and snap.fetched_at is not None:
        reason = f"no new data for {duration_text(age)}"
    return Health(_state(snap, fresh, status), status, fresh, age, reason)


def state_until(snap: Snapshot | None, policy: FreshnessPolicy, now: datetime) -> datetime | None:
    """When ``health(snap, policy, t).state`` can next differ from its state at ``now`` (for t
    after ``now``); None: not before the snapshot changes. The state moves with the clock only
    where the data's age reaches ``stale_after_s`` or ``unavailable_after_s``."""
    if snap is None:
        return None
    since = snap.data_at if snap.data_at is not None else data_time(snap.fetched_at, snap.items)
    if since is None:
        return None
    steps = (policy.stale_after_s, policy.unavailable_after_s)
    later = [t for t in (since + timedelta(seconds=s) for s in steps) if t > now]
    return min(later, default=None)


def _state(snap: Snapshot, fresh: Freshness, status: FeedStatus) -> DataState:
    if snap.fetched_at is None or fresh is Freshness.UNAVAILABLE:
        return DataState.NO_DATA
    if status in FAILURES and not snap.items:
        return DataState.NO_DATA
    if fresh is Freshness.STALE or status not in (FeedStatus.OK, FeedStatus.EMPTY):
        return DataState.STALE
    return DataState.FRESH
