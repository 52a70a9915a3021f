"""culturalEventInfo parsing: date formats, coordinate quirks, duplicates, and the upcoming filter."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.core.timeutil import KST
from kiosk.errors import ApiKeyError, MalformedResponse
from kiosk.sources import events
from tests.conftest import SAMPLES

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=KST)
EVENT_SAMPLES = sorted(SAMPLES.glob("culture_event_*"))


def sample_body(path: Path) -> str:
    """The sample as a body; the lower-case .txt Java comment becomes one upper-case row."""
    text = path.read_text(encoding="utf-8")
    if path.suffix != ".txt":
        return text
    lines = [re.sub(r"^\s*\*\s?", "", ln) for ln in text.splitlines()[1:]]
    row = json.loads("{" + "\n".join(lines).strip().rstrip(",") + "}")
    return json.dumps({k.upper(): v for k, v in row.items()}, ensure_ascii=False)


@pytest.mark.parametrize("path", EVENT_SAMPLES, ids=lambda p: p.name)
def test_every_event_sample_parses(path):
    evs = events.parse(sample_body(path), NOW)
    assert evs
    for e in evs:
        assert e.title and e.starts <= e.ends and e.starts.tzinfo is not None
        assert "krhttp" not in e.image_url


def test_2020_row_doubled_image_prefix_and_dot_zero_dates():
    (e,) = events.parse((SAMPLES / "culture_event_2020_raw_first_row.json").read_bytes(), NOW)
    assert e.image_url == "http://www.culture.go.kr/upload/rdf/20/08/rdf_2020081121211186222.jpg"
    assert e.starts == datetime(2020, 8, 20, tzinfo=KST)
    assert e.ends == datetime(2020, 12, 17, 23, 59, 59, tzinfo=KST)
    assert (e.title, e.category, e.place, e.fee, e.district) == (
        "가야금의 현:실",
        "콘서트",
        "아이러브아트센터",
        "30000",
        "",
    )
    assert e.url == "https://www.culture.go.kr/ticket/product/detail/new/PR006685"


def test_2026_keyfields_row_takes_dates_from_date_and_is_free():
    (e,) = events.parse(
        (SAMPLES / "culture_event_row_2026_samplekey_keyfields.json").read_bytes(), NOW
    )
    assert (e.starts.date().isoformat(), e.ends.date().isoformat()) == ("2026-10-31", "2026-10-31")
    assert e.is_free is True and e.district == "동작구" and e.category == "축제-문화/예술"
    assert e.url.startswith("https://culture.seoul.go.kr/")


def test_transformed_row_with_epoch_millis():
    (e,) = events.parse(
        sample_body(SAMPLES / "culture_event_row_2023_TRANSFORMED_lowercase.txt"), NOW
    )
    assert e.starts == datetime(2023, 6, 29, tzinfo=KST)
    assert e.district == "송파구" and e.fee.startswith("R 120,000")


def test_coordinate_quirks_duplicates_and_past_events():
    evs = events.parse(
        (SAMPLES / "culture_event_testfixture_coordinate_quirks.json").read_bytes(), NOW
    )
    by_title = {e.title: e for e in evs}
    assert len(evs) == 3  # the whitespace duplicate is merged
    dup = by_title["더 아카이브 : 뮤지컬의 순간들"]
    assert dup.url == "https://culture.seoul.go.kr/new"  # the later-registered copy wins
    assert (dup.lat, dup.lon) == (37.48, 127.01)
    assert (by_title["향토문화미술대전"].lat, by_title["향토문화미술대전"].lon) == (
        37.5718961547884,
        126.987230558854,
    )
    assert by_title["좌표 없는 행사"].lat is None
    assert [e.title for e in events.upcoming(evs, NOW, days=60)] == [
        "더 아카이브 : 뮤지컬의 순간들",
        "향토문화미술대전",
    ]


def _row(**kw):
    row = {
        "TITLE": "행사",
        "GUNAME": "마포구",
        "PLACE": "마포아트센터",
        "STRTDATE": "2026-09-05 00:00:00.0",
        "END_DATE": "2026-09-06 00:00:00.0",
        "LAT": "37.5498",
        "LOT": "126.9444",
        "IS_FREE": "유료",
    }
    row.update(kw)
    return row


def _body(*rows):
    return json.dumps(
        {
            "culturalEventInfo": {
                "list_total_count": len(rows),
                "RESULT": {"CODE": "INFO-000"},
                "row": list(rows),
            }
        }
    )


@pytest.mark.parametrize(
    ("lat", "lot", "expected"),
    [
        ("126.9444", "37.5498", (37.5498, 126.9444)),
        ("0", "0", (None, None)),
        ("", "126.9", (None, None)),
        ("37.5498~2", "126.9444", (37.5498, 126.9444)),
        ("abc", "def", (None, None)),
        (None, None, (None, None)),
    ],
)
def test_lat_lot_cleanup(lat, lot, expected):
    (e,) = events.parse(_body(_row(LAT=lat, LOT=lot)), NOW)
    assert (e.lat, e.lon) == expected


def test_rows_without_title_or_dates_are_skipped_and_odd_dates_handled():
    rows = [
        _row(TITLE=""),
        _row(STRTDATE="", END_DATE="", DATE=""),
        _row(TITLE="B", END_DATE="2026-09-04 18:00:00"),
        _row(TITLE="C", END_DATE=None),
        "junk",
    ]
    evs = {e.title: e for e in events.parse(_body(*rows), NOW)}
    assert set(evs) == {"B", "C"}
    assert evs["B"].ends == evs["B"].starts  # an end before the start is clamped
    assert evs["C"].ends == datetime(2026, 9, 5, 23, 59, 59, tzinfo=KST)
    assert evs["C"].is_free is False


def test_upcoming_window_district_and_order():
    rows = [
        _row(TITLE="지난 행사", STRTDATE="2026-08-01 00:00:00.0", END_DATE="2026-08-31 00:00:00.0"),
        _row(TITLE="오늘 끝", STRTDATE="2026-08-20 00:00:00.0", END_DATE="2026-09-01 00:00:00.0"),
        _row(TITLE="다음 주", STRTDATE="2026-09-09 00:00:00.0", END_DATE="2026-09-09 00:00:00.0"),
        _row(TITLE="먼 미래", STRTDATE="2026-10-01 00:00:00.0", END_DATE="2026-10-02 00:00:00.0"),
        _row(TITLE="도봉 행사", GUNAME="도봉구", STRTDATE="2026-09-02 00:00:00.0"),
    ]
    evs = events.parse(_body(*rows), NOW)
    assert [e.title for e in events.upcoming(evs, NOW)] == ["오늘 끝", "도봉 행사"]
    assert [e.title for e in events.upcoming(evs, NOW, days=8)] == [
        "오늘 끝",
        "도봉 행사",
        "다음 주",
    ]
    assert [e.title for e in events.upcoming(evs, NOW, days=8, district="마포구")] == [
        "오늘 끝",
        "다음 주",
    ]


def test_errors_empty_and_garbage():
    assert (
        events.parse('{"RESULT":{"CODE":"INFO-200","MESSAGE":"해당하는 데이터가 없습니다."}}', NOW)
        == ()
    )
    with pytest.raises(ApiKeyError):
        events.parse(
            (SAMPLES / "seoul_openapi_error_info100_xml_cdata_shape.xml").read_bytes(), NOW
        )
    with pytest.raises(MalformedResponse):
        events.parse("<!-- nothing -->", NOW)


def test_request_url_with_and_without_filters():
    assert (
        events.request_url("http://h:8088", "K") == "http://h:8088/K/json/culturalEventInfo/1/1000/"
    )
    assert events.request_url("http://h:8088", "K", 1, 100, month="2026-11") == (
        "http://h:8088/K/json/culturalEventInfo/1/100/%20/%20/2026-11/"
    )


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        (
            "http://culture.seoul.go.krhttp://www.culture.go.kr/a.jpg",
            "http://www.culture.go.kr/a.jpg",
        ),
        ("https://x.kr/r?u=http://y/a.jpg", "https://x.kr/r?u=http://y/a.jpg"),
        (None, ""),
        ("", ""),
    ],
)
def test_clean_image_url(url, clean):
    assert events.clean_image_url(url) == clean
