"""Air-quality page: PM10 and PM2.5 tiles with grade in words and colour, and a 24-hour trend."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.nodata import TITLES
from kiosk.core.views.air import AirView, PollutantTile, air_view
from kiosk.core.views.common import DataState
from kiosk.ui import theme
from kiosk.ui.chart_view import TrendImage
from kiosk.ui.pages.base import Page, PageContext
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, NoDataCard, Panel, Tag, Text

STALE_CHART = timedelta(hours=2)  # a picture this far behind the data is not shown


def _fmt(v: float | None) -> str:
    return "—" if v is None else f"{v:.0f}"


class PollutantCard(Panel):
    """Name, big value with unit, and the grade as a coloured tag with words."""

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(theme.SURFACE, 1.4, m, parent)
        lay = QVBoxLayout(self)
        pad = m.px(2.0)
        lay.setContentsMargins(pad, pad, pad, pad)
        lay.setSpacing(m.px(0.6))
        top = QHBoxLayout()
        self.name = BilingualText(m, theme.TITLE, theme.SMALL)
        top.addWidget(self.name, 1)
        self.grade = Tag(m, theme.NO_GRADE_COLOUR, "", units=theme.TITLE)
        top.addWidget(self.grade, 0, Qt.AlignmentFlag.AlignTop)
        lay.addLayout(top)
        lay.addStretch(1)
        row = QHBoxLayout()
        row.setSpacing(m.px(1.2))
        self.value = Text(m, theme.HERO, True, min_units=theme.FIGURE)
        self.value.setFixedWidth(m.px(20))
        self.unit = Text(m, theme.SMALL, False, theme.TEXT_DIM)
        self.unit.set_text("㎍/㎥")
        self.unit.setFixedWidth(m.px(9))
        row.addWidget(self.value)
        row.addWidget(self.unit, 0, Qt.AlignmentFlag.AlignBottom)
        row.addStretch(1)
        lay.addLayout(row)
        lay.addStretch(1)

    def show_tile(self, tile: PollutantTile) -> None:
        self.name.set_texts(tile.name_ko, tile.name_en)
        text = _fmt(tile.value)
        # The width the figure takes at its full size, measured in that font (not in the font
        # the label has now, which depends on the texts it showed before).
        v = self.value
        fm = QFontMetrics(v.metrics.font(v.units, v.bold))
        v.setFixedWidth(fm.horizontalAdvance(text) + v.metrics.px(0.6))
        v.set_text(text)
        colour = theme.GRADE_COLOURS.get(tile.grade or "", theme.NO_GRADE_COLOUR)
        self.grade.set_tag(f"{tile.grade_ko} {tile.grade_en}", colour)


class AirPage(Page):
    kind = "air_quality"
    kept = ("air_history",)
    title_ko = "대기질"
    title_en = "Air quality"

    def __init__(
        self, metrics: Metrics, page_id: str, ctx: PageContext, parent: QWidget | None = None
    ):
        super().__init__(metrics, page_id, ctx, parent)
        m = metrics
        # Everything the data fills sits in one widget: hidden, it leaves the page to the
        # no-data card (a hidden layout keeps its stretch: the card sat in the lower half).
        self.content = QWidget()
        content = QVBoxLayout(self.content)
        content.setContentsMargins(0, 0, 0, 0)
        content.setSpacing(m.px(1.2))
        self.where = Text(m, theme.BODY, True, theme.TEXT)
        content.addWidget(self.where)
        row = QBoxLayout(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight
        )
        row.setSpacing(m.px(1.6))
        tiles = QBoxLayout(
            QBoxLayout.Direction.LeftToRight if m.portrait else QBoxLayout.Direction.TopToBottom
        )
        tiles.setSpacing(m.px(1.6))
        self.pm10 = PollutantCard(m)
        self.pm25 = PollutantCard(m)
        tiles.addWidget(self.pm10, 1)
        tiles.addWidget(self.pm25, 1)
        row.addLayout(tiles, 2 if not m.portrait else 1)
        chart_card = Panel(theme.SURFACE, 1.4, m)
        cl = QVBoxLayout(chart_card)
        pad = m.px(1.6)
        cl.setContentsMargins(pad, pad, pad, pad)
        cl.setSpacing(m.px(0.6))
        head = QHBoxLayout()
        self.chart_title = BilingualText(m, theme.BODY, theme.SMALL)
        self.chart_title.set_texts("최근 24시간", "Last 24 hours, ㎍/㎥")
        head.addWidget(self.chart_title, 1)
        legend = QVBoxLayout()
        legend.setSpacing(0)
        self.legend10 = Text(
            m,
            theme.SMALL,
            True,
            theme.PM10_COLOUR,
            "━━ 미세먼지 PM10",
            align=Qt.AlignmentFlag.AlignRight,
        )
        self.legend25 = Text(
            m,
            theme.SMALL,
            True,
            theme.PM25_COLOUR,
            "╍╍ 초미세먼지 PM2.5",
            align=Qt.AlignmentFlag.AlignRight,
        )
        legend.addWidget(self.legend10)
        legend.addWidget(self.legend25)
        head.addLayout(legend, 1)
        cl.addLayout(head)
        # A picture drawn by another process (kiosk.ui.chart_view), from finish_building() on:
        # the drawing process need not compete with the first frame.
        self.chart = TrendImage((m.width, m.height))
        self.chart.failed.connect(lambda _error: self._show_trend())
        self.chart.changed.connect(self._show_trend)
        cl.addWidget(self.chart, 1)
        self._chart_card = chart_card
        self.chart_empty = NoDataCard(m, "측정 기록 없음", "No readings recorded yet")
        self.chart_empty.setVisible(False)
        cl.addWidget(self.chart_empty, 1)
        row.addWidget(chart_card, 3 if not m.portrait else 2)
        content.addLayout(row, 1)
        self.body.addWidget(self.content, 1)
        self.no_data = NoDataCard(m, *TITLES["air_quality"])
        self.no_data.setVisible(False)
        self.body.addWidget(self.no_data, 1)
        self.view: AirView | None = None
        self._row = row

    def finish_building(self) -> None:
        """Let the 24-hour chart be drawn (after the first frame), at the size it will have
        when the page shows, so the picture is ready before then."""
        self._lay_out_hidden()
        self.chart.activate()

    def _lay_out_hidden(self) -> None:
        # A stack sizes only the page it shows, and a hidden widget's layout waits for its
        # show: give the page the stack's size and lay out down to the chart now.
        parent = self.parentWidget()
        if parent is not None and not self.isVisible():
            self.setGeometry(parent.contentsRect())
        for lay in (self.layout(), self.content.layout(), self._chart_card.layout()):
            if lay is not None:
                lay.invalidate()
                lay.activate()

    def showEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.chart.activate()  # shown before finish_building (a test, a quick reload): draw
        super().showEvent(event)

    def left_screen(self) -> None:
        self.chart.let_go()

    def stop_drawing(self) -> None:
        self.chart.stop()

    def settle(self, timeout_s: float) -> bool:
        """Wait for a chart drawing in progress (snapshots); True if the chart is current."""
        self._lay_out_hidden()
        done = self.chart.wait(timeout_s)
        self._show_trend()
        return done

    def unsettled(self) -> str | None:
        return self.chart.problem()

    def refresh(self, now: datetime) -> None:
        state = self.state("air")
        current = self.snapshots.get("air")
        history = self.snapshots.get("air_history")
        v = air_view(
            current.items if current else (),
            history.items if history else (),
            self.ctx.district,
            now,
            state,
        )
        self.view = v
        self.show_notice(v.state, current, now)
        if v.measured_at is None:
            when_ko = when_en = "—"
        elif v.measured_at.date() == now.date():
            when_ko = when_en = v.measured_at.strftime("%H:%M")
        else:  # yesterday's reading must not pass for today's
            when_ko = f"{v.measured_at.month}.{v.measured_at.day} {v.measured_at:%H:%M}"
            when_en = f"{v.measured_at.day}/{v.measured_at.month} {v.measured_at:%H:%M}"
        self.where.set_text(
            f"{v.district_ko} {v.district_en} · {when_ko} 측정 · Measured {when_en}"
        )
        has = v.state is not DataState.NO_DATA
        self.pm10.show_tile(v.pm10)
        self.pm25.show_tile(v.pm25)
        self.content.setVisible(has)
        self.no_data.setVisible(not has)
        if not has:
            self.no_data.show_text(self.card_text(current))
        self._show_trend()

    def drawn_key(self) -> object:
        # The chart's picture arrives from its drawing process on its own time.
        return (self.chart.renders, self.chart.error, self.chart.isVisibleTo(self))

    def _show_trend(self) -> None:
        trend = self.view.trend if self.view is not None else None
        has_trend = trend is not None and len(trend.x_hours) >= 2
        if trend is not None and has_trend:
            self.chart.set_series(trend)
        shown = self.chart.picture_series
        # Failing, with no picture or one whose hours are two or more behind: say so rather
        # than show an old day as the last 24 hours.
        outdated = (
            shown is None
            or trend is None
            or (
                shown.end is not None
                and trend.end is not None
                and trend.end - shown.end >= STALE_CHART
            )
        )
        broken = has_trend and self.chart.error is not None and outdated
        self.chart.setVisible((has_trend or self.view is None) and not broken)
        self.chart_empty.setVisible(self.view is not None and (not has_trend or broken))
        if broken:
            self.chart_empty.set_message("차트를 그리지 못함", "Chart unavailable")
        elif self.view is not None and not has_trend:
            self.chart_empty.set_message("측정 기록 없음", "No readings recorded yet")
