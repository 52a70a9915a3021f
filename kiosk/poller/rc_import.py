"""Importing requests-cache without redis-py when the station has no Redis.

requests-cache's ``backends`` package imports the client library of every backend it supports
that is installed, so with redis-py installed (the fleet's shared cache needs it) every kiosk
would carry redis-py's 60 modules: about 8 MB of RSS and 0.1 s of start-up, for nothing when
``sources.cache_url`` is unset. ``sys.modules["redis"] = None`` makes ``import redis`` fail
for the length of that one import (Python's documented way to block an import), so
requests-cache records its Redis backend as unavailable; redis-py is importable again right
after, and ``kiosk.poller.cache_backend`` imports ``requests_cache.backends.redis`` directly
if a reload adds a Redis later.
"""

from __future__ import annotations

import importlib
import sys

BLOCKED = "redis"


def import_requests_cache(with_redis: bool) -> None:
    """Import requests-cache now; without redis-py unless ``with_redis`` (or it is imported
    already, by requests-cache or anything else)."""
    if "requests_cache" in sys.modules or with_redis or BLOCKED in sys.modules:
        importlib.import_module("requests_cache")
        return
    sys.modules[BLOCKED] = None  # type: ignore[assignment]
    try:
        importlib.import_module("requests_cache")
    finally:
        if sys.modules.get(BLOCKED, 0) is None:
            del sys.modules[BLOCKED]
