"""Seoul parks (``SearchParkInfoService``) -> ``Park`` models with WGS84 positions.

Keys are matched case-insensitively (copies of this service's rows circulate with lower-case
keys). A park is kept only when its LATITUDE/LONGITUDE (WGS84) are usable: the GRS80 TM pair
in G_LATITUDE/G_LONGITUDE has been seen ~190 m away from the WGS84 pair of the same park, too
far for "nearest park", so it is not used as a fallback. Reference §8.1.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from kiosk.core.models import Park
from kiosk.sources._common import (
    Parsed,
    load_json,
    openapi_url,
    raw_rows,
    to_str,
    upper_keys,
    usable_rows,
    wgs84_of,
)

SERVICE = "SearchParkInfoService"
_FACILITY_SPLIT = re.compile(r"[,，、]")


def request_url(base: str, key: str, start: int = 1, end: int = 1000) -> str:
    """URL for every park in one page (about 130 exist; the API caps a page at 1,000 rows)."""
    return openapi_url(base, key, SERVICE, start, end)


def split_facilities(text: object) -> tuple[str, ...]:
    """MAIN_EQUIP "탐방객안내소, 야외전시대, …" -> ("탐방객안내소", "야외전시대", …)."""
    parts = (" ".join(p.split()) for p in _FACILITY_SPLIT.split(to_str(text)))
    return tuple(p for p in parts if p)


def _park(row: dict[str, Any]) -> Park | None:
    name = to_str(row.get("P_PARK"))
    position = wgs84_of(row.get("LATITUDE"), row.get("LONGITUDE"))
    if not name or position is None:
        return None
    return Park(
        park_id=to_str(row.get("P_IDX")),
        name=name,
        district=to_str(row.get("P_ZONE")),
        lat=position[0],
        lon=position[1],
        address=" ".join(to_str(row.get("P_ADDR")).split()),
        facilities=split_facilities(row.get("MAIN_EQUIP")),
        area=to_str(row.get("AREA")),
        phone=to_str(row.get("P_ADMINTEL")),
    )


def parse_rows(body: bytes | str, now: datetime) -> Parsed[Park]:
    """The parks of a body with the count of rows dropped (no name or usable WGS84 position)."""
    del now
    data = upper_keys(load_json(body))
    rows = raw_rows(data, [(SERVICE.upper(), "ROW")], row_marker="P_PARK")
    return usable_rows("parks", rows, _park)


def parse(body: bytes | str, now: datetime) -> tuple[Park, ...]:
    """Every park with usable WGS84 coordinates; () for INFO-200. ``now`` is unused (static data)."""
    return parse_rows(body, now).items
