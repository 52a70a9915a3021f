"""English names for Korean place names: official names first, Revised Romanization as fallback.

The fallback follows Revised Romanization with the sound changes that matter in place names
(liaison, ㄴ/ㄹ -> ll, nasalisation: "신림" -> "Sillim", "왕십리" -> "Wangsimni", "종로" ->
"Jongno"), and translates place-type words ("공원" -> "Park", "입구" -> "Entrance").
"""

from __future__ import annotations

import functools

_INITIAL = [
    "g",
    "kk",
    "n",
    "d",
    "tt",
    "r",
    "m",
    "b",
    "pp",
    "s",
    "ss",
    "",
    "j",
    "jj",
    "ch",
    "k",
    "t",
    "p",
    "h",
]
_MEDIAL = [
    "a",
    "ae",
    "ya",
    "yae",
    "eo",
    "e",
    "yeo",
    "ye",
    "o",
    "wa",
    "wae",
    "oe",
    "yo",
    "u",
    "wo",
    "we",
    "wi",
    "yu",
    "eu",
    "ui",
    "i",
]
_FINAL = [
    "",
    "k",
    "k",
    "k",
    "n",
    "n",
    "n",
    "t",
    "l",
    "k",
    "m",
    "l",
    "l",
    "l",
    "p",
    "l",
    "m",
    "p",
    "p",
    "t",
    "t",
    "ng",
    "t",
    "t",
    "k",
    "t",
    "p",
    "t",
]

# Official English names where they differ from a plain transliteration, or are better known.
OFFICIAL: dict[str, str] = {
    "서울대입구": "Seoul Nat'l Univ.",
    "종합운동장": "Sports Complex",
    "영등포구청": "Yeongdeungpo-gu Office",
    "청라국제도시": "Cheongna Int'l City",
    "을지로입구": "Euljiro 1-ga",
    "종로3가": "Jongno 3-ga",
    "동대문역사문화공원": "DDP",
    "마곡나루": "Magongnaru",
    "오목교": "Omokgyo",
    "신길": "Singil",
    "용산": "Yongsan",
    "양천구청": "Yangcheon-gu Office",
    "인천공항": "Incheon Airport",
    "계양": "Gyeyang",
    "수색": "Susaek",
    "대곡": "Daegok",
    "파주": "Paju",
    "이마트": "E-Mart",
    "하나로마트": "Hanaro Mart",
    "입구": "Entrance",
    "건너편": "opposite",
    "사거리": "Intersection",
    "삼거리": "Junction",
    "오거리": "Five-way Junction",
    "후문": "Back Gate",
    "정문": "Main Gate",
    "압구정로데오": "Apgujeong Rodeo",
    "경의선": "Gyeongui Line",
    "전시실": "Gallery",
    "교차로": "Junction",
    "주차장": "Parking",
    "여의도": "Yeouido",
    "홍대입구": "Hongik Univ.",
    "창동": "Changdong",
    "서울": "Seoul Station",
    "서울역": "Seoul Station",
    "시청": "City Hall",
    "인천공항1터미널": "Incheon Airport T1",
    "인천공항2터미널": "Incheon Airport T2",
    "김포공항": "Gimpo Airport",
    "중앙보훈병원": "VHS Medical Center",
    "하남검단산": "Hanam Geomdansan",
    "광운대": "Kwangwoon Univ.",
    "디지털미디어시티": "Digital Media City",
    "신도림": "Sindorim",
    "성수": "Seongsu",
    "신설동": "Sinseol-dong",
    "상일동": "Sangil-dong",
    "오목교(목동운동장앞)": "Omokgyo (Mokdong Stadium)",
    "여의나루": "Yeouinaru",
    "국회의사당": "National Assembly",
    "샛강": "Saetgang",
    "노량진": "Noryangjin",
    "당고개": "Danggogae",
    "불암산": "Buramsan",
    "진접": "Jinjeop",
    "오이도": "Oido",
    "사당": "Sadang",
    "동두천": "Dongducheon",
    "소요산": "Soyosan",
    "의정부": "Uijeongbu",
    "양주": "Yangju",
    "인천": "Incheon",
    "서동탄": "Seodongtan",
    "천안": "Cheonan",
    "신창": "Sinchang",
    "병점": "Byeongjeom",
    "구로": "Guro",
    "청량리": "Cheongnyangni",
    "문산": "Munsan",
    "용문": "Yongmun",
    "지평": "Jipyeong",
    "덕소": "Deokso",
    "일산": "Ilsan",
    "검암": "Geomam",
    "공덕": "Gongdeok",
    "가좌": "Gajwa",
    "서강대": "Sogang Univ.",
    "신촌": "Sinchon",
    "합정": "Hapjeong",
    "방화": "Banghwa",
    "마천": "Macheon",
    "개화": "Gaehwa",
    "신논현": "Sinnonhyeon",
    "노원": "Nowon",
    "녹천": "Nokcheon",
    "방학": "Banghak",
    "쌍문": "Ssangmun",
    "월계": "Wolgye",
    "마곡": "Magok",
    "까치산": "Kkachisan",
    "경의선숲길": "Gyeongui Line Forest Park",
    "서울창포원": "Seoul Changpowon",
    "중랑천": "Jungnangcheon",
    "한강": "Hangang",
    "서울둘레길": "Seoul Dullegil Trail",
    "영등포구": "Yeongdeungpo-gu",
    "마포구": "Mapo-gu",
    "도봉구": "Dobong-gu",
    "노원구": "Nowon-gu",
    "중구": "Jung-gu",
    "종로구": "Jongno-gu",
    "강남구": "Gangnam-gu",
    "강동구": "Gangdong-gu",
}

