"""The one HTTP session: a requests-cache ``CachedSession`` on SQLite that never stores an API key.

The Seoul APIs put the key in the URL *path* (``…/api/subway/{KEY}/json/…``), where
requests-cache's ``ignored_parameters`` cannot reach it. So the cache backend here:

* hashes the cache key from the URL with every secret replaced by ``***`` (``create_key``);
* scrubs the secret from every string of a response before storing it (url, request url,
  raw response url, headers, body), then serializes it and refuses to store it if the bytes
  still contain a secret (a field we did not think of cannot leak either);
* stores only answers the current source's parser accepts, so an error body that arrives with
  HTTP 200 (INFO-100, ERROR-337, an HTML page) never replaces the last good answer.

Log records from every library are redacted too (``install_log_redaction``), because urllib3
logs request paths and requests-cache logs URLs and tracebacks.

Per-source expiry and stale-if-error are applied by ``poller.http.get`` on the kiosk's clock,
from the fetch time stored with each answer (see the comment in ``build_session``).

Never ``install_cache()``: this module builds the only session, and only ``poller`` uses it.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import requests
from requests.adapters import HTTPAdapter
from requests_cache import NEVER_EXPIRE, CachedResponse, CachedSession, SQLiteCache
from requests_cache.backends.base import BaseCache

log = logging.getLogger(__name__)

FETCHED_AT_HEADER = "X-Kiosk-Fetched-At"  # our clock's fetch time, kept with the cached copy
MASK = "***"
_MIN_SECRET_LEN = 4  # shorter "secrets" would mask ordinary text


class Redactor:
    """Replaces registered secrets (raw and percent-encoded) in text and bytes."""

    def __init__(self, secrets: Iterable[str | None] = ()):
        self._lock = threading.Lock()
        self._forms: tuple[str, ...] = ()
        self.add(secrets)

    def add(self, secrets: Iterable[str | None]) -> None:
        """Register more secrets (empty and very short values are ignored)."""
        forms = set(self._forms)
        for s in secrets:
            if s and len(s) >= _MIN_SECRET_LEN:
                forms.update({s, quote(s, safe=""), quote(s)})
        with self._lock:
            # Longest first, so a secret that contains another is masked whole.
            self._forms = tuple(sorted(forms, key=len, reverse=True))

    def __bool__(self) -> bool:
        return bool(self._forms)

    def text(self, value: str) -> str:
        """``value`` with every secret masked."""
        for f in self._forms:
            if f in value:
                value = value.replace(f, MASK)
        return value

    def data(self, value: bytes) -> bytes:
        """Bytes with every secret masked."""
        for f in self._forms:
            b = f.encode()
            if b in value:
                value = value.replace(b, MASK.encode())
        return value

    def found_in(self, value: bytes) -> bool:
        """Whether any secret occurs in ``value``."""
        return any(f.encode() in value for f in self._forms)


# --- logging ----------------------------------------------------------------------------

_LOG_REDACTOR = Redactor()
_factory_lock = threading.Lock()
_factory_installed = False


def install_log_redaction(secrets: Iterable[str | None]) -> None:
    """Mask these secrets in every log record created from now on, from any library."""
    global _factory_installed
    _LOG_REDACTOR.add(secrets)
    with _factory_lock:
        if _factory_installed:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            if _LOG_REDACTOR:
                _redact_record(record)
            return record

        logging.setLogRecordFactory(factory)
        _factory_installed = True


def _redact_record(record: logging.LogRecord) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string is the caller's bug; do not lose the record
        message = str(record.msg)
    clean = _LOG_REDACTOR.text(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info:
        # Tracebacks of connection errors quote the URL: if this one does, keep only the masked
        # text (handlers print ``exc_text``); any other record is left exactly as it was.
        text = logging.Formatter().formatException(record.exc_info)
        clean = _LOG_REDACTOR.text(text)
        if clean != text:
            record.exc_text = clean
            record.exc_info = None
    if record.stack_info:
        record.stack_info = _LOG_REDACTOR.text(record.stack_info)


# --- what one thread's request did ------------------------------------------------------


class _Trace(threading.local):
    """Per-thread record of the current request (jobs run in parallel worker threads)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.sent = 0  # requests that reached the network (for the call budget)
        self.accept: Callable[[bytes], bool] | None = None  # may this answer be cached?


