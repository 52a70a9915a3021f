"""Legibility from ten metres: every visible text on every page, at every supported size.

At 3840x2160 no text is smaller than 2.5 % of the screen height, primary figures (minutes to
the next train, PM values) are at least 6 %, and every text has a contrast ratio of at least
4.5:1 against what is painted behind it. Every page also lays out within 1920x1080 and portrait
2160x3840 without anything pushed off screen, and Korean renders with a real Korean font.
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QFontMetrics, QRawFont
from PySide6.QtWidgets import QApplication

from kiosk.config import load_all
from kiosk.core.format import contrast_ratio
from kiosk.core.pixelshift import orbit
from kiosk.ui.chrome import DEMO_MARK, DEMO_NOTE
from kiosk.ui.qr import QrCode
from kiosk.ui.qtapp import application
from kiosk.ui.widgets import Text, background_of
from tests.conftest import EXAMPLES, REPO
from tests.ui_data import NOW, failed
from tests.ui_windows import SIZES, station_window


def _visible_texts(win):
    return [t for t in win.findChildren(Text) if t.isVisibleTo(win) and t.text().strip()]


@pytest.fixture(scope="module")
def app():
    return application()


@pytest.mark.parametrize("config", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("state", ["data", "no_data"])
def test_every_label_is_big_and_contrasty_at_4k(app, config, state):
    sources = ("subway", "air", "parks", "trails", "bus")
    snaps = None if state == "data" else [failed(s) for s in sources]
    win = station_window(config, (3840, 2160), snaps)
    checked = 0
    for page in win.pages:
        win.show_page(page.page_id)
        QApplication.processEvents()
        texts = _visible_texts(win)
        # The shipped configs run on demo data: the walk covers the demo mark on every page.
        assert {DEMO_MARK, DEMO_NOTE} <= {t.text() for t in texts}, page.page_id
        for t in texts:
            px = t.font().pixelSize()
            assert px >= 0.025 * 2160, f"{page.page_id}: {t.text()!r} is {px}px"
            bg = background_of(t)
            ratio = contrast_ratio(t.fg, bg)
            assert ratio >= 4.5, f"{page.page_id}: {t.text()!r} {t.fg} on {bg} = {ratio:.2f}"
            checked += 1
    assert checked > 30
    win.close()


def test_primary_figures_are_at_least_six_percent(app):
    win = station_window(EXAMPLES[0], (3840, 2160))
    win.show_page("arrivals")
    QApplication.processEvents()
    minutes = [
        s.minutes
        for c in win.pages[0].cards
        for d in c.directions
        for s in d.slots
        if s.minutes.isVisibleTo(win)
    ]
    assert minutes, "no countdown figure on screen"
    assert all(m.font().pixelSize() >= 0.06 * 2160 for m in minutes)
    win.show_page("air")
    QApplication.processEvents()
    air = win.current_page()
    for card in (air.pm10, air.pm25):
        assert card.value.isVisibleTo(win) and card.value.font().pixelSize() >= 0.06 * 2160
    assert air.pm10.value.text() == "48" and air.pm25.value.text() == "41"
    win.show_page("buses")
    QApplication.processEvents()
    buses = [
        s.minutes
        for card in win.current_page().cards.values()
        for line in card.lines
        for s in line.slots
        if s.minutes.isVisibleTo(win)
    ]
    assert len(buses) >= 4, "no bus countdown on screen"
    assert all(m.font().pixelSize() >= 0.06 * 2160 for m in buses)
    win.close()


def _demo(config):
    from kiosk.app import demo_snapshots

    cfg, layout = load_all(config)
    return demo_snapshots(cfg, layout, NOW)


@pytest.mark.parametrize("config", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("data", ["synthetic", "demo"])
def test_pages_fit_without_clipping(app, config, size, data):
    win = station_window(config, size, _demo(config) if data == "demo" else None)
    screen = QRect(0, 0, *size)
    codes = 0
    for page in win.pages:
        win.show_page(page.page_id)
        QApplication.processEvents()
        # The scene (header, page, footer) is laid out inside the margin the pixel shift
        # moves it in: it needs no more than the scene's size.
        need = win.scene.layout().minimumSize()
        assert need.width() <= win.scene.width() and need.height() <= win.scene.height(), (
            page.page_id,
            need.toTuple(),
        )
        shown = [*_visible_texts(win), *_visible_codes(win)]
        codes += sum(isinstance(w, QrCode) for w in shown)
        for t in shown:
            if isinstance(t, Text):  # its shown text fits its own box
                assert QFontMetrics(t.font()).horizontalAdvance(t.text()) <= t.width() + 1, t.text()
        # Every label and code is inside the panel at every offset of the pixel shift's cycle.
        in_scene = [QRect(w.mapTo(win.scene, QPoint(0, 0)), w.size()) for w in shown]
        # (Where the scene goes at each offset is rect_at: test_ui_pixelshift checks the scene
        # really goes there.)
        for offset in orbit(win.scene.margin):
            at = win.scene.rect_at(offset, win.size()).topLeft()
            for w, r in zip(shown, in_scene, strict=True):
                assert screen.contains(r.translated(at)), (page.page_id, offset, w)
    # The shipped layouts carry codes on some pages: the walk covered them.
    assert codes >= 2
    win.close()


def _visible_codes(win):
    return [c for c in win.findChildren(QrCode) if c.isVisibleTo(win)]


def test_korean_renders_with_a_real_korean_font(app):
    win = station_window(EXAMPLES[0], (1920, 1080))
    font = win.header.name.ko.font()
    raw = QRawFont.fromFont(font)
    assert "Nanum" in raw.familyName()
    for ch in "여의도열차도착정보미세먼지초가까운공원산책로":
        assert raw.supportsCharacter(ord(ch)), ch
    for t in _visible_texts(win):
        raw = QRawFont.fromFont(t.font())
        missing = [c for c in t.text() if not c.isspace() and not raw.supportsCharacter(ord(c))]
        assert not missing, (t.text(), missing)
    win.close()


def test_assets_font_licence_ships_with_the_font():
    fonts = REPO / "assets" / "fonts"
    assert {"NanumSquareR.ttf", "NanumSquareB.ttf"} <= {p.name for p in fonts.iterdir()}
    assert (
        "SIL Open Font License" in (fonts / "OFL.txt").read_text()
        or "OPEN FONT LICENSE" in (fonts / "OFL.txt").read_text()
    )


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_footer_ages_are_never_cut(app, size):
    from dataclasses import replace
    from datetime import timedelta

    from kiosk.ui.chrome import LONGEST_AGES

    win = station_window(EXAMPLES[0], size)
    old = [
        replace(s, fetched_at=NOW - timedelta(minutes=59, seconds=30))
        for s in win.snapshots.values()
    ]
    win.apply_snapshots(old)
    QApplication.processEvents()
    for item in win.footer.items.values():
        assert item.age.text() == item.age.full_text() == "59분 전 · 59 min ago"
        assert item.name.text() == item.name.full_text()
    fm = QFontMetrics(win.footer.items["subway"].age.font())
    assert all(
        fm.horizontalAdvance(s) <= win.footer.items["subway"].age.width() for s in LONGEST_AGES
    )
    win.close()


@pytest.mark.parametrize("config", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_demo_mark_is_on_every_page_whole_and_covers_nothing(app, config, size):
    from PySide6.QtCore import QRect

    win = station_window(config, size, _demo(config))
    mark = win.header.demo_mark
    assert mark is not None

    def rect(w):
        return QRect(w.mapTo(win, w.rect().topLeft()), w.size())

    for page in win.pages:
        win.show_page(page.page_id)
        QApplication.processEvents()
        assert mark.isVisibleTo(win), page.page_id
        for t in (mark.tag.label, mark.note):
            assert t.text() == t.full_text(), t.text()  # whole: not elided
            assert QFontMetrics(t.font()).horizontalAdvance(t.text()) <= t.width() + 1
        box = rect(mark)
        assert QRect(0, 0, *size).contains(box)
        for other in (win.stack, win.header.name, win.header.clock, win.header.date, win.footer):
            assert not box.intersects(rect(other)), (page.page_id, type(other).__name__)
    win.close()
