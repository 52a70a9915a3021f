"""Which notices the screen shows: alert levels and categories, region and age rules, merging.

Two kinds of notice reach the screen: alerts from the Ministry's feed (``Alert``, made into a
``Notice`` here) and the operator's (already ``Notice``s, read from the spool). An alert is kept
only for the station's district or the whole city, and only for an age window per level; every
notice leaves at its ``until``. The most severe notice leads, the newest first within a level.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kiosk.core.models import Alert, Notice, NoticeLevel

LEVELS: tuple[NoticeLevel, ...] = ("critical", "emergency", "advisory")
SEVERITY: dict[NoticeLevel, int] = {level: i for i, level in enumerate(LEVELS)}

# EMRG_STEP_NM -> level. The feed writes the bare words; phones and older feeds add "문자".
LEVEL_FROM_KO: dict[str, NoticeLevel] = {
    "위급재난": "critical",
    "긴급재난": "emergency",
    "안전안내": "advisory",
}
LEVEL_WORDS: dict[NoticeLevel, tuple[str, str]] = {
    "critical": ("위급재난", "Extreme emergency"),
    "emergency": ("긴급재난", "Emergency alert"),
    "advisory": ("안전안내", "Safety advisory"),
}

CITY = "서울특별시"
WHOLE = "전체"  # "서울특별시 전체": the whole city
_CITY_ALIASES = ("서울특별시", "서울시", "서울")

MINISTRY = ("행정안전부", "Ministry of the Interior and Safety")
OPERATOR = ("운영실", "Station operator")

# An alert stamped further ahead than this is a bad clock or a bad row, not a warning to show
# for hours: it is dropped rather than kept "fresh" until its time comes.
MAX_FUTURE = timedelta(minutes=10)

# DST_SE_NM -> English. The feed's categories as seen in the reference and in public captures;
# anything else is shown in Korean with the generic English word.
CATEGORY_EN: dict[str, str] = {
    "호우": "Heavy rain",
    "지진": "Earthquake",
    "지진해일": "Tsunami",
    "해일": "Tsunami",
    "화재": "Fire",
    "산불": "Wildfire",
    "한파": "Cold wave",
    "폭염": "Heat wave",
    "대설": "Heavy snow",
    "태풍": "Typhoon",
    "강풍": "Strong wind",
    "풍랑": "High seas",
    "홍수": "Flood",
    "산사태": "Landslide",
    "가뭄": "Drought",
    "안개": "Fog",
    "건조": "Dry weather",
    "황사": "Yellow dust",
    "미세먼지": "Fine dust",
    "초미세먼지": "Ultrafine dust",
    "오존": "Ozone",
    "정전": "Power outage",
    "단수": "Water outage",
    "감염병": "Infectious disease",
    "전염병": "Epidemic",
    "실종": "Missing person",
    "교통": "Traffic",
    "교통통제": "Road closure",
    "붕괴": "Collapse",
    "폭발": "Explosion",
    "가스": "Gas leak",
    "테러": "Terrorism",
    "민방공": "Air raid",
    "민방위": "Civil defence",
    "방사능": "Radiation",
    "화학사고": "Chemical accident",
    "통신": "Telecom outage",
    "기타": "Other",
}
CATEGORY_FALLBACK_EN = "Public alert"
OPERATOR_CATEGORY = ("운영 안내", "Station notice")


@dataclass(frozen=True)
class NoticeRules:
    """The station's rules for alerts: where it is and how long each level stays."""

    district: str  # "영등포구"
    city: str = CITY
    critical_s: float = 6 * 3600.0
    emergency_s: float = 3 * 3600.0
    advisory_s: float = 3600.0

    def window(self, level: NoticeLevel) -> timedelta:
        """How long after issue an alert of ``level`` stays on screen."""
        seconds = {
            "critical": self.critical_s,
            "emergency": self.emergency_s,
            "advisory": self.advisory_s,
        }
        return timedelta(seconds=seconds[level])


def level_from_ko(text: str) -> NoticeLevel | None:
    """The level of an EMRG_STEP_NM value ("위급재난", "긴급재난문자", " 안전안내 "); None if unknown."""
    word = "".join(text.split())
    for ko, level in LEVEL_FROM_KO.items():
        if word.startswith(ko):
            return level
    return None