class _TracingAdapter(HTTPAdapter):
    """Counts the requests that really went out (a cache hit costs no quota, a refused one neither)."""

    def __init__(self, trace: _Trace):
        super().__init__(max_retries=0)
        self._trace = trace

    def send(
        self, request: requests.PreparedRequest, *args: Any, **kwargs: Any
    ) -> requests.Response:
        self._trace.sent += 1
        try:
            return super().send(request, *args, **kwargs)
        except Exception as e:
            if _never_connected(e):
                self._trace.sent -= 1  # the API never saw it: it costs no quota
            raise


def _never_connected(error: BaseException) -> bool:
    """Whether a send failed before any byte reached the server (refused, DNS, connect timeout)."""
    if isinstance(error, requests.ConnectTimeout):
        return True
    reason = error.args[0] if error.args else None
    reason = getattr(reason, "reason", reason)
    # urllib3's NewConnectionError (and its NameResolutionError subclass)
    return any(c.__name__ == "NewConnectionError" for c in type(reason).__mro__)


# --- the cache backend ------------------------------------------------------------------


class RedactingSQLiteCache(SQLiteCache):
    """SQLite cache that keys on redacted URLs and stores only scrubbed, accepted answers."""

    def __init__(self, db_path: str | Path, redactor: Redactor, trace: _Trace, **kwargs: Any):
        super().__init__(db_path, **kwargs)
        self._redactor = redactor
        self._trace = trace

    def create_key(
        self, request: Any, match_headers: Iterable[str] | None = None, **kwargs: Any
    ) -> str:
        """Cache key from the request with the secrets masked: the file holds no key, even hashed."""
        if self._redactor and request is not None and getattr(request, "url", None):
            request = request.copy()
            request.url = self._redactor.text(request.url)
        return super().create_key(request, match_headers=match_headers, **kwargs)

    def save_response(
        self, response: Any, cache_key: str | None = None, expires: datetime | None = None
    ) -> None:
        """Store a scrubbed copy of an accepted answer; skip anything else."""
        accept = self._trace.accept
        if accept is not None and not accept(response.content):
            log.debug("not caching an answer the parser rejected")
            return
        cache_key = cache_key or self.create_key(response.request)
        cached = CachedResponse.from_response(response, expires=expires)
        _scrub(cached, self._redactor)
        if self._redactor and self._redactor.found_in(
            _serialized(self.responses.serializer, cached)
        ):
            log.warning("not caching an answer that would contain an API key")
            return
        self.responses[cache_key] = cached
        # Redirect aliases would store more URLs; the APIs do not redirect, so keep none.


def _serialized(serializer: Any, cached: CachedResponse) -> bytes:
    """The bytes the backend would write for ``cached`` (what must not contain a key)."""
    data = serializer.dumps(cached) if serializer is not None else repr(cached)
    return data.encode("utf-8") if isinstance(data, str) else bytes(data)


def _scrub(r: CachedResponse, red: Redactor) -> None:
    """Mask secrets in every string field of a cached response (and its redirect history)."""
    if not red:
        return
    r.url = red.text(r.url or "")
    if r.request is not None:
        r.request.url = red.text(r.request.url or "")
        if isinstance(r.request.body, bytes):
            r.request.body = red.data(r.request.body)
        for k, v in list(r.request.headers.items()):
            r.request.headers[k] = red.text(str(v))
    if r.raw is not None and r.raw.request_url:
        r.raw.request_url = red.text(r.raw.request_url)
    for k, v in list(r.headers.items()):
        r.headers[k] = red.text(str(v))
    if r.raw is not None:
        for k, v in list(r.raw.headers.items()):
            r.raw.headers[k] = red.text(str(v))
    if isinstance(r._content, bytes):
        r._content = red.data(r._content)
    r._decoded_content = None
    r._next = None
    for h in r.history:
        _scrub(h, red)


