"""Seoul bus arrivals at a stop (TOPIS ``ws.bus.go.kr`` ``getStationByUid``) -> ``BusArrival``.

One call per stop (its 5-digit ARS id) returns every route calling there, each with its first
and second coming bus: one ``BusArrival`` per bus. The quirks (reference §6 and §12, and the
bus samples): ``itemList`` as a list, as a single object, or null at night with ``headerCd`` 4;
``headerCd`` 7 wrapping the data.go.kr gateway's errors with the real code in parentheses
("…[인증모듈 에러코드(30)]"); the gateway's own ``OpenAPI_ServiceResponse`` XML; XML bodies
(the default when ``resultType=json`` is lost) and bare ``<itemList>`` fragments; every value as
text; ``firstTm``/``lastTm`` with trailing spaces; ``congestion1/2`` on new bodies and a single
``congestion`` on old ones. The envelope and its errors: ``_topis``. ``getStationByPos`` (stops
near a point, for ``kiosk find-stops``) is here too.
"""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote, unquote

from kiosk.core.busroutes import (
    ARRIVING,
    CONGESTION_CODES,
    ENDED,
    FULL,
    NO_ETA_STATES,
    RUNNING,
    TURNING_BACK,
    WAITING,
    route_type_for_code,
)
from kiosk.core.models import BusArrival, BusStop
from kiosk.errors import ApiKeyError, MalformedResponse, SourceError
from kiosk.sources._common import to_float, to_int, to_str, wgs84_of
from kiosk.sources._topis import none_usable
from kiosk.sources._topis import rows as body_rows

log = logging.getLogger(__name__)

DEFAULT_BASE = "http://ws.bus.go.kr/api/rest"
MAX_ETA_S = 3 * 3600  # no bus is predicted further out than this: a bigger figure is garbage
MAX_STOPS_AWAY = 200
MAX_RADIUS_M = 2000
ARS_ID = re.compile(r"^\d{5}$")

_TIME = re.compile(r"(\d+)\s*분\s*(?:(\d+)\s*초\s*)?후")
_SECONDS_ONLY = re.compile(r"(\d+)\s*초\s*후")
_STOPS = re.compile(r"(\d+)\s*번째\s*전")


# --- requests ----------------------------------------------------------------------------------


def _key_param(key: str) -> str:
    if not key or not key.strip():
        raise ApiKeyError("NO-KEY", "no bus API key configured")
    raw = key.strip()
    # data.go.kr shows every key twice, "Encoding" (already %-escaped) and "Decoding" (with
    # + / =); technicians paste either. Unescaping the first gives the second, and escaping
    # that once gives the URL the gateway accepts (escaping the first again would not).
    if re.search(r"%[0-9A-Fa-f]{2}", raw):
        raw = unquote(raw)
    return quote(raw, safe="")


def request_url(base: str, key: str, ars_id: str) -> str:
    """URL for the arrivals at one stop (getStationByUid, JSON); the key is a query parameter."""
    param = _key_param(key)
    ars = ars_id.strip()
    if not ARS_ID.match(ars):
        raise SourceError(f"bad ARS id {ars_id!r}: a bus stop number has 5 digits")
    return (
        f"{base.rstrip('/')}/stationinfo/getStationByUid"
        f"?serviceKey={param}&arsId={ars}&resultType=json"
    )


def stops_url(base: str, key: str, lat: float, lon: float, radius: int) -> str:
    """URL for the stops within ``radius`` metres of a point (getStationByPos, JSON)."""
    param = _key_param(key)
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise SourceError(f"bad position {lat!r}, {lon!r}: expected WGS84 degrees")
    if not 1 <= int(radius) <= MAX_RADIUS_M:
        raise SourceError(f"bad radius {radius!r}: 1 to {MAX_RADIUS_M} metres")
    return (
        f"{base.rstrip('/')}/stationinfo/getStationByPos?serviceKey={param}"
        f"&tmX={lon:.7f}&tmY={lat:.7f}&radius={int(radius)}&resultType=json"
    )


# --- rows --------------------------------------------------------------------------------------


