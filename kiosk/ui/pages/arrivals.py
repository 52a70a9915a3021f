"""Arrivals page: each line a card, each direction its next two trains, counting down each second."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.held import Held
from kiosk.core.lines import line_for
from kiosk.core.models import Snapshot
from kiosk.core.nodata import NO_TRAINS, TITLES, NoDataText
from kiosk.core.views.arrivals import (
    ArrivalsView,
    DirectionBlock,
    LineBlock,
    TrainRow,
    arrivals_view,
    arrivals_view_until,
)
from kiosk.core.views.common import DataState
from kiosk.ui import theme
from kiosk.ui.pages.base import Page, PageContext, notice_text_until
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, LineBadge, NoDataCard, Panel, Tag, Text


class TrainSlot(Panel):
    """One train: destination (ko/en) and tags on the left; minutes or status on the right."""

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(theme.SURFACE_ALT, 1.0, m, parent)
        self.metrics_pad = m.px(1.6)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(m.px(1.6), m.px(0.8), m.px(1.6), m.px(0.8))
        lay.setSpacing(m.px(1.0))
        left = QVBoxLayout()
        left.setSpacing(0)
        self.dest = BilingualText(m, theme.TITLE, theme.SMALL)
        left.addWidget(self.dest)
        tags = QHBoxLayout()
        tags.setSpacing(m.px(0.8))
        self.express = Tag(m, theme.EXPRESS, "급행 Express")
        self.last = Tag(m, theme.LAST_TRAIN, "막차 Last train")
        tags.addWidget(self.express)
        tags.addWidget(self.last)
        tags.addStretch(1)
        left.addLayout(tags)
        lay.addLayout(left, 5)
        # Right: either "12 분 / min" or a status such as "전역 도착 / At previous station".
        self.minutes = Text(
            m, theme.FIGURE, True, align=Qt.AlignmentFlag.AlignRight, min_units=theme.FIGURE
        )
        self.unit = BilingualText(m, theme.SMALL, theme.SMALL, bold=True)
        self.unit.set_texts("분", "min")
        self.unit.setFixedWidth(m.px(5.5))
        self.status = BilingualText(m, theme.TITLE, theme.SMALL, align=Qt.AlignmentFlag.AlignRight)
        self.minutes.setFixedWidth(m.px(9.5))  # two digits of FIGURE
        lay.addWidget(self.minutes, 0)
        lay.addWidget(self.unit, 0, Qt.AlignmentFlag.AlignVCenter)
        lay.addWidget(self.status, 3)
        # The empty message covers the whole slot (not a layout column), so it is centred and
        # gets the full width whatever the columns above would take.
        self.empty = Text(
            m, theme.BODY, False, theme.TEXT_DIM, align=Qt.AlignmentFlag.AlignCenter, parent=self
        )
        self._mode = ""
        self.show_train(None)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        pad = self.metrics_pad
        h = self.empty.height()
        self.empty.setGeometry(pad, (self.height() - h) // 2, max(1, self.width() - 2 * pad), h)

    def _set_mode(self, mode: str) -> None:
        if mode == self._mode:
            return
        self._mode = mode
        for w, on in (
            (self.minutes, mode == "minutes"),
            (self.unit, mode == "minutes"),
            (self.status, mode == "status"),
            (self.dest, mode != "empty"),
            (self.empty, mode == "empty"),
        ):
            w.setVisible(on)

    def show_train(self, row: TrainRow | None) -> None:
        if row is None:
            self._set_mode("empty")
            self.empty.set_text("열차 정보 없음 · No train information")
            self.express.setVisible(False)
            self.last.setVisible(False)
            return
        self.dest.set_texts(f"{row.destination_ko}행", row.destination_en)
        self.express.setVisible(row.express)
        self.last.setVisible(row.last_train)
        if row.minutes is not None:
            self._set_mode("minutes")
            self.minutes.set_text(str(row.minutes))
        else:
            self._set_mode("status")
            self.status.set_texts(row.status_ko, row.status_en)


class DirectionPanel(QWidget):
    """A direction's label and its train slots."""

    def __init__(self, m: Metrics, slots: int, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(m.px(0.8))
        self.label = Text(m, theme.SMALL, True, theme.TEXT_DIM)
        lay.addWidget(self.label)
        self.slots = [TrainSlot(m) for _ in range(slots)]
        for s in self.slots:
            lay.addWidget(s, 1)

    def show_direction(self, block: DirectionBlock) -> None:
        self.label.set_text(f"{block.label_ko} · {block.label_en}")
        for i, slot in enumerate(self.slots):
            # A direction with no train at all gets one message, not a column of them.
            slot.setVisible(i == 0 or bool(block.trains))
            slot.show_train(block.trains[i] if i < len(block.trains) else None)


class LineCard(Panel):
    """One line: badge and name, then its directions (stacked, or side by side in portrait)."""

    def __init__(self, m: Metrics, line_id: str, parent: QWidget | None = None):
        super().__init__(theme.SURFACE, 1.4, m, parent)
        line = line_for(line_id)
        lay = QVBoxLayout(self)
        pad = m.px(1.6)
        lay.setContentsMargins(pad, pad, pad, pad)
        lay.setSpacing(m.px(1.0))
        head = QHBoxLayout()
        head.setSpacing(m.px(1.2))
        head.addWidget(LineBadge(m, line.colour, line.short, units=5.6))
        self.name = BilingualText(m, theme.TITLE, theme.SMALL)
        self.name.set_texts(line.ko, line.en)
        head.addWidget(self.name, 1)
        lay.addLayout(head)
        # The directions live in one widget, so that hiding it gives the no-data card the
        # whole card (a hidden layout would keep its stretch: the card sat in the lower half).
        self.trains = QWidget()
        dirs = QBoxLayout(
            QBoxLayout.Direction.LeftToRight if m.portrait else QBoxLayout.Direction.TopToBottom,
            self.trains,
        )
        dirs.setContentsMargins(0, 0, 0, 0)
        dirs.setSpacing(m.px(1.2))
        self.directions = [DirectionPanel(m, 2) for _ in range(2)]
        for d in self.directions:
            dirs.addWidget(d, 1)
        lay.addWidget(self.trains, 1)
        self.no_data = NoDataCard(m, *TITLES["arrivals"])
        self.no_data.setVisible(False)
        lay.addWidget(self.no_data, 1)

    def show_line(self, block: LineBlock, state: DataState, why: NoDataText) -> None:
        if not block.has_data:
            self.trains.setVisible(False)
            text = replace(why, reason_ko=NO_TRAINS[0], reason_en=NO_TRAINS[1])
            self.no_data.show_text(text if block.no_trains else why)
            self.no_data.setVisible(True)
            return
        self.no_data.setVisible(False)
        self.trains.setVisible(True)
        for panel, block_dir in zip(self.directions, block.directions, strict=False):
            panel.setVisible(True)
            panel.show_direction(block_dir)


class ArrivalsPage(Page):
    kind = "arrivals"
    title_ko = "열차 도착 정보"
    title_en = "Train arrivals"

    def __init__(
        self, metrics: Metrics, page_id: str, ctx: PageContext, parent: QWidget | None = None
    ):
        super().__init__(metrics, page_id, ctx, parent)
        row = QBoxLayout(
            QBoxLayout.Direction.TopToBottom
            if metrics.portrait
            else QBoxLayout.Direction.LeftToRight
        )
        row.setSpacing(metrics.px(1.6))
        self.cards = [LineCard(metrics, lid) for lid in ctx.lines]
        for c in self.cards:
            row.addWidget(c, 1)
        self.body.addLayout(row, 1)
        self.view: ArrivalsView | None = None
        self._held: Held[ArrivalsView] | None = None  # the last view built

    def refresh(self, now: datetime) -> None:
        state = self.state("subway")
        snap = self.snapshots.get("subway")
        self._show(self._view_at(snap, state, now), state, snap, now)

    def _view_at(self, snap: Snapshot | None, state: DataState, now: datetime) -> ArrivalsView:
        """The view at ``now``: the one built before while it holds (the same snapshot and
        state, and no countdown, departure or place in the order stepped since), else anew."""
        held = self._held
        if held is not None and held.holds((snap, state), now):
            return held.value
        view = arrivals_view(snap, self.ctx.lines, now, state)
        until = arrivals_view_until(snap, self.ctx.lines, now, state)
        self._held = Held((snap, state), now, until, view)
        return view

    def _show(
        self, view: ArrivalsView, state: DataState, snap: Snapshot | None, now: datetime
    ) -> None:
        self.view = view
        self.show_notice(state, snap, now)
        why = self.card_text(snap)
        for card, block in zip(self.cards, view.lines, strict=True):
            card.show_line(block, state, why)

    def tick(self, now: datetime) -> None:
        # Countdowns extrapolate from barvlDt and recptnDt; text only changes at minute steps,
        # so most seconds the view (and the stale mark) come out as shown and nothing is set.
        state = self.state("subway")
        snap = self.snapshots.get("subway")
        view = self._view_at(snap, state, now)
        if self.changed(view, state, snap, now):
            self._show(view, state, snap, now)

    def tick_due(self, now: datetime) -> datetime | None:
        # The view's next step (arrivals_view_until, kept with the view) or the stale mark's.
        held = self._held
        steps = (
            held.until if held is not None else now + timedelta(seconds=1),
            notice_text_until(self.state("subway"), self.snapshots.get("subway"), now),
        )
        return min((t for t in steps if t is not None), default=None)
