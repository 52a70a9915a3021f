"""QR codes on screen: decoded back from `kiosk snapshot` PNGs, sized to scan from 3 m, crisp,
with their quiet zone, and never over the page's data."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint, QRect
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication

from kiosk.app import demo_snapshots, window_setup
from kiosk.config import load_all
from kiosk.core.geo import haversine_m
from kiosk.sources.registry import demo_items as load_demo
from kiosk.ui.qr import QUIET_ZONE, QrCode, QrPanel, code_px
from kiosk.ui.widgets import Panel, Text
from kiosk.ui.window import KioskWindow
from tests.conftest import EXAMPLES, REPO, track
from tests.ui_data import NOW

zxingcpp = pytest.importorskip("zxingcpp")

SIZES = [(3840, 2160), (1920, 1080), (2160, 3840)]
BASE = "https://kiosk.seoul.go.kr"


def _nearest_park_id(config) -> str:
    cfg, _ = load_all(config)
    loc = cfg.station.location
    parks = load_demo("parks", cfg.station.subway_station, NOW)
    return min(parks, key=lambda p: haversine_m(loc.lat, loc.lon, p.lat, p.lon)).park_id


def _expected(config) -> dict[str, str | None]:
    """What each shipped layout's pages should carry, written out by hand from the layouts."""
    slug = {"config.example": "yeouido", "hongik": "hongik-univ", "changdong": "changdong"}
    s = slug[config.stem]
    park = f"{BASE}/{s}/parks?park={_nearest_park_id(config)}"
    feedback = f"{BASE}/feedback?s={s}"
    if config.stem == "hongik":
        return {"parks": park, "events": f"{BASE}/{s}/events", "air": feedback, "bikes": None}
    return {
        "arrivals": f"{BASE}/{s}/arrivals",
        "parks": park,
        "events": feedback,
        "arrivals-again": None,
    }


def _decode(path) -> list[str]:
    img = QImage(str(path)).convertToFormat(QImage.Format.Format_Grayscale8)
    assert not img.isNull(), path
    return [b.text for b in zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)]


@pytest.mark.parametrize("config", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("size", ["3840x2160", "1920x1080"])
def test_snapshot_codes_decode_back_to_their_urls(tmp_path, config, size):
    expected = _expected(config)
    pages = [a for p in expected for a in ("--page", p)]
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "snapshot", "--config", str(config), "--size", size]
        + ["--out", str(tmp_path), *pages],
        capture_output=True,
        text=True,
        timeout=180,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        cwd=REPO,
    )
    assert r.returncode == 0, r.stderr
    for page, url in expected.items():
        got = _decode(tmp_path / f"{page}.png")
        assert got == ([url] if url else []), page  # one code where the layout puts one


def _window(config, size, strip_codes=False):
    cfg, layout = load_all(config)
    setup = window_setup(cfg, layout)
    if strip_codes:
        setup = replace(setup, pages=tuple(replace(p, qr_url="") for p in setup.pages))
    win = track(KioskWindow(setup, size, lambda: NOW, monotonic=lambda: 0.0))
    win.setFixedSize(*size)
    win.apply_snapshots(demo_snapshots(cfg, layout, NOW))
    win.rotating = False
    win.show()
    return win


def _rect_in(win, w) -> QRect:
    return QRect(w.mapTo(win, QPoint(0, 0)), w.size())


