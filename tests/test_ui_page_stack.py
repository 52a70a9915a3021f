"""The page stack (kiosk/ui/page_stack.py) in a real column, offscreen: one page shown, the
others hidden at the stack's size, a switch signalled once, and a page's changed needs passed up
to the layout the stack sits in."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSize
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from kiosk.ui.page_stack import PageStack
from kiosk.ui.qtapp import application


@pytest.fixture(scope="module")
def app():
    return application()


def _page(min_height: int) -> QWidget:
    page = QWidget()
    lay = QVBoxLayout(page)
    label = QLabel("page")
    label.setMinimumHeight(min_height)
    lay.addWidget(label)
    return page


def _column() -> tuple[QWidget, PageStack, list[QWidget]]:
    top = QWidget()
    lay = QVBoxLayout(top)
    lay.setContentsMargins(0, 0, 0, 0)
    stack = PageStack()
    pages = [_page(100), _page(300), _page(200)]
    for page in pages:
        stack.addWidget(page)
    lay.addWidget(stack)
    top.resize(640, 480)
    top.show()
    QApplication.processEvents()
    return top, stack, pages


def test_one_page_shows_and_the_others_keep_the_stacks_size(app):
    top, stack, pages = _column()
    assert stack.count() == 3 and stack.currentIndex() == 0 and stack.currentWidget() is pages[0]
    assert [p.isVisible() for p in pages] == [True, False, False]
    assert all(p.size() == stack.size() == QSize(640, 480) for p in pages)
    top.resize(800, 600)
    QApplication.processEvents()
    assert all(p.size() == QSize(800, 600) for p in pages)  # hidden ones too: drawn ahead
    top.close()


def test_a_switch_hides_the_old_page_shows_the_new_and_signals_once(app):
    top, stack, pages = _column()
    seen: list[int] = []
    stack.currentChanged.connect(seen.append)
    stack.setCurrentIndex(2)
    stack.setCurrentIndex(2)  # shown already: nothing happens
    stack.setCurrentIndex(7)  # no such page: nothing happens
    assert seen == [2] and stack.currentWidget() is pages[2]
    assert [p.isVisible() for p in pages] == [False, False, True]
    stack.setCurrentWidget(pages[1])
    assert seen == [2, 1] and stack.indexOf(pages[1]) == 1 and stack.widget(5) is None
    with pytest.raises(ValueError, match="not a page"):
        stack.setCurrentWidget(QWidget())
    top.close()


def test_the_column_learns_when_a_page_needs_more_room(app):
    top, stack, pages = _column()
    column = top.layout()
    assert column.minimumSize().height() == stack.minimumSizeHint().height()
    before = column.minimumSize().height()
    stack.setCurrentIndex(2)
    QApplication.processEvents()
    pages[2].layout().itemAt(0).widget().setMinimumHeight(before + 150)  # the page shown grows
    QApplication.processEvents()
    assert column.minimumSize().height() > before + 150
    top.close()