# --- the session --------------------------------------------------------------------------


class KioskSession:
    """The CachedSession plus what the poller needs around it: redaction and a wire trace."""

    def __init__(self, session: CachedSession, redactor: Redactor, trace: _Trace, location: str):
        self.session = session
        self.redactor = redactor
        self.trace = trace
        self.location = location  # the cache file, or "memory" when the file was unusable

    @property
    def cache(self) -> BaseCache:
        """The cache backend."""
        return self.session.cache

    def cached(self, url: str) -> CachedResponse | None:
        """The last accepted answer for ``url``, however old; None if there is none (or it is unreadable)."""
        try:
            request = self.session.prepare_request(requests.Request("GET", url))
            key = self.session.cache.create_key(request)
            # requests-cache reads without its lock; workers share one connection, so serialise.
            with self.session.cache.responses._lock:  # type: ignore[attr-defined]
                return self.session.cache.get_response(key)
        except Exception as e:  # a damaged row or an old pickle format: treat as absent
            log.debug("cannot read cached answer: %s", e.__class__.__name__)
            return None

    def close(self) -> None:
        """Close the cache's database connection."""
        self.session.close()


def _open_cache(path: Path, redactor: Redactor, trace: _Trace) -> tuple[BaseCache, str]:
    """The SQLite cache at ``path``; a corrupt file is moved aside, an unusable one replaced by memory."""
    kwargs: dict[str, Any] = {"wal": True, "busy_timeout": 5000, "serializer": "pickle"}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            return RedactingSQLiteCache(path, redactor, trace, **kwargs), str(path)
        except sqlite3.DatabaseError as e:
            if not path.is_file():
                raise
            # A power cut on an SD card can leave a damaged file; losing the cache is harmless.
            aside = path.with_name(path.name + ".corrupt")
            log.warning("HTTP cache %s is damaged (%s); moved it to %s", path, e, aside.name)
            path.replace(aside)
            for suffix in ("-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
            return RedactingSQLiteCache(path, redactor, trace, **kwargs), str(path)
    except (OSError, sqlite3.Error) as e:
        log.warning("HTTP cache %s is unusable (%s); caching in memory only", path, e)
        return RedactingSQLiteCache(
            ":memory:", redactor, trace, use_memory=True, **kwargs
        ), "memory"


def _prune(backend: BaseCache, keep_days: int = 30) -> None:
    """Drop answers nobody asked for in a month (e.g. last month's events URL)."""
    try:
        backend.delete(older_than=timedelta(days=keep_days))
    except Exception as e:
        log.debug("cache prune skipped: %s", e.__class__.__name__)


def build_session(
    cache_path: Path, secrets: Iterable[str | None], user_agent: str = "station-kiosk"
) -> KioskSession:
    """Build the kiosk's only HTTP session. Call once per process (and again after a config reload)."""
    secrets = list(secrets)
    redactor = Redactor(secrets)
    install_log_redaction(secrets)
    trace = _Trace()
    backend, location = _open_cache(Path(cache_path), redactor, trace)
    # Expiry and stale-if-error are decided by ``poller.http.get`` on the kiosk's clock (the
    # ``now`` parameter), from the fetch time stamped on each stored answer: requests-cache's
    # own rules run on the wall clock, which tests cannot move and which must agree with the
    # freshness shown on screen. The session stores; it never decides.
    session = CachedSession(
        backend=backend,
        expire_after=NEVER_EXPIRE,  # stored copies are kept for stale-if-error, however old
        stale_if_error=False,
        allowable_codes=(200,),
        allowable_methods=("GET",),
        cache_control=False,  # the APIs send no useful cache headers
    )
    _prune(backend)
    adapter = _TracingAdapter(trace)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return KioskSession(session, redactor, trace, location)
