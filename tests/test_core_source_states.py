"""The screen's knowledge of its sources: states judged again only when they can have changed,
the footer's ages only at their minute steps."""

from __future__ import annotations

from datetime import datetime, timedelta

from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.models import Snapshot
from kiosk.core.source_states import SourceStates
from kiosk.core.timeutil import KST
from kiosk.core.views.common import DataState

NOW = datetime(2026, 12, 6, 8, 0, 0, tzinfo=KST)
LABELS = {"subway": ("지하철", "Subway"), "air": ("대기질", "Air")}


def _states() -> SourceStates:
    return SourceStates(
        ("subway", "air"),
        {"subway": FreshnessPolicy(120, 600), "air": FreshnessPolicy(3600, 7200)},
        LABELS,
    )


def test_every_source_starts_without_data_and_new_data_touches_its_source():
    s = _states()
    assert s.judge(NOW) == {"subway", "air"}  # no state before: every one changed
    assert s.states == {"subway": DataState.NO_DATA, "air": DataState.NO_DATA}
    assert s.judge(NOW + timedelta(seconds=1)) == set()
    new = s.put([Snapshot("subway", ("x",), NOW)])
    assert new == ("subway",) and s.snapshots["subway"].items == ("x",)
    assert s.judge(NOW + timedelta(seconds=2), new) == {"subway"}
    assert s.states["subway"] is DataState.FRESH
    # the same snapshot again is still new data for the pages that show it
    assert s.judge(NOW + timedelta(seconds=3), ("subway",)) == {"subway"}


def test_a_state_changes_when_its_datas_age_reaches_a_threshold_and_that_moment_is_named():
    s = _states()
    s.put([Snapshot("subway", ("x",), NOW)])
    s.judge(NOW)
    stale_at = NOW + timedelta(seconds=120)
    assert stale_at in s.next_changes()
    assert s.judge(stale_at - timedelta(seconds=1)) == set()
    assert s.judge(stale_at) == {"subway"} and s.states["subway"] is DataState.STALE
    assert s.judge(NOW + timedelta(seconds=600)) == {"subway"}
    assert s.states["subway"] is DataState.NO_DATA
    assert s.judge(NOW - timedelta(hours=1)) == {"subway"}  # a clock set back: judged again


def test_the_footers_ages_are_worked_out_again_only_at_a_step_or_a_change():
    s = _states()
    s.put([Snapshot("subway", ("x",), NOW), Snapshot("air", ("y",), NOW)])
    s.judge(NOW)
    first = s.ages(NOW, changed=True)
    assert first is not None and len(first) == 2
    assert s.ages(NOW + timedelta(seconds=5), changed=False) is None  # reads as shown
    step = min(s.next_changes())
    assert NOW < step <= NOW + timedelta(minutes=1)
    assert s.ages(step, changed=False) is not None  # the minute step: "1분 전"
    assert s.ages(step + timedelta(seconds=1), changed=True) is not None  # new data
