"""What the kiosk tells its metrics, as a few calls; and the no-op used when metrics are off.

The runner holds one ``MetricsSink`` and calls it from wherever the event happens: the GUI
thread (``page_changed``, ``frame_painted``: an increment or an observe, nothing more), the
poller's listener (``snapshot``), the panel's listener (``panel``), the notice service
(``notices``). Every method is thread-safe and returns at once. Values that must be current
when Prometheus looks (data ages, quota left) are computed at scrape time from what was
pushed (``snapshot``'s fetch time) or pulled (``watch_ledger``).

This module loads nothing heavy: a kiosk with metrics off never imports prometheus_client.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Protocol

NOTICE_LEVELS = ("critical", "emergency", "advisory")


class PlanView(Protocol):
    """The part of a budget plan the metrics read."""

    @property
    def spendable(self) -> int: ...


class LedgerView(Protocol):
    """What the metrics read from a quota ledger at scrape time (``pacing.QuotaLedger`` is one)."""

    @property
    def name(self) -> str: ...

    @property
    def calls_made(self) -> int: ...

    @property
    def plan(self) -> PlanView: ...

    @property
    def sharing(self) -> bool | None: ...

    def remaining(self, now: datetime) -> int: ...


class MetricsSink(Protocol):
    """The calls the runner makes."""

    def page_changed(self) -> None:
        """A page change was shown."""
        ...

    def frame_painted(self, seconds: float) -> None:
        """A frame took ``seconds`` to paint."""
        ...

    def snapshot(self, source: str, status: str, fetched_at: datetime | None) -> None:
        """A source's current status (``FeedStatus`` value or "stale") and data time."""
        ...

    def panel(
        self,
        *,
        desired_on: bool | None,
        actual_on: bool | None,
        desired_backlight: int | None,
        actual_backlight: int | None,
        answering: bool | None,
    ) -> None:
        """The panel's desired and read-back state (None: unknown / no panel)."""
        ...

    def notices(self, active: Mapping[str, int]) -> None:
        """How many notices of each level are on now (levels not named: none)."""
        ...

    def watch_ledger(self, ledger: LedgerView) -> None:
        """Report this ledger's calls and what is left of its budget at every scrape."""
        ...


class NullMetrics:
    """Metrics off: every call does nothing."""

    def page_changed(self) -> None:
        """Nothing."""

    def frame_painted(self, seconds: float) -> None:
        """Nothing."""

    def snapshot(self, source: str, status: str, fetched_at: datetime | None) -> None:
        """Nothing."""

    def panel(
        self,
        *,
        desired_on: bool | None,
        actual_on: bool | None,
        desired_backlight: int | None,
        actual_backlight: int | None,
        answering: bool | None,
    ) -> None:
        """Nothing."""

    def notices(self, active: Mapping[str, int]) -> None:
        """Nothing."""

    def watch_ledger(self, ledger: LedgerView) -> None:
        """Nothing."""
