"""The window's notices: the takeover, the notice page and the banner, and when each shows.

``KioskWindow.set_notices`` hands the notices in force here; the window's tick calls ``drive``,
which follows ``core.notice_rotation`` and returns True while the notices own the rotation (a
takeover, or an emergency's notice page taking every other slot). Widgets are built on the
first notice, so a kiosk that never shows one pays nothing for them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QVariantAnimation
from PySide6.QtWidgets import QBoxLayout

from kiosk.core.models import Notice
from kiosk.core.notice_rotation import NoticePlan, plan_for, slot_at, start_of
from kiosk.core.notices import in_force, ordered
from kiosk.ui.notice_views import NoticeBanner, NoticePage, Takeover
from kiosk.ui.pages.base import PageContext

if TYPE_CHECKING:
    from kiosk.ui.window import KioskWindow


class NoticeLayer:
    """Shows the notices in force on a ``KioskWindow``."""

    def __init__(self, win: KioskWindow):
        self.win = win
        self.notices: tuple[Notice, ...] = ()
        self.plan = NoticePlan("rotate")
        self.page_seconds = win.setup.notice_seconds  # the notice page's slot
        # Called with the new plan whenever the mode or the leading notice changes
        # (the screen log, journald and the panel wake hang here).
        self.listeners: list[Callable[[NoticePlan], None]] = []
        self.takeover: Takeover | None = None
        self.page: NoticePage | None = None
        self.banner: NoticeBanner | None = None
        self._mode_since = 0.0
        self._start_index = 0

    # --- what is in force -----------------------------------------------------------------

    def set_notices(self, notices: Sequence[Notice], now: datetime) -> None:
        """The notices in force; the screen follows at once."""
        current = ordered(n for n in notices if in_force(n, now))
        if current == self.notices:
            return
        self.notices = current
        plan = plan_for(current)
        if plan.mode != "rotate" or plan.banner is not None:
            self._build()
        old, self.plan = self.plan, plan
        if plan.key != old.key:
            self._mode_changed(old, plan)
        if self.takeover is not None and plan.lead is not None:
            self.takeover.card.show_notices(plan.lead, plan.others, now)
        if self.page is not None and plan.mode == "interleave" and plan.lead is not None:
            self.page.card.show_notices(plan.lead, plan.others, now)
        if self.banner is not None and plan.banner is not None:
            self.banner.show_notice(plan.banner, plan.banner_more, now)
        self.drive(now)
        if plan.key != old.key:
            for fn in self.listeners:
                fn(plan)

    def _mode_changed(self, old: NoticePlan, new: NoticePlan) -> None:
        win = self.win
        mono = win.monotonic()
        durations = [p.duration for p in win.setup.pages]
        if new.mode == "interleave":
            # The emergency's page comes first, then the pages from the next one on.
            self._mode_since = mono
            self._start_index = (win.index + 1) % len(win.pages)
        if old.mode != "rotate" and new.mode == "rotate":
            # Resume with the next page from its start rather than jump to where the clock
            # would have had it.
            win.rotation_start = mono - start_of(durations, win.index + 1)

    def _build(self) -> None:
        if self.takeover is not None:
            return
        win = self.win
        m = win.metrics
        s = win.setup
        ctx = PageContext(
            lines=s.lines, district=s.district, lat=s.lat, lon=s.lon, station_ko=s.station_ko
        )
        self.page = NoticePage(m, ctx)
        win.stack.addWidget(self.page)
        self.banner = NoticeBanner(m)
        lay = win.scene.layout()
        assert isinstance(lay, QBoxLayout)  # the scene's column: header, stack, footer
        lay.insertWidget(lay.indexOf(win.header) + 1, self.banner)
        # In the scene, so the pixel shift moves it with everything else (a sibling over the
        # scene would make Qt repaint the whole screen at every shift step).
        self.takeover = Takeover(m, win.scene)

    # --- the tick ---------------------------------------------------------------------------

    def drive(self, now: datetime) -> bool:
        """Put on screen what the notices call for now; True while they own the rotation."""
        if self.takeover is None:
            return False  # never had a notice: nothing to do
        if any(not in_force(n, now) for n in self.notices):
            self.set_notices(self.notices, now)  # one has expired
            return self.plan.mode != "rotate"
        plan = self.plan
        win = self.win
        if plan.mode == "takeover":
            self._set_takeover(True)
            self.takeover.card.tick(now)
            return True
        self._set_takeover(False)
        if plan.mode == "interleave" and win.rotating:
            slot = slot_at(
                "interleave",
                [p.duration for p in win.setup.pages],
                0.0,
                mode_elapsed_s=win.monotonic() - self._mode_since,
                notice_s=self.page_seconds,
                start_index=self._start_index,
            )
            if slot.kind == "notice":
                self.show_notice_page(now)
                return True
            self._leave_notice_page(slot.index, now)
            self._set_banner(True)
            return True
        self._leave_notice_page(self._due_index(), now)
        self._set_banner(plan.banner is not None)
        return False

    def show_notice_page(self, now: datetime) -> None:
        """Show the emergency notice page now (the rotation's slot, ``kiosk snapshot``)."""
        win = self.win
        if self.page is None or self.plan.lead is None:
            return
        self._set_banner(False)
        if win.stack.currentWidget() is not self.page:
            if win.fade.state() == QVariantAnimation.State.Running:
                win.fade.setCurrentTime(win.fade.duration())  # finish the running fade first
            win.stack.setCurrentWidget(self.page)  # a cut: the notice page must not wait
        self.page.tick(now)

    def _due_index(self) -> int:
        """The regular page the window's own rotation has due now."""
        win = self.win
        if not win.rotating or len(win.pages) < 2:
            return win.index
        durations = [p.duration for p in win.setup.pages]
        return slot_at("rotate", durations, win.monotonic() - win.rotation_start).index

    def _leave_notice_page(self, index: int, now: datetime) -> None:
        win = self.win
        on_notice = self.page is not None and win.stack.currentWidget() is self.page
        if on_notice or index != win.index:
            win.show_index(index, animate=True)
            win.pages[index].refresh(now)

    def _set_takeover(self, shown: bool) -> None:
        t = self.takeover
        if t is None:
            return
        if shown:
            if t.geometry() != self.win.scene.rect():
                t.setGeometry(self.win.scene.rect())
            if not t.isVisible():
                t.show()
                t.raise_()
        elif t.isVisible():
            t.hide()

    def _set_banner(self, shown: bool) -> None:
        if self.banner is not None and self.banner.isVisible() != shown:
            self.banner.setVisible(shown)
            # The banner takes the place of the pages' title rows (the footer still names
            # the page): landscape pages have no other height to spare.
            for page in self.win.pages:
                page.title.setVisible(not shown)
                lay = page.layout()
                if lay is not None:  # hidden pages too: the stack is sized by every page
                    lay.activate()
