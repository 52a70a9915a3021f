"""Arrival selection: one row per train, so a repeated train cannot hide the real next one."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime, timedelta

from kiosk.core.models import Arrival, FeedStatus, Snapshot
from kiosk.core.select import arrivals_for, dedupe_arrivals
from kiosk.core.timeutil import KST
from kiosk.core.views.arrivals import arrivals_view
from kiosk.core.views.common import DataState
from kiosk.sources import subway
from tests.conftest import SAMPLES

NOW = datetime(2026, 11, 20, 8, 14, tzinfo=KST)
TRAIN = Arrival(
    "1005", "5호선", "상행", "방화", 120, "99", "2분 후", "여의나루", "5123", False, False, NOW
)


def test_a_train_listed_twice_is_kept_once_with_its_newest_row():
    old = replace(TRAIN, eta_s=200, received_at=NOW - timedelta(seconds=60))
    new = replace(TRAIN, eta_s=120)
    other = replace(TRAIN, train_no="5125", eta_s=480)
    assert dedupe_arrivals([old, other, new]) == (new, other)
    assert dedupe_arrivals([new, old]) == (new,)


def test_the_same_number_on_another_line_or_direction_is_another_train():
    rows = [TRAIN, replace(TRAIN, direction="하행"), replace(TRAIN, line_id="1009")]
    assert dedupe_arrivals(rows) == tuple(rows)


def test_rows_without_a_train_number_merge_only_when_identical():
    a = replace(TRAIN, train_no="")
    b = replace(a, eta_s=300)
    assert dedupe_arrivals([a, a, b]) == (a, b)


def test_the_recorded_seoul_station_body_shows_train_0150_once_and_the_next_train():
    # The 2021 서울역 body lists 1호선 train 0150 twice (18:04:55 "전역 도착", 18:07:01
    # "전역 출발"). Both rows filled the two 상행 slots: the train showed twice.
    body = json.loads((SAMPLES / "subway_arrival_seoulstn_2021.json").read_text("utf-8"))
    body["realtimeArrivalList"].append(
        {**body["realtimeArrivalList"][3], "btrainNo": "0152", "barvlDt": "420"}
    )
    now = datetime(2021, 10, 14, 18, 7, 20, tzinfo=KST)
    arrivals = arrivals_for(subway.parse(json.dumps(body, ensure_ascii=False), now), ["1001"])
    assert [(a.train_no, a.eta_s) for a in arrivals] == [("0150", 150), ("0152", 420)]
    snap = Snapshot("subway", arrivals, now, FeedStatus.OK)
    (line,) = arrivals_view(snap, ["1001"], now, DataState.FRESH).lines
    up = next(d for d in line.directions if d.direction == "상행")
    assert [t.minutes for t in up.trains] == [2, 6]  # 0150 in ~2 min, then 0152: not 0150 again
