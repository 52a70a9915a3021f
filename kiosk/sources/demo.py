"""Demo mode: replay the bundled recordings (kiosk/demo/) through the real parsers.

Every datetime in the result is moved forward by (now − recording time) so the demo always
looks current: arrivals exactly (their age stays seconds); air readings by whole hours, so a
measurement stays on the hour (at most ~73 min old, as with the live API); events by whole
days, so an event keeps its time of day.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import fields, replace
from datetime import datetime, timedelta
from importlib import resources
from typing import Any

from kiosk.core.timeutil import KST
from kiosk.errors import MalformedResponse, SourceError
from kiosk.sources import air, bikes, bus, events, parks, subway, trails

RECORDED_AT = datetime(2026, 11, 20, 8, 14, tzinfo=KST)
SOURCES = ("subway", "air", "air_history", "parks", "trails", "bikes", "events", "bus")
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
_FILES = {
    "air": "air.json",
    "parks": "parks.json",
    "trails": "trails.json",
    "bikes": "bikes.json",
    "events": "events.json",
}
_PARSERS: dict[str, Callable[[bytes | str, datetime], tuple[Any, ...]]] = {
    "subway": subway.parse,
    "air": air.parse,
    "parks": parks.parse,
    "trails": trails.parse,
    "bikes": bikes.parse,
    "events": events.parse,
}


def station_key(station_name: str) -> str:
    """The recording key for a station name ("여의도", "여의도역", "Hongik Univ."); SourceError if none."""
    name = station_name.strip().removesuffix("역")
    key = STATIONS.get(name) or _ALIASES.get(re.sub(r"[^a-z]", "", name.lower()))
    if key is None:
        known = ", ".join(STATIONS)
        raise SourceError(f"no demo data for station {station_name!r}; demo stations: {known}")
    return key


def _read(name: str) -> bytes:
    return resources.files("kiosk.demo").joinpath(name).read_bytes()


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


def _delta(source: str, now: datetime) -> timedelta:
    exact = now - RECORDED_AT
    if source in ("air", "air_history"):
        return timedelta(hours=math.floor(exact.total_seconds() / 3600))
    if source == "events":
        return timedelta(days=(now.astimezone(KST).date() - RECORDED_AT.date()).days)
    return exact


def _parse(source: str, key: str) -> tuple[Any, ...]:
    if source == "subway":
        return subway.parse(_read(f"subway_{key}.json"), RECORDED_AT)
    if source == "bus":  # one stop per station; ETAs count from the snapshot's fetch time
        return bus.parse(_read(f"bus_{key}.json"), RECORDED_AT)
    if source == "air_history":
        bodies = json.loads(_read("air_history.json"))
        if not isinstance(bodies, list):
            raise MalformedResponse("demo air_history.json is not a list of bodies")
        return tuple(r for body in bodies for r in air.parse(json.dumps(body), RECORDED_AT))
    return _PARSERS[source](_read(_FILES[source]), RECORDED_AT)


def load_demo(source: str, station_name: str, now: datetime) -> tuple[Any, ...]:
    """The bundled recording of ``source`` for a demo station, parsed and moved to ``now``.

    City-wide sources (air, parks, trails, bikes, events) return every item, as the live API
    does; the caller filters and sorts. Unknown source or station: SourceError.
    """
    if source not in SOURCES:
        raise SourceError(f"no demo recording for source {source!r}; sources: {', '.join(SOURCES)}")
    key = station_key(station_name)
    return _shift(_parse(source, key), _delta(source, now))
