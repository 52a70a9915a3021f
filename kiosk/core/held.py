"""A value worked out at one moment that holds, for the same inputs, until a known later one.

The second's tick keeps what it showed while nothing can have changed: the footer's ages until
the next minute step of one (``format.age_text_until``), a source's state until its data's age
reaches a threshold (``health.state_until``), the arrivals view until its next step
(``views.arrivals.arrivals_view_until``). Each keeps a ``Held`` and works the value out again
when ``holds`` says no.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Held(Generic[T]):
    """``value``, worked out at ``since`` from ``inputs``; it holds until ``until`` (None: for as
    long as the inputs stay)."""

    inputs: tuple[object, ...]  # compared by identity: snapshots and states never change
    since: datetime
    until: datetime | None
    value: T

    def holds(self, inputs: tuple[object, ...], now: datetime) -> bool:
        """Whether ``value`` is still what working it out from ``inputs`` at ``now`` gives (a
        clock set back before ``since`` works it out again)."""
        return (
            len(inputs) == len(self.inputs)
            and all(a is b for a, b in zip(inputs, self.inputs, strict=True))
            and self.since <= now
            and (self.until is None or now < self.until)
        )
