"""The kiosk window: header, rotating pages with a cross-fade, footer; driven by a tick.

The tick runs once a second while anything moves on its own: a rotation, a fade or a turn, a
notice. A screen that only shows one page (one page in the layout, the rotation stopped) has
nothing to do most seconds: its timer (kiosk/ui/ticker.py) sleeps until the next moment
anything it shows can change (``_next_change``: the clock's minute, an age's step, a state's
threshold, the page's own next step, the pixel shift's), and wakes at once when new data or
notices come or a page is shown. The notices are read on their own wake-ups
(kiosk/ops/notice_wake.py), not on the tick.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from PySide6.QtCore import QVariantAnimation, Signal
from PySide6.QtGui import QColor, QPainter, QRegion
from PySide6.QtWidgets import QVBoxLayout, QWidget

from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.models import Notice, Snapshot
from kiosk.core.pages import PAGE_KINDS
from kiosk.core.pixelshift import Offset, next_step_at, offset_at
from kiosk.core.rotation import position_at
from kiosk.core.source_states import SourceStates
from kiosk.core.views.common import DataState, footer_sources
from kiosk.ui import theme
from kiosk.ui.chrome import Footer, Header
from kiosk.ui.notice_layer import NoticeLayer
from kiosk.ui.page_stack import PageStack
from kiosk.ui.pages.air import AirPage
from kiosk.ui.pages.arrivals import ArrivalsPage
from kiosk.ui.pages.base import Page, PageContext
from kiosk.ui.pages.bikes import BikesPage
from kiosk.ui.pages.buses import BusesPage
from kiosk.ui.pages.events import EventsPage
from kiosk.ui.pages.parks import ParksPage
from kiosk.ui.scene import Scene
from kiosk.ui.theme import Metrics
from kiosk.ui.ticker import Ticker
from kiosk.ui.turns import LEAD_S, PageTurner
from kiosk.ui.widgets import Panel
from kiosk.ui.window_setup import WindowSetup

GLYPH_FLUSH_S = 3600.0  # how often Qt's glyph caches are emptied (from the tick)

PAGE_TYPES: dict[str, type[Page]] = {
    cls.kind: cls for cls in (ArrivalsPage, BusesPage, AirPage, ParksPage, BikesPage, EventsPage)
}
if set(PAGE_TYPES) != set(PAGE_KINDS):  # a kind without a page (or a page of no kind) is a bug
    raise ImportError(f"page classes {sorted(PAGE_TYPES)} != page kinds {sorted(PAGE_KINDS)}")


class KioskWindow(Panel):
    """The whole screen. ``clock`` gives wall time (KST), ``monotonic`` drives the rotation."""

    page_changed = Signal(str)

    def __init__(
        self,
        setup: WindowSetup,
        size: tuple[int, int],
        clock: Callable[[], datetime],
        monotonic: Callable[[], float] = time.monotonic,
        parent: QWidget | None = None,
    ):
        theme.load_fonts()
        super().__init__(theme.BG, parent=parent)
        self.setup = setup
        self.clock = clock
        self.monotonic = monotonic
        self._glyphs_flushed_at: float | None = None
        self.glyph_flushes = 0
        self.metrics = m = Metrics(*size)
        self.resize(*size)
        self.setWindowTitle(f"Station Kiosk — {setup.station_ko} {setup.station_en}")
        # The scene is laid out inside the margin the pixel shift moves it in, so nothing on it
        # ever leaves the panel's visible area.
        self.scene = Scene(self, setup.shift_pixels, self._shift_offset(clock()))
        lay = QVBoxLayout(self.scene)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.header = Header(m, setup.station_ko, setup.station_en, setup.lines, demo=setup.demo)
        lay.addWidget(self.header)
        self.stack = PageStack()
        station = PageContext(
            lines=setup.lines,
            district=setup.district,
            lat=setup.lat,
            lon=setup.lon,
            station_ko=setup.station_ko,
            station_slug=setup.station_slug,
            demo_missing=setup.demo and not setup.demo_recorded,
            bus_stops=setup.bus_stops,
        )
        self.pages: list[Page] = []
        for ps in setup.pages:
            page = PAGE_TYPES[ps.kind](
                m,
                ps.page_id,
                replace(
                    station,
                    max_items=ps.max_items,
                    duration=ps.duration,
                    qr_url=ps.qr_url,
                    qr_ko=ps.qr_ko,
                    qr_en=ps.qr_en,
                ),
            )
            self.pages.append(page)
            self.stack.addWidget(page)
        lay.addWidget(self.stack, 1)
        sources: list[str] = []
        for page in self.pages:
            sources += [s for s in page.sources if s not in sources]
        self.sources = tuple(sources)
        policies = {s: FreshnessPolicy(*setup.freshness[s]) for s in self.sources}
        self.source_states = SourceStates(self.sources, policies, setup.labels)
        self.footer = Footer(m, footer_sources(self.sources), len(self.pages))
        lay.addWidget(self.footer)
        self.scene.parts = lambda: [
            w for w in (self.header, self.stack.currentWidget(), self.footer) if w is not None
        ]
        self.fade = QVariantAnimation(self)
        self.fade.setStartValue(1.0)
        self.fade.setEndValue(0.0)
        self.fade.setDuration(max(1, setup.transition_ms))
        self.fade.valueChanged.connect(self.set_fade)
        self.fade.finished.connect(self.end_fade)
        self.index = 0
        self._rotating = True
        self.rotation_start = monotonic()  # the rotation runs on monotonic() - rotation_start
        # Every second while anything moves; else asleep until what is shown can change.
        self.ticker = Ticker(self, lambda: self.clock(), self.tick, self._moving)
        self.ticks = 0  # full ticks run (tests count them)
        # The pages a switch took off the screen: they let go of what they keep for it after
        # the turn (the first tick with no turn on screen), not in its frame.
        self._left: list[Page] = []
        self._on_stack: QWidget | None = self.stack.currentWidget()
        # The next page made ready before its turn, and the turn drawn from pictures.
        self.turner = PageTurner(self)
        self.cover = self.turner.cover
        self._switching = False  # the window itself is switching the stack's page
        self.stack.currentChanged.connect(self._stack_changed)
        self.notice_layer = NoticeLayer(self)  # builds its widgets on the first notice
        self.resize(*size)
        self.scene.place()
        self._show_index(0, animate=False, now=clock())
        self.tick()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        # Only the margin the scene moves in is the window's own to paint.
        uncovered = QRegion(event.region()) - QRegion(self.scene.geometry())
        if not uncovered.isEmpty():
            p = QPainter(self)
            p.setClipRegion(uncovered)
            p.fillRect(uncovered.boundingRect(), QColor(self.bg))

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self.turner.stop()  # pictures of the old size are of no use
        self.scene.place()
        self._unquiet()

    def _shift_offset(self, now: datetime) -> Offset:
        """Where the pixel shift puts the scene at ``now`` (wall time: steady across restarts)."""
        return offset_at(now.timestamp(), self.setup.shift_pixels, self.setup.shift_every_s)

    # --- data --------------------------------------------------------------------------

    def apply_snapshot(self, snap: Snapshot) -> None:
        """New data for one source (GUI thread; worker threads go through the Bridge)."""
        self.apply_snapshots((snap,))

    def apply_snapshots(self, snaps: Sequence[Snapshot]) -> None:
        new_data = self.source_states.put(snaps)
        self._unquiet()  # the pages' next steps move with their data
        self._refresh_states(self.clock(), new_data)
        self.turner.data_changed()  # the page being made ready may be drawn again

    @property
    def snapshots(self) -> dict[str, Snapshot]:
        """The last snapshot of each source (the bench, a reload and tests read them)."""
        return self.source_states.snapshots

    @property
    def states(self) -> dict[str, DataState]:
        """Each source's state as last judged."""
        return self.source_states.states

    def _refresh_states(self, now: datetime, new_data: Sequence[str] = ()) -> None:
        """Judge every source at ``now``; the pages that show a source with new data, or whose
        state changed, show it again (the others show nothing that changed)."""
        touched = self.source_states.judge(now, new_data)
        if touched:
            for page in self.pages:
                if any(page.reads(s) for s in touched):
                    page.update_data(self.source_states.snapshots, self.source_states.states, now)
        ages = self.source_states.ages(now, changed=bool(touched))
        if ages is not None:
            self.footer.set_ages(ages)

    def set_notices(self, notices: Sequence[Notice]) -> None:
        """The notices in force, most severe first (GUI thread); () when there are none."""
        self.notice_layer.set_notices(notices, self.clock())
        self._unquiet()
        self._end_turn_under_takeover()

    def _end_turn_under_takeover(self) -> None:
        # A takeover paints over the stack: a turn's fade builds on the pixels there.
        takeover = self.notice_layer.takeover
        if takeover is not None and takeover.isVisible():
            self.turner.stop()

    def finish_building(self) -> None:
        """Build what the first frame did not need (the air page's chart)."""
        for page in self.pages:
            page.finish_building()

    def settle(self, timeout_s: float = 30.0) -> bool:
        """Finish what pages draw out of process (the chart) before a snapshot or a timing."""
        return all([page.settle(timeout_s) for page in self.pages])  # every page, no short cut

    def unsettled(self) -> list[str]:
        """What is not current after ``settle`` (one line each, naming its page)."""
        return [f"{p.page_id}: {why}" for p in self.pages if (why := p.unsettled()) is not None]

    # --- rotation ------------------------------------------------------------------------

    def current_page(self) -> Page:
        return self.pages[self.index]

    def _show_index(self, index: int, animate: bool, now: datetime) -> None:
        turn = (
            animate
            and self.isVisible()
            and index != self.index
            and self.stack.currentWidget() is not None
        )
        page = self.pages[index]
        if page is not self.stack.currentWidget() and not self.turner.prepared_for(index):
            page.coming(now)
        when = self.turner.turn_time(index, now)
        if not turn:
            self.turner.stop()
        # A page made ready for this moment shows it already: refreshing it again would set
        # every label to what it holds (~1 ms of the turn's frame for a page of rows).
        current = turn and self.turner.shows(index, when)
        self._switching = True
        self.stack.setCurrentIndex(index)
        self._switching = False
        self.index = index
        self._unquiet()
        if not current:
            page.refresh(when)
        self.footer.set_page(index, len(self.pages), f"{page.title_ko} {page.title_en}")
        fade = self.setup.transition_ms > 0
        if turn and self.turner.begin(page, fade) and fade:
            self.fade.stop()
            self.fade.start()
        self.page_changed.emit(page.page_id)

    def show_index(self, index: int, animate: bool = False) -> None:
        """Show the page at ``index``, refreshed for now; with the cross-fade if ``animate``
        (what the rotation does; the bench times it)."""
        self._show_index(index, animate, self.clock())

    def show_page(self, page_id: str) -> None:
        """Jump to a page without animation (snapshots, tests)."""
        for i, p in enumerate(self.pages):
            if p.page_id == page_id:
                self.show_index(i, animate=False)
                return
        raise KeyError(page_id)

    def set_fade(self, value: float) -> None:
        """One cross-fade frame: the old page at opacity ``value`` over the new one (the
        animation calls this, from 1 down to 0; the bench holds it and calls this itself)."""
        self.turner.fade_to(1.0 - float(value))

    def end_fade(self) -> None:
        """The cross-fade is over (or cut short): the new page shows in full, and is handed
        back to its widgets, a strip per frame."""
        self.fade.stop()
        self.turner.fade_over()

    def end_turn(self) -> None:
        """End a page turn at once: the live page shows (its pictures freed)."""
        self.turner.finish()

    def _stack_changed(self, index: int) -> None:
        # A page put on the stack by someone else (the notice page): no turn covers it.
        if not self._switching:
            self.turner.stop()
        left, self._on_stack = self._on_stack, self.stack.widget(index)
        if isinstance(left, Page) and left not in self._left:
            self._left.append(left)

    def _maybe_flush_glyphs(self) -> None:
        """About once an hour, from the tick (never mid-fade): let Qt forget the glyphs it has
        drawn, so months of changing Korean text cannot pile up (theme.flush_glyph_caches).
        Also with a one-page layout or the rotation stopped."""
        now = self.monotonic()
        if self._glyphs_flushed_at is None:
            self._glyphs_flushed_at = now
        elif now - self._glyphs_flushed_at >= GLYPH_FLUSH_S:
            self._glyphs_flushed_at = now
            self.glyph_flushes += theme.flush_glyph_caches()

    # --- the tick ------------------------------------------------------------------------

    def tick(self) -> None:
        """Clock, countdowns, data ages, and the page the rotation says is due (once a second,
        or, while nothing moves on its own, at the next moment any of it can change)."""
        now = self.clock()
        self.ticks += 1
        pos = None
        if self.rotating and len(self.pages) > 1:
            pos = position_at(
                [p.duration for p in self.setup.pages], self.monotonic() - self.rotation_start
            )
        self.scene.shift_to(self._shift_offset(now))
        if self.fade.state() != QVariantAnimation.State.Running:
            self._maybe_flush_glyphs()  # not mid-fade: the frames after a flush draw glyphs afresh
        self.header.tick(now)
        self._refresh_states(now)
        notices_own_rotation = self.notice_layer.drive(now)  # a takeover or the notice page
        turned = False
        if pos is not None and not notices_own_rotation:
            if pos.index != self.index:
                if not self.turner.hold(pos.index, now):  # (held: its picture is being drawn)
                    self._show_index(pos.index, animate=True, now=now)
                    turned = True  # the page is refreshed for this moment already
            elif pos.seconds_left <= LEAD_S:
                nxt = (pos.index + 1) % len(self.pages)
                self.turner.prepare(nxt, now + timedelta(seconds=pos.seconds_left))
        else:
            self.turner.cancel()
            self._end_turn_under_takeover()
        if not turned:
            self.current_page().tick(now)
            if self._left and not self.turner.turning():
                left, self._left = self._left, []
                for page in left:
                    if not page.isVisible():
                        page.left_screen()
        self.ticker.held_until(now, None if self._moving() else self._next_change(now))

    @property
    def rotating(self) -> bool:
        """Whether the rotation turns the pages (``kiosk snapshot`` and the bench switch it)."""
        return self._rotating

    @rotating.setter
    def rotating(self, on: bool) -> None:
        if on != self._rotating:
            self._rotating = on
            self._unquiet()  # a rotation ticks every second: not after a quiet sleep

    def _moving(self) -> bool:
        """Whether something on screen moves on its own, so the tick runs every second: a
        rotation, a fade or a turn on screen, a notice in force."""
        return (
            (self.rotating and len(self.pages) > 1)
            or self.fade.state() == QVariantAnimation.State.Running
            or self.turner.turning()
            or bool(self.notice_layer.notices)
        )

    def _next_change(self, now: datetime) -> datetime:
        """The first moment after ``now`` at which a tick could show something else, with the
        same data and notices: the clock's next minute, the footer's next age step, a source's
        next state threshold, the page's own next step, the pixel shift's next step, the glyph
        flush."""
        steps = [self.header.tick_due(now), self.current_page().tick_due(now)]
        steps += self.source_states.next_changes()
        shift = next_step_at(now.timestamp(), self.setup.shift_pixels, self.setup.shift_every_s)
        if shift is not None:
            steps.append(now + timedelta(seconds=shift - now.timestamp()))
        if self._glyphs_flushed_at is not None:
            wait = self._glyphs_flushed_at + GLYPH_FLUSH_S - self.monotonic()
            steps.append(now + timedelta(seconds=max(0.0, wait)))
        return min(t for t in steps if t is not None)

    def start(self) -> None:
        """Start ticking, aligned to the wall clock's second boundary so the clock flips on time."""
        self.ticker.start()

    def stop(self) -> None:
        self.ticker.stop()
        self.turner.stop()
        for page in self.pages:
            page.stop_drawing()

    def _unquiet(self) -> None:
        """What is shown may change before the quiet tick's next change: tick at the next
        second, not later."""
        self.ticker.unquiet()
