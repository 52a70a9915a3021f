"""Panels drawn once into a layer (kiosk/ui/layer.py): a strip of them repaints exactly the
pixels a full repaint does, and the layer goes when its page leaves the screen."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QImage, QRegion
from PySide6.QtWidgets import QApplication

from kiosk.ui.qtapp import application
from tests import ui_notices as N
from tests.conftest import EXAMPLES
from tests.ui_windows import SIZES, station_window


@pytest.fixture(scope="module")
def app():
    return application()


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
        assert page.schematic._layer is not None  # not in the switch's frame,
        win.tick()
        assert page.schematic._layer is None  # but at the next tick
    finally:
        win.close()


def test_a_page_back_on_screen_by_the_next_tick_keeps_its_layer(app):
    win = station_window(EXAMPLES[0], (1280, 720))
    try:
        win.show_page("parks")
        QApplication.processEvents()
        schematic = win.current_page().schematic
        kept = schematic._layer
        assert kept is not None
        win.show_page("arrivals")
        win.show_page("parks")  # back before the tick
        win.tick()
        assert schematic._layer is kept
        win.set_notices([N.EMERGENCY])
        win.notice_layer.show_notice_page(win.clock())  # taken off by the notice page too
        assert win.stack.currentWidget() is win.notice_layer.page
        QApplication.processEvents()
        win.tick()
        assert schematic._layer is None
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