# Place-type words, longest first: "망원한강공원" -> "Mangwon Hangang Park".
_SUFFIXES = (
    ("한강공원", " Hangang Park"),
    ("생태공원", " Ecological Park"),
    ("근린공원", " Neighborhood Park"),
    ("문화공원", " Culture Park"),
    ("공원", " Park"),
    ("숲길", " Forest Trail"),
    ("산책로", " Walking Trail"),
    ("둘레길", " Dullegil Trail"),
    ("코스", " Course"),
    ("이벤트광장", " Event Plaza"),
    ("광장", " Plaza"),
    ("아트센터", " Arts Center"),
    ("아트홀", " Art Hall"),
    ("문화센터", " Culture Center"),
    ("문화원", " Cultural Center"),
    ("주민센터", " Community Center"),
    ("센터", " Center"),
    ("문학관", " Literary Museum"),
    ("구청", "-gu Office"),
    ("입구", " Entrance"),
    ("시장", " Market"),
    ("거리", " Street"),
    ("초등학교", " Elementary School"),
    ("중학교", " Middle School"),
    ("고등학교", " High School"),
    ("대학교", " University"),
    ("병원", " Hospital"),
    ("도서관", " Library"),
    ("미술관", " Art Museum"),
    ("박물관", " Museum"),
    ("공연장", " Concert Hall"),
    ("극장", " Theater"),
    ("몰", " Mall"),
    ("구간", " section"),
    ("길", "-gil"),
    ("구", "-gu"),
    ("동", "-dong"),
)


# Final consonant -> the initial it becomes when the next syllable starts with silent ㅇ.
_LIAISON = {
    1: "g",
    2: "kk",
    4: "n",
    7: "d",
    8: "r",
    16: "m",
    17: "b",
    19: "s",
    20: "ss",
    22: "j",
    23: "ch",
    24: "k",
    25: "t",
    26: "p",
    27: "",
}
_K_FINALS, _P_FINALS = {1, 2, 24}, {17, 26}
_T_FINALS = {7, 19, 20, 22, 23, 25, 27}
_N_INIT, _R_INIT, _M_INIT, _SILENT = 2, 5, 6, 11


def _syllables(text: str) -> list[tuple[int, int, int] | str]:
    out: list[tuple[int, int, int] | str] = []
    for ch in text:
        code = ord(ch) - 0xAC00
        out.append((code // 588, (code % 588) // 28, code % 28) if 0 <= code < 11172 else ch)
    return out


def _join(final: int, nxt: int) -> tuple[str, str | None]:
    """Romanize a final before the next initial: (final letters, replacement initial or None)."""
    if nxt == _SILENT and final in _LIAISON:
        return "", _LIAISON[final]
    if (final == 4 and nxt == _R_INIT) or (final == 8 and nxt in (_N_INIT, _R_INIT)):
        return "l", "l"
    if final in (16, 21) and nxt == _R_INIT:
        return _FINAL[final], "n"
    if final in _K_FINALS and nxt in (_N_INIT, _M_INIT, _R_INIT):
        return "ng", "n" if nxt == _R_INIT else None
    if final in _P_FINALS and nxt in (_N_INIT, _M_INIT, _R_INIT):
        return "m", "n" if nxt == _R_INIT else None
    if final in _T_FINALS and nxt in (_N_INIT, _M_INIT):
        return "n", None
    return _FINAL[final], None


def transliterate(text: str) -> str:
    """Revised Romanization of Hangul with liaison and nasal/lateral assimilation."""
    syl = _syllables(text)
    out: list[str] = []
    carried: str | None = None
    for i, s in enumerate(syl):
        if isinstance(s, str):
            out.append(s)
            carried = None
            continue
        ini, med, fin = s
        head = carried if carried is not None else _INITIAL[ini]
        if ini == _R_INIT and carried is None and (i == 0 or isinstance(syl[i - 1], str)):
            head = "r"  # word-initial ㄹ
        carried = None
        nxt = syl[i + 1] if i + 1 < len(syl) else None
        if fin and isinstance(nxt, tuple):
            tail, carried = _join(fin, nxt[0])
        else:
            tail = _FINAL[fin]
        out.append(head + _MEDIAL[med] + tail)
    return "".join(out)


@functools.lru_cache(maxsize=4096)
def english_name(korean: str) -> str:
    """The English name for a Korean place name: official if known, else transliterated.

    Cached: pages ask again every second for the same few hundred names."""
    name = korean.strip()
    if not name:
        return ""
    if name in OFFICIAL:
        return OFFICIAL[name]
    if name.endswith(")") and "(" in name and not name.startswith("("):
        head, _, inner = name[:-1].partition("(")
        return f"{english_name(head)} ({english_name(inner)})"
    if " " in name:
        return " ".join(english_name(w) for w in name.split())
    if name in OFFICIAL:
        return OFFICIAL[name]
    base = name.removesuffix("역")
    if base in OFFICIAL:
        return OFFICIAL[base]
    for ko, en in _SUFFIXES:
        if base == ko and not en.startswith("-"):
            return en.strip()
        # "구"/"동"/"길" only after a name of two or more syllables: 신길, 입구, 창동 are words.
        short = en.startswith("-") and len(base) - len(ko) < 2
        if base.endswith(ko) and len(base) > len(ko) and not short:
            head = english_name(base[: -len(ko)])
            if ko == "길" and head.endswith(("Park", "Stream", "cheon")):
                return head + " Trail"  # "샛강생태공원길": a path along the park, not a street
            return head + en
    roman = transliterate(base)
    if roman == base:
        return base
    # Capitalise each space-separated word; keep parentheses and digits.
    return " ".join(w[:1].upper() + w[1:] for w in roman.split(" "))
