"""The running kiosk's notices: read when they may have changed, put on screen, logged, and the
panel woken.

``check(now)`` runs on the GUI thread whenever the spool or the alert feed changed and when a
notice starts or ends (kiosk/ops/notice_wake.py), also while the panel is scheduled off and
the window does not tick. When the notices in force change they go
to the window at once; when what they do to the screen changes (a takeover, the emergency's
notice page, a banner, or their end, or another notice leading) that is one screen-log entry,
one journald line at warning level and a fresh status file. While a critical notice is in force
(``notices.wake_panel``) the panel is held on until the notice's end, so a panel scheduled off
wakes up and one the schedule would switch off stays on; when no critical notice is left the
hold is released and the schedule is in charge again. An operator's own power hold wins: it is
never replaced, and never released by a notice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from datetime import datetime
from typing import Any, Protocol

from kiosk.core.models import Notice
from kiosk.core.notice_rotation import NoticePlan, plan_for
from kiosk.core.notices import LEVEL_WORDS, LEVELS, notice_category, wakes_panel
from kiosk.ops.notice_feed import NoticeFeed, status_notice
from kiosk.ops.screenlog import screen_entry

log = logging.getLogger("kiosk.notices")

HOLDER = "kiosk notice"  # who the panel's hold names (kiosk status: "set by kiosk notice")
SCREEN_PAGE = "notice"  # the screen log's page id while a notice leads the screen
_MODE_WORDS = {"takeover": "takeover", "interleave": "notice page", "rotate": "banner"}


class Panel(Protocol):
    """What the notices need of the panel service (kiosk.panel.service.PanelService)."""

    @property
    def report(self) -> Any: ...  # a PanelReport: its holds say who holds what

    def command(
        self,
        power: Any = None,
        backlight: int | None = None,
        *,
        until: datetime | None = None,
        by: str = "operator",
    ) -> Future[Any]: ...

    def release(self, what: Any, by: str) -> Future[Any]: ...


class NoticeWatch:
    """Keeps the screen, the screen log, journald, the status and the panel in step with the
    notices in force."""

    def __init__(
        self,
        feed: NoticeFeed,
        *,
        show: Callable[[Sequence[Notice]], None],
        record: Callable[[Mapping[str, Any]], object],
        page_now: Callable[[], tuple[str, list[str]]],
        changed: Callable[[], None],
        panel: Callable[[], Panel | None],
        wake_panel: bool = True,
    ):
        self.feed = feed
        self.show = show  # the window's set_notices
        self.record = record  # ScreenLog.record
        self.page_now = page_now  # the regular page on screen and its text lines
        self.changed = changed  # the status file is written again
        self.panel = panel
        self.wake_panel = wake_panel
        self.notices: tuple[Notice, ...] = ()
        self.plan = NoticePlan("rotate")
        self._held_until: datetime | None = None  # the panel hold this watch has asked for

    # --- reading the notices (GUI thread) -------------------------------------------------

    def check(self, now: datetime) -> None:
        """Read the feed; when the notices in force changed, show them and report the change."""
        notices = self.feed.changed(now)
        if notices is None or notices == self.notices:  # the first read: still none
            return
        # The new plan first: a page the window switches to in ``show`` is logged with it.
        old, self.notices, self.plan = self.plan, notices, plan_for(notices)
        self.show(notices)
        if _screen_key(self.plan) != _screen_key(old):
            self._report(old, self.plan, now)
        self.keep_awake()
        self.changed()

    def status(self) -> dict[str, Any] | None:
        """``kiosk status --json`` key ``notice``: the one leading on screen, or None."""
        return status_notice(self.notices)

    def counts(self) -> dict[str, int]:
        """Notices in force per level (for the metrics sink's ``notices``)."""
        return {level: sum(1 for n in self.notices if n.level == level) for level in LEVELS}

    def log_fields(self) -> dict[str, Any]:
        """What a page's screen-log entry adds while a notice is in force (a banner on it)."""
        lead = _shown(self.plan)
        return {"notice": _describe(self.plan, lead)} if lead is not None else {}

    # --- the panel ------------------------------------------------------------------------

    def keep_awake(self) -> None:
        """Hold the panel on while a critical notice is in force; release the hold after it.

        Called when the notices change and with every panel report (a panel that came with a
        reload). Asks once per notice end: an operator who resumes the schedule meanwhile is
        not overruled at the next report.
        """
        panel = self.panel()
        critical = [n for n in self.notices if n.level == "critical"]
        if panel is None:
            return
        if wakes_panel(critical, self.wake_panel):
            until = max(n.until for n in critical)
            if until == self._held_until:
                return
            other = _power_holder(panel.report)
            if other is not None and other != HOLDER:
                log.info("notice: the panel's power is held by %s; not switching it", other)
                self._held_until = until  # asked once, not at every report
                return
            self._held_until = until
            log.info("notice: holding the panel on until %s (critical notice)", until.isoformat())
            panel.command(power="on", until=until, by=HOLDER)
        elif self._held_until is not None:
            self._held_until = None
            if _power_holder(panel.report) in (HOLDER, None):
                log.info("notice: no critical notice left; the panel goes back to its schedule")
                panel.release("power", by=HOLDER)

    # --- reporting ------------------------------------------------------------------------

    def _report(self, old: NoticePlan, new: NoticePlan, now: datetime) -> None:
        lead = _shown(new)
        if lead is not None:
            entry = screen_entry(
                SCREEN_PAGE, now, {}, _lines(new), notice=_describe(new, lead, "start")
            )
            log.warning(
                "notice on screen (%s): %s %s from %s until %s: %s",
                _MODE_WORDS[new.mode],
                lead.level,
                lead.id,
                lead.origin,
                lead.until.isoformat(),
                lead.text_ko,
                extra={"kiosk_subject": "notice"},
            )
        else:
            ended = _shown(old)
            page, lines = self.page_now()
            event = _describe(old, ended, "end") if ended is not None else {"event": "end"}
            entry = screen_entry(page, now, {}, lines, notice=event)
            log.warning(
                "notice ended (%s): back to the regular pages",
                ended.id if ended is not None else "-",
                extra={"kiosk_subject": "notice"},
            )
        self.record(entry)


def _screen_key(plan: NoticePlan) -> tuple[str, str | None]:
    """Changes when the screen shows another thing: another mode or another leading notice."""
    shown = _shown(plan)
    return (plan.mode, shown.id if shown is not None else None)


def _shown(plan: NoticePlan) -> Notice | None:
    """The notice leading what the screen shows: the takeover's or notice page's, or the banner's."""
    return plan.lead or plan.banner


def _describe(plan: NoticePlan, lead: Notice, event: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {"event": event} if event else {}
    return {
        **out,
        "mode": _MODE_WORDS[plan.mode],
        "id": lead.id,
        **(status_notice([lead]) or {}),
        "others": len(plan.others) if plan.lead else plan.banner_more,
    }


def _lines(plan: NoticePlan) -> list[str]:
    """The text the takeover, notice page or banner shows, as the screen log keeps it."""
    out = []
    for n in (plan.lead or plan.banner, *plan.others):
        if n is None:
            continue
        level_ko, level_en = LEVEL_WORDS[n.level]
        cat_ko, cat_en = notice_category(n)
        out.append(f"{level_ko} · {level_en} | {cat_ko} · {cat_en} | {n.issuer_ko}")
        out.append(n.text_ko + (f" / {n.text_en}" if n.text_en else ""))
    return out


def _power_holder(report: Any) -> str | None:
    """Who holds the panel's power now (from a PanelReport), or None."""
    for hold in getattr(report, "holds", ()) or ():
        if getattr(hold, "what", None) == "power":
            by = getattr(hold, "by", None)
            return str(by) if by is not None else None
    return None
