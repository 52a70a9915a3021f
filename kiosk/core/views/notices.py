"""What the takeover, the notice page and the banner say about a notice, Korean first."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.format import age_text, clock_text
from kiosk.core.models import Notice
from kiosk.core.notices import LEVEL_WORDS, WHOLE, notice_category
from kiosk.core.romanize import english_name

# Province-level names in English (romanizing 특별시 would give "Seoulteukbyeolsi").
_CITY_EN = {
    "서울특별시": "Seoul",
    "서울시": "Seoul",
    "서울": "Seoul",
    "부산광역시": "Busan",
    "대구광역시": "Daegu",
    "인천광역시": "Incheon",
    "광주광역시": "Gwangju",
    "대전광역시": "Daejeon",
    "울산광역시": "Ulsan",
    "세종특별자치시": "Sejong",
    "경기도": "Gyeonggi-do",
    "강원도": "Gangwon-do",
    "강원특별자치도": "Gangwon-do",
    "충청북도": "Chungcheongbuk-do",
    "충청남도": "Chungcheongnam-do",
    "전라북도": "Jeollabuk-do",
    "전북특별자치도": "Jeonbuk-do",
    "전라남도": "Jeollanam-do",
    "경상북도": "Gyeongsangbuk-do",
    "경상남도": "Gyeongsangnam-do",
    "제주특별자치도": "Jeju-do",
}
MAX_REGIONS = 3  # more are summarised as "외 N곳 · N more"


@dataclass(frozen=True)
class NoticeView:
    """Every text the screen shows for one notice, as (Korean, English) where both exist."""

    level: str  # "critical" | "emergency" | "advisory": picks the colour and the symbol
    level_words: tuple[str, str]  # ("위급재난", "Extreme emergency")
    category: tuple[str, str]  # ("호우", "Heavy rain")
    text_ko: str  # the message as published (or as the operator typed it)
    text_en: str  # the operator's English; "" for alerts: never machine-translated
    where: tuple[str, str]  # ("서울특별시 영등포구", "Yeongdeungpo-gu, Seoul")
    issued: tuple[str, str]  # ("08:03 발령 · 11분 전", "Issued 08:03 · 11 min ago")
    issuer: tuple[str, str]  # ("행정안전부", "Ministry of the Interior and Safety")


def region_en(region: str) -> str:
    """ "서울특별시 영등포구" -> "Yeongdeungpo-gu, Seoul"; "서울특별시 전체" -> "All of Seoul"."""
    words = region.split()
    if not words:
        return ""
    city = _CITY_EN.get(words[0], english_name(words[0]))
    rest = words[1:]
    if not rest:
        return city
    if rest[0] == WHOLE:
        return f"All of {city}"
    return f"{english_name(' '.join(rest))}, {city}"


def where_text(regions: Sequence[str]) -> tuple[str, str]:
    """Where a notice applies; an operator's notice (no regions) applies to this station."""
    if not regions:
        return ("이 역", "This station")
    shown = list(regions[:MAX_REGIONS])
    more = len(regions) - len(shown)
    ko = ", ".join(shown) + (f" 외 {more}곳" if more else "")
    en = "; ".join(region_en(r) for r in shown) + (f"; {more} more" if more else "")
    return (ko, en)


def notice_view(notice: Notice, now: datetime) -> NoticeView:
    """The texts for ``notice`` at ``now`` (the age moves on each tick)."""
    age_ko, age_en = age_text(notice.issued_at, now)
    at = clock_text(notice.issued_at)
    return NoticeView(
        level=notice.level,
        level_words=LEVEL_WORDS[notice.level],
        category=notice_category(notice),
        text_ko=notice.text_ko,
        text_en=notice.text_en,
        where=where_text(notice.regions),
        issued=(f"{at} 발령 · {age_ko}", f"Issued {at} · {age_en}"),
        issuer=(notice.issuer_ko, notice.issuer_en),
    )


def summary_line(notice: Notice) -> str:
    """One line for a notice listed beneath the lead: "긴급재난 · 호우 Heavy rain — message"."""
    ko, en = notice_category(notice)
    return f"{LEVEL_WORDS[notice.level][0]} · {ko} {en} — {notice.text_ko}"
