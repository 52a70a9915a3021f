"""Ttareungyi page: the nearest bike stations with bikes to rent and docks to return to."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.format import distance_text
from kiosk.core.nodata import TITLES
from kiosk.core.views.bikes import BikeRow, BikesView, bikes_view
from kiosk.ui import theme
from kiosk.ui.pages.base import Page, PageContext
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, NoDataCard, Panel, Text

BIKE_GREEN = "#5CC77A"


class Count(QWidget):
    """A big number with its bilingual caption underneath ("12" / "대여 가능 Bikes")."""

    def __init__(self, m: Metrics, ko: str, en: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.ko, self.en = ko, en
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.value = Text(
            m, theme.FIGURE, True, align=Qt.AlignmentFlag.AlignRight, min_units=theme.FIGURE
        )
        self.caption = Text(
            m, theme.SMALL, False, theme.TEXT_DIM, f"{ko} {en}", align=Qt.AlignmentFlag.AlignRight
        )
        lay.addWidget(self.value)
        lay.addWidget(self.caption)
        self.setFixedWidth(m.px(25))

    def set_count(self, n: int, none_ko: str, none_en: str) -> None:
        """The count; zero is said in words too ("0" + "대여 불가 · None left"), not by colour alone."""
        self.value.set_text(str(n))
        self.value.set_colour(theme.TEXT if n else theme.STALE)
        self.caption.set_text(f"{self.ko} {self.en}" if n else f"{none_ko} · {none_en}")
        self.caption.set_colour(theme.TEXT_DIM if n else theme.STALE)


class BikeItem(Panel):
    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(theme.SURFACE, 1.2, m, parent)
        # Portrait is narrow: the counts go under the name instead of beside it.
        lay = QBoxLayout(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight,
            self,
        )
        pad = m.px(1.6)
        lay.setContentsMargins(pad, m.px(0.8), pad, m.px(0.8))
        lay.setSpacing(m.px(2))
        self.name = BilingualText(m, theme.BODY, theme.SMALL)
        self.walk = Text(m, theme.SMALL, False, theme.TEXT_DIM)
        left = QVBoxLayout()
        left.setSpacing(0)
        left.addWidget(self.name)
        left.addWidget(self.walk)
        lay.addLayout(left, 1)
        self.bikes = Count(m, "대여 가능", "Bikes")
        self.docks = Count(m, "반납 가능", "Docks")
        counts = QHBoxLayout()
        counts.setSpacing(m.px(2))
        if m.portrait:
            counts.addStretch(1)
        counts.addWidget(self.bikes)
        counts.addWidget(self.docks)
        lay.addLayout(counts)

    def show_row(self, row: BikeRow) -> None:
        self.name.set_texts(row.name_ko, row.name_en)
        self.walk.set_text(
            f"도보 {row.walk_min}분 · {row.walk_min} min walk · {distance_text(row.walk_m)}"
        )
        self.bikes.set_count(row.bikes, "대여 불가", "None left")
        self.docks.set_count(row.docks_free, "반납 불가", "Full")


class BikesPage(Page):
    kind = "bikes"
    title_ko = "따릉이 대여소"
    title_en = "Ttareungyi bike stations nearby"

    def __init__(
        self, metrics: Metrics, page_id: str, ctx: PageContext, parent: QWidget | None = None
    ):
        super().__init__(metrics, page_id, ctx, parent)
        self.content = QWidget()  # hidden as a whole: the no-data card then fills the page
        rows = QVBoxLayout(self.content)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(metrics.px(1.2))
        self.items = [BikeItem(metrics) for _ in range(ctx.max_items or 5)]
        for it in self.items:
            rows.addWidget(it, 1)
        self.body.addWidget(self.content, 1)
        self.no_data = NoDataCard(metrics, *TITLES["bikes"])
        self.body.addWidget(self.no_data, 1)
        self.view: BikesView | None = None

    def refresh(self, now: datetime) -> None:
        state = self.state("bikes")
        snap = self.snapshots.get("bikes")
        v = bikes_view(
            snap.items if snap else (), self.ctx.lat, self.ctx.lon, state, len(self.items)
        )
        self.view = v
        self.show_notice(state, snap, now)
        for item, row in zip(self.items, v.stations + (None,) * len(self.items), strict=False):
            item.setVisible(row is not None)
            if row is not None:
                item.show_row(row)
        self.content.setVisible(bool(v.stations))
        self.no_data.setVisible(not v.stations)
        if not v.stations:
            self.no_data.show_text(self.card_text(snap))
