"""English names for Korean place names: official names first, Revised Romanization as fallback.

The fallback transliterates syllable by syllable (no sound-change rules), which is how most
station names are romanized anyway ("까치산" -> "Kkachisan").
"""

from __future__ import annotations

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
    "오목교(목동운동장앞)": "Omokgyo",
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
    ("센터", " Center"),
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


def transliterate(text: str) -> str:
    """Revised Romanization of Hangul syllables; other characters pass through."""
    out: list[str] = []
    for ch in text:
        code = ord(ch) - 0xAC00
        if 0 <= code < 11172:
            ini, med, fin = code // 588, (code % 588) // 28, code % 28
            out.append(_INITIAL[ini] + _MEDIAL[med] + _FINAL[fin])
        else:
            out.append(ch)
    return "".join(out)


def english_name(korean: str) -> str:
    """The English name for a Korean place name: official if known, else transliterated."""
    name = korean.strip()
    if not name:
        return ""
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
        if base.endswith(ko) and len(base) > len(ko):
            head = english_name(base[: -len(ko)])
            if ko == "길" and head.endswith(("Park", "Stream", "cheon")):
                return head + " Trail"  # "샛강생태공원길": a path along the park, not a street
            return head + en
    roman = transliterate(base)
    if roman == base:
        return base
    # Capitalise each space-separated word; keep parentheses and digits.
    return " ".join(w[:1].upper() + w[1:] for w in roman.split(" "))
