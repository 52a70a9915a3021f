"""Buses page: per stop, each route's number on its colour, where it goes, and the next two buses.

As many routes as fit at legible sizes; more are paged through while the page is on screen
(core.views.buses.page_index), never shrunk. Minutes tick each second from the fetch time.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.nodata import NO_STOPS, TITLES
from kiosk.core.views.buses import BusesView, RouteRow, StopSection, buses_view
from kiosk.ui import theme
from kiosk.ui.pages.base import Page, PageContext
from kiosk.ui.pages.bus_rows import RouteLine, keep_space
from kiosk.ui.slices import FrameSlices
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, NoDataCard


class StopCard(QWidget):
    """A stop: its name and number, which of its routes are shown, the routes or why none."""

    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(parent)
        self.m = m
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(m.px(0.8))
        head = QHBoxLayout()
        self.name = BilingualText(m, theme.TITLE, theme.SMALL)
        self.where = BilingualText(
            m, theme.SMALL, theme.SMALL, bold=False, align=Qt.AlignmentFlag.AlignRight
        )
        head.addWidget(self.name, 1)
        head.addWidget(self.where, 1)
        lay.addLayout(head)
        self.rows_box = QVBoxLayout()
        self.rows_box.setSpacing(m.px(0.8))
        # The rows take the spare height first (each grows up to its maximum, see RouteLine),
        # so a full screenful reaches the footer instead of leaving a band of nothing.
        lay.addLayout(self.rows_box, 100)
        self.lines: list[RouteLine] = []
        self.no_data = NoDataCard(m, *TITLES["buses"])
        self.no_data.setVisible(False)
        # Header and rows at the top, the spare height beneath them; the no-data card (shown
        # instead of rows) takes nearly all of it.
        lay.addWidget(self.no_data, 100)
        lay.addStretch(1)

    def _line(self, i: int) -> RouteLine:
        while len(self.lines) <= i:
            line = RouteLine(self.m)
            self.rows_box.addWidget(line, 1)
            self.lines.append(line)
        return self.lines[i]

    def steps(self, s: StopSection) -> list[Callable[[], None]]:
        """Showing ``s`` in steps: the header, then each route line (kiosk/ui/slices.py)."""
        steps: list[Callable[[], None]] = [partial(self._show_head, s)]
        steps += [partial(self._show_row, i, row) for i, row in enumerate(s.rows)]
        return steps

    def _show_row(self, i: int, row: RouteRow) -> None:
        self._line(i).show_row(row)

    def _show_head(self, s: StopSection) -> None:
        self.name.set_texts(s.name_ko, s.name_en)
        last = s.first + len(s.rows) - 1
        if s.rows and len(s.rows) < s.total:
            span_ko, span_en = (
                f"노선 {s.first}–{last} / {s.total}",
                f"routes {s.first}–{last} of {s.total}",
            )
        else:
            span_ko, span_en = f"노선 {s.total}개", f"{s.total} routes"
        # A stop known only by its number is titled "정류소 19008": not the number twice.
        named = s.ars_id not in s.name_ko
        ko = [f"정류소 {s.ars_id}"] if named else []
        en = [f"Stop {s.ars_id}"] if named else []
        if s.total:
            ko.append(span_ko)
            en.append(span_en)
        self.where.set_texts(" · ".join(ko), " · ".join(en))
        # A shorter screenful keeps the rows where they were (the last lines blank): a new
        # screenful then repaints only what changed, and nothing jumps. No rows at all: the
        # no-data card takes their place.
        for i, line in enumerate(self.lines):
            keep_space(line, bool(s.rows))
            line.setVisible(i < len(s.rows))
        self.no_data.set_message(*TITLES["buses"], s.reason)
        self.no_data.setVisible(not s.rows)


class _Area(QWidget):
    """The page's body; tells the page its height, which decides how many routes fit."""

    def __init__(self, on_resize, parent: QWidget | None = None):
        super().__init__(parent)
        self.on_resize = on_resize

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.on_resize(self.height())


