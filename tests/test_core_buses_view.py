"""The buses page view: countdowns from the fetch time, states in words, order, paging."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from kiosk.core.models import BusArrival, FeedStatus, Snapshot
from kiosk.core.timeutil import KST
from kiosk.core.views.buses import (
    MIN_TURN_S,
    StopSpec,
    buses_view,
    page_index,
    paginate,
    place_english,
    stop_rows,
)
from kiosk.core.views.common import DataState

NOW = datetime(2026, 11, 20, 8, 14, tzinfo=KST)
STOP = StopSpec("19007", "여의도환승센터", "Yeouido Transfer Center")
FRESH = DataState.FRESH


def bus(
    route: str, order: int = 1, eta: int | None = 300, state: str = "running", **kw
) -> BusArrival:
    base: dict[str, object] = dict(
        ars_id="19007",
        stop="여의도환승센터",
        route=route,
        route_type="간선",
        direction="도봉산",
        order=order,
        eta_s=eta,
        stops_away=3,
        message="",
        state=state,
        last_bus=False,
        low_floor=False,
        congestion=None,
        route_id=f"id-{route}",
    )
    base.update(kw)
    return BusArrival(**base)  # type: ignore[arg-type]


def view(items, fetched=NOW, now=NOW, stops=(STOP,), state=FRESH, rows=5, **kw):
    snap = Snapshot("bus", tuple(items), fetched, **kw.pop("snap", {}))
    return buses_view(snap, stops, now, state, rows_per_page=rows, **kw)


def cells(v, i=0):
    return v.sections[0].rows[i].buses


# --- countdowns -----------------------------------------------------------------------------------


def test_minutes_tick_from_the_fetch_time_so_a_cached_answer_keeps_aging():
    items = [bus("160", 1, 610), bus("160", 2, 1300, stops_away=11)]
    fresh = view(items, fetched=NOW, now=NOW)
    assert [c.minutes for c in cells(fresh)] == [10, 21]
    # The same body served from the cache 3 minutes later: not 10 again, but 7.
    cached = view(items, fetched=NOW, now=NOW + timedelta(minutes=3), snap={"from_cache": True})
    assert [c.minutes for c in cells(cached)] == [7, 18]
    ticking = [
        cells(view(items, fetched=NOW, now=NOW + timedelta(seconds=s)))[0].minutes
        for s in (0, 10, 11, 70, 71)
    ]
    assert ticking == [10, 10, 9, 9, 8]


def test_a_bus_s_own_fetch_time_wins_over_the_snapshot_s():
    early = NOW - timedelta(seconds=120)
    items = [bus("160", 1, 610, fetched_at=early), bus("261", 1, 610)]
    v = view(items, fetched=early - timedelta(minutes=10), now=NOW)
    got = {r.route: r.buses[0].minutes for r in v.sections[0].rows}
    assert got == {"160": 8, "261": None}  # 261 counted from the snapshot: 10 min ago, gone


def test_under_a_minute_is_arriving_in_words_and_a_passed_bus_gives_way_to_the_next():
    items = [bus("160", 1, 100), bus("160", 2, 700)]
    soon = cells(view(items, now=NOW + timedelta(seconds=45)))
    assert (soon[0].minutes, soon[0].status_ko, soon[0].status_en) == (None, "곧 도착", "Arriving")
    gone = cells(view(items, now=NOW + timedelta(seconds=100 + 61)))
    assert [c.minutes for c in gone] == [8]  # only the second bus is left


def test_states_without_an_eta_are_words_never_zero():
    items = [
        bus("503", 1, None, "waiting_to_depart", headway_min=10),
        bus("662", 1, None, "turning_back"),
        bus("N16", 1, None, "service_ended", first_time="04:00"),
        bus("N16", 2, None, "service_ended", first_time="04:00"),
        bus("9707", 1, 20, "arriving", stops_away=None),
    ]
    rows = {r.route: r.buses for r in view(items).sections[0].rows}
    words = {
        k: [(c.minutes, c.status_ko, c.status_en, c.detail_ko, c.detail_en) for c in v]
        for k, v in rows.items()
    }
    assert words == {
        "503": [(None, "출발대기", "Waiting to depart", "배차 10분", "Every 10 min")],
        "662": [(None, "회차대기", "Turning back", "", "")],
        "N16": [(None, "운행종료", "Service ended", "첫차 04:00", "First bus 04:00")],  # once
        "9707": [(None, "곧 도착", "Arriving", "", "")],
    }


def test_stops_away_congestion_and_marks_in_words():
    items = [bus("160", 1, 400, stops_away=1, congestion="혼잡", low_floor=True, last_bus=True)]
    c = cells(view(items))[0]
    assert (c.minutes, c.detail_ko, c.detail_en, c.congestion_ko, c.congestion_en) == (
        6,
        "1번째 전",
        "1 stop",
        "혼잡",
        "Crowded",
    )
    assert c.low_floor and c.last_bus
    later = cells(view(items, now=NOW + timedelta(seconds=150)))[0]
    assert later.minutes == 4 and later.detail_ko == ""  # where it was is no longer true


def test_a_position_without_a_time_says_so_and_expires():
    items = [bus("160", 1, None, stops_away=4)]
    c = cells(view(items))[0]
    assert (c.minutes, c.status_ko, c.status_en) == (None, "4번째 전", "4 stops")
    late = cells(view(items, now=NOW + timedelta(seconds=121)))[0]
    assert (late.status_ko, late.status_en) == ("도착 정보 없음", "No arrival info")


# --- order, route types, filters -------------------------------------------------------------------


def test_routes_ordered_by_soonest_bus_then_route_number():
    items = [
        bus("600", eta=900),
        bus("160", eta=None, state="service_ended"),
        bus("5615", eta=90),
        bus("461", eta=900),
        bus("52", eta=900),
        bus("503", eta=None, state="waiting_to_depart"),
        bus("9707", eta=30, state="arriving"),
    ]
    order = [r.route for r in view(items, rows=10).sections[0].rows]
    assert order == ["9707", "5615", "52", "461", "600", "503", "160"]


def test_route_type_colour_and_words_and_direction_in_both_languages():
    row = (
        view([bus("5615", route_type="지선", direction="신촌오거리.현대백화점")])
        .sections[0]
        .rows[0]
    )
    assert (row.type_ko, row.type_en, row.colour) == ("지선", "Branch", "#53B332")
    assert row.direction_ko == "신촌오거리 방면"  # the first of the two landmarks
    assert row.direction_en == "to Sinchon Junction"
    bare = view([bus("1", route_type="", direction="", next_stop="여의도역")]).sections[0].rows[0]
    assert (bare.type_ko, bare.direction_ko, bare.direction_en) == (
        "",
        "여의도역 방면",
        "to Yeouido Stn.",
    )


def test_the_routes_filter_keeps_only_the_listed_numbers_or_ids():
    items = [bus("160"), bus("261"), bus("360", route_id="100100082")]
    spec = replace(STOP, routes=("160", "100100082"))
    assert {r.route for r in stop_rows(items, spec, NOW, NOW)} == {"160", "360"}
    v = view(items, stops=(replace(STOP, routes=("9999",)),))
    assert v.sections[0].rows == () and "선택한 노선" in v.sections[0].reason


# --- no data, per stop -----------------------------------------------------------------------------


def test_each_stop_says_why_it_has_nothing():
    other = StopSpec("19008")
    night = view([], stops=(STOP, other), snap={"status": FeedStatus.EMPTY})
    assert [s.reason for s in night.sections] == ["운행 중인 버스 없음 · No buses running now"] * 2
    assert (night.sections[1].name_ko, night.sections[1].name_en) == ("정류소 19008", "Stop 19008")
    # Last good data (stale, after a failure) without this stop: it had no buses then.
    stale = view([bus("160")], stops=(STOP, other), snap={"status": FeedStatus.STALE})
    assert stale.sections[1].reason == "운행 중인 버스 없음 · No buses running now"
    gone = buses_view(
        None, (STOP,), NOW, DataState.NO_DATA, rows_per_page=5, why="수신 안 됨 · Not received"
    )
    assert gone.sections[0].reason == "수신 안 됨 · Not received" and not gone.sections[0].rows


def test_the_stop_name_comes_from_config_else_from_the_body():
    v = view([bus("160", ars_id="19008", stop="여의도역")], stops=(StopSpec("19008"),))
    assert (v.sections[0].name_ko, v.sections[0].name_en) == ("여의도역", "Yeouido Stn.")


# --- paging ------------------------------------------------------------------------------------------


def test_many_routes_page_through_on_the_page_s_clock_rather_than_shrinking():
    items = [bus(str(100 + i), eta=60 * (i + 2)) for i in range(12)]
    first = view(items, rows=5, elapsed_s=0, duration_s=18)
    assert (first.page, first.pages) == (0, 3)
    s = first.sections[0]
    assert (len(s.rows), s.first, s.total) == (5, 1, 12) and s.rows[0].route == "100"
    later = [view(items, rows=5, elapsed_s=t, duration_s=18) for t in (5.9, 6.0, 12.0, 17.9, 18.0)]
    assert [v.page for v in later] == [0, 1, 2, 2, 0]  # around again if it stays on screen
    last = later[2].sections[0]
    assert (last.first, len(last.rows), last.rows[-1].route) == (11, 2, "111")


def test_page_index_shares_the_duration_and_carries_on_when_pages_are_too_many():
    assert page_index(1, 100, 20) == 0
    assert [page_index(3, t, 20) for t in (0, 6.6, 6.7, 13.4, 19.9)] == [0, 0, 1, 2, 2]
    # 5 pages in 20 s would be 4 s each: under MIN_TURN_S, so a visit shows 3, the next the rest.
    assert MIN_TURN_S == 6.0
    assert [page_index(5, t, 20, visit=0) for t in (0, 6, 12)] == [0, 1, 2]
    assert [page_index(5, t, 20, visit=1) for t in (0, 6, 12)] == [3, 4, 0]
    assert page_index(3, -5, 20) == 0  # a clock stepped back pins the first


def test_several_stops_share_a_page_when_they_fit_whole():
    a = StopSpec("19007")
    b = StopSpec("19008")
    rows_a = stop_rows([bus("160"), bus("261")], a, NOW, NOW)
    rows_b = stop_rows([bus("7611", ars_id="19008")], b, NOW, NOW)
    pages = paginate([(a, "A", "A", rows_a, ""), (b, "B", "B", rows_b, "")], 5)
    assert [[(s.ars_id, len(s.rows)) for s in p] for p in pages] == [[("19007", 2), ("19008", 1)]]
    # 2 + header + 3 does not fit 5: the second stop starts its own page, whole.
    rows_b3 = stop_rows([bus(r, ars_id="19008") for r in ("1", "2", "3")], b, NOW, NOW)
    pages = paginate([(a, "A", "A", rows_a, ""), (b, "B", "B", rows_b3, "")], 5)
    assert [[(s.ars_id, len(s.rows)) for s in p] for p in pages] == [[("19007", 2)], [("19008", 3)]]
    none = paginate([(a, "A", "A", [], "why"), (b, "B", "B", rows_b, "")], 5)
    assert [[(s.ars_id, len(s.rows), s.reason) for s in p] for p in none] == [
        [("19007", 0, "why"), ("19008", 1, "")]
    ]


def test_no_stops_configured_is_an_empty_view_not_an_error():
    v = buses_view(None, (), NOW, DataState.NO_DATA, rows_per_page=5)
    assert (v.sections, v.pages) == ((), 1)


@pytest.mark.parametrize(
    ("ko", "en"),
    [
        ("여의도환승센터", "Yeouido Transfer Center"),
        ("홍대입구역.서교동", "Hongik Univ. Stn. · Seogyo-dong"),
        ("중랑공영차고지", "Jungnang Depot"),
        ("창동주공19단지", "Changdong Jugong 19"),
        ("신촌오거리.현대백화점", "Sinchon Junction · Hyeondae Dept. Store"),
    ],
)
def test_place_names_in_english(ko, en):
    assert place_english(ko) == en
