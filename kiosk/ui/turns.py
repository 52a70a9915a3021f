"""Page turns without a dropped frame: the next page is made ready in the idle time of the
current page's dwell, and the turn itself is drawn from its picture (kiosk/ui/cover.py).

``LEAD_S`` before its turn the next page is refreshed for the moment it comes on screen, laid
out at the stack's size exactly as showing it would (it stays hidden: showing a widget under
another makes Qt repaint the one on top) and rendered into a picture, a strip at a time,
``STEP_MS`` apart: each step is a short stall of the GUI thread of its own, and the frames of
the clock go between them. The picture's memory is mapped and faulted in off the GUI thread
(kiosk/ui/pictures.py). At the turn the stack switches under the cover, which fades the picture
in over what is on screen and then hands the page back to its widgets, a strip per frame.

A page still being made ready at its turn (new data redrew it just before) holds the turn back
until its picture is done, ``HOLD_S`` at most; a page not ready then, or not being made ready
at all, is rendered there and then (one slow frame, as every turn was before). The picture is
checked against the page's ``render_key`` (its view model and what else it draws) when the page
comes on screen, so one made before new data arrived is never shown.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QPoint, QRect, QSize, QTimer
from PySide6.QtGui import QImage, QRegion
from PySide6.QtWidgets import QWidget

from kiosk.ui.cover import PageCover
from kiosk.ui.pictures import Picture

if TYPE_CHECKING:
    from kiosk.ui.pages.base import Page
    from kiosk.ui.window import KioskWindow

LEAD_S = 3.0  # the next page is made ready this long before its turn
STEP_MS = 20  # between two steps of making it ready
STRIPS = 8  # it is rendered, and handed back to its widgets, in this many strips
REVEAL_MS = 16  # between two strips of the hand-over: one strip per frame at 60 Hz
SAME_TURN_S = 1.5  # a turn this close to the moment its picture was made for shows that moment
HOLD_S = 1.2  # a turn waits at most this long past its moment for its page's picture


@dataclass
class _Prepared:
    """The next page, being made ready for its turn."""

    index: int
    turn_at: datetime  # when it is due on screen: what it is made ready for
    picture: Picture
    key: object = None  # the page's render key when it was laid out
    steps: int = 0  # lay-out passes done, then strips rendered

    @property
    def done(self) -> bool:
        return self.steps >= LAYOUT_STEPS + STRIPS


@dataclass
class TurnCounts:
    """How the turns went (the bench and the tests read these)."""

    prepared: int = 0  # turns drawn from a picture made in the idle time before
    unprepared: int = 0  # turns that rendered the new page there and then
    stale: int = 0  # of those, pictures made but outdated by new data


LAYOUT_STEPS = 2  # lay-out passes before the strips (sizes that follow from sizes)


def _as_drawn(prep: _Prepared, page: Page) -> bool:
    """Whether ``prep``'s picture is complete and shows ``page`` as it stands: the same render
    key, the same size (what a turn may show from it)."""
    return prep.done and prep.key == page.render_key() and prep.picture.size == page.size()


def lay_out_hidden(page: QWidget, size: QSize) -> None:
    """One pass of laying a hidden page out at ``size`` exactly as showing it would.

    A stack sizes only the page it shows, and a hidden widget gets its resize events (where
    texts fit themselves to their width) only when it is shown or rendered: size it, activate
    every layout from the page down, have a one-pixel render deliver the pending resize events,
    and let the layouts settle what those changed. Two passes settle every page there is.
    """
    page.setGeometry(QRect(QPoint(0, 0), size))
    for w in (page, *page.findChildren(QWidget)):
        lay = w.layout()
        if lay is not None:
            lay.activate()
    page.render(QImage(1, 1, QImage.Format.Format_RGB32), QPoint(), QRegion(0, 0, 1, 1))
    QCoreApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)


def strip_rect(i: int, width: int, height: int, strips: int = STRIPS) -> QRect:
    """The ``i``-th of ``strips`` horizontal strips of a ``width`` x ``height`` rect."""
    top, bottom = i * height // strips, (i + 1) * height // strips
    return QRect(0, top, width, bottom - top)


class PageTurner:
    """Prepares the window's next page and draws its turns (``KioskWindow`` owns one)."""

    def __init__(self, window: KioskWindow):
        self.win = window
        self.cover = PageCover(window.stack)
        self.prepared: _Prepared | None = None
        self.counts = TurnCounts()
        self._shown: Picture | None = None  # the picture of the turn on screen
        self._step = QTimer(window)
        self._step.setSingleShot(True)
        self._step.setInterval(STEP_MS)
        self._step.timeout.connect(self._prepare_step)
        self._reveal = QTimer(window)
        self._reveal.setSingleShot(True)
        self._reveal.setInterval(REVEAL_MS)
        self._reveal.timeout.connect(self._reveal_step)
        self._due = QTimer(window)  # a turn held back for its picture, run when that is done
        self._due.setSingleShot(True)
        self._due.setInterval(STEP_MS)
        self._due.timeout.connect(window.tick)
        self._held = False

    # --- before the turn: the next page made ready -----------------------------------------

    def prepare(self, index: int, turn_at: datetime) -> None:
        """Make page ``index`` ready for its turn at ``turn_at`` (idempotent; from the tick)."""
        prep = self.prepared
        if (prep is not None and prep.index == index) or self.turning():
            return  # under way, or the last turn is still on screen: the next tick starts it
        self.cancel()
        page = self.win.pages[index]
        if page is self.win.stack.currentWidget():
            return
        page.coming(turn_at)
        page.refresh(turn_at)
        self.prepared = _Prepared(index, turn_at, self._picture())
        self._step.start()

    def _picture(self, populate: bool = True) -> Picture:
        return Picture(self.win.stack.size(), self.win.devicePixelRatioF(), populate)

    def turn_time(self, index: int, now: datetime) -> datetime:
        """The moment page ``index`` is shown as of, at its turn ``now``: the one its picture
        was made for if that is within a tick of ``now`` (the next tick, a second later, brings
        the page to the second), else ``now``."""
        prep = self.prepared
        close = prep is not None and abs((now - prep.turn_at).total_seconds()) <= SAME_TURN_S
        return prep.turn_at if close and prep is not None and prep.index == index else now

    def prepared_for(self, index: int) -> bool:
        """Whether page ``index`` is the one being made ready (its time on screen counted)."""
        return self.prepared is not None and self.prepared.index == index

    def shows(self, index: int, at: datetime) -> bool:
        """Whether page ``index`` already shows what its picture, made ready for ``at``, shows:
        complete, made for that moment, and nothing it draws changed since (new data redraws
        it as of its turn, or changes its key). Its turn then need not refresh it again."""
        prep = self.prepared
        return (
            prep is not None
            and prep.index == index
            and prep.turn_at == at
            and _as_drawn(prep, self.win.pages[index])
        )

    def ready(self) -> bool:
        """Whether the next page's picture is complete (it is still checked at the turn)."""
        return self.prepared is not None and self.prepared.done

    def hold(self, index: int, now: datetime) -> bool:
        """Whether the turn to page ``index``, due ``now``, waits for its picture: the page is
        being drawn for it and is not ready yet (new data redrew it just before its turn), and
        its moment is less than ``HOLD_S`` ago. The steps go on, and the window's tick runs again
        as soon as they are done: a turn a fraction of a second late instead of one slow frame.
        A page whose drawing never got under way (no idle time at all) turns on time."""
        prep = self.prepared
        if prep is None or prep.index != index or prep.steps == 0:
            return False
        if _as_drawn(prep, self.win.pages[index]):
            return False
        if (now - prep.turn_at).total_seconds() >= HOLD_S:
            return False
        self._held = True
        if not self._step.isActive():
            self._step.start()
        return True

    def _ready_now(self) -> None:
        if self._held:
            self._held = False
            self._due.start()  # the held turn, in a frame of its own

    def make_ready(self, timeout_s: float = 10.0) -> bool:
        """Finish making the next page ready now, every step at once (tests, the bench, a
        snapshot); whether it is ready."""
        prep = self.prepared
        if prep is None:
            return False
        if not prep.picture.wait(timeout_s):
            return False
        self._prepare_step()  # (checks the picture against the page first)
        while self.prepared is prep and not prep.done:
            self._prepare_step()
        self._step.stop()
        return self.ready()

    def data_changed(self) -> None:
        """New data: the page being made ready is checked again (and drawn again if it changed).

        A turn on screen goes on: its picture shows the data of a moment ago for the rest of
        the fade, and the hand-over then reveals the live page, new data and all, a strip per
        frame. Ending it at once would repaint the whole page in one frame (30-40 ms at 4K on
        a small machine: a visible hitch) to show data a second sooner."""
        if self.prepared is not None and not self._step.isActive():
            self._step.start()

    def cancel(self) -> None:
        """Forget the page being made ready (rotation stopped, a different page due)."""
        prep, self.prepared = self.prepared, None
        self._step.stop()
        self._unhold()
        if prep is not None:
            prep.picture.release()

    def _unhold(self) -> None:
        self._held = False
        self._due.stop()

    def _prepare_step(self) -> None:
        prep = self.prepared
        if prep is None:
            return
        if not prep.picture.ready:
            self._step.start()  # its memory is still coming in
            return
        if prep.picture.size != self.win.stack.size():
            self.cancel()
            return
        page = self.win.pages[prep.index]
        if prep.done and page.render_key() == prep.key:
            self._ready_now()
            return  # checked again after new data: still as it will show
        if prep.steps >= LAYOUT_STEPS and page.render_key() != prep.key:
            page.refresh(prep.turn_at)  # new data meanwhile: as of its turn, from the top again
            prep.steps = 0
        if prep.steps < LAYOUT_STEPS:
            lay_out_hidden(page, prep.picture.size)
            prep.key = page.render_key()
        else:
            image = prep.picture.image
            assert image is not None
            rect = strip_rect(prep.steps - LAYOUT_STEPS, *prep.picture.size.toTuple())
            page.render(image, rect.topLeft(), QRegion(rect))
        prep.steps += 1
        if not prep.done:
            self._step.start()
        else:
            self._ready_now()

    # --- the turn ------------------------------------------------------------------------------

    def turning(self) -> bool:
        """Whether a turn is on screen (the cover is up)."""
        return self.cover.isVisible()

    def begin(self, page: Page, fade: bool) -> bool:
        """Page ``page`` is on the stack now, refreshed: cover the stack with its picture (made
        before, or now). False when there is no cover (no fade, and no picture ready)."""
        self._finish()  # a turn still on screen ends: the new one fades from what it showed
        prep, self.prepared = self.prepared, None
        self._step.stop()
        self._unhold()
        picture = None
        if prep is not None:
            if _as_drawn(prep, page):
                picture = prep.picture
                self.counts.prepared += 1
            else:
                prep.picture.release()
                self.counts.stale += int(prep.done)
        if picture is None:
            self.counts.unprepared += 1
            if not fade:
                return False  # a cut to the live page, as without a turn
            picture = self._picture(populate=False)
            assert picture.image is not None
            page.render(picture.image)
        assert picture.image is not None
        self._shown = picture
        rect = QRect(QPoint(0, 0), self.win.stack.size())
        self.cover.begin(picture.image, rect, share=0.0 if fade else 1.0)
        if not fade:
            self._reveal.start()
        return True

    def fade_to(self, share: float) -> None:
        """One fade frame: ``share`` of the new page shown (0..1)."""
        self.cover.fade_to(share)

    def fade_over(self) -> None:
        """The cross-fade has reached the new page: hand it back to its widgets."""
        if self.cover.isVisible():
            self.cover.fade_to(1.0)
            if not self._reveal.isActive():
                self._reveal.start()

    def _reveal_step(self) -> None:
        strip = math.ceil(self.win.stack.height() / STRIPS)
        self.cover.shrink_to(self.cover.covered_height() - strip)
        if self.cover.isVisible():
            self._reveal.start()
        else:
            self._finish()

    def finish(self) -> None:
        """End the turn on screen at once: the live page shows, the picture goes."""
        self._finish()

    def _finish(self) -> None:
        self._reveal.stop()
        self.win.fade.stop()
        self.cover.end()
        shown, self._shown = self._shown, None
        if shown is not None:
            shown.release()

    def stop(self) -> None:
        """No page made ready, no turn on screen (the window stops, resizes, cuts)."""
        self.cancel()
        self._finish()
