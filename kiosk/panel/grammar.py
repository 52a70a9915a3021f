"""The schedule's small languages: ``at`` (when in the day) and ``days`` (which days). Pure.

at   := HH:MM | SUN [("+"|"-") OFFSET]          e.g. "05:00", "sunrise", "sunset+30m", "dusk-1h15m"
SUN  := sunrise | sunset | dawn | dusk          (dawn/dusk = civil twilight, sun 6 degrees below)
OFFSET := [N "h"] [N "m"]                       at most 6 h either way

days := TERMS [" except " TERMS]                e.g. "mon-fri", "sat,sun", "weekends,holidays",
TERMS := TERM ("," TERM)*                            "mon-fri except holidays"
TERM := daily | weekdays | weekends | holidays | workdays | not-holidays | DAY | DAY "-" DAY
DAY  := mon | tue | wed | thu | fri | sat | sun (full names work too; ranges may wrap: fri-mon)
workdays = "mon-fri except holidays"; not-holidays = "daily except holidays".
``days`` is matched against the calendar day the ``at`` time falls on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from kiosk._settings_base import check_hhmm

SUN_EVENTS = ("sunrise", "sunset", "dawn", "dusk")
MAX_OFFSET_MIN = 6 * 60
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SUN_RE = re.compile(r"^(sunrise|sunset|dawn|dusk)(?:\s*([+-])\s*(?:(\d+)h)?\s*(?:(\d+)m)?)?$")
_AT_HELP = (
    "expected HH:MM (24-hour), or sunrise/sunset/dawn/dusk with an optional offset like sunset+30m"
)


@dataclass(frozen=True)
class AtSpec:
    """When in the day an entry fires: a clock time, or a sun event plus an offset in minutes."""

    kind: str  # "time" or one of SUN_EVENTS
    minutes: int  # minutes after midnight for "time"; the signed offset for sun events

    @property
    def text(self) -> str:
        """The canonical spelling, as a technician would write it."""
        if self.kind == "time":
            return f"{self.minutes // 60:02d}:{self.minutes % 60:02d}"
        if not self.minutes:
            return self.kind
        sign = "+" if self.minutes > 0 else "-"
        h, m = divmod(abs(self.minutes), 60)
        return f"{self.kind}{sign}{f'{h}h' if h else ''}{f'{m}m' if m else ''}"


@lru_cache(maxsize=256)
def parse_at(text: str) -> AtSpec:
    """Parse an ``at`` value; raise ValueError with a one-line reason."""
    s = text.strip().lower()
    m = _SUN_RE.match(s)
    if m:
        event, sign, hours, mins = m.groups()
        if sign and hours is None and mins is None:
            raise ValueError(f"bad time {text!r}: offset needs h or m, e.g. {event}+30m")
        offset = int(hours or 0) * 60 + int(mins or 0)
        if offset > MAX_OFFSET_MIN:
            raise ValueError(f"bad time {text!r}: offset is more than 6h")
        return AtSpec(event, -offset if sign == "-" else offset)
    try:
        hhmm = check_hhmm(s)
    except ValueError:
        raise ValueError(f"bad time {text!r}: {_AT_HELP}") from None
    hh, mm = hhmm.split(":")
    return AtSpec("time", int(hh) * 60 + int(mm))


@dataclass(frozen=True)
class DaySpec:
    """Which calendar days an entry applies to (weekday numbers 0=Mon, plus public holidays)."""

    weekdays: frozenset[int]
    holidays: bool
    except_weekdays: frozenset[int] = frozenset()
    except_holidays: bool = False

    def matches(self, day: date, is_holiday: bool) -> bool:
        """True if the entry applies on ``day``."""
        wd = day.weekday()
        included = wd in self.weekdays or (self.holidays and is_holiday)
        excluded = wd in self.except_weekdays or (self.except_holidays and is_holiday)
        return included and not excluded

    @property
    def uses_holidays(self) -> bool:
        """Whether the public-holiday calendar matters for this selector."""
        return self.holidays or self.except_holidays


_ALL = frozenset(range(7))
_MON_FRI = frozenset(range(5))


def _day_index(name: str, whole: str) -> int:
    if name in _DAY_NAMES:
        return _DAY_NAMES.index(name)
    if name in _FULL_NAMES:
        return _FULL_NAMES.index(name)
    raise ValueError(
        f"bad days {whole!r}: unknown day {name!r} (use mon..sun, daily, weekdays, weekends, "
        "holidays, workdays, not-holidays)"
    )


def _terms(part: str, whole: str) -> tuple[frozenset[int], bool, frozenset[int], bool]:
    """Union of the comma-separated terms: (weekdays, holidays, implied excepts...)."""
    days: set[int] = set()
    hol = False
    exc_days: set[int] = set()
    exc_hol = False
    for raw in part.split(","):
        term = raw.strip()
        if not term:
            raise ValueError(f"bad days {whole!r}: empty item between commas")
        if term in ("daily", "everyday", "all"):
            days |= _ALL
        elif term == "weekdays":
            days |= _MON_FRI
        elif term == "weekends":
            days |= {5, 6}
        elif term == "holidays":
            hol = True
        elif term == "workdays":  # a shorthand that carries its own exception
            days |= _MON_FRI
            exc_hol = True
        elif term in ("not-holidays", "non-holidays"):
            days |= _ALL
            exc_hol = True
        elif "-" in term:
            a, _, b = term.partition("-")
            i, j = _day_index(a.strip(), whole), _day_index(b.strip(), whole)
            days |= {(i + k) % 7 for k in range((j - i) % 7 + 1)}  # may wrap: fri-mon
        else:
            days.add(_day_index(term, whole))
    return frozenset(days), hol, frozenset(exc_days), exc_hol


@lru_cache(maxsize=256)
def parse_days(text: str) -> DaySpec:
    """Parse a ``days`` value; raise ValueError with a one-line reason."""
    s = " ".join(text.strip().lower().split())
    if not s:
        raise ValueError(
            "bad days '': empty (use daily, mon-fri, sat,sun, weekends, holidays, ...)"
        )
    include, _, exclude = s.partition(" except ")
    days, hol, exc_days, exc_hol = _terms(include, text)
    if exclude:
        more_days, more_hol, _, _ = _terms(exclude, text)
        exc_days |= more_days
        exc_hol = exc_hol or more_hol
    spec = DaySpec(days, hol, exc_days, exc_hol)
    if not any(spec.matches(date(2024, 1, d), h) for d in range(1, 8) for h in (False, True)):
        raise ValueError(f"bad days {text!r}: selects no day at all")
    return spec
