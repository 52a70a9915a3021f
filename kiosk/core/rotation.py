"""Which page is on screen, as a pure function of the clock (mbta/screens style paging)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RotationPosition:
    index: int  # page on screen
    seconds_left: float  # until the next page change
    cycle: int  # how many full rotations have completed


def position_at(durations: Sequence[float], elapsed_s: float) -> RotationPosition:
    """The page on screen ``elapsed_s`` seconds after the rotation started.

    Pages skipped by ``active`` filtering are the caller's business: pass only the durations
    of the pages that rotate. A negative elapsed time (clock stepped back) pins the first page.
    """
    if not durations:
        raise ValueError("no pages to rotate")
    if any(d <= 0 for d in durations):
        raise ValueError("page durations must be positive")
    total = float(sum(durations))
    if elapsed_s < 0:
        return RotationPosition(0, durations[0], 0)
    cycle, into = divmod(elapsed_s, total)
    for i, d in enumerate(durations):
        if into < d:
            return RotationPosition(i, d - into, int(cycle))
        into -= d
    return RotationPosition(len(durations) - 1, 0.0, int(cycle))  # float edge: end of cycle
