"""The shared parsing helpers: tolerant numbers, decoding, and every error shape of the reference."""

from __future__ import annotations

import json

import pytest

from kiosk.errors import (
    ApiError,
    ApiKeyError,
    KioskError,
    MalformedResponse,
    QuotaExceeded,
    SourceError,
    TransportError,
)
from kiosk.sources._common import (
    api_status,
    decode_body,
    load_json,
    openapi_url,
    raise_for_code,
    rows_at,
    to_float,
    to_int,
    to_str,
    upper_keys,
)
from tests.conftest import SAMPLES


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (115, 115),
        (115.0, 115),
        ("115", 115),
        (" 42 ", 42),
        ("1,234", 1234),
        ("12.6", 13),
        ("", None),
        ("-", None),
        ("점검중", None),
        (None, None),
        ("abc", None),
        ("nan", None),
        ("inf", None),
        (True, None),
        ([1], None),
        ({"a": 1}, None),
    ],
)
def test_to_int_accepts_numbers_and_numeric_strings_only(value, expected):
    assert to_int(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (25.0, 25.0),
        (7, 7.0),
        ("0.048", 0.048),
        ("  9 ", 9.0),
        ("80,683", 80683.0),
        ("", None),
        ("-", None),
        ("점검중", None),
        (None, None),
        ("37.57~2", None),
        (float("nan"), None),
        (False, None),
    ],
)
def test_to_float_is_tolerant(value, expected):
    assert to_float(value) == expected


def test_to_str_strips_and_blanks_non_text():
    assert to_str("  서울특별시 강동구 ") == "서울특별시 강동구"
    assert to_str(None) == ""
    assert to_str(3) == "3"
    assert to_str({"a": 1}) == ""


def test_decode_body_forces_utf8_and_repairs_latin1_mojibake():
    text = '{"statnNm":"여의도"}'
    assert decode_body(text.encode("utf-8")) == text
    assert decode_body(text.encode("cp949")) == text
    mojibake = text.encode("utf-8").decode("latin-1")  # what a charset-guessing client produces
    assert decode_body(mojibake) == text
    assert decode_body(text) == text
    assert "\ufffd" in decode_body(b'{"x":"\xff\xfe\xfd"}')


def test_load_json_parses_plain_and_bom_prefixed_json():
    assert load_json(b'\xef\xbb\xbf {"a": [1, "2"]} ') == {"a": [1, "2"]}


@pytest.mark.parametrize(
    "body",
    [
        b'{"errorMessage":{"status":200,"code":"INFO-000"},"realtimeArrivalList":[{"subwayId":"10',
        b"",
        b"   ",
        b"not json at all",
        b"{'single': 'quotes'}",
    ],
)
def test_load_json_reports_truncated_or_garbage_bodies_as_malformed(body):
    with pytest.raises(MalformedResponse) as info:
        load_json(body)
    assert "\n" not in str(info.value)


def test_load_json_reports_an_html_page_as_transport_error_with_its_title():
    page = (
        b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"
    )
    with pytest.raises(TransportError, match="HTML page.*502 Bad Gateway"):
        load_json(page)
    with pytest.raises(TransportError):
        load_json("<html><body>점검 중입니다</body></html>")


@pytest.mark.parametrize(
    ("name", "error", "code"),
    [
        ("seoul_openapi_error_info100_xml_even_for_json.xml", ApiKeyError, "INFO-100"),
        ("seoul_openapi_error_info100_xml_cdata_shape.xml", ApiKeyError, "INFO-100"),
        ("bike_error_info100_xml_for_json_request.xml", ApiKeyError, "INFO-100"),
        ("datagokr_gateway_error_22_quota.xml", QuotaExceeded, "GATEWAY-22"),
        ("datagokr_gateway_error_30_key_testfixture_minimal.xml", ApiKeyError, "GATEWAY-30"),
        ("subway_error_info100_flat.json", ApiKeyError, "INFO-100"),
        ("subway_error_337_flat_shape_message_elided.json", QuotaExceeded, "ERROR-337"),
        ("subway_error_337_wrapped_TESTCONSTRUCTED.json", QuotaExceeded, "ERROR-337"),
    ],
)
def test_every_error_sample_maps_to_its_error_class(name, error, code):
    body = (SAMPLES / name).read_bytes()
    with pytest.raises(error) as info:
        rows_at(load_json(body), [("x",)])
    assert info.value.code == code
    assert "\n" not in str(info.value)


def test_xml_info100_message_is_kept_and_cdata_unwrapped():
    with pytest.raises(ApiKeyError) as info:
        load_json((SAMPLES / "seoul_openapi_error_info100_xml_even_for_json.xml").read_bytes())
    assert info.value.message == "인증키가 유효하지 않습니다."
    with pytest.raises(ApiKeyError) as info:
        load_json(b"<RESULT><CODE>INFO-100</CODE><MESSAGE><![CDATA[key bad]]></MESSAGE></RESULT>")
    assert info.value.message == "key bad"


def test_gateway_quota_message_names_the_gateway_reason():
    with pytest.raises(QuotaExceeded) as info:
        load_json((SAMPLES / "datagokr_gateway_error_22_quota.xml").read_bytes())
    assert "LIMITED_NUMBER_OF_SERVICE_REQUESTS_EXCEEDS_ERROR" in str(info.value)


