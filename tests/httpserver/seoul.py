"""A Seoul Open API simulator on ``LocalServer``, and configs that point the kiosk at it.

``SeoulApi`` speaks the URL layout of swopenapi / openapi.seoul.go.kr: it checks the key in the
path like the real APIs (INFO-100 as flat JSON for the subway, as XML for openapi), serves the
recorded bodies from tests/fixtures/seoul-api with their timestamps moved to the test clock,
pages bikeList, and can be told to fail a service in any of the ways the real ones do.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.timeutil import KST
from tests.httpserver import alerts
from tests.httpserver.bus import BusApi
from tests.httpserver.server import LocalServer, Reply

REPO = Path(__file__).resolve().parents[2]
SAMPLES = REPO / "tests" / "fixtures" / "seoul-api"

BUS_KEY = "BUSKEY+test/0123456789=="  # the simulator's bus key: data.go.kr keys carry + / =
ALERTS_KEY = "ALERTKEY-test-24680"  # the simulator's safetydata key (SAFETYDATA_API_KEY)
SERVICES = {
    "subway": "realtimeStationArrival",
    "air": "RealtimeCityAir",
    "parks": "SearchParkInfoService",
    "trails": "SeoulGilWalkCourse",
    "bikes": "bikeList",
    "events": "culturalEventInfo",
}


def sample(name: str) -> bytes:
    """A recorded body from tests/fixtures/seoul-api."""
    return (SAMPLES / name).read_bytes()


def openapi_xml_error(code: str, message: str) -> Reply:
    """An openapi error as it really comes: XML, even for a json request, with HTTP 200."""
    body = f"<RESULT><CODE>{code}</CODE><MESSAGE>{message}</MESSAGE></RESULT>"
    return Reply(body, content_type="text/xml;charset=UTF-8")


HTML_ERROR_PAGE = Reply(
    "<!DOCTYPE html><html><head><title>503 Service Temporarily Unavailable</title></head>"
    "<body><h1>Service Temporarily Unavailable</h1></body></html>",
    content_type="text/html",
)


class SeoulApi(LocalServer):
    """Simulated swopenapi + openapi.seoul.go.kr with recorded bodies and real error shapes."""

    def __init__(
        self,
        subway_key: str,
        openapi_key: str,
        clock: Callable[[], datetime] | None = None,
        alerts_key: str = ALERTS_KEY,
        bus_key: str = BUS_KEY,
    ):
        super().__init__()
        self.alerts = alerts.AlertsFeed(alerts_key)  # the emergency-alert feed (safetydata)
        self.route(alerts.PATTERN, self.alerts.reply)
        self.subway_key = subway_key
        self.openapi_key = openapi_key
        self.clock = clock or (lambda: datetime.now(KST))
        self.bike_rows = _bike_rows(2300)
        self.quota: dict[str, int] = {}  # service -> calls allowed before ERROR-337
        self.calls: Counter[str] = Counter()
        self.route(r"^/api/subway/", self._subway)
        self.route(r"^/[^/]+/(json|xml)/", self._openapi)
        self.bus = BusApi(bus_key, self.clock)  # ws.bus.go.kr: tests/httpserver/bus.py
        self.bus.install(self)

    @property
    def bus_base(self) -> str:
        """``sources.endpoints.bus`` for this server (the TOPIS ``/api/rest`` root)."""
        return f"{self.url}/api/rest"

    @property
    def endpoints(self) -> dict[str, str]:
        """``sources.endpoints`` for a config that talks to this server."""
        return {
            "subway": f"{self.url}/api/subway",
            "openapi": self.url,
            "bus": self.bus_base,
            "alerts": self.alerts_endpoint,
        }

    @property
    def alerts_endpoint(self) -> str:
        """``sources.endpoints.alerts`` for a config that talks to this server."""
        return f"{self.url}{alerts.PATH}"

    def fail(self, source: str, *replies: Reply) -> None:
        """Answer ``source``'s service with these replies (in turn, the last repeating)."""
        self.route(rf"/{SERVICES[source]}/", *replies)

    def hold(self, source: str, release: threading.Event) -> None:
        """Answer ``source``'s service as usual, but only once ``release`` is set (a slow API)."""
        answer = self._subway if source == "subway" else self._openapi
        self.route(rf"/{SERVICES[source]}/", lambda path: replace(answer(path), hang=release))

    def heal(self) -> None:
        """Forget every injected failure."""
        self.clear_routes()
        self.route(alerts.PATTERN, self.alerts.reply)
        self.route(r"^/api/subway/", self._subway)
        self.route(r"^/[^/]+/(json|xml)/", self._openapi)
        self.bus.install(self)

    # -- subway
    def _subway(self, path: str) -> Reply:
        parts = path.split("/")  # ['', 'api', 'subway', KEY, 'json', SERVICE, S, E, station]
        if len(parts) < 9 or parts[5] != SERVICES["subway"]:
            return Reply(b'{"status":500,"code":"ERROR-310","message":"SERVICE not found"}')
        self.calls["subway"] += 1
        if parts[3] != self.subway_key:
            return Reply(sample("subway_error_info100_flat.json"))
        if self._over_quota("subway"):
            return Reply(sample("subway_error_337_flat_shape_message_elided.json"))
        station = parts[8]
        if station != "서울":
            return Reply(sample("subway_error_info200_flat.json"))
        body = json.loads(sample("subway_arrival_seoulstn_2021.json"))
        now = self.clock()
        for i, row in enumerate(body["realtimeArrivalList"]):
            row["recptnDt"] = (now - timedelta(seconds=5 + i)).strftime("%Y-%m-%d %H:%M:%S")
        return Reply(json.dumps(body, ensure_ascii=False))

    # -- openapi
    def _openapi(self, path: str) -> Reply:
        parts = path.split("/")  # ['', KEY, 'json', SERVICE, START, END, ...]
        if len(parts) < 6:
            return Reply(b'{"RESULT":{"CODE":"ERROR-300","MESSAGE":"missing"}}')
        key, service = parts[1], parts[3]
        source = next((s for s, name in SERVICES.items() if name == service), None)
        if source is None:
            return Reply(b'{"RESULT":{"CODE":"ERROR-310","MESSAGE":"no such service"}}')
        self.calls[source] += 1
        if key != self.openapi_key:
            return openapi_xml_error("INFO-100", "인증키가 유효하지 않습니다.")
        if self._over_quota(source):
            return Reply(
                '{"RESULT":{"CODE":"ERROR-337","MESSAGE":"일일 트래픽 제한을 넘었습니다."}}'
            )
        start, end = int(parts[4]), int(parts[5])
        if end - start + 1 > 1000:
            return Reply('{"RESULT":{"CODE":"ERROR-336","MESSAGE":"한 번에 최대 1,000건"}}')
        return Reply(json.dumps(self._openapi_body(source, start, end), ensure_ascii=False))

    def _openapi_body(self, source: str, start: int, end: int) -> dict[str, object]:
        now = self.clock().astimezone(KST)
        if source == "air":
            body = json.loads(sample("air_realtimecityair_2021_LEGACY_FORMAT.json"))
            hour = now.replace(minute=0, second=0, microsecond=0).strftime("%Y%m%d%H%M")
            for row in body["RealtimeCityAir"]["row"]:
                row["MSRDT"] = hour
            return body
        if source == "bikes":
            rows = self.bike_rows[start - 1 : end]
            if not rows:
                return {"RESULT": {"CODE": "INFO-200", "MESSAGE": "해당하는 데이터가 없습니다."}}
            return _wrap("rentBikeStatus", rows, len(self.bike_rows))
        if source == "parks":
            return _wrap("SearchParkInfoService", PARK_ROWS[start - 1 : end], len(PARK_ROWS))
        if source == "trails":
            return _wrap("SeoulGilWalkCourse", TRAIL_ROWS[start - 1 : end], len(TRAIL_ROWS))
        rows = _event_rows(now)
        return _wrap("culturalEventInfo", rows[start - 1 : end], len(rows))

    def _over_quota(self, source: str) -> bool:
        limit = self.quota.get(source)
        return limit is not None and self.calls[source] > limit


