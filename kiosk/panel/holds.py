"""Operator holds: what an operator's command pins, until when, and who asked. Pure.

A command given through the running kiosk (``kiosk panel power off``) becomes the desired
state for that one thing (power or backlight):

- plain: until the schedule next fires an entry for the same thing;
- ``--for 2h`` / ``--until 06:00``: a maintenance hold, until that time, whatever the schedule
  fires in between;
- either way until ``kiosk panel resume``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any, Literal

from kiosk.core.timeutil import KST

What = Literal["power", "backlight"]
MAX_HOLD = timedelta(days=7)  # a hold nobody remembers must not keep a station dark for good
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?")
_CLOCK = re.compile(r"([01]?\d|2[0-3]):([0-5]\d)")


@dataclass(frozen=True)
class Hold:
    """One operator command that wins over the schedule for ``what``."""

    what: What
    value: str | int  # "on"/"off" for power, 0..100 for the backlight
    since: datetime
    by: str  # the user who asked (from the control socket's peer credentials)
    until: datetime | None = None  # a maintenance hold's end; None: the schedule's next entry

    def active(self, now: datetime, schedule_since: datetime | None) -> bool:
        """Whether the hold still applies, given when the schedule last fired for ``what``."""
        if self.until is not None:
            return now < self.until
        return schedule_since is None or schedule_since <= self.since


@dataclass(frozen=True)
class HoldStatus:
    """A hold as reported (status file, ``kiosk status``, ``kiosk panel``)."""

    what: What
    value: str | int
    by: str
    since: datetime
    until: datetime | None  # the maintenance hold's end, if it is one
    ends_at: datetime | None  # when it ends: ``until``, or the schedule's next entry (if known)
    text: str  # one line for people

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (times as ISO-8601)."""
        return {
            "what": self.what,
            "value": self.value,
            "by": self.by,
            "since": self.since.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "ends": "time" if self.until else "schedule",
            "ends_at": self.ends_at.isoformat() if self.ends_at else None,
            "text": self.text,
        }


def clock_text(when: datetime) -> str:
    """``2026-12-01 23:40 KST``: the one form every operator-facing time takes here."""
    return when.astimezone(KST).strftime("%Y-%m-%d %H:%M KST")


def status_of(hold: Hold, next_entry: datetime | None) -> HoldStatus:
    """The reported form of ``hold``; ``next_entry``: the schedule's next firing for its thing."""
    value = f"{hold.value}" if hold.what == "power" else f"{hold.value} %"
    head = f"{hold.what} {value}, set by {hold.by} at {clock_text(hold.since)}"
    if hold.until is not None:
        ends_at: datetime | None = hold.until
        tail = f"held until {clock_text(hold.until)}"
    else:
        ends_at = next_entry
        when = f" ({clock_text(next_entry)})" if next_entry else ""
        tail = f"until the schedule's next {hold.what} entry{when}"
    text = f"{head}, {tail}; `kiosk panel resume` ends it"
    return HoldStatus(hold.what, hold.value, hold.by, hold.since, hold.until, ends_at, text)


def parse_duration(text: str) -> timedelta:
    """``2h``, ``90m``, ``1h30m``, ``1d`` -> a duration of 1 minute .. 7 days; ValueError if not."""
    m = _DURATION.fullmatch(text.strip().lower())
    if not m or not any(m.groups()):
        raise ValueError(f"expected a duration such as 2h, 90m or 1h30m (got {text!r})")
    days, hours, minutes = (int(g) if g else 0 for g in m.groups())
    span = timedelta(days=days, hours=hours, minutes=minutes)
    if not timedelta(minutes=1) <= span <= MAX_HOLD:
        raise ValueError(f"a hold lasts 1 minute to 7 days (got {text!r})")
    return span


def parse_clock(text: str) -> time:
    """``06:00`` (24-hour, KST) -> a time of day; ValueError if not."""
    m = _CLOCK.fullmatch(text.strip())
    if not m:
        raise ValueError(f"expected a time HH:MM (24-hour, KST), e.g. 06:00 (got {text!r})")
    return time(int(m.group(1)), int(m.group(2)))


def next_clock(text: str, now: datetime) -> datetime:
    """The next ``HH:MM`` in KST strictly after ``now`` (today, or tomorrow if it has passed)."""
    at = parse_clock(text)
    local = now.astimezone(KST)
    when = datetime.combine(local.date(), at, KST)
    return when if when > local else when + timedelta(days=1)


def hold_end(now: datetime, for_: str | None = None, until: str | None = None) -> datetime | None:
    """When a hold given ``--for`` / ``--until`` ends (None: neither was given)."""
    if for_ is not None and until is not None:
        raise ValueError("give --for or --until, not both")
    if for_ is not None:
        return now + parse_duration(for_)
    if until is not None:
        return next_clock(until, now)
    return None
