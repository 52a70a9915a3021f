"""Emergency alerts (긴급재난문자, safetydata.go.kr ``DSSP-IF-00247``) -> ``Alert`` models.

Success: ``{"header": {"resultCode": "00", ...}, "numOfRows": N, "totalCount": T, "body": [rows]}``;
errors: another ``resultCode`` with ``"body": null``, or the data.go.kr gateway's XML envelope.
Rows carry ``SN`` (a number), ``CRT_DT`` ("YYYY/MM/DD HH:MM:SS", KST), ``MSG_CN``,
``RCPTN_RGN_NM`` (one or more regions, trailing spaces), ``EMRG_STEP_NM`` (위급재난 / 긴급재난 /
안전안내) and ``DST_SE_NM`` (호우, 지진 ...). Rows that cannot be shown are dropped; a body whose
rows are all unusable is a ``MalformedResponse``. Reference: shared/reference/seoul-open-api.md §11.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

from kiosk.core.models import Alert
from kiosk.core.notices import level_from_ko
from kiosk.core.timeutil import KST, parse_kst
from kiosk.errors import ApiError, ApiKeyError, MalformedResponse, QuotaExceeded
from kiosk.sources._common import (
    GATEWAY_KEY_CODES,
    GATEWAY_QUOTA_CODES,
    Parsed,
    clean_message,
    load_json,
    to_int,
    to_str,
    upper_keys,
)

DEFAULT_BASE = "https://www.safetydata.go.kr/V2/api/DSSP-IF-00247"
OK_CODE = "00"
NO_DATA_CODE = "03"  # the data.go.kr family's NODATA_ERROR: no alerts, not a failure
# 21 is "TEMPORARILY_DISABLE_THE_SERVICEKEY_ERROR": the operator fixes it like a bad key.
KEY_CODES = GATEWAY_KEY_CODES | {"21"}
QUOTA_CODES = GATEWAY_QUOTA_CODES
MAX_ROWS = 1000
MAX_MESSAGE = 400  # phones get at most 157 characters; far longer is garbage, not an alert

# Province-level names: a new one in RCPTN_RGN_NM starts the next region even without a comma.
_PROVINCES = frozenset(
    {
        "서울특별시",
        "부산광역시",
        "대구광역시",
        "인천광역시",
        "광주광역시",
        "대전광역시",
        "울산광역시",
        "세종특별자치시",
        "경기도",
        "강원도",
        "강원특별자치도",
        "충청북도",
        "충청남도",
        "전라북도",
        "전북특별자치도",
        "전라남도",
        "경상북도",
        "경상남도",
        "제주특별자치도",
    }
)
_REGION_SEPARATORS = re.compile(r"[,;/|·\n\r\t]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ENCODED = re.compile(r"%[0-9A-Fa-f]{2}")


def request_url(
    base: str, key: str, rows: int, crt_dt: date | None = None, region: str | None = None
) -> str:
    """``{base}?serviceKey=KEY&returnType=json&pageNo=1&numOfRows=N[&crtDt=YYYYMMDD][&rgnNm=..]``."""
    if not key or not key.strip():
        raise ApiKeyError("NO-KEY", "no API key configured for alerts")
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"alerts endpoint must be an http(s) URL (got {base!r})")
    if not 1 <= rows <= MAX_ROWS:
        raise ValueError(f"numOfRows must be 1..{MAX_ROWS} (got {rows})")
    key = key.strip()
    # data.go.kr hands out each key twice, plain and already percent-encoded; encoding the
    # encoded one again ("%2B" -> "%252B") is the classic cause of "key not registered".
    encoded_key = key if _ENCODED.search(key) else quote(key, safe="")
    url = f"{base}?serviceKey={encoded_key}&returnType=json&pageNo=1&numOfRows={int(rows)}"
    if crt_dt is not None:
        url += f"&crtDt={crt_dt:%Y%m%d}"
    if region and region.strip():
        url += f"&rgnNm={quote(region.strip(), safe='')}"
    return url


def days_to_ask(now: datetime, lookback_s: float) -> tuple[date, ...]:
    """The KST days (``crtDt``) whose alerts may still be on screen, today first.

    An alert issued at 23:30 is in force after midnight: while the longest window reaches back
    into yesterday, yesterday is asked for too.
    """
    today = now.astimezone(KST).date()
    first = (now - timedelta(seconds=max(0.0, lookback_s))).astimezone(KST).date()
    return tuple(today - timedelta(days=i) for i in range((today - first).days + 1))


def split_regions(text: object) -> tuple[str, ...]:
    """RCPTN_RGN_NM as regions: "서울특별시 영등포구 ,서울특별시 마포구" -> two regions."""
    out: list[str] = []
    for part in _REGION_SEPARATORS.split(to_str(text)):
        current: list[str] = []
        for word in part.split():
            if word in _PROVINCES and current:
                out.append(" ".join(current))
                current = []
            current.append(word)
        if current:
            out.append(" ".join(current))
    return tuple(dict.fromkeys(out))  # each once, in the feed's order


def _get(mapping: Mapping[str, Any], name: str) -> Any:
    """A key of the envelope whatever its case (resultCode / RESULTCODE / resultcode)."""
    for key, value in mapping.items():
        if isinstance(key, str) and key.lower() == name.lower():
            return value
    return None


def _result_code(header: Mapping[str, Any]) -> tuple[str, str]:
    code = to_str(_get(header, "resultCode"))
    if code.isdigit():
        code = code.zfill(2)
    message = to_str(_get(header, "errorMsg")) or to_str(_get(header, "resultMsg"))
    return code, message


def _raise_for(code: str, message: str) -> None:
    text = clean_message(f"safetydata: {message}" if message else "safetydata error")
    if code in KEY_CODES:
        raise ApiKeyError(code, text)
    if code in QUOTA_CODES:
        raise QuotaExceeded(code, text)
    raise ApiError(code, text)


def _rows(data: Any) -> list[Any] | None:
    """The row list of a parsed body, or None for "no alerts"; raises for error envelopes."""
    if isinstance(data, list):
        return data
    if not isinstance(data, Mapping):
        raise MalformedResponse(f"alerts body is a JSON {type(data).__name__}, not an object")
    response = _get(data, "response")
    if isinstance(response, Mapping):  # the data.go.kr family's {"response": {...}} wrapper
        data = response
    header = _get(data, "header")
    body = _get(data, "body")
    if isinstance(header, Mapping):
        code, message = _result_code(header)
        if code == NO_DATA_CODE:
            return None
        if code and code != OK_CODE:
            _raise_for(code, message)
    elif not isinstance(body, (list, Mapping)):
        raise MalformedResponse("alerts body has neither a header nor rows")
    if body is None:
        if not any(isinstance(k, str) and k.lower() == "body" for k in data):
            raise MalformedResponse("alerts body has no 'body' key")
        return None
    if isinstance(body, Mapping):  # {"items": [...]} / {"items": {"item": [...]}} / one row
        items = _get(body, "items")
        if isinstance(items, Mapping):
            items = _get(items, "item")
        if items is None and _get(body, "SN") is not None:
            items = [body]
        body = items if items is not None else []
        if isinstance(body, Mapping):
            body = [body]
    if not isinstance(body, list):
        raise MalformedResponse(f"alerts 'body' is a JSON {type(body).__name__}, not a list")
    return body


def _alert(row: object) -> Alert | str:
    """The alert in one row, or why the row cannot be shown."""
    if not isinstance(row, dict):
        return "row is not an object"
    r = upper_keys(row)
    serial = to_int(r.get("SN"))
    if serial is None or serial <= 0:
        return f"bad SN {to_str(r.get('SN'))[:20]!r}"
    issued = parse_kst(to_str(r.get("CRT_DT")).replace("/", "-"))
    if issued is None:
        return f"SN {serial}: bad CRT_DT {to_str(r.get('CRT_DT'))[:30]!r}"
    message = " ".join(_CONTROL.sub("", to_str(r.get("MSG_CN"))).split())
    if not message:
        return f"SN {serial}: empty MSG_CN"
    if len(message) > MAX_MESSAGE:
        return f"SN {serial}: MSG_CN of {len(message)} characters"
    level_ko = " ".join(to_str(r.get("EMRG_STEP_NM")).split())
    level = level_from_ko(level_ko)
    if level is None:
        return f"SN {serial}: unknown EMRG_STEP_NM {level_ko[:20]!r}"
    return Alert(
        serial=serial,
        level=level,
        level_ko=level_ko,
        category=" ".join(to_str(r.get("DST_SE_NM")).split()),
        message=message,
        regions=split_regions(r.get("RCPTN_RGN_NM")),
        issued_at=issued,
    )


def parse_rows(body: bytes | str, now: datetime) -> Parsed[Alert]:
    """The usable alerts of a DSSP-IF-00247 body, newest first, and how many rows were dropped."""
    rows = _rows(load_json(body))
    if not rows:
        return Parsed((), 0, 0)
    alerts: list[Alert] = []
    problems: list[str] = []
    for row in rows:
        got = _alert(row)
        if isinstance(got, str):
            problems.append(got)
        else:
            alerts.append(got)
    if not alerts:
        raise MalformedResponse(
            f"none of the {len(rows)} alert rows is usable ({clean_message(problems[0])})"
        )
    unique = {a.serial: a for a in reversed(alerts)}  # a repeated SN: the first row wins
    items = tuple(sorted(unique.values(), key=lambda a: (a.issued_at, a.serial), reverse=True))
    return Parsed(items, len(rows), len(problems))


def parse(body: bytes | str, now: datetime) -> tuple[Alert, ...]:
    """Every usable alert in a DSSP-IF-00247 body, newest first; () when there are none."""
    return parse_rows(body, now).items


def fetch_item(alert: Alert) -> dict[str, Any]:
    """One alert in the ``kiosk fetch --json`` shape (key ``alerts``)."""
    return {
        "serial": alert.serial,
        "level": alert.level,
        "category": alert.category,
        "message": alert.message,
        "regions": list(alert.regions),
        "issued_at": alert.issued_at.isoformat(),
    }
