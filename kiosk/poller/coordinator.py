"""One coordinator per source, with Home Assistant ``DataUpdateCoordinator`` semantics.

It keeps the last good data when a refresh fails, tracks the last success and failure, logs
once when a source goes down and once when it recovers, backs off exponentially (longer when a
Retry-After asks for longer, never shorter: ``Retry-After: 0`` must not make every tick a
call), and turns all of that into ``Snapshot`` objects for its listeners.

No Qt and no scheduler in here: something calls ``tick(now)`` (an APScheduler job in the kiosk,
a loop over a fake clock in tests) and the coordinator decides whether a call is due. Every
method that needs the time takes ``now``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any, Protocol

from kiosk.core.freshness import Freshness, FreshnessPolicy, data_time
from kiosk.core.health import health, state_until
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.timeutil import kst_text
from kiosk.errors import ApiKeyError, QuotaExceeded, SourceError

log = logging.getLogger(__name__)

Listener = Callable[[Snapshot[Any]], None]


@dataclass(frozen=True)
class FetchResult:
    """What one fetch produced."""

    items: tuple[Any, ...]
    fetched_at: datetime  # when the API produced this answer (older than now if from cache)
    from_cache: bool = False
    fallback_error: str | None = None  # the request failed; these items are the stored copy
    retry_after_s: float | None = None
    dropped: int = 0  # rows of the answer(s) the parser could not use


FetchFn = Callable[[datetime], FetchResult]


class Pacer(Protocol):
    """Decides when a source may call its API (intervals, budgets, quota blocks)."""

    def due(self, last_attempt: datetime | None, now: datetime) -> bool:
        """Whether a regular refresh is due (True also when a quota block should be reported)."""
        ...

    def may_retry(self, last_attempt: datetime | None, now: datetime) -> bool:
        """Whether a retry after a failure may go out now (its backoff has passed)."""
        ...

    def next_due(self, last_attempt: datetime | None, now: datetime) -> datetime | None:
        """When ``due`` turns True, as far as can be told at ``now`` (None: it cannot tell)."""
        ...

    def next_retry(self, last_attempt: datetime | None, now: datetime) -> datetime | None:
        """When ``may_retry`` turns True, as far as can be told at ``now`` (None: it cannot)."""
        ...

    def quota_block(self, now: datetime) -> str | None:
        """Why the key may not be called now (quota exceeded, budget spent), or None."""
        ...

    def exhausted(self, now: datetime) -> None:
        """The API said the daily quota is exceeded."""
        ...

    def next_opening(self, now: datetime) -> datetime:
        """When calls may resume after a quota block."""
        ...


class Coordinator:
    """Fetches one source when due and publishes honest snapshots of it."""

    def __init__(
        self,
        source: str,
        fetch: FetchFn,
        policy: FreshnessPolicy,
        pacer: Pacer,
        *,
        prime: Callable[[datetime], FetchResult | None] | None = None,
        backoff_base_s: float = 30.0,
        backoff_max_s: float = 900.0,
        redact: Callable[[str], str] | None = None,
    ):
        self.source = source
        # Every error line passes the kiosk's one redactor: an API's message or an HTML title may
        # quote the request path, key and all, and snapshots reach status, logs and terminals.
        self._redact = redact or (lambda text: text)
        self._fetch = fetch
        self._prime = prime
        self.policy = policy
        self.pacer = pacer
        self.backoff_base_s = backoff_base_s
        self.backoff_max_s = backoff_max_s
        self._lock = threading.RLock()
        self._listeners: list[Listener] = []
        # last good data
        self._items: tuple[Any, ...] = ()
        self._fetched_at: datetime | None = None
        self._data_at: datetime | None = None  # when it was true (worked out once per answer)
        self._from_cache = False
        # outcome of the last attempt
        self._failure: FeedStatus | None = None
        self._error: str | None = None
        self.last_attempt_at: datetime | None = None
        self.last_success_at: datetime | None = None
        self.last_failure_at: datetime | None = None
        self.failing_since: datetime | None = None
        self.consecutive_failures = 0
        self.retry_at: datetime | None = None
        self._forced = False
        self._dropped = 0  # unusable rows in the last good answer
        self._primed = prime is None
        self._last_emitted: Snapshot[Any] | None = None

    # -- listeners ---------------------------------------------------------------------
    def add_listener(self, listener: Listener) -> Callable[[], None]:
        """Call ``listener(snapshot)`` on every change; returns a function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def remove() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return remove

    # -- state ---------------------------------------------------------------------------
    @property
    def last_update_success(self) -> bool:
        """Whether the last attempt succeeded (True before the first attempt)."""
        return self._failure is None

    @property
    def last_error(self) -> str | None:
        """The last attempt's error, one line, or None."""
        return self._error

    def request_refresh(self) -> None:
        """Make the next ``tick`` refresh regardless of the interval (quota blocks still hold)."""
        self._forced = True

    def due(self, now: datetime) -> bool:
        """Whether ``tick(now)`` would call the API."""
        if self._forced:
            return True
        if self._failure is not None and self.retry_at is not None:
            # A clock that went back behind the failure cannot wait for a retry time it set:
            # the wait would last the backoff plus the jump.
            waited = now >= self.retry_at or (
                self.last_failure_at is not None and now < self.last_failure_at
            )
            return waited and self.pacer.may_retry(self.last_attempt_at, now)
        return self.pacer.due(self._paced_from(), now)

    def next_tick(self, now: datetime) -> datetime | None:
        """When ``tick`` next has something to do, as far as can be told at ``now``: a call
        comes due, or the data's age moves its state. None: it cannot be told (a budget with
        no call planned now): look again at the regular tick."""
        with self._lock:
            if self._forced:
                return now
            if self._failure is not None and self.retry_at is not None:
                paced = self.pacer.next_retry(self.last_attempt_at, now)
                if paced is None:
                    call = None  # no retry planned now (outside a budget's service hours)
                elif self.last_failure_at is not None and now < self.last_failure_at:
                    call = now  # the clock went back behind the failure (see ``due``)
                else:
                    call = max(self.retry_at, paced)
            else:
                call = self.pacer.next_due(self._paced_from(), now)
        if call is None:
            return None
        moves = state_until(self.snapshot(now), self.policy, now)
        return call if moves is None else min(call, moves)

    def _paced_from(self) -> datetime | None:
        """What the pacing counts from: the last attempt, or the time the data in hand was
        fetched when that is earlier (it came from the cache, e.g. fetched by another screen of
        the station). A station's screens then come due together, an interval after the one
        answer they share, and one call (single flight) serves them all."""
        last, fetched = self.last_attempt_at, self._fetched_at
        if last is not None and fetched is not None and self._from_cache and fetched < last:
            return fetched
        return last

    def snapshot(self, now: datetime) -> Snapshot[Any]:
        """What the screen may show at ``now``, judged by ``kiosk.core.health``."""
        with self._lock:
            idle = getattr(self.pacer, "idle_reason", None)
            facts = Snapshot(
                source=self.source,
                items=self._items,
                fetched_at=self._fetched_at,
                # the last answer said "no data" (INFO-200), as opposed to data not yet judged
                status=FeedStatus.EMPTY if not self._items else FeedStatus.OK,
                error=self._error,
                from_cache=self._from_cache,
                failure=self._failure,
                note=idle(now) if idle is not None and self._failure is None else None,
                retry_at=self.retry_at if self._failure is not None else None,
                data_at=self._data_at,
            )
        judged = health(facts, self.policy, now)
        # Published as what may be shown: data too old to trust is not handed out at all.
        items = facts.items if judged.freshness is not Freshness.UNAVAILABLE else ()
        return replace(facts, items=items, status=judged.status, error=judged.reason)

    # -- driving -------------------------------------------------------------------------
    def tick(self, now: datetime) -> Snapshot[Any]:
        """Refresh if due; otherwise re-judge freshness and notify if the status changed."""
        with self._lock:
            due = self.due(now)
        return self.refresh(now) if due else self._publish(now, always=False)

    def refresh(self, now: datetime) -> Snapshot[Any]:
        """One attempt now (a quota block still prevents the call). Never raises."""
        with self._lock:
            self._forced = False
            if not self._primed:
                self._primed = True
                self._load_primed(now)
            block = self.pacer.quota_block(now)
            if block is not None:
                self._fail(
                    now, FeedStatus.RATE_LIMITED, block, retry_at=self.pacer.next_opening(now)
                )
                return self._publish(now, always=True)
            self.last_attempt_at = now
        # The fetch runs outside the lock: ``snapshot()`` from other threads must not wait on I/O.
        try:
            result = self._fetch(now)
        except QuotaExceeded as e:
            self.pacer.exhausted(now)
            self._fail(
                now,
                FeedStatus.RATE_LIMITED,
                f"daily quota exceeded ({e.one_line()})",
                retry_at=self.pacer.next_opening(now),
            )
        except ApiKeyError as e:
            self._fail(now, FeedStatus.UNAUTHORIZED, _key_message(e))
        except SourceError as e:
            self._fail(
                now, FeedStatus.ERROR, e.one_line(), retry_after_s=getattr(e, "retry_after_s", None)
            )
        except Exception as e:  # a parser bug must cost one source one refresh, not the poller
            log.debug("%s: unexpected error", self.source, exc_info=True)
            self._fail(
                now,
                FeedStatus.ERROR,
                f"unexpected {e.__class__.__name__}: {' '.join(str(e).split())}",
            )
        else:
            if result.fallback_error is not None:
                self._adopt(result, only_if_newer=True)
                self._fail(
                    now, FeedStatus.ERROR, result.fallback_error, retry_after_s=result.retry_after_s
                )
            else:
                self._succeed(now, result)
        return self._publish(now, always=True)

    # -- internals -----------------------------------------------------------------------
    def _load_primed(self, now: datetime) -> None:
        # At start-up, show what the cache kept from before (with its true age) until the first
        # refresh brings something newer.
        try:
            result = self._prime(now) if self._prime else None
        except Exception as e:
            log.debug("%s: nothing usable in the cache (%s)", self.source, e.__class__.__name__)
            return
        if result is not None:
            self._adopt(result, only_if_newer=True)

    def _adopt(self, result: FetchResult, only_if_newer: bool) -> None:
        with self._lock:
            if (
                only_if_newer
                and self._fetched_at is not None
                and result.fetched_at <= self._fetched_at
            ):
                return
            self._items = tuple(result.items)
            self._fetched_at = result.fetched_at
            self._data_at = data_time(result.fetched_at, self._items)
            self._from_cache = result.from_cache

    def _succeed(self, now: datetime, result: FetchResult) -> None:
        with self._lock:
            self._adopt(result, only_if_newer=False)
            if bool(result.dropped) != bool(self._dropped):  # once per change, not per poll
                if result.dropped:
                    log.warning("%s: %d unusable row(s) dropped", self.source, result.dropped)
                else:
                    log.info("%s: every row usable again", self.source)
            self._dropped = result.dropped
            if self._failure is not None:
                log.info(
                    "%s: recovered after %d failed attempt(s), failing since %s",
                    self.source,
                    self.consecutive_failures,
                    _clock(self.failing_since),
                )
            self._failure = None
            self._error = None
            self.last_success_at = now
            self.consecutive_failures = 0
            self.failing_since = None
            self.retry_at = None

    def _fail(
        self,
        now: datetime,
        status: FeedStatus,
        error: str,
        retry_after_s: float | None = None,
        retry_at: datetime | None = None,
    ) -> None:
        error = self._redact(error)
        with self._lock:
            if self._failure != status:
                # Once per state change: going down, or down in a different way.
                log.warning("%s: %s: %s", self.source, status.value, error)
            else:
                log.debug("%s: still failing: %s", self.source, error)
            self._failure = status
            self._error = error
            self.last_failure_at = now
            self.failing_since = self.failing_since or now
            self.consecutive_failures += 1
            if retry_at is None:
                wait = max(retry_after_s or 0.0, self._backoff())  # the backoff is the floor
                retry_at = now + timedelta(seconds=wait)
            self.retry_at = retry_at

    def _backoff(self) -> float:
        n = max(0, self.consecutive_failures - 1)
        return min(self.backoff_max_s, self.backoff_base_s * (2 ** min(n, 20)))

    def _publish(self, now: datetime, always: bool) -> Snapshot[Any]:
        snap = self.snapshot(now)
        with self._lock:
            prev = self._last_emitted
            changed = prev is None or (
                prev.status != snap.status
                or prev.error != snap.error
                or prev.fetched_at != snap.fetched_at
                or prev.items is not snap.items
            )
            if not (always or changed):
                return snap
            self._last_emitted = snap
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(snap)
            except Exception:  # a broken listener must not stop the others or the poller
                log.warning("%s: a snapshot listener failed", self.source, exc_info=True)
        return snap


def _key_message(e: ApiKeyError) -> str:
    if e.code == "NO-KEY":
        return e.message or e.one_line()
    return f"the API key was rejected ({e.one_line()})"


def _clock(when: datetime | None) -> str:
    return kst_text(when)
