"""The running kiosk's Qt side and notices: the alarm and the cross-thread call the notices are
read by (also while the panel is scheduled off and nothing is drawn), and a takeover kept
through a reload."""

from __future__ import annotations

import threading

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


def test_a_takeover_stays_up_through_a_reload(app):
    rt = _runtime()
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
    rt.window.stop()


def test_while_the_panel_sleeps_the_notice_alarm_and_calls_from_threads_still_run(app):
    rt = _runtime()
    calls: list[str] = []
    alarm = rt.alarm(lambda: calls.append("alarm"))
    rt.set_asleep(True)
    assert not rt.window.timer.isActive()  # the window neither ticks nor draws ...
    assert not rt.window.updatesEnabled()
    alarm.start(50)  # ... but a notice's start or end still comes on time
    alarm.start(100)  # set again: moved, not twice
    worker = threading.Thread(target=lambda: rt.call_soon(lambda: calls.append("alerts")))
    worker.start()  # the poller's thread after an alert-feed snapshot
    worker.join()
    assert GuiLoop().wait_for(lambda: len(calls) >= 2, 5)
    GuiLoop().run(0.3)
    assert sorted(calls) == ["alarm", "alerts"]
    rt.set_notices([N.CRITICAL])  # what a critical notice does while asleep
    rt.set_asleep(False)  # the panel is held on: the window wakes with the takeover up
    assert rt.window.updatesEnabled() and rt.window.notice_layer.takeover is not None
    assert rt.window.notice_layer.takeover.isVisible()
    assert rt.window.timer.isActive()
    rt.window.stop()
