"""The page stack: every page laid out over the same rect, one of them shown.

What a ``QStackedWidget`` does for a page turn, less what costs a kiosk's turn and gives it
nothing: ``QStackedLayout::setCurrentIndex`` turns the updates of the whole stack off and on
around the switch, and turning them on walks every widget of every page (~800 here) and asks
each visible one to repaint; it also moves the keyboard focus, which a kiosk has none of.
Here a turn hides one page and shows the other (~0.5 ms of a 4K turn's frame instead of ~1.0 on
the bench's host); the pages that are not shown keep the stack's size, so a page made ready
before its turn is laid out and drawn at the size it will show at.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QSize, Signal
from PySide6.QtWidgets import QSizePolicy, QWidget


class PageStack(QWidget):
    """One page at a time on the same rect (the part of ``QStackedWidget``'s API the kiosk uses)."""

    currentChanged = Signal(int)  # noqa: N815 (QStackedWidget's name)

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._pages: list[QWidget] = []
        self._index = -1
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def addWidget(self, page: QWidget) -> int:  # noqa: N802 (QStackedWidget's name)
        """Add ``page`` (hidden, at the stack's size; the first one added is shown)."""
        page.setParent(self)
        page.setGeometry(self.rect())
        self._pages.append(page)
        if self._index < 0:
            self._index = 0
            page.show()
            self.currentChanged.emit(0)
        else:
            page.hide()
        self.updateGeometry()
        return len(self._pages) - 1

    def count(self) -> int:
        return len(self._pages)

    def widget(self, index: int) -> QWidget | None:
        return self._pages[index] if 0 <= index < len(self._pages) else None

    def indexOf(self, page: QWidget) -> int:  # noqa: N802 (QStackedWidget's name)
        return next((i for i, p in enumerate(self._pages) if p is page), -1)

    def currentIndex(self) -> int:  # noqa: N802 (QStackedWidget's name)
        return self._index

    def currentWidget(self) -> QWidget | None:  # noqa: N802 (QStackedWidget's name)
        return self.widget(self._index)

    def setCurrentIndex(self, index: int) -> None:  # noqa: N802 (QStackedWidget's name)
        """Show page ``index`` in place of the one shown (nothing when it is shown already)."""
        nxt = self.widget(index)
        if nxt is None or index == self._index:
            return
        prev = self.currentWidget()
        self._index = index
        if prev is not None:
            prev.hide()
        nxt.show()
        self.currentChanged.emit(index)

    def setCurrentWidget(self, page: QWidget) -> None:  # noqa: N802 (QStackedWidget's name)
        index = self.indexOf(page)
        if index < 0:
            raise ValueError("not a page of this stack")
        self.setCurrentIndex(index)

    def event(self, event) -> bool:
        # A page whose needs changed asks its parent to lay it out again; with no layout of
        # its own the stack passes that up, to the scene's column, as QStackedLayout would.
        if event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
        return super().event(event)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        rect = self.rect()
        for page in self._pages:
            page.setGeometry(rect)

    # As QStackedLayout's: the stack needs what its most demanding page needs.
    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        size = QSize(0, 0)
        for page in self._pages:
            size = size.expandedTo(page.sizeHint())
        return size

    def minimumSizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        size = QSize(0, 0)
        for page in self._pages:
            size = size.expandedTo(page.minimumSizeHint()).expandedTo(page.minimumSize())
        return size
