"""Single flight on a real redis-server: one caller per cache key, the others get its answer from
the cache; a failed leader is replaced; waiting is bounded; without Redis everyone calls; and
two separate processes share one call."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.poller.redis_link import RedisLink, parse_target
from kiosk.poller.singleflight import (
    ALONE,
    CACHED,
    CALLED,
    TIMED_OUT,
    WAITED,
    FlightResult,
    SingleFlight,
    lock_name,
)
from tests.conftest import REPO
from tests.redis_server import RedisServer, free_port

KEY = "SubwayKey-0123456789abcdef"
CACHE_KEY = (
    f"GET http://swopenapi.seoul.go.kr/api/subway/{KEY}/json/realtimeStationArrival/0/20/서울"
)
DEADLINE_S = 30.0


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path) as srv:
        yield srv


class Upstream:
    """The API and the shared cache for one test: counts calls; the n-th call answers once
    ``waiters[n]`` other threads are seen waiting (and ``release`` is set)."""

    def __init__(self, *waiters: int) -> None:
        self.cache: dict[str, str] = {}
        self.calls = 0
        self.cond = threading.Condition()
        self.waiting: set[int] = set()
        self.expected = waiters or (0,)
        self.release = threading.Event()
        self.in_call = threading.Event()
        self.fail_first = False

    def lookup(self) -> str | None:
        with self.cond:
            self.waiting.add(threading.get_ident())
            self.cond.notify_all()
        return self.cache.get(CACHE_KEY)

    def call(self) -> str:
        me = threading.get_ident()
        with self.cond:
            self.calls += 1
            n = self.calls
            self.waiting.discard(me)
            need = self.expected[min(n, len(self.expected)) - 1]
            self.in_call.set()
            seen = self.cond.wait_for(lambda: len(self.waiting - {me}) >= need, DEADLINE_S)
            assert seen, f"call {n}: {len(self.waiting - {me})} waiting, wanted {need}"
        if self.fail_first and n == 1:
            raise ConnectionError("upstream timed out")
        assert self.release.wait(DEADLINE_S)
        self.cache[CACHE_KEY] = f"body {n}"
        return f"body {n}"


def flights(server: RedisServer, n: int, **kw: float) -> list[SingleFlight]:
    return [SingleFlight(RedisLink(parse_target(server.url)), poll_s=0.01, **kw) for _ in range(n)]


def run_all(
    fl: list[SingleFlight], up: Upstream
) -> tuple[list[FlightResult[str] | BaseException], list[threading.Thread]]:
    results: list[FlightResult[str] | BaseException] = [RuntimeError("not run")] * len(fl)

    def one(i: int) -> None:
        try:
            results[i] = fl[i].run(CACHE_KEY, up.lookup, up.call)
        except BaseException as e:
            results[i] = e

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(fl))]
    for t in threads:
        t.start()
    return results, threads


def join(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.join(DEADLINE_S)
        assert not t.is_alive()


def test_one_screen_calls_and_the_others_get_its_answer(server: RedisServer) -> None:
    up = Upstream(4)
    up.release.set()
    results, threads = run_all(flights(server, 5), up)
    join(threads)
    assert up.calls == 1
    hows = sorted(r.how for r in results if isinstance(r, FlightResult))
    assert hows == [CALLED, WAITED, WAITED, WAITED, WAITED]
    assert {r.value for r in results if isinstance(r, FlightResult)} == {"body 1"}
    assert server.client().exists(lock_name(CACHE_KEY)) == 0  # released on completion


def test_the_lock_holds_no_secret(server: RedisServer) -> None:
    up = Upstream(1)
    results, threads = run_all(flights(server, 2), up)
    assert up.in_call.wait(DEADLINE_S)
    names = [name for name, _ in server.dump()]
    assert names == [lock_name(CACHE_KEY).encode()]
    for name, value in server.dump():
        assert KEY.encode() not in name + value and b"swopenapi" not in name + value
    up.release.set()
    join(threads)


def test_a_failed_leader_is_replaced_by_a_waiter(server: RedisServer) -> None:
    up = Upstream(2, 1)  # the second call (by a waiter) has the last one waiting
    up.fail_first = True
    up.release.set()
    results, threads = run_all(flights(server, 3), up)
    join(threads)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert len(errors) == 1 and str(errors[0]) == "upstream timed out"  # the leader's own error
    ok = [r for r in results if isinstance(r, FlightResult)]
    # The last one either saw the answer while waiting or, taking the freed lock, found it.
    assert up.calls == 2 and sorted(r.how for r in ok) in ([CALLED, WAITED], [CACHED, CALLED])
    assert {r.value for r in ok} == {"body 2"}


def test_waiting_is_bounded_then_the_waiter_calls_itself(server: RedisServer) -> None:
    up = Upstream(0)  # the leader answers only when released
    fl = flights(server, 2, wait_s=0.5)
    results, threads = run_all(fl[:1], up)
    assert up.in_call.wait(DEADLINE_S)  # the leader holds the lock, waiting to answer
    start = time.monotonic()
    up2 = Upstream(0)
    up2.release.set()
    late = fl[1].run(CACHE_KEY, lambda: None, up2.call)
    assert late.how == TIMED_OUT and late.value == "body 1" and up2.calls == 1
    assert time.monotonic() - start < 5
    up.release.set()
    join(threads)
    assert isinstance(results[0], FlightResult) and results[0].how == CALLED


def test_a_fresh_answer_found_after_taking_the_lock_is_used(server: RedisServer) -> None:
    fl = flights(server, 1)[0]
    result = fl.run(CACHE_KEY, lambda: "just refreshed by another screen", lambda: "called")
    assert result == FlightResult("just refreshed by another screen", CACHED)


def test_without_redis_every_screen_calls_at_once() -> None:
    fl = SingleFlight(RedisLink(parse_target(f"redis://127.0.0.1:{free_port()}/0")))
    start = time.monotonic()
    for _ in range(20):
        assert fl.run(CACHE_KEY, lambda: None, lambda: "body") == FlightResult("body", ALONE)
    assert time.monotonic() - start < 5


def test_two_processes_make_one_call(server: RedisServer) -> None:
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.singleflight_child", server.url, CACHE_KEY],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outs = []
    for p in procs:
        out, err = p.communicate(timeout=90)
        assert p.returncode == 0, err[-2000:]
        outs.append(json.loads(out.strip().splitlines()[-1]))
    r = server.client()
    assert r.get("test:calls") == b"1"
    assert sorted(o["how"] for o in outs) == [CALLED, WAITED]
    assert outs[0]["value"] == outs[1]["value"]
    assert r.exists(lock_name(CACHE_KEY)) == 0
