"""RealtimeCityAir parsing: legacy and current field sets, quirky values, every error shape."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.core.timeutil import KST
from kiosk.errors import ApiError, ApiKeyError, MalformedResponse
from kiosk.sources import air
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 20, 8, 5, tzinfo=KST)


def sample_body(path: Path) -> str:
    """The sample as an API body; the proxy-log .txt yields its pass-through `rows` as a bare list."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".txt":
        return text
    payload = text.split("\n", 1)[1]  # line 1 is the collector's note
    payload = re.sub(r",\s*\.\.\.\s*", "", payload)  # the excerpt's own "..." elision
    return json.dumps(json.loads(payload)["rows"], ensure_ascii=False)


AIR_SAMPLES = sorted(SAMPLES.glob("air_realtimecityair_*"))
OPENAPI_ERRORS = sorted(SAMPLES.glob("seoul_openapi_error_*"))


def _by_district(readings):
    return {r.district: r for r in readings}


@pytest.mark.parametrize("path", AIR_SAMPLES, ids=lambda p: p.name)
def test_every_air_sample_parses_to_districts_with_sane_values(path):
    readings = air.parse(sample_body(path), NOW)
    assert readings
    for r in readings:
        assert r.district.endswith("구")
        assert r.pm10 is None or 0 < r.pm10 < 1000
        assert r.pm25 is None or 0 < r.pm25 < 1000
        assert r.measured_at.tzinfo is not None


def test_legacy_format_all_25_districts_with_floats():
    readings = air.parse(
        (SAMPLES / "air_realtimecityair_2021_LEGACY_FORMAT.json").read_bytes(), NOW
    )
    assert len(readings) == 25
    by = _by_district(readings)
    jung = by["중구"]
    assert jung.region == "도심권"
    assert jung.measured_at == datetime(2021, 5, 11, 15, 0, tzinfo=KST)
    assert (jung.pm10, jung.pm25, jung.o3, jung.no2) == (25.0, 9.0, 0.048, 0.022)
    assert (jung.cai, jung.cai_grade, jung.main_pollutant) == (66.0, "보통", "O3")
    assert (
        by["영등포구"].pm10 == 17.0 and by["도봉구"].pm25 == 5.0 and by["마포구"].region == "서북권"
    )


def test_current_format_testfixture_numbers():
    (r,) = air.parse(
        (SAMPLES / "air_realtimecityair_NEW_FORMAT_testfixture.json").read_bytes(), NOW
    )
    assert (r.district, r.region, r.pm10, r.pm25, r.cai_grade) == (
        "중구",
        "도심권",
        34.0,
        18.0,
        "보통",
    )
    assert r.measured_at == datetime(2026, 5, 18, 15, 0, tzinfo=KST)
    assert r.cai is None and r.main_pollutant is None


def test_proxy_log_rows_carry_string_numbers_and_no_time():
    readings = air.parse(
        sample_body(SAMPLES / "air_realtimecityair_NEW_FORMAT_proxy_log_excerpt.txt"), NOW
    )
    assert [(r.district, r.pm10, r.cai_grade) for r in readings] == [
        ("중구", 26.0, "좋음"),
        ("종로구", 20.0, "좋음"),
        ("용산구", 22.0, "좋음"),
    ]
    assert all(r.measured_at == NOW and r.pm25 is None for r in readings)


def _body(*rows):
    return json.dumps(
        {
            "RealtimeCityAir": {
                "list_total_count": len(rows),
                "RESULT": {"CODE": "INFO-000"},
                "row": list(rows),
            }
        },
        ensure_ascii=False,
    )


CURRENT_ROW = {
    "MSRMT_DT": "202611200800",
    "SAREA_NM": "서남권",
    "MSRSTN_NM": "영등포구",
    "PM": "42",
    "FPM": "27",
    "OZON": "0.012",
    "NTDX": "0.041",
    "CBMX": "0.6",
    "SPDX": "0.003",
    "CAI_GRD": "보통",
    "CAI_IDX": "78",
    "CRST_SBSTN": "PM-2.5",
}


def test_current_full_row_with_string_numbers():
    (r,) = air.parse(_body(CURRENT_ROW), NOW)
    assert r.measured_at == datetime(2026, 11, 20, 8, 0, tzinfo=KST)
    assert (r.pm10, r.pm25, r.o3, r.no2, r.cai) == (42.0, 27.0, 0.012, 0.041, 78.0)
    assert (r.cai_grade, r.main_pollutant, r.region) == ("보통", "PM-2.5", "서남권")


@pytest.mark.parametrize("bad", ["점검중", "-", "", None, 0, "0", "0.0", "garbage", -5])
def test_missing_inspection_and_zero_values_become_none(bad):
    row = dict(CURRENT_ROW, PM=bad, FPM=bad, CAI_GRD="점검중", CAI_IDX=bad, CRST_SBSTN="-")
    (r,) = air.parse(_body(row), NOW)
    assert (r.pm10, r.pm25, r.cai, r.cai_grade, r.main_pollutant) == (None, None, None, None, None)


def test_rows_without_a_district_or_with_an_unreadable_time_are_dropped_and_counted():
    # A missing MSRMT_DT means "as of the fetch"; an unreadable one ("soon", 1e20) cannot be
    # judged for freshness, so that row is dropped rather than shown as current.
    no_time = {k: v for k, v in CURRENT_ROW.items() if k != "MSRMT_DT"}
    rows = [
        dict(CURRENT_ROW, MSRSTN_NM=""),
        {"PM": "3"},
        dict(CURRENT_ROW, MSRMT_DT="soon"),
        dict(CURRENT_ROW, MSRMT_DT=1e20),
        "junk",
        no_time,
    ]
    got = air.parse_rows(_body(*rows), NOW)
    (r,) = got.items
    assert r.district == "영등포구" and r.measured_at == NOW
    assert (got.rows, got.dropped) == (6, 5)


def test_mixed_legacy_and_current_rows_in_one_body():
    legacy = {
        "MSRDT": "202611200800",
        "MSRRGN_NM": "서북권",
        "MSRSTE_NM": "마포구",
        "PM10": 55.0,
        "PM25": 31.0,
    }
    readings = _by_district(air.parse(_body(CURRENT_ROW, legacy), NOW))
    assert readings["마포구"].pm10 == 55.0 and readings["마포구"].region == "서북권"
    assert readings["영등포구"].pm10 == 42.0


@pytest.mark.parametrize("path", OPENAPI_ERRORS, ids=lambda p: p.name)
def test_openapi_error_samples(path):
    body = path.read_bytes()
    if "info200" in path.name:
        assert air.parse(body, NOW) == ()
    else:
        with pytest.raises(ApiKeyError if "info100" in path.name else ApiError):
            air.parse(body, NOW)


def test_wrapped_info200_and_other_codes():
    assert (
        air.parse('{"RealtimeCityAir":{"RESULT":{"CODE":"INFO-200","MESSAGE":"없음"}}}', NOW) == ()
    )
    with pytest.raises(ApiError) as info:
        air.parse('{"RESULT":{"CODE":"ERROR-335","MESSAGE":"샘플 키는 최대 5건"}}', NOW)
    assert info.value.code == "ERROR-335"


def test_garbage_raises_malformed():
    for body in ("{", '{"RealtimeCityAir": ', '{"foo": 1}', "12"):
        with pytest.raises(MalformedResponse):
            air.parse(body, NOW)


def test_request_url_all_districts():
    assert air.request_url("http://openapi.seoul.go.kr:8088", "KEY") == (
        "http://openapi.seoul.go.kr:8088/KEY/json/RealtimeCityAir/1/25/"
    )
