"""The scene: header, page stack and footer as one widget, which the pixel shift moves.

The scene is laid out ``margin`` pixels short of each edge of the window and sits at
``margin + offset``; offsets stay within ``-margin..+margin`` (kiosk/core/pixelshift.py), so
nothing on it ever leaves the panel's visible area.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPoint, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QRegion
from PySide6.QtWidgets import QWidget

from kiosk.core.pixelshift import Offset
from kiosk.ui import theme
from kiosk.ui.widgets import Panel


class Scene(Panel):
    """Everything on screen, moved as one.

    It paints every pixel of its rect, and says so to Qt (opaque) while it moves: Qt then
    copies what is already drawn and repaints only the strip the move uncovers (0.05 % of a
    4K screen instead of all of it). Only while it moves: an opaque child is left out when
    its window repaints, and ``KioskWindow.repaint()`` must keep meaning the whole frame.
    """

    def __init__(self, parent: QWidget, margin: int, offset: Offset):
        super().__init__(theme.BG, parent=parent)
        self.margin = margin
        self.offset = offset
        # What covers the scene: header, the page on show, footer (set by the window).
        self.parts: Callable[[], Sequence[QWidget]] = tuple

    def rect_at(self, offset: Offset, size: QSize) -> QRect:
        """Where the scene sits at ``offset`` in a window of ``size``: always inside it."""
        m = self.margin
        return QRect(
            m + offset.dx,
            m + offset.dy,
            max(1, size.width() - 2 * m),
            max(1, size.height() - 2 * m),
        )

    def place(self) -> None:
        """Fit the scene to its window (after a resize) at the current offset."""
        parent = self.parentWidget()
        if parent is None:
            return
        rect = self.rect_at(self.offset, parent.size())
        if rect.size() != self.size():
            self.setGeometry(rect)
        elif rect.topLeft() != self.pos():
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
            self.move(rect.topLeft())  # Qt blits the scene here, and marks the uncovered strip
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)

    def shift_to(self, offset: Offset) -> bool:
        """Move the scene to ``offset``; whether it moved."""
        if offset == self.offset:
            return False
        self.offset = offset
        self.place()
        return True

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        # Header, page and footer paint their own background over the whole scene, so only
        # what they leave uncovered is filled: a full fill first would cost ~1 ms per 4K frame.
        uncovered = QRegion(event.region())
        for part in self.parts():
            if part.isVisible():
                uncovered -= QRegion(QRect(part.mapTo(self, QPoint(0, 0)), part.size()))
        if not uncovered.isEmpty():
            p = QPainter(self)
            p.setClipRegion(uncovered)
            p.fillRect(uncovered.boundingRect(), QColor(self.bg))
