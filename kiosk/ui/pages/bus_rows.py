"""The rows of the buses page: a route's badge, direction and its next two buses.

Landscape lays a route out in one line (badge, direction, first bus, second bus); portrait in
two (badge and direction, then the buses). Every size is in units, the texts shrink to fit and
never under the legibility floor; the slots are sized so the demo stations' words all fit.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.format import readable_on
from kiosk.core.views.buses import BusCell, RouteRow
from kiosk.ui import theme
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, Panel, Tag, Text

LOW_FLOOR = "#7FD1FF"  # tag backgrounds (dark text on them); the words say what they mean
ROUTE_UNITS = 4.4  # the route number: bigger than body text, smaller than the minutes


def keep_space(w: QWidget, keep: bool = True) -> None:
    """Whether ``w`` keeps its space in its layout while hidden (nothing else moves)."""
    policy = w.sizePolicy()
    if policy.retainSizeWhenHidden() != keep:
        policy.setRetainSizeWhenHidden(keep)
        w.setSizePolicy(policy)


class RouteBadge(Panel):
    """The route number on its route type's colour, the type in words right under it."""

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(theme.SURFACE_ALT, 1.0, m, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(m.px(0.6), m.px(0.2), m.px(0.6), m.px(0.2))
        lay.setSpacing(0)
        self.number = Text(m, ROUTE_UNITS, True, align=Qt.AlignmentFlag.AlignCenter)
        self.kind = Text(m, theme.SMALL, False, align=Qt.AlignmentFlag.AlignCenter)
        lay.addWidget(self.number)
        lay.addWidget(self.kind)
        # Wide enough for the longest type ("경기 Gyeonggi"); longer route names shrink to fit.
        self.setFixedWidth(m.px(18.5))
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)

    def set_route(self, route: str, kind: str, colour: str) -> None:
        self.set_bg(colour)
        fg = readable_on(colour, theme.TEXT, theme.DARK_TEXT)
        self.number.set_colour(fg)
        self.kind.set_colour(fg)
        self.number.set_text(route)
        self.kind.set_text(kind)
        self.kind.setVisible(bool(kind))


class Mark(Panel):
    """A bus's mark in words on its colour: "저상" over "Low floor" (two lines: narrow)."""

    def __init__(self, m: Metrics, bg: str, ko: str, en: str, parent: QWidget | None = None):
        super().__init__(bg, 0.8, m, parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(m.px(0.7), m.px(0.2), m.px(0.7), m.px(0.2))
        lay.setSpacing(0)
        fg = readable_on(bg, theme.TEXT, theme.DARK_TEXT)
        self.text = BilingualText(
            m,
            theme.SMALL,
            theme.SMALL,
            ko_colour=fg,
            en_colour=fg,
            align=Qt.AlignmentFlag.AlignCenter,
        )
        self.text.set_texts(ko, en)
        lay.addWidget(self.text)
        width = max(
            QFontMetrics(m.font(theme.SMALL, True)).horizontalAdvance(ko),
            QFontMetrics(m.font(theme.SMALL)).horizontalAdvance(en),
        )
        self.setFixedWidth(width + m.px(1.4) + 2)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)


class SlimTag(Tag):
    """A one-line tag with little padding: two of them stack beside a bus's text."""

    def __init__(self, m: Metrics, bg: str, text: str, parent: QWidget | None = None):
        super().__init__(m, bg, text, parent=parent)
        layout = self.layout()
        if layout is not None:  # Tag's own: tighter than its default padding
            layout.setContentsMargins(m.px(0.5), m.px(0.2), m.px(0.5), m.px(0.2))
        self.adjustSize()


