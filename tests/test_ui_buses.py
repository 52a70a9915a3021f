"""The buses page, real widgets offscreen: what a rider sees, how it ticks and pages, no data."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from kiosk.app import demo_snapshots, window_setup
from kiosk.config import load_all
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.views.buses import StopSpec
from kiosk.ui.measure import GuiLoop
from kiosk.ui.qtapp import application
from kiosk.ui.widgets import Text
from kiosk.ui.window import KioskWindow
from tests.conftest import EXAMPLES, track
from tests.ui_data import NOW, failed, station_snapshots
from tests.ui_windows import SIZES


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture(scope="module")
def app():
    return application()


def _window(size, snaps=None, config=EXAMPLES[0], clock=None, setup_changes=None):
    cfg, layout = load_all(config)
    setup = window_setup(cfg, layout)
    if setup_changes:
        setup = replace(setup, **setup_changes)
    clock = clock or Clock()
    win = track(KioskWindow(setup, size, lambda: clock.now, monotonic=lambda: 0.0))
    win.setFixedSize(*size)
    st = cfg.station
    if snaps is None:
        ars = tuple(s.ars_id for s in st.bus_stops)
        snaps = station_snapshots(
            tuple(st.lines), st.district, st.location.lat, st.location.lon, clock.now, ars
        )
    win.apply_snapshots(snaps)
    win.rotating = False
    win.show()
    win.show_page("buses")
    QApplication.processEvents()
    return win, win.current_page()


def _lines(page):
    return [line for card in page.cards.values() for line in card.lines if line.isVisible()]


def _shown(page) -> list[str]:
    return [t.text() for t in page.findChildren(Text) if t.isVisible() and t.text()]


def test_routes_by_soonest_with_their_colour_type_marks_and_words(app):
    win, page = _window((1920, 1080))
    lines = _lines(page)
    # 7611's first bus has no time, only "4 stops": ranked as about 2 min a stop.
    assert [line.badge.number.text() for line in lines] == [
        "9202하남",
        "5615",
        "마포16",
        "01A",
        "7611",
    ]
    first = lines[0]
    assert first.badge.bg == "#A9B4C2" and first.badge.kind.text() == "경기 Gyeonggi"
    assert lines[1].badge.bg == "#53B332" and lines[1].badge.kind.text() == "지선 Branch"
    assert (first.direction.ko.text(), first.direction.en.text()) == (
        "상산곡동 방면",
        "to Sangsangok-dong",
    )
    arriving, ended = first.slots
    assert not arriving.minutes.isVisible()
    assert (arriving.status.ko.text(), arriving.status.en.text()) == ("곧 도착", "Arriving")
    assert (ended.status.ko.text(), ended.status.en.text()) == ("운행종료", "Service ended")
    assert (ended.info.ko.text(), ended.info.en.text()) == ("첫차 04:00", "First bus 04:00")
    soon, later = lines[1].slots
    # Fetched 30 s ago: 130 s -> 1 min 40 s, 700 s -> 11 min 10 s.
    assert (soon.minutes.text(), later.minutes.text()) == ("1", "11")
    assert (soon.info.ko.text(), soon.info.en.text()) == ("1번째 전 · 여유", "1 stop · Not busy")
    assert soon.marks() == ["저상"]  # beside the text, "저상" over "Low floor"
    assert later.marks() == ["저상 Low floor", "막차 Last bus"]  # both: stacked one-line tags
    assert (later.info.ko.text(), later.info.en.text()) == (
        "6번째 전 · 매우혼잡",
        "6 stops · Packed",
    )
    assert lines[3].slots[0].info.ko.text() == "3번째 전 · 만차"
    assert "0" not in [
        s.minutes.text() for line in lines for s in line.slots if s.minutes.isVisible()
    ]
    header = next(iter(page.cards.values())).where
    assert (header.ko.text(), header.en.text()) == (
        "정류소 19007 · 노선 1–5 / 12",
        "Stop 19007 · routes 1–5 of 12",
    )
    win.close()


def test_minutes_tick_each_second_from_when_the_body_was_fetched(app):
    clock = Clock()
    cfg, layout = load_all(EXAMPLES[0])
    pages = window_setup(cfg, layout).pages  # the page stays on its first screenful here
    long = tuple(replace(p, duration=600.0) if p.kind == "buses" else p for p in pages)
    win, page = _window((1920, 1080), clock=clock, setup_changes={"pages": long})

    def first_bus():  # 5615: 130 s at the fetch, fetched 30 s before NOW
        return next(ln for ln in _lines(page) if ln.badge.number.text() == "5615").slots[0]

    assert first_bus().minutes.text() == "1"
    clock.advance(39)  # 61 s left
    win.tick()
    assert first_bus().minutes.isVisible() and first_bus().minutes.text() == "1"
    clock.advance(2)  # 59 s left: words, not "0"
    win.tick()
    assert not first_bus().minutes.isVisible() and first_bus().status.ko.text() == "곧 도착"
    win.close()


def test_a_cached_answer_keeps_counting_down(app):
    clock = Clock()
    old = [
        replace(s, fetched_at=NOW - timedelta(minutes=3), from_cache=True)
        if s.source == "bus"
        else s
        for s in station_snapshots(("1005", "1009"), "영등포구", 37.52, 126.92, NOW, ("19007",))
    ]
    win, page = _window((1920, 1080), old, clock=clock)
    lines = {line.badge.number.text(): line for line in _lines(page)}
    # 9707: 900 s when fetched three minutes ago -> 12 min, not 15.
    assert lines["9707"].slots[0].minutes.text() == "12"
    assert not page.notice.isVisible()  # 3 min: still fresh (stale after 5)
    win.close()


def test_many_routes_turn_pages_on_the_page_clock_and_start_over_next_time(app):
    clock = Clock()
    win, page = _window((1920, 1080), clock=clock)
    header = next(iter(page.cards.values())).where.ko
    seen = [header.text()]
    for _ in range(3):
        clock.advance(20 / 3)  # the layout gives the page 20 s: three screenfuls
        win.tick()
        seen.append(header.text())
    assert seen == [
        "정류소 19007 · 노선 1–5 / 12",
        "정류소 19007 · 노선 6–10 / 12",
        "정류소 19007 · 노선 11–12 / 12",
        "정류소 19007 · 노선 1–5 / 12",
    ]
    clock.advance(20 / 3)
    win.tick()
    win.show_page("air")
    win.show_page("buses")  # a new time on screen: the first routes again
    assert header.text() == "정류소 19007 · 노선 1–5 / 12"
    win.close()


def test_no_data_and_night_say_why_on_the_stop_s_card(app):
    win, page = _window((1920, 1080), [failed("bus")])
    card = next(iter(page.cards.values()))
    assert card.no_data.isVisible() and not _lines(page)
    assert card.no_data.detail.text() == "수신 안 됨 · Not received"
    night = Snapshot("bus", (), NOW, FeedStatus.EMPTY)
    win.apply_snapshot(night)
    QApplication.processEvents()
    assert card.no_data.detail.text() == "운행 중인 버스 없음 · No buses running now"
    limited = Snapshot("bus", (), NOW - timedelta(hours=2), FeedStatus.RATE_LIMITED, "quota")
    win.apply_snapshot(limited)
    assert card.no_data.detail.text() == "호출 한도 초과 · API limit reached"
    win.close()


def test_a_station_without_bus_stops_says_so(app):
    win, page = _window((1920, 1080), setup_changes={"bus_stops": ()})
    assert page.no_stops.isVisible() and not page.cards
    assert "설정된 정류소 없음" in _shown(page) and "station.bus_stops" in _shown(page)
    win.close()


@pytest.mark.parametrize("config", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_nothing_on_the_page_is_cut_or_shrunk_with_the_demo_data(app, config, size):
    cfg, layout = load_all(config)
    win, page = _window(size, demo_snapshots(cfg, layout, NOW), config=config)
    assert page.view is not None and page.view.pages >= 3
    for index in range(page.view.pages):
        page._shown_at = NOW - timedelta(seconds=index * 20 / page.view.pages + 0.1)
        page.refresh(NOW)
        QApplication.processEvents()
        assert page.view.page == index
        cut = [
            t.full_text()
            for t in page.findChildren(Text)
            if t.isVisible() and t.text() != t.full_text()
        ]
        assert cut == [], (index, cut)
    win.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_snapshots_of_data_many_routes_and_night_look_like_a_display(app, size, tmp_path: Path):
    states = {
        "data": None,
        "night": [Snapshot("bus", (), NOW, FeedStatus.EMPTY)],
        "nodata": [failed("bus")],
    }
    for name, snaps in states.items():
        win, page = _window(size, snaps)
        if name == "data":  # and the last screenful of the twelve routes
            for i, when in enumerate((0.0, 14.0)):
                page._shown_at = NOW - timedelta(seconds=when)
                page.refresh(NOW)
                QApplication.processEvents()
                path = tmp_path / f"buses-{name}-{i}-{size[0]}x{size[1]}.png"
                assert win.grab().save(str(path))
        else:
            path = tmp_path / f"buses-{name}-{size[0]}x{size[1]}.png"
            assert win.grab().save(str(path))
        win.close()
    for png in tmp_path.glob("*.png"):
        img = QImage(str(png))
        assert (img.width(), img.height()) == size
        colours = {img.pixel(x, y) for x in range(0, size[0], 37) for y in range(0, size[1], 37)}
        assert len(colours) > 8, f"{png.name} looks blank"


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_full_screenful_of_routes_reaches_the_footer(app, size):
    from PySide6.QtCore import QPoint

    cfg, layout = load_all(EXAMPLES[0])
    win, page = _window(size, demo_snapshots(cfg, layout, NOW))
    lines = _lines(page)
    assert len(lines) == page.rows_per_page  # a full screenful
    last = lines[-1]
    gap = page.area.height() - last.mapTo(page.area, QPoint(0, last.height())).y()
    # The spare height goes to the rows (each a little taller), not to a band under the last.
    assert 0 <= gap <= last.minimumSizeHint().height() // 8, (gap, last.height())
    assert last.height() > last.minimumSizeHint().height()
    win.close()


def test_a_stop_known_only_by_its_number_does_not_show_it_twice(app):
    night = Snapshot("bus", (), NOW, FeedStatus.EMPTY)
    win, page = _window((1920, 1080), [night], setup_changes={"bus_stops": (StopSpec("19008"),)})
    card = page.cards["19008"]
    assert (card.name.ko.text(), card.name.en.text()) == ("정류소 19008", "Stop 19008")
    assert (card.where.ko.text(), card.where.en.text()) == ("", "")
    win.close()


def test_a_new_screenful_is_set_a_slice_per_frame_and_keeps_the_rows_in_place(app):
    clock = Clock()
    win, page = _window((1920, 1080), clock=clock)
    page.slices.slice_ms = 0.0  # one step per slice: every line waits for a frame of its own
    card = next(iter(page.cards.values()))
    lines = [ln for ln in card.lines if ln.isVisible()]
    heights = [ln.height() for ln in lines]
    first_route = lines[0].badge.number.text()
    last_route = lines[-1].badge.number.text()
    clock.advance(20 / 3)
    win.tick()  # the header now, the route lines a frame apart after it
    assert card.where.ko.text() == "정류소 19007 · 노선 6–10 / 12"
    assert lines[-1].badge.number.text() == last_route and page.slices.pending
    assert GuiLoop().wait_for(lambda: not page.slices.pending, 2.0)
    assert lines[0].badge.number.text() != first_route
    assert lines[-1].badge.number.text() != last_route
    clock.advance(20 / 3)
    win.tick()  # 11-12 of 12: two lines; the others blank, every row where it was
    GuiLoop().wait_for(lambda: not page.slices.pending, 2.0)
    QApplication.processEvents()
    assert [ln.isVisible() for ln in lines] == [True, True] + [False] * (len(lines) - 2)
    assert [ln.height() for ln in lines[:2]] == heights[:2]
    clock.advance(20 / 3)
    win.tick()
    win.show_page("air")  # leaving the screen: whatever was still to be set is set now
    assert not page.slices.pending
    assert card.where.ko.text() == "정류소 19007 · 노선 1–5 / 12"
    assert lines[-1].isVisibleTo(card) and lines[-1].badge.number.text() == last_route
    win.close()


def test_a_refresh_to_the_view_on_screen_sets_nothing_and_a_new_view_is_shown_whole(app):
    win, page = _window((1920, 1080))
    page.refresh(NOW)
    QApplication.processEvents()
    shown = []
    real_show = page._show
    page._show = lambda view, now, sliced=False: (shown.append(view), real_show(view, now, sliced))
    before = [t.full_text() for t in page.findChildren(Text) if t.isVisibleTo(page)]
    page.refresh(NOW)  # what a turn does to the page it made ready for that moment
    assert shown == []
    assert [t.full_text() for t in page.findChildren(Text) if t.isVisibleTo(page)] == before
    # The next screenful of routes (the sub-page's clock has moved on): shown, whole, at once.
    page._shown_at = NOW - timedelta(seconds=page.ctx.duration / 2 + 0.1)
    page.refresh(NOW)
    assert len(shown) == 1 and shown[0] == page.view and page.view.page == 1
    assert page.slices.pending == 0
    after = [t.full_text() for t in page.findChildren(Text) if t.isVisibleTo(page)]
    assert after != before
    # Steps still queued from a sliced show are not skipped: the refresh makes the page whole.
    page.slices.slice_ms = 0.0  # one step a slice: the rest stays queued
    page.tick(NOW + timedelta(seconds=page.ctx.duration))  # back to the first screenful, sliced
    assert page.slices.pending > 0
    page.refresh(NOW + timedelta(seconds=page.ctx.duration))
    assert page.slices.pending == 0 and len(shown) == 3
    win.close()
