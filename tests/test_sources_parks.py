"""SearchParkInfoService parsing: case-insensitive keys, WGS84 positions, facilities."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.core.timeutil import KST
from kiosk.errors import ApiError, ApiKeyError, MalformedResponse
from kiosk.sources import parks
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 20, 8, 14, tzinfo=KST)
PARK_SAMPLES = sorted(SAMPLES.glob("park_*"))
OPENAPI_ERRORS = sorted(SAMPLES.glob("seoul_openapi_error_*"))


def sample_body(path: Path) -> str:
    """The sample as a body; the .txt Kotlin comment yields its first `//`-prefixed object."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".txt":
        return text
    code = "\n".join(
        ln.split("//", 1)[1] for ln in text.splitlines() if ln.lstrip().startswith("//")
    )
    obj, _ = json.JSONDecoder().raw_decode(code[code.index("{") :])
    return json.dumps(obj, ensure_ascii=False)


@pytest.mark.parametrize("path", PARK_SAMPLES, ids=lambda p: p.name)
def test_every_park_sample_parses_with_wgs84_in_seoul(path):
    result = parks.parse(sample_body(path), NOW)
    assert result
    for park in result:
        assert 37.4 < park.lat < 37.72 and 126.7 < park.lon < 127.2
        assert park.name


def test_gildong_lowercase_sample_values():
    (park,) = parks.parse(
        sample_body(SAMPLES / "park_gildong_TRANSFORMED_lowercase_and_fieldlabels.txt"), NOW
    )
    assert park.park_id == "3"
    assert park.name == "길동생태공원"
    assert park.district == "강동구"
    assert (park.lat, park.lon) == (37.5403935, 127.1547791)
    assert park.address == "서울특별시 강동구 천호대로 1291(길동생태공원)"
    assert park.facilities == (
        "탐방객안내소",
        "야외전시대",
        "관찰대",
        "목재데크",
        "조류관찰대",
        "길동생태문화센터",
    )
    assert park.area == "80,683㎡" and park.phone == "02-489-2770"


def _body(*rows):
    return json.dumps(
        {
            "SearchParkInfoService": {
                "list_total_count": len(rows),
                "RESULT": {"CODE": "INFO-000"},
                "row": list(rows),
            }
        },
        ensure_ascii=False,
    )


ROW = {
    "P_IDX": "110",
    "P_PARK": "여의도공원",
    "P_ZONE": "영등포구",
    "P_ADDR": "서울특별시 영등포구 여의공원로 68",
    "MAIN_EQUIP": "문화의마당, 자연생태숲,한국전통의숲 ,, 잔디마당",
    "AREA": "229,539㎡",
    "P_ADMINTEL": "02-761-4078",
    "LATITUDE": "37.5256",
    "LONGITUDE": "126.9224",
    "G_LATITUDE": "447273",
    "G_LONGITUDE": "193136",
}


def test_upper_case_wrapped_rows_and_facility_splitting():
    (park,) = parks.parse(_body(ROW), NOW)
    assert park.facilities == ("문화의마당", "자연생태숲", "한국전통의숲", "잔디마당")
    assert (park.lat, park.lon, park.district, park.park_id) == (
        37.5256,
        126.9224,
        "영등포구",
        "110",
    )


@pytest.mark.parametrize(
    ("lat", "lon", "kept"),
    [
        ("", "", None),
        ("0", "0", None),
        (None, None, None),
        ("점검", "x", None),
        ("126.9224", "37.5256", (37.5256, 126.9224)),
        (37.5256, 126.9224, (37.5256, 126.9224)),
    ],
)
def test_parks_without_usable_wgs84_are_skipped_and_swaps_repaired(lat, lon, kept):
    row = {k: v for k, v in dict(ROW, LATITUDE=lat, LONGITUDE=lon).items() if v is not None}
    result = parks.parse(_body(row, dict(ROW, P_IDX="111", P_PARK="샛강생태공원")), NOW)
    if kept is None:
        assert [p.name for p in result] == ["샛강생태공원"]
    else:
        assert (result[0].lat, result[0].lon) == kept


def test_nameless_rows_and_junk_are_skipped():
    result = parks.parse(_body(dict(ROW, P_PARK=" "), "junk", ROW), NOW)
    assert [p.name for p in result] == ["여의도공원"]


@pytest.mark.parametrize("path", OPENAPI_ERRORS, ids=lambda p: p.name)
def test_openapi_error_samples(path):
    if "info200" in path.name:
        assert parks.parse(path.read_bytes(), NOW) == ()
    else:
        with pytest.raises(ApiKeyError):
            parks.parse(path.read_bytes(), NOW)


def test_other_codes_and_garbage():
    with pytest.raises(ApiError, match="ERROR-336"):
        parks.parse('{"RESULT":{"CODE":"ERROR-336","MESSAGE":"최대 1000건"}}', NOW)
    with pytest.raises(MalformedResponse):
        parks.parse('{"SearchParkInfoService": {"row": [', NOW)


def test_request_url():
    assert (
        parks.request_url("http://h:8088", "K")
        == "http://h:8088/K/json/SearchParkInfoService/1/1000/"
    )
