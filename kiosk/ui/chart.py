"""The one chart: PM10 and PM2.5 over the last 24 hours (pyqtgraph, configured once).

Drawn in a process of its own (``kiosk.ui.chart_render``); the kiosk shows the picture.
"""

from __future__ import annotations

import math

import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from kiosk.core.views.air import TrendSeries
from kiosk.ui import theme
from kiosk.ui.theme import Metrics

_CONFIGURED = False
PM10_COLOUR = theme.PM10_COLOUR
PM25_COLOUR = theme.PM25_COLOUR


def _configure_once() -> None:
    global _CONFIGURED
    if not _CONFIGURED:
        pg.setConfigOptions(antialias=True, background=theme.SURFACE, foreground=theme.TEXT_DIM)
        _CONFIGURED = True


def _series(xs: tuple[float, ...], ys: tuple[float | None, ...]) -> tuple[list[float], list[float]]:
    # Missing readings become NaN so the line breaks instead of dropping to zero.
    return list(xs), [math.nan if y is None else float(y) for y in ys]


class TrendChart(pg.PlotWidget):
    """PM10 (solid white) and PM2.5 (dashed blue): told apart by line style, not colour alone."""

    def __init__(self, metrics: Metrics, parent: QWidget | None = None):
        _configure_once()
        super().__init__(parent=parent)
        self.bg = theme.SURFACE
        m = metrics
        self.setMenuEnabled(False)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        item = self.getPlotItem()
        item.setContentsMargins(m.px(0.5), m.px(1.0), m.px(1.5), m.px(0.5))
        font = m.font(theme.SMALL)
        for name in ("left", "bottom"):
            ax = item.getAxis(name)
            ax.setStyle(tickFont=font, tickTextOffset=m.px(0.8), tickLength=-m.px(0.6))
            ax.setPen(pg.mkPen(theme.TEXT_DIM, width=max(1, m.px(0.12))))
            ax.setTextPen(pg.mkPen(theme.TEXT_DIM))
        item.getAxis("left").setWidth(m.px(7))
        item.getAxis("bottom").setHeight(m.px(4.6))
        item.showGrid(x=False, y=True, alpha=0.18)
        item.getAxis("left").setStyle(maxTickLevel=0)  # major ticks only: fewer lines to read
        item.setXRange(-25.2, 1.2, padding=0)  # room for a label on a tick at either end
        width = max(2, m.px(0.45))
        self.pm10 = item.plot([], [], pen=pg.mkPen(PM10_COLOUR, width=width), connect="finite")
        pen25 = pg.mkPen(PM25_COLOUR, width=width, style=Qt.PenStyle.DashLine)
        self.pm25 = item.plot([], [], pen=pen25, connect="finite")

    def set_series(self, s: TrendSeries) -> None:
        self.getPlotItem().getAxis("bottom").setTicks([list(s.ticks)])
        self.pm10.setData(*_series(s.x_hours, s.pm10))
        self.pm25.setData(*_series(s.x_hours, s.pm25))
        values = [v for v in (*s.pm10, *s.pm25) if v is not None]
        top = max(values) if values else 50.0
        self.getPlotItem().setYRange(0, max(40.0, top * 1.15), padding=0)
