"""The TOPIS bus endpoints (``ws.bus.go.kr/api/rest/stationinfo/…``) on the local test server.

``BusApi`` answers ``getStationByUid`` and ``getStationByPos`` as the real service behind the
data.go.kr gateway does: it checks ``serviceKey`` once percent-decoded (so a key escaped twice
is refused, as the gateway refuses it) and answers a wrong or missing key with HTTP 200 and
``headerCd`` 7 "…(30)" (or, with ``bad_key_shape = "gateway"``, the gateway's own XML); after
``quota`` calls the day's limit answers ``headerCd`` 7 "…(22)" (or the gateway's XML). Each stop
gets a body shape by its ``modes`` entry:

    "list"    a JSON body with ``itemList`` as a list (the 2021 capture, 4 routes)  [default]
    "single"  the same with one route, ``itemList`` as a single object
    "night"   ``headerCd`` 4 "결과가 없습니다." and ``itemList`` null (no bus at this hour)
    "xml"     an XML ``ServiceResult`` (the 2026 신림 capture, 2 routes), as without resultType
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path

from kiosk.core.timeutil import KST
from tests.httpserver.server import LocalServer, Reply

SAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "seoul-api"
PATH = r"^/api/rest/stationinfo/"
XML = "text/xml;charset=UTF-8"
HEADER_OK = {"headerMsg": "정상적으로 처리되었습니다.", "headerCd": "0", "itemCount": 0}
QUOTA_MESSAGE = (
    "LIMITED NUMBER OF SERVICE REQUESTS EXCEEDS ERROR.[인증모듈 에러코드(22)]"  # reference §12
)

# Stops for getStationByPos: (arsId, stationNm, lat, lon). "0" is a stop without an ARS number.
STOPS = [
    ("19007", "여의도환승센터", 37.52183, 126.92404),
    ("19008", "여의도역", 37.52139, 126.92478),
    ("19010", "여의도공원", 37.52495, 126.92218),
    ("0", "여의도환승센터(미정차)", 37.52177, 126.92412),
    ("19121", "KBS", 37.52600, 126.91560),
]


def _sample(name: str) -> str:
    return (SAMPLES / name).read_text(encoding="utf-8")


def _query(path: str) -> dict[str, str]:
    # The server hands over the path percent-decoded once, as the gateway sees the key: no
    # second decoding (which would turn a key's "+" into a space).
    _, _, query = path.partition("?")
    return dict(p.split("=", 1) for p in query.split("&") if "=" in p)


def _distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    dy = (lat2 - lat1) * 111_320.0
    dx = (lon2 - lon1) * 111_320.0 * math.cos(math.radians(lat1))
    return math.hypot(dx, dy)


class BusApi:
    """Simulated getStationByUid / getStationByPos with the gateway's key and quota errors."""

    def __init__(self, key: str, clock: Callable[[], datetime]):
        self.key = key
        self.clock = clock
        self.modes: dict[str, str] = {}  # arsId -> "list" | "single" | "night" | "xml" | "down"
        self.quota: int | None = None  # calls a day (KST) before the daily-limit error
        self.bad_key_shape = "headerCd7"  # or "gateway"
        self.quota_shape = "headerCd7"  # or "gateway"
        self.calls = 0  # today's calls; a new KST day starts again from zero
        self._day: date | None = None

    def install(self, server: LocalServer) -> None:
        """Serve the bus paths on ``server``."""
        server.route(PATH, self.respond)

    def respond(self, path: str) -> Reply:
        q = _query(path)
        today = self.clock().astimezone(KST).date()
        if today != self._day:
            self._day, self.calls = today, 0
        self.calls += 1
        if q.get("serviceKey") != self.key:
            if self.bad_key_shape == "gateway":
                return Reply(
                    _sample("datagokr_gateway_error_30_key_testfixture_minimal.xml"),
                    content_type=XML,
                )
            return Reply(_sample("bus_error_headerCd7_key_not_registered.xml"), content_type=XML)
        if self.quota is not None and self.calls > self.quota:
            if self.quota_shape == "gateway":
                return Reply(_sample("datagokr_gateway_error_22_quota.xml"), content_type=XML)
            return Reply(_service_result("7", QUOTA_MESSAGE), content_type=XML)
        if "/getStationByPos" in path:
            return self._near(q)
        if "/getStationByUid" in path:
            return self._arrivals(q.get("arsId", ""))
        return Reply(_service_result("1", "시스템 오류가 발생하였습니다."), content_type=XML)

    def _arrivals(self, ars_id: str) -> Reply:
        mode = self.modes.get(ars_id, "list") if re.fullmatch(r"\d{5}", ars_id) else "night"
        if mode == "down":  # the gateway in trouble: a 503 with no API body
            return Reply(b"Service Unavailable", status=503, content_type="text/plain")
        if mode == "xml":
            body = _sample("bus_getStationByUid_sillim_2026_trimmed.xml")
            return Reply(
                body.replace("<arsId>21350</arsId>", f"<arsId>{ars_id}</arsId>"), content_type=XML
            )
        if mode == "night":
            doc = {"msgHeader": {"headerMsg": "결과가 없습니다.", "headerCd": "4", "itemCount": 0}}
            return Reply(json.dumps({**doc, "msgBody": {"itemList": None}}, ensure_ascii=False))
        doc = json.loads(_sample("bus_getStationByUid_json_2021_bbus.json"))
        items = doc["msgBody"]["itemList"]
        for item in items:
            item["arsId"] = ars_id
        if mode == "single":
            doc["msgBody"]["itemList"] = items[-1]  # 9202하남, "곧 도착"
        return Reply(json.dumps(doc, ensure_ascii=False))

    def _near(self, q: dict[str, str]) -> Reply:
        try:
            lon, lat, radius = float(q["tmX"]), float(q["tmY"]), float(q.get("radius", "300"))
        except (KeyError, ValueError):
            return Reply(_service_result("2", "잘못된 쿼리 요청입니다."), content_type=XML)
        items = []
        for ars, name, s_lat, s_lon in reversed(STOPS):  # not nearest first: the parser sorts
            dist = _distance_m(lat, lon, s_lat, s_lon)
            if dist <= radius:
                items.append(
                    {
                        "stationId": f"1180000{len(items):02d}",
                        "stationNm": name,
                        "arsId": ars,
                        "gpsX": f"{s_lon:.8f}",
                        "gpsY": f"{s_lat:.8f}",
                        "dist": str(round(dist)),
                        "stationTp": "0",
                    }
                )
        if not items:
            doc = {"msgHeader": {"headerMsg": "결과가 없습니다.", "headerCd": "4", "itemCount": 0}}
            return Reply(json.dumps({**doc, "msgBody": {"itemList": None}}, ensure_ascii=False))
        doc = {"msgHeader": HEADER_OK, "msgBody": {"itemList": items}}
        return Reply(json.dumps(doc, ensure_ascii=False))


def _service_result(code: str, message: str) -> str:
    return (
        "<ServiceResult><comMsgHeader/><msgHeader>"
        f"<headerCd>{code}</headerCd><headerMsg>{message}</headerMsg><itemCount>0</itemCount>"
        "</msgHeader><msgBody/></ServiceResult>"
    )
