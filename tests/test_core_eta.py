"""Local countdown between polls and arrival-code wording."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from kiosk.core.eta import CLOCK_BACK_S, MAX_ETA_S, STATUS_TEXT, eta_now, status_text
from kiosk.core.models import Arrival
from kiosk.core.timeutil import KST

RECEIVED = datetime(2026, 11, 20, 8, 13, 30, tzinfo=KST)
TRAIN = Arrival(
    line_id="1005",
    line="5호선",
    direction="상행",
    destination="방화",
    eta_s=120,
    arrival_code="99",
    message="2분 후 (여의나루)",
    current_station="여의나루",
    train_no="5123",
    express=False,
    last_train=False,
    received_at=RECEIVED,
)


@pytest.mark.parametrize(
    ("age_s", "expected"), [(0, 120), (30, 90), (119.5, 0), (120, 0), (600, 0), (-20, 120)]
)
def test_eta_now_subtracts_the_data_age_and_clamps_at_zero(age_s, expected):
    assert eta_now(TRAIN, RECEIVED + timedelta(seconds=age_s)) == expected


def test_eta_now_keeps_unknown_unknown():
    assert eta_now(replace(TRAIN, eta_s=None), RECEIVED) is None


@pytest.mark.parametrize("eta_s", [MAX_ETA_S + 1, 10**20, -5])
def test_an_eta_no_train_can_have_is_unknown_not_a_huge_countdown(eta_s):
    # barvlDt 1e20 reached the screen as "… 분" before.
    assert eta_now(replace(TRAIN, eta_s=eta_s), RECEIVED) is None
    assert eta_now(replace(TRAIN, eta_s=MAX_ETA_S), RECEIVED) == MAX_ETA_S


def test_a_clock_that_went_back_makes_the_countdown_unknown_not_frozen():
    # After a jump back of an hour every received_at is an hour ahead: the countdown sat at
    # barvlDt (120) for the whole hour. Now it is unknown until the next poll brings rows
    # received on the new clock.
    back = RECEIVED - timedelta(hours=1)
    assert [eta_now(TRAIN, back + timedelta(seconds=s)) for s in (0, 30, 60)] == [None] * 3
    assert eta_now(TRAIN, RECEIVED - timedelta(seconds=CLOCK_BACK_S)) == 120  # ordinary skew


def test_status_text_for_every_code_and_unknown():
    assert status_text(replace(TRAIN, arrival_code="0")) == ("진입", "Entering")
    assert status_text(replace(TRAIN, arrival_code="1")) == ("도착", "Arrived")
    assert status_text(replace(TRAIN, arrival_code="2")) == ("출발", "Departed")
    assert status_text(replace(TRAIN, arrival_code="3")) == ("전역 출발", "1 stop away")
    assert status_text(replace(TRAIN, arrival_code="4")) == ("전역 진입", "1 stop away")
    assert status_text(replace(TRAIN, arrival_code="5")) == ("전역 도착", "1 stop away")
    assert status_text(TRAIN) == ("운행 중", "Running")
    assert status_text(replace(TRAIN, arrival_code="")) == ("", "")
    assert set(STATUS_TEXT) == {"0", "1", "2", "3", "4", "5", "99"}
