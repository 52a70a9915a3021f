"""A quota ledger shared by a station's screens, in Redis, keyed by the API key's fingerprint.

    kiosk:quota:<ledger>:<fingerprint>:used:<YYYY-MM-DD>   calls counted that KST day
    kiosk:quota:<ledger>:<fingerprint>:blocked             ERROR-337 block, ISO time, own expiry

A count is added with INCRBY and given its expiry at the next midnight KST in one MULTI/EXEC
transaction, so screens counting at the same moment add up and no count outlives its day. A
block is a key that expires when the block ends. Nothing else is written: no key, no URL.
Every operation raises ``StoreUnavailable`` when Redis cannot be used.

Expiries are sent as seconds from now (EXPIRE / SET EX), not as absolute times (EXPIREAT /
EXAT): Redis applies an absolute time on its own clock, so a screen whose clock ran a day
behind the Redis host would write counts that expire the moment they are written, and its
budget would never run out. A relative expiry is off by no more than the skew.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from datetime import datetime
from typing import Any

from kiosk.core.budget import BudgetState, next_reset, quota_day
from kiosk.poller.quota_store import StoreUnavailable, current
from kiosk.poller.redis_link import RedisLink, RedisUnavailable

log = logging.getLogger(__name__)

PREFIX = "kiosk:quota"


def seconds_until(when: datetime, now: datetime) -> int:
    """Whole seconds from ``now`` to ``when``, at least 1 (Redis refuses an expiry of 0)."""
    return max(1, math.ceil((when - now).total_seconds()))


class RedisQuotaStore:
    """One key's shared count and block."""

    def __init__(self, link: RedisLink, name: str, fingerprint: str):
        self.link = link
        self.name = name
        self.base = f"{PREFIX}:{name}:{fingerprint}"
        self._said: set[str] = set()

    def used_key(self, now: datetime) -> str:
        """The Redis key of ``now``'s quota-day count."""
        return f"{self.base}:used:{quota_day(now).isoformat()}"

    @property
    def block_key(self) -> str:
        """The Redis key of the shared quota block."""
        return f"{self.base}:blocked"

    def read(self, now: datetime) -> BudgetState:
        """The shared state for ``now``'s quota day."""
        used, blocked = self._run(lambda r: r.mget(self.used_key(now), self.block_key))
        return self._state(used, blocked, now)

    def add(self, n: int, now: datetime) -> BudgetState:
        """Count ``n`` calls (atomically, with the day's expiry); the resulting state."""
        key = self.used_key(now)
        ttl = seconds_until(next_reset(now), now)

        def op(r: Any) -> list[Any]:
            p = r.pipeline(transaction=True)
            p.incrby(key, n)
            p.expire(key, ttl)
            p.get(self.block_key)
            result: list[Any] = p.execute()
            return result

        used, _, blocked = self._run(op)
        return self._state(used, blocked, now)

    def block(self, until: datetime, now: datetime) -> BudgetState:
        """Share a quota block until ``until`` (never past the next midnight KST)."""
        until = min(until, next_reset(now))
        key = self.used_key(now)

        def op(r: Any) -> list[Any]:
            p = r.pipeline(transaction=True)
            p.set(self.block_key, until.isoformat(), ex=seconds_until(until, now))
            p.get(key)
            result: list[Any] = p.execute()
            return result

        _, used = self._run(op)
        return self._state(used, until.isoformat().encode(), now)

    def _run(self, op: Callable[[Any], Any]) -> Any:
        try:
            return self.link.run(op)
        except RedisUnavailable as e:
            raise StoreUnavailable(str(e)) from None

    def _state(self, used: Any, blocked: Any, now: datetime) -> BudgetState:
        count = 0
        if used is not None:
            try:
                count = max(0, int(used))
            except (TypeError, ValueError):
                self._say("used", "%s key: ignoring a shared call count that is not a number")
        until = None
        if blocked is not None:
            try:
                text = blocked.decode() if isinstance(blocked, bytes) else str(blocked)
                until = datetime.fromisoformat(text)
                if until.tzinfo is None:
                    raise ValueError("no timezone")
            except (UnicodeDecodeError, ValueError):
                until = None
                self._say("blocked", "%s key: ignoring a shared quota block that is not a time")
        return current(BudgetState(day=quota_day(now), used=count, blocked_until=until), now)

    def _say(self, what: str, msg: str) -> None:
        if what not in self._said:
            self._said.add(what)
            log.warning(msg, self.name)
