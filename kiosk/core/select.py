"""What of each API answer concerns this station. Pure functions of the parsed models and ``now``."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from kiosk.core.geo import haversine_m
from kiosk.core.models import AirReading, Arrival, BikeStation, CulturalEvent, Park, Trail
from kiosk.core.timeutil import KST


def arrivals_for(arrivals: Iterable[Arrival], lines: Sequence[str]) -> tuple[Arrival, ...]:
    """Rows of the station's lines, in the configured line order, soonest first (unknown ETA last).

    One row per train: see ``dedupe_arrivals``.
    """
    order = {line: i for i, line in enumerate(lines)}
    kept = [a for a in dedupe_arrivals(arrivals) if a.line_id in order]
    return tuple(
        sorted(kept, key=lambda a: (order[a.line_id], a.direction, a.eta_s is None, a.eta_s or 0))
    )


def dedupe_arrivals(arrivals: Iterable[Arrival]) -> tuple[Arrival, ...]:
    """One row per train (line, direction, train number), the newest ``received_at`` winning.

    The API repeats a train (the 2021 서울역 body lists train 0150 twice, 18:04:55 "전역 도착"
    and 18:07:01 "전역 출발"); shown twice it would fill both rows of its direction and hide
    the real second train. Rows without a train number are merged only when identical.
    Order is kept (the position of the train's first row).
    """
    chosen: dict[object, Arrival] = {}
    for a in arrivals:
        key: object = (a.line_id, a.direction, a.train_no) if a.train_no else a
        prev = chosen.get(key)
        if prev is None or a.received_at > prev.received_at:
            chosen[key] = a
    return tuple(chosen.values())


def air_for(readings: Iterable[AirReading], district: str) -> tuple[AirReading, ...]:
    """The district's reading(s), newest first ("영등포" matches "영등포구")."""
    want = _district_key(district)
    kept = [r for r in readings if _district_key(r.district) == want]
    return tuple(sorted(kept, key=lambda r: r.measured_at, reverse=True))


def _district_key(name: str) -> str:
    name = "".join(name.split())
    return name[:-1] if len(name) > 2 and name.endswith("구") else name


def distance_m(lat: float, lon: float, place_lat: float, place_lon: float) -> float:
    """Straight-line metres from the station to a place."""
    return haversine_m(lat, lon, place_lat, place_lon)


def nearest_parks(parks: Iterable[Park], lat: float, lon: float, n: int) -> tuple[Park, ...]:
    """The ``n`` parks nearest the station."""
    return tuple(sorted(parks, key=lambda p: distance_m(lat, lon, p.lat, p.lon))[:n])


def nearest_trails(trails: Iterable[Trail], lat: float, lon: float, n: int) -> tuple[Trail, ...]:
    """The ``n`` courses whose nearest point is closest to the station."""

    def reach(t: Trail) -> float:
        points = t.points or ((t.lat, t.lon),)
        return min(distance_m(lat, lon, p[0], p[1]) for p in points)

    return tuple(sorted(trails, key=reach)[:n])


def merge_trails(trails: Iterable[Trail]) -> tuple[Trail, ...]:
    """Join courses split across pages (same name): points in page order, first page's details."""
    merged: dict[str, Trail] = {}
    for t in trails:
        prev = merged.get(t.name)
        if prev is None:
            merged[t.name] = t
        else:
            extra = tuple(p for p in t.points if p not in prev.points)
            merged[t.name] = replace(prev, points=prev.points + extra)
    return tuple(merged.values())


def nearest_bikes(
    stations: Iterable[BikeStation], lat: float, lon: float, n: int
) -> tuple[BikeStation, ...]:
    """The ``n`` rental stations nearest the station."""
    return tuple(sorted(stations, key=lambda b: distance_m(lat, lon, b.lat, b.lon))[:n])


def week_of(now: datetime) -> tuple[datetime, datetime]:
    """This week as the kiosk means it: from today 00:00 KST for seven days."""
    start = now.astimezone(KST).replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=7)


NEARBY_EVENTS_M = 5000.0  # other districts' events this close may fill free rows on the page


def events_for(
    events: Iterable[CulturalEvent],
    district: str,
    now: datetime,
    lat: float | None = None,
    lon: float | None = None,
    near_m: float = NEARBY_EVENTS_M,
) -> tuple[CulturalEvent, ...]:
    """Events running at some time this week: the district's own first, then other districts'
    within ``near_m`` of the station; soonest first within each group, without duplicates."""
    start, end = week_of(now)
    want = _district_key(district)
    seen: set[tuple[str, str]] = set()
    own: list[CulturalEvent] = []
    nearby: list[CulturalEvent] = []
    for e in sorted(events, key=lambda e: (e.starts, e.title)):
        # END_DATE is the last day (00:00): the event runs until that day's end.
        if e.starts >= end or e.ends + timedelta(days=1) <= start:
            continue
        key = (" ".join(e.title.split()), " ".join(e.place.split()))
        if key in seen:
            continue
        if _district_key(e.district) == want:
            own.append(e)
        elif (
            lat is not None
            and lon is not None
            and e.lat is not None
            and e.lon is not None
            and distance_m(lat, lon, e.lat, e.lon) <= near_m
        ):
            nearby.append(e)
        else:
            continue
        seen.add(key)
    return tuple(own + nearby)
