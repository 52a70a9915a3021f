"""The cover over the page stack during a page turn: the new page's picture faded in over what is
on screen, then handed back to the page's widgets strip by strip.

A cross-fade frame is one blend of the new page's picture onto the frame before it. Qt's raster
backing store keeps every pixel nobody repaints (a widget's partial repaint relies on it), and
the cover is opaque, so nothing beneath it paints into its rect: what is there when the turn
starts is the old page as it was on screen, and each frame only moves it towards the new page.
To get from a new-page share ``a0`` to ``a1`` the picture is drawn at opacity
``(a1 - a0) / (1 - a0)``; the last frame copies the picture outright, so the fade ends exactly on
it whatever 8-bit rounding did on the way. One pass over the pixels instead of two (old page,
then new page over it), and no picture of the old page at all.

When the fade is over the cover shrinks from the bottom, one strip per frame; each step Qt
repaints only the strip it uncovers from the live page (``WA_StaticContents``: the covered part
keeps its pixels). The screen does not change: the live page draws what its picture showed.

Anything that paints the cover without a fade step (the page beneath it changing, an expose)
finds its pixels already right on the window and leaves them; a drawing of the window that is
not its backing store (``QWidget.grab``) gets the new page's picture.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QWidget
from shiboken6 import getCppPointer


class PageCover(QWidget):
    """Fades ``picture`` in over the stack's rect, then hands the rect back (``shrink_to``)."""

    def __init__(self, parent: QWidget):
        super().__init__(parent)
        self.picture: QImage | None = None
        self.share = 0.0  # how much of the new page the window shows now (1: all of it)
        self._step: float | None = None  # the opacity the next paint draws the picture at
        self.steps = 0  # fade steps drawn (the bench and tests read it)
        self.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        # Opaque: Qt paints nothing beneath it, and never clears its rect before a paint.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        # Shrinking (the hand-over) repaints only what it uncovers, not the part still covered.
        self.setAttribute(Qt.WidgetAttribute.WA_StaticContents)
        self.hide()

    def begin(self, picture: QImage, rect: QRect, share: float = 0.0) -> None:
        """Cover ``rect``, showing what is on screen there (``share`` 0) or the picture (1)."""
        self.picture, self.share = picture, 0.0
        self._step = None
        self.steps = 0
        if self.geometry() != rect:
            self.setGeometry(rect)
        self.show()
        self.raise_()
        if share > 0.0:
            self.fade_to(share)

    def fade_to(self, share: float) -> None:
        """Show ``share`` of the new page (0..1; only forwards: the old page is not kept)."""
        share = min(1.0, share)
        if self.picture is None or share <= self.share:
            return
        self._step = 1.0 if share >= 1.0 else (share - self.share) / (1.0 - self.share)
        self.share = share
        self.update()

    def covered_height(self) -> int:
        """How many rows from the top of the stack the cover still hides."""
        return self.height() if self.isVisible() else 0

    def shrink_to(self, height: int) -> None:
        """Hand every row from ``height`` down back to the live page (Qt repaints just those)."""
        if height <= 0:
            self.end()
        else:
            self.resize(self.width(), height)

    def end(self) -> None:
        """Take the cover down (the live page shows) and let go of the picture."""
        self.hide()
        self.picture = None
        self._step = None

    def _on_window(self, p: QPainter) -> bool:
        # Painting into the window's backing store (what is on screen), or into a drawing of
        # the window (grab, render)? The paint engine's device says which.
        store = self.window().backingStore()
        engine = p.paintEngine()
        if store is None or engine is None or store.paintDevice() is None:
            return False
        target = engine.paintDevice()
        return target is not None and getCppPointer(target) == getCppPointer(store.paintDevice())

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.picture is None:
            return
        r = event.rect()
        p = QPainter(self)
        if self._on_window(p):
            step, self._step = self._step, None
        else:
            step = 1.0  # a drawing of the window: there is no frame before to blend onto
        if step is not None:
            if step >= 1.0:
                p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
            else:
                p.setOpacity(step)
            dpr = self.picture.devicePixelRatio()
            if dpr == 1.0:
                p.drawImage(r.topLeft(), self.picture, r)
            else:  # the picture is in device pixels
                source = QRect(round(r.x() * dpr), round(r.y() * dpr), *_scaled(r, dpr))
                p.drawImage(r, self.picture, source)
            self.steps += 1
        p.end()


def _scaled(r: QRect, dpr: float) -> tuple[int, int]:
    return round(r.width() * dpr), round(r.height() * dpr)