def _seconds(value: object) -> int | None:
    n = to_int(value)
    return n if n is not None and 0 < n <= MAX_ETA_S else None


def read_message(text: str) -> tuple[str | None, int | None, int | None]:
    """(state, seconds, stops away) from an arrmsg: "3분8초후[2번째 전]" -> (running, 188, 2).

    The seconds are what the text says (it floors to the minute on older bodies: prefer
    traTime); an unknown text gives (None, None, None).
    """
    t = " ".join(text.split())
    if not t:
        return None, None, None
    for word, state in (("운행종료", ENDED), ("회차대기", TURNING_BACK), ("출발대기", WAITING)):
        if word in t:
            return state, None, None
    stops_m = _STOPS.search(t)
    stops = int(stops_m.group(1)) if stops_m else None
    stops = stops if stops is not None and stops <= MAX_STOPS_AWAY else None
    if "곧 도착" in t or "곧도착" in t:
        return ARRIVING, None, stops
    time_m = _TIME.search(t)
    if time_m:
        seconds: int | None = int(time_m.group(1)) * 60 + int(time_m.group(2) or 0)
    else:
        only = _SECONDS_ONLY.search(t)
        seconds = int(only.group(1)) if only else None
    if seconds is not None and seconds > MAX_ETA_S:
        seconds = None
    if seconds is None and stops is None:
        return None, None, None
    return RUNNING, seconds, stops


def _hhmm(value: object) -> str:
    """ "0400 " or "20211110055700" -> "04:00"; "" when it is not a time."""
    t = to_str(value)
    if len(t) == 14 and t.isdigit():
        t = t[8:12]
    if len(t) != 4 or not t.isdigit() or int(t[:2]) > 29 or int(t[2:]) > 59:
        return ""
    return f"{t[:2]}:{t[2:]}"


def _congestion(row: Mapping[str, Any], n: int) -> str | None:
    if to_int(row.get(f"isFullFlag{n}")) == 1:
        return FULL
    # The old single ``congestion`` describes the route's next bus, so it is the first one's.
    keys = (f"congestion{n}", "congestion") if n == 1 else (f"congestion{n}",)
    for key in keys:
        code = to_int(row.get(key))
        if code in CONGESTION_CODES:
            return CONGESTION_CODES[code]
    if to_str(row.get(f"rerdieDiv{n}")) == "4":  # 재차 구분 4: rerideNum holds the 혼잡도 code
        code = to_int(row.get(f"rerideNum{n}"))
        if code in CONGESTION_CODES:
            return CONGESTION_CODES[code]
    return None


def _bus(row: Mapping[str, Any], n: int, common: dict[str, Any]) -> BusArrival | None:
    message = " ".join(to_str(row.get(f"arrmsg{n}")).split())
    second = " ".join(to_str(row.get(f"arrmsgSec{n}")).split())
    tra = _seconds(row.get(f"traTime{n}"))
    state, text_eta, stops = read_message(message)
    if state is None:
        state, text_eta, stops = read_message(second)
    if state == RUNNING and tra is None and to_str(row.get(f"vehId{n}")) == "0":
        # A time in the text, but no vehicle and no traTime: the text is left over. The 2021
        # body has "2분20초후[1번째 전]" with vehId "0", traTime "0" and "…버스 운행종료".
        other = read_message(second)[0]
        if other in NO_ETA_STATES:
            state, text_eta, stops = other, None, None
    if state is None:
        if tra is None:
            return None  # "정보없음", "", or words we do not know, and no time: nothing to show
        state = RUNNING
    if state in NO_ETA_STATES:
        eta, stops = None, None
    elif state == ARRIVING:
        eta = tra
    else:
        eta = tra if tra is not None else text_eta
        if eta is None and stops is None:
            return None
    return BusArrival(
        **common,
        order=n,
        eta_s=eta,
        stops_away=stops,
        message=message or second,
        state=state,
        last_bus=to_int(row.get(f"isLast{n}")) == 1 or "막차" in message,
        low_floor=to_int(row.get(f"busType{n}")) == 1,  # 0 일반, 1 저상
        congestion=_congestion(row, n),
    )


