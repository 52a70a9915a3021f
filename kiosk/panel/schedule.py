"""What the schedule says should hold at a moment: pure functions of (schedule, now, location).

``state_at`` is what the reconciler uses on start and after a reload, so a kiosk rebooted at
03:00 after a 01:10 power-off stays dark instead of lighting up until the next entry fires.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache
from typing import Literal, Protocol

from astral import Observer
from astral.sun import dawn, dusk, sunrise, sunset

from kiosk.panel.grammar import AtSpec
from kiosk.panel.settings import ScheduleEntry

Power = Literal["on", "off"]
# How far back to look for the last entry that applied. A holidays-only entry may be
# months old; a year covers every selector the grammar allows.
MAX_LOOKBACK_DAYS = 370
_SUN_FUNCS: dict[str, Callable[..., datetime]] = {
    "sunrise": sunrise,
    "sunset": sunset,
    "dawn": dawn,
    "dusk": dusk,
}


class HasLatLon(Protocol):
    """Anything with ``lat``/``lon`` (config ``station.location``)."""

    @property
    def lat(self) -> float: ...

    @property
    def lon(self) -> float: ...


@dataclass(frozen=True)
class DesiredState:
    """What the schedule asks for now, and since when (None: no entry has applied yet)."""

    power: Power | None = None
    power_since: datetime | None = None
    backlight: int | None = None
    backlight_since: datetime | None = None


@lru_cache(maxsize=1024)
def _sun_time(event: str, lat: float, lon: float, day: date, tz: tzinfo) -> datetime | None:
    try:
        return _SUN_FUNCS[event](Observer(lat, lon), day, tzinfo=tz)
    except ValueError:  # the sun never reaches that elevation that day (not in Korea)
        return None


def fire_time(spec: AtSpec, day: date, location: HasLatLon, tz: tzinfo) -> datetime | None:
    """When an ``at`` spec fires on ``day`` in ``tz`` (sun events at the station's coordinates)."""
    if spec.kind == "time":
        return datetime.combine(day, time(spec.minutes // 60, spec.minutes % 60), tz)
    base = _sun_time(spec.kind, round(location.lat, 4), round(location.lon, 4), day, tz)
    if base is None:
        return None
    # Whole seconds: firings show up in logs and the status file.
    return (base + timedelta(minutes=spec.minutes)).replace(microsecond=0)


def firings_on(
    schedule: Sequence[ScheduleEntry],
    day: date,
    location: HasLatLon,
    holidays: Container[date],
    tz: tzinfo,
) -> list[tuple[datetime, int]]:
    """Every (fire time, entry index) whose ``days`` match ``day``, sorted by time then index."""
    out: list[tuple[datetime, int]] = []
    is_hol = day in holidays
    for i, entry in enumerate(schedule):
        if not entry.day_spec.matches(day, is_hol):
            continue
        when = fire_time(entry.at_spec, day, location, tz)
        if when is not None:
            out.append((when, i))
    out.sort()
    return out


def _days_back(start: date) -> Iterator[date]:
    for k in range(MAX_LOOKBACK_DAYS + 1):
        yield start - timedelta(days=k)


def state_at(
    schedule: Sequence[ScheduleEntry],
    now: datetime,
    location: HasLatLon,
    holidays: Container[date],
) -> DesiredState:
    """The state the schedule says should hold at ``now``: the latest power and backlight entries."""
    if now.tzinfo is None:
        raise ValueError("state_at needs an aware datetime (KST)")
    tz = now.tzinfo
    want_power = any(e.power is not None for e in schedule)
    want_light = any(e.backlight is not None for e in schedule)
    best_power: tuple[datetime, int] | None = None
    best_light: tuple[datetime, int] | None = None
    # An offset of up to 6 h can move a firing into the next calendar day, so after the first
    # hit we still look one more day back before trusting it.
    stop_after: date | None = None
    for day in _days_back(now.date() + timedelta(days=1)):
        if stop_after is not None and day < stop_after:
            break
        for when, i in firings_on(schedule, day, location, holidays, tz):
            if when > now:
                continue
            entry = schedule[i]
            if entry.power is not None and (best_power is None or (when, i) > best_power):
                best_power = (when, i)
            if entry.backlight is not None and (best_light is None or (when, i) > best_light):
                best_light = (when, i)
        found_all = (best_power is not None or not want_power) and (
            best_light is not None or not want_light
        )
        if found_all and stop_after is None:
            stop_after = day - timedelta(days=1)
    return DesiredState(
        power=schedule[best_power[1]].power if best_power else None,
        power_since=best_power[0] if best_power else None,
        backlight=schedule[best_light[1]].backlight if best_light else None,
        backlight_since=best_light[0] if best_light else None,
    )


def next_firings(
    schedule: Sequence[ScheduleEntry],
    after: datetime,
    location: HasLatLon,
    holidays: Container[date],
    days: int = 2,
) -> list[tuple[datetime, ScheduleEntry]]:
    """Firings strictly after ``after`` over the next ``days`` calendar days, in order."""
    tz = after.tzinfo
    if tz is None:
        raise ValueError("next_firings needs an aware datetime (KST)")
    out: list[tuple[datetime, int]] = []
    for k in range(-1, days + 1):
        day = after.date() + timedelta(days=k)
        out.extend(f for f in firings_on(schedule, day, location, holidays, tz) if f[0] > after)
    out.sort()
    return [(when, schedule[i]) for when, i in out]


def korean_holidays(years: Iterable[int] | None = None) -> Container[date]:
    """South Korean public holidays (lunar New Year, Chuseok, substitute days) from ``holidays``."""
    import holidays as holidays_lib  # imported here: only schedules with holiday selectors need it

    return holidays_lib.country_holidays("KR", years=list(years) if years else None)
