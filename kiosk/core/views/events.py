"""The events page: cultural events in the district this week, soonest first."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.core.geo import haversine_m
from kiosk.core.models import CulturalEvent
from kiosk.core.romanize import english_name
from kiosk.core.views.common import DataState

DEFAULT_EVENTS = 4
WINDOW_DAYS = 7
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
NEARBY_M = 5000  # events outside the district fill free rows when they are this close
_CATEGORY_EN = {
    "콘서트": "Concert",
    "클래식": "Classical music",
    "국악": "Korean traditional music",
    "독주/독창회": "Recital",
    "뮤지컬/오페라": "Musical / Opera",
    "연극": "Theatre",
    "무용": "Dance",
    "전시/미술": "Exhibition",
    "영화": "Film",
    "교육/체험": "Class / Hands-on",
    "축제": "Festival",
    "기타": "Other",
}


@dataclass(frozen=True)
class EventRow:
    title: str  # event titles are proper names: shown as published
    category_ko: str
    category_en: str
    place_ko: str
    place_en: str
    when_ko: str
    when_en: str
    free: bool | None
    district_ko: str = ""  # set only for events outside the station's district
    district_en: str = ""


@dataclass(frozen=True)
class EventsView:
    events: tuple[EventRow, ...]
    district_ko: str
    district_en: str
    state: DataState


def category_en(category: str) -> str:
    """English for a culturalEventInfo CODENAME ("축제-문화/예술" -> "Festival")."""
    if category in _CATEGORY_EN:
        return _CATEGORY_EN[category]
    head = category.split("-")[0]
    return _CATEGORY_EN.get(head, english_name(category))


def _day(d, today) -> tuple[str, str]:  # noqa: ANN001 (dates)
    if d == today:
        return ("오늘", "Today")
    if d == today + timedelta(days=1):
        return ("내일", "Tomorrow")
    wd = d.weekday()
    return (
        f"{d.month}.{d.day} ({'월화수목금토일'[wd]})",
        f"{('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')[wd]} {d.day} {_MONTHS[d.month - 1]}",
    )


def _when(e: CulturalEvent, now: datetime) -> tuple[str, str]:
    """When, as a passer-by needs it: "오늘 · Today", "내일부터 · From tomorrow", "11.29까지 · Until 29 Nov"."""
    today = now.date()
    start, end = e.starts.date(), e.ends.date()
    if start == end:  # a one-day event: just the day
        return _day(start, today)
    if start <= today:
        if end == today:
            return ("오늘까지", "Ends today")
        return (
            f"진행 중 · {end.month}.{end.day}까지",
            f"On now, until {end.day} {_MONTHS[end.month - 1]}",
        )
    ko, en = _day(start, today)
    return (f"{ko}부터", f"From {en[0].lower() + en[1:] if en in ('Today', 'Tomorrow') else en}")


def events_view(
    events: Iterable[CulturalEvent],
    district: str,
    now: datetime,
    state: DataState,
    max_items: int = DEFAULT_EVENTS,
    lat: float | None = None,
    lon: float | None = None,
) -> EventsView:
    """Events running at some point in the next week, soonest first: the district's own, then
    (to fill free rows) other districts' events within ``NEARBY_M`` of the station. Past events
    never show."""
    horizon = now + timedelta(days=WINDOW_DAYS)
    rows: list[EventRow] = []
    if state is not DataState.NO_DATA:
        current = [e for e in events if e.ends.date() >= now.date() and e.starts <= horizon]

        def soonest(e: CulturalEvent) -> tuple[datetime, datetime, str]:
            return (max(e.starts, now), e.ends, e.title)

        chosen = sorted((e for e in current if e.district == district), key=soonest)
        if len(chosen) < max_items and lat is not None and lon is not None:
            chosen += sorted(
                (
                    e
                    for e in current
                    if e.district != district
                    and e.lat is not None
                    and e.lon is not None
                    and haversine_m(lat, lon, e.lat, e.lon) <= NEARBY_M
                ),
                key=soonest,
            )
        for e in chosen[:max_items]:
            when_ko, when_en = _when(e, now)
            other = e.district if e.district != district else ""
            rows.append(
                EventRow(
                    " ".join(e.title.split()),
                    e.category,
                    category_en(e.category),
                    e.place,
                    english_name(e.place),
                    when_ko,
                    when_en,
                    e.is_free,
                    other,
                    english_name(other) if other else "",
                )
            )
    return EventsView(tuple(rows), district, english_name(district), state)
