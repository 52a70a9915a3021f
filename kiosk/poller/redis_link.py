"""The link to a station's shared Redis: parse ``sources.cache_url``, connect, notice outages, rejoin.

A screen must never wait on Redis: every command has a short socket timeout, redis-py's own
retries are off, and after a failure the link reports "down" at once (no I/O) until a bounded,
growing retry delay has passed; then the next caller's command is the probe. Going down and
coming back are each logged once.

The URL and its password are parsed by ``redis_target`` (which config validation uses without
loading redis-py). A URL with a password is a secret: only ``RedisTarget.display`` (the URL
without its password) ever reaches a message, and every message from redis-py is scrubbed of
the password before it is logged.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from kiosk.poller.redis_target import RedisTarget, parse_target
from kiosk.poller.settings import SourcesConfig

__all__ = ["RedisLink", "RedisTarget", "RedisUnavailable", "link_from_config", "parse_target"]

log = logging.getLogger(__name__)

T = TypeVar("T")

TIMEOUT_S = 0.5  # per command and per connect: the station's Redis is on the LAN
RETRY_MIN_S = 1.0
RETRY_MAX_S = 30.0


class RedisUnavailable(Exception):
    """The shared Redis cannot be used now (down, or waiting to retry); the message is one line."""


class RedisLink:
    """One connection pool to the shared Redis, with outage detection and bounded rejoin."""

    def __init__(
        self,
        target: RedisTarget,
        *,
        timeout_s: float = TIMEOUT_S,
        retry_min_s: float = RETRY_MIN_S,
        retry_max_s: float = RETRY_MAX_S,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.target = target
        self.retry_min_s = retry_min_s
        self.retry_max_s = retry_max_s
        self._monotonic = monotonic
        self._client = redis.Redis.from_url(
            target.url,
            password=target.password,
            socket_timeout=timeout_s,
            socket_connect_timeout=timeout_s,
            retry=Retry(NoBackoff(), 0),  # one attempt: our own retry delay decides the next
            retry_on_timeout=False,
            health_check_interval=0,
        )
        self._lock = threading.Lock()
        self._probe = threading.Lock()  # while down, one caller at a time tries the link
        self._up: bool | None = None  # None: not tried yet
        self._delay = retry_min_s
        self._next_try = 0.0
        self._reason = ""

    @property
    def up(self) -> bool | None:
        """True after a command succeeded, False after one failed, None before the first."""
        return self._up

    @property
    def client(self) -> redis.Redis:
        """The pool's client, for a library that talks to Redis itself (requests-cache's
        ``RedisCache(connection=...)``): same pool and timeouts, but its errors are its own
        and do not mark the link down; use ``run`` for anything that must fall back."""
        return self._client

    @property
    def reason(self) -> str:
        """Why the link is down (one line, secret-free), or ""."""
        return self._reason

    def run(self, op: Callable[[redis.Redis], T]) -> T:
        """``op(client)`` now, or RedisUnavailable (at once while waiting to retry)."""
        with self._lock:
            down = self._up is False
            if down and self._monotonic() < self._next_try:
                raise RedisUnavailable(self._reason)
        if down and not self._probe.acquire(blocking=False):
            raise RedisUnavailable(self._reason)
        try:
            result = op(self._client)
        except (redis.RedisError, OSError) as e:
            if isinstance(e, redis.ResponseError) and not isinstance(e, redis.AuthenticationError):
                self._succeeded()  # the server answered: the link is fine, the command was not
                raise RedisUnavailable(self.scrub(f"Redis refused a command: {e}")) from None
            raise RedisUnavailable(self._failed(e)) from None
        finally:
            if down:
                self._probe.release()
        self._succeeded()
        return result

    def scrub(self, text: str) -> str:
        """``text`` without the password or the URL as configured."""
        for secret in sorted(self.target.secrets(), key=len, reverse=True):
            text = text.replace(secret, "****")
        return text

    def _failed(self, e: BaseException) -> str:
        detail = " ".join(str(e).split())[:200] or e.__class__.__name__
        reason = self.scrub(f"shared Redis {self.target.display} unreachable ({detail})")
        with self._lock:
            was = self._up
            self._up = False
            self._reason = reason
            self._next_try = self._monotonic() + self._delay
            self._delay = min(self._delay * 2, self.retry_max_s)
        if was is not False:
            log.warning("%s; going on with local data, retrying in the background", reason)
        return reason

    def _succeeded(self) -> None:
        with self._lock:
            was = self._up
            self._up = True
            self._reason = ""
            self._delay = self.retry_min_s
        if was is False:
            log.info("shared Redis %s is back; sharing again", self.target.display)

    def close(self) -> None:
        """Close the pool's connections."""
        with contextlib.suppress(redis.RedisError, OSError):
            self._client.close()


def link_from_config(src: SourcesConfig) -> RedisLink | None:
    """The station's Redis link from ``sources.cache_url`` (None without one).

    Raises ValueError naming the problem (never the URL) if the URL or password file is bad;
    ``kiosk check-config`` reports the same problems with their key paths.
    """
    if not src.cache_url:
        return None
    return RedisLink(parse_target(src.cache_url, src.cache_password_file))