def _wrap(name: str, rows: list[dict[str, object]], total: int) -> dict[str, object]:
    return {
        name: {
            "list_total_count": total,
            "RESULT": {"CODE": "INFO-000", "MESSAGE": "정상 처리되었습니다."},
            "row": rows,
        }
    }


def _bike_rows(n: int) -> list[dict[str, str]]:
    """The five recorded 망원/합정 rows, then synthetic stations spread over Seoul (for paging)."""
    real = json.loads(sample("bike_bikeList_2020_swift_comment.json"))["rentBikeStatus"]["row"]
    rows = list(real)
    for i in range(n - len(rows)):
        lat = 37.45 + (i % 50) * 0.004
        lon = 126.85 + (i // 50) * 0.006
        rows.append(
            {
                "rackTotCnt": str(10 + i % 7),
                "stationName": f"{1000 + i}. 시험 대여소 {i}",
                "parkingBikeTotCnt": str(i % 13),
                "shared": str((i % 13) * 10),
                "stationLatitude": f"{lat:.8f}",
                "stationLongitude": f"{lon:.8f}",
                "stationId": f"ST-{1000 + i}",
            }
        )
    return rows


# Parks and trails: no raw body of either service exists (see the reference, §8); these rows
# follow the documented field list, with real place names and approximate coordinates.
PARK_ROWS: list[dict[str, object]] = [
    {
        "P_IDX": "3",
        "P_PARK": "길동생태공원",
        "P_ZONE": "강동구",
        "P_ADDR": "서울특별시 강동구 천호대로 1291(길동생태공원) ",
        "AREA": "80,683㎡",
        "MAIN_EQUIP": "탐방객안내소, 야외전시대, 관찰대",
        "P_ADMINTEL": "02-489-2770",
        "G_LONGITUDE": "213554.120",
        "G_LATITUDE": "448852.675",
        "LONGITUDE": "127.1547791",
        "LATITUDE": "37.5403935",
    },
    {
        "P_IDX": "21",
        "P_PARK": "서울숲",
        "P_ZONE": "성동구",
        "P_ADDR": "서울특별시 성동구 뚝섬로 273",
        "AREA": "480,994㎡",
        "MAIN_EQUIP": "광장, 놀이터",
        "P_ADMINTEL": "02-460-2905",
        "G_LONGITUDE": "205087.0",
        "G_LATITUDE": "449780.0",
        "LONGITUDE": "127.0374",
        "LATITUDE": "37.5444",
    },
    {
        "P_IDX": "22",
        "P_PARK": "남산공원",
        "P_ZONE": "중구",
        "P_ADDR": "서울특별시 중구 삼일대로 231",
        "AREA": "2,896,887㎡",
        "MAIN_EQUIP": "야외식물원, 팔각정",
        "P_ADMINTEL": "02-3783-5900",
        "G_LONGITUDE": "198230.0",
        "G_LATITUDE": "450970.0",
        "LONGITUDE": "126.9910",
        "LATITUDE": "37.5550",
    },
]

TRAIL_ROWS: list[dict[str, object]] = [
    {
        "COURSE_CATEGORY": 1,
        "COURSE_CATEGORY_NM": "서울둘레길",
        "AREA_GU": "강동구",
        "COURSE_NAME": "고덕산 코스",
        "DISTANCE": "4.5km",
        "LEAD_TIME": "2시간",
        "COURSE_LEVEL": "초급",
        "CPI_IDX": 1,
        "CPI_NAME": "광나루역",
        "X": "211300.0",
        "Y": "449500.0",
    },
    {
        "COURSE_CATEGORY": 1,
        "COURSE_CATEGORY_NM": "서울둘레길",
        "AREA_GU": "강동구",
        "COURSE_NAME": "고덕산 코스",
        "DISTANCE": "4.5km",
        "LEAD_TIME": "2시간",
        "COURSE_LEVEL": "초급",
        "CPI_IDX": 2,
        "CPI_NAME": "고덕산",
        "X": "213900.0",
        "Y": "451600.0",
    },
    {
        "COURSE_CATEGORY": 2,
        "COURSE_CATEGORY_NM": "한강",
        "AREA_GU": "중구",
        "COURSE_NAME": "남산 둘레길",
        "DISTANCE": "7.5km",
        "LEAD_TIME": "3시간",
        "COURSE_LEVEL": "중급",
        "CPI_IDX": 3,
        "CPI_NAME": "남산 북측순환로",
        "X": "198500.0",
        "Y": "451200.0",
    },
]


def _event_rows(now: datetime) -> list[dict[str, object]]:
    """Events around ``now``: two this week in 중구, one past, one far and one near in other districts."""
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)

    def row(
        title: str,
        gu: str,
        start_days: int,
        end_days: int,
        lat: str = "37.5663",
        lot: str = "126.9779",
    ) -> dict[str, object]:
        s, e = day + timedelta(days=start_days), day + timedelta(days=end_days)
        return {
            "CODENAME": "콘서트",
            "GUNAME": gu,
            "TITLE": title,
            "PLACE": "시민청",
            "DATE": f"{s:%Y-%m-%d}~{e:%Y-%m-%d}",
            "STRTDATE": f"{s:%Y-%m-%d} 00:00:00.0",
            "END_DATE": f"{e:%Y-%m-%d} 00:00:00.0",
            "USE_FEE": "",
            "IS_FREE": "무료",
            "HMPG_ADDR": "https://culture.seoul.go.kr/e",
            "MAIN_IMG": "",
            "LAT": lat,
            "LOT": lot,
        }

    return [
        row("시민청 음악회", "중구", 0, 2),
        row("정동 야행", "중구", 3, 5),
        row("지난 전시", "중구", -30, -10),
        row("다른 구 축제", "강남구", 0, 3, "37.4979", "127.0276"),  # ~9 km from 서울역
        row("종로 야간 공연", "종로구", 1, 1, "37.5704", "126.9920"),  # ~2.6 km: fills a free row
    ]


