"""Building blocks: text that fits, painted cards, line badges, tags and the no-data card."""

from __future__ import annotations

from PySide6.QtCore import QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.format import readable_on
from kiosk.core.nodata import NoDataText
from kiosk.ui import theme
from kiosk.ui.theme import Metrics


class Panel(QWidget):
    """A rectangle painted in one colour (``bg``), optionally rounded.

    ``bg`` is also what the legibility test reads as the background of the text inside.
    """

    def __init__(
        self,
        bg: str,
        radius_units: float = 0.0,
        metrics: Metrics | None = None,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.bg = bg
        self._radius = metrics.px(radius_units) if metrics and radius_units else 0
        self._colour = QColor(bg)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, False)

    def set_bg(self, bg: str) -> None:
        if bg != self.bg:
            self.bg = bg
            self._colour = QColor(bg)
            for t in self.findChildren(Text):
                t.refresh_colour()
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        self.paint_background(p, event.rect())

    def paint_background(self, p: QPainter, rect: QRect) -> None:
        """The panel's own colour, in ``rect`` (all of it when rounded)."""
        if self._radius:
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(self._colour)
            p.drawRoundedRect(QRectF(self.rect()), self._radius, self._radius)
        else:
            p.fillRect(rect, self._colour)


def background_of(widget: QWidget) -> str:
    """The colour painted behind ``widget``: the nearest Panel ancestor's ``bg``."""
    w = widget.parentWidget()
    while w is not None:
        bg = getattr(w, "bg", None)
        if isinstance(bg, str):
            return bg
        w = w.parentWidget()
    return theme.BG


class Text(QLabel):
    """A one-line label sized in units that shrinks to fit its width, never under ``min_units``.

    Only when even the floor size does not fit is the text elided, so nothing is ever cut
    mid-glyph and nothing drops below the legibility floor.
    """

    def __init__(
        self,
        metrics: Metrics,
        units: float,
        bold: bool = False,
        colour: str = theme.TEXT,
        text: str = "",
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        min_units: float = theme.SMALL,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.metrics = metrics
        self.units = units
        self.min_units = min(min_units, units)
        self.bold = bold
        self.fg = colour
        self._full = ""
        self._fitted_for: tuple[str, int] | None = None
        self.setFont(metrics.font(units, bold))
        self.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Fixed)
        self.setFixedHeight(QFontMetrics(self.font()).height())
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.refresh_colour()
        self.set_text(text)

    def setFixedWidth(self, w: int) -> None:  # noqa: N802 (Qt API)
        # An Ignored size policy would make layouts disregard the width: pin it instead.
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        super().setFixedWidth(w)

    def setMinimumWidth(self, w: int) -> None:  # noqa: N802 (Qt API)
        self.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        super().setMinimumWidth(w)

    def sizeHint(self):  # noqa: N802 (Qt API)
        # Layouts size text by its box, not by its current (possibly long) content.
        hint = super().sizeHint()
        hint.setWidth(max(self.minimumWidth(), 10))
        return hint

    def minimumSizeHint(self):  # noqa: N802 (Qt API)
        hint = super().minimumSizeHint()
        hint.setWidth(self.minimumWidth())
        return hint

    def refresh_colour(self) -> None:
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.WindowText, QColor(self.fg))
        self.setPalette(pal)

    def set_colour(self, colour: str) -> None:
        if colour != self.fg:
            self.fg = colour
            self.refresh_colour()

    def full_text(self) -> str:
        return self._full

    def set_text(self, text: str) -> None:
        """Show ``text``; a no-op (no repaint) when it is unchanged."""
        if text == self._full and self._fitted_for is not None:
            return
        self._full = text
        self._fit()

    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        width = self.width()
        key = (self._full, width)
        if key == self._fitted_for:
            return
        self._fitted_for = key
        units = self.units
        font = self.metrics.font(units, self.bold)
        if width > 10 and self._full:
            while (
                QFontMetrics(font).horizontalAdvance(self._full) > width and units > self.min_units
            ):
                units = max(self.min_units, units - 0.2)
                font = self.metrics.font(units, self.bold)
        if font.pixelSize() != self.font().pixelSize():
            self.setFont(font)
        shown = self._full
        if width > 10 and QFontMetrics(font).horizontalAdvance(shown) > width:
            shown = QFontMetrics(font).elidedText(shown, Qt.TextElideMode.ElideRight, width)
        if shown != self.text():
            self.setText(shown)


