"""Building blocks of the notice screens: level colours, the level symbol, text that wraps to fit."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QPointF, QRect, QRectF, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QLabel, QSizePolicy, QWidget

from kiosk.core.format import readable_on
from kiosk.ui import theme
from kiosk.ui.theme import Metrics

# Band colours per level; the text on each is whichever of white/dark reads best (>= 6.5:1).
# Colour is never the only signal: the level is written out and drawn as a symbol too.
LEVEL_BG = {
    "critical": "#B3261E",  # red, white text 6.5:1
    "emergency": "#FFB300",  # amber, dark text 10.4:1
    "advisory": "#8EC9FF",  # light blue, dark text 10.6:1
}
TAKEOVER_BG = theme.BG


def level_fg(level: str) -> str:
    """The text colour on a level's band."""
    return readable_on(LEVEL_BG[level], theme.TEXT, theme.DARK_TEXT)


class LevelMark(QWidget):
    """The level as a symbol: a warning triangle with "!" (doubled for critical), or an "i" disc.

    Painted, not a font glyph (the bundled font has no ⚠), so it reads the same on every machine.
    """

    def __init__(self, metrics: Metrics, level: str, units: float, parent: QWidget | None = None):
        super().__init__(parent)
        self.level = level
        self.fg = level_fg(level)
        size = metrics.px(units)
        self.setFixedSize(size, size)

    def set_level(self, level: str, fg: str) -> None:
        if (level, fg) != (self.level, self.fg):
            self.level, self.fg = level, fg
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        s = float(min(self.width(), self.height()))
        pen = QPen(QColor(self.fg), max(2.0, s * 0.07))
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        p.setPen(pen)
        p.setBrush(Qt.BrushStyle.NoBrush)
        m = s * 0.08
        if self.level == "advisory":
            p.drawEllipse(QRectF(m, m, s - 2 * m, s - 2 * m))
            mark = "i"
        else:
            tri = QPainterPath(QPointF(s / 2, m))
            tri.lineTo(s - m, s - m * 1.4)
            tri.lineTo(m, s - m * 1.4)
            tri.closeSubpath()
            p.drawPath(tri)
            mark = "!!" if self.level == "critical" else "!"
        font = QFont(theme.FONT_FAMILY)
        font.setPixelSize(max(4, int(s * (0.5 if mark == "i" else 0.46))))
        font.setWeight(QFont.Weight.ExtraBold)
        p.setFont(font)
        box = QRectF(0, s * (0.0 if mark == "i" else 0.14), s, s * (1.0 if mark == "i" else 0.86))
        p.drawText(box, Qt.AlignmentFlag.AlignCenter, mark)


class WrapText(QLabel):
    """Text over several lines that takes the largest size from ``units`` down to ``min_units``
    at which all of it fits its box; only when even the floor does not fit is it shortened
    with "…" (never cut mid-glyph, never under the legibility floor).
    """

    def __init__(
        self,
        metrics: Metrics,
        units: float,
        min_units: float = theme.SMALL,
        bold: bool = False,
        colour: str = theme.TEXT,
        align: Qt.AlignmentFlag = Qt.AlignmentFlag.AlignLeft,
        parent: QWidget | None = None,
    ):
        super().__init__(parent)
        self.metrics = metrics
        self.units = units
        self.min_units = min(min_units, units)
        self.bold = bold
        self.fg = colour
        self._full = ""
        self._fitted_for: tuple[str, int, int] | None = None
        self.on_resize: Callable[[], None] | None = None  # the box's owner refits around it
        self.setWordWrap(True)
        self.setAlignment(align | Qt.AlignmentFlag.AlignTop)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        self.setAttribute(Qt.WidgetAttribute.WA_TranslucentBackground)
        self.setFont(metrics.font(units, bold))
        self.set_colour(colour)

    def set_colour(self, colour: str) -> None:
        self.fg = colour
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.WindowText, QColor(colour))
        self.setPalette(pal)

    def full_text(self) -> str:
        return self._full

    def set_text(self, text: str) -> None:
        """Show ``text``; a no-op when it is unchanged."""
        if text != self._full or self._fitted_for is None:
            self._full = text
            self._fit()

    def needed_height(self, font: QFont, text: str, width: int) -> int:
        """The height ``text`` takes in ``font``, wrapped to ``width``."""
        flags = int(Qt.TextFlag.TextWordWrap) | int(Qt.AlignmentFlag.AlignLeft)
        return QFontMetrics(font).boundingRect(QRect(0, 0, width, 1 << 20), flags, text).height()

    def fits(self) -> bool:
        """Whether what is shown fits the box at the size chosen (the legibility tests ask)."""
        return self.needed_height(self.font(), self.text(), self.width()) <= self.height()

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit()
        if self.on_resize is not None:
            self.on_resize()

    def _fit(self) -> None:
        w, h = self.width(), self.height()
        key = (self._full, w, h)
        if key == self._fitted_for:
            return
        self._fitted_for = key
        units = self.units
        font = self.metrics.font(units, self.bold)
        if w > 10 and h > 10 and self._full:
            while self.needed_height(font, self._full, w) > h and units > self.min_units:
                units = max(self.min_units, units - 0.2)
                font = self.metrics.font(units, self.bold)
        shown = self._full
        if w > 10 and h > 10:
            keep = len(shown)
            while keep > 1 and self.needed_height(font, shown, w) > h:
                keep -= max(1, keep // 20)
                shown = self._full[:keep].rstrip() + "…"
        if font.pixelSize() != self.font().pixelSize():
            self.setFont(font)
        if shown != self.text():
            self.setText(shown)
