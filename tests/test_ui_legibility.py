"""Legibility from ten metres: every visible text on every page, at every supported size.

At 3840x2160 no text is smaller than 2.5 % of the screen height, primary figures (minutes to
the next train, PM values) are at least 6 %, and every text has a contrast ratio of at least
4.5:1 against what is painted behind it. Every page also lays out within 1920x1080 and portrait
2160x3840 without anything pushed off screen, and Korean renders with a real Korean font.
"""

from __future__ import annotations

import pytest
from PySide6.QtGui import QFontMetrics, QRawFont
from PySide6.QtWidgets import QApplication

from kiosk.app import window_setup
from kiosk.config import load_all
from kiosk.core.format import contrast_ratio
from kiosk.ui.runtime import application
from kiosk.ui.widgets import Text, background_of
from kiosk.ui.window import KioskWindow
from tests.conftest import REPO
from tests.test_config import EXAMPLES
from tests.ui_data import NOW, failed, station_snapshots

SIZES = [(3840, 2160), (1920, 1080), (2160, 3840)]


def _window(config, size, snaps=None):
    cfg, layout = load_all(config)
    setup = window_setup(cfg, layout)
    win = KioskWindow(setup, size, lambda: NOW, monotonic=lambda: 0.0)
    win.setFixedSize(*size)
    st = cfg.station
    win.apply_snapshots(
        snaps
        if snaps is not None
        else station_snapshots(
            tuple(st.lines),
            st.district,
            st.location.lat,
            st.location.lon,
            ars_ids=tuple(s.ars_id for s in st.bus_stops),
        )
    )
    win.rotating = False
    win.show()
    return win


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
    win = _window(config, (3840, 2160), snaps)
    checked = 0
    for page in win.pages:
        win.show_page(page.page_id)
        QApplication.processEvents()
        for t in _visible_texts(win):
            px = t.font().pixelSize()
            assert px >= 0.025 * 2160, f"{page.page_id}: {t.text()!r} is {px}px"
            bg = background_of(t)
            ratio = contrast_ratio(t.fg, bg)
            assert ratio >= 4.5, f"{page.page_id}: {t.text()!r} {t.fg} on {bg} = {ratio:.2f}"
            checked += 1
    assert checked > 30
    win.close()


def test_primary_figures_are_at_least_six_percent(app):
    win = _window(EXAMPLES[0], (3840, 2160))
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
    win = _window(config, size, _demo(config) if data == "demo" else None)
    for page in win.pages:
        win.show_page(page.page_id)
        QApplication.processEvents()
        need = win.layout().minimumSize()
        assert need.width() <= size[0] and need.height() <= size[1], (page.page_id, need.toTuple())
        for t in _visible_texts(win):
            # A label is inside the window, and its shown text fits its own box.
            top_left = t.mapTo(win, t.rect().topLeft())
            assert top_left.x() >= 0 and t.mapTo(win, t.rect().bottomRight()).x() <= size[0]
            assert top_left.y() >= 0 and t.mapTo(win, t.rect().bottomRight()).y() <= size[1]
            assert QFontMetrics(t.font()).horizontalAdvance(t.text()) <= t.width() + 1, t.text()
    win.close()


def test_korean_renders_with_a_real_korean_font(app):
    win = _window(EXAMPLES[0], (1920, 1080))
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

    win = _window(EXAMPLES[0], size)
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
