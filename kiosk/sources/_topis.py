"""The envelope of every TOPIS bus body (``ws.bus.go.kr``): header code, message and item rows.

Whatever shape the answer comes in — JSON (``resultType=json``) or XML (the default), the full
``ServiceResult`` or a bare ``<itemList>``, ``itemList`` as a list, one object or null — ``rows``
gives the same three things, and turns every error shape into a ``kiosk.errors`` exception:
``headerCd`` 7 with the gateway's code in parentheses ("…[인증모듈 에러코드(30)]"), the
data.go.kr gateway's own ``OpenAPI_ServiceResponse`` (XML, or JSON ``cmmMsgHeader``), HTML
pages, broken or hostile XML/JSON. Reference: shared/reference/seoul-open-api.md §6, §12.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from typing import Any

from kiosk.errors import ApiError, ApiKeyError, MalformedResponse, QuotaExceeded
from kiosk.sources._common import (
    GATEWAY_KEY_CODES,
    GATEWAY_QUOTA_CODES,
    api_status,
    clean_message,
    decode_body,
    load_json,
    raise_for_code,
    to_str,
)

EMPTY_HEADER = "4"  # "결과가 없습니다.": no bus at this hour (itemList null), not a failure
Rows = list[Any]  # item rows as the body has them: the parsers count what is not an object

_PAREN_CODE = re.compile(r"\((\d{1,3})\)")
_MARKUP_ERROR = re.compile(r"<!doctype\s+html|<html[\s>]|<OpenAPI_ServiceResponse\b", re.I)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_row(elem: ET.Element) -> dict[str, Any]:
    return {_local(child.tag): child.text or "" for child in elem}


def _from_xml(text: str) -> tuple[str, str, Rows]:
    if _MARKUP_ERROR.search(text[:4000]):
        load_json(text)  # an HTML page or the gateway's XML: raises the mapped error
        raise MalformedResponse("unexpected markup body")
    if re.search(r"<!DOCTYPE|<!ENTITY", text, re.I):
        # The API never declares a DTD; a body that does is refused before it is parsed
        # (entity expansion is how XML bodies blow up memory).
        raise MalformedResponse("XML body with a DOCTYPE or ENTITY declaration refused")
    try:
        root = ET.fromstring(text)
    except ET.ParseError as e:
        raise MalformedResponse(f"malformed XML ({e})") from None
    name = _local(root.tag)
    if name == "itemList":  # a bare item, as the 2020s' XML examples quote it
        return "", "", [_xml_row(root)]
    if name == "ServiceResult":
        header = next((c for c in root if _local(c.tag) == "msgHeader"), None)
        body = next((c for c in root if _local(c.tag) == "msgBody"), None)
        if header is None and body is None:
            raise MalformedResponse("bus response has no msgHeader and no msgBody")
        values = _xml_row(header) if header is not None else {}
        items = list(body) if body is not None else []
        found = [_xml_row(i) for i in items if _local(i.tag) == "itemList"]
        return to_str(values.get("headerCd")), to_str(values.get("headerMsg")), found
    data = load_json(text)  # another service's XML error (<RESULT><CODE>): raises, or INFO-200
    return _from_json(data)


def _raise_gateway(reason: str, message: str) -> None:
    code = f"GATEWAY-{reason}" if reason else "GATEWAY"
    text = clean_message(f"data.go.kr gateway: {message}" if message else "data.go.kr gateway")
    if reason in GATEWAY_QUOTA_CODES:
        raise QuotaExceeded(code, text)
    if reason in GATEWAY_KEY_CODES:
        raise ApiKeyError(code, text)
    raise ApiError(code, text)


def _from_json(data: Any) -> tuple[str, str, Rows]:
    if isinstance(data, list):  # bare rows (a proxy that unwrapped the body)
        return "", "", list(data)
    if not isinstance(data, Mapping):
        raise MalformedResponse(f"unexpected JSON body ({type(data).__name__})")
    if isinstance(data.get("ServiceResult"), Mapping):
        data = data["ServiceResult"]
    gateway = data.get("cmmMsgHeader")
    if isinstance(data.get("OpenAPI_ServiceResponse"), Mapping):
        gateway = data["OpenAPI_ServiceResponse"].get("cmmMsgHeader")
    if isinstance(gateway, Mapping):
        auth = to_str(gateway.get("returnAuthMsg")) or to_str(gateway.get("errMsg"))
        _raise_gateway(to_str(gateway.get("returnReasonCode")), auth)
    header, body = data.get("msgHeader"), data.get("msgBody")
    if header is None and body is None:
        status = api_status(data)  # an openapi-style RESULT from a proxy: INFO-200 is empty
        if status is not None and raise_for_code(*status):
            return EMPTY_HEADER, status[1], []
        raise MalformedResponse("bus response has no msgHeader and no msgBody")
    code = to_str(header.get("headerCd")) if isinstance(header, Mapping) else ""
    message = to_str(header.get("headerMsg")) if isinstance(header, Mapping) else ""
    items = body.get("itemList") if isinstance(body, Mapping) else None
    if isinstance(items, Mapping):  # a single item sent as an object
        items = [items]
    found = list(items) if isinstance(items, list) else []
    return code, message, found


def _envelope(body: bytes | str) -> tuple[str, str, Rows]:
    """(headerCd, headerMsg, item rows) of a body in any shape the bus API answers with."""
    text = decode_body(body).lstrip("\ufeff").strip()
    if not text:
        raise MalformedResponse("empty response body")
    try:
        return _from_xml(text) if text.startswith("<") else _from_json(load_json(text))
    except RecursionError:
        raise MalformedResponse("response body nested too deeply") from None


def _empty_or_raise(code: str, message: str) -> bool:
    """True for headerCd 4 (no data now); raises the kiosk error for any other failure code."""
    if code in ("", "0"):
        return False
    if code == EMPTY_HEADER:
        return True
    text = clean_message(message)
    found = _PAREN_CODE.search(text)
    reason = found.group(1) if found else ""
    upper = text.upper()
    if reason in GATEWAY_QUOTA_CODES or "LIMITED NUMBER OF SERVICE REQUESTS" in upper:
        raise QuotaExceeded(f"GATEWAY-{reason or '22'}", text)
    if reason in GATEWAY_KEY_CODES or "SERVICE KEY" in upper or "인증" in text:
        raise ApiKeyError(f"GATEWAY-{reason}" if reason else f"BUS-{code}", text)
    raise ApiError(f"BUS-{code}", text or "bus API error")


def none_usable(rows: int) -> str:
    """The one line for a body whose rows are all unusable (the wording every parser uses)."""
    return f"{rows} row{'s' if rows != 1 else ''}, none usable"


def rows(body: bytes | str) -> Rows:
    """The item rows of a bus body; [] for "no data now" (headerCd 4); raises for every error.

    Rows are returned as found, objects or not: the parser drops and counts the unusable ones.
    """
    code, message, found = _envelope(body)
    if _empty_or_raise(code, message):
        return []
    return found
