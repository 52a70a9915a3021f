"""realtimeStationArrival parsing: every recorded body, every error shape, and row-level quirks."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.core.timeutil import KST
from kiosk.errors import ApiKeyError, MalformedResponse, QuotaExceeded, SourceError
from kiosk.sources import subway
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 20, 8, 14, tzinfo=KST)


def sample_body(path: Path) -> str:
    """The sample as an API body; the .txt Dart-comment capture is rebuilt from its `key : value` lines."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".txt":
        return text
    obj = {}
    for line in text.splitlines():
        line = line.removeprefix("/// ").strip()
        if " : " in line:
            key, value = line.split(" : ", 1)
            obj[key.strip()] = json.loads(value)
    return json.dumps(obj, ensure_ascii=False)


ARRIVAL_SAMPLES = sorted(SAMPLES.glob("subway_arrival_*"))
ERROR_SAMPLES = sorted(SAMPLES.glob("subway_error_*"))

# What each recorded body must yield: (row count, {index: expected attributes}).
EXPECTED = {
    "subway_arrival_seoulstn_2021.json": (
        5,
        {
            0: dict(
                line_id="1065",
                line="공항철도",
                destination="검암",
                heading="공덕방면",
                eta_s=None,
                arrival_code="2",
                train_no="A3081",
                express=False,
                last_train=False,
                received_at=datetime(2021, 10, 14, 18, 6, 56, tzinfo=KST),
            ),
            1: dict(
                line_id="1004",
                destination="당고개",
                eta_s=115,
                arrival_code="5",
                current_station="숙대입구",
            ),
            2: dict(line_id="1001", eta_s=None, arrival_code="5", message="전역 도착"),
            4: dict(line_id="1063", heading="신촌(경의중앙선)방면", destination="문산", eta_s=None),
        },
    ),
    "subway_arrival_gangnam_2022_partial.txt": (
        1,
        {
            0: dict(
                line_id="1002",
                line="2호선",
                direction="외선",
                destination="성수",
                eta_s=35,
                heading="역삼방면",
                received_at=datetime(2022, 1, 6, 21, 16, 30, tzinfo=KST),
            )
        },
    ),
    "subway_arrival_kkachisan_2026.json": (
        5,
        {
            0: dict(
                line_id="1005",
                direction="상행",
                destination="방화",
                eta_s=60,
                arrival_code="3",
                train_type="일반",
                received_at=NOW,
            ),
            3: dict(
                line_id="1002", direction="내선", destination="까치산", eta_s=480, message="8분 후"
            ),
            4: dict(destination="하남검단산", eta_s=480, current_station="마곡", last_train=False),
        },
    ),
    "subway_arrival_yeonsinnae_2024_row.json": (
        1,
        {
            0: dict(
                line_id="1003",
                destination="대화",
                eta_s=0,
                arrival_code="1",
                message="연신내 도착",
                received_at=datetime(2024, 2, 6, 14, 28, 40, tzinfo=KST),
            )
        },
    ),
    "subway_arrival_sinheung_2017_row.json": (
        1,
        {
            0: dict(
                line_id="1008",
                line="8호선",
                destination="암사",
                eta_s=240,
                arrival_code="99",
                express=False,
                message="4분 후 (모란)",
            )
        },
    ),
    "subway_arrival_hongik_mock_trimmed.json": (
        5,
        {
            0: dict(
                line_id="1065",
                destination="인천공항2터미널",
                heading="디지털미디어시티방면",
                express=True,
                train_type="급행",
                arrival_code="2",
                eta_s=None,
                received_at=NOW,
            ),
            1: dict(destination="검암", express=False, arrival_code="3"),
            2: dict(line_id="1063", line="경의중앙선", arrival_code="4"),
            3: dict(arrival_code="99", eta_s=None),
        },
    ),
}


@pytest.mark.parametrize("path", ARRIVAL_SAMPLES, ids=lambda p: p.name)
def test_arrival_sample_parses_to_expected_values(path):
    arrivals = subway.parse(sample_body(path), NOW)
    assert arrivals, "a success body yields arrivals"
    for a in arrivals:
        assert a.line_id.isdigit() and a.direction in {"상행", "하행", "내선", "외선"}
        assert a.received_at.tzinfo is not None
        assert a.eta_s is None or a.eta_s >= 0
    count, rows = EXPECTED.get(path.name, (len(arrivals), {}))
    assert len(arrivals) == count
    for index, attrs in rows.items():
        for name, value in attrs.items():
            assert getattr(arrivals[index], name) == value, (path.name, index, name)


@pytest.mark.parametrize("path", ERROR_SAMPLES, ids=lambda p: p.name)
def test_error_sample_maps_to_empty_or_the_right_error(path):
    body = path.read_bytes()
    if "info200" in path.name:
        assert subway.parse(body, NOW) == ()
        return
    expected = (
        ApiKeyError
        if "info100" in path.name
        else QuotaExceeded
        if "337" in path.name
        else SourceError
    )
    with pytest.raises(expected):
        subway.parse(body, NOW)


def test_result_shaped_info200_is_empty():
    body = '{"RESULT":{"CODE":"INFO-200","MESSAGE":"해당하는 데이터가 없습니다."}}'
    assert subway.parse(body, NOW) == ()