@pytest.fixture
def seoul_api() -> Iterator[SeoulApi]:
    """A running SeoulApi with keys ``SUBWAYKEY-test-0123456789`` / ``OPENKEY-test-9876543210``."""
    api = SeoulApi("SUBWAYKEY-test-0123456789", "OPENKEY-test-9876543210")
    with api:
        yield api


# --- configs that point at the simulator -------------------------------------------------------


def kiosk_config_dict(
    api: SeoulApi | None, cache_dir: Path, **sources: object
) -> dict[str, object]:
    """A whole config (as YAML would give it) for 서울역, lines 1001/1004, district 중구, using ``api``."""
    src: dict[str, object] = {
        "demo": api is None,
        "cache_path": str(cache_dir / "http.sqlite"),
        "timeout": 2,
        # All day (start == end): tests run at any hour, and 02:00 KST is outside the default
        # service hours, when the subway is deliberately not polled.
        "service_hours": {"start": "00:00", "end": "00:00"},
    }
    if api is not None:
        src["endpoints"] = api.endpoints
    src.update(sources)
    return {
        "station": {
            "name": {"ko": "서울역", "en": "Seoul Station"},
            "subway_station": "서울",
            "lines": ["1001", "1004"],
            "district": "중구",
            "location": {"lat": 37.5547, "lon": 126.9707},
            "bus_stops": [
                {"ars_id": "02005"}
            ],  # 서울역버스환승센터 (any id: the simulator answers)
        },
        "layout": str(REPO / "layouts" / "yeouido.yaml"),
        "sources": src,
    }


def kiosk_config(
    api: SeoulApi | None, cache_dir: Path, **sources: object
):  # -> kiosk.config.Config
    """The validated Config of ``kiosk_config_dict``."""
    from kiosk.config import Config

    return Config.model_validate(kiosk_config_dict(api, cache_dir, **sources))


class FakeClock:
    """A clock that moves only when told to; hand ``clock.now`` to code and to the simulator."""

    def __init__(self, start: datetime):
        self.t = start

    def now(self) -> datetime:
        return self.t

    def advance(self, seconds: float) -> datetime:
        self.t += timedelta(seconds=seconds)
        return self.t
