"""Events page: cultural events in the district this week, soonest first."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.nodata import TITLES
from kiosk.core.views.common import DataState
from kiosk.core.views.events import EventRow, EventsView, events_view
from kiosk.ui import theme
from kiosk.ui.pages.base import Page, PageContext
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, NoDataCard, Panel, Tag, Text

FREE_COLOUR = "#5CC77A"
PAID_COLOUR = "#C3CEDF"


class EventItem(Panel):
    def __init__(self, m: Metrics, parent: QWidget | None = None):
        super().__init__(theme.SURFACE, 1.2, m, parent)
        lay = QHBoxLayout(self)
        pad = m.px(1.6)
        lay.setContentsMargins(pad, m.px(0.8), pad, m.px(0.8))
        lay.setSpacing(m.px(2))
        left = QVBoxLayout()
        left.setSpacing(0)
        self.title = Text(m, theme.BODY, True)
        self.meta = Text(m, theme.SMALL, False, theme.TEXT_DIM)
        self.place = Text(m, theme.SMALL, False, theme.TEXT_DIM)
        self.place_en = Text(m, theme.SMALL, False, theme.TEXT_DIM)
        for w in (self.title, self.meta, self.place, self.place_en):
            left.addWidget(w)
        lay.addLayout(left, 1)
        right = QVBoxLayout()
        right.setSpacing(m.px(0.4))
        self.when = BilingualText(m, theme.BODY, theme.SMALL, align=Qt.AlignmentFlag.AlignRight)
        self.when.setFixedWidth(m.px(36))
        self.fee = Tag(m, FREE_COLOUR, "무료 Free")
        right.addWidget(self.when)
        right.addWidget(self.fee, 0, Qt.AlignmentFlag.AlignRight)
        lay.addLayout(right)

    def show_row(self, row: EventRow) -> None:
        self.title.set_text(row.title)
        self.meta.set_text(f"{row.category_ko} · {row.category_en}")
        district = f"{row.district_ko} {row.district_en}" if row.district_ko else ""
        where_ko = " · ".join(x for x in (district, row.place_ko) if x)
        where_en = row.place_en
        self.place.set_text(where_ko)
        self.place_en.set_text(where_en)
        self.when.set_texts(row.when_ko, row.when_en)
        self.fee.setVisible(row.free is not None)
        if row.free is not None:
            self.fee.set_tag(
                "무료 Free" if row.free else "유료 Paid", FREE_COLOUR if row.free else PAID_COLOUR
            )


class EventsPage(Page):
    kind = "events"
    title_ko = "이번 주 문화 행사"
    title_en = "Cultural events this week"

    def __init__(
        self, metrics: Metrics, page_id: str, ctx: PageContext, parent: QWidget | None = None
    ):
        super().__init__(metrics, page_id, ctx, parent)
        self.content = QWidget()  # hidden as a whole: the no-data card then fills the page
        rows = QVBoxLayout(self.content)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(metrics.px(1.2))
        self.items = [
            EventItem(metrics) for _ in range(ctx.max_items or (7 if metrics.portrait else 4))
        ]
        for it in self.items:
            rows.addWidget(it, 0)
        rows.addStretch(1)  # a short week stays at the top
        self.body.addWidget(self.content, 1)
        self.no_data = NoDataCard(metrics, *TITLES["events"])
        self.body.addWidget(self.no_data, 1)
        self.view: EventsView | None = None

    def refresh(self, now: datetime) -> None:
        state = self.state("events")
        snap = self.snapshots.get("events")
        v = events_view(
            snap.items if snap else (),
            self.ctx.district,
            now,
            state,
            len(self.items),
            self.ctx.lat,
            self.ctx.lon,
        )
        self.view = v
        self.set_title(
            f"이번 주 문화 행사 · {v.district_ko} 주변",
            f"Cultural events this week in and near {v.district_en}",
        )
        self.show_notice(state, snap, now)
        for item, row in zip(self.items, v.events + (None,) * len(self.items), strict=False):
            item.setVisible(row is not None)
            if row is not None:
                item.show_row(row)
        self.content.setVisible(bool(v.events))
        self.no_data.setVisible(not v.events)
        if not v.events and state is DataState.NO_DATA:
            self.no_data.show_text(self.card_text(snap))
        elif not v.events:  # the data is there and has nothing this week: not a failure
            self.no_data.set_message("이번 주 행사 없음", "No events this week")