def test_gateway_unknown_reason_is_a_plain_api_error():
    body = b"<OpenAPI_ServiceResponse><cmmMsgHeader><returnReasonCode>99</returnReasonCode></cmmMsgHeader></OpenAPI_ServiceResponse>"
    with pytest.raises(ApiError) as info:
        load_json(body)
    assert type(info.value) is ApiError and info.value.code == "GATEWAY-99"


def test_xml_info200_becomes_the_empty_result_shape():
    data = load_json(
        "<RESULT><CODE>INFO-200</CODE><MESSAGE>해당하는 데이터가 없습니다.</MESSAGE></RESULT>"
    )
    assert rows_at(data, [("RealtimeCityAir", "row")]) == []


def test_unknown_xml_is_malformed_and_xml_success_for_json_too():
    with pytest.raises(MalformedResponse, match="ServiceResult"):
        load_json(b"<ServiceResult><msgHeader/></ServiceResult>")
    with pytest.raises(MalformedResponse, match="XML"):
        load_json(b"<RESULT><CODE>INFO-000</CODE></RESULT>")


@pytest.mark.parametrize(
    "data",
    [
        {"status": 500, "code": "INFO-200", "message": "해당하는 데이터가 없습니다.", "total": 0},
        {"RESULT": {"CODE": "INFO-200", "MESSAGE": "해당하는 데이터가 없습니다."}},
        {"RealtimeCityAir": {"RESULT": {"CODE": "INFO-200", "MESSAGE": "없음"}}},
        {"errorMessage": {"code": "INFO-200"}},
    ],
)
def test_info200_in_any_shape_is_an_empty_list_not_an_error(data):
    assert rows_at(data, [("RealtimeCityAir", "row")]) == []


def test_other_codes_become_api_error_with_code_and_message():
    with pytest.raises(ApiError) as info:
        rows_at(
            {
                "RESULT": {
                    "CODE": "ERROR-336",
                    "MESSAGE": "데이터요청은 한번에 최대 1000건을 넘을 수 없습니다.",
                }
            },
            [],
        )
    assert type(info.value) is ApiError
    assert info.value.code == "ERROR-336"
    assert "1000건" in info.value.message
    assert isinstance(info.value, SourceError) and isinstance(info.value, KioskError)


def test_raise_for_code_returns_empty_flag_and_shortens_long_messages():
    assert raise_for_code("INFO-000") is False
    assert raise_for_code("info-200") is True
    with pytest.raises(ApiError) as info:
        raise_for_code("ERROR-500", "서버 오류\n" * 100)
    assert len(info.value.message) <= 160 and "\n" not in info.value.message


def test_api_status_follows_the_robust_rule():
    assert api_status({"errorMessage": {"code": "INFO-000", "message": "ok"}}) == ("INFO-000", "ok")
    assert api_status({"code": "ERROR-337", "message": "m"}) == ("ERROR-337", "m")
    assert api_status({"RESULT": {"CODE": "INFO-200"}}) == ("INFO-200", "")
    assert api_status({"bikeList": {"RESULT": {"CODE": "INFO-000", "MESSAGE": "x"}}}) == (
        "INFO-000",
        "x",
    )
    assert api_status([1, 2]) is None
    assert api_status({"subwayId": "1001"}) is None


def test_rows_at_accepts_wrapped_bare_list_bare_object_and_single_row_object():
    wrapped = {"S": {"RESULT": {"CODE": "INFO-000"}, "row": [{"a": 1}, None, "x", {"a": 2}]}}
    assert rows_at(wrapped, [("S", "row")]) == [{"a": 1}, {"a": 2}]
    assert rows_at([{"a": 1}], [("S", "row")]) == [{"a": 1}]
    assert rows_at({"a": 3}, [("S", "row")], row_marker="a") == [{"a": 3}]
    assert rows_at({"S": {"row": {"a": 4}}}, [("S", "row")]) == [{"a": 4}]
    assert (
        rows_at({"S": {"list_total_count": 0, "RESULT": {"CODE": "INFO-000"}}}, [("S", "row")])
        == []
    )


def test_rows_at_rejects_unknown_shapes():
    for data in ({"unexpected": 1}, "text", 42, None):
        with pytest.raises(MalformedResponse):
            rows_at(data, [("S", "row")])


def test_upper_keys_is_recursive():
    assert upper_keys({"a": [{"b": 1}], "C": {"d": None}}) == {"A": [{"B": 1}], "C": {"D": None}}


def test_openapi_url_puts_the_key_in_the_path_and_encodes_params():
    url = openapi_url(
        "http://127.0.0.1:8088/", "k/ey", "culturalEventInfo", 1, 5, " ", "축제", "2026-11"
    )
    assert url == (
        "http://127.0.0.1:8088/k%2Fey/json/culturalEventInfo/1/5/%20/%EC%B6%95%EC%A0%9C/2026-11/"
    )
    with pytest.raises(ApiKeyError):
        openapi_url("http://x", "  ", "bikeList", 1, 5)


def test_key_error_message_is_only_code_and_api_text():
    # The body is all a parser sees; a key-bearing URL is never part of what it raises.
    body = json.dumps({"code": "INFO-100", "message": "인증키가 유효하지 않습니다."})
    with pytest.raises(ApiKeyError) as info:
        rows_at(load_json(body), [])
    assert str(info.value) == "INFO-100 인증키가 유효하지 않습니다."
