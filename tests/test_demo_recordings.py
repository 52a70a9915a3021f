"""The bundled demo recordings: real body formats, real parsers, shifted to the present."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timedelta
from importlib import resources

import pytest

from kiosk.core.eta import eta_now
from kiosk.core.geo import haversine_m
from kiosk.core.grades import pm25_grade
from kiosk.core.models import (
    AirReading,
    Arrival,
    BikeStation,
    BusArrival,
    CulturalEvent,
    Park,
    Trail,
)
from kiosk.core.timeutil import KST
from kiosk.demo import _build_air, _build_bus, _build_places, _build_subway
from kiosk.errors import SourceError
from kiosk.sources import air, bikes, bus, events, parks, subway, trails
from kiosk.sources.demo import RECORDED_AT, station_key
from kiosk.sources.registry import SOURCES, snapshot_names
from kiosk.sources.registry import demo_items as load_demo

STATIONS = {
    "여의도": ((37.5216, 126.9243), {"1005", "1009"}, "영등포구"),
    "홍대입구": ((37.5572, 126.9245), {"1002", "1063", "1065"}, "마포구"),
    "창동": ((37.6531, 127.0477), {"1001", "1004"}, "도봉구"),
}
LATER = datetime(2027, 3, 2, 18, 47, 30, tzinfo=KST)  # a Tuesday evening, months after recording


def _demo_bytes(name: str) -> bytes:
    return resources.files("kiosk.demo").joinpath(name).read_bytes()


def _demo_files() -> list[str]:
    return sorted(
        p.name for p in resources.files("kiosk.demo").iterdir() if p.name.endswith(".json")
    )


PARSER_BY_PREFIX = {
    "subway_": subway.parse,
    "air.json": air.parse,
    "parks": parks.parse,
    "trails": trails.parse,
    "bikes": bikes.parse,
    "events": events.parse,
    "bus_": bus.parse,
}


@pytest.mark.parametrize("name", [n for n in _demo_files() if n != "air_history.json"])
def test_every_demo_body_parses_with_its_real_parser(name):
    parser = next(p for prefix, p in PARSER_BY_PREFIX.items() if name.startswith(prefix))
    items = parser(_demo_bytes(name), RECORDED_AT)
    assert len(items) >= 8


def test_air_history_is_24_hourly_bodies_for_three_districts():
    bodies = json.loads(_demo_bytes("air_history.json"))
    assert isinstance(bodies, list) and len(bodies) == 24
    times = []
    for body in bodies:
        readings = air.parse(json.dumps(body), RECORDED_AT)
        assert {r.district for r in readings} == {"영등포구", "마포구", "도봉구"}
        assert len({r.measured_at for r in readings}) == 1
        times.append(readings[0].measured_at)
    assert times == [datetime(2026, 11, 19, 9, tzinfo=KST) + timedelta(hours=h) for h in range(24)]


def test_air_history_has_rush_hour_peaks_and_a_bad_pm25_spell():
    readings = load_demo("air_history", "창동", RECORDED_AT)
    dobong = {r.measured_at.hour: r.pm25 for r in readings if r.district == "도봉구"}
    assert {h for h, v in dobong.items() if pm25_grade(v) == "bad"} & {7, 8, 9}
    assert {h for h, v in dobong.items() if pm25_grade(v) == "bad"} & {19, 20, 21, 22}
    assert dobong[15] < dobong[8] and dobong[15] < dobong[20]
    assert all(
        pm25_grade(r.pm25) in ("good", "moderate") for r in readings if r.district == "마포구"
    )


def test_current_air_covers_25_districts_with_one_under_inspection():
    readings = load_demo("air", "여의도", RECORDED_AT)
    assert len(readings) == 25 and len({r.district for r in readings}) == 25
    missing = [r.district for r in readings if r.pm10 is None]
    assert missing == ["금천구"]
    body = json.loads(_demo_bytes("air.json"))["RealtimeCityAir"]["row"]
    assert any(isinstance(r["PM"], str) for r in body) and any(
        isinstance(r["PM"], (int, float)) for r in body
    )
    history = load_demo("air_history", "여의도", RECORDED_AT)
    latest = {r.district: (r.pm10, r.pm25) for r in history if r.measured_at.hour == 8}
    assert latest == {r.district: (r.pm10, r.pm25) for r in readings if r.district in latest}


@pytest.mark.parametrize("station", STATIONS)
def test_subway_recording_has_every_line_both_ways_with_varied_states(station):
    _, lines, _ = STATIONS[station]
    arrivals = load_demo("subway", station, RECORDED_AT)
    assert all(isinstance(a, Arrival) for a in arrivals)
    assert {a.line_id for a in arrivals} == lines
    per_dir = Counter((a.line_id, a.direction) for a in arrivals)
    assert len(per_dir) == 2 * len(lines) and min(per_dir.values()) >= 2
    assert len({a.arrival_code for a in arrivals}) >= 4
    assert all(a.received_at <= RECORDED_AT for a in arrivals)


def test_hongik_has_line2_loops_arex_and_gyeongui_jungang():
    arrivals = load_demo("subway", "홍대입구", RECORDED_AT)
    dirs = {(a.line_id, a.direction) for a in arrivals}
    assert {
        ("1002", "내선"),
        ("1002", "외선"),
        ("1065", "상행"),
        ("1065", "하행"),
        ("1063", "상행"),
        ("1063", "하행"),
    } <= dirs
    assert {a.destination for a in arrivals if a.line_id == "1065" and a.direction == "하행"} == {
        "서울역"
    }
    assert "문산" in {
        a.destination for a in arrivals if a.line_id == "1063" and a.direction == "상행"
    }


def test_yeouido_has_an_express_line9_train_and_an_unknown_eta():
    arrivals = load_demo("subway", "여의도", RECORDED_AT)
    express = [a for a in arrivals if a.express]
    assert express and all(a.line_id == "1009" and a.train_type == "급행" for a in express)
    assert any(a.eta_s is None and a.arrival_code == "99" for a in arrivals)


def test_changdong_has_one_last_train():
    assert [a.line_id for a in load_demo("subway", "창동", RECORDED_AT) if a.last_train] == ["1004"]


@pytest.mark.parametrize("station", STATIONS)
def test_each_station_has_three_parks_within_1500_m_and_farther_ones(station):
    (lat, lon), _, _ = STATIONS[station]
    distances = sorted(
        haversine_m(lat, lon, p.lat, p.lon) for p in load_demo("parks", station, RECORDED_AT)
    )
    assert sum(d <= 1500 for d in distances) >= 3
    assert sum(d > 2000 for d in distances) >= 2  # so "nearest" has something to sort out


def test_park_tm_columns_agree_with_wgs84():
    from kiosk.core.tm import tm_to_wgs84

    for row in json.loads(_demo_bytes("parks.json"))["SearchParkInfoService"]["row"]:
        lat, lon = tm_to_wgs84(float(row["G_LONGITUDE"]), float(row["G_LATITUDE"]))
        assert haversine_m(lat, lon, float(row["LATITUDE"]), float(row["LONGITUDE"])) < 0.01


@pytest.mark.parametrize("station", STATIONS)
def test_trails_and_bikes_near_each_station(station):
    (lat, lon), _, _ = STATIONS[station]
    near_trails = [
        t
        for t in load_demo("trails", station, RECORDED_AT)
        if min(haversine_m(lat, lon, *p) for p in t.points) < 2500
    ]
    assert len(near_trails) >= 2 and all(
        t.distance_km and t.duration and t.level for t in near_trails
    )
    near_bikes = [
        b
        for b in load_demo("bikes", station, RECORDED_AT)
        if haversine_m(lat, lon, b.lat, b.lon) < 1500
    ]
    assert len(near_bikes) >= 6


def test_bike_recording_has_an_overfull_and_an_empty_station():
    stations = load_demo("bikes", "여의도", RECORDED_AT)
    assert any(b.bikes > b.racks for b in stations) and any(b.bikes == 0 for b in stations)


def test_event_recording_quirks_survive_the_parser():
    body = json.loads(_demo_bytes("events.json"))["culturalEventInfo"]["row"]
    evs = load_demo("events", "홍대입구", RECORDED_AT)
    assert len(evs) == len(body) - 1  # the whitespace duplicate is merged
    assert not any("krhttp" in e.image_url for e in evs)
    book = next(e for e in evs if "북페스티벌" in e.title)
    assert (book.lat, book.lon) == (37.5547, 126.9262)  # swapped in the body
    assert {e.district for e in evs} == {"영등포구", "마포구", "도봉구"}
    soon = events.upcoming(evs, RECORDED_AT)
    assert 0 < len(soon) < len(evs)
    assert any(e.ends < RECORDED_AT for e in evs)


# Every snapshot with a recording: the alert feed has none (a demo screen never shows a made-up
# alert; only operator notices show there).
RECORDED = [n for n in snapshot_names() if n not in SOURCES or SOURCES[n].demo is not None]


def test_every_source_but_the_alert_feed_has_a_recording():
    assert [n for n in snapshot_names() if n not in RECORDED] == ["alerts"]
    with pytest.raises(SourceError, match="no demo recording for source 'alerts'"):
        load_demo("alerts", "여의도", RECORDED_AT)


@pytest.mark.parametrize("source", RECORDED)
def test_shifting_moves_every_datetime_to_the_present(source):
    then = load_demo(source, "창동", RECORDED_AT)
    now = load_demo(source, "창동", LATER)
    assert len(then) == len(now)
    for old, new in zip(then, now, strict=True):
        if isinstance(new, Arrival):
            assert new.received_at - old.received_at == LATER - RECORDED_AT
            assert timedelta(0) <= LATER - new.received_at < timedelta(minutes=1)
        elif isinstance(new, AirReading):
            assert new.measured_at.minute == 0
            assert new.measured_at - old.measured_at == timedelta(
                hours=(LATER - RECORDED_AT) // timedelta(hours=1)
            )
        elif isinstance(new, CulturalEvent):
            assert (new.starts - old.starts) == timedelta(
                days=(LATER.date() - RECORDED_AT.date()).days
            )
            assert new.starts.time() == old.starts.time()
        elif isinstance(new, BusArrival):  # no time of its own: it counts from the fetch
            assert new == old and new.fetched_at is None
        else:
            assert isinstance(new, (Park, Trail, BikeStation)) and new == old
    if source == "air":
        assert max(r.measured_at for r in now) > LATER - timedelta(minutes=75)


def test_countdowns_tick_from_the_shifted_time():
    arrivals = load_demo("subway", "여의도", LATER)
    first = next(a for a in arrivals if a.eta_s and a.eta_s >= 300)
    age = (LATER - first.received_at).total_seconds()
    assert eta_now(first, LATER) == int(first.eta_s - age)
    assert eta_now(first, LATER + timedelta(seconds=60)) == int(first.eta_s - age - 60)


@pytest.mark.parametrize(
    "name", ["여의도역", "Yeouido", " hongik univ. ", "Hongdae", "CHANGDONG", "창동"]
)
def test_station_names_in_korean_or_english(name):
    assert station_key(name) in {"yeouido", "hongik", "changdong"}


def test_unknown_station_or_source_is_a_clear_source_error():
    with pytest.raises(SourceError, match="강남.*여의도, 홍대입구, 창동"):
        load_demo("subway", "강남", RECORDED_AT)
    with pytest.raises(SourceError, match="weather.*subway"):
        load_demo("weather", "여의도", RECORDED_AT)


def test_recordings_match_their_builder():
    assert json.loads(_demo_bytes("air.json")) == _build_air.air_body()
    assert json.loads(_demo_bytes("air_history.json")) == _build_air.air_history()
    assert json.loads(_demo_bytes("parks.json")) == _build_places.parks_body()
    assert json.loads(_demo_bytes("trails.json")) == _build_places.trails_body()
    assert json.loads(_demo_bytes("bikes.json")) == _build_places.bikes_body()
    assert json.loads(_demo_bytes("events.json")) == _build_places.events_body()
    for key, body in _build_subway.SUBWAY_BODIES.items():
        assert json.loads(_demo_bytes(f"subway_{key}.json")) == body
    for key, body in _build_bus.BUS_BODIES.items():
        assert json.loads(_demo_bytes(f"bus_{key}.json")) == body


DEMO_STOPS = {"여의도": "19007", "홍대입구": "14012", "창동": "10119"}


@pytest.mark.parametrize("station", STATIONS)
def test_bus_recording_is_one_busy_stop_with_every_kind_of_state(station):
    buses = load_demo("bus", station, RECORDED_AT)
    assert {b.ars_id for b in buses} == {DEMO_STOPS[station]}
    routes = {b.route for b in buses}
    assert len(routes) >= 10  # more than one screenful: the page must page through them
    assert {b.order for b in buses} == {1, 2}
    assert {"간선", "지선"} <= {b.route_type for b in buses}
    assert {"running", "arriving", "waiting_to_depart"} <= {b.state for b in buses}
    assert any(b.low_floor for b in buses) and not all(b.low_floor for b in buses)
    assert len({b.congestion for b in buses}) >= 3
    assert all(b.eta_s is None for b in buses if b.state != "running" and b.state != "arriving")
    assert all(b.eta_s and b.eta_s > 0 for b in buses if b.state == "running")


def test_bus_recordings_cover_the_other_route_types_and_the_last_bus():
    everything = [b for s in STATIONS for b in load_demo("bus", s, RECORDED_AT)]
    assert {"공항", "마을", "광역", "경기"} <= {b.route_type for b in everything}
    assert {"turning_back", "service_ended"} <= {b.state for b in everything}
    last = [b for b in everything if b.last_bus]
    assert [(b.route, b.order) for b in last] == [("8146", 1)]  # a rush-hour-only route
    body = json.loads(_demo_bytes("bus_changdong.json"))["msgBody"]["itemList"]
    assert all(isinstance(v, str) or v is None for row in body for v in row.values())
    assert all(row["firstTm"].endswith("  ") for row in body)  # as the API pads them
