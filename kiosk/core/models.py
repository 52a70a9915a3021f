"""Frozen domain models. Sources produce them, the UI consumes them; nothing else crosses layers."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Generic, Literal, TypeVar


@dataclass(frozen=True)
class Arrival:
    """One train approaching the station (one row of realtimeStationArrival)."""

    line_id: str  # subwayId, e.g. "1005"
    line: str  # "5호선"
    direction: str  # updnLine word: 상행/하행/내선/외선
    destination: str  # "방화" (from bstatnNm or trainLineNm)
    eta_s: int | None  # barvlDt at received_at; None when unknown
    arrival_code: str  # arvlCd "0".."5", "99"
    message: str  # arvlMsg2
    current_station: str  # arvlMsg3
    train_no: str
    express: bool
    last_train: bool
    received_at: datetime  # recptnDt, aware (KST)
    heading: str = ""  # "공덕방면" part of trainLineNm, may be empty
    train_type: str = ""  # btrainSttus: 일반/급행/ITX/특급


@dataclass(frozen=True)
class AirReading:
    """Particulate matter for one district at one measurement time (RealtimeCityAir row)."""

    district: str  # MSRSTN_NM / MSRSTE_NM, e.g. "영등포구"
    region: str  # SAREA_NM / MSRRGN_NM, e.g. "서남권"
    measured_at: datetime
    pm10: float | None  # ㎍/㎥; None when missing, under inspection, or 0 (station fault)
    pm25: float | None
    cai: float | None = None
    cai_grade: str | None = None  # as the API says it: 좋음/보통/나쁨/매우나쁨
    main_pollutant: str | None = None
    o3: float | None = None
    no2: float | None = None


@dataclass(frozen=True)
class Park:
    """A park from SearchParkInfoService."""

    park_id: str
    name: str
    district: str
    lat: float
    lon: float
    address: str = ""
    facilities: tuple[str, ...] = ()
    area: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Trail:
    """A walking course (SeoulGilWalkCourse), its points grouped into one course."""

    name: str
    district: str
    lat: float  # the course's first point (WGS84)
    lon: float
    distance_km: float | None = None
    duration: str = ""  # LEAD_TIME as given, e.g. "2시간"
    level: str = ""  # 초급/중급/...
    points: tuple[tuple[float, float], ...] = ()  # (lat, lon) of every course point


@dataclass(frozen=True)
class BikeStation:
    """A Ttareungyi rental station (bikeList row)."""

    station_id: str
    name: str
    lat: float
    lon: float
    racks: int
    bikes: int

    @property
    def docks_free(self) -> int:
        """Empty docks; a station can hold more bikes than racks."""
        return max(0, self.racks - self.bikes)


@dataclass(frozen=True)
class CulturalEvent:
    """A cultural event (culturalEventInfo row)."""

    title: str
    category: str
    district: str
    place: str
    starts: datetime
    ends: datetime
    is_free: bool | None = None
    fee: str = ""
    lat: float | None = None
    lon: float | None = None
    url: str = ""
    image_url: str = ""


class FeedStatus(enum.Enum):
    """What the screen may claim about a source's data."""

    OK = "ok"  # fresh data
    STALE = "stale"  # last good data, older than the freshness threshold: show with its age
    EMPTY = "empty"  # the API answered "no data" (INFO-200)
    ERROR = "error"  # failed and nothing usable to show
    RATE_LIMITED = "rate_limited"  # quota exhausted; last data (if any) shown as stale
    UNAUTHORIZED = "unauthorized"  # key rejected


