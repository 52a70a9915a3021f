"""bikeList parsing: the rentBikeStatus wrapper, string counts, overfull stations, errors."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from kiosk.core.timeutil import KST
from kiosk.errors import ApiError, ApiKeyError, MalformedResponse
from kiosk.sources import bikes
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 20, 8, 14, tzinfo=KST)
BIKE_SAMPLES = sorted(p for p in SAMPLES.glob("bike_*") if "error" not in p.name)
BIKE_ERRORS = sorted(p for p in SAMPLES.glob("bike_*") if "error" in p.name)


@pytest.mark.parametrize("path", BIKE_SAMPLES, ids=lambda p: p.name)
def test_every_bike_sample_parses(path):
    stations = bikes.parse(path.read_bytes(), NOW)
    assert stations
    for s in stations:
        assert s.station_id.startswith("ST-") and s.racks > 0 and s.bikes >= 0
        assert 37.4 < s.lat < 37.7 and 126.8 < s.lon < 127.2


def test_2020_sample_values():
    stations = bikes.parse((SAMPLES / "bike_bikeList_2020_swift_comment.json").read_bytes(), NOW)
    assert len(stations) == 5
    first = stations[0]
    assert (first.station_id, first.name, first.racks, first.bikes) == (
        "ST-4",
        "102. 망원역 1번출구 앞",
        22,
        3,
    )
    assert (first.lat, first.lon) == (37.5556488, 126.91062927)
    assert first.docks_free == 19


def test_more_bikes_than_racks_is_kept_and_docks_free_is_zero():
    stations = bikes.parse(
        (SAMPLES / "bike_bikeList_ttaraga_shared_over_100.json").read_bytes(), NOW
    )
    over = {s.station_id: s for s in stations}["ST-5"]
    assert (over.racks, over.bikes, over.docks_free) == (14, 19, 0)


@pytest.mark.parametrize("path", BIKE_ERRORS, ids=lambda p: p.name)
def test_error_samples(path):
    with pytest.raises(ApiKeyError):
        bikes.parse(path.read_bytes(), NOW)


def _body(*rows, wrapper="rentBikeStatus"):
    return json.dumps(
        {
            wrapper: {
                "list_total_count": len(rows),
                "RESULT": {"CODE": "INFO-000"},
                "row": list(rows),
            }
        }
    )


ROW = {
    "rackTotCnt": "10",
    "stationName": " 207.  여의나루역 1번출구 앞 ",
    "parkingBikeTotCnt": "4",
    "shared": "40",
    "stationLatitude": "37.52706",
    "stationLongitude": "126.93252",
    "stationId": "ST-96",
}


def test_rows_missing_counts_position_or_id_are_skipped():
    rows = [
        ROW,
        dict(ROW, stationId=""),
        dict(ROW, rackTotCnt="-"),
        dict(ROW, parkingBikeTotCnt=None),
        dict(ROW, stationLatitude="0"),
        dict(ROW, parkingBikeTotCnt="-3"),
        "junk",
    ]
    (s,) = bikes.parse(_body(*rows), NOW)
    assert (
        s.name == "207. 여의나루역 1번출구 앞"
        and bikes.plain_name(s.name) == "여의나루역 1번출구 앞"
    )


def test_numbers_as_json_numbers_and_bikelist_wrapper_accepted():
    (s,) = bikes.parse(
        _body(dict(ROW, rackTotCnt=10, parkingBikeTotCnt=12.0), wrapper="bikeList"), NOW
    )
    assert (s.racks, s.bikes) == (10, 12)


def test_empty_and_error_codes():
    assert (
        bikes.parse('{"RESULT":{"CODE":"INFO-200","MESSAGE":"해당하는 데이터가 없습니다."}}', NOW)
        == ()
    )
    with pytest.raises(ApiError, match="ERROR-335"):
        bikes.parse('{"RESULT":{"CODE":"ERROR-335","MESSAGE":"sample key: 5 rows"}}', NOW)
    with pytest.raises(MalformedResponse):
        bikes.parse('{"rentBikeStatus":{"row":[{"stationId":"ST-1"', NOW)


def test_request_url_pages():
    assert (
        bikes.request_url("http://h:8088", "K", 1001, 2000)
        == "http://h:8088/K/json/bikeList/1001/2000/"
    )
