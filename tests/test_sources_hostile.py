"""Every parser against hostile values: a bad value drops its row (counted), never the source.

For each source a good row is sent together with a copy of it in which one field holds a
hostile value (null, a wrong type, 1e20, 1e300, NaN, a date out of range, a deeply nested
value, ...). The parser must keep the good row, count what it dropped, and raise nothing; a
body whose rows are all unusable is a MalformedResponse ("N rows, none usable"), not "no data".
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from kiosk.core.eta import MAX_ETA_S
from kiosk.core.timeutil import KST
from kiosk.errors import MalformedResponse
from kiosk.sources import air, bikes, events, parks, subway, trails
from kiosk.sources._common import Parsed, load_json, upper_keys

NOW = datetime(2026, 11, 20, 8, 14, tzinfo=KST)


def _deep(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


HOSTILE: dict[str, Any] = {
    "null": None,
    "empty": "",
    "true": True,
    "list": [],
    "object": {"a": 1},
    "zero": 0,
    "negative": -1,
    "1e20": 1e20,
    "-1e20": -1e20,
    "1e300": 1e300,
    "1e20 text": "1e20",
    "nan": float("nan"),  # json.dumps writes NaN, which Python's json reads back
    "nan text": "NaN",
    "infinity": float("inf"),
    "huge int": 10**30,
    "400 nines": "9" * 400,
    "bad date": "2026-13-45 99:99:99",
    "year 9999": "9999-12-31 00:00:00.0",
    "nul": "\x00",
    "nested 900": _deep(900),
}

WRAPPERS: dict[str, Callable[[list[Any]], dict[str, Any]]] = {
    "subway": lambda rows: {"errorMessage": {"code": "INFO-000"}, "realtimeArrivalList": rows},
    "air": lambda rows: {"RealtimeCityAir": {"RESULT": {"CODE": "INFO-000"}, "row": rows}},
    "bikes": lambda rows: {"rentBikeStatus": {"RESULT": {"CODE": "INFO-000"}, "row": rows}},
    "parks": lambda rows: {"SearchParkInfoService": {"RESULT": {"CODE": "INFO-000"}, "row": rows}},
    "trails": lambda rows: {"SeoulGilWalkCourse": {"RESULT": {"CODE": "INFO-000"}, "row": rows}},
    "events": lambda rows: {"culturalEventInfo": {"RESULT": {"CODE": "INFO-000"}, "row": rows}},
}

GOOD: dict[str, dict[str, Any]] = {
    "subway": {
        "subwayId": "1009",
        "updnLine": "하행",
        "trainLineNm": "중앙보훈병원행 - 샛강방면",
        "statnNm": "여의도",
        "barvlDt": "90",
        "btrainNo": "9123",
        "bstatnNm": "중앙보훈병원",
        "recptnDt": "2026-11-20 08:13:30",
        "arvlMsg2": "1분 30초 후 (국회의사당)",
        "arvlMsg3": "국회의사당",
        "arvlCd": "99",
        "lstcarAt": "0",
        "btrainSttus": "일반",
        "ordkey": "12001중앙보훈병원0",
    },
    "air": {
        "MSRMT_DT": "202611200800",
        "SAREA_NM": "서남권",
        "MSRSTN_NM": "영등포구",
        "PM": "42",
        "FPM": "27",
        "OZON": "0.012",
        "NTDX": "0.041",
        "CAI_GRD": "보통",
        "CAI_IDX": "78",
        "CRST_SBSTN": "PM-2.5",
    },
    "bikes": {
        "rackTotCnt": "15",
        "stationName": "102. 망원역 1번출구 앞",
        "parkingBikeTotCnt": "7",
        "shared": "47",
        "stationLatitude": "37.55564880",
        "stationLongitude": "126.91062927",
        "stationId": "ST-4",
    },
    "parks": {
        "P_IDX": "3",
        "P_PARK": "길동생태공원",
        "P_ZONE": "강동구",
        "P_ADDR": "서울특별시 강동구 천호대로 1291",
        "AREA": "80,683㎡",
        "MAIN_EQUIP": "탐방객안내소, 야외전시대",
        "P_ADMINTEL": "02-489-2770",
        "LONGITUDE": "127.1547791",
        "LATITUDE": "37.5403935",
    },
    "trails": {
        "COURSE_NAME": "고덕산 코스",
        "AREA_GU": "강동구",
        "DISTANCE": "4.5km",
        "LEAD_TIME": "2시간",
        "COURSE_LEVEL": "초급",
        "CPI_IDX": 1,
        "X": "211300.0",
        "Y": "449500.0",
    },
    "events": {
        "CODENAME": "콘서트",
        "GUNAME": "중구",
        "TITLE": "시민청 음악회",
        "PLACE": "시민청",
        "DATE": "2026-11-20~2026-11-22",
        "STRTDATE": "2026-11-20 00:00:00.0",
        "END_DATE": "2026-11-22 00:00:00.0",
        "IS_FREE": "무료",
        "RGSTDATE": "2026-11-01",
        "LAT": "37.5663",
        "LOT": "126.9779",
    },
}

PARSE_ROWS: dict[str, Callable[[bytes | str, datetime], Parsed[Any]]] = {
    "subway": subway.parse_rows,
    "air": air.parse_rows,
    "bikes": bikes.parse_rows,
    "parks": parks.parse_rows,
    "trails": trails.parse_rows,
    "events": events.parse_rows,
}

CASES = [
    pytest.param(source, field, name, id=f"{source}-{field}-{name}")
    for source, row in GOOD.items()
    for field in row
    for name in HOSTILE
]


def _body(source: str, *rows: Any) -> str:
    return json.dumps(WRAPPERS[source](list(rows)), ensure_ascii=False)


def _sane(source: str, item: Any) -> None:
    """What no hostile value may smuggle onto the screen."""
    if source == "subway":
        assert item.eta_s is None or 0 <= item.eta_s <= MAX_ETA_S
        assert item.received_at.tzinfo is not None and item.received_at <= NOW
        assert item.line_id.isdigit() and item.direction in subway.DIRECTIONS
    elif source == "air":
        for v in (item.pm10, item.pm25, item.cai, item.o3, item.no2):
            assert v is None or (math.isfinite(v) and 0 < v <= air.MAX_MEASURE)
        assert item.measured_at.year < 2100
    elif source == "bikes":
        assert 0 <= item.bikes <= bikes.MAX_COUNT and 0 <= item.racks <= bikes.MAX_COUNT
        assert 33 <= item.lat <= 39 and 124 <= item.lon <= 132
    elif source == "parks":
        assert 33 <= item.lat <= 39 and 124 <= item.lon <= 132
    elif source == "trails":
        assert item.distance_km is None or 0 < item.distance_km <= trails.MAX_DISTANCE_KM
        assert all(33 <= lat <= 39 and 124 <= lon <= 132 for lat, lon in item.points)
    else:
        assert item.starts <= item.ends and item.ends.year < 3000


def _key(source: str, item: Any) -> Any:
    return item.name if source == "trails" else item


@pytest.mark.parametrize(("source", "field", "name"), CASES)
def test_a_hostile_value_drops_at_most_its_row_and_never_the_source(source, field, name):
    good = GOOD[source]
    spoiled = dict(good, **{field: HOSTILE[name]})
    (expected,) = PARSE_ROWS[source](_body(source, good), NOW).items
    got = PARSE_ROWS[source](_body(source, good, spoiled), NOW)
    assert _key(source, expected) in [_key(source, i) for i in got.items]
    assert got.rows == 2 and got.dropped in (0, 1)
    for item in got.items:
        _sane(source, item)


@pytest.mark.parametrize("source", GOOD)
@pytest.mark.parametrize("name", ["null", "list", "object", "empty", "nested 900"])
def test_rows_whose_every_value_is_null_or_of_the_wrong_type_are_an_error_not_no_data(source, name):
    row = {k: HOSTILE[name] for k in GOOD[source]}
    with pytest.raises(MalformedResponse, match=r"^3 rows, none usable$"):
        PARSE_ROWS[source](_body(source, row, row, row), NOW)


@pytest.mark.parametrize("source", GOOD)
@pytest.mark.parametrize("rows", [[None, None], [1, "x", []], [{}]], ids=["nulls", "scalars", "{}"])
def test_rows_that_are_not_objects_are_an_error_not_no_data(source, rows):
    with pytest.raises(MalformedResponse, match="none usable"):
        PARSE_ROWS[source](_body(source, *rows), NOW)


@pytest.mark.parametrize("source", GOOD)
def test_partly_usable_bodies_keep_the_good_rows_and_count_the_rest(source):
    got = PARSE_ROWS[source](_body(source, None, GOOD[source], {}, "junk"), NOW)
    assert len(got.items) == 1 and (got.rows, got.dropped) == (4, 3)


@pytest.mark.parametrize("source", GOOD)
def test_no_rows_at_all_is_still_an_empty_answer(source):
    got = PARSE_ROWS[source](_body(source), NOW)
    assert (got.items, got.rows, got.dropped) == ((), 0, 0)


@pytest.mark.parametrize("source", GOOD)
def test_a_row_list_of_the_wrong_type_is_malformed_not_empty(source):
    body = json.dumps(WRAPPERS[source]("garbage"))  # type: ignore[arg-type]
    with pytest.raises(MalformedResponse, match="not a list of rows"):
        PARSE_ROWS[source](body, NOW)


def test_json_nested_past_the_parser_stack_is_malformed_not_a_recursion_error():
    for body in ("[" * 100_000 + "]" * 100_000, '{"a":' * 50_000 + "1" + "}" * 50_000):
        with pytest.raises(MalformedResponse, match="nested too deeply"):
            load_json(body)
    for source in ("parks", "trails"):  # these upper-case every key of the body
        with pytest.raises(MalformedResponse):
            PARSE_ROWS[source]("[" * 5000 + "]" * 5000, NOW)


def test_upper_keys_stops_at_row_depth_so_a_deep_value_cannot_exhaust_the_stack():
    deep = _deep(1200)
    out = upper_keys({"s": {"row": [{"p_park": "공원", "junk": deep}]}})
    assert out == {"S": {"ROW": [{"P_PARK": "공원", "JUNK": deep}]}}
    got = parks.parse_rows(_body("parks", dict(GOOD["parks"], MAIN_EQUIP=_deep(1200))), NOW)
    assert len(got.items) == 1 and got.items[0].facilities == ()


def test_dropped_rows_are_logged_once_per_body_at_debug(caplog):
    caplog.set_level("DEBUG", logger="kiosk.sources._common")
    spoiled = dict(GOOD["trails"], X="1e300")  # OverflowError in the TM series before
    trails.parse_rows(_body("trails", GOOD["trails"], spoiled, spoiled), NOW)
    lines = [r.getMessage() for r in caplog.records if r.name == "kiosk.sources._common"]
    assert lines == ["trails: dropped 2 of 3 rows"]
