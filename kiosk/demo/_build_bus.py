"""Demo getStationByUid bodies (``resultType=json``) for a stop at 여의도, 홍대입구 and 창동.

Recorded (synthesised) at 2026-11-20 08:14 KST, the morning rush. The ARS ids are demo values
(the district prefixes are right: 19 영등포, 14 마포, 10 도봉); the routes are ones that
plausibly call there, with their types, termini and headways; every field is text, as the
API sends it, with the trailing spaces of firstTm/lastTm and new-style congestion1/2. Used only
by ``kiosk.demo._build``.
"""

from __future__ import annotations

from typing import Any

# A coming bus: (traTime seconds, stops away, low floor, last bus, congestion code), or one of
# the API's words for a bus without an ETA.
Bus = tuple[int, int, bool, bool, int] | str
# (rtNm, routeType, adirection, nxtStn, where bus 1 is now, term, firstTm, lastTm, bus 1, bus 2)
Route = tuple[str, str, str, str, str, int, str, str, Bus, Bus]

# station key -> (arsId, stId, stNm, gpsX, gpsY)
STOPS: dict[str, tuple[str, str, str, str, str]] = {
    "yeouido": ("19007", "118000047", "여의도환승센터", "126.9240411", "37.5218273"),
    "hongik": ("14012", "113000113", "홍대입구역", "126.9236854", "37.5569203"),
    "changdong": ("10119", "110000128", "창동역", "127.0479523", "37.6535641"),
}

# fmt: off
ROUTES: dict[str, list[Route]] = {
    "yeouido": [
        ("160", "3", "도봉산", "여의도역", "국회의사당", 6, "0400", "2230", (188, 2, True, False, 4), (612, 6, True, False, 3)),
        ("260", "3", "중랑공영차고지", "여의도역", "여의도공원", 8, "0400", "2240", (25, 1, True, False, 5), (540, 5, False, False, 4)),
        ("261", "3", "상계주공7단지", "여의도역", "KBS", 9, "0410", "2220", (420, 3, True, False, 5), (1080, 9, True, False, 4)),
        ("262", "3", "월계동", "여의도역", "여의도공원", 10, "0420", "2230", (75, 1, False, False, 4), (903, 8, True, False, 3)),
        ("360", "3", "송파공영차고지", "여의도역", "국회의사당", 7, "0400", "2300", (610, 5, True, False, 6), (1390, 12, True, False, 5)),
        ("461", "3", "장지공영차고지", "여의도역", "여의나루역", 8, "0410", "2230", (300, 3, True, False, 4), (960, 9, True, False, 4)),
        ("503", "3", "광명공영차고지", "여의도공원", "", 10, "0400", "2300", "출발대기", "출발대기"),
        ("600", "3", "온수동", "여의도공원", "여의나루역", 9, "0430", "2250", (240, 2, True, False, 5), (780, 7, False, False, 4)),
        ("662", "3", "외발산동", "여의도공원", "", 12, "0430", "2240", "회차대기", (1500, 14, True, False, 3)),
        ("5615", "4", "난곡", "여의도역", "KBS", 9, "0450", "2300", (130, 1, True, False, 3), (700, 6, True, False, 3)),
        ("5618", "4", "구로디지털단지역", "여의도역", "여의도공원", 11, "0500", "2240", (360, 3, False, False, 4), (1250, 11, True, False, 3)),
        ("7611", "4", "홍은동", "여의도역", "국회의사당", 8, "0430", "2300", (500, 4, True, False, 5), (1140, 10, True, False, 4)),
        ("6623", "4", "양천공영차고지", "여의도공원", "여의나루역", 13, "0430", "2230", (860, 7, True, False, 4), (1620, 14, True, False, 3)),
        ("9707", "6", "대화역", "여의도공원", "마포대교남단", 15, "0500", "2310", (900, 6, False, False, 5), (2100, 15, False, False, 4)),
    ],
    "hongik": [
        ("273", "3", "면목동", "홍대입구역.서교동", "서교동", 7, "0410", "2240", (150, 1, True, False, 4), (720, 6, True, False, 4)),
        ("602", "3", "양천공영차고지", "서교동", "동교동삼거리", 8, "0400", "2300", (330, 3, True, False, 4), (1010, 9, True, False, 3)),
        ("603", "3", "신월동", "서교동", "동교동삼거리", 9, "0400", "2250", (40, 1, True, False, 5), (480, 4, True, False, 4)),
        ("604", "3", "화곡동", "서교동", "신촌로터리", 9, "0410", "2230", (560, 5, False, False, 3), (1200, 10, True, False, 3)),
        ("760", "3", "영등포역", "서교동", "연남동", 10, "0420", "2240", (260, 2, True, False, 5), (850, 7, True, False, 4)),
        ("7016", "4", "상명대", "동교동삼거리", "서교동", 9, "0430", "2300", (95, 1, True, False, 4), (600, 5, True, False, 4)),
        ("7612", "4", "갈현동", "동교동삼거리", "합정역", 11, "0440", "2240", (410, 4, True, False, 3), (1330, 12, False, False, 3)),
        ("6712", "4", "신촌오거리.현대백화점", "서교동", "합정역", 10, "0450", "2250", (620, 5, True, False, 4), (1500, 13, True, False, 3)),
        ("6002", "1", "인천공항", "합정역", "신촌오거리.현대백화점", 25, "0430", "2130", (1380, 8, False, False, 3), "출발대기"),
        ("마포16", "2", "망원시장", "홍대입구역.서교동", "서교초등학교", 8, "0600", "2330", (200, 2, False, False, 4), (640, 5, False, False, 3)),
        ("1000", "8", "운정신도시", "합정역", "신촌로터리", 20, "0500", "2310", (1100, 7, False, False, 5), (2500, 14, False, False, 4)),
    ],
    "changdong": [
        ("146", "3", "강남역", "창동역서측", "쌍문역", 6, "0400", "2240", (210, 2, True, False, 5), (860, 8, True, False, 4)),
        ("150", "3", "석수역", "창동역서측", "도봉구청", 7, "0400", "2300", (430, 4, True, False, 5), (1200, 11, True, False, 4)),
        ("160", "3", "온수동", "창동역서측", "창동주공2단지", 6, "0410", "2230", (90, 1, True, False, 4), (690, 6, True, False, 3)),
        ("1120", "4", "수유역.강북구청", "창동역동측", "노해로", 10, "0430", "2300", (300, 3, True, False, 3), (900, 8, True, False, 3)),
        ("1139", "4", "하계역", "창동역동측", "창동역동측", 9, "0430", "2250", (30, 1, True, False, 4), (520, 5, False, False, 3)),
        ("1141", "4", "도봉산역", "창동역서측", "쌍문역", 12, "0440", "2240", (640, 6, True, False, 4), (1500, 13, True, False, 3)),
        ("1144", "4", "노원역", "창동역동측", "", 11, "0450", "2230", "회차대기", (800, 7, True, False, 3)),
        ("1161", "4", "방학역", "창동역서측", "도봉구청", 10, "0440", "2300", (350, 3, True, False, 3), (1100, 10, True, False, 3)),
        ("8146", "3", "강남역", "창동역서측", "녹천역", 15, "0600", "0820", (480, 4, True, True, 6), "운행종료"),
        ("도봉05", "2", "창동주공19단지", "창동역동측", "창동문화체육센터", 10, "0600", "2330", (180, 2, False, False, 4), "출발대기"),
        ("108", "8", "의정부역", "창동역서측", "노원역", 20, "0500", "2300", (730, 5, False, False, 5), (1900, 12, False, False, 4)),
    ],
}
# fmt: on


