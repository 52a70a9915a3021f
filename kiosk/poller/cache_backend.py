"""Where the HTTP cache lives: the screen's own SQLite file, or the station's Redis with that file
as its stand-in.

Without ``sources.cache_url`` the backend is the SQLite cache ``session`` opens, unchanged. With
it, the backend is requests-cache's own ``RedisCache`` on the station's link (same pool, same
timeouts), with the kiosk's scrubbing serializer, so what reaches Redis went through the same
masking and the same refusal as what reaches the file; cache keys come from the session's
``key_fn`` (the URL with every secret masked), as for the file. Redis keys:
``kiosk:http:<cache key>``, one per URL.

``SharedCache`` puts the two together as requests-cache's documented way of extending it (a
``BaseCache`` whose storages are ``BaseStorage`` mappings), so ``get_response``,
``save_response`` and ``delete`` are requests-cache's own:

* every answer this screen stores goes to Redis and to the local file;
* a read asks Redis first; an answer another screen stored is copied into the local file the
  first time this screen reads it, so the file always holds the newest answer this screen has
  seen; a key Redis does not have (a Redis restarted empty) is looked up in the file;
* while Redis is away (``RedisLink`` says so at once, without network I/O, until its retry
  delay has passed) reads and writes use the file alone; when Redis answers again the next
  read or write uses it again. Nothing on screen waits on a dead Redis, and nothing goes blank:
  the file holds what the screen last showed.

Stored answers never expire by themselves (stale-if-error needs old copies); in Redis they get
an expiry of ``KEEP_DAYS`` from their last write, so a URL nobody asks for any more (last
month's events) leaves Redis by itself.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from requests_cache import CachedResponse
from requests_cache.backends.base import BaseCache, BaseStorage
from requests_cache.serializers.pipeline import SerializerPipeline

if TYPE_CHECKING:  # redis-py is loaded only by a kiosk that has a shared Redis
    from kiosk.poller.redis_link import RedisLink

log = logging.getLogger(__name__)

NAMESPACE = "kiosk:http"
KEEP_DAYS = 30  # what session._prune keeps in the file

T = TypeVar("T")
LocalOpener = Callable[[], tuple[BaseCache, str]]


def open_backend(
    local: LocalOpener, serializer: SerializerPipeline, link: RedisLink | None
) -> tuple[BaseCache, str]:
    """The cache backend and where it is (for messages): the local file, or Redis over it."""
    backend, where = local()
    if link is None:
        return backend, where
    from requests_cache.backends.redis import RedisCache

    shared = RedisCache(
        namespace=NAMESPACE, connection=link.client, serializer=serializer, ttl=True, ttl_offset=0
    )
    return SharedCache(shared, backend, link), f"{link.target.display}, local copy {where}"


class SharedCache(BaseCache):
    """The station's Redis cache with the screen's own cache as its copy and stand-in."""

    def __init__(self, shared: BaseCache, local: BaseCache, link: RedisLink):
        super().__init__(cache_name=NAMESPACE)
        self.shared = shared
        self.local = local
        self.link = link
        self.responses: BaseStorage[str, CachedResponse] = _Fallback(
            shared.responses, local.responses, link, copy_newer=True
        )
        self.redirects: BaseStorage[str, str] = _Fallback(
            shared.redirects, local.redirects, link, copy_newer=False
        )

    def close(self) -> None:
        """Close the local file; the link is closed by its owner (the poller)."""
        self.local.close()


def _created(item: Any) -> datetime:
    when = getattr(item, "created_at", None)
    if not isinstance(when, datetime):
        return datetime.min.replace(tzinfo=UTC)
    return when if when.tzinfo else when.replace(tzinfo=UTC)


class _Fallback(BaseStorage[str, Any]):
    """One storage in Redis, with the local one as its copy, and alone while Redis is away."""

    def __init__(
        self,
        shared: BaseStorage[str, Any],
        local: BaseStorage[str, Any],
        link: RedisLink,
        *,
        copy_newer: bool,
    ):
        # The local storage's serializer: cache keys (which name it) stay those of the file alone.
        super().__init__(serializer=None)
        self.serializer = local.serializer
        self.shared = shared
        self.local = local
        self.link = link
        self.copy_newer = copy_newer
        self._copy_failed = False  # said once: the local copy could not be written

    def _shared(self, op: Callable[[BaseStorage[str, Any]], T]) -> tuple[bool, T | None]:
        """``op(shared)`` through the link: (True, result), or (False, None) while Redis is away."""
        from kiosk.poller.redis_link import RedisUnavailable

        try:
            return True, self.link.run(lambda _client: op(self.shared))
        except RedisUnavailable:
            return False, None

    # -- reads --------------------------------------------------------------------------------
    def __getitem__(self, key: str) -> Any:
        def get(s: BaseStorage[str, Any]) -> Any:
            try:
                return s[key]
            except KeyError:
                return None

        reached, item = self._shared(get)
        if not reached or item is None:
            return self.local[key]
        if self.copy_newer:
            self._keep_copy(key, item)
        return item

    def _keep_copy(self, key: str, item: Any) -> None:
        """Copy another screen's newer answer into the local file (the stand-in for Redis).

        A file that cannot take it (disk full, damaged) must not cost the answer itself: the
        screen shows what Redis gave and says once that its copy is behind.
        """
        try:
            try:
                mine = self.local[key]
            except KeyError:
                mine = None
            if mine is None or _created(mine) < _created(item):
                self.local[key] = item
        except (sqlite3.Error, OSError, ValueError) as e:
            if not self._copy_failed:
                log.warning("cannot keep a local copy of the shared HTTP cache: %s", e)
                self._copy_failed = True
            return
        if self._copy_failed:
            log.info("keeping a local copy of the shared HTTP cache again")
            self._copy_failed = False

    def __contains__(self, key: object) -> bool:
        _, found = self._shared(lambda s: key in s)
        return bool(found) or key in self.local

    def keys(self) -> Any:
        """Every key in Redis (while reachable) and in the local file."""
        _, shared = self._shared(lambda s: list(s.keys()))
        return list(dict.fromkeys([*(shared or []), *self.local.keys()]))

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    # -- writes -------------------------------------------------------------------------------
    def __setitem__(self, key: str, item: Any) -> None:
        # Redis first: the station's other screens need it most. The serializer masks and checks
        # before any byte is sent, so a refused answer (SecretInCache) is written nowhere.
        self._shared(lambda s: s.__setitem__(key, _with_expiry(item)))
        self.local[key] = item

    def __delitem__(self, key: str) -> None:
        def delete(s: BaseStorage[str, Any]) -> bool:
            try:
                del s[key]
                return True
            except KeyError:
                return False

        _, in_shared = self._shared(delete)
        try:
            del self.local[key]
        except KeyError:
            if not in_shared:
                raise

    def bulk_delete(self, keys: Any) -> None:
        """Delete ``keys`` from both (missing ones are no error)."""
        keys = list(keys)
        self._shared(lambda s: s.bulk_delete(keys))
        self.local.bulk_delete(keys)

    def clear(self) -> None:
        """Empty both."""
        self._shared(lambda s: s.clear())
        self.local.clear()

    def close(self) -> None:
        """Close the local storage (the link belongs to the poller)."""
        self.local.close()


def _with_expiry(item: Any) -> Any:
    """``item`` to be kept in Redis for KEEP_DAYS after it was stored (RedisDict's TTL follows
    ``expires``; ``created_at`` is requests-cache's own time of the save).

    The kiosk decides freshness itself from the stamped fetch time (poller.http), never from
    ``expires``, so the field only tells Redis when to let go of an answer nobody refreshes.
    """
    if isinstance(item, CachedResponse) and isinstance(item.created_at, datetime):
        item.expires = item.created_at + timedelta(days=KEEP_DAYS)
    return item
