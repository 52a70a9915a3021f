"""Seoul walking courses (``SeoulGilWalkCourse``, 서울두드림길) -> ``Trail`` models.

Each row is one course *point*; rows are grouped by COURSE_NAME into one Trail. X/Y are
projected "GRS80TM" metres (converted with ``kiosk.core.tm``); a row whose X/Y already look like
WGS84 degrees is taken as is. No raw body of this service is public (reference §8.2), so the
parser is deliberately liberal about value types.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote

from kiosk.core.models import Trail
from kiosk.core.tm import seoul_tm_to_wgs84
from kiosk.sources._common import (
    Parsed,
    load_json,
    openapi_url,
    raw_rows,
    to_float,
    to_int,
    to_str,
    upper_keys,
    usable_rows,
    wgs84_of,
)

SERVICE = "SeoulGilWalkCourse"
_DISTANCE = re.compile(r"(\d+(?:[.,]\d+)?)\s*(km|㎞|킬로미터|m|미터)?", re.I)
# The longest course (the whole 서울둘레길) is 157 km; a longer one is a garbage DISTANCE.
MAX_DISTANCE_KM = 1000.0
# One course point as read: (course name, (lat, lon), the row for its other fields).
_Point = tuple[str, tuple[float, float], dict[str, Any]]


def request_url(base: str, key: str, start: int = 1, end: int = 1000, course: str = "") -> str:
    """URL for a page of course points, optionally for one COURSE_NAME."""
    url = openapi_url(base, key, SERVICE, start, end)
    return url + f"{quote(course.strip(), safe='')}/" if course.strip() else url


def point_of(x_value: object, y_value: object) -> tuple[float, float] | None:
    """(lat, lon) of a course point from X/Y: WGS84 as given (either order), else GRS80 TM."""
    x, y = to_float(x_value), to_float(y_value)
    if x is None or y is None:
        return None
    return wgs84_of(y, x) or seoul_tm_to_wgs84(x, y)


def distance_km(value: object) -> float | None:
    """DISTANCE as km: "6.3km" / "6.3" / "3,200m"; a bare number above 100 is taken as metres."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number, unit = float(value), ""
    else:
        match = _DISTANCE.search(to_str(value))
        if match is None:
            return None
        number, unit = float(match.group(1).replace(",", "")), (match.group(2) or "").lower()
    if unit in ("m", "미터") or (not unit and number > 100):
        number /= 1000.0
    if not math.isfinite(number) or not 0 < number <= MAX_DISTANCE_KM:
        return None  # NaN, "9999…9" (inf as a float), 0, absurd
    return round(number, 3)


def _first(rows: Sequence[dict[str, Any]], key: str) -> str:
    return next((v for v in (to_str(r.get(key)) for r in rows) if v), "")


def _point(row: dict[str, Any]) -> _Point | None:
    name = " ".join(to_str(row.get("COURSE_NAME")).split())
    point = point_of(row.get("X"), row.get("Y"))
    return (name, point, row) if name and point is not None else None


def _trail(name: str, course: list[_Point]) -> Trail:
    ids = [to_int(row.get("CPI_IDX")) for _, _, row in course]
    if all(i is not None for i in ids):  # points arrive in any order; CPI_IDX runs along the course
        course = [c for _, c in sorted(zip(ids, course, strict=True), key=lambda p: p[0] or 0)]
    rows = [row for _, _, row in course]
    points: list[tuple[float, float]] = []
    for _, point, _ in course:
        if not points or points[-1] != point:
            points.append(point)
    return Trail(
        name=name,
        district=_first(rows, "AREA_GU"),
        lat=points[0][0],
        lon=points[0][1],
        distance_km=next((d for d in (distance_km(r.get("DISTANCE")) for r in rows) if d), None),
        duration=_first(rows, "LEAD_TIME"),
        level=_first(rows, "COURSE_LEVEL"),
        points=tuple(points),
    )


def parse_rows(body: bytes | str, now: datetime) -> Parsed[Trail]:
    """Courses in first-seen order, with the count of point rows dropped (no course name or no
    usable X/Y); MalformedResponse when the body has rows and none is usable."""
    del now
    data = upper_keys(load_json(body))
    rows = raw_rows(data, [(SERVICE.upper(), "ROW")], row_marker="COURSE_NAME")
    points = usable_rows("trails", rows, _point)
    courses: dict[str, list[_Point]] = {}
    for point in points.items:
        courses.setdefault(point[0], []).append(point)
    trails = tuple(_trail(name, course) for name, course in courses.items())
    return Parsed(trails, points.rows, points.dropped)


def parse(body: bytes | str, now: datetime) -> tuple[Trail, ...]:
    """Courses in first-seen order, each with its points; () for INFO-200. ``now`` is unused."""
    return parse_rows(body, now).items
