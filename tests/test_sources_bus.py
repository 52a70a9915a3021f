"""The TOPIS bus parser (getStationByUid, getStationByPos): every bus sample and every shape."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from kiosk.core.timeutil import KST
from kiosk.errors import (
    ApiError,
    ApiKeyError,
    KioskError,
    MalformedResponse,
    QuotaExceeded,
    SourceError,
    TransportError,
)
from kiosk.sources import bus
from tests.httpserver import sample

NOW = datetime(2026, 11, 20, 8, 14, tzinfo=KST)
OK = {"headerMsg": "정상적으로 처리되었습니다.", "headerCd": "0", "itemCount": 0}


def _body(items: object, header: dict | None = None) -> str:
    return json.dumps(
        {"msgHeader": header or OK, "msgBody": {"itemList": items}}, ensure_ascii=False
    )


def _item(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "arsId": "19007",
        "stNm": "여의도환승센터",
        "busRouteId": "100100049",
        "rtNm": "160",
        "busRouteAbrv": "160",
        "routeType": "3",
        "adirection": "도봉산",
        "nxtStn": "여의도역",
        "firstTm": "0400 ",
        "lastTm": "2230  ",
        "term": "6",
        "staOrd": "13",
        "arrmsg1": "3분8초후[2번째 전]",
        "arrmsg2": "10분후[6번째 전]",
        "traTime1": "188",
        "traTime2": "612",
        "vehId1": "111000011",
        "vehId2": "111000012",
        "isLast1": "0",
        "isLast2": "0",
        "busType1": "1",
        "busType2": "0",
        "congestion1": "4",
        "congestion2": "3",
    }
    base.update(fields)
    return base


# --- every bus sample -------------------------------------------------------------------------


def test_sillim_capture_prefers_tratime_to_the_floored_text():
    buses = bus.parse(sample("bus_getStationByUid_sillim_2026_trimmed.xml"), NOW)
    got = [(b.route, b.order, b.eta_s, b.stops_away, b.congestion, b.state) for b in buses]
    assert got == [
        ("500", 1, 177, 1, "여유", "running"),
        ("500", 2, 1094, 11, "보통", "running"),
        ("643", 1, 188, 1, "보통", "running"),  # "2분후" is 120 s; traTime says 188
        ("643", 2, 584, 5, "여유", "running"),
    ]
    assert {b.ars_id for b in buses} == {"21350"} and {b.stop for b in buses} == {
        "신림사거리.신림역"
    }
    assert {b.route_type for b in buses} == {""}  # the trimmed capture has no routeType


def test_2021_json_capture_old_congestion_trailing_spaces_and_a_leftover_message():
    buses = bus.parse(sample("bus_getStationByUid_json_2021_bbus.json"), NOW)
    by = {(b.route, b.order): b for b in buses}
    assert len(buses) == 8 and {b.route for b in buses} == {"333", "343", "440", "9202하남"}
    # "2분20초후[1번째 전]" with no vehicle, traTime 0 and arrmsgSec "운행종료": service ended.
    assert by[("333", 1)].state == "service_ended" and by[("333", 1)].eta_s is None
    assert by[("333", 1)].message == "2분20초후[1번째 전]"  # the raw message is kept
    assert by[("343", 1)].state == "service_ended" and by[("343", 2)].eta_s is None
    coming = by[("9202하남", 1)]
    assert (coming.state, coming.eta_s, coming.route_type) == ("arriving", 5, "경기")
    assert by[("440", 1)].route_type == "마을" and by[("333", 1)].route_type == "간선"
    assert (by[("333", 1)].first_time, by[("333", 1)].last_time) == ("04:00", "23:00")
    assert by[("333", 1)].low_floor and not by[("333", 2)].low_floor
    assert all(b.congestion is None for b in buses)  # the old single field is "0": none
    assert by[("333", 1)].headway_min == 12 and by[("333", 1)].direction == "올림픽공원"


def test_6300_xml_fragment_is_an_airport_bus_waiting_to_depart():
    buses = bus.parse(sample("bus_getStationByUid_itemList_6300_xml_comment.xml"), NOW)
    assert [(b.route, b.order, b.state, b.eta_s) for b in buses] == [
        ("6300", 1, "waiting_to_depart", None),
        ("6300", 2, "waiting_to_depart", None),
    ]
    first = buses[0]
    assert (first.route_type, first.direction, first.next_stop) == (
        "공항",
        "인천공항",
        "배재중고등학교",
    )
    assert (first.first_time, first.last_time, first.stop, first.ars_id) == (
        "04:00",
        "19:40",
        "고덕역",
        "25139",
    )


def test_route_capture_of_getarrinfobyroute_parses_too():
    buses = bus.parse(sample("bus_getArrInfoByRoute_2021_bbus_EDITED_first_item.xml"), NOW)
    assert [(b.route, b.order, b.eta_s, b.stops_away) for b in buses] == [
        ("242", 1, 438, 2),
        ("242", 2, 770, 4),
    ]
    assert buses[0].first_time == "05:57"  # "20211110055700"


def test_night_headercd_4_is_empty_not_an_error():
    assert bus.parse(sample("bus_error_headerCd4_no_result_testfixture.xml"), NOW) == ()
    night = {"msgHeader": {"headerCd": "4", "headerMsg": "결과가 없습니다."}, "msgBody": None}
    assert bus.parse(json.dumps(night), NOW) == ()
    assert bus.parse(_body(None, {"headerCd": "4", "headerMsg": "결과가 없습니다."}), NOW) == ()


@pytest.mark.parametrize(
    ("name", "error", "code"),
    [
        ("bus_error_headerCd7_key_not_registered.xml", ApiKeyError, "GATEWAY-30"),
        ("datagokr_gateway_error_30_key_testfixture_minimal.xml", ApiKeyError, "GATEWAY-30"),
        ("datagokr_gateway_error_22_quota.xml", QuotaExceeded, "GATEWAY-22"),
    ],
)
def test_key_and_quota_errors_are_classified_by_the_gateway_code(name, error, code):
    with pytest.raises(error) as e:
        bus.parse(sample(name), NOW)
    assert e.value.code == code and "\n" not in e.value.one_line()


def test_headercd_7_with_code_22_in_parentheses_is_the_daily_limit():
    msg = "LIMITED NUMBER OF SERVICE REQUESTS EXCEEDS ERROR.[인증모듈 에러코드(22)]"
    with pytest.raises(QuotaExceeded) as e:
        bus.parse(_body(None, {"headerCd": "7", "headerMsg": msg}), NOW)
    assert e.value.code == "GATEWAY-22" and "(22)" in e.value.one_line()
    xml = f"<ServiceResult><msgHeader><headerCd>7</headerCd><headerMsg>{msg}</headerMsg></msgHeader></ServiceResult>"
    with pytest.raises(QuotaExceeded):
        bus.parse(xml, NOW)


def test_other_header_codes_are_api_errors_with_their_message():
    with pytest.raises(ApiError) as e:
        bus.parse(_body(None, {"headerCd": "3", "headerMsg": "정류소를 찾을 수 없습니다."}), NOW)
    assert type(e.value) is ApiError and e.value.one_line() == "BUS-3 정류소를 찾을 수 없습니다."
    gateway = {
        "cmmMsgHeader": {
            "returnReasonCode": "30",
            "returnAuthMsg": "SERVICE_KEY_IS_NOT_REGISTERED_ERROR",
        }
    }
    with pytest.raises(ApiKeyError, match="GATEWAY-30 data.go.kr gateway: SERVICE_KEY"):
        bus.parse(json.dumps(gateway), NOW)  # the gateway's JSON form


# --- shapes of itemList and fields ----------------------------------------------------------------


def test_itemlist_as_a_single_object_or_a_list_or_empty():
    one = bus.parse(_body(_item()), NOW)
    assert [(b.route, b.order, b.eta_s) for b in one] == [("160", 1, 188), ("160", 2, 612)]
    assert bus.parse(_body([_item()]), NOW) == one
    assert bus.parse(_body([]), NOW) == () and bus.parse(_body(""), NOW) == ()
    assert bus.parse(json.dumps({"msgHeader": OK, "msgBody": {}}), NOW) == ()


def test_numbers_as_json_numbers_and_text_with_spaces_are_read_alike():
    odd = _item(traTime1=188, term=6, busType1=1, congestion1=4, rtNm=" 160 ", busRouteAbrv=None)
    assert bus.parse(_body([odd]), NOW) == bus.parse(_body([_item()]), NOW)


def test_the_fields_kiosk_fetch_prints_are_all_there():
    first = bus.parse(_body([_item()]), NOW)[0]
    assert (
        first.ars_id,
        first.stop,
        first.route,
        first.route_type,
        first.direction,
        first.order,
        first.eta_s,
        first.stops_away,
        first.message,
        first.state,
        first.last_bus,
        first.low_floor,
        first.congestion,
    ) == (
        "19007",
        "여의도환승센터",
        "160",
        "간선",
        "도봉산",
        1,
        188,
        2,
        "3분8초후[2번째 전]",
        "running",
        False,
        True,
        "보통",
    )


@pytest.mark.parametrize(
    ("message", "tra", "state", "eta", "stops"),
    [
        ("3분8초후[2번째 전]", "188", "running", 188, 2),
        ("3분8초후[2번째 전]", "0", "running", 188, 2),  # no traTime: the text's own seconds
        ("2분후[1번째 전]", "177", "running", 177, 1),
        ("18분후[11번째 전]", "", "running", 1080, 11),
        ("곧 도착", "5", "arriving", 5, None),
        ("곧 도착", "0", "arriving", None, None),
        ("운행종료", "0", "service_ended", None, None),
        ("출발대기", "0", "waiting_to_depart", None, None),
        ("회차대기", "0", "turning_back", None, None),
        ("출발대기", "300", "waiting_to_depart", None, None),  # never a number for these
        ("[3번째 전]", "0", "running", None, 3),
        ("알 수 없는 말", "240", "running", 240, None),  # unknown words, but a real time
        ("3분후[2번째 전]", "1e20", "running", 180, 2),  # a garbage traTime is no time
    ],
)
def test_messages_give_state_eta_and_stops(message, tra, state, eta, stops):
    first = bus.parse(_body([_item(arrmsg1=message, traTime1=tra)]), NOW)[0]
    assert (first.order, first.state, first.eta_s, first.stops_away) == (1, state, eta, stops)
    assert first.eta_s != 0


def test_last_bus_from_the_flag_or_the_message_and_low_floor_from_bus_type():
    buses = bus.parse(
        _body([_item(isLast1="1", arrmsg2="[막차] 9분후[5번째 전]", busType2="2")]), NOW
    )
    assert [(b.last_bus, b.low_floor) for b in buses] == [(True, True), (True, False)]


def test_congestion_new_fields_old_field_reride_and_full():
    rows = [
        _item(rtNm="A", busRouteAbrv="A", congestion1="6", congestion2="5"),
        _item(rtNm="B", busRouteAbrv="B", congestion1=None, congestion2=None, congestion="3"),
        _item(
            rtNm="C",
            busRouteAbrv="C",
            congestion1="0",
            congestion2="0",
            rerdieDiv1="4",
            rerideNum1="5",
        ),
        _item(rtNm="D", busRouteAbrv="D", isFullFlag1="1", congestion2="0"),
    ]
    got = {(b.route, b.order): b.congestion for b in bus.parse(_body(rows), NOW)}
    assert got == {
        ("A", 1): "매우혼잡",
        ("A", 2): "혼잡",
        ("B", 1): "여유",  # the old single field: the route's next bus
        ("B", 2): None,
        ("C", 1): "혼잡",
        ("C", 2): None,
        ("D", 1): "만차",
        ("D", 2): None,
    }


def test_route_type_words_for_every_code():
    codes = {"1": "공항", "2": "마을", "3": "간선", "4": "지선", "5": "순환", "6": "광역"}
    codes |= {"7": "인천", "8": "경기", "9": "폐지", "0": "공용", "42": "기타"}
    for code, word in codes.items():
        assert bus.parse(_body([_item(routeType=code)]), NOW)[0].route_type == word


def test_unusable_rows_are_dropped_and_a_body_of_only_those_is_malformed():
    rows = [
        _item(),
        _item(rtNm="", busRouteAbrv=""),  # no route
        _item(
            rtNm="7", busRouteAbrv="7", arrmsg1="정보없음", traTime1="0", arrmsg2="", traTime2="0"
        ),
    ]
    assert {b.route for b in bus.parse(_body(rows), NOW)} == {"160"}
    assert bus.parse_rows(_body(rows + [7]), NOW)[1:] == (4, 3)  # rows, dropped
    with pytest.raises(MalformedResponse, match="^2 rows, none usable$"):
        bus.parse(_body(rows[1:]), NOW)
    with pytest.raises(MalformedResponse, match="^3 rows, none usable$"):
        bus.parse(_body([{"foo": None}, 3, None]), NOW)


def test_a_row_twice_shows_its_buses_once_and_the_asked_stop_is_enforced():
    assert len(bus.parse(_body([_item(), _item()]), NOW)) == 2
    other = _item(arsId="19008", rtNm="261", busRouteAbrv="261", busRouteId="9")
    no_id = _item(arsId="", rtNm="360", busRouteAbrv="360", busRouteId="10")
    got = bus.parse(_body([_item(), other, no_id]), NOW, ars_id="19007")
    assert {(b.route, b.ars_id) for b in got} == {("160", "19007"), ("360", "19007")}


def test_times_of_first_and_last_bus():
    buses = bus.parse(
        _body(
            [
                _item(firstTm="0400  ", lastTm="2500"),
                _item(rtNm="X", busRouteAbrv="X", firstTm="4 am", lastTm=None),
            ]
        ),
        NOW,
    )
    assert [(b.first_time, b.last_time) for b in buses[::2]] == [("04:00", "25:00"), ("", "")]


# --- hostile and broken bodies --------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"   ",
        b"\xff\xfe\x00garbage",
        b'{"msgHeader": {"headerCd": "0"}, "msgBody": {"itemList": [',
        b"[" * 100_000 + b"]" * 100_000,
        b"<ServiceResult><msgHeader><headerCd>0</headerCd></msgHeader><msgBody><itemList>",
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<ServiceResult><msgBody><itemList><rtNm>&lol2;</rtNm></itemList></msgBody></ServiceResult>",
        b'<!DOCTYPE x SYSTEM "file:///etc/passwd"><itemList><rtNm>1</rtNm></itemList>',
        b"<response><header><resultCode>99</resultCode></header></response>",
        b'"just a string"',
        b"42",
        b'{"unexpected": true}',
        b"<ServiceResult></ServiceResult>",
    ],
)
def test_hostile_or_broken_bodies_are_one_line_malformed_errors(body):
    with pytest.raises(MalformedResponse) as e:
        bus.parse(body, NOW)
    line = e.value.one_line()
    assert line and "\n" not in line and len(line) < 200


def test_an_html_error_page_is_a_transport_error():
    page = "<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body></body></html>"
    with pytest.raises(TransportError, match="HTML page.*502 Bad Gateway"):
        bus.parse(page, NOW)


def test_no_body_ever_raises_anything_but_a_kiosk_error():
    shapes: list[object] = [
        {"msgHeader": [], "msgBody": []},
        {"msgHeader": {"headerCd": {"x": 1}}, "msgBody": {"itemList": {"rtNm": ["a"]}}},
        {
            "msgHeader": None,
            "msgBody": {"itemList": [{"rtNm": "1", "traTime1": "nan", "arrmsg1": None}]},
        },
        {
            "msgBody": {
                "itemList": [
                    {"rtNm": "1", "arrmsg1": "99999999999999999999분후[99999999999번째 전]"}
                ]
            }
        },
        {"ServiceResult": {"msgHeader": {"headerCd": 7, "headerMsg": None}}},
    ]
    for shape in shapes:
        try:
            bus.parse(json.dumps(shape), NOW)
        except KioskError as e:
            assert "\n" not in e.one_line()


# --- URLs -----------------------------------------------------------------------------------------


def test_request_url_escapes_the_key_once_whichever_form_was_pasted():
    decoded = "ab+cd/ef=="
    encoded = "ab%2Bcd%2Fef%3D%3D"
    want = (
        "http://ws.bus.go.kr/api/rest/stationinfo/getStationByUid"
        f"?serviceKey={encoded}&arsId=19007&resultType=json"
    )
    assert bus.request_url(bus.DEFAULT_BASE, decoded, "19007") == want
    assert bus.request_url(bus.DEFAULT_BASE + "/", f" {encoded} ", " 19007 ") == want


def test_request_url_refuses_a_missing_key_and_a_bad_ars_id():
    with pytest.raises(ApiKeyError, match="NO-KEY"):
        bus.request_url(bus.DEFAULT_BASE, " ", "19007")
    with pytest.raises(SourceError, match="'1900'.*5 digits"):
        bus.request_url(bus.DEFAULT_BASE, "key", "1900")


def test_stops_url_and_its_checks():
    url = bus.stops_url("http://x/api/rest", "k+y", 37.5216, 126.9243, 300)
    assert url == (
        "http://x/api/rest/stationinfo/getStationByPos?serviceKey=k%2By"
        "&tmX=126.9243000&tmY=37.5216000&radius=300&resultType=json"
    )
    with pytest.raises(SourceError, match="radius"):
        bus.stops_url("http://x", "key", 37.5, 126.9, 0)
    with pytest.raises(SourceError, match="position"):
        bus.stops_url("http://x", "key", float("nan"), 126.9, 300)


# --- getStationByPos ---------------------------------------------------------------------------------


def test_stops_nearest_first_one_per_ars_id_without_unnumbered_stops():
    rows = [
        {
            "arsId": "19010",
            "stationNm": "여의도공원",
            "gpsX": "126.92218",
            "gpsY": "37.52495",
            "dist": "310",
        },
        {"arsId": "0", "stationNm": "미정차", "gpsX": "126.924", "gpsY": "37.5218", "dist": "5"},
        {
            "arsId": "19007",
            "stationNm": "여의도환승센터",
            "gpsX": "126.92404",
            "gpsY": "37.52183",
            "dist": "12",
        },
        {
            "arsId": "19007",
            "stationNm": "여의도환승센터",
            "gpsX": "126.92404",
            "gpsY": "37.52183",
            "dist": "40",
        },
        {
            "arsId": "19008",
            "stationNm": "여의도역",
            "gpsX": "37.52139",
            "gpsY": "126.92478",
            "dist": "",
        },
        {"arsId": "19121", "stationNm": "KBS", "gpsX": "", "gpsY": "", "dist": "900"},
    ]
    stops = bus.parse_stops(_body(rows), NOW)
    assert [(s.ars_id, s.name, s.distance_m) for s in stops] == [
        ("19007", "여의도환승센터", 12.0),
        ("19010", "여의도공원", 310.0),
        ("19008", "여의도역", None),  # no distance given: last
    ]
    assert (stops[2].lat, stops[2].lon) == (37.52139, 126.92478)  # swapped pair put right
    assert bus.parse_stops(sample("bus_error_headerCd4_no_result_testfixture.xml"), NOW) == ()
    with pytest.raises(MalformedResponse, match="^2 rows, none usable$"):
        bus.parse_stops(_body([rows[1], rows[5]]), NOW)
    with pytest.raises(ApiKeyError):
        bus.parse_stops(sample("bus_error_headerCd7_key_not_registered.xml"), NOW)
