from datetime import timedelta

import pytest

from kiosk.core.format import (
    age_text,
    age_text_until,
    contrast_ratio,
    date_text,
    distance_text,
    readable_on,
)
from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.health import health, state_until
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.romanize import english_name
from kiosk.core.views.common import DataState
from tests.ui_data import NOW


def test_age_text_is_bilingual():
    assert age_text(NOW - timedelta(seconds=20), NOW) == ("방금", "just now")
    assert age_text(NOW - timedelta(minutes=2, seconds=5), NOW) == ("2분 전", "2 min ago")
    assert age_text(NOW - timedelta(hours=3), NOW) == ("3시간 전", "3 h ago")
    assert age_text(None, NOW) == ("수신 없음", "none yet")
    assert distance_text(995) == "1.0 km" and distance_text(994) == "990 m"


@pytest.mark.parametrize("age_s", [-90.5, -3, 0, 0.4, 59.99, 60, 61.7, 3599.5, 3600, 7300.25, 2e5])
def test_age_text_until_is_the_next_moment_the_age_reads_differently(age_s):
    fetched = NOW - timedelta(seconds=age_s)
    until = age_text_until(fetched, NOW)
    assert until is not None and until > NOW
    shown = age_text(fetched, NOW)
    # Every tenth of a second up to it reads the same; at it, the text steps.
    steps = int((until - NOW).total_seconds() * 10)
    assert all(age_text(fetched, NOW + timedelta(seconds=i / 10)) == shown for i in range(steps))
    assert age_text(fetched, until) != shown or age_s >= 3600  # hours step every 60 minutes
    assert age_text_until(None, NOW) is None


def test_date_and_distance():
    assert date_text(NOW) == ("11월 20일 (금)", "Fri 20 Nov")
    assert distance_text(612) == "610 m"
    assert distance_text(1430) == "1.4 km"


def test_contrast_ratio_matches_wcag():
    assert contrast_ratio("#FFFFFF", "#000000") == pytest.approx(21.0)
    assert contrast_ratio("#777777", "#FFFFFF") == pytest.approx(4.48, abs=0.01)
    assert readable_on("#BDB092") == "#000000"  # Line 9 gold needs dark text
    assert readable_on("#0052A4") == "#FFFFFF"


@pytest.mark.parametrize(
    "ko,en",
    [
        ("까치산", "Kkachisan"),
        ("인천공항2터미널", "Incheon Airport T2"),
        ("샛강생태공원", "Saetgang Ecological Park"),
        ("망원한강공원", "Mangwon Hangang Park"),
        ("영등포구", "Yeongdeungpo-gu"),
        ("쌍문역", "Ssangmun"),
    ],
)
def test_english_names(ko, en):
    assert english_name(ko) == en


def test_health_state_from_age_and_status():
    snap = Snapshot("subway", ("x",), NOW - timedelta(seconds=30))
    assert health(snap, FreshnessPolicy(180, 900), NOW).state is DataState.FRESH
    assert (
        health(snap, FreshnessPolicy(180, 900), NOW + timedelta(seconds=200)).state
        is DataState.STALE
    )
    assert (
        health(snap, FreshnessPolicy(180, 900), NOW + timedelta(seconds=900)).state
        is DataState.NO_DATA
    )
    limited = Snapshot("subway", ("x",), NOW, FeedStatus.RATE_LIMITED)
    assert health(limited, FreshnessPolicy(180, 900), NOW).state is DataState.STALE
    assert health(None, FreshnessPolicy(180, 900), NOW).state is DataState.NO_DATA
    never = Snapshot("air", (), None, FeedStatus.ERROR)
    assert health(never, FreshnessPolicy(1, 2), NOW).state is DataState.NO_DATA


@pytest.mark.parametrize(
    "ko,en",
    [
        ("신림", "Sillim"),
        ("왕십리", "Wangsimni"),
        ("종로", "Jongno"),
        ("독립문", "Dongnimmun"),
        ("문래", "Mullae"),
        ("신길", "Singil"),
        ("서울대입구", "Seoul Nat'l Univ."),
        ("입구", "Entrance"),
        ("오목교(목동운동장앞)", "Omokgyo (Mokdong Stadium)"),
        ("중랑천 창동길", "Jungnangcheon Changdong-gil"),
        ("서교동 사거리", "Seogyo-dong Intersection"),
        ("창동", "Changdong"),
    ],
)
def test_sound_changes_and_place_words(ko, en):
    assert english_name(ko) == en


@pytest.mark.parametrize("status", [FeedStatus.OK, FeedStatus.EMPTY, FeedStatus.ERROR])
@pytest.mark.parametrize("age_s", [-30, 0, 30, 179.5, 180, 500, 899.9, 900, 5000])
def test_a_state_holds_until_state_until_and_steps_there(status, age_s):
    policy = FreshnessPolicy(180, 900)
    items = () if status is FeedStatus.EMPTY else ("x",)
    snap = Snapshot("subway", items, NOW - timedelta(seconds=age_s), status)
    until = state_until(snap, policy, NOW)
    state = health(snap, policy, NOW).state
    if age_s >= 900:
        assert until is None  # unavailable for good: only a new snapshot changes it
        return
    assert until is not None and until > NOW
    steps = int((until - NOW).total_seconds() * 4)
    assert all(
        health(snap, policy, NOW + timedelta(seconds=i / 4)).state is state for i in range(steps)
    )
    assert health(snap, policy, until - timedelta(milliseconds=1)).state is state
    assert state_until(None, policy, NOW) is None
