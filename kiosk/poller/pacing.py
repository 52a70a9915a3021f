"""When each source may call its API: a persisted per-key call ledger and two pacers.

``QuotaLedger`` counts one key's calls for the current quota day (KST) and remembers an
ERROR-337 block until midnight. It is shared by every source using the key (the general key
serves air, parks, trails, bikes and events) and persisted in a small JSON file next to the
HTTP cache, so a restart or a ``kiosk fetch`` does not reset the count. Updates merge with the
file under an advisory lock, so two processes add up instead of overwriting each other.

``BudgetPacer`` spreads the subway key's calls over the day (core/budget.py);
``IntervalPacer`` refreshes at a fixed interval, within the shared ledger's cap.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import tempfile
import threading
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path

from kiosk.core import budget
from kiosk.core.budget import BudgetPlan, BudgetState

log = logging.getLogger(__name__)


class QuotaLedger:
    """One API key's calls today, shared by its sources and persisted across restarts."""

    def __init__(self, name: str, plan: BudgetPlan, path: Path | None = None):
        self.name = name
        self.plan = plan
        self.path = path
        self._lock = threading.Lock()
        self._state = self._read() if path else BudgetState()
        self._warned = False

    def state(self, now: datetime) -> BudgetState:
        """The state for ``now``'s quota day."""
        with self._lock:
            self._state = budget.rolled(self._state, now)
            return self._state

    def record_calls(self, n: int, now: datetime) -> None:
        """Count ``n`` calls made at ``now``."""
        if n > 0:
            self._update(now, lambda s: replace(s, used=s.used + n))

    def exhausted(self, now: datetime) -> None:
        """The API reported the daily quota exceeded: block until the reset."""
        log.warning("%s key: daily quota exceeded; no calls until midnight KST", self.name)
        self._update(now, lambda s: budget.record_exhausted(s, now))

    def quota_block(self, now: datetime) -> str | None:
        """Why the key may not be called before the reset, or None."""
        return budget.quota_reason(self.plan, self.state(now), now)

    def next_opening(self, now: datetime) -> datetime:
        """When calls may resume."""
        return budget.next_opening(self.plan, self.state(now), now)

    # -- persistence -------------------------------------------------------------------------
    def _update(self, now: datetime, change: object) -> None:
        assert callable(change)
        with self._lock:
            if self.path is None:
                self._state = change(budget.rolled(self._state, now))
                return
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with open(self.path.with_name(self.path.name + ".lock"), "a+") as lock:
                    fcntl.flock(lock, fcntl.LOCK_EX)
                    disk = budget.rolled(self._read(), now)
                    mine = budget.rolled(self._state, now)
                    # Another process may have counted calls since we last looked: take the larger.
                    merged = BudgetState(
                        day=disk.day,
                        used=max(disk.used, mine.used),
                        blocked_until=max(
                            (b for b in (disk.blocked_until, mine.blocked_until) if b), default=None
                        ),
                    )
                    self._state = change(merged)
                    self._write(self._state)
            except OSError as e:
                if not self._warned:
                    log.warning(
                        "%s key: cannot persist call count to %s (%s); counting in memory",
                        self.name,
                        self.path,
                        e.strerror or e.__class__.__name__,
                    )
                    self._warned = True
                self._state = change(budget.rolled(self._state, now))

    def _read(self) -> BudgetState:
        try:
            raw = json.loads(self.path.read_text(encoding="utf-8")) if self.path else {}
            blocked = raw.get("blocked_until")
            return BudgetState(
                day=date.fromisoformat(raw["day"]) if raw.get("day") else None,
                used=max(0, int(raw.get("used", 0))),
                blocked_until=datetime.fromisoformat(blocked) if blocked else None,
            )
        except FileNotFoundError:
            return BudgetState()
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as e:
            log.warning(
                "%s key: ignoring unreadable call count %s (%s)",
                self.name,
                self.path,
                e.__class__.__name__,
            )
            return BudgetState()

    def _write(self, state: BudgetState) -> None:
        assert self.path is not None
        data = {
            "day": state.day.isoformat() if state.day else None,
            "used": state.used,
            "blocked_until": state.blocked_until.isoformat() if state.blocked_until else None,
        }
        fd, tmp = tempfile.mkstemp(prefix=self.path.name, dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                json.dump(data, f)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, self.path)  # atomic: a power cut leaves the old or the new file
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise


class BudgetPacer:
    """Paces a key by its daily budget: spread over service hours, denser in rush hours."""

    def __init__(self, ledger: QuotaLedger):
        self.ledger = ledger

    def due(self, last_attempt: datetime | None, now: datetime) -> bool:
        if self.ledger.quota_block(now) is not None:
            # Due as far as timing goes: the coordinator then reports the block instead of calling.
            gap = timedelta(seconds=self.ledger.plan.min_interval_s)
            return last_attempt is None or now - last_attempt >= gap
        return budget.may_call(self.ledger.plan, self.ledger.state(now), last_attempt, now)

    def may_retry(self, last_attempt: datetime | None, now: datetime) -> bool:
        # A retry costs a call like any other: it waits for the budget's interval too.
        return self.due(last_attempt, now)

    def quota_block(self, now: datetime) -> str | None:
        return self.ledger.quota_block(now)

    def exhausted(self, now: datetime) -> None:
        self.ledger.exhausted(now)

    def next_opening(self, now: datetime) -> datetime:
        return self.ledger.next_opening(now)

    def idle_reason(self, now: datetime) -> str | None:
        """Why no calls are planned now although nothing failed (outside service hours), or None."""
        if budget.weight(self.ledger.plan, now) == 0:
            w = self.ledger.plan.service
            return f"outside service hours ({w.start:%H:%M}-{w.end:%H:%M} KST)"
        return None

    def interval_s(self, now: datetime) -> float | None:
        """The current spacing between calls (for status output)."""
        return budget.interval_s(self.ledger.plan, self.ledger.state(now), now)


class IntervalPacer:
    """Refreshes every ``interval_s`` seconds, within an optional shared ledger's cap."""

    def __init__(self, interval_s: float, ledger: QuotaLedger | None = None):
        self.interval = timedelta(seconds=interval_s)
        self.ledger = ledger

    def due(self, last_attempt: datetime | None, now: datetime) -> bool:
        # A quota block is reported by the coordinator when the refresh comes due, not before:
        # a source with fresh data has nothing to report.
        return last_attempt is None or now - last_attempt >= self.interval

    def may_retry(self, last_attempt: datetime | None, now: datetime) -> bool:
        return True

    def quota_block(self, now: datetime) -> str | None:
        return self.ledger.quota_block(now) if self.ledger else None

    def exhausted(self, now: datetime) -> None:
        if self.ledger:
            self.ledger.exhausted(now)

    def next_opening(self, now: datetime) -> datetime:
        return self.ledger.next_opening(now) if self.ledger else now + self.interval
