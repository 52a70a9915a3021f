"""What the screen's notices are: the operator's spool and the alert feed, merged by the rules.

The composition root makes one ``NoticeFeed``, hands it each new ``alerts`` snapshot
(``set_alerts``, from the poller's thread) and asks ``changed(now)`` from the GUI thread when
the spool or the alerts changed, or a notice's start or end (``next_change``) is due
(kiosk/ops/notice_wake.py); when that returns a tuple it goes to ``KioskWindow.set_notices``.
No network and no Qt here: an operator's notice reaches the screen with no network at all.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.core.models import Alert, Notice
from kiosk.core.notices import (
    NoticeRules,
    alert_notice,
    for_station,
    in_window,
    merge_notices,
    next_change,
)
from kiosk.ops.notice_spool import NoticeSpool

SOURCE = "alerts"  # the registry source whose snapshots' items ``set_alerts`` takes


class NoticeFeed:
    """The notices in force, from both origins; ``changed`` says when they differ."""

    def __init__(self, spool: NoticeSpool, rules: NoticeRules):
        self.spool = spool
        self.rules = rules
        self._alerts: tuple[Alert, ...] = ()  # the feed's latest items, as published
        self._here: tuple[Alert, ...] = ()  # those for this station (district or whole city)
        self._lock = threading.Lock()
        self._last: tuple[Notice, ...] | None = None

    def set_alerts(self, alerts: Sequence[Alert]) -> None:
        """The alert feed's latest items (any thread). A failed poll keeps the previous ones."""
        alerts = tuple(alerts)
        # The region rule once per poll (in the poller's thread), not at every tick: a day of
        # the national feed holds hundreds of alerts, a station's a handful.
        rules = self.rules
        here = for_station(alerts, rules)
        with self._lock:
            if self.rules is not rules:  # reconfigured meanwhile
                here = for_station(alerts, self.rules)
            self._alerts, self._here = alerts, here

    def reconfigure(self, spool_path: Path, rules: NoticeRules) -> None:
        """A reloaded config: its rules at once, a new spool reader only if the folder moved.

        The alerts already received stay (a reload must not take a warning off the screen).
        """
        if Path(spool_path) != self.spool.path:
            self.spool = NoticeSpool(spool_path)
        with self._lock:
            self.rules = rules
            self._here = for_station(self._alerts, rules)

    def current(self, now: datetime) -> tuple[Notice, ...]:
        """Every notice in force at ``now``, most severe first."""
        self.spool.poll()
        with self._lock:
            here, rules = self._here, self.rules
        return merge_notices(in_window(here, now, rules), self.spool.notices, now)

    def next_change(self, now: datetime) -> datetime | None:
        """When the notices in force next change with what has been read (a notice's start or
        end), or None: as of the last ``current``/``changed``."""
        with self._lock:
            here, rules = self._here, self.rules
        alerts = [alert_notice(a, rules) for a in here]
        return next_change((*alerts, *self.spool.notices), now)

    def changed(self, now: datetime) -> tuple[Notice, ...] | None:
        """The notices in force when they differ from the last call's (the first call: always)."""
        notices = self.current(now)
        if notices == self._last:
            return None
        self._last = notices
        return notices


def status_notice(notices: Sequence[Notice]) -> dict[str, Any] | None:
    """``kiosk status --json`` key ``notice``: the one leading on screen, or None."""
    if not notices:
        return None
    lead = notices[0]
    return {
        "level": lead.level,
        "origin": lead.origin,
        "text": lead.text_ko,
        "since": lead.issued_at.isoformat(),
        "until": lead.until.isoformat(),
    }
