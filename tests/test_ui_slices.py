"""Work spread over frames (kiosk/ui/slices.py), with Qt's real timer and event loop."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import QAbstractEventDispatcher

from kiosk.ui.measure import GuiLoop
from kiosk.ui.qtapp import application
from kiosk.ui.slices import FrameSlices


@pytest.fixture(scope="module")
def app():
    return application()


def _busy(ms: float, log: list[int], i: int):
    def step() -> None:
        end = time.perf_counter() + ms / 1000.0
        while time.perf_counter() < end:
            pass
        log.append(i)

    return step


def test_a_slice_runs_steps_until_its_budget_then_the_rest_follow_a_frame_apart(app):
    log: list[int] = []
    slices = FrameSlices(slice_ms=5.0)
    slices.run([_busy(2.0, log, i) for i in range(6)])
    # 2 + 2 < 5, the third takes it over: the first slice ends there (or sooner, on a
    # machine that took the core away meanwhile), never after all six.
    assert log in ([0], [0, 1], [0, 1, 2]) and slices.pending == 6 - len(log)
    first = len(log)
    waits: list[int] = []  # the event loop's waits (a frame can go out in each)
    dispatcher = QAbstractEventDispatcher.instance()
    assert dispatcher is not None

    def waited() -> None:
        waits.append(len(log))

    dispatcher.aboutToBlock.connect(waited)
    try:
        GuiLoop().wait_for(lambda: not slices.pending, 2.0)
    finally:
        dispatcher.aboutToBlock.disconnect(waited)
    assert log == list(range(6)) and slices.slices >= 2
    # The rest ran after the loop had waited: the first slice did not hold them in its stretch.
    assert waits and waits[0] == first


def test_a_step_longer_than_the_budget_still_runs_one_per_slice(app):
    log: list[int] = []
    slices = FrameSlices(slice_ms=0.0)
    slices.run([_busy(0.1, log, i) for i in range(3)])
    assert log == [0]
    GuiLoop().wait_for(lambda: not slices.pending, 2.0)
    assert log == [0, 1, 2] and slices.slices == 3


def test_run_replaces_what_was_queued_and_flush_runs_it_all_now(app):
    log: list[int] = []
    slices = FrameSlices(slice_ms=0.0)
    slices.run([_busy(0.0, log, i) for i in range(3)])
    slices.run([_busy(0.0, log, i) for i in (10, 11, 12)])  # a newer change: the old is moot
    assert log == [0, 10]
    slices.flush()
    assert log == [0, 10, 11, 12] and not slices.pending
    slices.run([_busy(0.0, log, i) for i in (20, 21)], sliced=False)
    assert log[-2:] == [20, 21] and not slices.pending
