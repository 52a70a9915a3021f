"""When the window's tick runs: at each second's boundary while anything moves, else asleep.

A rotation, a fade or a turn, a notice in force: the tick runs at every second's boundary, so
the clock flips on time. A screen where nothing moves on its own (one page, the rotation
stopped) has nothing to do most seconds: after each tick the window says until when what it
shows holds (``held_until``: the clock's next minute, an age's next step, ...), and the timer
sleeps until then, ``QUIET_MAX_S`` at most (a clock set meanwhile shows within that). A change
from outside (new data, a notice, a page shown) wakes it for the next second (``unquiet``).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from PySide6.QtCore import QObject, Qt, QTimer

from kiosk.core.held import Held

QUIET_MAX_S = 10.0  # the longest a quiet screen's timer sleeps (a clock set shows within that)


class Ticker:
    """Runs ``tick`` on a single-shot timer: every second while ``moving()``, else at the moment
    the last tick said its picture holds until."""

    def __init__(
        self,
        parent: QObject,
        clock: Callable[[], datetime],
        tick: Callable[[], None],
        moving: Callable[[], bool],
    ):
        self.clock, self._tick, self._moving = clock, tick, moving
        self.timer = QTimer(parent)
        self.timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.fire)
        # While nothing moves on its own: the picture holds until then (None: tick each second).
        self._quiet: Held[None] | None = None

    def start(self) -> None:
        """Tick at the next second's boundary, in full (the rotation may have been switched)."""
        self._quiet = None
        self.schedule_next()

    def stop(self) -> None:
        self.timer.stop()

    def held_until(self, now: datetime, until: datetime | None) -> None:
        """After a tick at ``now``: what it showed holds until ``until`` (None: something moves,
        tick every second). A tick from outside the timer may make it wake sooner."""
        self._quiet = None if until is None else Held((), now, until, None)
        if self.timer.isActive():
            self.schedule_next()

    def unquiet(self) -> None:
        """What is shown may change before the last tick's ``until``: tick at the next second."""
        self._quiet = None
        if self.timer.isActive() and self.timer.remainingTime() > 1000:
            self.schedule_next()

    def schedule_next(self) -> None:
        """At the next second's boundary; while quiet, at the next change (at most
        ``QUIET_MAX_S`` on)."""
        now = self.clock()
        ms = 1000 - now.microsecond // 1000
        quiet = self._quiet
        if quiet is not None and quiet.until is not None and not self._moving():
            wait_ms = (quiet.until - now).total_seconds() * 1000.0
            ms = max(ms, min(int(wait_ms) + 1, int(QUIET_MAX_S * 1000)))
        self.timer.start(max(5, ms))

    def fire(self) -> None:
        """What the timer runs: the tick in full unless it holds (nothing moving, its next change
        still ahead; a clock set back before the last tick runs it too), then the next wake-up."""
        quiet = self._quiet
        if quiet is None or self._moving() or not quiet.holds((), self.clock()):
            self._tick()
        self.schedule_next()
