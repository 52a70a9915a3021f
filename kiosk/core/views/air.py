"""The air-quality page: PM10 and PM2.5 for the station's district, with grades and a trend."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.core.grades import GRADE_LABELS, pm10_grade, pm25_grade
from kiosk.core.models import AirReading
from kiosk.core.romanize import english_name
from kiosk.core.views.common import DataState

TREND_HOURS = 24
TICK_EVERY_H = 6


@dataclass(frozen=True)
class PollutantTile:
    name_ko: str  # 미세먼지 / 초미세먼지
    name_en: str  # PM10 / PM2.5
    value: float | None
    grade: str | None  # good/moderate/bad/very_bad; None when the value is missing
    grade_ko: str
    grade_en: str


@dataclass(frozen=True)
class TrendSeries:
    """The last 24 hours on a clock-hour axis that ends at the next full hour (``end``).

    Anchored to the hour, not to the second: the chart is the same picture for a whole hour
    unless a reading arrives, so it is drawn about twice an hour, not once a frame.
    """

    x_hours: tuple[float, ...]  # x: hours before ``end`` (negative numbers, oldest first)
    pm10: tuple[float | None, ...]
    pm25: tuple[float | None, ...]
    end: datetime | None = None
    ticks: tuple[tuple[float, str], ...] = ()  # (x, "HH:00") every six clock hours


@dataclass(frozen=True)
class AirView:
    district_ko: str
    district_en: str
    measured_at: datetime | None
    pm10: PollutantTile
    pm25: PollutantTile
    trend: TrendSeries
    state: DataState


def _tile(name_ko: str, name_en: str, value: float | None, grade: str | None) -> PollutantTile:
    ko, en = (
        GRADE_LABELS.get(grade, ("정보 없음", "No data")) if grade else ("정보 없음", "No data")
    )
    return PollutantTile(name_ko, name_en, value, grade, ko, en)


def _whole(value: float | None) -> float | None:
    """Round half up to a whole ㎍/㎥ (Python's round() would send 30.5 to 30)."""
    return None if value is None else float(int(value + 0.5))


def trend(history: Iterable[AirReading], district: str, now: datetime) -> TrendSeries:
    """The district's readings of the last 24 hours, one point per measurement time."""
    end = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)
    since = end - timedelta(hours=TREND_HOURS)
    by_time: dict[datetime, AirReading] = {}
    for r in history:
        if r.district == district and since <= r.measured_at <= now:
            by_time[r.measured_at] = r
    points = [by_time[t] for t in sorted(by_time)]
    ticks = []
    for back in range(TREND_HOURS, -1, -1):
        t = end - timedelta(hours=back)
        if t.hour % TICK_EVERY_H == 0:
            ticks.append((float(-back), f"{t:%H}:00"))
    return TrendSeries(
        tuple((r.measured_at - end).total_seconds() / 3600 for r in points),
        tuple(r.pm10 for r in points),
        tuple(r.pm25 for r in points),
        end,
        tuple(ticks),
    )


def air_view(
    current: Iterable[AirReading],
    history: Iterable[AirReading],
    district: str,
    now: datetime,
    state: DataState,
) -> AirView:
    """Build the air page for ``district`` from the latest readings and the kept history."""
    reading = None
    if state is not DataState.NO_DATA:
        mine = [r for r in current if r.district == district]
        reading = max(mine, key=lambda r: r.measured_at) if mine else None
    # Graded as shown: the screen prints whole numbers, so the grade must follow the printed
    # value (30.4 shows "30", which is 좋음, not the 보통 of 30.4).
    pm10 = _whole(reading.pm10) if reading else None
    pm25 = _whole(reading.pm25) if reading else None
    return AirView(
        district_ko=district,
        district_en=english_name(district),
        measured_at=reading.measured_at if reading else None,
        pm10=_tile("미세먼지", "PM10", pm10, pm10_grade(pm10)),
        pm25=_tile("초미세먼지", "PM2.5", pm25, pm25_grade(pm25)),
        trend=trend(history, district, now),
        state=state if reading else DataState.NO_DATA,
    )
