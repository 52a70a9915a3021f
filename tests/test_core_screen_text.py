"""The screen log's text: one compact line per arrival, bus, reading, place and event, built
from the same view models the pages draw (never from widget labels)."""

from __future__ import annotations

from kiosk.app import demo_snapshots
from kiosk.config import load_all
from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.health import health
from kiosk.core.screen_text import lines_of
from kiosk.core.views.arrivals import arrivals_view
from kiosk.core.views.buses import StopSpec, buses_view
from kiosk.core.views.common import DataState
from tests.conftest import EXAMPLES
from tests.ui_data import NOW

POLICY = FreshnessPolicy(180, 900)


def _snaps():
    cfg, layout = load_all(EXAMPLES[0])
    return cfg, {s.source: s for s in demo_snapshots(cfg, layout, NOW)}


def test_arrivals_are_one_line_per_train_as_the_page_shows_them():
    cfg, snaps = _snaps()
    snap = snaps["subway"]
    view = arrivals_view(snap, cfg.station.lines, NOW, health(snap, POLICY, NOW).state)
    lines = lines_of(view)
    shown = sum(len(d.trains) for line in view.lines for d in line.directions)
    assert len(lines) == shown > 0
    assert all(line.startswith(("5호선 ", "9호선 ")) and "행 " in line for line in lines)
    assert any(line.endswith("분") or "분 (" in line for line in lines)


def test_buses_are_one_line_per_coming_bus_and_a_stop_without_buses_says_why():
    _cfg, snaps = _snaps()
    view = buses_view(snaps["bus"], (StopSpec("19007"),), NOW, DataState.FRESH, rows_per_page=4)
    lines = lines_of(view)
    assert len(lines) == sum(len(r.buses) for s in view.sections for r in s.rows) > 0
    assert all("번 " in line for line in lines)
    stop = StopSpec("19007", "여의도환승센터")
    why = "수신 안 됨 · Not received"
    empty = buses_view(None, (stop,), NOW, DataState.NO_DATA, rows_per_page=4, why=why)
    assert lines_of(empty) == [f"정류소 19007 여의도환승센터: {why}"]


def test_a_page_without_a_view_model_has_no_lines():
    assert lines_of(None) == [] and lines_of(object()) == []