class BusesPage(Page):
    kind = "buses"
    title_ko = "버스 도착 정보"
    title_en = "Bus arrivals"
    sources = ("bus",)

    def __init__(
        self, metrics: Metrics, page_id: str, ctx: PageContext, parent: QWidget | None = None
    ):
        super().__init__(metrics, page_id, ctx, parent)
        self.area = _Area(self._area_resized)
        area = QVBoxLayout(self.area)
        area.setContentsMargins(0, 0, 0, 0)
        area.setSpacing(metrics.px(1.6))
        self.cards = {s.ars_id: StopCard(metrics) for s in ctx.bus_stops}
        for card in self.cards.values():
            area.addWidget(card, 1)
            card.setVisible(False)
        self.no_stops = NoDataCard(metrics, *NO_STOPS)
        self.no_stops.set_message(*NO_STOPS, "station.bus_stops")
        self.no_stops.setVisible(not self.cards)
        area.addWidget(self.no_stops, 1)

        self.body.addWidget(self.area, 1)
        self.view: BusesView | None = None
        self._now: datetime | None = None
        self._row_h = self._row_height()
        self.rows_per_page = self._estimate_rows()
        self._shown_at: datetime | None = None
        self.visit = -1
        self.slices = FrameSlices(self)

    # -- how many routes fit ---------------------------------------------------------------
    def _row_height(self) -> int:
        probe = RouteLine(self.metrics)  # every mark shown: the tallest a row gets
        h = probe.minimumSizeHint().height()
        probe.deleteLater()
        return h

    def _estimate_rows(self) -> int:
        # Until the page is laid out: the chrome takes about this share of the screen.
        m = self.metrics
        return self._fit(int(m.height * (0.52 if not m.portrait else 0.70)))

    def _fit(self, height: int) -> int:
        m = self.metrics
        header = m.px(theme.TITLE * 1.2 + theme.SMALL * 1.2) + m.px(0.8)
        rows = (height - header + m.px(0.8)) // (self._row_h + m.px(0.8))
        if self.ctx.max_items:
            rows = min(rows, self.ctx.max_items)
        return max(1, rows)

    def _area_resized(self, height: int) -> None:
        rows = self._fit(height)
        if rows != self.rows_per_page:
            self.rows_per_page = rows
            if self._now is not None:
                self.refresh(self._now)

    def coming(self, at: datetime) -> None:
        self.visit += 1  # a new time on screen: paging starts over (or carries on, see view)
        self._shown_at = at

    # -- data ---------------------------------------------------------------------------
    def refresh(self, now: datetime) -> None:
        self._now = now
        if self._shown_at is None and self.isVisible():
            self._shown_at = now
        view = self._view(now)
        # The view it shows, and nothing of it left to set: there is nothing to do (a turn
        # refreshes the page it made ready for that very moment; ~0.3 ms of setting the same
        # texts on every route row otherwise).
        if self.slices.pending or self._differs(view, now):
            self._show(view, now)

    def _show(self, view: BusesView, now: datetime, sliced: bool = False) -> None:
        """Show ``view``: at once, or (``sliced``, the page on screen) a slice of its route
        lines per frame, so that a new screenful of routes is never one long frame."""
        self.view = view
        self.show_notice(self.state("bus"), self.snapshots.get("bus"), now)
        shown = {s.ars_id: s for s in view.sections}
        steps: list[Callable[[], None]] = []
        for ars_id, card in self.cards.items():
            section = shown.get(ars_id)
            if section is not None:
                steps += card.steps(section)
            steps.append(partial(card.setVisible, section is not None))
        self.slices.run(steps, sliced=sliced and self.isVisible())

    def hideEvent(self, event) -> None:  # noqa: N802 (Qt API)
        self.slices.flush()  # a page off screen is whole: its picture may be made next
        super().hideEvent(event)

    def _view(self, now: datetime) -> BusesView:
        # Never negative: made ready before its turn, the page is refreshed for that moment,
        # and new data may refresh it for the present meanwhile.
        elapsed = max(0.0, (now - self._shown_at).total_seconds()) if self._shown_at else 0.0
        state = self.state("bus")
        snap = self.snapshots.get("bus")
        return buses_view(
            snap,
            self.ctx.bus_stops,
            now,
            state,
            rows_per_page=self.rows_per_page,
            elapsed_s=elapsed,
            duration_s=self.ctx.duration,
            visit=max(0, self.visit),
            why=self.card_text(snap).reason,
        )

    def tick(self, now: datetime) -> None:
        # Minutes run down from each body's fetch time; a sub-page turns on the page's clock.
        # Most seconds the view (and the stale mark) come out as shown: nothing is set.
        self._now = now
        if self._shown_at is None and self.isVisible():
            self._shown_at = now
        view = self._view(now)
        if self._differs(view, now):
            self._show(view, now, sliced=True)

    def _differs(self, view: BusesView, now: datetime) -> bool:
        """Whether ``view`` (or the stale mark at ``now``) differs from what the page shows."""
        return self.changed(view, self.state("bus"), self.snapshots.get("bus"), now)

    def tick_due(self, now: datetime) -> datetime | None:
        # Sub-pages turn and minutes run down on the page's clock: every second, as before.
        return now + timedelta(seconds=1)
