"""The link to a station's shared Redis: parse ``sources.cache_url``, connect, notice outages, rejoin.

A screen must never wait on Redis: every command has a short socket timeout, redis-py's own
retries are off, and after a failure the link reports "down" at once (no I/O) until a bounded,
growing retry delay has passed; then the next caller's command is the probe. Going down and
coming back are each logged once.

The URL may carry a password (``redis://:PASSWORD@host:6379/0``), and so may
``sources.cache_password_file``. A URL with a password is a secret: only ``RedisTarget.display``
(the URL without its password) ever reaches a message, and every message from redis-py is
scrubbed of the password and the raw URL before it is logged.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar
from urllib.parse import parse_qsl, quote, unquote, urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

T = TypeVar("T")

SCHEMES = ("redis", "rediss", "unix")
# Query options that cannot undo the link's bounds (timeouts, retries) or smuggle a password.
QUERY_OPTIONS = frozenset(
    {"db", "client_name", "ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile"}
)
TIMEOUT_S = 0.5  # per command and per connect: the station's Redis is on the LAN
RETRY_MIN_S = 1.0
RETRY_MAX_S = 30.0


class RedisUnavailable(Exception):
    """The shared Redis cannot be used now (down, or waiting to retry); the message is one line."""


@dataclass(frozen=True)
class RedisTarget:
    """Where the station's Redis is. ``url`` has no password; ``display`` is safe to print."""

    url: str = field(repr=False)
    password: str | None = field(default=None, repr=False)
    display: str = ""

    def secrets(self) -> tuple[str, ...]:
        """What a log redactor must mask (the password, raw and percent-encoded)."""
        if not self.password:
            return ()
        return tuple({self.password, quote(self.password, safe="")})


def parse_target(url: str, password_file: Path | None = None) -> RedisTarget:
    """Check a ``sources.cache_url`` and split off its password; ValueError names the problem.

    No message here quotes the URL as given: it may hold a password.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not url.strip().lower().startswith(scheme + "://"):
        shown = scheme + "://" if scheme and "://" in url else "(none)"
        raise ValueError(f"unsupported scheme {shown}: use redis://, rediss:// or unix://")
    try:
        port = parts.port
    except ValueError:  # also a password with a raw "/" or "#": it must be percent-encoded
        raise ValueError(
            "not a valid URL (expected redis://HOST:6379/0; percent-encode a password)"
        ) from None
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        if name not in QUERY_OPTIONS:
            raise ValueError(
                f"unsupported option ?{name}= (allowed: {', '.join(sorted(QUERY_OPTIONS))})"
            )
    host = parts.hostname or ""
    if scheme == "unix":
        if not parts.path.startswith("/"):
            raise ValueError("unix:// needs an absolute socket path: unix:///run/redis/redis.sock")
    else:
        if not host:
            raise ValueError(f"{scheme}:// needs a host: {scheme}://HOST:6379/0")
        db = parts.path.strip("/")
        if db and not db.isdigit():
            raise ValueError(f"the database must be a number (/{'0'}), not /{db[:20]}")
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"port {port} is out of range")
    password = unquote(parts.password) if parts.password else None
    if password_file is not None:
        if password:
            raise ValueError("the URL has a password and so has cache_password_file: give one")
        password = read_password(password_file)
    userinfo = quote(unquote(parts.username), safe="") + "@" if parts.username else ""
    netloc = userinfo + (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    shown = f"{scheme}://{netloc}{parts.path}"
    clean = shown + (f"?{parts.query}" if parts.query else "")
    return RedisTarget(clean, password, shown + (" (password set)" if password else ""))


def read_password(path: Path) -> str:
    """The password on the first line of ``path``; ValueError names the file, never its content."""
    try:
        with open(path, encoding="utf-8") as f:
            first = f.readline().strip()
    except FileNotFoundError:
        raise ValueError(f"password file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        reason = getattr(e, "strerror", None) or e.__class__.__name__
        raise ValueError(f"cannot read password file {path}: {reason}") from None
    if not first:
        raise ValueError(f"the first line of password file {path} is empty")
    return first


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
