"""The header (station, lines, clock) and footer (data ages, page indicator) on every page."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.format import clock_text, date_text
from kiosk.core.lines import line_for
from kiosk.core.views.common import DataState, SourceAge
from kiosk.ui import theme
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, LineBadge, Panel, Tag, Text

DEMO_COLOUR = "#B69CFF"  # the demo mark: violet, used by nothing else (dark text on it)
DEMO_MARK = "시연 데이터 · DEMO DATA"
DEMO_NOTE = "녹화된 자료 재생 중 · Recorded data, not live"


class DemoMark(QWidget):
    """The permanent mark of a screen on demo data: a tag, and what it means beside or under it."""

    def __init__(self, metrics: Metrics, stacked: bool, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self) if stacked else QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(metrics.px(0.4) if stacked else metrics.px(1.2))
        self.tag = Tag(metrics, DEMO_COLOUR, DEMO_MARK)
        self.note = Text(metrics, theme.SMALL, False, theme.TEXT_DIM, DEMO_NOTE)
        # Its whole width, measured in the real font: the note is never cut.
        self.note.setMinimumWidth(QFontMetrics(self.note.font()).horizontalAdvance(DEMO_NOTE) + 2)
        lay.addWidget(self.tag, 0, Qt.AlignmentFlag.AlignLeft)
        lay.addWidget(self.note, 0 if stacked else 1)


class Header(Panel):
    """Station name (ko/en), line badges in the official colours, clock and date; on demo data
    the demo mark ("시연 데이터 · DEMO DATA"), on every page, covering nothing: beside the name
    in landscape (the row has room to spare), on a row of its own in portrait."""

    def __init__(
        self,
        metrics: Metrics,
        name_ko: str,
        name_en: str,
        line_ids: Sequence[str],
        parent: QWidget | None = None,
        demo: bool = False,
    ):
        super().__init__(theme.BG, parent=parent)
        m = metrics
        outer = QVBoxLayout(self)
        outer.setContentsMargins(m.px(3), m.px(1.5), m.px(3), m.px(1.0))
        outer.setSpacing(m.px(0.6))
        lay = QHBoxLayout()
        lay.setSpacing(m.px(2))
        outer.addLayout(lay)
        badges = QHBoxLayout()
        badges.setSpacing(m.px(1))
        for lid in line_ids:
            line = line_for(lid)
            badges.addWidget(LineBadge(m, line.colour, line.short, units=6.4))
        lay.addLayout(badges)
        self.name = BilingualText(m, theme.STATION, theme.BODY)
        self.name.set_texts(name_ko, name_en)
        lay.addWidget(self.name, 4)
        self.demo_mark: DemoMark | None = None
        if demo:
            self.demo_mark = DemoMark(m, stacked=not m.portrait)
            if m.portrait:
                outer.addWidget(self.demo_mark)
            else:
                lay.addWidget(self.demo_mark, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(0)
        self.clock = Text(m, theme.CLOCK, True, align=Qt.AlignmentFlag.AlignRight)
        self.date = Text(m, theme.SMALL, False, theme.TEXT_DIM, align=Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.clock)
        right.addWidget(self.date)
        self.date.setMinimumWidth(m.px(44))
        lay.addLayout(right, 3)
        self._minute: tuple[object, ...] | None = None  # the minute the clock shows

    def tick(self, now: datetime) -> None:
        """Update clock and date; only changed text repaints. Both show the minute: the other
        59 seconds of it there is nothing to work out."""
        minute = (now.date(), now.hour, now.minute, now.utcoffset())
        if minute == self._minute:
            return
        self._minute = minute
        self.clock.set_text(clock_text(now))
        ko, en = date_text(now)
        self.date.set_text(f"{ko} · {en}")

    def tick_due(self, now: datetime) -> datetime:
        """When ``tick`` next has something to show: the next minute."""
        return now.replace(second=0, microsecond=0) + timedelta(minutes=1)


class PageDots(QWidget):
    """One dot per page, the current one filled: where in the rotation we are."""

    def __init__(self, metrics: Metrics, count: int, parent: QWidget | None = None):
        super().__init__(parent)
        self.count = count
        self.current = 0
        self._d = metrics.px(1.2)
        # Six pages fill the footer's spare width; a longer rotation packs the dots closer
        # (the "2 / 7" beneath says it in words anyway).
        self._gap = min(
            metrics.px(0.8), max(1, (metrics.px(12) - count * self._d) // max(1, count - 1))
        )
        self.setFixedSize(count * self._d + max(0, count - 1) * self._gap + 4, self._d + 4)

    def set_current(self, index: int) -> None:
        if index != self.current:
            self.current = index
            self.update()

    def paintEvent(self, event) -> None:  # noqa: N802
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        for i in range(self.count):
            r = QRectF(2 + i * (self._d + self._gap), 2, self._d, self._d)
            if i == self.current:
                p.setPen(Qt.PenStyle.NoPen)
                p.setBrush(QColor(theme.TEXT))
            else:
                p.setPen(QColor(theme.TEXT_DIM))
                p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(r.adjusted(1, 1, -1, -1))


LONGEST_AGES = (
    "59분 전 · 59 min ago",
    "23시간 전 · 23 h ago",
    "수신 없음 · none yet",
    "9일 전 · 9 days ago",
)


class AgeItem(QWidget):
    """Footer entry: "열차 Trains" over "2분 전 · 2 min ago"; amber and marked when stale."""

    def __init__(self, metrics: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.name = Text(metrics, theme.SMALL, True, theme.TEXT_DIM)
        self.age = Text(metrics, theme.SMALL, False, theme.TEXT_DIM)
        lay.addWidget(self.name)
        lay.addWidget(self.age)

    def set_age(self, a: SourceAge) -> None:
        if a.state is DataState.FRESH:
            self.name.set_text(f"{a.name_ko} {a.name_en}")
            colour = theme.TEXT_DIM
        elif a.state is DataState.STALE:
            # The page itself says "지연된 정보 · Delayed data" in words; here the mark and colour.
            self.name.set_text(f"▲ {a.name_ko} {a.name_en}")
            colour = theme.STALE
        else:
            self.name.set_text(f"× {a.name_ko} {a.name_en}")
            colour = theme.STALE
        self.age.set_text(f"{a.age_ko} · {a.age_en}")
        self.name.set_colour(colour)
        self.age.set_colour(colour)


class Footer(Panel):
    """Each source's data age, and the page indicator."""

    def __init__(
        self,
        metrics: Metrics,
        sources: Sequence[str],
        page_count: int,
        parent: QWidget | None = None,
    ):
        super().__init__(theme.BG, parent=parent)
        m = metrics
        lay = QHBoxLayout(self)
        lay.setContentsMargins(m.px(3), m.px(0.6), m.px(3), m.px(1.2))
        lay.setSpacing(m.px(2))
        grid = QGridLayout()
        grid.setHorizontalSpacing(m.px(1.2))
        grid.setVerticalSpacing(m.px(0.5))
        # Landscape fits six sources in one row (the screen is 178 units wide); portrait three.
        per_row = 3 if m.portrait else 6
        self.items: dict[str, AgeItem] = {}
        # Wide enough for the longest age text, measured in the real font, so it is never cut.
        fm = QFontMetrics(m.font(theme.SMALL))
        width = max(fm.horizontalAdvance(s) for s in LONGEST_AGES) + 2
        for i, s in enumerate(sources):
            item = AgeItem(m)
            item.setMinimumWidth(width)
            grid.addWidget(item, i // per_row, i % per_row)
            self.items[s] = item
        lay.addLayout(grid, 5)
        lay.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(m.px(0.4))
        self.dots = PageDots(m, page_count)
        self.page_label = Text(
            m, theme.SMALL, False, theme.TEXT_DIM, align=Qt.AlignmentFlag.AlignRight
        )
        self.page_label.setMinimumWidth(m.px(10))
        right.addWidget(self.dots, 0, Qt.AlignmentFlag.AlignRight)
        right.addWidget(self.page_label)
        lay.addLayout(right)

    def set_ages(self, ages: Sequence[SourceAge]) -> None:
        for a in ages:
            item = self.items.get(a.source)
            if item is not None:
                item.set_age(a)

    def set_page(self, index: int, count: int, title: str) -> None:
        self.dots.set_current(index)
        self.page_label.set_text(f"{index + 1} / {count}")
        self.page_label.setToolTip(title)
