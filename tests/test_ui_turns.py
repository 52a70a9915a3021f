"""Page turns (kiosk/ui/turns.py, kiosk/ui/cover.py) on real windows, offscreen: the next page
made ready before its turn is drawn exactly as the live page shows it, and a turn goes from what
is on screen to the new page through the blend, then hands the page back to its widgets."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from kiosk.core.models import Snapshot
from kiosk.ui.measure import GuiLoop
from kiosk.ui.qtapp import application
from kiosk.ui.turns import HOLD_S, LEAD_S
from tests.conftest import EXAMPLES
from tests.ui_data import arrival
from tests.ui_windows import SIZES, FakeClock, station_window


@pytest.fixture(scope="module")
def app():
    return application()


def _rotating(size: tuple[int, int]):
    clock = FakeClock()
    win = station_window(EXAMPLES[0], size)
    win.clock = lambda: clock.now
    win.monotonic = lambda: clock.mono
    win.rotation_start = clock.mono
    win.rotating = True
    win.show_page("arrivals")
    win.finish_building()
    assert win.settle(60)  # the chart's picture, drawn out of process
    assert GuiLoop().wait_exposed(win)
    QApplication.processEvents()
    return win, clock


def _screen(win) -> QImage:
    """The stack's area of the window's backing store: what is on screen."""
    device = win.backingStore().paintDevice()
    assert isinstance(device, QImage)
    return device.copy(QRect(win.stack.mapTo(win, QPoint(0, 0)), win.stack.size()))


def _live(page) -> QImage:
    return page.grab().toImage().convertToFormat(QImage.Format.Format_RGB32)


def _to_turn(win, clock, index: int) -> None:
    """Move the clocks to ``LEAD_S`` before page ``index``'s turn and tick (it is made ready)."""
    durations = [p.duration for p in win.setup.pages]
    due = win.rotation_start + sum(durations[:index])
    clock.advance(due - LEAD_S + 0.5 - clock.mono)
    win.tick()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_made_ready_before_its_turn_is_drawn_as_the_live_page_shows(app, size):
    win, clock = _rotating(size)
    try:
        for index in range(1, len(win.pages)):
            _to_turn(win, clock, index)
            assert win.turner.prepared_for(index)
            assert win.turner.make_ready()
            picture = win.turner.prepared.picture.image.copy()
            page = win.pages[index]
            win.rotating = False
            win.show_index(index)  # the live page, shown at once
            QApplication.processEvents()
            assert _live(page) == picture, page.page_id
            win.rotating = True
            win.rotation_start = clock.mono - sum(p.duration for p in win.setup.pages[:index])
    finally:
        win.close()


def test_a_turn_blends_from_the_screen_to_the_new_page_then_hands_it_back(app):
    win, clock = _rotating((1280, 720))
    try:
        _to_turn(win, clock, 1)
        assert win.turner.make_ready()
        picture = win.turner.prepared.picture.image.copy()
        QApplication.processEvents()
        before = _screen(win)
        clock.advance(LEAD_S)
        win.tick()  # the turn
        assert win.current_page().page_id == "buses" and win.cover.isVisible()
        assert win.turner.counts.prepared == 1 and win.turner.counts.unprepared == 0
        win.fade.pause()  # the test sets the frames itself
        QApplication.processEvents()
        assert _screen(win) == before  # the turn's first frame is what was on screen
        win.set_fade(0.5)
        QApplication.processEvents()
        mid = _screen(win)
        # Where the pages differ, the screen shows them half and half (8-bit rounding aside).
        differ = blended = 0
        for y in range(0, mid.height(), 9):
            for x in range(0, mid.width(), 9):
                o, n, c = before.pixelColor(x, y), picture.pixelColor(x, y), mid.pixelColor(x, y)
                if o == n:
                    continue
                differ += 1
                pairs = zip(c.getRgb()[:3], o.getRgb()[:3], n.getRgb()[:3], strict=True)
                blended += all(abs(a - (b + d) / 2) <= 3 for a, b, d in pairs)
        assert differ > 200 and blended / differ > 0.97
        win.end_fade()
        QApplication.processEvents()
        assert _screen(win) == picture  # the fade ends exactly on the picture
        assert GuiLoop().wait_for(lambda: not win.cover.isVisible(), 5.0)
        QApplication.processEvents()
        assert _screen(win) == _live(win.current_page()) == picture  # handed back, unchanged
        assert win.cover.picture is None and win.turner.prepared is None
    finally:
        win.close()


