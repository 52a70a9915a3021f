"""How old a source's data is, and what the screen may claim about it. Pure: ``now`` is a parameter.

Three states, by the age of the data against two thresholds per source (config
``sources.freshness.<source>``):

    age < stale_after                       FRESH        show normally
    stale_after <= age < unavailable_after  STALE        keep showing, visibly marked, with the age
    unavailable_after <= age, or no data    UNAVAILABLE  the no-data card, never old numbers

The age is measured from when the data was true, not just when it was fetched: an air-quality
reading measured at 15:00 and fetched at 17:50 is already 2 h 50 min old.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.models import FeedStatus


class Freshness(enum.Enum):
    """Whether data may be shown as current, shown as old, or not shown at all."""

    FRESH = "fresh"
    STALE = "stale"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class FreshnessPolicy:
    """Seconds of age at which a source's data turns stale, then unavailable."""

    stale_after_s: float
    unavailable_after_s: float

    def __post_init__(self) -> None:
        if not 0 < self.stale_after_s <= self.unavailable_after_s:
            raise ValueError(
                f"need 0 < stale_after ({self.stale_after_s}) <= unavailable_after "
                f"({self.unavailable_after_s})"
            )


def data_time(fetched_at: datetime | None, items: Iterable[object] = ()) -> datetime | None:
    """When the data was true: the fetch time, or the items' own time if that is earlier.

    Items with ``measured_at`` (air readings) count by the oldest of them: every reading shown
    must be current. Items with ``received_at`` (arrivals, generated per row) count by the
    newest: a body is as current as its latest row, and rows left over from before (a train
    that did not move) are dropped row by row on the page; but a body whose rows are all two
    days old is two days old, however recently it was fetched.
    """
    if fetched_at is None:
        return None
    items = tuple(items)
    since = fetched_at
    measured = [_time_of(i, "measured_at") for i in items]
    oldest = min((m for m in measured if m is not None), default=None)
    if oldest is not None:
        since = min(since, oldest)
    received = [_time_of(i, "received_at") for i in items]
    newest = max((r for r in received if r is not None), default=None)
    if newest is not None:
        since = min(since, newest)
    return since


def _time_of(item: object, name: str) -> datetime | None:
    value = getattr(item, name, None)
    return value if isinstance(value, datetime) and value.tzinfo is not None else None


def age_s(since: datetime | None, now: datetime) -> float | None:
    """Seconds from ``since`` to ``now`` (never negative: a clock a little ahead is not the future)."""
    if since is None:
        return None
    return max(0.0, (now - since).total_seconds())


def assess(since: datetime | None, now: datetime, policy: FreshnessPolicy) -> Freshness:
    """The freshness of data that was true at ``since``; no data at all is UNAVAILABLE."""
    age = age_s(since, now)
    if age is None or age >= policy.unavailable_after_s:
        return Freshness.UNAVAILABLE
    if age >= policy.stale_after_s:
        return Freshness.STALE
    return Freshness.FRESH


def feed_status(freshness: Freshness, failure: FeedStatus | None, empty: bool) -> FeedStatus:
    """Combine the data's freshness with the last attempt's outcome into the status the screen shows.

    ``failure`` is the status of a failed last attempt (ERROR, RATE_LIMITED, UNAUTHORIZED) or None
    when it succeeded. A key or quota problem is always named, whatever the data's age; a
    transient error with data still fresh stays OK (the error line tells operators).
    """
    if failure in (FeedStatus.UNAUTHORIZED, FeedStatus.RATE_LIMITED):
        return failure
    if freshness is Freshness.UNAVAILABLE:
        return FeedStatus.EMPTY if empty and failure is None else FeedStatus.ERROR
    if freshness is Freshness.STALE:
        return FeedStatus.STALE
    return FeedStatus.EMPTY if empty else FeedStatus.OK
