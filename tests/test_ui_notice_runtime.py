"""The running kiosk's Qt side and notices: the tick hook the notice feed hangs on (also while
the panel is scheduled off and nothing is drawn), and a takeover kept through a reload."""

from __future__ import annotations

import pytest

from kiosk.app import window_setup
from kiosk.config import load_all
from kiosk.ui.measure import GuiLoop
from kiosk.ui.qtapp import application
from kiosk.ui.runtime import KioskRuntime
from tests import ui_notices as N
from tests.conftest import EXAMPLES, track
from tests.ui_data import NOW


@pytest.fixture(scope="module")
def app():
    return application()


def _runtime() -> KioskRuntime:
    cfg, layout = load_all(EXAMPLES[0])
    cfg = cfg.model_copy(update={"notices": cfg.notices.model_copy(update={"page_seconds": 20.0})})
    rt = KioskRuntime(window_setup(cfg, layout), (1280, 720), True, 0, False, lambda: NOW)
    track(rt.window)
    return rt


def test_the_tick_hook_runs_after_the_windows_tick_and_on_through_a_reload(app):
    rt = _runtime()
    calls: list[bool] = []
    rt.on_tick(lambda: calls.append(rt.window.notice_layer.takeover is not None))
    rt.window.tick()
    assert calls == [False]
    rt.set_notices([N.CRITICAL, N.ADVISORY])
    assert rt.window.notice_layer.takeover is not None
    assert rt.window.notice_layer.takeover.isVisible()
    assert rt.window.notice_layer.page_seconds == 20.0  # notices.page_seconds
    old = rt.window
    cfg, layout = load_all(EXAMPLES[0])
    rt.reconfigure(window_setup(cfg, layout))  # SIGHUP: a new window, drawn before the old goes
    track(rt.window)
    assert rt.window is not old
    layer = rt.window.notice_layer
    assert layer.notices == (N.CRITICAL, N.ADVISORY)
    assert layer.takeover is not None and layer.takeover.isVisible()  # no frame without it
    rt.window.tick()
    assert calls == [False, True]
    rt.window.stop()


def test_while_the_panel_sleeps_the_tick_hook_still_runs_once_a_second(app):
    rt = _runtime()
    calls: list[int] = []
    rt.on_tick(lambda: calls.append(1))
    rt.set_asleep(True)
    assert not rt.window.timer.isActive()  # the window neither ticks nor draws ...
    assert not rt.window.updatesEnabled()
    assert GuiLoop().wait_for(lambda: len(calls) >= 2, 5)  # ... but the notices are read
    rt.set_notices([N.CRITICAL])  # what a critical notice does while asleep
    rt.set_asleep(False)  # the panel is held on: the window wakes with the takeover up
    assert rt.window.updatesEnabled() and rt.window.notice_layer.takeover is not None
    assert rt.window.notice_layer.takeover.isVisible()
    n = len(calls)
    assert n >= 3  # the waking tick ran it too
    rt.window.stop()
    GuiLoop().run(1.5)
    assert len(calls) == n  # awake, the runtime's own timer has stopped: one tick a second
