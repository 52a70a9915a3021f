"""The quiet tick: a window with nothing moving on its own sleeps until the next moment anything
it shows can change, and shows, at every second, exactly what ticking every second shows; new
data, a notice or a page shown wake it at the next second."""

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
from kiosk.ui.ticker import QUIET_MAX_S
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
    ticks0 = win.ticks
    due = quiet.now  # when the quiet window's timer fires next (it sets it itself)
    wakes = 0
    seconds = 25 * 60  # every source fresh, stale, then unavailable; a pixel-shift step or more
    shifts = set()
    for s in range(1, seconds + 1):
        # The reference wakes a few ms after each second's boundary, as a moving screen does;
        # the quiet window only at those its timer's moment is at or before (a timer due a
        # few ms after one counts as that one): what it shows while its timer sleeps must be
        # what the reference shows.
        at = NOW + timedelta(seconds=s, milliseconds=3)
        for clock in (every, quiet):
            clock.now, clock.mono = at, 1000.0 + s + 0.003
        if due <= at + timedelta(milliseconds=10):
            win.ticker.fire()
            wakes += 1
            due = at + timedelta(milliseconds=win.ticker.timer.interval())
            win.ticker.timer.stop()
        ref.tick()
        assert _screen(win) == _screen(ref), f"{page_id} differs {s} s in"
        shifts.add(win.scene.offset)
    assert len(shifts) >= 2  # the walk saw the scene move
    full = win.ticks - ticks0
    if win.current_page().kind == "buses":  # sub-pages turn on its own clock: every second
        assert full >= seconds - 1
    else:
        assert wakes <= seconds // 4, f"{page_id}: woken {wakes} times in {seconds} s"
        assert full <= wakes


def test_a_sleeping_timer_is_woken_for_new_data_a_notice_or_a_page_shown(app):
    clock = FakeClock()
    win = _window(clock, "arrivals")

    def asleep() -> bool:  # the timer set past the next second (QUIET_MAX_S at most)
        win.ticker.fire()
        return 1000 < win.ticker.timer.remainingTime() <= QUIET_MAX_S * 1000

    for _ in range(120):  # a moment with the next change more than a second away
        clock.advance(1)
        if asleep():
            break
    assert win.ticker.timer.isActive() and win.ticker.timer.remainingTime() > 1000
    cfg, _ = load_all(EXAMPLES[0])
    st = cfg.station
    fresh = station_snapshots(
        tuple(st.lines), st.district, st.location.lat, st.location.lon, now=clock.now
    )
    win.apply_snapshots([fresh[0]])
    assert win.ticker.timer.remainingTime() <= 1000  # the next second's tick shows the new data
    for wake in (
        lambda: win.set_notices([]),
        lambda: win.show_page("arrivals"),
    ):
        for _ in range(120):
            clock.advance(1)
            if asleep():
                break
        assert win.ticker.timer.remainingTime() > 1000
        wake()
        assert win.ticker.timer.remainingTime() <= 1000
    win.stop()


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
        win.ticker.fire()
        win.ticker.timer.stop()
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
