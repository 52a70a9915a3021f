"""Particulate-matter grades (환경부 / AirKorea breakpoints, reference §5) and their labels.

Bands are published as integer ranges (PM10 0–30 / 31–80 / 81–150 / ≥151). A fractional value
between two bands (30.4) falls in the higher band: each band is "up to and including its upper
bound", so 30 is good and anything above 30 is moderate. This errs towards warning people,
and agrees with the integer table for every integer value.
"""

from __future__ import annotations

import math
from typing import Literal

Grade = Literal["good", "moderate", "bad", "very_bad"]

# Upper bounds (inclusive) of good, moderate, bad; above the last is very_bad.
PM10_BOUNDS = (30.0, 80.0, 150.0)
PM25_BOUNDS = (15.0, 35.0, 75.0)
_ORDER: tuple[Grade, ...] = ("good", "moderate", "bad", "very_bad")

GRADE_LABELS: dict[str, tuple[str, str]] = {
    "good": ("좋음", "Good"),
    "moderate": ("보통", "Moderate"),
    "bad": ("나쁨", "Unhealthy"),
    "very_bad": ("매우나쁨", "Very unhealthy"),
}
# The API's own grade words (CAI_GRD / IDEX_NM) -> our grade keys.
GRADE_FROM_KO: dict[str, Grade] = {
    "좋음": "good",
    "보통": "moderate",
    "나쁨": "bad",
    "매우나쁨": "very_bad",
}


def _grade(value: float | None, bounds: tuple[float, float, float]) -> Grade | None:
    if value is None or isinstance(value, bool) or not math.isfinite(value) or value < 0:
        return None
    for grade, upper in zip(_ORDER, bounds, strict=False):
        if value <= upper:
            return grade
    return "very_bad"


def pm10_grade(value: float | None) -> Grade | None:
    """Grade of a PM10 concentration (㎍/㎥); None when missing or negative."""
    return _grade(value, PM10_BOUNDS)


def pm25_grade(value: float | None) -> Grade | None:
    """Grade of a PM2.5 concentration (㎍/㎥); None when missing or negative."""
    return _grade(value, PM25_BOUNDS)


def worst(*grades: str | None) -> Grade | None:
    """The worse of several grades (None ignored); None when all are None."""
    known = [g for g in grades if g in _ORDER]
    return max(known, key=_ORDER.index) if known else None  # type: ignore[return-value]
