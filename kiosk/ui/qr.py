"""QR codes on screen: segno encodes, QPainter draws dark modules on a light square.

Sized to scan from 3 m on a 100-inch panel. Phones read a code from about ten times its width,
so the code (its dark part) is 30 cm across: on a 100-inch 16:9 panel, whose short side is
1.245 m, that is 24.1 % of the short side, 520 px at 3840x2160. Every module is a whole number
of pixels (rounded up, so the code never drops under that size), drawn without antialiasing,
with the 4-module quiet zone the standard asks for around it.
"""

from __future__ import annotations

import math

import segno
from PySide6.QtCore import QRect, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QWidget

from kiosk.ui import theme
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, Panel

SCAN_DISTANCE_MM = 3000.0
DISTANCE_PER_WIDTH = 10.0  # a phone reads a code from about ten times its width
PANEL_SHORT_SIDE_MM = 100 * 25.4 * 9 / math.hypot(16, 9)  # 1245 mm on a 100-inch 16:9 panel
QUIET_ZONE = 4  # modules of light margin on each side (ISO/IEC 18004)
ERROR = "m"  # at least M (15 % of the code may be dirty or covered); segno raises it for free
LIGHT = "#FFFFFF"
DARK = "#000000"


def code_px(short_side_px: int) -> float:
    """How wide the dark part of a code must be, in pixels, to scan from 3 m."""
    return SCAN_DISTANCE_MM / DISTANCE_PER_WIDTH * short_side_px / PANEL_SHORT_SIDE_MM


def module_px(symbol_modules: int, short_side_px: int) -> int:
    """Whole pixels per module so that ``symbol_modules`` of them are at least ``code_px``."""
    return max(1, math.ceil(code_px(short_side_px) / symbol_modules))


def encode(url: str) -> tuple[tuple[bool, ...], ...]:
    """The code's modules (True = dark), without the quiet zone."""
    qr = segno.make(url, error=ERROR, micro=False)
    return tuple(tuple(bool(v) for v in row) for row in qr.matrix)


class QrCode(QWidget):
    """One QR code: a light square with the quiet zone, dark modules as whole-pixel squares."""

    def __init__(self, metrics: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.metrics = metrics
        self.url = ""
        self.modules: tuple[tuple[bool, ...], ...] = ()
        self.module = 1
        self._runs: list[QRect] = []
        # Paints every pixel of its rect: Qt needs not draw what lies beneath.
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_url(self, url: str) -> None:
        """Show the code for ``url``; a no-op when it is unchanged."""
        if url == self.url:
            return
        self.url = url
        self.modules = encode(url)
        n = len(self.modules)
        m = self.module = module_px(n, min(self.metrics.width, self.metrics.height))
        # Dark runs along each row as one rectangle each: a few hundred fills per paint.
        runs: list[QRect] = []
        for y, row in enumerate(self.modules):
            x = 0
            while x < n:
                if not row[x]:
                    x += 1
                    continue
                start = x
                while x < n and row[x]:
                    x += 1
                runs.append(
                    QRect((QUIET_ZONE + start) * m, (QUIET_ZONE + y) * m, (x - start) * m, m)
                )
        self._runs = runs
        side = (n + 2 * QUIET_ZONE) * m
        self.setFixedSize(side, side)
        self.update()

    def symbol_rect(self) -> QRect:
        """The dark part's square inside the widget (the quiet zone around it)."""
        m, n = self.module, len(self.modules)
        return QRect(QUIET_ZONE * m, QUIET_ZONE * m, n * m, n * m)

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(LIGHT))
        dark = QColor(DARK)
        for r in self._runs:
            p.fillRect(r, dark)


class QrPanel(Panel):
    """A code with its label, Korean first. As a column beside the page's data (landscape) the
    label goes under the code; as a row under the data (portrait) it goes beside it."""

    def __init__(self, metrics: Metrics, parent: QWidget | None = None):
        super().__init__(theme.SURFACE, 1.4, metrics, parent)
        m = metrics
        self.metrics = m
        self.lay = QBoxLayout(QBoxLayout.Direction.TopToBottom, self)
        pad = m.px(1.6)
        self.lay.setContentsMargins(pad, pad, pad, pad)
        self.lay.setSpacing(m.px(1.2))
        self.code = QrCode(m)
        self.label = BilingualText(m, theme.BODY, theme.SMALL)
        # Code and label stay together, centred in the column (or row): the label reads as the
        # code's caption, not as a separate item.
        self.lay.addStretch(1)
        self.lay.addWidget(self.code, 0, Qt.AlignmentFlag.AlignCenter)
        self.lay.addWidget(self.label, 0)
        self.lay.addStretch(1)
        self._texts = ("", "")
        self.column = True
        self.set_column(not m.portrait)

    def set_column(self, column: bool) -> None:
        """A column (label under the code) or a row (label beside it)."""
        self.column = column
        self.lay.setDirection(
            QBoxLayout.Direction.TopToBottom if column else QBoxLayout.Direction.LeftToRight
        )
        align = Qt.AlignmentFlag.AlignHCenter if column else Qt.AlignmentFlag.AlignLeft
        for t in (self.label.ko, self.label.en):
            t.setAlignment(align | Qt.AlignmentFlag.AlignVCenter)
        if column:
            self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Preferred)
        else:
            self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self._fit()

    def set_code(self, url: str, ko: str, en: str) -> None:
        """Show ``url`` as a code with its label; sizes itself so neither is ever cut."""
        self.code.set_url(url)
        if (ko, en) != self._texts:
            self._texts = (ko, en)
            self.label.set_texts(ko, en)
        self._fit()

    def _fit(self) -> None:
        m = self.metrics
        pad = m.px(1.6)
        side = self.code.width() if self.code.url else 0
        ko, en = self._texts
        text_w = 4 + max(
            QFontMetrics(m.font(theme.BODY, bold=True)).horizontalAdvance(ko),
            QFontMetrics(m.font(theme.SMALL)).horizontalAdvance(en),
        )
        # Undo the other orientation's fixed size first (Qt keeps min == max otherwise).
        self.setMinimumSize(0, 0)
        self.setMaximumSize(16777215, 16777215)
        self.label.setMinimumWidth(text_w)
        if self.column:
            self.setFixedWidth(max(side, text_w) + 2 * pad)
        else:
            self.setFixedHeight(side + 2 * pad)