T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot(Generic[T]):
    """A source's data as the UI sees it: the last good items plus the honesty about their age.

    ``status`` and ``error`` are the judgement when the snapshot was made; ``kiosk.core.health``
    judges the same facts again at any later moment (data keeps ageing between snapshots).
    """

    source: str  # a registry source name, or a kept history ("air_history")
    items: tuple[T, ...]  # the last good data (however old: health decides what may be shown)
    fetched_at: datetime | None  # when the data was obtained from the API (None: never)
    status: FeedStatus = FeedStatus.OK
    error: str | None = None  # one line, no secrets
    from_cache: bool = False
    failure: FeedStatus | None = None  # how the last attempt failed (None: it succeeded)
    note: str | None = None  # why nothing is fetched now though nothing failed (service hours)
    retry_at: datetime | None = None  # when a failed source tries again
    data_at: datetime | None = None  # when the data was true (kept when old items are withheld)


NoticeLevel = Literal["critical", "emergency", "advisory"]  # most severe first
NoticeOrigin = Literal["alert", "operator"]


@dataclass(frozen=True)
class Alert:
    """One emergency alert (긴급재난문자) as the Ministry published it (a DSSP-IF-00247 row)."""

    serial: int  # SN
    level: (
        NoticeLevel  # from EMRG_STEP_NM: 위급재난 critical, 긴급재난 emergency, 안전안내 advisory
    )
    level_ko: str  # EMRG_STEP_NM as published
    category: str  # DST_SE_NM as published: 호우, 지진, 화재 ... ("" when missing)
    message: str  # MSG_CN as published (no translation), whitespace runs collapsed
    regions: tuple[str, ...]  # RCPTN_RGN_NM split into regions: ("서울특별시 영등포구", ...)
    issued_at: datetime  # CRT_DT, aware (KST)


@dataclass(frozen=True)
class Notice:
    """A notice the screen shows: from the alert feed or from the station's operator."""

    id: str  # "alert-266799" or the operator notice's id (its spool file name)
    level: NoticeLevel
    origin: NoticeOrigin
    category: str  # Korean category ("호우"); "" for an operator notice
    text_ko: str  # the message as published or as the operator typed it
    text_en: str  # the operator's English text; "" for alerts (no machine translation)
    regions: tuple[str, ...]  # where it applies; () for an operator notice (this station)
    issued_at: datetime
    until: datetime  # it leaves the screen at this time
    issuer_ko: str  # 행정안전부 / 운영실
    issuer_en: str  # Ministry of the Interior and Safety / Station operator


@dataclass(frozen=True)
class BusArrival:
    """One bus coming to a stop (the 1st or 2nd bus of one route in getStationByUid).

    The countdown runs from ``eta_s`` at the time the body was fetched: ``fetched_at`` when the
    poller knows it per stop, else the snapshot's (a cached body keeps its own fetch time).
    """

    ars_id: str  # the stop's 5-digit ARS number, "19007"
    stop: str  # stNm, as the API names the stop
    route: str  # route number as shown on the bus (busRouteAbrv, else rtNm): "7611"
    route_type: str  # the type in words (core.busroutes): 간선/지선/광역/순환/공항/마을/...
    direction: str  # adirection: where the route goes from here, "신촌오거리.현대백화점"
    order: int  # 1 or 2: the first or second coming bus of the route
    eta_s: int | None  # traTime (or the message's time) at the fetch; None: no ETA (never 0)
    stops_away: int | None  # the "[N번째 전]" of the message
    message: str  # arrmsg1/2 as the API wrote it
    state: str  # core.busroutes: running / arriving / waiting_to_depart / turning_back / ...
    last_bus: bool  # 막차
    low_floor: bool  # 저상
    congestion: str | None  # 여유 / 보통 / 혼잡 / 매우혼잡 / 만차; None when not given
    next_stop: str = ""  # nxtStn
    route_id: str = ""  # busRouteId
    first_time: str = ""  # "04:00" (firstTm), "" when not given
    last_time: str = ""  # "23:00" (lastTm)
    headway_min: int | None = None  # term: minutes between buses
    fetched_at: datetime | None = None  # when this stop's body was fetched, if known per stop


@dataclass(frozen=True)
class BusStop:
    """A bus stop near a point (getStationByPos), for ``kiosk find-stops``."""

    ars_id: str
    name: str
    lat: float
    lon: float
    distance_m: float | None = None  # the API's dist from the point asked about, when given
