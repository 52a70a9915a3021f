"""SeoulGilWalkCourse parsing: points grouped into courses, TM coordinates converted."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

import kiosk.demo
from kiosk.core.geo import haversine_m
from kiosk.core.timeutil import KST
from kiosk.core.tm import CENTRAL_BELT_2010, SEOUL_TM, wgs84_to_tm
from kiosk.errors import ApiError, MalformedResponse
from kiosk.sources import trails
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 20, 8, 14, tzinfo=KST)
# No public body of this service exists yet: the demo recording stands in, and a recorded body
# dropped in the samples folder under one of these prefixes is picked up too.
TRAIL_SAMPLES = [Path(kiosk.demo.__file__).with_name("trails.json")] + sorted(
    p for prefix in ("trail_", "walk_", "seoulgil_") for p in SAMPLES.glob(f"{prefix}*")
)

# 여의도 한강공원 riverside points, west to east (WGS84).
POINTS = [(37.5330, 126.9140), (37.5290, 126.9230), (37.5262, 126.9330), (37.5225, 126.9400)]


def _row(course, idx, lat, lon, grid=SEOUL_TM, **extra):
    x, y = wgs84_to_tm(lat, lon, grid)
    row = {
        "COURSE_CATEGORY": 3,
        "COURSE_CATEGORY_NM": "한강/지천길",
        "COURSE_NAME": course,
        "AREA_GU": "영등포구",
        "DISTANCE": "3.2km",
        "LEAD_TIME": "1시간",
        "COURSE_LEVEL": "초급",
        "CPI_IDX": idx,
        "CPI_NAME": f"지점{idx}",
        "X": f"{x:.3f}",
        "Y": f"{y:.3f}",
    }
    row.update(extra)
    return row


def _body(*rows):
    return json.dumps(
        {
            "SeoulGilWalkCourse": {
                "list_total_count": len(rows),
                "RESULT": {"CODE": "INFO-000"},
                "row": list(rows),
            }
        },
        ensure_ascii=False,
    )


@pytest.mark.parametrize("path", TRAIL_SAMPLES, ids=lambda p: p.name)
def test_every_trail_sample_parses_to_courses_in_seoul(path):
    result = trails.parse(path.read_bytes(), NOW)
    assert result
    for t in result:
        assert all(37.3 < lat < 37.8 and 126.6 < lon < 127.3 for lat, lon in t.points)


def test_points_are_grouped_by_course_sorted_and_converted():
    rows = [_row("여의도 한강길", i, *p) for i, p in enumerate(POINTS, start=101)]
    rows.insert(1, _row("샛강 생태길", 7, 37.5180, 126.9290, DISTANCE="2,100m", LEAD_TIME="40분"))
    rows.reverse()  # arrival order must not matter: CPI_IDX orders the points
    result = trails.parse(_body(*rows), NOW)
    assert [t.name for t in result] == ["여의도 한강길", "샛강 생태길"]
    han, saet = result
    assert len(han.points) == 4
    for got, want in zip(han.points, POINTS, strict=True):
        assert haversine_m(*got, *want) < 0.05
    assert (han.lat, han.lon) == han.points[0]
    assert (han.district, han.distance_km, han.duration, han.level) == (
        "영등포구",
        3.2,
        "1시간",
        "초급",
    )
    assert saet.distance_km == 2.1 and saet.duration == "40분" and len(saet.points) == 1


def test_600000_northing_and_wgs84_points_are_accepted_too():
    rows = [
        _row("중랑천길", 1, 37.6540, 127.0530, grid=CENTRAL_BELT_2010),
        {**_row("중랑천길", 2, 0, 0), "X": "127.0545", "Y": "37.6480"},
        {**_row("중랑천길", 3, 0, 0), "X": "37.6420", "Y": "127.0560"},
    ]
    (t,) = trails.parse(_body(*rows), NOW)
    assert haversine_m(*t.points[0], 37.6540, 127.0530) < 0.05
    assert t.points[1:] == ((37.6480, 127.0545), (37.6420, 127.0560))


def test_bad_points_are_dropped_and_pointless_courses_skipped():
    rows = [
        _row("길A", 1, *POINTS[0]),
        {**_row("길A", 2, 0, 0), "X": "", "Y": "-"},
        {**_row("길A", 3, 0, 0), "X": "1", "Y": "2"},
        {**_row("길B", 1, 0, 0), "X": None, "Y": None},
        {**_row("", 1, *POINTS[1])},
        "junk",
    ]
    (t,) = trails.parse(_body(*rows), NOW)
    assert t.name == "길A" and len(t.points) == 1


def test_missing_cpi_idx_keeps_row_order_and_lower_case_keys_work():
    rows = [{k.lower(): v for k, v in _row("길C", None, *p).items()} for p in POINTS[:2]]
    (t,) = trails.parse(_body(*rows), NOW)
    assert haversine_m(*t.points[0], *POINTS[0]) < 0.05


@pytest.mark.parametrize(
    ("text", "km"),
    [
        ("6.3km", 6.3),
        ("6.3", 6.3),
        ("3,200m", 3.2),
        ("약 5㎞", 5.0),
        ("1500", 1.5),
        (4, 4.0),
        ("", None),
        ("-", None),
        (None, None),
    ],
)
def test_distance_km(text, km):
    assert trails.distance_km(text) == km


def test_info200_errors_and_garbage():
    assert (
        trails.parse('{"RESULT":{"CODE":"INFO-200","MESSAGE":"해당하는 데이터가 없습니다."}}', NOW)
        == ()
    )
    with pytest.raises(ApiError):
        trails.parse(
            (SAMPLES / "seoul_openapi_error_info100_xml_even_for_json.xml").read_bytes(), NOW
        )
    with pytest.raises(MalformedResponse):
        trails.parse("<<<", NOW)


def test_request_url_with_course_filter():
    assert trails.request_url("http://h:8088", "K", 1, 100, "한강 여의도 코스") == (
        "http://h:8088/K/json/SeoulGilWalkCourse/1/100/%ED%95%9C%EA%B0%95%20%EC%97%AC%EC%9D%98%EB%8F%84%20%EC%BD%94%EC%8A%A4/"
    )
    assert trails.request_url("http://h:8088", "K").endswith("/SeoulGilWalkCourse/1/1000/")
