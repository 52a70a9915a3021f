"""Hand-built snapshots for UI tests: every state a page can be in, independent of demo data."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.core.models import (
    AirReading,
    Arrival,
    BikeStation,
    BusArrival,
    CulturalEvent,
    FeedStatus,
    Park,
    Snapshot,
    Trail,
)
from kiosk.core.timeutil import KST

NOW = datetime(2026, 11, 20, 8, 14, 30, tzinfo=KST)


def arrival(
    line_id: str,
    direction: str,
    dest: str,
    eta: int | None,
    code: str = "99",
    received: datetime = NOW,
    **kw,
) -> Arrival:
    base = dict(
        line_id=line_id,
        line="",
        direction=direction,
        destination=dest,
        eta_s=eta,
        arrival_code=code,
        message=kw.pop("message", ""),
        current_station="",
        train_no="1234",
        express=False,
        last_train=False,
        received_at=received,
    )
    base.update(kw)
    return Arrival(**base)


# (route, type, direction, bus 1, bus 2): a bus is (state, eta_s, stops, flags) with flags
# "L" low floor, "Z" last bus and a congestion word after a colon.
BusSpec = tuple[str, int | None, int | None, str]
BUS_ROUTES: list[tuple[str, str, str, BusSpec, BusSpec | None]] = [
    (
        "9202하남",
        "경기",
        "상산곡동.공영차고지",
        ("arriving", 20, 1, "L:혼잡"),
        ("service_ended", None, None, ""),
    ),
    ("5615", "지선", "난곡", ("running", 130, 1, "L:여유"), ("running", 700, 6, "LZ:매우혼잡")),
    (
        "N16",
        "간선",
        "도봉산역광역환승센터",
        ("service_ended", None, None, ""),
        ("service_ended", None, None, ""),
    ),
    ("503", "간선", "광명공영차고지", ("waiting_to_depart", None, None, ""), None),
    ("662", "간선", "외발산동", ("turning_back", None, None, ""), ("running", 1500, 14, ":보통")),
    ("01A", "순환", "서울역버스환승센터", ("running", 300, 3, "L:만차"), ("running", 1260, 9, "L")),
    (
        "6002",
        "공항",
        "인천공항2터미널",
        ("running", 1380, 8, ":여유"),
        ("waiting_to_depart", None, None, ""),
    ),
    ("마포16", "마을", "망원시장", ("running", 200, 2, ""), ("running", 640, 5, ":보통")),
    ("9707", "광역", "대화역", ("running", 900, 6, ":혼잡"), ("running", 2100, 15, ":보통")),
    (
        "7611",
        "지선",
        "신촌오거리.현대백화점",
        ("running", None, 4, "L"),
        ("running", 1140, 10, "L:여유"),
    ),
    ("M7106", "인천", "검암역", ("running", 2400, 12, ""), None),
    ("160", "간선", "온수동", ("running", 3540, 24, "L:보통"), ("running", 5940, 40, "L:여유")),
]


def bus_arrivals(ars_ids: tuple[str, ...]) -> tuple[BusArrival, ...]:
    """Twelve routes at every stop: each state, route type, mark and congestion word."""
    out = []
    for ars in ars_ids:
        for route, kind, direction, *buses in BUS_ROUTES:
            for order, spec in enumerate(buses, start=1):
                if spec is None:
                    continue
                state, eta, stops, flags = spec
                marks, _, congestion = flags.partition(":")
                out.append(
                    BusArrival(
                        ars_id=ars,
                        stop="여의도환승센터",
                        route=route,
                        route_type=kind,
                        direction=direction,
                        order=order,
                        eta_s=eta,
                        stops_away=stops,
                        message="",
                        state=state,
                        last_bus="Z" in marks,
                        low_floor="L" in marks,
                        congestion=congestion or None,
                        route_id=f"R{route}",
                        first_time="04:00",
                        headway_min=12,
                    )
                )
    return tuple(out)


def station_snapshots(
    lines: tuple[str, ...],
    district: str,
    lat: float,
    lon: float,
    now: datetime = NOW,
    ars_ids: tuple[str, ...] = (),
) -> list[Snapshot]:
    """Two trains per direction on every line (one express, one last train, one unknown ETA),
    and twelve bus routes at each stop in ``ars_ids``."""
    dests = {"상행": "인천공항2터미널", "하행": "하남검단산", "내선": "성수", "외선": "신도림"}
    arr = []
    for lid in lines:
        dirs = ("내선", "외선") if lid == "1002" else ("상행", "하행")
        for i, d in enumerate(dirs):
            arr.append(arrival(lid, d, dests[d], 95 + 60 * i, express=(i == 0)))
            arr.append(
                arrival(
                    lid,
                    d,
                    dests[d],
                    0,
                    "5" if i else "99",
                    message="[3]번째 전역 (서울)",
                    last_train=(i == 1),
                )
            )
    air = [
        AirReading(district, "서남권", now - timedelta(minutes=14), 48.0, 41.0, cai_grade="나쁨")
    ]
    hist = [
        AirReading(
            district, "서남권", now - timedelta(hours=h), 30.0 + 3 * (h % 7), 12.0 + 4 * (h % 5)
        )
        for h in range(1, 25)
    ]
    parks = [
        Park(
            str(i),
            name,
            district,
            lat + dlat,
            lon + dlon,
            facilities=("산책로", "어린이놀이터", "화장실"),
        )
        for i, (name, dlat, dlon) in enumerate(
            [
                ("여의도공원", 0.004, -0.002),
                ("샛강생태공원", -0.004, 0.003),
                ("여의도한강공원", 0.007, 0.009),
                ("선유도공원", 0.022, -0.025),
                ("아주아주긴이름의근린공원과생태학습장", -0.02, 0.02),
            ]
        )
    ]
    trails = [
        Trail("한강 여의도 코스", district, lat + 0.006, lon + 0.004, 4.2, "1시간 10분", "초급")
    ]
    bikes = [
        BikeStation(f"ST-{i}", f"{200 + i}. {name}", lat + d, lon - d, racks, n)
        for i, (name, d, racks, n) in enumerate(
            [
                ("여의나루역 1번출구 앞", 0.002, 20, 7),
                ("여의도공원 앞", 0.004, 15, 0),
                ("국회의사당역 3번출구 옆", 0.006, 10, 14),
                ("샛강역 2번출구", 0.008, 12, 3),
                ("IFC몰 앞", 0.01, 25, 11),
            ]
        )
    ]
    day = now.replace(hour=0, minute=0, second=0, microsecond=0)
    events = [
        CulturalEvent(
            "서울세계불꽃축제 사진전",
            "전시/미술",
            district,
            "여의도한강공원 이벤트광장",
            day - timedelta(days=3),
            day + timedelta(days=9),
            True,
        ),
        CulturalEvent(
            "한강 야경 클래식   콘서트",
            "클래식",
            district,
            "영등포아트홀",
            day + timedelta(days=1, hours=19),
            day + timedelta(days=1, hours=21),
            False,
        ),
        CulturalEvent(
            "지난 행사",
            "축제-문화/예술",
            district,
            "여의도공원",
            day - timedelta(days=30),
            day - timedelta(days=20),
            True,
        ),
        CulturalEvent(
            "다른 구 행사", "연극", "종로구", "대학로", day, day + timedelta(days=2), False
        ),
    ]
    return [
        Snapshot("subway", tuple(arr), now - timedelta(seconds=20)),
        Snapshot("bikes", tuple(bikes), now - timedelta(minutes=1)),
        Snapshot("events", tuple(events), now - timedelta(hours=5)),
        Snapshot("air", tuple(air), now - timedelta(minutes=3)),
        Snapshot("air_history", tuple(hist), now),
        Snapshot("parks", tuple(parks), now - timedelta(hours=2)),
        Snapshot("trails", tuple(trails), now - timedelta(hours=2)),
        Snapshot("bus", bus_arrivals(ars_ids), now - timedelta(seconds=30)),
    ]


def failed(source: str) -> Snapshot:
    return Snapshot(source, (), None, FeedStatus.ERROR, "timeout")
