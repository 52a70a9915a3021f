"""The pixel shift on a real window: the whole scene follows the orbit on a fake clock, never
leaves the panel, and a step repaints a sliver of the screen, far less than a page change."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QColor

from kiosk.app import window_setup
from kiosk.bench.probe import Probe
from kiosk.config import load_all
from kiosk.core.pixelshift import cycle_seconds, offset_at, orbit
from kiosk.ui import theme
from kiosk.ui.window import KioskWindow
from tests.conftest import EXAMPLES, track
from tests.ui_data import NOW, station_snapshots
from tests.ui_windows import SIZES


def _window(size, clock, **setup_changes):
    cfg, layout = load_all(EXAMPLES[0])
    setup = replace(window_setup(cfg, layout), **setup_changes)
    win = track(KioskWindow(setup, size, clock, monotonic=lambda: 0.0))
    win.setFixedSize(*size)
    st = cfg.station
    win.apply_snapshots(
        station_snapshots(tuple(st.lines), st.district, st.location.lat, st.location.lon)
    )
    win.rotating = False
    win.show()
    return win


def test_the_scene_follows_a_whole_cycle_on_a_fake_clock(qapp):
    now = [NOW]
    win = _window((960, 540), lambda: now[0])
    margin = win.scene.margin
    assert margin == 4  # the shipped default: display.pixel_shift.pixels
    assert (win.scene.width(), win.scene.height()) == (960 - 8, 540 - 8)
    screen = QRect(0, 0, 960, 540)
    positions = []
    for step in range(len(orbit(4)) + 3):  # a whole cycle and a bit, one tick per 3-min step
        now[0] = NOW + timedelta(seconds=180 * step)
        win.tick()
        want = offset_at(now[0].timestamp(), 4, 180.0)
        assert win.scene.offset == want
        assert win.scene.pos() == QPoint(margin + want.dx, margin + want.dy)
        assert screen.contains(win.scene.geometry())
        positions.append(win.scene.pos())
    # Every offset of the 9x9 square, in orbit order, and round again.
    assert len(set(positions)) == 9 * 9
    start = orbit(4).index(offset_at(NOW.timestamp(), 4, 180.0))
    ring = orbit(4)[start:] + orbit(4)[:start]
    assert positions[: len(ring)] == [QPoint(margin + o.dx, margin + o.dy) for o in ring]
    assert positions[:3] == positions[-3:]
    # Between steps it holds still, tick after tick.
    now[0] += timedelta(seconds=1)
    still = win.scene.pos()
    for _ in range(5):
        now[0] += timedelta(seconds=1)
        win.tick()
        assert win.scene.pos() == still
    assert cycle_seconds(4, 180.0) == 180.0 * len(orbit(4))
    win.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_nothing_leaves_the_panel_at_any_offset(qapp, size):
    win = _window(size, lambda: NOW)
    screen = QRect(0, 0, *size)
    for offset in orbit(win.scene.margin):
        win.scene.shift_to(offset)
        assert win.scene.geometry() == win.scene.rect_at(offset, win.size())
        assert screen.contains(win.scene.geometry())
        for part in (win.header, win.stack, win.footer):
            assert screen.contains(QRect(part.mapTo(win, QPoint(0, 0)), part.size()))
    win.close()


def test_pixels_zero_keeps_the_scene_still_and_full_size(qapp):
    now = [NOW]
    win = _window((960, 540), lambda: now[0], shift_pixels=0)
    for step in range(10):
        now[0] = NOW + timedelta(minutes=3 * step)
        win.tick()
        assert win.scene.geometry() == QRect(0, 0, 960, 540)
    win.close()


def test_a_shift_step_repaints_a_sliver_and_shows_the_same_picture_moved(qapp):
    win = _window((1920, 1080), lambda: NOW)
    probe = Probe(win)
    assert probe.wait_exposed()
    probe.process()
    path = orbit(win.scene.margin)
    i = path.index(win.scene.offset)

    def screen():
        # What the panel shows: the window's backing store, not a fresh render of the widgets.
        return win.screen().grabWindow(win.winId()).toImage()

    areas = []
    before, was = screen(), win.scene.geometry()
    for _ in range(12):  # along a row and round a corner
        i = (i + 1) % len(path)

        def step(to=path[i]):
            win.scene.shift_to(to)
            probe.process()

        areas.append(probe.meter.measure(step))
        shown, now_at = screen(), win.scene.geometry()
        assert now_at != was
        # The scene's pixels are the same picture, one pixel on: Qt copied them right.
        assert shown.copy(now_at) == before.copy(was)
        # What it uncovered is background, not stale pixels of the old position.
        for y in range(0, shown.height(), 7):
            for x in range(shown.width()):
                if not now_at.contains(x, y) and was.contains(x, y):
                    assert shown.pixelColor(x, y) == QColor(theme.BG), (x, y)
        before, was = shown, now_at
    page_change = probe.page_render_area()
    # A page rendered in its frame repaints the whole screen; a shift step the strip it uncovers, about
    # 0.05 % of it (one pixel along two edges), instead of all of it.
    assert page_change > 0.99
    assert max(areas) < 0.005 * page_change
    win.close()
