"""What a no-data card says: one wording for every page, in words a commuter can use.

Every card is a title ("<what> 정보 없음 · No <what> information") and one reason line. The
reason is for the people in front of the screen: a missing or rejected API key is
"연결 안 됨 · Not connected" (the operator's reason, with the key's name, is in
``kiosk status`` and the journal), never "API key rejected".
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.core.models import FeedStatus, Snapshot


@dataclass(frozen=True)
class NoDataText:
    """The two lines of a no-data card, Korean first."""

    title_ko: str
    title_en: str
    reason_ko: str = ""
    reason_en: str = ""

    @property
    def reason(self) -> str:
        """``"연결 안 됨 · Not connected"`` (empty when there is no reason to give)."""
        return f"{self.reason_ko} · {self.reason_en}" if self.reason_ko else ""


TITLES: dict[str, tuple[str, str]] = {
    "arrivals": ("도착 정보 없음", "No arrival information"),
    "buses": ("버스 도착 정보 없음", "No bus arrival information"),
    "air_quality": ("대기질 정보 없음", "No air-quality information"),
    "parks": ("공원·산책로 정보 없음", "No park or trail information"),
    "bikes": ("따릉이 정보 없음", "No bike-station information"),
    "events": ("행사 정보 없음", "No event information"),
}

NOT_RECEIVED = ("수신 안 됨", "Not received")
NOT_CONNECTED = ("연결 안 됨", "Not connected")
LIMIT_REACHED = ("호출 한도 초과", "API limit reached")
TOO_OLD = ("정보가 오래됨", "Data too old")
NOTHING_LISTED = ("표시할 정보 없음", "Nothing to show")
NO_DEMO_DATA = ("이 역의 시연 데이터 없음", "No demo data for this station")
NO_TRAINS = ("운행 중인 열차 없음", "No trains running")
NO_STOPS = ("설정된 정류소 없음", "No bus stops configured")  # a buses page, no station.bus_stops


def no_data_reason(snapshot: Snapshot | None, demo_missing: bool = False) -> tuple[str, str]:
    """Why a source has nothing to show, as (ko, en)."""
    if demo_missing:
        return NO_DEMO_DATA
    if snapshot is None:
        return NOT_RECEIVED
    if snapshot.status is FeedStatus.UNAUTHORIZED:
        return NOT_CONNECTED
    if snapshot.status is FeedStatus.RATE_LIMITED:
        return LIMIT_REACHED
    if snapshot.fetched_at is None:
        return NOT_RECEIVED
    if snapshot.status is FeedStatus.EMPTY and not snapshot.items:
        return NOTHING_LISTED
    return TOO_OLD


def no_data_text(kind: str, snapshot: Snapshot | None, demo_missing: bool = False) -> NoDataText:
    """The card for page ``kind`` when ``snapshot`` cannot be shown."""
    ko, en = TITLES.get(kind, ("정보 없음", "No information"))
    reason_ko, reason_en = no_data_reason(snapshot, demo_missing)
    return NoDataText(ko, en, reason_ko, reason_en)


def worst(*snapshots: Snapshot | None) -> Snapshot | None:
    """Of several feeds behind one card, the one whose reason to give (a failure over none)."""
    for snap in snapshots:
        if snap is not None and snap.status in (FeedStatus.UNAUTHORIZED, FeedStatus.RATE_LIMITED):
            return snap
    return next((s for s in snapshots if s is None or s.fetched_at is None), snapshots[0])
