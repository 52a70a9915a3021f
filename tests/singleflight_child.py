"""One "screen" for the two-process single-flight test: ``python -m tests.singleflight_child URL KEY``.

The API call counts itself in Redis and then waits (BLPOP, bounded) until another process is
seen looking for the answer, so the two processes are sure to overlap whichever starts first.
Prints one JSON line: the value it got and how.
"""

from __future__ import annotations

import json
import os
import sys

from kiosk.poller.redis_link import RedisLink, parse_target
from kiosk.poller.singleflight import SingleFlight


def main(url: str, cache_key: str) -> None:
    link = RedisLink(parse_target(url), timeout_s=25)
    flight = SingleFlight(link, lock_ttl_s=60, wait_s=40)
    announced = False

    def lookup() -> str | None:
        nonlocal announced
        if not announced:
            link.run(lambda r: r.lpush("test:waiting", os.getpid()))
            announced = True
        value = link.run(lambda r: r.get("test:answer"))
        return value.decode() if value is not None else None

    def call() -> str:
        link.run(lambda r: r.incr("test:calls"))
        for _ in range(3):  # our own announcement (the leader looks once) does not count
            got = link.run(lambda r: r.blpop(["test:waiting"], timeout=20))
            if got is None or int(got[1]) != os.getpid():
                break
        answer = f"answer from {os.getpid()}"
        link.run(lambda r: r.set("test:answer", answer))
        return answer

    result = flight.run(cache_key, lookup, call)
    print(json.dumps({"value": result.value, "how": result.how}), flush=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
