"""The bench's probe on a real window (offscreen): what it times is what the app does, and a
fade frame it times really shows both pages blended."""

from __future__ import annotations

import ast
from datetime import datetime

import pytest

from kiosk.app import window_setup
from kiosk.config import load_all
from kiosk.core.timeutil import KST
from tests.conftest import REPO, track
from tests.ui_data import NOW, station_snapshots

pytest.importorskip("PySide6")


@pytest.fixture
def probe(qapp):
    from kiosk.bench.probe import Probe
    from kiosk.ui.window import KioskWindow

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


def _blend_share(win) -> float:
    """Of the pixels where the old and new page differ, the share the screen shows blended."""
    from PySide6.QtCore import QPoint

    shown = win.grab().toImage()
    old = win.overlay.pixmap.toImage()
    new = win.current_page().grab().toImage()
    at = win.stack.mapTo(win, QPoint(0, 0))  # the stack sits in the scene, which may be shifted
    left, top = at.x(), at.y()
    differ = blended = 0
    for y in range(0, old.height(), 7):
        for x in range(0, old.width(), 7):
            o, n = old.pixelColor(x, y), new.pixelColor(x, y)
            if o == n:
                continue
            differ += 1
            c = shown.pixelColor(x + left, y + top)
            if all(
                abs(a - (b + d) / 2) <= 3
                for a, b, d in zip(c.getRgb()[:3], o.getRgb()[:3], n.getRgb()[:3], strict=True)
            ):
                blended += 1
    assert differ > 100
    return blended / differ


def test_a_fade_frame_at_mid_opacity_shows_old_and_new_page_blended(probe):
    win = probe.win
    probe.start_fade()
    probe.process()
    probe.fade_frame(0.5)
    assert win.overlay.isVisible() and win.overlay.under is not None
    assert _blend_share(win) > 0.95
    area = probe.meter.measure(lambda: probe.fade_frame(0.5))
    assert area == pytest.approx(
        win.stack.width() * win.stack.height() / (win.width() * win.height()), rel=0.01
    )
    win.end_fade()
    assert not win.overlay.isVisible() and win.overlay.under is None


def test_new_data_mid_fade_drops_the_cached_page(probe):
    win = probe.win
    probe.start_fade()
    probe.fade_frame(0.5)
    assert win.overlay.under is not None
    win.apply_snapshots(list(win.snapshots.values()))
    assert win.overlay.under is None  # the next frame grabs the page with the new data
    probe.fade_frame(0.4)
    assert win.overlay.under is not None


def test_ticks_repaint_a_small_part_and_page_changes_all_of_it(probe):
    got = probe.ticks(5, 2, datetime(2026, 11, 20, 8, 14, 5, tzinfo=KST))
    assert len(got["second_ms"]) == 5 and len(got["minute_ms"]) == 2
    assert 0 < got["minute_area"] < 0.2  # the clock and a few labels, not the screen
    assert probe.page_change_area() > 0.99
    pages = probe.page_changes(1)
    assert set(pages) == {p.page_id for p in probe.win.pages}
    before = probe.win.index
    probe.rotate(3)
    assert probe.win.index == (before + 3) % len(probe.win.pages)
    assert not probe.win.overlay.isVisible()  # the last fade ran to its end


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
