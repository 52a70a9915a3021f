"""Seoul cultural events (``culturalEventInfo``) -> ``CulturalEvent`` models.

Quirks handled (reference §9): MAIN_IMG with a doubled host prefix, LAT/LOT swapped, empty,
"0" or "37.57~2", STRTDATE/END_DATE with ".0", rows repeated with only whitespace changed, and
past events mixed in. ``parse`` returns every event; ``upcoming`` picks what to show.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, time, timedelta
from typing import Any

from kiosk.core.models import CulturalEvent
from kiosk.core.timeutil import parse_kst
from kiosk.sources._common import (
    Parsed,
    load_json,
    openapi_url,
    raw_rows,
    to_str,
    usable_rows,
    wgs84_of,
)

SERVICE = "culturalEventInfo"
_LEADING_NUMBER = re.compile(r"^\s*(\d+(?:\.\d+)?)")
_DATE_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*~\s*(\d{4}-\d{2}-\d{2})")
# "http://culture.seoul.go.kr" glued in front of an absolute URL (2020 capture); only a bare host
# counts as the prefix, so a URL carrying another URL in its query string is left alone.
_DOUBLED_HOST = re.compile(r"^(?:https?://[^/\s]+?)+(?=https?://)")
_FREE = {"무료": True, "유료": False}


def request_url(
    base: str,
    key: str,
    start: int = 1,
    end: int = 1000,
    category: str = "",
    title: str = "",
    month: str = "",
) -> str:
    """URL for a page of events; category / title / month ("YYYY-MM") filters are optional."""
    if not (category or title or month):
        return openapi_url(base, key, SERVICE, start, end)
    return openapi_url(base, key, SERVICE, start, end, category, title, month)


def clean_image_url(url: object) -> str:
    """Strip the doubled prefix: "http://culture.seoul.go.krhttp://www.x/y.jpg" -> "http://www.x/y.jpg"."""
    return _DOUBLED_HOST.sub("", to_str(url))


def coordinate(value: object) -> str | None:
    """The valid numeric part of a LAT/LOT value ("37.5718961547884~2" -> "37.5718961547884")."""
    match = _LEADING_NUMBER.match(to_str(value))
    return match.group(1) if match else None


def _times(row: dict[str, Any]) -> tuple[datetime, datetime] | None:
    starts, ends = parse_kst(row.get("STRTDATE")), parse_kst(row.get("END_DATE"))
    if starts is None or ends is None:  # the trimmed 2026 rows carry only DATE "a~b"
        match = _DATE_RANGE.search(to_str(row.get("DATE")))
        if match is not None:
            starts = starts or parse_kst(match.group(1))
            ends = ends or parse_kst(match.group(2))
    if starts is None:
        return None
    ends = ends or starts
    if ends.time() == time(0):  # END_DATE is a date at 00:00: the event runs through that day
        ends = ends + timedelta(days=1) - timedelta(seconds=1)
    return starts, max(starts, ends)


def _event(row: dict[str, Any]) -> CulturalEvent | None:
    title = " ".join(to_str(row.get("TITLE")).split())
    times = _times(row)
    if not title or times is None:
        return None
    position = wgs84_of(coordinate(row.get("LAT")), coordinate(row.get("LOT")))
    return CulturalEvent(
        title=title,
        category=to_str(row.get("CODENAME")),
        district=to_str(row.get("GUNAME")),
        place=" ".join(to_str(row.get("PLACE")).split()),
        starts=times[0],
        ends=times[1],
        is_free=_FREE.get(to_str(row.get("IS_FREE"))),
        fee=to_str(row.get("USE_FEE")),
        lat=position[0] if position else None,
        lon=position[1] if position else None,
        url=to_str(row.get("HMPG_ADDR")) or to_str(row.get("ORG_LINK")),
        image_url=clean_image_url(row.get("MAIN_IMG")),
    )


def _dedupe_key(event: CulturalEvent) -> tuple[str, str, datetime, datetime]:
    squash = "".join
    return squash(event.title.split()), squash(event.place.split()), event.starts, event.ends


def _registered_event(row: dict[str, Any]) -> tuple[str, CulturalEvent] | None:
    event = _event(row)
    return None if event is None else (to_str(row.get("RGSTDATE")), event)


def parse_rows(body: bytes | str, now: datetime) -> Parsed[CulturalEvent]:
    """The events of a body with the count of rows dropped (no title or readable dates).

    Duplicates that differ only in whitespace are merged (not counted as dropped): the most
    recently registered row (RGSTDATE) wins, as it carries the fixed text.
    """
    del now
    rows = raw_rows(load_json(body), [(SERVICE, "row")], row_marker="TITLE")
    parsed = usable_rows("events", rows, _registered_event)
    chosen: dict[tuple[str, str, datetime, datetime], tuple[str, CulturalEvent]] = {}
    for registered, event in parsed.items:
        key = _dedupe_key(event)
        if key not in chosen or registered > chosen[key][0]:
            chosen[key] = (registered, event)
    return Parsed(tuple(event for _, event in chosen.values()), parsed.rows, parsed.dropped)


def parse(body: bytes | str, now: datetime) -> tuple[CulturalEvent, ...]:
    """Every event (past ones too), duplicates that differ only in whitespace merged; () for INFO-200."""
    return parse_rows(body, now).items


def upcoming(
    events: Iterable[CulturalEvent], now: datetime, days: int = 7, district: str | None = None
) -> tuple[CulturalEvent, ...]:
    """Events running now or starting within ``days``, optionally in one district, soonest first."""
    horizon = now + timedelta(days=days)
    kept = (
        e
        for e in events
        if e.ends >= now and e.starts <= horizon and (district is None or e.district == district)
    )
    return tuple(sorted(kept, key=lambda e: (e.starts, e.title)))
