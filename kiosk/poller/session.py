"""The one HTTP session: a requests-cache ``CachedSession`` whose cache never holds an API key.

The Seoul APIs put the key in the URL *path* (``…/api/subway/{KEY}/json/…``), where
requests-cache's ``ignored_parameters`` cannot reach it. requests-cache is used through its
public hooks only:

* ``key_fn``: the cache key is made from the URL with every secret masked, so the file holds no
  key, even hashed, and a key rotation keeps the cache;
* the serializer: a pipeline stage masks every configured secret in every string and byte of the
  unstructured response (URL, request, headers, body: any field, whatever its name), and a last
  stage refuses to write bytes that would still contain one;
* ``BaseCache.get_response`` / ``save_response``: the poller (``poller.http``) stores an answer
  itself, after its source's parser accepted it, so an error body that arrives with HTTP 200
  (INFO-100, ERROR-337, an HTML page) never replaces the last good answer. requests-cache's own
  ``filter_fn`` cannot do that: on a filtered answer it deletes the stored copy, the very copy
  stale-if-error must show. So the session is ``read_only`` (it never writes the cache by
  itself) and requests go out with ``force_refresh`` (it does not read it either).

Every cache read and write goes through one lock of ours. The file itself is
``poller.cache_file.FileCache``: damage found at any read or write moves it aside for a fresh
one, a full or read-only disk keeps it (read as long as it can be) and new answers in memory.

Requests go out streamed, with redirects refused (a redirect would carry the key in its path to
wherever the server says) and under a total deadline (``poller.deadline``): ``poller.http`` reads
the body itself, counting decoded bytes against the source's limit.

Never ``install_cache()``: this module builds the only session, and only ``poller`` uses it.
"""

from __future__ import annotations

import contextlib
import logging
import pickle
import sqlite3
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from requests.adapters import HTTPAdapter
from requests_cache import NEVER_EXPIRE, CachedResponse, CachedSession, create_key
from requests_cache.backends.base import BaseCache
from requests_cache.serializers.pipeline import SerializerPipeline, Stage
from requests_cache.serializers.preconf import base_stage

from kiosk.ops.redact import Redactor, install_log_redaction
from kiosk.poller.cache_backend import open_backend
from kiosk.poller.cache_file import FileCache
from kiosk.poller.deadline import POOL_CLASSES, DeadlineWatch, Request

if TYPE_CHECKING:
    from kiosk.poller.redis_link import RedisLink

log = logging.getLogger(__name__)

FETCHED_AT_HEADER = "X-Kiosk-Fetched-At"  # our clock's fetch time, kept with the cached copy


class SecretInCache(ValueError):
    """A response would have been written to the cache with an API key in it."""


# --- what one thread's request did ------------------------------------------------------


class _Trace(threading.local):
    """Per-thread record of the current request (jobs run in parallel worker threads)."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.sent = 0  # requests that reached the network (for the call budget)


class _TracingAdapter(HTTPAdapter):
    """Counts the requests that really went out (a cache hit costs no quota, a refused one neither)."""

    def __init__(self, trace: _Trace):
        super().__init__(max_retries=0)
        self._trace = trace

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        # Connections that hand their socket to the request's deadline (poller.deadline).
        self.poolmanager.pool_classes_by_scheme = dict(POOL_CLASSES)

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(*args, **kwargs)
        manager.pool_classes_by_scheme = dict(POOL_CLASSES)
        return manager

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


# --- the requests-cache hooks -------------------------------------------------------------


def masked_key_fn(redactor: Redactor) -> Any:
    """A requests-cache ``key_fn``: the usual cache key, of the URL with every secret masked."""

    def key_fn(request: Any, **kwargs: Any) -> str:
        if redactor and getattr(request, "url", None):
            request = request.copy()
            request.url = redactor.secrets_only(request.url)
        return create_key(request, **kwargs)

    return key_fn


def _mask_all(value: Any, red: Redactor) -> Any:
    """Every string and byte string inside an unstructured response, secrets masked."""
    if isinstance(value, str):
        return red.secrets_only(value)
    if isinstance(value, (bytes, bytearray)):
        return red.data(bytes(value))
    if isinstance(value, dict):
        return {_mask_all(k, red): _mask_all(v, red) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_mask_all(v, red) for v in value)
    return value


def scrubbing_serializer(redactor: Redactor) -> SerializerPipeline:
    """requests-cache's pickle pipeline with secret masking before pickling and a check after."""

    def refuse_secrets(data: bytes) -> bytes:
        if redactor.found_in(data):
            raise SecretInCache("an API key would have been written to the HTTP cache")
        return data

    mask = Stage(dumps=lambda d: _mask_all(d, redactor), loads=lambda d: d)
    check = Stage(dumps=refuse_secrets, loads=lambda d: d)
    return SerializerPipeline(
        [base_stage, mask, Stage(pickle), check], name="kiosk-pickle", is_binary=True
    )


