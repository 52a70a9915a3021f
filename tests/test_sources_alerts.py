"""The emergency-alert parser on every shape of the reference's §11, and the feed over real HTTP."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.timeutil import KST
from kiosk.errors import (
    ApiError,
    ApiKeyError,
    KioskError,
    MalformedResponse,
    QuotaExceeded,
    TransportError,
)
from kiosk.poller import http
from kiosk.poller.session import build_session
from kiosk.sources import alerts
from tests.httpserver import SeoulApi
from tests.httpserver.alerts import alert_row, gateway_xml, result_body

NOW = datetime(2026, 8, 18, 4, 0, tzinfo=KST)

# The reference's captured body, byte for byte as §11 prints it (numOfRows 2, one row shown).
REFERENCE_BODY = (
    '{"header":{"resultMsg":"NORMAL SERVICE","resultCode":"00","errorMsg":null},"numOfRows":2,'
    '"pageNo":1,"totalCount":60685,\n "body":[{"MSG_CN":"오늘 새벽 03:00 호우주의보 발효.",'
    '"RCPTN_RGN_NM":"경상남도 거제시 ","CRT_DT":"2026/08/18 03:51:18",\n "REG_YMD":"…",'
    '"EMRG_STEP_NM":"안전안내","SN":266799,"DST_SE_NM":"호우","MDFCN_YMD":"…"}]}'
)


def body(*rows: object, code: str = "00") -> str:
    return json.dumps(
        {
            "header": {"resultMsg": "NORMAL SERVICE", "resultCode": code, "errorMsg": None},
            "numOfRows": 10,
            "pageNo": 1,
            "totalCount": 60685,
            "body": list(rows),
        },
        ensure_ascii=False,
    )


def row(sn: object = 1, **kw: object) -> dict[str, object]:
    r = alert_row(
        1, "[영등포구청] 한강 수위 상승, 둔치 출입 금지", "서울특별시 영등포구 ", NOW, "긴급재난"
    )
    r["SN"] = sn
    r.update(kw)
    return r


def test_the_reference_body_parses_with_every_field():
    (a,) = alerts.parse(REFERENCE_BODY, NOW)
    assert a.serial == 266799
    assert (a.level, a.level_ko, a.category) == ("advisory", "안전안내", "호우")
    assert a.message == "오늘 새벽 03:00 호우주의보 발효."
    assert a.regions == ("경상남도 거제시",)  # trailing space gone
    assert a.issued_at == datetime(2026, 8, 18, 3, 51, 18, tzinfo=KST)
    assert alerts.fetch_item(a) == {
        "serial": 266799,
        "level": "advisory",
        "category": "호우",
        "message": "오늘 새벽 03:00 호우주의보 발효.",
        "regions": ["경상남도 거제시"],
        "issued_at": "2026-08-18T03:51:18+09:00",
    }


@pytest.mark.parametrize(
    ("step", "level"),
    [
        ("위급재난", "critical"),
        ("긴급재난", "emergency"),
        ("안전안내", "advisory"),
        (" 긴급재난 ", "emergency"),
        ("긴급재난문자", "emergency"),
        ("위급 재난", "critical"),
    ],
)
def test_each_level_word_maps_to_its_level(step, level):
    (a,) = alerts.parse(body(row(EMRG_STEP_NM=step)), NOW)
    assert a.level == level


@pytest.mark.parametrize(
    ("text", "regions"),
    [
        ("서울특별시 영등포구 ", ("서울특별시 영등포구",)),
        ("서울특별시 전체 ", ("서울특별시 전체",)),
        (
            "서울특별시 영등포구,서울특별시 마포구 ",
            ("서울특별시 영등포구", "서울특별시 마포구"),
        ),
        ("서울특별시 영등포구 , 경기도 광명시", ("서울특별시 영등포구", "경기도 광명시")),
        # No separator at all: a province name starts the next region.
        ("서울특별시 영등포구 서울특별시 동작구 ", ("서울특별시 영등포구", "서울특별시 동작구")),
        (
            "경기도 수원시 장안구  경기도 수원시 권선구",
            ("경기도 수원시 장안구", "경기도 수원시 권선구"),
        ),
        ("", ()),
        ("서울특별시 영등포구,서울특별시 영등포구", ("서울특별시 영등포구",)),
    ],
)
def test_receiving_regions_are_split_and_trimmed(text, regions):
    (a,) = alerts.parse(body(row(RCPTN_RGN_NM=text)), NOW)
    assert a.regions == regions


def test_several_rows_come_newest_first_and_a_repeated_serial_once():
    rows = [
        row(10, CRT_DT="2026/08/18 01:00:00"),
        row(12, CRT_DT="2026/08/18 03:00:00"),
        row("11", CRT_DT="2026/08/18 02:00:00"),  # SN as a string: still a number
        row(12, CRT_DT="2026/08/18 03:00:00", MSG_CN="다시 보낸 같은 문자"),
    ]
    got = alerts.parse(body(*rows), NOW)
    assert [a.serial for a in got] == [12, 11, 10]
    assert got[0].message.startswith("[영등포구청]")


def test_bad_rows_are_dropped_and_the_good_ones_kept():
    rows = [
        row(1),
        row(None),  # no serial
        row(3, CRT_DT="어제"),  # no time
        row(4, CRT_DT=None),
        row(5, MSG_CN="   "),  # nothing to show
        row(6, EMRG_STEP_NM="알수없음"),  # a level we cannot rank
        row(7, MSG_CN="가" * 1000),  # garbage, not an alert
        "not a row",
        row(-3),
    ]
    got = alerts.parse(body(*rows), NOW)
    assert [a.serial for a in got] == [1]


def test_message_whitespace_and_control_characters_are_cleaned():
    (a,) = alerts.parse(body(row(MSG_CN="[서울시]\n오늘 14시\t한파경보\x07 발효  ")), NOW)
    assert a.message == "[서울시] 오늘 14시 한파경보 발효"


def test_other_time_formats_and_lower_case_keys_are_read():
    r = {k.lower(): v for k, v in row(9).items()}
    r["crt_dt"] = "2026-08-18 03:10:00"
    (a,) = alerts.parse(body(r), NOW)
    assert a.serial == 9 and a.issued_at == datetime(2026, 8, 18, 3, 10, tzinfo=KST)


def test_all_rows_unusable_is_a_malformed_response_that_says_why():
    with pytest.raises(MalformedResponse, match="none of the 2 alert rows.*CRT_DT"):
        alerts.parse(body(row(1, CRT_DT="?"), row(2, CRT_DT="")), NOW)


@pytest.mark.parametrize(
    "text",
    [
        body(),  # no alerts today
        result_body("03", "NODATA_ERROR"),
        json.dumps({"header": {"resultCode": "00", "resultMsg": "NORMAL"}, "body": None}),
        json.dumps({"header": {"resultCode": 0}, "body": []}),
    ],
)
def test_no_alerts_is_an_empty_result(text):
    assert alerts.parse(text, NOW) == ()


@pytest.mark.parametrize(
    ("text", "error", "words"),
    [
        (result_body("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR"), ApiKeyError, "NOT_REGISTERED"),
        (result_body("31", "DEADLINE_HAS_EXPIRED_ERROR"), ApiKeyError, "EXPIRED"),
        (
            result_body("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"),
            QuotaExceeded,
            "22",
        ),
        (result_body("99", "UNKNOWN_ERROR"), ApiError, "99 safetydata: UNKNOWN_ERROR"),
        (
            gateway_xml("30", "SERVICE_KEY_IS_NOT_REGISTERED_ERROR").data(),
            ApiKeyError,
            "GATEWAY-30",
        ),
        (
            gateway_xml("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR").data(),
            QuotaExceeded,
            "GATEWAY-22",
        ),
        ("<!DOCTYPE html><html><head><title>502 Bad Gateway</title>", TransportError, "HTML"),
        (REFERENCE_BODY[:120], MalformedResponse, "truncated or malformed JSON"),
        ("", MalformedResponse, "empty"),
        ('"NORMAL SERVICE"', MalformedResponse, "not an object"),
        ('{"header": {"resultCode": "00"}}', MalformedResponse, "no 'body'"),
        ('{"header": {"resultCode": "00"}, "body": "garbled"}', MalformedResponse, "not a list"),
        ('{"totalCount": 3}', MalformedResponse, "neither a header nor rows"),
    ],
)
def test_error_shapes_map_to_the_kiosk_errors(text, error, words):
    with pytest.raises(error) as info:
        alerts.parse(text, NOW)
    assert words in info.value.one_line()
    assert "\n" not in str(info.value)


def test_wrapped_and_bare_shapes_are_accepted():
    wrapped = {
        "response": {
            "header": {"resultCode": "00"},
            "body": {"items": {"item": [row(21), row(22, CRT_DT="2026/08/18 03:59:00")]}},
        }
    }
    assert [a.serial for a in alerts.parse(json.dumps(wrapped), NOW)] == [21, 22]
    one = {"header": {"resultCode": "00"}, "body": row(23)}  # a single row as an object
    assert [a.serial for a in alerts.parse(json.dumps(one), NOW)] == [23]
    assert [a.serial for a in alerts.parse(json.dumps([row(24)]), NOW)] == [24]


def test_a_cp949_body_is_decoded():
    (a,) = alerts.parse(body(row(31)).encode("cp949"), NOW)
    assert a.message.startswith("[영등포구청] 한강")


@pytest.mark.parametrize(
    "garbage",
    [b"\xff\xfe\x00", b"[1, 2, 3]", b"null", b"{}", b'{"header": [], "body": [null]}', b"<x/>"],
)
def test_garbage_never_escapes_as_a_traceback(garbage):
    with pytest.raises(KioskError):
        alerts.parse(garbage, NOW)


def test_request_url_carries_every_parameter():
    url = alerts.request_url(alerts.DEFAULT_BASE, "ab+c/=", 20, date(2026, 8, 18), "서울특별시")
    assert url == (
        "https://www.safetydata.go.kr/V2/api/DSSP-IF-00247?serviceKey=ab%2Bc%2F%3D"
        "&returnType=json&pageNo=1&numOfRows=20&crtDt=20260818"
        "&rgnNm=%EC%84%9C%EC%9A%B8%ED%8A%B9%EB%B3%84%EC%8B%9C"
    )
    # data.go.kr's "encoded" key is passed as given, never encoded twice.
    assert "serviceKey=ab%2Bc%3D%3D&" in alerts.request_url(alerts.DEFAULT_BASE, "ab%2Bc%3D%3D", 5)
    assert alerts.request_url("http://proxy:8080/alerts", " K ", 1).endswith("numOfRows=1")


@pytest.mark.parametrize(
    ("base", "key", "rows", "error"),
    [
        (alerts.DEFAULT_BASE, "", 10, ApiKeyError),
        (alerts.DEFAULT_BASE, "   ", 10, ApiKeyError),
        (alerts.DEFAULT_BASE, "K", 0, ValueError),
        (alerts.DEFAULT_BASE, "K", 1001, ValueError),
        ("ftp://x/y", "K", 10, ValueError),
    ],
)
def test_request_url_refuses_bad_input(base, key, rows, error):
    with pytest.raises(error):
        alerts.request_url(base, key, rows)


# --- over real HTTP: the simulator behind the real cached session -----------------------------

KEY = "ALERTKEY-test-24680"


def _fetch(api: SeoulApi, tmp_path: Path, key: str = KEY, **kw: object):
    ks = build_session(tmp_path / "http.sqlite", [key])
    try:
        url = alerts.request_url(api.alerts_endpoint, key, 50, **kw)  # type: ignore[arg-type]
        got = http.get(ks, url, now=NOW, expire_after=0, timeout=2)
        return alerts.parse(got.content, NOW)
    finally:
        ks.close()


@pytest.fixture
def api():
    with SeoulApi("SUBWAY-k", "OPEN-k", lambda: NOW, alerts_key=KEY) as server:
        yield server


def test_the_feed_over_http_returns_the_rows_it_holds(api, tmp_path):
    api.alerts.set_rows(
        alert_row(
            101, "[행정안전부] 지진 발생, 낙하물 주의", "서울특별시 전체 ", NOW, "위급재난", "지진"
        ),
        alert_row(
            102,
            "폭염경보 발효",
            "부산광역시 해운대구 ",
            NOW - timedelta(hours=1),
            "안전안내",
            "폭염",
        ),
    )
    got = _fetch(api, tmp_path, crt_dt=NOW.date(), region="서울특별시")
    assert [(a.serial, a.level, a.category) for a in got] == [(101, "critical", "지진")]
    assert api.alerts.queries[-1]["crtDt"] == "20260818"
    assert api.alerts.queries[-1]["rgnNm"] == "서울특별시"
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("http.sqlite*"))
    assert "지진 발생".encode() in stored  # the answer is cached ...
    assert KEY.encode() not in stored  # ... and the key, a query parameter, is not


def test_the_feed_checks_the_key_and_its_quota(api, tmp_path):
    with pytest.raises(ApiKeyError, match="30"):
        _fetch(api, tmp_path / "a", key="WRONG-key-000")
    api.alerts.quota = api.alerts.calls
    with pytest.raises(QuotaExceeded, match="22"):
        _fetch(api, tmp_path / "b")


def test_a_gateway_error_and_a_garbled_body_over_http(api, tmp_path):
    api.route(r"^/V2/api/", gateway_xml("22", "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR"))
    with pytest.raises(QuotaExceeded, match="GATEWAY-22"):
        _fetch(api, tmp_path / "a")
    from tests.httpserver import Reply

    api.route(r"^/V2/api/", Reply(REFERENCE_BODY[:90]))
    with pytest.raises(MalformedResponse):
        _fetch(api, tmp_path / "b")
