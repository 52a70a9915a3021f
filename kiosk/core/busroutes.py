"""Seoul bus route types (code -> words and colour), bus states and congestion words (pure).

Route type codes are TOPIS's ``routeType`` (1 공항, 2 마을, 3 간선, 4 지선, 5 순환, 6 광역,
7 인천, 8 경기, 9 폐지, 0 공용: the table the ws.bus.go.kr guide gives for every route field;
the reference has 1, 3, 4, 5, 6 as official and 2, 8 as seen).

Colours: the four colours are Seoul's bus identity since the 2004 reform, 파랑 간선 (Blue Bus),
초록 지선 (Green Bus), 빨강 광역 (Red Bus), 노랑 순환 (Yellow Bus) — Seoul Metropolitan
Government, opengov.seoul.go.kr/civilappeal/2896400. The city publishes no hex table we could
find; #0068B7 / #53B332 / #E60012 / #F2B70A are the values commonly used for that identity.
마을, 공항 and the other regions' buses have no Seoul colour: ours are chosen to stay apart
from the four (and the type is always written next to the colour, never the colour alone).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RouteType:
    code: str  # TOPIS routeType
    ko: str  # 간선
    en: str  # Trunk
    colour: str  # badge colour, #RRGGBB


_OTHER = RouteType("", "기타", "Other", "#8A94A6")
ROUTE_TYPES: dict[str, RouteType] = {
    t.code: t
    for t in (
        RouteType("1", "공항", "Airport", "#00A0E9"),
        RouteType("2", "마을", "Village", "#8DC63F"),
        RouteType("3", "간선", "Trunk", "#0068B7"),
        RouteType("4", "지선", "Branch", "#53B332"),
        RouteType("5", "순환", "Circular", "#F2B70A"),
        RouteType("6", "광역", "Express", "#E60012"),
        RouteType("7", "인천", "Incheon", "#A9B4C2"),
        RouteType("8", "경기", "Gyeonggi", "#A9B4C2"),
        RouteType("9", "폐지", "Retired", "#8A94A6"),
        RouteType("0", "공용", "Shared", "#8A94A6"),
    )
}
_BY_WORD = {t.ko: t for t in ROUTE_TYPES.values()}


def route_type_for_code(code: str) -> RouteType:
    """The route type of a TOPIS ``routeType`` code; an unknown code is "기타 · Other"."""
    return ROUTE_TYPES.get(code.strip(), _OTHER)


def route_type_named(word: str) -> RouteType:
    """The route type for its Korean word ("간선"); an unknown word is "기타 · Other"."""
    return _BY_WORD.get(word.strip(), _OTHER)


# What a coming bus is doing (BusArrival.state). Only RUNNING and ARRIVING can carry an ETA:
# the other three are states without one (eta_s None, never 0).
RUNNING = "running"
ARRIVING = "arriving"  # 곧 도착
WAITING = "waiting_to_depart"  # 출발대기: at the first stop, not yet left
TURNING_BACK = "turning_back"  # 회차대기: at the turning point, coming back later
ENDED = "service_ended"  # 운행종료: no more buses today
STATES = (RUNNING, ARRIVING, WAITING, TURNING_BACK, ENDED)
NO_ETA_STATES = frozenset({WAITING, TURNING_BACK, ENDED})

STATE_WORDS: dict[str, tuple[str, str]] = {
    RUNNING: ("운행 중", "Running"),
    ARRIVING: ("곧 도착", "Arriving"),
    WAITING: ("출발대기", "Waiting to depart"),
    TURNING_BACK: ("회차대기", "Turning back"),
    ENDED: ("운행종료", "Service ended"),
}

# congestion1/2 (and the old single ``congestion``), and rerideNum when rerdieDiv is 4:
# 0 없음 (no information), 3 여유, 4 보통, 5 혼잡, 6 매우혼잡 (reference §6). isFullFlag 1: 만차.
CONGESTION_CODES: dict[int, str] = {3: "여유", 4: "보통", 5: "혼잡", 6: "매우혼잡"}
FULL = "만차"
CONGESTION_EN: dict[str, str] = {
    "여유": "Not busy",
    "보통": "Moderate",
    "혼잡": "Crowded",
    "매우혼잡": "Packed",
    FULL: "Full",
}


def congestion_words(word: str | None) -> tuple[str, str]:
    """("혼잡", "Crowded") for a congestion word; ("", "") when there is none."""
    if not word:
        return ("", "")
    return (word, CONGESTION_EN.get(word, word))
