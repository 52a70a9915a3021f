"""What the running kiosk tells its metrics, from the objects it already has: the sources as
``kiosk status`` shows them, the panel's report, the notices on screen, the poller's ledgers.

The runner calls these on the GUI thread; each is a few sink calls (``metrics_sink.MetricsSink``,
``NullMetrics`` when metrics are off), so none of them waits on anything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from typing import Any

from kiosk.ops.metrics_sink import NOTICE_LEVELS, LedgerView, MetricsSink
from kiosk.ops.status import SourceStatus

# Panel report states (kiosk/panel/reconciler.py) in which the panel did not answer its check.
NOT_ANSWERING_STATES = frozenset({"not answering", "port unavailable"})
NOT_CHECKED = "not checked yet"


def feed_sources(sink: MetricsSink, sources: Iterable[SourceStatus]) -> None:
    """Each source's status and data time, judged as `kiosk status` judges them."""
    for s in sources:
        sink.snapshot(s.name, s.status, s.fetched_at)


def _on(power: Any) -> bool | None:
    return None if power is None else str(power) == "on"


def feed_panel(sink: MetricsSink, report: Any) -> None:
    """The panel's desired and read-back state from its report (a ``PanelReport``)."""
    state = str(getattr(report, "state", NOT_CHECKED))
    sink.panel(
        desired_on=_on(getattr(report, "desired_power", None)),
        actual_on=_on(getattr(report, "actual_power", None)),
        desired_backlight=getattr(report, "desired_backlight", None),
        actual_backlight=getattr(report, "actual_backlight", None),
        answering=None if state == NOT_CHECKED else state not in NOT_ANSWERING_STATES,
    )


def notice_counts(notices: Iterable[Any]) -> dict[str, int]:
    """How many notices of each level are in force (core ``Notice`` objects; every level named)."""
    counts = Counter(str(getattr(n, "level", "")) for n in notices)
    return {level: counts.get(level, 0) for level in NOTICE_LEVELS}


def feed_notices(sink: MetricsSink, notices: Iterable[Any]) -> None:
    """The notices on screen now, by level."""
    sink.notices(notice_counts(notices))


def feed_ledgers(sink: MetricsSink, ledgers: Iterable[LedgerView]) -> None:
    """Report these ledgers at every scrape (a new poller's replace the old ones by name)."""
    for ledger in ledgers:
        sink.watch_ledger(ledger)
