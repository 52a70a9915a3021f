"""``PollerService``: the poller's single entry point for the app (composition root side).

    service = PollerService(cfg, now_fn=now_kst, on_snapshot=bridge.snapshot_from_worker)
    service.start()          # polling begins in APScheduler worker threads
    service.pause()          # panel scheduled off: no API calls at all
    service.resume()         # panel back on: every source ticks right away
    service.refresh_now()    # e.g. after SIGHUP; asynchronous, never blocks the caller
    service.stop()

``on_snapshot(snapshot)`` is called from a worker thread whenever a source's snapshot changes
(new data, a failure, a status change by age). Connect it to a queued Qt signal; never touch
widgets from it. Sources: subway, air, air_history, parks, trails, bikes, events.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kiosk.config import Config
from kiosk.core.budget import BudgetPlan, Window, parse_hhmm
from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.models import AirReading, Snapshot
from kiosk.poller.coordinator import Coordinator
from kiosk.poller.feeds import SOURCES, Feeds
from kiosk.poller.history import AirHistory
from kiosk.poller.jobs import PollJobs
from kiosk.poller.keys import ApiKeys, load_keys
from kiosk.poller.pacing import BudgetPacer, IntervalPacer, QuotaLedger
from kiosk.poller.session import KioskSession, build_session
from kiosk.poller.settings import SourcesConfig

log = logging.getLogger(__name__)

DEMO_SUBWAY_INTERVAL_S = 30.0
MAX_PAGES_IN_FLIGHT = 5  # the longest refresh (bikes) makes up to this many requests
HISTORY_WINDOW = timedelta(hours=24)  # what the air_history snapshot carries
# Stopgap until the source registry wires the bus source (issue 13, phase 2): in demo mode the
# buses page replays its recording like every other page; live, it has no feed yet.
DEMO_ONLY_SOURCES = ("bus",)


def subway_plan(src: SourcesConfig) -> BudgetPlan:
    """The realtime subway key's budget plan from config."""
    return BudgetPlan(
        daily_calls=src.subway_daily_budget,
        service=Window(parse_hhmm(src.service_hours.start), parse_hhmm(src.service_hours.end)),
        rush=tuple(Window(parse_hhmm(r.start), parse_hhmm(r.end)) for r in src.rush_hours),
        rush_factor=src.rush_factor,
        reserve=_reserve(src.subway_daily_budget),
        min_interval_s=float(src.subway_min_interval),
    )


def openapi_plan(src: SourcesConfig) -> BudgetPlan:
    """The general key's daily cap (around the clock, no pacing of its own)."""
    return BudgetPlan(
        daily_calls=src.openapi_daily_budget, reserve=_reserve(src.openapi_daily_budget)
    )


def _reserve(daily: int) -> int:
    # 5 % held back for manual refreshes, `kiosk fetch` and retries; none for tiny test budgets.
    return daily // 20


def policy_for(src: SourcesConfig, source: str) -> FreshnessPolicy:
    """Freshness thresholds of a source (``sources.freshness.<source>``)."""
    f = src.freshness.get(source)
    if f is None:
        return FreshnessPolicy(3600, 6 * 3600)
    return FreshnessPolicy(float(f.stale_after), float(max(f.unavailable_after, f.stale_after)))


class Poller:
    """Coordinators, session, ledgers and history for one config, without any scheduler."""

    def __init__(
        self, cfg: Config, sources: tuple[str, ...] = SOURCES, env: Mapping[str, str] | None = None
    ):
        self.cfg = cfg
        src = cfg.sources
        self.keys: ApiKeys = load_keys(src, env) if not src.demo else ApiKeys()
        state_dir = Path(src.cache_path).parent
        self.session: KioskSession | None = None
        if not src.demo:
            self.session = build_session(Path(src.cache_path), self.keys.secrets())
        self.ledgers = {
            "subway": QuotaLedger(
                "subway", subway_plan(src), None if src.demo else state_dir / "quota-subway.json"
            ),
            "openapi": QuotaLedger(
                "openapi", openapi_plan(src), None if src.demo else state_dir / "quota-openapi.json"
            ),
        }
        # Demo mode writes nothing to disk (it may run on a laptop without /var/cache/kiosk).
        history_path = None if src.demo else state_dir / "air-history.sqlite"
        self.history = AirHistory(history_path, keep_days=src.history_days)
        feeds = Feeds(cfg, self.session, self.keys, self.ledgers)
        if src.demo and sources == SOURCES:
            sources = (*sources, *DEMO_ONLY_SOURCES)
        self.coordinators: dict[str, Coordinator] = {}
        for source in sources:
            self.coordinators[source] = Coordinator(
                source,
                feeds.fetcher(source),
                policy_for(src, source),
                self._pacer(source),
                prime=feeds.primer(source),
            )

    def _pacer(self, source: str) -> Any:
        src = self.cfg.sources
        if source == "subway":
            return (
                IntervalPacer(DEMO_SUBWAY_INTERVAL_S)
                if src.demo
                else BudgetPacer(self.ledgers["subway"])
            )
        if source in DEMO_ONLY_SOURCES:
            return IntervalPacer(DEMO_SUBWAY_INTERVAL_S)
        ledger = None if src.demo else self.ledgers["openapi"]
        return IntervalPacer(float(getattr(src.intervals, source)), ledger)

    def air_history(self, now: datetime) -> Snapshot[AirReading]:
        """The station district's readings of the last 24 h, as a snapshot."""
        items = self.history.history(self.cfg.station.district, now - HISTORY_WINDOW)
        if not items:  # the API may spell the district differently ("영등포" / "영등포구")
            air = self.coordinators.get("air")
            names = {r.district for r in air.snapshot(now).items} if air else set()
            for name in names:
                items = self.history.history(name, now - HISTORY_WINDOW)
                if items:
                    break
        return Snapshot("air_history", items, items[-1].measured_at if items else None)

    def seed_demo_history(self, now: datetime) -> None:
        """Demo mode: fill the (in-memory) air history from the bundled recording."""
        from kiosk.sources import demo

        try:
            readings = demo.load_demo("air_history", self.cfg.station.subway_station, now)
        except Exception as e:  # demo data missing for this station: the chart just starts empty
            log.warning("demo air history unavailable: %s", e)
            return
        self.history.append(readings, now)

    def close(self) -> None:
        """Release the cache and the history database."""
        if self.session is not None:
            self.session.close()
        self.history.close()