# --- the session --------------------------------------------------------------------------


class KioskSession:
    """The CachedSession plus what the poller needs around it: redaction, a lock, a wire trace."""

    def __init__(
        self, session: CachedSession, redactor: Redactor, trace: _Trace, location: str = ""
    ):
        self.session = session
        self.redactor = redactor
        self.trace = trace
        self._location = location  # what opened it said; a FileCache says where it is now
        self.deadlines = DeadlineWatch()
        self._lock = threading.Lock()

    @property
    def location(self) -> str:
        """Where answers are kept: the cache file, "<file> (read-only)" or "memory" (another
        backend: what opened it said)."""
        cache = self.session.cache
        return str(getattr(cache, "location", None) or self._location or type(cache).__name__)

    @property
    def problem(self) -> str | None:
        """One line on what is wrong with the cache file (unusable, read-only, replaced), or None
        (also under a cache layered over the file: its ``local``)."""
        cache = self.session.cache
        problem = getattr(cache, "problem", None) or getattr(
            getattr(cache, "local", None), "problem", None
        )
        return str(problem) if problem else None

    @property
    def cache(self) -> BaseCache:
        """The cache backend."""
        return self.session.cache

    def _key(self, url: str) -> str:
        return self.session.cache.create_key(
            self.session.prepare_request(requests.Request("GET", url))
        )

    def cached(self, url: str) -> CachedResponse | None:
        """The last accepted answer for ``url``, however old; None if there is none (or it is unreadable)."""
        try:
            key = self._key(url)
            with self._lock:
                return self.session.cache.get_response(key)
        except Exception as e:  # a damaged row or an old pickle format: treat as absent
            log.debug("cannot read cached answer: %s", e.__class__.__name__)
            return None

    def deadline(self, seconds: float | None) -> contextlib.AbstractContextManager[Request]:
        """Requests sent in the ``with`` block are cut when ``seconds`` have passed in all."""
        return self.deadlines.request(seconds)

    def send(self, url: str, timeout: float) -> requests.Response:
        """GET ``url`` on the network, streamed, redirects not followed; no cache read or write."""
        return self.session.get(
            url, timeout=timeout, force_refresh=True, stream=True, allow_redirects=False
        )

    def store(self, response: requests.Response) -> bool:
        """Keep an accepted answer (scrubbed) as the one stored for its URL; False if refused."""
        try:
            with self._lock:
                self.session.cache.save_response(response)
            return True
        except SecretInCache as e:
            log.warning("not caching an answer: %s", e)
        except (sqlite3.Error, OSError) as e:
            log.warning("cannot store an answer in the HTTP cache: %s", e)
        return False

    def close(self) -> None:
        """Close the cache's database connection."""
        self.deadlines.close()
        with self._lock:
            self.session.close()


def _open_cache(
    path: Path, serializer: SerializerPipeline, monotonic: Any = time.monotonic
) -> tuple[BaseCache, str]:
    """The cache file at ``path`` (damaged: replaced; unusable: read-only or memory, retried),
    and where it is."""
    cache = FileCache(path, serializer, monotonic)
    return cache, cache.location


def _prune(backend: BaseCache, keep_days: int = 30) -> None:
    """Drop answers nobody asked for in a month (e.g. last month's events URL)."""
    try:
        backend.delete(older_than=timedelta(days=keep_days))
    except Exception as e:
        log.debug("cache prune skipped: %s", e.__class__.__name__)


def build_session(
    cache_path: Path,
    secrets: Iterable[str | None] | Redactor,
    user_agent: str = "station-kiosk",
    link: RedisLink | None = None,
    monotonic: Any = time.monotonic,
) -> KioskSession:
    """Build the kiosk's only HTTP session (again after a config reload).

    ``secrets`` is the kiosk's one ``Redactor`` (or the keys, to make one here, for tools that
    run on their own such as `kiosk fetch`). With ``link`` (``sources.cache_url``) the cache is
    the station's Redis over the local file (``cache_backend``).
    """
    redactor = secrets if isinstance(secrets, Redactor) else Redactor(secrets)
    install_log_redaction(redactor)  # urllib3 logs request paths, requests-cache URLs
    trace = _Trace()
    serializer = scrubbing_serializer(redactor)
    backend, location = open_backend(
        lambda: _open_cache(Path(cache_path), serializer, monotonic), serializer, link
    )
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
        key_fn=masked_key_fn(redactor),
        read_only=True,  # answers are stored by KioskSession.store, once the parser accepted them
    )
    _prune(backend)
    adapter = _TracingAdapter(trace)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers["User-Agent"] = user_agent
    return KioskSession(session, redactor, trace, location)