class Tag(Panel):
    """A small rounded label on a coloured background (급행 Express, 막차 Last train, grades)."""

    def __init__(
        self,
        metrics: Metrics,
        bg: str,
        text: str,
        units: float = theme.SMALL,
        bold: bool = True,
        parent: QWidget | None = None,
    ):
        super().__init__(bg, 0.8, metrics, parent)
        lay = QHBoxLayout(self)
        pad = metrics.px(0.8)
        lay.setContentsMargins(pad, metrics.px(0.2), pad, metrics.px(0.2))
        self.label = Text(
            metrics,
            units,
            bold,
            readable_on(bg, theme.TEXT, theme.DARK_TEXT),
            text,
            Qt.AlignmentFlag.AlignCenter,
        )
        self.label.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        lay.addWidget(self.label)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.set_tag(text, bg)

    def set_tag(self, text: str, bg: str) -> None:
        self.set_bg(bg)
        self.label.set_colour(readable_on(bg, theme.TEXT, theme.DARK_TEXT))
        self.label.set_text(text)
        fm = QFontMetrics(self.label.font())
        self.label.setFixedWidth(fm.horizontalAdvance(text) + 4)
        self.adjustSize()


class LineBadge(QWidget):
    """A subway line's round badge in its official colour, with the line number or short name."""

    def __init__(
        self,
        metrics: Metrics,
        colour: str,
        short: str,
        units: float = 6.0,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.colour = QColor(colour)
        self.fg = readable_on(colour, theme.TEXT, theme.DARK_TEXT)
        self.short = short
        size = metrics.px(units)
        # Digits fill a circle; two-character names ("공항") get a pill wide enough for a
        # legible font (never under the SMALL floor).
        self._font = metrics.font(
            max(theme.SMALL, units * (0.62 if len(short) == 1 else 0.46)), bold=True
        )
        width = (
            size
            if len(short) == 1
            else max(size, QFontMetrics(self._font).horizontalAdvance(short) + metrics.px(1.6))
        )
        self.setFixedSize(width, size)

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(self.colour)
        r = QRectF(self.rect()).adjusted(1, 1, -1, -1)
        p.drawRoundedRect(r, r.height() / 2, r.height() / 2)
        p.setPen(QColor(self.fg))
        p.setFont(self._font)
        p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, self.short)


class BilingualText(QWidget):
    """Korean on top, English beneath, as one unit."""

    def __init__(
        self,
        metrics: Metrics,
        ko_units: float,
        en_units: float = theme.SMALL,
        bold: bool = True,
        ko_colour: str = theme.TEXT,
        en_colour: str = theme.TEXT_DIM,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.ko = Text(metrics, ko_units, bold, ko_colour, align=align)
        self.en = Text(metrics, en_units, False, en_colour, align=align)
        # The two lines stay together, centred, however tall the row is.
        lay.addStretch(1)
        lay.addWidget(self.ko)
        lay.addWidget(self.en)
        lay.addStretch(1)

    def set_texts(self, ko: str, en: str) -> None:
        self.ko.set_text(ko)
        self.en.set_text(en)

    def set_colours(self, ko: str, en: str) -> None:
        self.ko.set_colour(ko)
        self.en.set_colour(en)


class NoDataCard(Panel):
    """The distinct "no data" state: never a blank, never a zero."""

    def __init__(
        self,
        metrics: Metrics,
        ko: str,
        en: str,
        bg: str = theme.SURFACE_ALT,
        parent: QWidget | None = None,
    ):
        super().__init__(bg, 1.2, metrics, parent)
        lay = QVBoxLayout(self)
        pad = metrics.px(2)
        lay.setContentsMargins(pad, pad, pad, pad)
        lay.addStretch(1)
        self.text = BilingualText(
            metrics, theme.TITLE, theme.SMALL, align=Qt.AlignmentFlag.AlignCenter
        )
        self.text.set_texts(ko, en)
        self.detail = Text(
            metrics, theme.SMALL, False, theme.TEXT_DIM, align=Qt.AlignmentFlag.AlignCenter
        )
        lay.addWidget(self.text)
        lay.addWidget(self.detail)
        lay.addStretch(1)

    def set_message(self, ko: str, en: str, detail: str = "") -> None:
        self.text.set_texts(ko, en)
        self.detail.set_text(detail)
        self.detail.setVisible(bool(detail))

    def show_text(self, text: NoDataText) -> None:
        """Title and reason from core.nodata: every page's card says it the same way."""
        self.set_message(text.title_ko, text.title_en, text.reason)
