"""When the kiosk looks at its notices: the moment something may have changed, not once a second.

Three things can change the notices in force: a file in the operator's spool (the kernel says
so: kiosk/ops/spool_watch.py), a new snapshot of the alert feed (the runner calls ``check`` on
the GUI thread after handing it to the feed), and the clock reaching a notice's start or end
(an alarm set for that moment). Besides those, the notices are read again every
``SAFETY_S``: after the system clock is set, or an event the kernel dropped, the screen is
right again within that. Where inotify is not to be had the spool is read once a second, as
the kiosk always did. Standard library only; the timer and the fd watch come from the runtime.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from kiosk.ops.notice_watch import NoticeWatch
from kiosk.ops.spool_watch import SpoolWatch

SAFETY_S = 10.0  # read again at least this often, whatever the events say
POLL_S = 1.0  # without inotify: the spool once a second


class Alarm(Protocol):
    """A single-shot timer (``KioskRuntime.alarm``): ``start`` (again: moved) and ``stop``."""

    def start(self, msec: int) -> None: ...

    def stop(self) -> None: ...


class NoticeWake:
    """Calls ``watch.check`` when the spool changes, when asked, and when a notice starts or
    ends; the GUI thread only."""

    def __init__(
        self,
        watch: NoticeWatch,
        now: Callable[[], datetime],
        alarm: Callable[[Callable[[], None]], Alarm],
        watch_fd: Callable[[int, Callable[[], object]], None],
    ):
        self.watch = watch
        self.now = now
        self.alarm = alarm(self.check)
        self.spool = SpoolWatch(watch.feed.spool.path)
        if self.spool.fileno() >= 0:
            watch_fd(self.spool.fileno(), self._spool_event)
        self.next_at: datetime | None = None  # when the alarm is set for

    def check(self) -> None:
        """Read the notices now; set the alarm for the next moment they can change (when
        reading them failed, a second on: the next read must come)."""
        now = self.now()
        wait = POLL_S
        try:
            self.spool.verify()  # the watch on what the spool is now (moved, made, replaced)
            self.watch.check(now)
            due = self.watch.feed.next_change(now)
            wait = SAFETY_S if self.spool.available else POLL_S
            if due is not None:
                wait = min(wait, (due - now).total_seconds())
            self.next_at = due
        finally:
            self.alarm.start(max(1, math.ceil(wait * 1000) + 1))  # just after in_force changed

    def _spool_event(self) -> None:
        if self.spool.drain():
            self.check()

    def retarget(self) -> None:
        """After a reload: watch the spool the feed reads now (it may have moved), and look."""
        if self.spool.path != self.watch.feed.spool.path:
            self.spool.watch(self.watch.feed.spool.path)
        self.check()

    def close(self) -> None:
        self.alarm.stop()
        self.spool.close()
