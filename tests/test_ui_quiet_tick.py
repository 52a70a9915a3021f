"""The quiet tick: a window with nothing moving on its own wakes every second for its listeners
but ticks only at the next moment anything it shows can change, and shows, at every second,
exactly what ticking every second shows."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from kiosk.app import window_setup
from kiosk.config import load_all
from kiosk.core.format import age_text_until, clock_text
from kiosk.core.models import Notice
from kiosk.ui.pages.base import Page
from kiosk.ui.qtapp import application
from kiosk.ui.widgets import Text
from kiosk.ui.window import PAGE_TYPES, KioskWindow
from tests.conftest import EXAMPLES, track
from tests.ui_data import NOW, station_snapshots
from tests.ui_windows import FakeClock

SIZE = (960, 540)


@pytest.fixture(scope="module")
def app():
    return application()


def _window(clock: FakeClock, page_id: str | None = None) -> KioskWindow:
    cfg, layout = load_all(EXAMPLES[0])
    # Thresholds off the minute: a state's change falls between two steps of the ages.
    setup = window_setup(cfg, layout)
    setup = replace(setup, freshness=dict.fromkeys(setup.freshness, (95.5, 400.7)))
    win = track(KioskWindow(setup, SIZE, lambda: clock.now, monotonic=lambda: clock.mono))
    win.setFixedSize(*SIZE)
    st = cfg.station
    # Fetched 17.3 s before the start: the ages step off the second, and within the walk every
    # source goes stale and then unavailable.
    win.apply_snapshots(
        station_snapshots(
            tuple(st.lines),
            st.district,
            st.location.lat,
            st.location.lon,
            now=NOW - timedelta(seconds=17.3),
            ars_ids=tuple(s.ars_id for s in st.bus_stops),
        )
    )
    win.rotating = False
    win.show()
    if page_id is not None:
        win.show_page(page_id)
    win.tick()
    return win


def _screen(win: KioskWindow) -> tuple[object, ...]:
    """What the screen shows: every visible text, the page's view, where the scene sits."""
    slices = getattr(win.current_page(), "slices", None)
    if slices is not None:  # the buses page sets a new screenful a slice per frame, in real time
        slices.flush()
    texts = [t.full_text() for t in win.findChildren(Text) if t.isVisibleTo(win)]
    return (texts, win.current_page().view, win.scene.offset, win.index)


def _page_ids() -> list[str]:
    cfg, layout = load_all(EXAMPLES[0])
    return [p.id for p in layout.pages]


@pytest.mark.parametrize("page_id", _page_ids())
def test_a_quiet_window_shows_every_second_what_ticking_every_second_shows(app, page_id):
    every = FakeClock()
    quiet = FakeClock()
    ref = _window(every, page_id)
    win = _window(quiet, page_id)
    heard = [0]
    win.tick_listeners.append(lambda: heard.__setitem__(0, heard[0] + 1))
    ticks0 = win.ticks
    seconds = 25 * 60  # every source fresh, stale, then unavailable; a pixel-shift step or more
    shifts = set()
    for s in range(1, seconds + 1):
        # The timer wakes a few ms after each second's boundary, as _schedule_next asks.
        for clock in (every, quiet):
            clock.now = NOW + timedelta(seconds=s, milliseconds=3)
            clock.mono = 1000.0 + s
        ref.tick()
        win._on_timer()
        win.timer.stop()
        assert _screen(win) == _screen(ref), f"{page_id} differs {s} s in"
        shifts.add(win.scene.offset)
    assert heard[0] == seconds  # the listeners (the notice spool) still every second
    assert len(shifts) >= 2  # the walk saw the scene move
    full = win.ticks - ticks0
    if win.current_page().kind == "buses":  # sub-pages turn on its own clock: every second
        assert full == seconds
    else:
        assert full <= seconds // 4, f"{page_id}: {full} full ticks in {seconds} s"


def test_a_page_that_ticks_says_when_its_tick_is_next_due():
    # The quiet tick wakes a page only at tick_due: a page with a tick of its own and no
    # tick_due would never be woken for it.
    for cls in PAGE_TYPES.values():
        if cls.tick is not Page.tick:
            assert cls.tick_due is not Page.tick_due, cls.__name__


def _full_ticks(win: KioskWindow, clock: FakeClock, seconds: int) -> int:
    """Full ticks in ``seconds`` wake-ups of the window's timer, a second apart."""
    before = win.ticks
    for _ in range(seconds):
        clock.advance(1)
        win._on_timer()
        win.timer.stop()
    return win.ticks - before


def test_a_rotation_a_notice_or_a_clock_set_back_tick_in_full(app):
    clock = FakeClock()
    win = _window(clock)
    assert _full_ticks(win, clock, 20) <= 8  # quiet: the arrivals page steps now and then
    win.rotating = True  # a rotation: every second, whatever holds
    assert _full_ticks(win, clock, 5) == 5
    win.rotating = False
    win.end_fade()  # a turn the rotation began is over (no event loop runs its fade here)
    win.end_turn()
    win.show_index(0)  # back to arrivals (the rotation went on to buses, which steps each second)
    assert _full_ticks(win, clock, 20) <= 8
    # A notice in force: every second (its banner, its end).
    notice = Notice(
        id="drill",
        level="advisory",
        origin="operator",
        category="",
        text_ko="훈련 중입니다",
        text_en="A drill is on",
        regions=(),
        issued_at=clock.now,
        until=clock.now + timedelta(minutes=5),
        issuer_ko="운영실",
        issuer_en="Station operator",
    )
    win.set_notices([notice])
    assert _full_ticks(win, clock, 5) == 5
    win.set_notices([])
    assert _full_ticks(win, clock, 20) <= 8
    # The wall clock set back an hour: the tick runs at once and the header shows it.
    clock.now -= timedelta(hours=1)
    assert _full_ticks(win, clock, 1) == 1
    assert win.header.clock.full_text() == clock_text(clock.now)


def test_new_data_ticks_at_the_next_second(app):
    clock = FakeClock()
    win = _window(clock)
    _full_ticks(win, clock, 3)
    cfg, _ = load_all(EXAMPLES[0])
    st = cfg.station
    fresh = station_snapshots(
        tuple(st.lines), st.district, st.location.lat, st.location.lon, now=clock.now
    )
    win.apply_snapshots([replace(fresh[0])])
    assert _full_ticks(win, clock, 1) == 1


def test_the_arrivals_page_is_due_by_its_stale_marks_next_age_step(app):
    # The footer's ages step at the same moments (the same fetch times), so the walk above
    # cannot tell this bound from theirs: the page says it itself.
    clock = FakeClock()
    win = _window(clock, "arrivals")
    page = win.current_page()
    for _ in range(200):
        clock.advance(1)
        win.tick()
        if page.notice_shown() is not None:
            break
    assert page.notice_shown() is not None  # stale now, the mark shows the age
    snap = page.snapshots["subway"]
    due = page.tick_due(clock.now)
    assert due is not None
    assert due <= age_text_until(snap.fetched_at, clock.now)