def _row(row: Mapping[str, Any], ars_id: str | None) -> list[BusArrival]:
    route = to_str(row.get("busRouteAbrv")) or to_str(row.get("rtNm"))
    row_ars = to_str(row.get("arsId"))
    if not route or (ars_id and row_ars and row_ars != ars_id):
        return []  # no route, or a row of another stop than the one asked for
    type_code = to_str(row.get("routeType"))
    headway = to_int(row.get("term"))
    common: dict[str, Any] = dict(
        ars_id=row_ars or ars_id or "",
        stop=to_str(row.get("stNm")),
        route=route,
        route_type=route_type_for_code(type_code).ko if type_code else "",
        direction=to_str(row.get("adirection")),
        next_stop=to_str(row.get("nxtStn")),
        route_id=to_str(row.get("busRouteId")),
        first_time=_hhmm(row.get("firstTm")),
        last_time=_hhmm(row.get("lastTm")),
        headway_min=headway if headway is not None and 0 < headway <= 600 else None,
    )
    return [b for b in (_bus(row, 1, common), _bus(row, 2, common)) if b is not None]


def parse_rows(
    body: bytes | str, now: datetime, ars_id: str | None = None
) -> tuple[tuple[BusArrival, ...], int, int]:
    """(buses, rows in the body, rows dropped) of a getStationByUid body; see ``parse``."""
    rows = body_rows(body)
    if not rows:
        return (), 0, 0
    out: list[BusArrival] = []
    seen: set[tuple[str, ...]] = set()
    usable = 0
    for row in rows:
        buses = _row(row, ars_id) if isinstance(row, dict) else []
        usable += bool(buses)
        for b in buses:
            key = (
                b.ars_id,
                b.route_id,
                b.route,
                b.direction,
                to_str(row.get("staOrd")),
                str(b.order),
            )
            if key not in seen:  # the same row twice would show a bus twice
                seen.add(key)
                out.append(b)
    if not usable:
        raise MalformedResponse(none_usable(len(rows)))
    if usable < len(rows):
        log.debug(
            "bus: dropped %s of %s rows (no route or no usable bus)", len(rows) - usable, len(rows)
        )
    return tuple(out), len(rows), len(rows) - usable


def parse(body: bytes | str, now: datetime, ars_id: str | None = None) -> tuple[BusArrival, ...]:
    """Every coming bus in a getStationByUid body; () at night (headerCd 4) or with no routes.

    ``ars_id`` (the stop asked for) fills rows that lack ``arsId`` and drops rows of another
    stop. Unusable rows are dropped (``parse_rows`` counts them); a body whose rows are all
    unusable is malformed.
    """
    return parse_rows(body, now, ars_id)[0]


def _stop(row: Mapping[str, Any]) -> BusStop | None:
    ars = to_str(row.get("arsId"))
    name = to_str(row.get("stationNm")) or to_str(row.get("stNm"))
    pos = wgs84_of(row.get("gpsY"), row.get("gpsX")) or wgs84_of(row.get("tmY"), row.get("tmX"))
    if not ARS_ID.match(ars) or not name or pos is None:
        return None  # "0" is the ARS id of stops where no bus halts for riders
    dist = to_float(row.get("dist"))
    return BusStop(ars, name, pos[0], pos[1], dist if dist is not None and dist >= 0 else None)


def _distance(stop: BusStop) -> float:
    return math.inf if stop.distance_m is None else stop.distance_m


def parse_stops(body: bytes | str, now: datetime) -> tuple[BusStop, ...]:
    """The stops in a getStationByPos body, nearest first (one per ARS id)."""
    rows = body_rows(body)
    if not rows:
        return ()
    best: dict[str, BusStop] = {}
    for row in rows:
        stop = _stop(row) if isinstance(row, dict) else None
        if stop is None:
            continue
        known = best.get(stop.ars_id)
        if known is None or _distance(stop) < _distance(known):
            best[stop.ars_id] = stop
    if not best:
        raise MalformedResponse(none_usable(len(rows)))
    return tuple(sorted(best.values(), key=lambda s: (_distance(s), s.name)))