def test_unknown_code_raises_api_error_not_empty():
    with pytest.raises(SourceError, match="ERROR-500"):
        subway.parse('{"status":500,"code":"ERROR-500","message":"서버 오류"}', NOW)


def _row(**fields):
    base = {
        "subwayId": "1009",
        "updnLine": "하행",
        "trainLineNm": "중앙보훈병원행 - 샛강방면",
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
    }
    base.update(fields)
    return {k: v for k, v in base.items() if v is not None}


def _parse_rows(*rows):
    return subway.parse(
        json.dumps({"errorMessage": {"code": "INFO-000"}, "realtimeArrivalList": list(rows)}), NOW
    )


@pytest.mark.parametrize(
    ("fields", "express", "train_type"),
    [
        ({}, False, "일반"),
        ({"btrainSttus": "급행"}, True, "급행"),
        ({"btrainSttus": "특급"}, True, "특급"),
        ({"btrainSttus": "ITX-청춘"}, True, "ITX-청춘"),
        ({"btrainSttus": None, "trainLineNm": "개화행 - 노량진방면 (급행)"}, True, "급행"),
        ({"btrainSttus": None, "ordkey": "11000개화1"}, True, "급행"),
        ({"btrainSttus": None, "ordkey": "01002암사"}, False, ""),
    ],
)
def test_express_detection(fields, express, train_type):
    (a,) = _parse_rows(_row(**fields))
    assert a.express is express and a.train_type == train_type


@pytest.mark.parametrize(
    ("barvl", "code", "eta"),
    [
        ("0", "0", 0),
        ("0", "1", 0),
        ("0", "2", None),
        ("0", "3", None),
        ("0", "5", None),
        ("0", "99", None),
        (None, "99", None),
        ("", "1", None),
        ("-30", "99", None),
        ("300", "99", 300),
        ("45", "2", 45),
        (75, "3", 75),
    ],
)
def test_eta_is_barvldt_or_unknown(barvl, code, eta):
    (a,) = _parse_rows(_row(barvlDt=barvl, arvlCd=code))
    assert a.eta_s == eta


def test_destination_falls_back_to_train_line_and_last_train_flag():
    (a, b) = _parse_rows(
        _row(bstatnNm=None), _row(bstatnNm="", lstcarAt="1", trainLineNm="검암행 - 공덕방면")
    )
    assert a.destination == "중앙보훈병원" and a.heading == "샛강방면" and not a.last_train
    assert b.destination == "검암" and b.last_train


def test_rows_lacking_line_or_direction_are_skipped_not_fatal():
    arrivals = _parse_rows(
        _row(subwayId=None), _row(updnLine=""), _row(), "garbage", None, _row(barvlDt="x")
    )
    assert len(arrivals) == 2
    assert arrivals[1].eta_s is None


def test_recptndt_absent_is_the_fetch_time_unreadable_drops_the_row_ahead_is_clamped():
    (absent,) = _parse_rows(_row(recptnDt=None))
    assert absent.received_at == NOW
    # "어제" or 1e20 (OSError from fromtimestamp before): that train's age is unknown, so it
    # is dropped; the other rows stay.
    got = subway.parse_rows(
        json.dumps({"realtimeArrivalList": [_row(recptnDt="어제"), _row(recptnDt=1e20), _row()]}),
        NOW,
    )
    assert len(got.items) == 1 and (got.rows, got.dropped) == (3, 2)
    # A recptnDt ahead of our clock counts from the fetch: the countdown runs at once.
    (ahead,) = _parse_rows(_row(recptnDt="2026-11-20 09:14:00"))
    assert ahead.received_at == NOW


def test_unknown_line_id_keeps_the_raw_id_as_line_name():
    (a,) = _parse_rows(_row(subwayId="1099"))
    assert a.line == "1099"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("검암행 - 공덕방면", ("검암", "공덕방면", False)),
        (
            "인천공항2터미널행 - 디지털미디어시티방면 (급행)",
            ("인천공항2터미널", "디지털미디어시티방면", True),
        ),
        ("행신행 - 강매방면", ("행신", "강매방면", False)),
        ("방화행", ("방화", "", False)),
        ("", ("", "", False)),
        ("이상한 값 (급행)", ("", "", True)),
    ],
)
def test_split_train_line(text, expected):
    assert subway.split_train_line(text) == expected


def test_garbage_and_truncated_bodies_raise_malformed():
    for body in (
        b"",
        b"{",
        b'{"realtimeArrivalList": [{"subwayId":',
        b'{"unexpected": true}',
        b"[1,2",
    ):
        with pytest.raises(MalformedResponse):
            subway.parse(body, NOW)


def test_request_url_encodes_station_and_puts_key_in_path():
    url = subway.request_url("http://127.0.0.1:9/api/subway/", "abc123", "홍대입구", 0, 20)
    assert url == (
        "http://127.0.0.1:9/api/subway/abc123/json/realtimeStationArrival/0/20/"
        "%ED%99%8D%EB%8C%80%EC%9E%85%EA%B5%AC"
    )
    with pytest.raises(ApiKeyError):
        subway.request_url(subway.DEFAULT_BASE, "", "여의도")
