"""The Ttareungyi page: the nearest bike stations, bikes to rent and docks to return to."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from kiosk.core.geo import haversine_m, walking_distance_m, walking_minutes
from kiosk.core.models import BikeStation
from kiosk.core.romanize import english_name
from kiosk.core.views.common import DataState

DEFAULT_STATIONS = 5
_NUMBER_PREFIX = re.compile(r"^\s*\d+\s*[.)]\s*")


@dataclass(frozen=True)
class BikeRow:
    name_ko: str
    name_en: str
    bikes: int
    docks_free: int
    walk_m: float
    walk_min: int


@dataclass(frozen=True)
class BikesView:
    stations: tuple[BikeRow, ...]
    state: DataState


def station_name(raw: str) -> str:
    """ "102. 망원역 1번출구 앞" -> "망원역 1번출구 앞" (the number is the operator's, not the commuter's)."""
    return _NUMBER_PREFIX.sub("", raw).strip() or raw.strip()


_EXIT = re.compile(r"^(\d+)번\s*출구$")
_DROP = {"앞", "옆", "뒤", "인근", "부근"}


def _english(name: str) -> str:
    """ "여의나루역 1번출구 앞" -> "Yeouinaru Stn. Exit 1"."""
    out = []
    for w in name.split():
        exit_ = _EXIT.match(w)
        if w in _DROP:
            continue
        if exit_:
            out.append(f"Exit {exit_.group(1)}")
        elif w.endswith("역") and len(w) > 1:
            out.append(english_name(w[:-1]) + " Stn.")
        else:
            out.append(english_name(w))
    return " ".join(out)


def bikes_view(
    stations: Iterable[BikeStation],
    lat: float,
    lon: float,
    state: DataState,
    max_items: int = DEFAULT_STATIONS,
) -> BikesView:
    """The nearest stations to the kiosk, nearest first."""
    if state is DataState.NO_DATA:
        return BikesView((), state)
    near = sorted(stations, key=lambda s: haversine_m(lat, lon, s.lat, s.lon))[:max_items]
    rows = []
    for s in near:
        name = station_name(s.name)
        walk = walking_distance_m(lat, lon, s.lat, s.lon)
        rows.append(
            BikeRow(name, _english(name), s.bikes, s.docks_free, walk, walking_minutes(walk))
        )
    return BikesView(tuple(rows), state)
