"""What every page has: an id, the sources it shows, a stale-data notice, data and tick hooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.format import age_text
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.views.buses import StopSpec
from kiosk.core.views.common import DataState
from kiosk.ui import theme
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, Panel, Text


@dataclass(frozen=True)
class PageContext:
    """What a page needs to know about the station (plain values: pages never see config objects)."""

    lines: tuple[str, ...]
    district: str
    lat: float
    lon: float
    station_ko: str
    max_items: int | None = None
    duration: float = 15.0  # seconds the page stays on screen (a page that pages through more)
    bus_stops: tuple[StopSpec, ...] = ()


_REASONS = {
    FeedStatus.RATE_LIMITED: "호출 한도 초과 · API limit reached",
    FeedStatus.UNAUTHORIZED: "인증키 오류 · API key rejected",
}


def no_data_reason(snapshot: Snapshot | None) -> str:
    """Why a source has nothing to show, in a few words for the no-data card."""
    if snapshot is not None and snapshot.status in _REASONS:
        return _REASONS[snapshot.status]
    if snapshot is not None and snapshot.fetched_at is not None:
        return "정보가 오래됨 · Data too old"
    return "수신 안 됨 · Not received"


class Page(Panel):
    """A page: title row with an optional stale notice, then the page's own body."""

    kind = ""
    title_ko = ""
    title_en = ""
    sources: tuple[str, ...] = ()

    def __init__(
        self, metrics: Metrics, page_id: str, ctx: PageContext, parent: QWidget | None = None
    ):
        super().__init__(theme.BG, parent=parent)
        self.metrics = metrics
        self.page_id = page_id
        self.ctx = ctx
        m = metrics
        outer = QVBoxLayout(self)
        outer.setContentsMargins(m.px(3), m.px(0.5), m.px(3), m.px(0.5))
        outer.setSpacing(m.px(1.2))
        top = QHBoxLayout()
        self.title = BilingualText(m, theme.TITLE, theme.SMALL)
        self.title.set_texts(self.title_ko, self.title_en)
        top.addWidget(self.title, 3)
        self.notice = Text(m, theme.BODY, True, theme.STALE, align=Qt.AlignmentFlag.AlignRight)
        self.notice.setVisible(False)
        top.addWidget(self.notice, 2)
        outer.addLayout(top)
        self.snapshots: dict[str, Snapshot] = {}
        self.states: dict[str, DataState] = {}
        self.body = QVBoxLayout()
        self.body.setSpacing(m.px(1.2))
        outer.addLayout(self.body, 1)

    def set_title(self, ko: str, en: str) -> None:
        self.title.set_texts(ko, en)

    def show_notice(self, state: DataState, snapshot: Snapshot | None, now: datetime) -> None:
        """The visible stale mark: "▲ 지연된 정보 · 5분 전 / Delayed data · 5 min ago"."""
        if state is DataState.STALE and snapshot is not None and snapshot.fetched_at is not None:
            ko, en = age_text(snapshot.fetched_at, now)
            self.notice.set_text(f"▲ {ko} 정보 · Last updated {en}")
            self.notice.setVisible(True)
        elif self.notice.isVisible():
            self.notice.setVisible(False)

    def update_data(
        self, snapshots: Mapping[str, Snapshot], states: Mapping[str, DataState], now: datetime
    ) -> None:
        """New data arrived (or its state changed): keep it and redraw what the page shows."""
        self.snapshots = dict(snapshots)
        self.states = dict(states)
        self.refresh(now)

    def state(self, source: str) -> DataState:
        return self.states.get(source, DataState.NO_DATA)

    def finish_building(self) -> None:
        """Build what the first frame did not need (the air page's chart); most pages: none."""

    def settle(self, timeout_s: float) -> bool:
        """Wait for what the page draws out of process; True when it is current."""
        return True

    def stop_drawing(self) -> None:
        """Stop what the page draws out of process (the window is stopping)."""

    def refresh(self, now: datetime) -> None:
        """Show ``self.snapshots`` as of ``now``; each page kind draws its own body."""

    def tick(self, now: datetime) -> None:
        """Once a second while on screen: update time-dependent text only."""
