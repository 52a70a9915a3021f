"""The bench's probe on a real window (offscreen): what it times is what the app does, and a
fade frame it times really shows both pages blended."""

from __future__ import annotations

import ast
from datetime import datetime, timedelta

import pytest

from kiosk.app import window_setup
from kiosk.config import load_all
from kiosk.core.timeutil import KST
from tests.conftest import REPO, track
from tests.ui_data import NOW, station_snapshots

pytest.importorskip("PySide6")


@pytest.fixture
def probe():
    from kiosk.bench.probe import Probe
    from kiosk.ui.qtapp import application
    from kiosk.ui.window import KioskWindow

    application()  # the kiosk's own (its glyph cache size: the bench measures what runs)
    cfg, layout = load_all(REPO / "config.example.yaml")
    st = cfg.station
    clock = [NOW]
    win = track(KioskWindow(window_setup(cfg, layout), (960, 540), lambda: clock[0], lambda: 0.0))
    win.apply_snapshots(
        station_snapshots(tuple(st.lines), st.district, st.location.lat, st.location.lon)
    )
    win.show()
    p = Probe(win)
    assert p.wait_exposed()
    yield p
    win.close()


def test_a_fade_frame_repaints_the_page_area_and_the_turn_ends_on_the_new_page(probe):
    win = probe.win
    probe.start_fade()
    probe.process()
    probe.fade_frame(0.5)
    assert win.cover.isVisible() and 0.49 < win.cover.share < 0.51
    area = probe.meter.measure(lambda: probe.fade_frame(0.3))
    assert area == pytest.approx(
        win.stack.width() * win.stack.height() / (win.width() * win.height()), rel=0.01
    )
    win.end_fade()
    assert win.cover.share == 1.0
    assert probe.wait_for(lambda: not win.cover.isVisible(), 5.0)  # handed back to the page


def test_new_data_mid_fade_lets_the_turn_run_on_to_the_live_page(probe):
    win = probe.win
    probe.start_fade()
    probe.fade_frame(0.5)
    assert win.cover.isVisible()
    win.apply_snapshots(list(win.snapshots.values()))
    # No whole-page repaint in one frame for it: the turn goes on, and its hand-over reveals
    # the live page (new data and all) a strip per frame.
    assert win.cover.isVisible()
    win.turner.fade_over()
    assert probe.wait_for(lambda: not win.turner.turning(), 10)
    assert win.stack.currentWidget().isVisible()


def test_ticks_repaint_a_small_part_and_page_renders_all_of_it(probe):
    got = probe.ticks(5, 2, datetime(2026, 11, 20, 8, 14, 5, tzinfo=KST))
    assert len(got["second_ms"]) == 5 and len(got["minute_ms"]) == 2
    assert 0 < got["minute_area"] < 0.2  # the clock and a few labels, not the screen
    assert probe.page_render_area() > 0.99
    pages = probe.page_renders(1)
    assert set(pages) == {p.page_id for p in probe.win.pages}
    before = probe.win.index
    assert probe.rotate(3) == {"prepared": 3, "unprepared": 0}  # each made ready before
    assert probe.win.index == (before + 3) % len(probe.win.pages)
    assert not probe.win.cover.isVisible()  # the last turn ran to its end


def test_page_turns_come_from_pictures_and_repaint_the_page_area(probe):
    got = probe.page_turns(1)
    pages = probe.win.pages
    assert set(got["by_page"]) == {p.page_id for p in pages}
    assert all(len(samples) == 1 for samples in got["by_page"].values())
    assert got["prepared"] == len(pages) and got["unprepared"] == 0
    # The turn's frame repaints the page area (the cover) and the footer's page indicator.
    assert 0.5 < got["area"] < 0.95


def test_every_frame_of_a_rotation_is_timed_in_real_time(probe):
    import time

    win = probe.win
    start = time.monotonic()
    win.monotonic = time.monotonic  # real time, the wall clock moving with it
    win.clock = lambda: NOW + timedelta(seconds=time.monotonic() - start)
    got = probe.rotation_frames(6.0)  # the first turn comes 5 s in (LEAD_S + 2)
    assert got["prepared"] == 1 and got["unprepared"] == 0
    assert len(got["frames_ms"]) > 20  # the turn's fade and hand-over frames, the ticks
    assert all(ms > 0 for ms in got["frames_ms"] + got["stalls_ms"])
    assert not win.ticker.timer.isActive()  # left as it was found: stopped
    slowest = got["slowest"]  # the longest stretches, each with what began it and when
    assert len(slowest) == 5 and [s["ms"] for s in slowest] == sorted(
        (s["ms"] for s in slowest), reverse=True
    )
    assert slowest[0]["ms"] == pytest.approx(max(got["frames_ms"] + got["stalls_ms"]), abs=1e-3)
    assert slowest[0]["painted"] == (slowest[0]["ms"] == round(max(got["frames_ms"]), 3))
    assert all(0 <= s["at_s"] <= 7.0 and " to " in s["began_with"] for s in slowest)


def test_a_shift_step_moves_the_scene_and_repaints_a_sliver(probe):
    win = probe.win
    home = win.scene.offset
    got = probe.shift_steps(4)
    assert got is not None and len(got["ms"]) == 4
    assert 0 < got["area"] < 0.05
    assert win.scene.offset == home


def test_the_probe_drives_the_window_through_public_hooks_only():
    """kiosk/bench/probe.py touches no private member of anything but itself (the window's
    hooks: show_index, set_fade, end_fade, rotation_start, clock, monotonic, rotating)."""
    tree = ast.parse((REPO / "kiosk" / "bench" / "probe.py").read_text(encoding="utf-8"))
    private = [
        f"line {node.lineno}: {ast.unparse(node)}"
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and node.attr.startswith("_")
        and not node.attr.startswith("__")
        and not (isinstance(node.value, ast.Name) and node.value.id == "self")
    ]
    assert private == []