class BusSlot(Panel):
    """One coming bus: minutes (or what it is doing), stops away and congestion, its marks.

    Landscape has the width for a mark beside the text, in two lines ("저상" over "Low floor");
    with both marks (a low-floor last bus) they stack as one-line tags. Portrait puts the
    one-line tags beneath the text.
    """

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(theme.SURFACE_ALT, 1.0, m, parent)
        self.m = m
        self.portrait = m.portrait
        outer = QVBoxLayout(self)
        outer.setContentsMargins(m.px(0.6), m.px(0.4), m.px(0.6), m.px(0.4))
        outer.setSpacing(m.px(0.3))
        line = QHBoxLayout()
        line.setSpacing(m.px(0.6))
        self.minutes = Text(
            m, theme.FIGURE, True, align=Qt.AlignmentFlag.AlignRight, min_units=theme.FIGURE
        )
        # Exactly two digits wide, and the unit as wide as its words: the slot has no room
        # to spare (a low-floor last bus needs both marks beside its text).
        self.minutes.setFixedWidth(QFontMetrics(self.minutes.font()).horizontalAdvance("88") + 2)
        self.unit = BilingualText(m, theme.SMALL, theme.SMALL, bold=True)
        self.unit.set_texts("분", "min")
        self.unit.setFixedWidth(
            max(
                QFontMetrics(m.font(theme.SMALL, True)).horizontalAdvance("분"),
                QFontMetrics(m.font(theme.SMALL)).horizontalAdvance("min"),
            )
            + 2
        )
        self.status = BilingualText(m, theme.TITLE, theme.SMALL)
        # Regular weight: the line carries two facts in little room (bold would not fit both).
        self.info = BilingualText(m, theme.SMALL, theme.SMALL, bold=False)
        line.addWidget(self.minutes)
        line.addWidget(self.unit, 0, Qt.AlignmentFlag.AlignVCenter)
        line.addWidget(self.status)
        line.addWidget(self.info, 1)
        # One-line tags: beneath the text in portrait, stacked beside it in landscape.
        self.low_tag = SlimTag(m, LOW_FLOOR, "저상 Low floor")
        self.last_tag = SlimTag(m, theme.LAST_TRAIN, "막차 Last bus")
        tags = QHBoxLayout() if m.portrait else QVBoxLayout()
        tags.setSpacing(m.px(0.4))
        tags.addWidget(self.low_tag)
        tags.addWidget(self.last_tag)
        tags.addStretch(1)
        if m.portrait:
            outer.addLayout(line)
            outer.addLayout(tags)
            for t in (self.low_tag, self.last_tag):
                keep_space(t)
            self.low_mark = self.last_mark = None
        else:
            self.low_mark = Mark(m, LOW_FLOOR, "저상", "Low floor")
            self.last_mark = Mark(m, theme.LAST_TRAIN, "막차", "Last bus")
            line.addWidget(self.low_mark, 0, Qt.AlignmentFlag.AlignVCenter)
            line.addWidget(self.last_mark, 0, Qt.AlignmentFlag.AlignVCenter)
            line.addLayout(tags)
            outer.addLayout(line)
        self._mode = ""

    def _set_mode(self, mode: str) -> None:
        if mode != self._mode:
            self._mode = mode
            self.minutes.setVisible(mode == "minutes")
            self.unit.setVisible(mode == "minutes")
            self.status.setVisible(mode == "status")

    def show_cell(self, cell: BusCell) -> None:
        if cell.minutes is not None:
            self._set_mode("minutes")
            self.minutes.set_text(str(cell.minutes))
        else:
            self._set_mode("status")
            # As wide as its words ("Waiting to depart" is wider than a figure, "곧 도착"
            # narrower): the stops and congestion beside it get the rest.
            need = max(
                QFontMetrics(self.m.font(theme.TITLE, True)).horizontalAdvance(cell.status_ko),
                QFontMetrics(self.m.font(theme.SMALL)).horizontalAdvance(cell.status_en),
            )
            self.status.setFixedWidth(min(need + self.m.px(1.0), self.m.px(26)))
            self.status.set_texts(cell.status_ko, cell.status_en)
        ko = " · ".join(p for p in (cell.detail_ko, cell.congestion_ko) if p)
        en = " · ".join(p for p in (cell.detail_en, cell.congestion_en) if p)
        self.info.set_texts(ko, en)
        both = cell.low_floor and cell.last_bus
        tags = self.portrait or both
        self.low_tag.setVisible(tags and cell.low_floor)
        self.last_tag.setVisible(tags and cell.last_bus)
        if self.low_mark is not None and self.last_mark is not None:
            self.low_mark.setVisible(not tags and cell.low_floor)
            self.last_mark.setVisible(not tags and cell.last_bus)

    def marks(self) -> list[str]:
        """The marks shown, in words (for tests and the screen log)."""
        shown = [w for w in (self.low_tag, self.last_tag, self.low_mark, self.last_mark) if w]
        out = []
        for w in shown:
            if w.isVisibleTo(self):
                out.append(w.label.full_text() if isinstance(w, Tag) else w.text.ko.full_text())
        return out


class RouteLine(Panel):
    """One route: badge and type, direction, then its first and second bus."""

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(theme.SURFACE, 1.2, m, parent)
        pad = m.px(0.6)
        outer = QBoxLayout(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight,
            self,
        )
        outer.setContentsMargins(pad, pad, pad, pad)
        outer.setSpacing(m.px(0.8))
        head = QHBoxLayout()
        head.setSpacing(m.px(1.0))
        self.badge = RouteBadge(m)
        self.direction = BilingualText(m, theme.BODY, theme.SMALL)
        head.addWidget(self.badge, 0, Qt.AlignmentFlag.AlignVCenter)
        head.addWidget(self.direction, 1)
        outer.addLayout(head, 19)
        buses = QHBoxLayout()
        buses.setSpacing(m.px(0.8))
        self.slots = [BusSlot(m), BusSlot(m)]
        for s in self.slots:
            keep_space(s)
            buses.addWidget(s, 1)
        outer.addLayout(buses, 43)
        # Rows share spare height a little (no canyon under the last one), never much.
        self.setMaximumHeight(self.minimumSizeHint().height() * 13 // 10)

    def show_row(self, row: RouteRow) -> None:
        kind = f"{row.type_ko} {row.type_en}" if row.type_ko else ""
        self.badge.set_route(row.route, kind, row.colour)
        self.direction.set_texts(row.direction_ko, row.direction_en)
        for i, slot in enumerate(self.slots):
            slot.setVisible(i < len(row.buses))
            if i < len(row.buses):
                slot.show_cell(row.buses[i])
