"""requests-cache imported without redis-py when the station has no Redis (kiosk/poller/rc_import.py),
and redis-py still there for a reload that adds one. Each case in a fresh interpreter: the
test process has imported both long ago."""

from __future__ import annotations

import subprocess
import sys

import pytest

CASE = """
import sys
from kiosk.poller.rc_import import import_requests_cache
import_requests_cache(with_redis={with_redis})
import kiosk.poller.service
print("redis" in sys.modules)
from requests_cache.backends.redis import RedisCache  # a reload that adds cache_url
print(RedisCache.__name__, "redis" in sys.modules)
"""


@pytest.mark.parametrize(("with_redis", "first"), [(False, "False"), (True, "True")])
def test_redis_py_is_imported_only_for_a_station_redis(with_redis: bool, first: str) -> None:
    out = subprocess.run(
        [sys.executable, "-c", CASE.format(with_redis=with_redis)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split("\n")
    assert out[0] == first
    assert out[1] == "RedisCache True"
