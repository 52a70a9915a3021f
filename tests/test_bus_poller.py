"""The bus source through the real Poller on a fake clock, against the TOPIS simulator.

An answer the poller serves from the cache keeps its fetch time, so the buses page's countdown
(the real window, offscreen) goes on running down instead of starting again; a restarted kiosk
shows the stored answer with its true age. The daily limit blocks the key until midnight KST:
no call before, calls again after.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.app import window_setup
from kiosk.config import load_all
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.timeutil import KST
from kiosk.poller.service import Poller
from kiosk.ui.qtapp import application
from kiosk.ui.window import KioskWindow
from tests.bus_cli import OPEN_KEY, SUBWAY_KEY, bus_config, bus_env
from tests.conftest import track
from tests.httpserver import FakeClock, SeoulApi

T0 = datetime(2026, 11, 20, 8, 14, tzinfo=KST)  # a Friday morning


@pytest.fixture(scope="module")
def app():
    return application()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def api(clock: FakeClock) -> Iterator[SeoulApi]:
    with SeoulApi(SUBWAY_KEY, OPEN_KEY, clock.now) as server:
        server.bus.modes["19010"] = "xml"  # 500: 177 s and 1094 s away; 643: 188 s and 584 s
        yield server


def _poller(config: Path) -> Poller:
    cfg, _layout = load_all(config)
    return Poller(cfg, sources=("bus",), env=bus_env())


def _window(config: Path, clock: FakeClock) -> KioskWindow:
    cfg, layout = load_all(config)
    win = track(KioskWindow(window_setup(cfg, layout), (1920, 1080), clock.now, lambda: 0.0))
    win.setFixedSize(1920, 1080)
    win.rotating = False
    win.show()
    return win


def _on_screen(win: KioskWindow, snap: Snapshot) -> dict[str, list[str]]:
    """Each route's two buses as the page shows them: minutes, or the words instead."""
    win.apply_snapshot(snap)
    win.show_page("buses")
    win.tick()
    QApplication.processEvents()
    page = win.current_page()
    shown: dict[str, list[str]] = {}
    for card in page.cards.values():
        for line in card.lines:
            if line.isVisible():
                shown[line.badge.number.text()] = [
                    s.minutes.text() if s.minutes.isVisible() else s.status.ko.text()
                    for s in line.slots
                    if s.isVisible()
                ]
    return shown


def test_a_cached_answer_keeps_counting_down_on_screen(app, api, clock, tmp_path):
    config = bus_config(tmp_path, api, stops=("19010",), cache_expiry={"bus": 600})
    win = _window(config, clock)
    poller = _poller(config)
    try:
        bus = poller.coordinators["bus"]
        fresh = bus.refresh(clock.now())
        assert (fresh.status, fresh.from_cache, fresh.fetched_at) == (FeedStatus.OK, False, T0)
        assert _on_screen(win, fresh) == {"500": ["2", "18"], "643": ["3", "9"]}

        clock.advance(90)
        cached = bus.refresh(clock.now())  # within cache_expiry: the stored answer, no call
        assert api.hits("getStationByUid") == 1
        assert (cached.from_cache, cached.fetched_at) == (True, T0)
        # 87 s, 1004 s, 98 s and 494 s left: the countdown ran on, it did not start again.
        assert _on_screen(win, cached) == {"500": ["1", "16"], "643": ["1", "8"]}
    finally:
        poller.close()

    clock.advance(40)  # the kiosk restarts 130 s after the fetch
    restarted = _poller(config)
    try:
        again = restarted.coordinators["bus"].refresh(clock.now())
        assert api.hits("getStationByUid") == 1
        assert (again.from_cache, again.fetched_at) == (True, T0)
        # 47 s and 58 s left: words, never "0"; the second buses 964 s and 454 s.
        assert _on_screen(win, again) == {"500": ["곧 도착", "16"], "643": ["곧 도착", "7"]}
    finally:
        restarted.close()


def test_the_daily_limit_blocks_the_key_until_midnight_kst_then_calls_resume(
    app, api, clock, tmp_path
):
    api.bus.quota = 1  # one call a day on this key
    clock.t = datetime(2026, 11, 20, 23, 50, tzinfo=KST)
    poller = _poller(bus_config(tmp_path, api, stops=("19010",), cache_expiry={"bus": 0}))
    try:
        bus = poller.coordinators["bus"]
        assert bus.refresh(clock.now()).status is FeedStatus.OK
        clock.advance(300)
        limited = bus.refresh(clock.now())  # 23:55: the day's limit
        assert limited.status is FeedStatus.RATE_LIMITED and limited.items  # last data kept
        assert api.bus.calls == 2
        midnight = datetime(2026, 11, 21, 0, 0, tzinfo=KST)
        assert poller.ledgers["bus"].state(clock.now()).blocked_until == midnight
        assert bus.retry_at == midnight
        clock.t = datetime(2026, 11, 20, 23, 59, 59, tzinfo=KST)
        assert not bus.due(clock.now())
        assert bus.refresh(clock.now()).status is FeedStatus.RATE_LIMITED  # even when forced
        assert api.bus.calls == 2  # no call while blocked
        clock.t = datetime(2026, 11, 21, 0, 0, 5, tzinfo=KST)
        assert bus.due(clock.now())
        snap = bus.refresh(clock.now())
        assert (snap.status, snap.fetched_at) == (FeedStatus.OK, clock.now())
        assert api.bus.calls == 1  # the simulator's new day: its first call
    finally:
        poller.close()
