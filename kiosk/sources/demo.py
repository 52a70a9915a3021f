"""Demo mode: the bundled recordings (kiosk/demo/) replayed through the real parsers.

A source's registry entry names its ``Recording``; ``Recording.load`` reads it, parses it as of
the recording time and moves every datetime forward by (now − recording time), so the demo
always looks current: arrivals exactly (their age stays seconds); air readings by whole hours,
so a measurement stays on the hour (at most ~73 min old, as with the live API); events by whole
days, so an event keeps its time of day.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from kiosk.core.timeutil import KST
from kiosk.errors import MalformedResponse, SourceError

RECORDED_AT = datetime(2026, 11, 20, 8, 14, tzinfo=KST)
# subway_station value -> recording key; English names are accepted as well.
STATIONS = {"여의도": "yeouido", "홍대입구": "hongik", "창동": "changdong"}
_ALIASES = {
    "yeouido": "yeouido",
    "hongik": "hongik",
    "hongikuniv": "hongik",
    "hongikuniversity": "hongik",
    "hongdae": "hongik",
    "changdong": "changdong",
}

Parse = Callable[[bytes | str, datetime], tuple[Any, ...]]


class Shift(enum.Enum):
    """How a recording's times move to the present."""

    EXACT = "exact"  # by the exact time since the recording (arrivals: seconds old stay so)
    HOURS = "hours"  # by whole hours (measurements stay on the hour)
    DAYS = "days"  # by whole calendar days (events keep their time of day)


def station_key(station_name: str) -> str:
    """The recording key for a station name ("여의도", "여의도역", "Hongik Univ."); SourceError if none."""
    name = station_name.strip().removesuffix("역")
    key = STATIONS.get(name) or _ALIASES.get(re.sub(r"[^a-z]", "", name.lower()))
    if key is None:
        known = ", ".join(STATIONS)
        raise SourceError(f"no demo data for station {station_name!r}; demo stations: {known}")
    return key


@dataclass(frozen=True)
class Recording:
    """A bundled body (or, with ``bodies``, a JSON list of bodies) and how its times move.

    ``file`` may contain ``{station}``: then each demo station has its own recording.
    """

    file: str
    shift: Shift = Shift.EXACT
    bodies: bool = False

    def load(self, parse: Parse, station_name: str, now: datetime) -> tuple[Any, ...]:
        """The recording parsed with ``parse`` and moved to ``now``."""
        key = station_key(station_name)  # also for city-wide files: an unknown station has no demo
        raw = _read(self.file.format(station=key))
        if self.bodies:
            bodies = json.loads(raw)
            if not isinstance(bodies, list):
                raise MalformedResponse(f"demo {self.file} is not a list of bodies")
            items = tuple(i for body in bodies for i in parse(json.dumps(body), RECORDED_AT))
        else:
            items = parse(raw, RECORDED_AT)
        return _shift(items, _delta(self.shift, now))


def _read(name: str) -> bytes:
    try:
        return resources.files("kiosk.demo").joinpath(name).read_bytes()
    except FileNotFoundError:
        raise SourceError(f"no demo recording {name}") from None


def _shift(items: tuple[Any, ...], delta: timedelta) -> tuple[Any, ...]:
    if not delta:
        return items
    return tuple(
        replace(
            item,
            **{
                f.name: getattr(item, f.name) + delta
                for f in fields(item)
                if isinstance(getattr(item, f.name), datetime)
            },
        )
        for item in items
    )


def _delta(shift: Shift, now: datetime) -> timedelta:
    exact = now - RECORDED_AT
    if shift is Shift.HOURS:
        return timedelta(hours=math.floor(exact.total_seconds() / 3600))
    if shift is Shift.DAYS:
        return timedelta(days=(now.astimezone(KST).date() - RECORDED_AT.date()).days)
    return exact
