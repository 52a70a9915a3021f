"""What every page has: an id, the sources it shows, a stale-data notice, data and tick hooks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.format import age_text, age_text_until
from kiosk.core.models import Snapshot
from kiosk.core.nodata import NoDataText, no_data_text
from kiosk.core.pages import PAGE_KINDS
from kiosk.core.urltemplate import expand
from kiosk.core.views.buses import StopSpec
from kiosk.core.views.common import DataState
from kiosk.ui import theme
from kiosk.ui.qr import QrPanel
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
    station_slug: str = ""  # {station} in a QR url
    qr_url: str = ""  # this page's QR url template ("": no code)
    qr_ko: str = ""  # its label
    qr_en: str = ""
    demo_missing: bool = False  # demo mode, and no recording of this station: say so
    duration: float = 15.0  # seconds the page stays on screen (a page that pages through more)
    bus_stops: tuple[StopSpec, ...] = ()


def no_data_reason(snapshot: Snapshot | None, demo_missing: bool = False) -> str:
    """Why a source has nothing to show, in a few words for the no-data card."""
    return no_data_text("", snapshot, demo_missing).reason


class Page(Panel):
    """A page: title row with an optional stale notice, then the page's own body."""

    kind = ""  # one of kiosk.core.pages.PAGE_KINDS
    title_ko = ""
    title_en = ""

    kept: tuple[str, ...] = ()  # kept histories the page also draws ("air_history")

    @property
    def sources(self) -> tuple[str, ...]:
        """The sources this page shows (declared with its kind in kiosk.core.pages)."""
        return PAGE_KINDS.get(self.kind, ())

    def reads(self, source: str) -> bool:
        """Whether what the page shows depends on ``source``'s snapshot or state."""
        return source in self.sources or source in self.kept

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
        self.view: object | None = None  # the view model (core data) the page shows now
        self.body = QVBoxLayout()
        self.body.setSpacing(m.px(1.2))
        # The QR code gets its own column (a row in portrait) beside the data: never over it.
        content = QBoxLayout(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight
        )
        content.setSpacing(m.px(1.6))
        content.addLayout(self.body, 1)
        self._content = content
        self.qr: QrPanel | None = None
        if ctx.qr_url:
            self.qr = QrPanel(m)
            content.addWidget(self.qr, 0)
        outer.addLayout(content, 1)
        self._update_qr()

    def dock_qr(self, layout: QBoxLayout, column: bool) -> None:
        """Move the page's code into ``layout`` (a page whose body has a better place for it,
        e.g. beside the parks schematic in portrait); a no-op on a page without a code."""
        if self.qr is None:
            return
        self._content.removeWidget(self.qr)
        layout.addWidget(self.qr, 0)
        self.qr.set_column(column)

    def set_title(self, ko: str, en: str) -> None:
        self.title.set_texts(ko, en)

    def show_notice(self, state: DataState, snapshot: Snapshot | None, now: datetime) -> None:
        """The visible stale mark: "▲ 지연된 정보 · 5분 전 / Delayed data · 5 min ago"."""
        text = notice_text(state, snapshot, now)
        if text is not None:
            self.notice.set_text(text)
            self.notice.setVisible(True)
        elif self.notice.isVisible():
            self.notice.setVisible(False)

    def notice_shown(self) -> str | None:
        """The stale mark's text on the page now (None: no mark)."""
        return self.notice.full_text() if self.notice.isVisibleTo(self) else None

    def changed(
        self, view: object, state: DataState, snapshot: Snapshot | None, now: datetime
    ) -> bool:
        """Whether ``view``, and the stale mark as of ``now``, differ from what the page shows
        (a tick with nothing new sets nothing, so Qt repaints nothing)."""
        return view != self.view or notice_text(state, snapshot, now) != self.notice_shown()

    def update_data(
        self, snapshots: Mapping[str, Snapshot], states: Mapping[str, DataState], now: datetime
    ) -> None:
        """New data arrived (or its state changed): keep it and redraw what the page shows."""
        self.snapshots = dict(snapshots)
        self.states = dict(states)
        self.refresh(now)
        self._update_qr()

    def qr_values(self) -> dict[str, str]:
        """The item placeholders this page can fill now ({park}, {ars_id}); most pages: none."""
        return {}

    def _update_qr(self) -> None:
        """Show the page's code for what it shows now; hidden while its item is unknown."""
        if self.qr is None:
            return
        values = {"station": self.ctx.station_slug, "page": self.page_id, **self.qr_values()}
        try:
            url = expand(self.ctx.qr_url, values)
        except KeyError:  # e.g. {park} before any park data: no code rather than a wrong one
            self.qr.setVisible(False)
            return
        self.qr.set_code(url, self.ctx.qr_ko, self.ctx.qr_en)
        self.qr.setVisible(True)

    def state(self, source: str) -> DataState:
        return self.states.get(source, DataState.NO_DATA)

    def card_text(self, snapshot: Snapshot | None) -> NoDataText:
        """This page's no-data card for ``snapshot`` (the same wording on every page)."""
        return no_data_text(self.kind, snapshot, self.ctx.demo_missing)

    def coming(self, at: datetime) -> None:
        """The page comes on screen at ``at`` (a page turn, or made ready for one): what
        counts its time on screen starts there (the buses page's paging); most pages: none."""

    def render_key(self) -> tuple[object, ...]:
        """What the page's picture depends on: two equal keys, two equal pictures (a picture
        made before its turn is shown only if the key has not changed since)."""
        qr = self.qr.code.url if self.qr is not None and self.qr.isVisibleTo(self) else None
        return (
            self.size().toTuple(),
            self.view,
            self.title.isVisibleTo(self),
            self.notice_shown(),
            qr,
            self.drawn_key(),
        )

    def drawn_key(self) -> object:
        """What the page shows beyond its view model (the air page: its chart's picture)."""
        return None

    def finish_building(self) -> None:
        """Build what the first frame did not need (the air page's chart); most pages: none."""

    def settle(self, timeout_s: float) -> bool:
        """Wait for what the page draws out of process; True when it is current."""
        return True

    def unsettled(self) -> str | None:
        """Why what the page draws out of process is not current (one line); None if it is."""
        return None

    def stop_drawing(self) -> None:
        """Stop what the page draws out of process (the window is stopping)."""

    def left_screen(self) -> None:
        """The page left the screen a moment ago (the turn that took it off is over): let go
        of what it keeps only for being on screen (the parks page: its schematic's picture)."""

    def refresh(self, now: datetime) -> None:
        """Show ``self.snapshots`` as of ``now``; each page kind draws its own body."""

    def tick(self, now: datetime) -> None:
        """While on screen, at least by ``tick_due``: update time-dependent text only."""

    def tick_due(self, now: datetime) -> datetime | None:
        """When ``tick`` next has something to show, after the tick at ``now`` (None: nothing
        until new data or a state change, which ``update_data`` shows). A page that overrides
        ``tick`` says so here too; the window, when it need not wake every second, wakes then.
        """
        return None


def notice_text_until(
    state: DataState, snapshot: Snapshot | None, now: datetime
) -> datetime | None:
    """When ``notice_text`` for the same state and snapshot can next differ from its text at
    ``now`` (None: not before they change): the next step of the age it shows."""
    since = _stale_since(state, snapshot)
    return age_text_until(since, now) if since is not None else None


def notice_text(state: DataState, snapshot: Snapshot | None, now: datetime) -> str | None:
    """The stale mark's text for data in ``state`` as of ``now`` (None: no mark)."""
    since = _stale_since(state, snapshot)
    if since is None:
        return None
    ko, en = age_text(since, now)
    return f"▲ {ko} 정보 · Last updated {en}"


def _stale_since(state: DataState, snapshot: Snapshot | None) -> datetime | None:
    """The fetch time the stale mark counts its age from (None: no mark)."""
    return snapshot.fetched_at if state is DataState.STALE and snapshot is not None else None