def poll_once(poller: Poller, now: datetime) -> dict[str, Snapshot[Any]]:
    """Refresh every coordinator of ``poller`` once, in parallel; snapshots by source."""
    names = list(poller.coordinators)
    if not names:
        return {}
    with ThreadPoolExecutor(max_workers=len(names)) as pool:
        snaps = list(pool.map(lambda s: poller.coordinators[s].refresh(now), names))
    return dict(zip(names, snaps, strict=True))


def fetch_once(
    cfg: Config, sources: Iterable[str], now: datetime, env: Mapping[str, str] | None = None
) -> list[Snapshot[Any]]:
    """One poll of the given sources (``air_history`` included), in that order; for ``kiosk snapshot``."""
    wanted = [s for s in sources if s in SOURCES or s == "air_history"]
    poller = Poller(cfg, sources=tuple(s for s in wanted if s in SOURCES), env=env)
    try:
        snaps = poll_once(poller, now)
        if "air_history" in wanted:
            if cfg.sources.demo:
                poller.seed_demo_history(now)
            air = snaps.get("air")
            if air is not None and air.items:
                poller.history.append(air.items, now)
            snaps["air_history"] = poller.air_history(now)
    finally:
        poller.close()
    return [snaps[s] for s in wanted]


class PollerService:
    """Polls every source in the background and hands each new snapshot to ``on_snapshot``."""

    def __init__(
        self,
        cfg: Config,
        now_fn: Callable[[], datetime],
        on_snapshot: Callable[[Snapshot[Any]], None],
        *,
        env: Mapping[str, str] | None = None,
        tick_s: Mapping[str, float] | None = None,
    ):
        self.now_fn = now_fn
        self.on_snapshot = on_snapshot
        self.poller = Poller(cfg, env=env)
        for coordinator in self.poller.coordinators.values():
            coordinator.add_listener(self._forward)
        self.jobs = PollJobs(self.poller.coordinators, now_fn, tick_s)
        self._closed = threading.Event()

    @property
    def coordinators(self) -> dict[str, Coordinator]:
        """The coordinators by source name (read their state; do not drive them)."""
        return self.poller.coordinators

    def _forward(self, snap: Snapshot[Any]) -> None:
        self.on_snapshot(snap)
        if snap.source == "air" and snap.items:  # stored once per measurement time (deduplicated)
            now = self.now_fn()
            self.poller.history.append(snap.items, now)
            self.on_snapshot(self.poller.air_history(now))

    def start(self) -> None:
        """Start polling (each source once right away, then as due). Returns at once."""
        self.jobs.start()
        # Even the history read is disk I/O: it runs in a worker too, never in the caller's thread.
        self.jobs.add_once(self._publish_history, "air history")

    def _publish_history(self) -> None:
        now = self.now_fn()
        if self.poller.cfg.sources.demo:
            self.poller.seed_demo_history(now)
        self.on_snapshot(self.poller.air_history(now))

    def stop(self) -> None:
        """Stop polling at once; files are released when the request in flight (if any) ends.

        Returns immediately: a hanging request finishes (or times out) in its worker thread, and
        only then are the cache and history closed (closing under a running query would crash).
        """
        self.jobs.stop()
        grace = self.poller.cfg.sources.timeout * (1 + MAX_PAGES_IN_FLIGHT) + 5

        def close_when_idle() -> None:
            if self.jobs.wait_idle(grace):
                self.poller.close()
            self._closed.set()

        if self.jobs.wait_idle(0):
            close_when_idle()
        else:
            threading.Thread(target=close_when_idle, name="poller-close", daemon=True).start()

    def wait_closed(self, timeout: float) -> bool:
        """After ``stop()``: wait until files are released (tests, orderly shutdown)."""
        return self._closed.wait(timeout)

    def pause(self) -> None:
        """No API calls until ``resume()`` (the panel is scheduled off)."""
        self.jobs.pause()

    def resume(self) -> None:
        """Resume polling; every source is looked at right away."""
        self.jobs.resume()

    def refresh_now(self, source: str | None = None) -> None:
        """Refresh one source (or all) as soon as a worker is free; ignored while paused."""
        for name, c in self.coordinators.items():
            if source is None or name == source:
                c.request_refresh()
        self.jobs.run_now(source)

    def snapshots(self) -> dict[str, Snapshot[Any]]:
        """Every source's current snapshot (for ``kiosk status``)."""
        now = self.now_fn()
        return {name: c.snapshot(now) for name, c in self.coordinators.items()}

    def history(self, district: str, since: datetime) -> tuple[AirReading, ...]:
        """Stored air readings of a district since ``since``, oldest first."""
        return self.poller.history.history(district, since)
