"""The buses page: per configured stop, its routes by soonest bus, paged on the rotation clock.

Minutes tick from ``eta_s − (now − fetched_at)``, where ``fetched_at`` is when the body was
really fetched (the bus's own, else the snapshot's): an answer served from the cache keeps
aging. A stop with more routes than fit is paged through while the page is on screen, a pure
function of the page's elapsed time, rather than shrinking the text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.busroutes import (
    ARRIVING,
    ENDED,
    RUNNING,
    STATE_WORDS,
    TURNING_BACK,
    WAITING,
    congestion_words,
    route_type_named,
)
from kiosk.core.models import BusArrival, FeedStatus, Snapshot
from kiosk.core.romanize import english_name
from kiosk.core.views.common import DataState

DEPARTED_GRACE_S = 60  # a countdown this far past zero: the bus has surely left
POSITION_VALID_S = 120  # "[3번째 전]" is true for about this long after the fetch
ARRIVING_VALID_S = 90  # "곧 도착" likewise
MIN_TURN_S = 6.0  # a sub-page stays at least this long: time to find one's bus
NO_NUMBER = ("도착 정보 없음", "No arrival info")
_NO_BUSES = "운행 중인 버스 없음 · No buses running now"
_FILTERED = "선택한 노선의 정보 없음 · No data for the chosen routes"
_SORT_RANK = {ARRIVING: 0.0, WAITING: 1e5, TURNING_BACK: 1e5 + 1, ENDED: 1e6}


@dataclass(frozen=True)
class StopSpec:
    """A configured stop (station.bus_stops), as plain values."""

    ars_id: str
    name_ko: str = ""
    name_en: str = ""
    routes: tuple[str, ...] = ()  # only these route numbers (or busRouteIds); () shows all


@dataclass(frozen=True)
class BusCell:
    """One coming bus as the screen shows it."""

    minutes: int | None  # whole minutes; None: show the status words instead
    status_ko: str
    status_en: str
    detail_ko: str  # "2번째 전", "첫차 04:00", "배차 12분"; "" for none
    detail_en: str
    congestion_ko: str  # "혼잡"; "" when not given
    congestion_en: str
    low_floor: bool
    last_bus: bool


@dataclass(frozen=True)
class RouteRow:
    route: str
    type_ko: str  # "간선"; "" when the body did not say
    type_en: str
    colour: str  # the route type's colour, for the number's badge
    direction_ko: str  # "신촌 방면"
    direction_en: str  # "to Sinchon"
    buses: tuple[BusCell, ...]  # one or two
    sort_s: float  # seconds to the first bus (ranks for buses without a countdown)


@dataclass(frozen=True)
class StopSection:
    """A stop's share of one sub-page: its header and some of its routes, or why it has none."""

    ars_id: str
    name_ko: str
    name_en: str
    rows: tuple[RouteRow, ...]
    first: int  # 1-based number of the first row shown
    total: int  # routes at the stop (after the routes filter)
    reason: str  # why there are no rows ("" when there are)


@dataclass(frozen=True)
class BusesView:
    sections: tuple[StopSection, ...]  # what the current sub-page shows
    page: int  # current sub-page (0-based)
    pages: int
    state: DataState


_PLACE_SUFFIXES = (
    ("광역환승센터", " Transfer Center"),
    ("버스환승센터", " Transfer Center"),
    ("환승센터", " Transfer Center"),
    ("공영차고지", " Depot"),
    ("차고지", " Depot"),
    ("백화점", " Dept. Store"),
    ("사거리", " Intersection"),
    ("삼거리", " Junction"),
    ("오거리", " Junction"),
    ("역", " Stn."),
)


_COMPLEX = re.compile(r"^(.+?)(주공)?(\d+)단지$")


def _part_english(part: str) -> str:
    complex_ = _COMPLEX.match(part)
    if complex_:  # "창동주공19단지" -> "Changdong Jugong 19", "OO12단지" -> "OO Complex 12"
        head, jugong, number = complex_.groups()
        return f"{english_name(head)} {'Jugong' if jugong else 'Complex'} {number}"
    for ko, en in _PLACE_SUFFIXES:
        if part.endswith(ko) and len(part) > len(ko):
            return english_name(part[: -len(ko)].removesuffix("역")) + en
    return english_name(part)


