"""The rotation with notices in force, as a pure function of the notices and the clock.

* critical: a full-screen takeover; the rotation stops until the notice expires or is cleared.
* emergency: a notice page takes every other slot (it comes first, at once), with a banner on
  the regular pages between.
* advisory: a banner on every page; the rotation is unchanged.

Several notices at once: the most severe leads, the rest are listed beneath it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from kiosk.core.models import Notice
from kiosk.core.rotation import position_at

Mode = Literal["rotate", "takeover", "interleave"]
SlotKind = Literal["page", "notice", "takeover"]


@dataclass(frozen=True)
class NoticePlan:
    """What the notices in force do to the screen."""

    mode: Mode
    lead: Notice | None = None  # on the takeover or the notice page
    others: tuple[Notice, ...] = ()  # listed beneath the lead
    banner: Notice | None = None  # on the regular pages
    banner_more: int = 0  # how many more notices are in force besides the banner's

    @property
    def key(self) -> tuple[Mode, str | None]:
        """Changes when the screen must start over: another mode, or another leading notice."""
        return (self.mode, self.lead.id if self.lead else None)


@dataclass(frozen=True)
class Slot:
    """What is on screen now: a regular page (``index``), the notice page, or the takeover."""

    kind: SlotKind
    index: int  # the regular page for "page"; -1 otherwise
    seconds_left: float  # until the next change (inf while a takeover lasts)


def plan_for(notices: Sequence[Notice]) -> NoticePlan:
    """The plan for notices already in force and ordered most severe first (core.notices)."""
    if not notices:
        return NoticePlan("rotate")
    lead, rest = notices[0], tuple(notices[1:])
    if lead.level == "critical":
        return NoticePlan("takeover", lead, rest)
    if lead.level == "emergency":
        return NoticePlan("interleave", lead, rest, banner=lead, banner_more=len(rest))
    return NoticePlan("rotate", banner=lead, banner_more=len(rest))


def slot_at(
    mode: Mode,
    durations: Sequence[float],
    elapsed_s: float,
    *,
    mode_elapsed_s: float = 0.0,
    notice_s: float = 15.0,
    start_index: int = 0,
) -> Slot:
    """The slot on screen.

    ``elapsed_s`` is the time since the regular rotation started; ``mode_elapsed_s`` the time
    since the current emergency began leading, when its notice page was shown first, followed
    by the regular pages from ``start_index`` on, alternately.
    """
    if mode == "takeover":
        return Slot("takeover", -1, math.inf)
    if mode == "interleave":
        if not durations:
            return Slot("notice", -1, math.inf)
        n = len(durations)
        order = [(start_index + i) % n for i in range(n)]
        seq: list[float] = []
        for i in order:
            seq += [notice_s, durations[i]]
        pos = position_at(seq, mode_elapsed_s)
        if pos.index % 2 == 0:
            return Slot("notice", -1, pos.seconds_left)
        return Slot("page", order[pos.index // 2], pos.seconds_left)
    pos = position_at(durations, elapsed_s)
    return Slot("page", pos.index, pos.seconds_left)


def start_of(durations: Sequence[float], index: int) -> float:
    """Seconds into the regular cycle at which page ``index`` comes on screen.

    When a notice mode ends the regular rotation resumes with the next page from its start,
    instead of jumping to wherever the clock would have had it.
    """
    return float(sum(durations[: index % len(durations)])) if durations else 0.0