def _message(bus: Bus, nth: int) -> tuple[str, str]:
    """(arrmsg, arrmsgSec) as the API writes them."""
    if isinstance(bus, str):
        return bus, f"{'첫' if nth == 1 else '두'} 번째 버스 {bus}"
    seconds, away = bus[0], bus[1]
    if seconds < 60:
        return "곧 도착", "곧 도착"
    minutes, rest = divmod(seconds, 60)
    text = f"{minutes}분{rest}초후[{away}번째 전]" if rest else f"{minutes}분후[{away}번째 전]"
    return text, text


def _bus_fields(bus: Bus, nth: int, route_no: int, where: str) -> dict[str, Any]:
    msg, sec = _message(bus, nth)
    running = not isinstance(bus, str)
    seconds, _, low, last, cong = bus if not isinstance(bus, str) else (0, 0, False, False, 0)
    n = str(nth)
    return {
        f"vehId{n}": f"1110{route_no:04d}{nth}" if running else "0",
        f"plainNo{n}": f"서울7{nth}사{1000 + route_no * 7 + nth:04d}" if running else None,
        f"sectOrd{n}": str(20 + route_no) if running else "0",
        f"stationNm{n}": (where or None) if running else None,
        f"traTime{n}": str(seconds),
        f"traSpd{n}": "21" if running else "0",
        f"isArrive{n}": "0",
        f"repTm{n}": "2026-11-20 08:13:41.0" if running else None,
        f"isLast{n}": "1" if last else "0",
        f"busType{n}": "1" if low else "0",
        f"arrmsg{n}": msg,
        f"arrmsgSec{n}": sec,
        f"rerdieDiv{n}": "0",
        f"rerideNum{n}": "0",
        f"isFullFlag{n}": "0",
        f"congestion{n}": str(cong),
    }


def _item(stop: tuple[str, str, str, str, str], i: int, route: Route) -> dict[str, Any]:
    ars, st_id, name, gps_x, gps_y = stop
    rt_nm, rtype, direction, nxt, where, term, first, last, bus1, bus2 = route
    item: dict[str, Any] = {
        "stId": st_id,
        "stNm": name,
        "arsId": ars,
        "busRouteId": f"100100{400 + i * 13:03d}",
        "rtNm": rt_nm,
        "busRouteAbrv": rt_nm,
        "sectNm": f"{where or name}~{name}",
        "gpsX": gps_x,
        "gpsY": gps_y,
        "posX": "191530.3517",
        "posY": "447326.1124",
        "stationTp": "0",
        "firstTm": f"{first}  ",
        "lastTm": f"{last}  ",
        "term": str(term),
        "routeType": rtype,
        "nextBus": " ",
        "staOrd": str(12 + i),
        "adirection": direction,
        "nxtStn": nxt,
        "deTourAt": "00",
    }
    item.update(_bus_fields(bus1, 1, i, where))
    item.update(_bus_fields(bus2, 2, i, ""))
    return item


def _body(key: str) -> dict[str, Any]:
    items = [_item(STOPS[key], i, r) for i, r in enumerate(ROUTES[key], start=1)]
    return {
        "comMsgHeader": {
            "responseMsgID": None,
            "responseTime": None,
            "requestMsgID": None,
            "returnCode": None,
            "errMsg": None,
            "successYN": None,
        },
        "msgHeader": {"headerMsg": "정상적으로 처리되었습니다.", "headerCd": "0", "itemCount": 0},
        "msgBody": {"itemList": items},
    }


BUS_BODIES = {key: _body(key) for key in STOPS}
