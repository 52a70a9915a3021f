"""Single flight across a station's screens: when a cached answer expires, one screen calls the
API and the others wait (bounded) for its answer in the shared cache instead of calling too.

    flight = SingleFlight(link)
    result = flight.run(cache_key, lookup=lambda: cached_body_or_none(), call=lambda: fetch())
    result.value, result.how   # how: "called", "cached", "waited", "timed_out" or "alone"

The leader takes ``SET <lock> <token> NX PX <ttl>`` and releases it when its call is done
(only its own token: a lock that expired and was taken by another screen is left alone).
A waiter polls ``lookup`` (the shared cache) until the answer is there; if the lock goes away
without an answer (the leader failed) it tries to lead; after ``wait_s`` it calls itself. With
Redis out of reach every screen simply calls (``alone``): nothing waits on a dead Redis.

Lock names are a hash of the cache key, so nothing a caller passes (even a URL with a key in
it) reaches Redis. The lock's expiry only frees a leader that died; it should exceed the
longest call (the HTTP timeout).
"""

from __future__ import annotations

import contextlib
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kiosk.poller.redis_link import RedisLink, RedisUnavailable

T = TypeVar("T")

PREFIX = "kiosk:flight"
# Delete the lock only if it is still ours (compare-and-delete in one step).
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)

CALLED = "called"  # this screen led and called the API
CACHED = "cached"  # this screen took the lock, but another had just refreshed the cache
WAITED = "waited"  # another screen called; its answer came from the cache
TIMED_OUT = "timed_out"  # waited wait_s for an answer that did not come, then called
ALONE = "alone"  # Redis out of reach: called without coordinating


@dataclass(frozen=True)
class FlightResult(Generic[T]):
    """The answer and how this screen got it."""

    value: T
    how: str


def lock_name(cache_key: str) -> str:
    """The Redis key of a cache key's lock (a hash: nothing of the cache key itself)."""
    return f"{PREFIX}:{hashlib.sha256(cache_key.encode('utf-8')).hexdigest()[:32]}"


class SingleFlight:
    """One caller per cache key at a time across every screen sharing ``link``."""

    def __init__(
        self,
        link: RedisLink,
        *,
        lock_ttl_s: float = 30.0,
        wait_s: float = 10.0,
        poll_s: float = 0.05,
        wait: Callable[[float], None] = time.sleep,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.link = link
        self.lock_ttl_ms = max(1, int(lock_ttl_s * 1000))
        self.wait_s = wait_s
        self.poll_s = poll_s
        self._wait = wait
        self._monotonic = monotonic

    def run(
        self, cache_key: str, lookup: Callable[[], T | None], call: Callable[[], T]
    ) -> FlightResult[T]:
        """``call()`` here, or the answer another screen's call left in the cache (``lookup()``)."""
        lock = lock_name(cache_key)
        token = secrets.token_hex(16)
        deadline = self._monotonic() + self.wait_s
        while True:
            try:
                mine = self._acquire(lock, token)
            except RedisUnavailable:
                return FlightResult(call(), ALONE)
            if mine:
                return self._lead(lock, token, lookup, call)
            answer = self._await(lock, lookup, deadline)
            if answer is not None:
                return FlightResult(answer, WAITED)
            if self._monotonic() >= deadline:
                return FlightResult(call(), TIMED_OUT)
            # The lock is gone and no answer came: the leader failed. Try to lead.

    def _acquire(self, lock: str, token: str) -> bool:
        return bool(self.link.run(lambda r: r.set(lock, token, nx=True, px=self.lock_ttl_ms)))

    def _lead(
        self, lock: str, token: str, lookup: Callable[[], T | None], call: Callable[[], T]
    ) -> FlightResult[T]:
        try:
            # Between the caller's look at the cache and our lock another screen may have
            # finished a refresh: its answer is as good as ours and costs nothing.
            answer = lookup()
            if answer is not None:
                return FlightResult(answer, CACHED)
            return FlightResult(call(), CALLED)
        finally:
            self._release(lock, token)

    def _release(self, lock: str, token: str) -> None:
        def op(r: Any) -> object:
            return r.eval(_RELEASE, 1, lock, token)

        with contextlib.suppress(RedisUnavailable):  # else the lock expires by itself
            self.link.run(op)

    def _await(self, lock: str, lookup: Callable[[], T | None], deadline: float) -> T | None:
        """The answer once it is in the cache; None when the lock went away or time is up."""
        while True:
            answer = lookup()
            if answer is not None:
                return answer
            if self._monotonic() >= deadline:
                return None
            try:
                held = self.link.run(lambda r: r.exists(lock))
            except RedisUnavailable:
                return None
            if not held:
                return lookup()
            self._wait(min(self.poll_s, max(0.0, deadline - self._monotonic())))