def test_new_data_after_the_page_was_made_ready_is_what_its_turn_shows(app):
    win, clock = _rotating((1280, 720))
    try:
        win.show_index(3)  # parks, with arrivals-again (its trains) next
        _to_turn(win, clock, 4)
        assert win.turner.prepared_for(4) and win.turner.make_ready()
        old = win.turner.prepared.picture.image.copy()
        win.apply_snapshot(
            Snapshot(
                "subway",
                (arrival("1005", "상행", "방화", 900, received=clock.now),),
                clock.now,
            )
        )
        assert win.turner.make_ready()  # laid out and drawn again, as of its turn
        fresh = win.turner.prepared.picture.image.copy()
        assert fresh != old
        clock.advance(LEAD_S)
        win.tick()
        assert win.turner.counts.prepared == 1
        assert win.cover.picture == fresh
    finally:
        win.close()


def _turn_after_fresh_trains(win, clock) -> None:
    """From parks, the turn to arrivals-again (its trains) with new trains just before it: the
    page was made ready, and its picture is being drawn again at its turn."""
    win.show_index(3)
    _to_turn(win, clock, 4)
    assert win.turner.make_ready()
    win.apply_snapshot(
        Snapshot("subway", (arrival("1005", "상행", "방화", 900, received=clock.now),), clock.now)
    )
    clock.advance(LEAD_S)
    win.tick()


def test_a_turn_due_while_new_data_redraws_its_page_waits_for_the_picture(app):
    win, clock = _rotating((1280, 720))
    try:
        _turn_after_fresh_trains(win, clock)
        assert win.current_page().page_id == "parks"  # held back, no slow frame
        assert win.turner.counts.unprepared == 0
        assert GuiLoop().wait_for(lambda: win.current_page().page_id == "arrivals-again", 5.0)
        assert win.turner.counts.prepared == 1 and win.turner.counts.unprepared == 0
        assert win.cover.picture == _live(win.current_page())  # the new data, drawn before
    finally:
        win.close()


def test_a_turn_is_held_back_for_its_picture_no_longer_than_hold_s(app):
    win, clock = _rotating((1280, 720))
    try:
        _turn_after_fresh_trains(win, clock)
        assert win.current_page().page_id == "parks"
        clock.advance(HOLD_S)  # the steps did not run meanwhile (no event loop)
        win.tick()
        assert win.current_page().page_id == "arrivals-again"
        assert win.turner.counts.unprepared == 1 and win.cover.isVisible()
    finally:
        win.close()


def test_a_page_not_ready_at_its_turn_is_drawn_there_and_then(app):
    win, clock = _rotating((1280, 720))
    try:
        clock.advance(20)  # straight to the turn: no tick in the lead time
        win.tick()
        assert win.current_page().page_id == "buses" and win.cover.isVisible()
        assert win.turner.counts.unprepared == 1
        win.end_fade()
        assert GuiLoop().wait_for(lambda: not win.cover.isVisible(), 5.0)
        QApplication.processEvents()
        assert _screen(win) == _live(win.current_page())
    finally:
        win.close()


def test_without_a_fade_a_ready_page_is_a_cut_then_handed_back(app):
    from dataclasses import replace

    win, clock = _rotating((1280, 720))
    try:
        win.setup = replace(win.setup, transition_ms=0)
        _to_turn(win, clock, 1)
        assert win.turner.make_ready()
        picture = win.turner.prepared.picture.image.copy()
        clock.advance(LEAD_S)
        win.tick()
        QApplication.processEvents()
        assert _screen(win) == picture  # at once: no fade
        assert GuiLoop().wait_for(lambda: not win.cover.isVisible(), 5.0)
        assert win.fade.state() != win.fade.State.Running
    finally:
        win.close()


def test_the_lead_time_is_counted_in_the_rotation_clock(app):
    win, clock = _rotating((1280, 720))
    try:
        clock.advance(20 - LEAD_S - 0.5)
        win.tick()
        assert win.turner.prepared is None  # 3.5 s to go: not yet
        clock.advance(1)
        win.tick()
        assert win.turner.prepared_for(1)  # 2.5 s to go
        win.rotating = False
        clock.advance(1)
        win.tick()
        assert win.turner.prepared is None  # the rotation stopped: nothing is made ready
    finally:
        win.close()
