"""Seoul realtime subway arrivals (swopenAPI ``realtimeStationArrival``) -> ``Arrival`` models.

One call returns every line serving the station; this parser keeps them all and the caller
filters by ``line_id``. Reference: shared/reference/seoul-open-api.md §1.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any
from urllib.parse import quote

from kiosk.core.eta import MAX_ETA_S
from kiosk.core.lines import line_for
from kiosk.core.models import Arrival
from kiosk.core.timeutil import parse_kst
from kiosk.errors import ApiKeyError
from kiosk.sources._common import Parsed, load_json, raw_rows, to_int, to_str, usable_rows

DEFAULT_BASE = "http://swopenapi.seoul.go.kr/api/subway"
EXPRESS_TYPES = ("급행", "특급", "ITX")
# arvlCd: 0 진입 and 1 도착 mean the train is at the platform now (~0 s); 2 출발 means it has
# already left this station, so a "0" there is no arrival time at all.
AT_PLATFORM_CODES = frozenset({"0", "1"})
DIRECTIONS = frozenset({"상행", "하행", "내선", "외선"})

_LINE_NAME = re.compile(
    r"^\s*(?P<dest>.+?)행\s*(?:-\s*(?P<heading>.+?))?\s*(?:\((?P<flag>[^)]*)\))?\s*$"
)


def request_url(base: str, key: str, station: str, start: int = 0, end: int = 20) -> str:
    """URL for one station's arrivals; the key and the URL-encoded station name go in the path."""
    if not key or not key.strip():
        raise ApiKeyError("NO-KEY", "no subway API key configured")
    return (
        f"{base.rstrip('/')}/{quote(key.strip(), safe='')}/json/realtimeStationArrival/"
        f"{int(start)}/{int(end)}/{quote(station.strip(), safe='')}"
    )


def split_train_line(train_line: str) -> tuple[str, str, bool]:
    """("검암행 - 공덕방면 (급행)") -> ("검암", "공덕방면", True): destination, heading, express flag."""
    match = _LINE_NAME.match(train_line or "")
    if match is None:
        return "", "", "(급행)" in (train_line or "")
    flag = match.group("flag") or ""
    return (
        (match.group("dest") or "").strip(),
        (match.group("heading") or "").strip(),
        "급행" in flag,
    )


def _is_express(row: dict[str, Any], train_type: str, line_flag: bool) -> bool:
    if any(word in train_type for word in EXPRESS_TYPES) or line_flag:
        return True
    ordkey = to_str(row.get("ordkey"))
    # ordkey = updn(1) + nth(1) + stations away(3) + destination + express flag(1); 2017 bodies
    # have no flag (the key ends in a Hangul syllable), so only a trailing "1" counts.
    return len(ordkey) > 6 and ordkey[-1] == "1" and not ordkey[-2].isdigit()


def _infer_code(message: str, station: str) -> str:
    # Only for bodies without arvlCd (mocks, trimmed captures); the pairs are from real bodies.
    if message.startswith("전역"):
        return {"출발": "3", "진입": "4", "도착": "5"}.get(message[2:].strip(), "")
    if station and message.startswith(station):
        return {"진입": "0", "도착": "1", "출발": "2"}.get(message[len(station) :].strip(), "")
    if "후" in message or "번째 전역" in message:
        return "99"
    return ""


def _eta(barvl: int | None, code: str) -> int | None:
    if barvl is not None and 0 < barvl <= MAX_ETA_S:
        return barvl
    if barvl == 0 and code in AT_PLATFORM_CODES:
        return 0
    return None  # "0" with 2/3/4/5/99, missing, negative or absurd (1e20): unknown


def _received_at(value: object, now: datetime) -> datetime | None:
    """recptnDt, never after ``now``; ``now`` when absent; None when present but unreadable."""
    if value is None or to_str(value) == "":
        return now  # bodies without recptnDt (mocks, trimmed captures): as of the fetch
    when = parse_kst(value)
    if when is None:
        return None
    # The countdown subtracts (now - received_at) on our clock. A recptnDt ahead of our clock
    # (the server's clock, or ours after a jump back) would freeze it until our clock caught
    # up: counted from the fetch instead, it runs from the first second.
    return min(when, now)


def _arrival(row: dict[str, Any], now: datetime) -> Arrival | None:
    line_id = to_str(row.get("subwayId"))
    direction = to_str(row.get("updnLine"))
    received_at = _received_at(row.get("recptnDt"), now)
    known_line = line_id.isascii() and line_id.isdigit()
    if not known_line or direction not in DIRECTIONS or received_at is None:
        return None
    dest, heading, line_flag = split_train_line(to_str(row.get("trainLineNm")))
    train_type = to_str(row.get("btrainSttus"))
    express = _is_express(row, train_type, line_flag)
    message = to_str(row.get("arvlMsg2"))
    code = to_str(row.get("arvlCd")) or _infer_code(message, to_str(row.get("statnNm")))
    return Arrival(
        line_id=line_id,
        line=line_for(line_id).ko,
        direction=direction,
        destination=to_str(row.get("bstatnNm")) or dest,
        eta_s=_eta(to_int(row.get("barvlDt")), code),
        arrival_code=code,
        message=message,
        current_station=to_str(row.get("arvlMsg3")),
        train_no=to_str(row.get("btrainNo")),
        express=express,
        last_train=to_int(row.get("lstcarAt")) == 1,
        received_at=received_at,
        heading=heading,
        train_type=train_type or ("급행" if express else ""),
    )


def parse_rows(body: bytes | str, now: datetime) -> Parsed[Arrival]:
    """The arrivals of a body with the count of rows dropped (no line, direction or readable
    recptnDt); MalformedResponse when it has rows and none is usable; () for INFO-200."""
    rows = raw_rows(load_json(body), [("realtimeArrivalList",)], row_marker="subwayId")
    return usable_rows("subway", rows, lambda row: _arrival(row, now))


def parse(body: bytes | str, now: datetime) -> tuple[Arrival, ...]:
    """Every arrival in a realtimeStationArrival body (all lines); () for INFO-200."""
    return parse_rows(body, now).items
