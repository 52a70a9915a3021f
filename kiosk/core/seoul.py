"""Seoul's 25 districts (구) and the city's extent, for checking a station's config."""

from __future__ import annotations

import difflib
import re

# The 25 자치구, as the air-quality API names them (MSRSTN_NM), with their official English names.
DISTRICTS: dict[str, str] = {
    "종로구": "Jongno-gu",
    "중구": "Jung-gu",
    "용산구": "Yongsan-gu",
    "성동구": "Seongdong-gu",
    "광진구": "Gwangjin-gu",
    "동대문구": "Dongdaemun-gu",
    "중랑구": "Jungnang-gu",
    "성북구": "Seongbuk-gu",
    "강북구": "Gangbuk-gu",
    "도봉구": "Dobong-gu",
    "노원구": "Nowon-gu",
    "은평구": "Eunpyeong-gu",
    "서대문구": "Seodaemun-gu",
    "마포구": "Mapo-gu",
    "양천구": "Yangcheon-gu",
    "강서구": "Gangseo-gu",
    "구로구": "Guro-gu",
    "금천구": "Geumcheon-gu",
    "영등포구": "Yeongdeungpo-gu",
    "동작구": "Dongjak-gu",
    "관악구": "Gwanak-gu",
    "서초구": "Seocho-gu",
    "강남구": "Gangnam-gu",
    "송파구": "Songpa-gu",
    "강동구": "Gangdong-gu",
}

# Seoul's extent (WGS84), a little wider than the city limits (37.43..37.70 N, 126.76..127.18 E)
# so that a station on the boundary passes; Incheon, Suwon or Busan do not.
LAT_RANGE = (37.41, 37.72)
LON_RANGE = (126.73, 127.27)

_PREFIX = re.compile(r"^(서울특별시|서울시|서울|seoul)\s*", re.IGNORECASE)


def in_seoul(lat: float, lon: float) -> bool:
    """True if the point lies within Seoul's extent."""
    return LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]


def suggest_district(text: str) -> str | None:
    """The district a technician most likely meant (중 -> 중구, 강남시 -> 강남구, Mapo-gu -> 마포구)."""
    s = _PREFIX.sub("", " ".join(str(text).split())).strip()
    if not s:
        return None
    low = s.lower().replace(" ", "").replace("-", "")
    for ko, en in DISTRICTS.items():
        if low in (en.lower().replace("-", ""), en.lower().removesuffix("-gu")):
            return ko
    base = re.sub(r"(구|시|군|동)$", "", s)
    if base + "구" in DISTRICTS:
        return base + "구"
    close = difflib.get_close_matches(s, list(DISTRICTS), n=1, cutoff=0.7)
    return close[0] if close else None
