"""The parks page: nearest parks and walking trails, with walking distance and a schematic."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.core.geo import (
    WALK_DETOUR_FACTOR,
    bearing_deg,
    haversine_m,
    walking_distance_m,
    walking_minutes,
)
from kiosk.core.models import Park, Trail
from kiosk.core.romanize import english_name
from kiosk.core.views.common import DataState

DEFAULT_PARKS = 4
MAX_WALK_M = 2500.0  # about half an hour on foot: farther is not "nearby"
DEFAULT_TRAILS = 2
MAX_FACILITIES = 2


@dataclass(frozen=True)
class PlaceRow:
    number: int  # matches the marker on the schematic
    name_ko: str
    name_en: str
    walk_m: float  # estimated walking distance
    walk_min: int
    bearing: float  # degrees from north, for the schematic
    straight_m: float  # straight-line distance, for the schematic's scale
    detail_ko: str  # facilities, or the trail's length and time
    detail_en: str
    item_id: str = ""  # the park's id (parks only): {park} in the page's QR url


@dataclass(frozen=True)
class ParksView:
    parks: tuple[PlaceRow, ...]
    trails: tuple[PlaceRow, ...]
    state: DataState
    trails_state: DataState


_FACILITY_EN = {
    "산책로": "walking paths",
    "자전거도로": "bike path",
    "운동시설": "fitness area",
    "놀이터": "playground",
    "어린이놀이터": "playground",
    "잔디광장": "lawn",
    "화장실": "toilets",
    "주차장": "parking",
    "수영장": "pool",
    "생태연못": "pond",
    "전망대": "viewpoint",
    "체육시설": "sports",
    "음수대": "water fountain",
    "농구장": "basketball",
    "축구장": "football",
    "테니스장": "tennis",
    "매점": "kiosk",
    "캠핑장": "camping",
    "물놀이장": "water play",
    "데크": "deck",
}


def _duration_en(text: str) -> str:
    """ "1시간 30분" -> "1 h 30 min"; text without Korean units comes back unchanged."""
    out = re.sub(r"(\d+)\s*시간", r"\1 h ", text)
    out = re.sub(r"(\d+)\s*분", r"\1 min ", out)
    return " ".join(out.split())


def _facility_en(name: str) -> str:
    """English for a facility; "" when unknown (a transliterated common noun helps nobody)."""
    for ko, en in _FACILITY_EN.items():
        if ko in name:
            return en
    return ""


def _place(
    number: int,
    lat0: float,
    lon0: float,
    lat: float,
    lon: float,
    name: str,
    detail_ko: str,
    detail_en: str,
    item_id: str = "",
) -> PlaceRow:
    walk = walking_distance_m(lat0, lon0, lat, lon)
    return PlaceRow(
        number,
        name,
        english_name(name),
        walk,
        walking_minutes(walk),
        bearing_deg(lat0, lon0, lat, lon),
        haversine_m(lat0, lon0, lat, lon),
        detail_ko,
        detail_en,
        item_id,
    )


def parks_view(
    parks: Iterable[Park],
    trails: Iterable[Trail],
    lat: float,
    lon: float,
    state: DataState,
    trails_state: DataState,
    max_parks: int = DEFAULT_PARKS,
    max_trails: int = DEFAULT_TRAILS,
) -> ParksView:
    """Nearest parks and trails to the station, numbered nearest first.

    "Nearby" means within ``MAX_WALK_M`` on foot; the nearest one is kept even if farther, so
    the page never claims there is nothing.
    """
    ordered = sorted(parks, key=lambda p: haversine_m(lat, lon, p.lat, p.lon))
    near_parks = [
        p
        for i, p in enumerate(ordered)
        if i == 0 or walking_distance_m(lat, lon, p.lat, p.lon) <= MAX_WALK_M
    ][:max_parks]
    rows = []
    for i, p in enumerate(near_parks, start=1):
        fac = [f for f in p.facilities if f][:MAX_FACILITIES]
        rows.append(
            _place(
                i,
                lat,
                lon,
                p.lat,
                p.lon,
                p.name,
                " · ".join(fac),
                ", ".join(e for e in dict.fromkeys(_facility_en(f) for f in fac) if e),
                p.park_id,
            )
        )

    def trail_distance(t: Trail) -> float:
        pts = t.points or ((t.lat, t.lon),)
        return min(haversine_m(lat, lon, a, b) for a, b in pts)

    ordered_trails = sorted(trails, key=trail_distance)
    near_trails = [
        t
        for i, t in enumerate(ordered_trails)
        if i == 0 or trail_distance(t) * WALK_DETOUR_FACTOR <= MAX_WALK_M
    ][:max_trails]
    trail_rows = []
    for j, t in enumerate(near_trails, start=len(rows) + 1):
        pts = t.points or ((t.lat, t.lon),)
        a, b = min(pts, key=lambda q: haversine_m(lat, lon, q[0], q[1]))
        # The length once (it reads the same in both languages), then the time in each.
        km = f"{t.distance_km:g} km" if t.distance_km else ""
        duration = " ".join(t.duration.split())
        detail_ko = " · ".join(x for x in (km, duration) if x)
        dur_en = _duration_en(duration)
        detail_en = dur_en if dur_en != duration else ""
        trail_rows.append(_place(j, lat, lon, a, b, t.name, detail_ko, detail_en))
    if state is DataState.NO_DATA:
        rows = []
    if trails_state is DataState.NO_DATA:
        trail_rows = []
    return ParksView(tuple(rows), tuple(trail_rows), state, trails_state)
