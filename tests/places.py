"""Where panel schedules are evaluated in tests: a point with lat/lon, as the schedule expects."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Loc:
    lat: float
    lon: float


SEOUL = Loc(37.5665, 126.9780)  # the reference's sunrise/sunset table is for this point
