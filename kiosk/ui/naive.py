"""What this machine does naively: the reference `kiosk bench` measures the kiosk against.

Absolute milliseconds do not travel between machines; the ratio of the kiosk's figure to what a
plain, uncached Qt page of the same size and fonts costs on the same machine, in the same run,
does. Three references, written the way a first Qt page would be:

- ``NaivePage``: one window, plain QLabels in the kiosk's type sizes and its bundled fonts on
  its background colour (``autoFillBackground``), laid out like a page (a header with station
  and clock, a title, 2 x 6 rows of destination, minutes and unit, a footer of six data ages).
  Its full repaint (``repaint()``) is the reference for a page change and for a frame.
- ``NaiveFade``: two full-size widgets, each painting a picture of a naive page, the top one
  with falling opacity, the window filling its background beneath: a cross-fade frame.
- the naive page's clock label: ``setText`` of the next minute and the repaint Qt does.

``python -m kiosk.ui.naive --size WxH`` is the reference for the first frame: a fresh
interpreter that imports Qt, makes a naive page, shows and paints it, and says ``FRAME``. With
``--hold`` it then stays, page shown, until its stdin closes: the bench reads its memory then,
the reference for the kiosk's (what a plain Qt page of that size holds).
"""

from __future__ import annotations

import sys

import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from kiosk.ui import theme
from kiosk.ui.theme import Metrics

ROWS = (
    ("방화행", "Banghwa", "3"),
    ("마천행", "Macheon", "7"),
    ("하남검단산행", "Hanam Geomdansan", "12"),
    ("개화행", "Gaehwa", "1"),
    ("김포공항행", "Gimpo Airport", "5"),
    ("중앙보훈병원행", "VHS Medical Center", "9"),
)
AGES = ("열차 Trains", "버스 Buses", "대기질 Air", "공원 Parks", "따릉이 Bikes", "행사 Events")


def _label(m: Metrics, text: str, units: float, bold: bool = False, dim: bool = False) -> QLabel:
    label = QLabel(text)
    label.setFont(m.font(units, bold))
    pal = label.palette()
    pal.setColor(QPalette.ColorRole.WindowText, QColor(theme.TEXT_DIM if dim else theme.TEXT))
    label.setPalette(pal)
    return label


class NaivePage(QWidget):
    """A plain page of labels in the kiosk's sizes, fonts and background; nothing cached."""

    def __init__(self, size: tuple[int, int], variant: int = 0):
        super().__init__()
        theme.load_fonts()
        m = Metrics(*size)
        self.resize(*size)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Window, QColor(theme.BG))
        self.setPalette(pal)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(m.px(3), m.px(1.5), m.px(3), m.px(1.2))
        outer.setSpacing(m.px(1.2))
        head = QHBoxLayout()
        name = QVBoxLayout()
        name.addWidget(_label(m, "여의도", theme.STATION, bold=True))
        name.addWidget(_label(m, "Yeouido", theme.BODY, dim=True))
        head.addLayout(name)
        head.addStretch(1)
        right = QVBoxLayout()
        self.clock = _label(m, "08:14", theme.CLOCK, bold=True)
        self.clock.setAlignment(Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.clock)
        right.addWidget(_label(m, "11월 20일 (금) · Fri 20 Nov", theme.SMALL, dim=True))
        head.addLayout(right)
        outer.addLayout(head)
        outer.addWidget(_label(m, "열차 도착 정보", theme.TITLE, bold=True))
        outer.addWidget(_label(m, "Train arrivals", theme.SMALL, dim=True))
        grid = QGridLayout()
        grid.setHorizontalSpacing(m.px(1.6))
        rows = ROWS[variant % len(ROWS) :] + ROWS[: variant % len(ROWS)]
        for i, (ko, en, minutes) in enumerate(rows * 2):
            col = (i // len(rows)) * 3
            cell = QVBoxLayout()
            cell.addWidget(_label(m, ko, theme.TITLE, bold=True))
            cell.addWidget(_label(m, en, theme.SMALL, dim=True))
            grid.addLayout(cell, i % len(rows), col)
            figure = _label(m, minutes, theme.FIGURE, bold=True)
            figure.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            grid.addWidget(figure, i % len(rows), col + 1)
            grid.addWidget(_label(m, "분 min", theme.SMALL), i % len(rows), col + 2)
        outer.addLayout(grid, 1)
        foot = QHBoxLayout()
        for name_text in AGES:
            item = QVBoxLayout()
            item.addWidget(_label(m, name_text, theme.SMALL, bold=True, dim=True))
            item.addWidget(_label(m, "방금 · just now", theme.SMALL, dim=True))
            foot.addLayout(item)
        outer.addLayout(foot)

    def flip_clock(self) -> None:
        """The next minute on the clock (the reference for a minute flip)."""
        self.clock.setText("08:15" if self.clock.text() == "08:14" else "08:14")


class _Picture(QWidget):
    def __init__(self, pixmap: QPixmap, parent: QWidget):
        super().__init__(parent)
        self.pixmap = pixmap
        self.opacity = 1.0
        self.resize(pixmap.size())

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setOpacity(self.opacity)
        p.drawPixmap(0, 0, self.pixmap)


class NaiveFade(QWidget):
    """Two full-size widgets, each a picture of a naive page, the top one fading out."""

    def __init__(self, size: tuple[int, int]):
        super().__init__()
        self.resize(*size)
        self.setAutoFillBackground(True)
        pal = self.palette()
        pal.setColor(QPalette.ColorRole.Window, QColor(theme.BG))
        self.setPalette(pal)
        pages = [NaivePage(size, variant) for variant in (0, 3)]
        pictures = [page.grab() for page in pages]
        for page in pages:
            page.deleteLater()
        self.under = _Picture(pictures[1], self)
        self.over = _Picture(pictures[0], self)

    def set_opacity(self, opacity: float) -> None:
        """The old page at ``opacity`` over the new one; Qt repaints both."""
        self.over.opacity = opacity
        self.over.update()


def dispose(*widgets: QWidget) -> None:
    """Close and delete ``widgets`` now (deleteLater would wait for the outermost event loop,
    and the bench measures from inside it)."""
    for w in widgets:
        w.close()
        shiboken6.delete(w)


def main(argv: list[str] | None = None) -> int:
    """A fresh process's first naive frame: import Qt, show and paint a page, say FRAME."""
    import argparse
    import time

    from PySide6.QtWidgets import QApplication

    p = argparse.ArgumentParser(prog="python -m kiosk.ui.naive")
    p.add_argument("--size", required=True)
    p.add_argument("--hold", action="store_true", help="after FRAME, wait for stdin to close")
    opts = p.parse_args(argv)
    w, h = (int(v) for v in opts.size.lower().split("x"))
    app = QApplication([sys.argv[0]])  # as a plain Qt program makes it
    page = NaivePage((w, h))
    page.show()
    give_up = time.monotonic() + 10.0
    while page.windowHandle() is None or not page.windowHandle().isExposed():
        if time.monotonic() > give_up:
            print("never exposed", file=sys.stderr)
            return 1
        app.processEvents()
    page.repaint()  # synchronous: the frame is painted when this returns
    print("FRAME", flush=True)
    if opts.hold:
        sys.stdin.read()  # the page stays shown (and resident) until the reader is done
    return 0


if __name__ == "__main__":
    sys.exit(main())
