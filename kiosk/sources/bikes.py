"""Ttareungyi (따릉이) stations (``bikeList``) -> ``BikeStation`` models.

The body's wrapper key is ``rentBikeStatus``, not the service name. ``shared`` (bikes / racks in
%) can exceed 100: a station may hold more bikes than racks, so counts are kept as given.
At most 1,000 rows per call: page with ``request_url(start, end)``. Reference §7.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from kiosk.core.models import BikeStation
from kiosk.sources._common import (
    Parsed,
    load_json,
    openapi_url,
    raw_rows,
    to_int,
    to_str,
    usable_rows,
    wgs84_of,
)

SERVICE = "bikeList"
WRAPPER = "rentBikeStatus"
PAGE_SIZE = 1000
_NUMBER_PREFIX = re.compile(r"^\s*\d+\s*[.)]\s*")
# The largest Ttareungyi stations have a few dozen racks (and may hold a few more bikes than
# racks); a count beyond this is garbage (1e300 rounds to an int fine) and drops the row.
MAX_COUNT = 1000


def request_url(base: str, key: str, start: int = 1, end: int = PAGE_SIZE) -> str:
    """URL for one page of stations (the API returns at most 1,000 rows per call)."""
    return openapi_url(base, key, SERVICE, start, end)


def plain_name(name: str) -> str:
    """ "102. 망원역 1번출구 앞" -> "망원역 1번출구 앞" (the number is the one painted on the dock)."""
    return _NUMBER_PREFIX.sub("", name).strip()


def _station(row: dict[str, Any]) -> BikeStation | None:
    station_id = to_str(row.get("stationId"))
    position = wgs84_of(row.get("stationLatitude"), row.get("stationLongitude"))
    racks, bikes = to_int(row.get("rackTotCnt")), to_int(row.get("parkingBikeTotCnt"))
    if (
        not station_id
        or position is None
        or racks is None
        or bikes is None
        or min(racks, bikes) < 0
        or max(racks, bikes) > MAX_COUNT
    ):
        return None
    return BikeStation(
        station_id=station_id,
        name=" ".join(to_str(row.get("stationName")).split()),
        lat=position[0],
        lon=position[1],
        racks=racks,
        bikes=bikes,
    )


def parse_rows(body: bytes | str, now: datetime) -> Parsed[BikeStation]:
    """The stations of a body with the count of rows dropped (no id, position or sane counts)."""
    del now
    rows = raw_rows(load_json(body), [(WRAPPER, "row"), (SERVICE, "row")], row_marker="stationId")
    return usable_rows("bikes", rows, _station)


def parse(body: bytes | str, now: datetime) -> tuple[BikeStation, ...]:
    """Every station with a position and counts; () for INFO-200. ``now`` is unused."""
    return parse_rows(body, now).items