def place_english(name: str) -> str:
    """English for a stop or direction name: "신촌오거리.현대백화점" -> "Sinchon Junction · …"."""
    return " · ".join(_part_english(p.strip()) for p in re.split(r"[.·]", name) if p.strip())


def _natural(route: str) -> tuple[tuple[int, str], ...]:
    return tuple((int(p), "") if p.isdigit() else (0, p) for p in re.findall(r"\d+|\D+", route))


def bus_cell(a: BusArrival, age_s: float) -> BusCell | None:
    """The bus ``age_s`` seconds after its body was fetched; None once it has surely gone."""
    minutes: int | None = None
    detail = ("", "")
    status = STATE_WORDS.get(a.state, STATE_WORDS[RUNNING])
    moving = a.state in (RUNNING, ARRIVING)
    fresh_position = moving and age_s <= POSITION_VALID_S and a.stops_away is not None
    if fresh_position and a.stops_away is not None:
        n = a.stops_away
        detail = (f"{n}번째 전", f"{n} stop" if n == 1 else f"{n} stops")
    if a.state == RUNNING and a.eta_s is not None:
        left = a.eta_s - age_s
        if left < -DEPARTED_GRACE_S:
            return None
        if left < 60:
            status = STATE_WORDS[ARRIVING]
        else:
            minutes = int(left // 60)
    elif a.state == RUNNING:
        if not fresh_position:
            return None
        status, detail = detail, ("", "")
    elif a.state == ARRIVING:
        if age_s > ARRIVING_VALID_S:
            return None
    elif a.state == ENDED and a.first_time:
        detail = (f"첫차 {a.first_time}", f"First bus {a.first_time}")
    elif a.state in (WAITING, TURNING_BACK) and a.headway_min:
        detail = (f"배차 {a.headway_min}분", f"Every {a.headway_min} min")
    cong_ko, cong_en = congestion_words(a.congestion)
    return BusCell(
        minutes, status[0], status[1], *detail, cong_ko, cong_en, a.low_floor, a.last_bus
    )


def _sort_s(a: BusArrival | None, cell: BusCell | None, age_s: float) -> float:
    if a is None or cell is None:
        return 1e7
    if cell.minutes is not None and a.eta_s is not None:
        return a.eta_s - age_s
    if a.state == RUNNING:
        return 0.0 if cell.status_ko == STATE_WORDS[ARRIVING][0] else 120.0 * (a.stops_away or 9)
    return _SORT_RANK.get(a.state, 1e7)


def route_row(buses: Sequence[BusArrival], base: datetime | None, now: datetime) -> RouteRow:
    """One route at a stop: its first and second coming bus as of ``now``."""
    first = buses[0]
    cells: list[BusCell] = []
    lead: tuple[BusArrival, BusCell] | None = None
    for a in sorted(buses, key=lambda b: b.order):
        fetched = a.fetched_at or base or now
        cell = bus_cell(a, max(0.0, (now - fetched).total_seconds()))
        if cell is None:
            continue
        same = bool(cells) and (cell.status_ko, cell.detail_ko) == (
            cells[-1].status_ko,
            cells[-1].detail_ko,
        )
        if same and cell.minutes is None and cells[-1].minutes is None:
            continue  # "운행종료" twice says nothing more than once
        cells.append(cell)
        lead = lead or (a, cell)
    if not cells:
        cells.append(BusCell(None, *NO_NUMBER, "", "", "", "", False, False))
    age = max(0.0, (now - (lead[0].fetched_at or base or now)).total_seconds()) if lead else 0.0
    kind = route_type_named(first.route_type)
    # "신촌오거리.현대백화점" names a stop by two landmarks: the first says which way.
    direction = re.split(r"[.·]", first.direction or first.next_stop)[0].strip()
    return RouteRow(
        route=first.route,
        type_ko=kind.ko if first.route_type else "",
        type_en=kind.en if first.route_type else "",
        colour=kind.colour,
        direction_ko=f"{direction} 방면" if direction else "",
        direction_en=f"to {place_english(direction)}" if direction else "",
        buses=tuple(cells[:2]),
        sort_s=_sort_s(lead[0] if lead else None, lead[1] if lead else None, age),
    )


def stop_rows(
    items: Sequence[BusArrival], spec: StopSpec, base: datetime | None, now: datetime
) -> list[RouteRow]:
    """The stop's routes (filtered by ``spec.routes``), soonest bus first."""
    wanted = set(spec.routes)
    groups: dict[tuple[str, str, str], list[BusArrival]] = {}
    for a in items:
        if a.ars_id != spec.ars_id or (wanted and not {a.route, a.route_id} & wanted):
            continue
        groups.setdefault((a.route_id or a.route, a.route, a.direction), []).append(a)
    rows = [route_row(g, base, now) for g in groups.values()]
    return sorted(rows, key=lambda r: (r.sort_s, _natural(r.route), r.direction_ko))


def page_index(pages: int, elapsed_s: float, duration_s: float, visit: int = 0) -> int:
    """Which sub-page shows ``elapsed_s`` into a page's ``visit``-th time on screen.

    Each sub-page gets an equal share of the page's duration; when that share would be under
    MIN_TURN_S the visit shows what fits and the next visit carries on from there.
    """
    if pages <= 1:
        return 0
    elapsed = max(0.0, elapsed_s)
    if duration_s / pages >= MIN_TURN_S:
        return int(elapsed * pages / duration_s) % pages
    per_visit = max(1, int(duration_s // MIN_TURN_S))
    return (visit * per_visit + int(elapsed // MIN_TURN_S)) % pages


def paginate(
    boards: Sequence[tuple[StopSpec, str, str, list[RouteRow], str]], rows_per_page: int
) -> list[tuple[StopSection, ...]]:
    """Sub-pages of ``rows_per_page`` route rows; a second stop on a page costs a row for its
    header, and a stop that does not fit whole starts a fresh page."""
    per = max(1, rows_per_page)
    pages: list[list[StopSection]] = [[]]
    used = 0
    for spec, ko, en, rows, reason in boards:
        need = max(1, len(rows))
        if pages[-1] and used + 1 + need > per:
            pages.append([])
            used = 0
        start = 0
        while True:
            cost = 1 if pages[-1] else 0
            room = max(1, per - used - cost)
            part = rows[start : start + room]
            total = len(rows)
            pages[-1].append(
                StopSection(spec.ars_id, ko, en, tuple(part), start + 1, total, reason)
            )
            used += cost + max(1, len(part))
            start += room
            if start >= len(rows):
                break
            pages.append([])
            used = 0
    return [tuple(p) for p in pages if p]


def _reason(
    spec: StopSpec, snapshot: Snapshot[BusArrival] | None, had_items: bool, why: str
) -> str:
    answered = (FeedStatus.OK, FeedStatus.EMPTY, FeedStatus.STALE)
    if snapshot is None or (not snapshot.items and snapshot.status not in answered):
        return why  # the source failed and has nothing: its reason, not "no buses"
    return _FILTERED if had_items else _NO_BUSES


def buses_view(
    snapshot: Snapshot[BusArrival] | None,
    stops: Sequence[StopSpec],
    now: datetime,
    state: DataState,
    *,
    rows_per_page: int,
    elapsed_s: float = 0.0,
    duration_s: float = 15.0,
    visit: int = 0,
    why: str = "",
) -> BusesView:
    """The buses page at ``now``, ``elapsed_s`` seconds into its ``visit``-th time on screen.

    ``why`` is the reason the whole source has nothing to show (the page's no-data words).
    """
    usable = snapshot is not None and state is not DataState.NO_DATA
    items = snapshot.items if usable and snapshot is not None else ()
    base = snapshot.fetched_at if snapshot is not None else None
    boards = []
    for spec in stops:
        rows = stop_rows(items, spec, base, now) if usable else []
        name = spec.name_ko or next((a.stop for a in items if a.ars_id == spec.ars_id), "")
        ko = name or f"정류소 {spec.ars_id}"
        en = spec.name_en or (place_english(name) if name else f"Stop {spec.ars_id}")
        had = any(a.ars_id == spec.ars_id for a in items)
        reason = "" if rows else (_reason(spec, snapshot, had, why) if usable else why)
        boards.append((spec, ko, en, rows, reason))
    pages = paginate(boards, rows_per_page) if boards else [()]
    index = page_index(len(pages), elapsed_s, duration_s, visit)
    return BusesView(pages[index], index, len(pages), state)
