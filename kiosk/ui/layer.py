"""A panel drawn once into a picture of its own, then copied: for drawings that are costly, and
that Qt would draw differently when asked for only a part (a dashed ring clipped to a strip
starts its dashes elsewhere), such as the parks page's schematic.

The layer is the panel as a full repaint paints it: its parent's background, then the panel's
own (rounded) background, then ``draw``, all unclipped; every repaint, of all of it or of a
strip, copies the same pixels. It is drawn again when ``invalidate`` is called (new data, new
size) and let go after its page has left the screen (``let_go``, from the window's first tick
after the turn: giving back a picture of several MB is ~0.35 ms at 4K, work for after the turn,
not for its frame), so it costs memory only while its page is on screen, being made ready for
its turn, or has just left.
"""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QWidget

from kiosk.ui.widgets import Panel, background_of


def widget_image(widget: QWidget, fmt: QImage.Format) -> QImage:
    """An image of ``widget``'s size in its device pixels (uninitialised), to keep as a layer."""
    dpr = widget.devicePixelRatioF()
    image = QImage(round(widget.width() * dpr), round(widget.height() * dpr), fmt)
    image.setDevicePixelRatio(dpr)
    return image


def fits(layer: QImage | None, widget: QWidget) -> bool:
    """Whether ``layer`` is an image of ``widget``'s size as it is now."""
    return layer is not None and layer.deviceIndependentSize().toSize() == widget.size()


def copy_rect(p: QPainter, layer: QImage, r: QRect) -> None:
    """Copy ``r`` of a widget-sized ``layer`` (every pixel drawn) to the same place."""
    p.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
    if layer.devicePixelRatio() == 1.0:
        p.drawImage(r.topLeft(), layer, r)
    else:
        p.drawImage(r, layer, r)  # (scaled by the painter to the layer's pixels)


class LayerPanel(Panel):
    """A Panel whose ``draw(painter)`` is painted into a cached image and copied from there."""

    _layer: QImage | None = None

    def draw(self, p: QPainter) -> None:
        """Paint the panel's content (the background is painted already)."""

    def invalidate(self) -> None:
        """The drawing changed: paint it again at the next repaint."""
        self._layer = None
        self.update()

    def _paint_layer(self) -> QImage:
        image = widget_image(self, QImage.Format.Format_RGB32)
        image.fill(QColor(background_of(self)))
        p = QPainter(image)
        self.paint_background(p, self.rect())
        p.end()
        p = QPainter(image)  # a fresh painter, as a paint event would have
        p.setFont(self.font())
        self.draw(p)
        p.end()
        return image

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        layer = self._layer
        if layer is None or not fits(layer, self):
            layer = self._layer = self._paint_layer()
        p = QPainter(self)
        copy_rect(p, layer, event.rect())
        p.end()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._layer = None

    def let_go(self) -> None:
        """Its page has left the screen: the picture goes (kept while it is shown again)."""
        if not self.isVisible():
            self._layer = None

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().showEvent(event)
        if self.testAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent):
            return
        # It paints every pixel of its rect (the layer holds the background beneath too).
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
