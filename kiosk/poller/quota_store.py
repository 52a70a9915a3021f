"""A quota ledger's local record: in memory, or a small JSON file that nothing can turn into a crash.

The file (``quota-subway.json`` next to the HTTP cache) is read at start and merged under an
advisory lock at every update, so ``kiosk fetch`` and ``kiosk run`` add up instead of
overwriting each other. It names the key it counts for by fingerprint: a count made with
another key is not reused. Whatever the file holds (``1e400``, NaN, a string, a
``blocked_until`` without a timezone or in 2030), loading it never raises: each bad field is
ignored with one warning, and a block never reaches past the next midnight KST.

``unsynced`` counts the calls made while the shared (Redis) ledger was unreachable, so that
they are added to the shared count when it comes back (see ``pacing.QuotaLedger``).
"""

from __future__ import annotations

import fcntl
import json
import logging
import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from kiosk.core.budget import BudgetState, next_reset, quota_day, rolled
from kiosk.core.timeutil import KST
from kiosk.ops.files import write_atomic

log = logging.getLogger(__name__)


class StoreUnavailable(Exception):
    """A shared store cannot be used now; the ledger counts locally meanwhile."""


MAX_COUNT = 10**9  # no key allows more calls in a day; a larger count is damage, not data


def current(state: BudgetState, now: datetime) -> BudgetState:
    """``state`` as it applies at ``now``: rolled to the quota day, block capped at midnight.

    A record dated after ``now`` means the clock went back: its count is kept for today rather
    than forgotten (forgetting it would hand out the budget twice). A block never outlives the
    quota day it was set on.
    """
    today = quota_day(now)
    if state.day is not None and state.day > today:
        state = replace(state, day=today)
    if state.day != today:
        return BudgetState(day=today)
    reset = next_reset(now)
    if state.blocked_until is not None and state.blocked_until > reset:
        state = replace(state, blocked_until=reset)
    return rolled(state, now)


@dataclass(frozen=True)
class LocalRecord:
    """What this screen's own ledger holds for one key."""

    state: BudgetState = BudgetState()
    unsynced: int = 0  # calls not yet added to the shared ledger

    def at(self, now: datetime) -> LocalRecord:
        """The record for ``now``'s quota day (unsynced calls of an earlier day are moot)."""
        state = current(self.state, now)
        return LocalRecord(state, self.unsynced if state.day == self.state.day else 0)


def _count(raw: dict[str, Any], field: str, problems: list[str]) -> int:
    value = raw.get(field, 0)
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.append(f"{field} is not a number")
        return 0
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        problems.append(f"{field} is not a whole number")
        return 0
    if not 0 <= value <= MAX_COUNT:
        problems.append(f"{field} is out of range")
        return 0
    return int(value)


def _blocked(raw: dict[str, Any], problems: list[str]) -> datetime | None:
    value = raw.get("blocked_until")
    if value is None:
        return None
    if not isinstance(value, str):
        problems.append("blocked_until is not a time")
        return None
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        problems.append("blocked_until is not a time")
        return None
    if when.tzinfo is None:  # we write KST with an offset; a hand-edited time means KST
        problems.append("blocked_until has no timezone (taken as KST)")
        when = when.replace(tzinfo=KST)
    return when


def parse_record(raw: Any, fingerprint: str) -> tuple[LocalRecord, list[str], bool]:
    """A file's JSON -> (record, problems found, whether it counted for another key)."""
    if not isinstance(raw, dict):
        return LocalRecord(), ["not a JSON object"], False
    key = raw.get("key")
    if key is not None and key != fingerprint:
        return LocalRecord(), [], True
    problems: list[str] = []
    day_text = raw.get("day")
    try:
        day = date.fromisoformat(day_text) if isinstance(day_text, str) else None
    except ValueError:
        day = None
    if day is None:
        if day_text is not None:
            problems.append("day is not a date")
        return LocalRecord(), problems, False
    used = _count(raw, "used", problems)
    unsynced = _count(raw, "unsynced", problems)
    state = BudgetState(day=day, used=used, blocked_until=_blocked(raw, problems))
    return LocalRecord(state, min(unsynced, used)), problems, False


def _merge(a: LocalRecord, b: LocalRecord) -> LocalRecord:
    """Two views of one day's record: another process may have counted calls since we looked."""
    blocks = [x for x in (a.state.blocked_until, b.state.blocked_until) if x is not None]
    return LocalRecord(
        BudgetState(
            day=a.state.day,
            used=max(a.state.used, b.state.used),
            blocked_until=max(blocks, default=None),
        ),
        max(a.unsynced, b.unsynced),
    )


class LocalStore:
    """One key's record, kept in memory and (when ``path`` is given) in a JSON file."""

    def __init__(self, name: str, fingerprint: str, path: Path | None = None):
        self.name = name
        self.fingerprint = fingerprint
        self.path = path
        self._lock = threading.Lock()
        self._said: set[str] = set()  # each problem is logged once, not on every update
        self._record = self._read() if path else LocalRecord()

    def load(self, now: datetime) -> LocalRecord:
        """The record for ``now``'s quota day (as last read or written; no disk access)."""
        with self._lock:
            self._record = self._record.at(now)
            return self._record

    def update(self, now: datetime, change: Callable[[LocalRecord], LocalRecord]) -> LocalRecord:
        """Apply ``change`` to today's record, merged with the file's, and save it."""
        with self._lock:
            if self.path is None:
                self._record = change(self._record.at(now))
                return self._record
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path.with_name(self.path.name + ".lock"), "a+") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX)
                    merged = _merge(self._record.at(now), self._read().at(now))
                    self._record = change(merged)
                    self._write(self._record)
            except OSError as e:
                self._say(
                    "persist",
                    "%s key: cannot persist call count to %s (%s); counting in memory",
                    self.name,
                    self.path,
                    e.strerror or e.__class__.__name__,
                )
                self._record = change(self._record.at(now))
            return self._record

    def _say(self, what: str, msg: str, *args: object) -> None:
        if what not in self._said:
            self._said.add(what)
            log.warning(msg, *args)

    def _read(self) -> LocalRecord:
        assert self.path is not None
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return LocalRecord()
        except (OSError, ValueError, RecursionError) as e:  # unreadable, not JSON, not UTF-8
            self._say(
                "unreadable",
                "%s key: ignoring unreadable call count %s (%s)",
                self.name,
                self.path,
                e.__class__.__name__,
            )
            return LocalRecord()
        record, problems, other_key = parse_record(raw, self.fingerprint)
        if other_key:
            if "other key" not in self._said:
                self._said.add("other key")
                log.info(
                    "%s key: %s counted another key; starting a fresh count", self.name, self.path
                )
        elif problems:
            self._say(
                "; ".join(problems),
                "%s key: ignoring bad values in %s: %s",
                self.name,
                self.path,
                "; ".join(problems),
            )
        return record

    def _write(self, record: LocalRecord) -> None:
        assert self.path is not None
        s = record.state
        data = {
            "key": self.fingerprint,  # a salted hash naming the key, never the key
            "day": s.day.isoformat() if s.day else None,
            "used": s.used,
            "blocked_until": s.blocked_until.isoformat() if s.blocked_until else None,
            "unsynced": record.unsynced,
        }
        write_atomic(self.path, json.dumps(data).encode())  # a power cut leaves old or new
