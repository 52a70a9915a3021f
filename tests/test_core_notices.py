"""Notice rules and the rotation with notices, on a fake clock (plain values, no I/O)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from kiosk.core import notices as rules
from kiosk.core.models import Alert, Notice, NoticeLevel
from kiosk.core.notice_rotation import plan_for, slot_at, start_of
from kiosk.core.timeutil import KST

NOW = datetime(2026, 8, 18, 9, 0, tzinfo=KST)
YEOUIDO = rules.NoticeRules(district="영등포구")


def alert(
    serial: int,
    level: NoticeLevel = "emergency",
    regions: tuple[str, ...] = ("서울특별시 영등포구",),
    age: timedelta = timedelta(minutes=5),
    category: str = "호우",
) -> Alert:
    return Alert(
        serial=serial,
        level=level,
        level_ko=rules.LEVEL_WORDS[level][0],
        category=category,
        message=f"문자 {serial}",
        regions=regions,
        issued_at=NOW - age,
    )


def operator(nid: str, level: NoticeLevel, issued: datetime = NOW, minutes: float = 30) -> Notice:
    return Notice(
        id=nid,
        level=level,
        origin="operator",
        category="",
        text_ko="승강장 안전 점검 중",
        text_en="Platform safety check",
        regions=(),
        issued_at=issued,
        until=issued + timedelta(minutes=minutes),
        issuer_ko=rules.OPERATOR[0],
        issuer_en=rules.OPERATOR[1],
    )


@pytest.mark.parametrize(
    ("regions", "shown"),
    [
        (("서울특별시 영등포구",), True),
        (("서울특별시 영등포구 여의동",), True),
        (("서울특별시 전체",), True),
        (("서울특별시",), True),
        (("서울 영등포구",), True),
        (("경기도 광명시", "서울특별시 영등포구"), True),
        (("서울특별시 마포구",), False),
        (("부산광역시 중구",), False),
        (("부산광역시 전체",), False),
        (("경기도 전체",), False),
        ((), False),
    ],
)
def test_only_the_stations_district_or_the_whole_city_is_kept(regions, shown):
    got = rules.alert_notices([alert(1, regions=regions)], NOW, YEOUIDO)
    assert bool(got) is shown


@pytest.mark.parametrize(
    ("level", "window"),
    [
        ("critical", timedelta(hours=6)),
        ("emergency", timedelta(hours=3)),
        ("advisory", timedelta(hours=1)),
    ],
)
def test_each_level_stays_for_its_window_then_goes(level, window):
    a = alert(7, level, age=timedelta(0))
    assert rules.alert_notices([a], NOW + window - timedelta(seconds=1), YEOUIDO)
    assert rules.alert_notices([a], NOW + window, YEOUIDO) == ()
    (n,) = rules.alert_notices([a], NOW, YEOUIDO)
    assert n.until == a.issued_at + window and n.id == "alert-7"
    assert (n.issuer_ko, n.issuer_en) == rules.MINISTRY and n.text_en == ""


def test_an_old_alert_never_shows_and_the_windows_are_configurable():
    old = alert(2, "advisory", age=timedelta(hours=2))
    assert rules.alert_notices([old], NOW, YEOUIDO) == ()
    longer = rules.NoticeRules(district="영등포구", advisory_s=3 * 3600)
    assert rules.alert_notices([old], NOW, longer)


def test_an_alert_stamped_far_in_the_future_is_dropped():
    assert rules.alert_notices([alert(3, age=-timedelta(minutes=5))], NOW, YEOUIDO)
    assert rules.alert_notices([alert(3, age=-timedelta(hours=2))], NOW, YEOUIDO) == ()


def test_most_severe_leads_then_newest_first():
    got = rules.alert_notices(
        [
            alert(1, "advisory", age=timedelta(minutes=1)),
            alert(2, "emergency", age=timedelta(minutes=30)),
            alert(3, "critical", age=timedelta(minutes=50)),
            alert(4, "emergency", age=timedelta(minutes=10)),
            alert(4, "emergency", age=timedelta(minutes=10)),  # the feed repeats itself
        ],
        NOW,
        YEOUIDO,
    )
    assert [n.id for n in got] == ["alert-3", "alert-4", "alert-2", "alert-1"]


def test_the_region_rule_and_the_age_rule_apply_separately():
    here = alert(1, regions=("서울특별시 전체",))
    far = alert(2, regions=("부산광역시 전체",))
    again = alert(1, regions=("서울특별시 영등포구",))  # the same serial twice: the first counts
    assert rules.for_station([here, far, again], YEOUIDO) == (here,)
    old = alert(3, "advisory", age=timedelta(hours=2))
    # in_window is the age rule alone (the notice feed has applied the region rule already).
    assert [n.id for n in rules.in_window([far, old], NOW, YEOUIDO)] == ["alert-2"]
    assert rules.alert_notices([here, far, old], NOW, YEOUIDO) == rules.in_window(
        [here], NOW, YEOUIDO
    )


def test_operator_and_alert_notices_merge_and_expire():
    feed = rules.alert_notices([alert(5, "emergency")], NOW, YEOUIDO)
    op = [operator("op-1", "critical", minutes=10), operator("op-2", "advisory", minutes=60)]
    assert [n.id for n in rules.merge_notices(feed, op, NOW)] == ["op-1", "alert-5", "op-2"]
    later = NOW + timedelta(minutes=10)  # op-1 ends exactly now
    assert [n.id for n in rules.merge_notices(feed, op, later)] == ["alert-5", "op-2"]
    cleared = rules.merge_notices(feed, [], later)
    assert [n.id for n in cleared] == ["alert-5"]
    assert rules.merge_notices(feed, op, NOW + timedelta(hours=4)) == ()


def test_level_words_and_categories_in_korean_and_english():
    assert rules.level_from_ko("위급재난") == "critical"
    assert rules.level_from_ko("경보") is None
    assert rules.category_words("호우") == ("호우", "Heavy rain")
    assert rules.category_words(" 지진 ") == ("지진", "Earthquake")
    for ko in ("화재", "한파", "폭염", "대설", "태풍", "강풍", "홍수", "산사태", "미세먼지"):
        assert rules.category_words(ko)[1] != rules.CATEGORY_FALLBACK_EN
    for ko in ("황사", "정전", "감염병", "실종", "교통"):
        assert rules.category_words(ko)[1] != rules.CATEGORY_FALLBACK_EN
    assert rules.category_words("우주쓰레기") == ("우주쓰레기", "Public alert")
    assert rules.category_words("") == ("재난 안내", "Public alert")
    assert rules.notice_category(operator("op", "advisory")) == rules.OPERATOR_CATEGORY


# --- the rotation with notices -----------------------------------------------------------------

PAGES = [20.0, 12.0, 10.0]


def test_no_notice_rotates_as_before():
    plan = plan_for(())
    assert plan.mode == "rotate" and plan.banner is None
    assert slot_at(plan.mode, PAGES, 25.0).index == 1


def test_critical_takes_over_and_stops_the_rotation_whatever_the_time():
    ns = rules.merge_notices([], [operator("op-a", "advisory"), operator("op-c", "critical")], NOW)
    plan = plan_for(ns)
    assert plan.mode == "takeover" and plan.lead is not None and plan.lead.id == "op-c"
    assert [n.id for n in plan.others] == ["op-a"] and plan.banner is None
    for elapsed in (0.0, 13.0, 999.0):
        slot = slot_at(plan.mode, PAGES, elapsed, mode_elapsed_s=elapsed)
        assert slot.kind == "takeover" and slot.seconds_left == math.inf


def test_emergency_shows_its_page_first_then_every_other_slot():
    ns = rules.merge_notices([], [operator("op-e", "emergency"), operator("op-a", "advisory")], NOW)
    plan = plan_for(ns)
    assert plan.mode == "interleave" and plan.banner == plan.lead and plan.banner_more == 1
    seen = []
    for t in range(0, 15 + 20 + 15 + 12 + 15 + 10 + 15):
        s = slot_at(plan.mode, PAGES, 1000.0, mode_elapsed_s=float(t), notice_s=15, start_index=1)
        label = "N" if s.kind == "notice" else str(s.index)
        if not seen or seen[-1] != label:
            seen.append(label)
    # From the page after the one on screen (start_index=1): notice, 1, notice, 2, notice, 0, notice.
    assert seen == ["N", "1", "N", "2", "N", "0", "N"]
    first = slot_at(plan.mode, PAGES, 0.0, mode_elapsed_s=0.0, notice_s=15, start_index=1)
    assert first.kind == "notice" and first.seconds_left == 15


def test_emergency_with_a_one_page_layout_alternates_with_that_page():
    kinds = [
        slot_at("interleave", [30.0], 0.0, mode_elapsed_s=t, notice_s=10).kind
        for t in (0.0, 9.9, 10.0, 39.9, 40.0)
    ]
    assert kinds == ["notice", "notice", "page", "page", "notice"]


def test_advisory_is_a_banner_on_every_page_and_the_rotation_goes_on():
    plan = plan_for(rules.merge_notices([], [operator("op-a", "advisory")], NOW))
    assert plan.mode == "rotate" and plan.lead is None and plan.banner is not None
    assert [slot_at(plan.mode, PAGES, t).index for t in (0.0, 20.0, 32.0)] == [0, 1, 2]


def test_plan_key_changes_with_the_leading_notice_only():
    a = plan_for([operator("op-e", "emergency")])
    b = plan_for([operator("op-e", "emergency"), operator("op-x", "advisory")])
    c = plan_for([operator("op-f", "emergency", NOW + timedelta(seconds=1))])
    assert a.key == b.key != c.key


def test_the_rotation_resumes_at_the_start_of_a_page():
    assert [start_of(PAGES, i) for i in (0, 1, 2, 3)] == [0.0, 20.0, 32.0, 0.0]
    assert slot_at("rotate", PAGES, start_of(PAGES, 2)).index == 2


def test_the_screen_texts_of_a_notice():
    from kiosk.core.views.notices import notice_view, region_en, summary_line, where_text

    assert region_en("서울특별시 영등포구") == "Yeongdeungpo-gu, Seoul"
    assert region_en("서울특별시 전체") == "All of Seoul"
    assert where_text(()) == ("이 역", "This station")
    many = tuple(f"서울특별시 {gu}" for gu in ("영등포구", "마포구", "동작구", "구로구", "중구"))
    assert where_text(many)[0].endswith("동작구 외 2곳") and where_text(many)[1].endswith(
        "; 2 more"
    )
    (n,) = rules.alert_notices([alert(9, "critical", category="지진")], NOW, YEOUIDO)
    v = notice_view(n, NOW)
    assert v.level_words == ("위급재난", "Extreme emergency") and v.category == (
        "지진",
        "Earthquake",
    )
    assert v.issued == ("08:55 발령 · 5분 전", "Issued 08:55 · 5 min ago")
    assert v.issuer == rules.MINISTRY and v.text_en == ""
    assert summary_line(n) == "위급재난 · 지진 Earthquake — 문자 9"
