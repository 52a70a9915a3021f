"""The window on a fake clock: rotation order and timing, the cross-fade, ticking, data flow."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QApplication

from kiosk.core.models import Snapshot
from kiosk.ui.bridge import Bridge
from kiosk.ui.measure import GuiLoop
from kiosk.ui.qtapp import application
from tests.conftest import EXAMPLES
from tests.ui_data import arrival
from tests.ui_windows import FakeClock, station_window


@pytest.fixture(scope="module")
def app():
    return application()


@pytest.fixture
def win_clock(app):
    clock = FakeClock()
    win = station_window(EXAMPLES[0], (1920, 1080))
    win.clock = lambda: clock.now
    win.monotonic = lambda: clock.mono
    win.rotation_start = clock.mono
    win.rotating = True
    win.show_page("arrivals")
    yield win, clock
    win.close()


def test_rotation_follows_layout_order_and_durations(win_clock):
    win, clock = win_clock
    shown = []
    win.page_changed.connect(shown.append)
    changes = []
    for second in range(1, 20 + 20 + 12 + 12 + 20 + 10 + 10 + 21):
        clock.advance(1)
        before = len(shown)
        win.tick()
        if len(shown) > before:
            changes.append(second)
    # layouts/yeouido.yaml: arrivals 20 s, buses 20, air 12, parks 12, arrivals 20, bikes 10,
    # events 10, around.
    assert shown == [
        "buses",
        "air",
        "parks",
        "arrivals-again",
        "bikes",
        "events",
        "arrivals",
        "buses",
    ]
    assert changes == [20, 40, 52, 64, 84, 94, 104, 124]


def test_page_change_starts_a_fade_that_ends_on_the_new_page(win_clock):
    win, clock = win_clock
    clock.advance(20)
    win.tick()
    assert win.current_page().page_id == "buses"
    cover = win.cover
    assert cover.isVisible() and cover.picture is not None and cover.share == 0.0
    win.fade.setCurrentTime(win.fade.duration())
    QApplication.processEvents()
    assert cover.share == 1.0  # the fade has reached the new page
    # Then the new page is handed back to its widgets, a strip per frame.
    assert GuiLoop().wait_for(lambda: not cover.isVisible(), 5.0)
    assert cover.picture is None
    assert win.stack.currentWidget() is win.current_page()


def test_clock_and_countdown_tick_without_new_data(win_clock):
    win, clock = win_clock
    win.rotating = False
    win.apply_snapshot(
        Snapshot("subway", (arrival("1005", "상행", "방화", 185, received=clock.now),), clock.now)
    )
    slot = win.pages[0].cards[0].directions[0].slots[0]
    assert win.header.clock.text() == "08:14" and slot.minutes.text() == "3"
    clock.advance(66)  # 185 - 66 = 119 s left
    win.tick()
    assert win.header.clock.text() == "08:15" and slot.minutes.text() == "1"
    clock.advance(60)  # 59 s left: words, not "0 min"
    win.tick()
    assert not slot.minutes.isVisibleTo(win)
    assert (slot.status.ko.text(), slot.status.en.text()) == ("곧 도착", "Arriving")


def test_stale_data_keeps_last_arrivals_and_shows_age(win_clock):
    win, clock = win_clock
    win.rotating = False
    win.apply_snapshot(
        Snapshot("subway", (arrival("1005", "상행", "방화", 1800, received=clock.now),), clock.now)
    )
    page = win.pages[0]
    clock.advance(300)  # past stale_after (180 s), before unavailable_after (900 s)
    win.tick()
    assert (
        page.notice.isVisibleTo(win)
        and "5분 전" in page.notice.text()
        and "5 min ago" in page.notice.text()
    )
    assert page.cards[0].directions[0].slots[0].minutes.text() == "25"
    item = win.footer.items["subway"]
    assert item.name.text() == "▲ 열차 Trains" and item.age.text() == "5분 전 · 5 min ago"
    assert (
        item.name.fg == item.age.fg != win.footer.items["air"].name.fg
    )  # amber, not the usual grey
    clock.advance(700)  # now unavailable: the distinct no-data card, not old trains
    win.tick()
    assert page.cards[0].no_data.isVisibleTo(win)
    assert not page.cards[0].directions[0].isVisibleTo(win)


def test_snapshots_from_a_worker_thread_arrive_through_the_bridge(win_clock):
    win, clock = win_clock
    bridge = Bridge()
    bridge.connect_snapshot(win.apply_snapshot)
    snap = Snapshot(
        "subway", (arrival("1009", "하행", "중앙보훈병원", 400, received=clock.now),), clock.now
    )
    t = threading.Thread(target=bridge.publish, args=(snap,))
    t.start()
    t.join()
    assert win.snapshots["subway"] is not snap  # not delivered until the GUI loop runs
    QApplication.processEvents()
    assert win.snapshots["subway"] is snap
    slot = win.pages[0].cards[1].directions[1].slots[0]
    assert slot.dest.ko.text() == "중앙보훈병원행" and slot.minutes.text() == "6"


def test_the_footer_shows_parks_and_trails_as_one_entry_with_the_older_age(win_clock):
    win, clock = win_clock
    assert "trails" not in win.footer.items and "bus" in win.footer.items
    assert len(win.footer.items) == 6  # one landscape row, with the buses
    parks = win.snapshots["parks"]
    win.apply_snapshots(
        [
            replace(parks, fetched_at=clock.now - timedelta(hours=1)),
            replace(win.snapshots["trails"], fetched_at=clock.now - timedelta(days=4)),
        ]
    )
    item = win.footer.items["parks"]
    assert item.age.text() == "4일 전 · 4 days ago"  # the trails' age, not the parks'
    assert item.name.text() == "▲ 공원 Parks"  # and the trails' stale state


def test_the_air_figures_are_drawn_at_their_full_size_whatever_they_showed_before(app):
    from kiosk.core.views.air import PollutantTile
    from kiosk.ui import theme
    from kiosk.ui.pages.air import PollutantCard
    from kiosk.ui.theme import Metrics

    m = Metrics(1920, 1080)
    card = PollutantCard(m)  # never laid out: its figure has no width of its own yet
    for value in (7.0, 152.0, 31.0):
        card.show_tile(PollutantTile("미세먼지", "PM10", value, "good", "좋음", "Good"))
        assert card.value.font().pixelSize() == m.px(theme.HERO), value
        assert card.value.text() == f"{value:.0f}"
    card.deleteLater()


def test_new_data_redraws_the_pages_that_show_its_source_and_no_others(win_clock):
    win, clock = win_clock
    redrawn: list[str] = []
    for page in win.pages:
        page.refresh = lambda now, page=page: redrawn.append(page.page_id)  # type: ignore[method-assign]
    old = win.snapshots["air"]
    win.apply_snapshot(replace(old, fetched_at=clock.now))
    assert redrawn == ["air"]
    redrawn.clear()
    win.apply_snapshot(replace(win.snapshots["air_history"], fetched_at=clock.now))
    assert redrawn == ["air"]  # the chart's kept history: the air page draws it too
    redrawn.clear()
    win.apply_snapshot(replace(win.snapshots["subway"], fetched_at=clock.now))
    assert sorted(redrawn) == ["arrivals", "arrivals-again"]
    redrawn.clear()
    # A source going stale changes what its pages say even without new data.
    win.rotating = False
    before = dict(win.states)
    clock.advance(3600)
    win.tick()
    moved = {s for s in win.states if win.states[s] != before.get(s)}
    assert "bikes" in moved
    assert sorted(redrawn) == sorted(p.page_id for p in win.pages if any(p.reads(s) for s in moved))


def test_the_footer_ages_are_worked_out_when_one_can_step_and_always_read_right(
    win_clock, monkeypatch
):
    import kiosk.core.source_states as states_module

    win, clock = win_clock
    win.rotating = False
    calls: list[object] = []
    real = states_module.footer_ages

    def counted(*args, **kwargs):
        calls.append(args[-1])
        return real(*args, **kwargs)

    monkeypatch.setattr(states_module, "footer_ages", counted)
    win.apply_snapshot(replace(win.snapshots["subway"], fetched_at=clock.now))
    item = win.footer.items["subway"]
    assert item.age.text() == "방금 · just now" and len(calls) == 1
    for _ in range(59):  # a minute of ticks: every other source's age steps at most once
        clock.advance(1)
        win.tick()
        assert item.age.text() == "방금 · just now"
    assert len(calls) <= 1 + len(win.footer.items)
    clock.advance(1)
    win.tick()
    assert item.age.text() == "1분 전 · 1 min ago"
    clock.advance(-30)  # the wall clock set back: worked out again, not kept
    win.tick()
    assert item.age.text() == "방금 · just now"
