"""Panels drawn once into a layer (kiosk/ui/layer.py): a strip of them repaints exactly the
pixels a full repaint does, and the layer goes when its page leaves the screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QRegion
from PySide6.QtWidgets import QApplication

from kiosk.ui import layer
from kiosk.ui.qtapp import application
from tests.conftest import EXAMPLES
from tests.ui_windows import SIZES, station_window
from tests.waiting import poll_until


@pytest.fixture(scope="module")
def app():
    return application()


def _events() -> bool:
    QApplication.processEvents()
    return True


def test_a_page_back_on_screen_before_the_release_keeps_its_layer(app, monkeypatch):
    monkeypatch.setattr(layer, "RELEASE_MS", 50)
    win = station_window(EXAMPLES[0], (1280, 720))
    try:
        win.show_page("parks")
        QApplication.processEvents()
        schematic = win.current_page().schematic
        schematic.repaint()
        assert schematic._layer is not None
        win.show_page("arrivals")
        win.show_page("parks")  # back before the release is due
        QApplication.processEvents()
        kept = schematic._layer
        assert not poll_until(lambda: _events() and schematic._layer is not kept, 0.3)
        win.show_page("arrivals")
        assert poll_until(lambda: _events() and schematic._layer is None, 5)
    finally:
        win.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_parks_schematic_repaints_the_same_pixels_strip_by_strip(app, size):
    win = station_window(EXAMPLES[0], size)
    try:
        win.show_page("parks")
        QApplication.processEvents()
        page = win.current_page()
        whole = QImage(page.size(), QImage.Format.Format_RGB32)
        page.render(whole)
        strips = QImage(page.size(), QImage.Format.Format_RGB32)
        h = page.height()
        for i in range(7):  # strips that cut the dashed rings at odd places
            r = QRect(0, i * h // 7, page.width(), (i + 1) * h // 7 - i * h // 7)
            page.render(strips, r.topLeft(), QRegion(r))
        assert strips == whole
        assert page.schematic._layer is not None
        win.show_page("arrivals")  # the parks page leaves the screen: so does its layer,
        QApplication.processEvents()
        assert page.schematic._layer is not None  # not in the turn's frame,
        assert poll_until(lambda: _events() and page.schematic._layer is None, 10)  # but soon
    finally:
        win.close()


def test_new_places_draw_the_layer_again(app):
    win = station_window(EXAMPLES[0], (1280, 720))
    try:
        win.show_page("parks")
        QApplication.processEvents()
        schematic = win.current_page().schematic
        before = schematic.grab().toImage()
        schematic.set_places(schematic.places[:1])
        QApplication.processEvents()
        assert schematic.grab().toImage() != before
        assert schematic.grab().toImage() == schematic.grab().toImage()
    finally:
        win.close()
