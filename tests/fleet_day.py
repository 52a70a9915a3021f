"""A station's day, compressed: screens of one station polling the subway on one real
redis-server against the local API simulator, each screen a whole real ``Poller`` (session,
SQLite cache, ledgers, single flight) driven tick by tick on a simulated clock; and, to compare,
one screen alone as today (no Redis).

    .venv/bin/python -m tests.fleet_day                 # 4 screens and 1 alone, a whole day
    .venv/bin/python -m tests.fleet_day --screens 4 --start 06:00 --end 10:00

Each screen ticks as the kiosk's poll job does (every 5 s plus APScheduler's jitter of up to
2 s, each screen at its own phase); the budget is the default config's (1,000 calls, 5 %
reserve, service 05:00-01:00, rush 07-09 and 18-20 twice as dense, 20 s shortest interval,
answers reused for 20 s). The age of what each screen shows (now - when the answer on screen
was fetched from the API) is sampled every second of the service hours, from each screen's
first answer of the morning on (at 05:00 every screen still shows the answer of 00:59).
"""

from __future__ import annotations

import argparse
import heapq
import json
import random
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.core.budget import weight
from kiosk.core.timeutil import KST
from kiosk.poller.service import Poller, budget_plan
from kiosk.sources.registry import APIS
from tests.httpserver.seoul import FakeClock, SeoulApi, kiosk_config_dict
from tests.redis_server import RedisServer

SUBWAY_KEY, OPEN_KEY = "SUBWAYKEY-fleetday-0123456789", "OPENKEY-fleetday-9876543210"
DAY = datetime(2026, 11, 24, tzinfo=KST)  # a Tuesday: both rush hours apply
TICK_S, JITTER_S = 5.0, 2.0  # kiosk/poller/jobs.py: DEFAULT_TICK_S["subway"], JITTER_S


@dataclass(frozen=True)
class Outcome:
    """One run: the calls the API saw and the ages the screens showed."""

    screens: int
    shared: bool
    calls: int
    ledger_used: int  # what the (shared or the single screen's) ledger counted
    mean_age_s: float
    p95_age_s: float
    max_age_s: float
    seconds: float  # real time the run took

    def line(self) -> str:
        """One line for a terminal."""
        who = f"{self.screens} screen(s) {'on one Redis' if self.shared else 'alone'}"
        return (
            f"{who}: {self.calls} subway calls (ledger {self.ledger_used}); shown data age "
            f"mean {self.mean_age_s:.1f} s, p95 {self.p95_age_s:.1f} s, max {self.max_age_s:.1f} s"
            f" ({self.seconds:.0f} s real time)"
        )


def _config(api: SeoulApi, folder: Path, redis: RedisServer | None, screens: int) -> Config:
    extra: dict[str, Any] = {"service_hours": {"start": "05:00", "end": "01:00"}}
    if redis is not None:
        extra.update(cache_url=redis.url, fleet_size=screens)
    return Config.model_validate(kiosk_config_dict(api, folder, **extra))


def _at(text: str) -> datetime:
    hh, mm = (int(x) for x in text.split(":"))
    return DAY + timedelta(hours=hh, minutes=mm) if (hh, mm) != (24, 0) else DAY + timedelta(1)


def run(
    screens: int,
    shared: bool,
    work: Path,
    *,
    start: str = "00:00",
    end: str = "24:00",
    seed: int = 15,
) -> Outcome:
    """Simulate ``screens`` screens (on one Redis if ``shared``) from ``start`` to ``end``."""
    began = time.monotonic()
    rng = random.Random(seed)
    clock = FakeClock(_at(start))
    t_end = _at(end)
    api = SeoulApi(SUBWAY_KEY, OPEN_KEY, clock=clock.now).start()
    redis = RedisServer(work).start() if shared else None
    env = {"SEOUL_SUBWAY_API_KEY": SUBWAY_KEY, "SEOUL_API_KEY": OPEN_KEY}
    pollers: list[Poller] = []
    try:
        for k in range(screens):
            folder = work / f"screen{k}"
            folder.mkdir()
            cfg = _config(api, folder, redis, screens)
            pollers.append(Poller(cfg, sources=("subway",), env=env))
        plan = budget_plan(pollers[0].cfg.sources, APIS["subway"])
        shown: list[datetime | None] = [None] * screens
        ages: list[float] = []
        queue = [(clock.t + timedelta(seconds=rng.uniform(0, TICK_S)), k) for k in range(screens)]
        heapq.heapify(queue)
        sample = clock.t
        opened = sample  # when the current stretch of service hours began
        while queue:
            when, k = heapq.heappop(queue)
            if when >= t_end:
                break
            while sample < when:  # every second until this tick: what each screen shows
                if weight(plan, sample) == 0:
                    opened = sample + timedelta(seconds=1)
                else:  # from each screen's first answer of the morning (05:00 shows 01:00's)
                    ages += [(sample - f).total_seconds() for f in shown if f and f >= opened]
                sample += timedelta(seconds=1)
            clock.t = when
            snap = pollers[k].coordinators["subway"].tick(when)
            shown[k] = snap.fetched_at
            step = TICK_S + rng.uniform(0, JITTER_S)
            heapq.heappush(queue, (when + timedelta(seconds=step), k))
        used = pollers[0].ledgers["subway"].state(clock.t).used
    finally:
        for p in pollers:
            p.close()
        api.stop()
        if redis is not None:
            redis.stop()
    ages.sort()
    return Outcome(
        screens=screens,
        shared=shared,
        calls=api.calls["subway"],
        ledger_used=used,
        mean_age_s=statistics.fmean(ages) if ages else float("nan"),
        p95_age_s=ages[int(0.95 * (len(ages) - 1))] if ages else float("nan"),
        max_age_s=ages[-1] if ages else float("nan"),
        seconds=time.monotonic() - began,
    )


def main(argv: list[str] | None = None) -> int:
    """Run the fleet and the single screen; print both (and JSON with --json)."""
    ap = argparse.ArgumentParser(prog="python -m tests.fleet_day", description=__doc__)
    ap.add_argument("--screens", type=int, default=4)
    ap.add_argument("--start", default="00:00", help="KST, on the simulated day")
    ap.add_argument("--end", default="24:00")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="kiosk-fleetday-") as tmp:
        root = Path(tmp)
        (root / "fleet").mkdir()
        (root / "alone").mkdir()
        fleet = run(args.screens, True, root / "fleet", start=args.start, end=args.end)
        alone = run(1, False, root / "alone", start=args.start, end=args.end)
    for o in (fleet, alone):
        print(o.line())
    if args.json:
        print(json.dumps({"fleet": fleet.__dict__, "alone": alone.__dict__}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