def category_words(category: str) -> tuple[str, str]:
    """("호우", "Heavy rain") for a DST_SE_NM value; the generic word for one not in the table."""
    ko = " ".join(category.split())
    if not ko:
        return ("재난 안내", CATEGORY_FALLBACK_EN)
    return (ko, CATEGORY_EN.get(ko.replace(" ", ""), CATEGORY_FALLBACK_EN))


def notice_category(notice: Notice) -> tuple[str, str]:
    """What the screen calls a notice's category, Korean and English."""
    if notice.origin == "operator":
        return OPERATOR_CATEGORY
    return category_words(notice.category)


def _city_and_rest(region: str) -> tuple[str, list[str]]:
    words = region.split()
    if not words:
        return "", []
    city = CITY if words[0] in _CITY_ALIASES else words[0]
    return city, words[1:]


def applies_here(regions: Iterable[str], district: str, city: str = CITY) -> bool:
    """True when one region is the station's district of ``city``, or the whole city.

    "서울특별시 영등포구" and "서울특별시 영등포구 여의동" apply to 영등포구; "서울특별시 전체" and a
    bare "서울특별시" apply everywhere in the city; another city's "중구" does not.
    """
    want = "".join(district.split())
    for region in regions:
        region_city, rest = _city_and_rest(region)
        if region_city != city:
            continue
        if not rest or rest[0] == WHOLE or rest[0] == want:
            return True
    return False


def alert_notice(alert: Alert, rules: NoticeRules) -> Notice:
    """The notice an alert becomes: on screen from its issue for its level's window."""
    return Notice(
        id=f"alert-{alert.serial}",
        level=alert.level,
        origin="alert",
        category=alert.category,
        text_ko=alert.message,
        text_en="",
        regions=alert.regions,
        issued_at=alert.issued_at,
        until=alert.issued_at + rules.window(alert.level),
        issuer_ko=MINISTRY[0],
        issuer_en=MINISTRY[1],
    )


def in_force(notice: Notice, now: datetime) -> bool:
    """Whether a notice is on screen at ``now`` (issued, not too far ahead, not yet expired)."""
    return notice.issued_at - MAX_FUTURE <= now < notice.until


def next_change(notices: Iterable[Notice], now: datetime) -> datetime | None:
    """The first moment after ``now`` at which one of ``notices`` comes into force or leaves it
    (``in_force`` changes), or None when none ever will."""
    steps = [t for n in notices for t in (n.issued_at - MAX_FUTURE, n.until) if t > now]
    return min(steps, default=None)


def for_station(alerts: Iterable[Alert], rules: NoticeRules) -> tuple[Alert, ...]:
    """The alerts for the station's district or its whole city, each serial once."""
    seen: set[int] = set()
    out: list[Alert] = []
    for alert in alerts:
        if alert.serial not in seen and applies_here(alert.regions, rules.district, rules.city):
            seen.add(alert.serial)
            out.append(alert)
    return tuple(out)


def in_window(alerts: Iterable[Alert], now: datetime, rules: NoticeRules) -> tuple[Notice, ...]:
    """The alerts still within their level's window at ``now``, as notices (no region rule)."""
    return ordered(n for n in (alert_notice(a, rules) for a in alerts) if in_force(n, now))


def alert_notices(alerts: Iterable[Alert], now: datetime, rules: NoticeRules) -> tuple[Notice, ...]:
    """The alerts for this station that are still within their level's window, as notices."""
    return in_window(for_station(alerts, rules), now, rules)


def ordered(notices: Iterable[Notice]) -> tuple[Notice, ...]:
    """Most severe first; within a level the newest first (then by id, so the order is stable)."""
    return tuple(sorted(notices, key=lambda n: (SEVERITY[n.level], -n.issued_at.timestamp(), n.id)))


def merge_notices(
    alerts: Sequence[Notice], operator: Sequence[Notice], now: datetime
) -> tuple[Notice, ...]:
    """Every notice in force at ``now``, from both origins, most severe first, each id once."""
    seen: set[str] = set()
    out: list[Notice] = []
    for notice in (*alerts, *operator):
        if notice.id not in seen and in_force(notice, now):
            seen.add(notice.id)
            out.append(notice)
    return ordered(out)


def wakes_panel(notices: Iterable[Notice], enabled: bool = True) -> bool:
    """Whether the notices in force switch on a panel that is scheduled off (a critical one)."""
    return enabled and any(n.level == "critical" for n in notices)