@pytest.mark.parametrize("size", [(3840, 2160), (1920, 1080)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_drawn_code_is_big_crisp_and_has_its_quiet_zone(qapp, tmp_path, size):
    win = _window(EXAMPLES[0], size)
    win.show_page("arrivals")
    QApplication.processEvents()
    code = win.current_page().qr.code
    path = tmp_path / "arrivals.png"
    assert win.grab().save(str(path), "PNG")
    img = QImage(str(path)).convertToFormat(QImage.Format.Format_Grayscale8)
    square = _rect_in(win, code)
    symbol = code.symbol_rect().translated(square.topLeft())
    m = code.module
    # 30 cm on a 100-inch panel: at least 520 px of dark part at 3840x2160, 260 at 1920x1080.
    assert symbol.width() >= code_px(size[1]) >= 0.24 * size[1]
    assert symbol.width() < code_px(size[1]) + len(code.modules)  # rounded up, not doubled
    assert symbol.width() == len(code.modules) * m and square.width() == symbol.width() + 8 * m
    # Whole-pixel modules, no antialiasing: only pure black and white inside the square.
    values = {
        img.pixelColor(x, y).value()
        for y in range(square.top(), square.bottom() + 1, 1)
        for x in range(square.left(), square.right() + 1, max(1, m // 2))
    }
    assert values == {0, 255}
    # The quiet zone: QUIET_ZONE modules of white all round the symbol.
    for x in range(square.left(), square.right() + 1):
        for y in (
            *range(square.top(), symbol.top()),
            *range(symbol.bottom() + 1, square.bottom() + 1),
        ):
            assert img.pixelColor(x, y).value() == 255, (x, y)
    for y in range(symbol.top(), symbol.bottom() + 1):
        for x in (
            *range(square.left(), symbol.left()),
            *range(symbol.right() + 1, square.right() + 1),
        ):
            assert img.pixelColor(x, y).value() == 255, (x, y)
    assert symbol.left() - square.left() == QUIET_ZONE * m
    # The decoder finds it where it is drawn.
    (found,) = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode)
    assert found.text == code.url and found.ec_level in ("M", "Q", "H")
    pos = found.position
    assert abs(pos.top_left.x - symbol.left()) <= m and abs(pos.top_left.y - symbol.top()) <= m
    win.close()


def _data_widgets(page, panel):
    """Visible texts and cards of ``page`` that are neither the code's panel, in it, nor around it."""

    def inside(w):
        while w is not None:
            if w is panel:
                return True
            w = w.parentWidget()
        return False

    around = set()
    w = panel.parentWidget()
    while w is not None:
        around.add(id(w))
        w = w.parentWidget()
    return [
        w
        for w in (*page.findChildren(Text), *page.findChildren(Panel))
        if w.isVisibleTo(page)
        and not inside(w)
        and id(w) not in around
        and not (isinstance(w, Text) and not w.text().strip())
    ]


@pytest.mark.parametrize("config", EXAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_codes_never_cover_data_and_cut_no_text(qapp, config, size):
    with_codes = _window(config, size)
    without = _window(config, size, strip_codes=True)
    coded = 0
    for page, bare in zip(with_codes.pages, without.pages, strict=True):
        for win, p in ((with_codes, page), (without, bare)):
            win.show_page(p.page_id)
        QApplication.processEvents()
        if page.qr is None or not page.qr.isVisible():
            continue
        coded += 1
        area = _rect_in(with_codes, page.qr)
        for w in _data_widgets(page, page.qr):
            assert not _rect_in(with_codes, w).intersects(area), (page.page_id, w)

        # The page made room for the code: no text is cut short that is whole without it.
        def cut(pg):
            return sorted(
                t.full_text()
                for t in pg.findChildren(Text)
                if t.isVisibleTo(pg) and t.text() != t.full_text()
            )

        assert set(cut(page)) <= set(cut(bare)), page.page_id
    assert coded >= 2
    with_codes.close()
    without.close()


def test_a_code_waits_for_the_item_it_names(qapp):
    win = _window(EXAMPLES[0], (1920, 1080))
    parks = next(p for p in win.pages if p.page_id == "parks")
    assert parks.qr.isVisibleTo(parks) and parks.qr.code.url.endswith(
        f"park={_nearest_park_id(EXAMPLES[0])}"
    )
    others = {s: v for s, v in win.snapshots.items() if s != "parks"}
    parks.update_data(others, {**win.states}, NOW)  # the parks feed is gone
    assert not parks.qr.isVisibleTo(parks)  # no code rather than a wrong one
    parks.update_data(win.snapshots, win.states, NOW)
    assert parks.qr.isVisibleTo(parks)
    win.close()


def test_feedback_code_is_on_its_one_page_with_its_label(qapp):
    win = _window(EXAMPLES[0], (1920, 1080))
    panels = {p.page_id: p.qr for p in win.pages if p.qr is not None}
    assert set(panels) == {"arrivals", "parks", "events"}
    fb = panels["events"]
    assert isinstance(fb, QrPanel) and fb.code.url == f"{BASE}/feedback?s=yeouido"
    assert (fb.label.ko.full_text(), fb.label.en.full_text()) == (
        "의견 보내기",
        "Tell us what you think",
    )
    assert all(isinstance(p.qr.code, QrCode) for p in win.pages if p.qr is not None)
    win.close()


def test_the_readme_screenshot_shows_a_code_that_scans():
    shot = REPO / "docs" / "screenshots" / "yeouido-arrivals-qr.png"
    assert f"]({shot.relative_to(REPO)})" in (REPO / "README.md").read_text()
    img = QImage(str(shot))
    assert (img.width(), img.height()) == (1920, 1080)
    assert _decode(shot) == [f"{BASE}/yeouido/arrivals"]
