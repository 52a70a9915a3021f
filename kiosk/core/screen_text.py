"""What a page showed, as compact text lines for the screen log ("5호선 방화행 3분").

Built from the page's view model (the same pure data the widgets were given), never from the
widgets: one line per arrival, per reading, per place, per event. A page kind registers its
view type with ``lines_of.register``.
"""

from __future__ import annotations

from functools import singledispatch

from kiosk.core.format import distance_text
from kiosk.core.views.air import AirView, PollutantTile
from kiosk.core.views.arrivals import ArrivalsView, TrainRow
from kiosk.core.views.bikes import BikesView
from kiosk.core.views.buses import BusCell, BusesView
from kiosk.core.views.common import DataState
from kiosk.core.views.events import EventsView
from kiosk.core.views.parks import ParksView, PlaceRow

STALE_MARK = "▲ 지연된 정보 · Delayed data"


@singledispatch
def lines_of(view: object) -> list[str]:
    """The text lines of a page's view model; none for a page without one."""
    return []


def _stale(state: DataState) -> list[str]:
    return [STALE_MARK] if state is DataState.STALE else []


def _train(line: str, t: TrainRow) -> str:
    when = f"{t.minutes}분" if t.minutes is not None else t.status_ko
    tags = "".join(f" ({tag})" for tag, on in (("급행", t.express), ("막차", t.last_train)) if on)
    return f"{line} {t.destination_ko}행 {when}{tags}"


@lines_of.register
def _(view: ArrivalsView) -> list[str]:
    out = _stale(view.state)
    for line in view.lines:
        if not line.has_data:
            out.append(
                f"{line.name_ko} 운행 중인 열차 없음"
                if line.no_trains
                else f"{line.name_ko} 정보 없음"
            )
            continue
        for direction in line.directions:
            out += [_train(line.name_ko, t) for t in direction.trains]
    return out


def _tile(t: PollutantTile) -> str:
    value = "-" if t.value is None else f"{t.value:g}"
    return f"{t.name_ko} {value} {t.grade_ko}".rstrip()


@lines_of.register
def _(view: AirView) -> list[str]:
    if view.state is DataState.NO_DATA or view.measured_at is None:
        return [f"{view.district_ko} 대기질 정보 없음"]
    measured = view.measured_at.strftime("%H:%M")
    return [
        *_stale(view.state),
        f"{view.district_ko} {_tile(view.pm10)} · {_tile(view.pm25)} ({measured} 측정)",
    ]


def _place(kind: str, p: PlaceRow) -> str:
    return f"{kind} {p.number}. {p.name_ko} 도보 {p.walk_min}분 ({distance_text(p.walk_m)})"


@lines_of.register
def _(view: ParksView) -> list[str]:
    out = _stale(view.state)
    out += [_place("공원", p) for p in view.parks] or ["공원 정보 없음"]
    out += [_place("산책로", t) for t in view.trails] or ["산책로 정보 없음"]
    return out


@lines_of.register
def _(view: BikesView) -> list[str]:
    rows = [f"따릉이 {s.name_ko}: 대여 {s.bikes}대 · 반납 {s.docks_free}대" for s in view.stations]
    return [*_stale(view.state), *rows] if rows else ["따릉이 정보 없음"]


@lines_of.register
def _(view: EventsView) -> list[str]:
    rows = [f"행사 {e.title} · {e.when_ko} · {e.place_ko}" for e in view.events]
    return [*_stale(view.state), *rows] if rows else ["행사 정보 없음"]


def _bus(route: str, direction: str, cell: BusCell) -> str:
    when = f"{cell.minutes}분" if cell.minutes is not None else cell.status_ko
    tags = "".join(f" ({t})" for t, on in (("저상", cell.low_floor), ("막차", cell.last_bus)) if on)
    return f"{route}번 {direction} {when}{tags}"


@lines_of.register
def _(view: BusesView) -> list[str]:
    out = _stale(view.state)
    for stop in view.sections:
        if not stop.rows:
            out.append(f"정류소 {stop.ars_id} {stop.name_ko}: {stop.reason}".rstrip(": "))
            continue
        for row in stop.rows:
            out += [_bus(row.route, row.direction_ko, cell) for cell in row.buses]
    return out
