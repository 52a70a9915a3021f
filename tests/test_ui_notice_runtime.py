"""The running kiosk's Qt side and notices: the alarm and the cross-thread call the notices are
read by (also while the panel is scheduled off and nothing is drawn), and a takeover kept
through a reload."""

from __future__ import annotations

import threading
import time

import pytest

from kiosk.app import window_setup
from kiosk.config import load_all
from kiosk.core.timeutil import now_kst
from kiosk.ops.notice_feed import NoticeFeed
from kiosk.ops.notice_spool import NoticeSpool, write_notice
from kiosk.ops.notice_wake import NoticeWake
from kiosk.ops.notice_watch import NoticeWatch
from kiosk.ui.measure import GuiLoop
from kiosk.ui.qtapp import application
from kiosk.ui.runtime import KioskRuntime
from tests import ui_notices as N
from tests.conftest import EXAMPLES, track
from tests.ui_data import NOW


@pytest.fixture(scope="module")
def app():
    return application()


def _runtime(clock=lambda: NOW) -> KioskRuntime:
    cfg, layout = load_all(EXAMPLES[0])
    cfg = cfg.model_copy(update={"notices": cfg.notices.model_copy(update={"page_seconds": 20.0})})
    rt = KioskRuntime(window_setup(cfg, layout), (1280, 720), True, 0, False, clock)
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
    assert not rt.window.ticker.timer.isActive()  # the window neither ticks nor draws ...
    assert not rt.window.updatesEnabled()
    alarm.start(50)  # ... but a notice's start or end still comes on time
    alarm.start(100)  # set again: moved, not twice
    on_gui: list[bool] = []

    def from_alerts() -> None:
        on_gui.append(threading.current_thread() is threading.main_thread())
        calls.append("alerts")

    worker = threading.Thread(target=lambda: rt.call_soon(from_alerts))
    worker.start()  # the poller's thread after an alert-feed snapshot
    worker.join()
    assert GuiLoop().wait_for(lambda: len(calls) >= 2, 5)
    GuiLoop().run(0.3)
    assert sorted(calls) == ["alarm", "alerts"] and on_gui == [True]  # run on the GUI thread
    rt.set_notices([N.CRITICAL])  # what a critical notice does while asleep
    rt.set_asleep(False)  # the panel is held on: the window wakes with the takeover up
    assert rt.window.updatesEnabled() and rt.window.notice_layer.takeover is not None
    assert rt.window.notice_layer.takeover.isVisible()
    assert rt.window.ticker.timer.isActive()
    rt.window.stop()


def test_a_notice_written_to_the_spool_or_an_alert_from_a_thread_is_on_screen_at_once(
    app, tmp_path
):
    """The wiring the runner makes, in one process: the real runtime's alarm and fd watch, a
    real spool with real inotify, the window's takeover."""
    rt = _runtime(now_kst)
    spool = tmp_path / "notices"
    spool.mkdir()
    feed = NoticeFeed(NoticeSpool(spool), N.RULES)
    watch = NoticeWatch(
        feed,
        show=rt.set_notices,
        record=lambda entry: None,
        page_now=lambda: ("arrivals", []),
        changed=lambda: None,
        panel=lambda: None,
    )
    now = now_kst()
    wake = NoticeWake(watch, now_kst, rt.alarm, rt.watch_fd)
    try:
        wake.check()
        layer = rt.window.notice_layer
        assert layer.notices == ()
        t0 = time.monotonic()
        write_notice(spool, N.operator_notice_at(now, "critical", "1번 출구로 대피하세요"))
        assert GuiLoop().wait_for(lambda: layer.takeover is not None, 2)
        assert time.monotonic() - t0 < 0.5  # the kernel's word, not a timer's
        for p in spool.glob("op-*.json"):
            p.unlink()  # `kiosk notice clear`
        assert GuiLoop().wait_for(lambda: layer.notices == (), 2)

        alert = N.raw_alert(9, "emergency", "호우", "호우경보", now, ("서울특별시 전체",))

        def poller_thread() -> None:  # what Kiosk._publish does with an alerts snapshot
            feed.set_alerts([alert])
            rt.call_soon(wake.check)

        t0 = time.monotonic()
        threading.Thread(target=poller_thread).start()
        assert GuiLoop().wait_for(lambda: [n.id for n in layer.notices] == ["alert-9"], 2)
        assert time.monotonic() - t0 < 0.5
    finally:
        wake.close()
        rt.window.stop()
