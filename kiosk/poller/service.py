"""``PollerService``: the poller's single entry point for the app (composition root side).

    service = PollerService(cfg, now_fn=now_kst, on_snapshot=bridge.snapshot_from_worker)
    service.start()          # polling begins in APScheduler worker threads
    service.pause()          # panel scheduled off: no API calls but the alert feed's
    service.resume()         # panel back on: every source ticks right away
    service.refresh_now()    # e.g. after SIGHUP; asynchronous, never blocks the caller
    service.stop()

``on_snapshot(snapshot)`` is called from a worker thread whenever a source's snapshot changes
(new data, a failure, a status change by age). Connect it to a queued Qt signal; never touch
widgets from it. Sources: those of kiosk.sources.registry, and the kept air history.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import Config
from kiosk.core.budget import BudgetPlan, Window, parse_hhmm
from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.models import AirReading, Snapshot
from kiosk.errors import ConfigError, SourceError
from kiosk.ops.redact import Redactor
from kiosk.poller.coordinator import Coordinator, Pacer
from kiosk.poller.feeds import Feeds
from kiosk.poller.history import AirHistory
from kiosk.poller.jobs import MAX_WAIT_S, PollJobs, tick_for
from kiosk.poller.keys import ApiKeys, load_keys
from kiosk.poller.pacing import BudgetPacer, IntervalPacer, QuotaLedger
from kiosk.poller.redis_target import target_secrets
from kiosk.poller.session import KioskSession, build_session
from kiosk.poller.settings import SourcesConfig
from kiosk.sources.registry import APIS, HISTORIES, SOURCES, Api, SourceSpec, demo_items, spec

if TYPE_CHECKING:  # redis-py is loaded only by a kiosk that has a shared Redis
    from kiosk.poller.redis_link import RedisLink
    from kiosk.poller.singleflight import SingleFlight

log = logging.getLogger(__name__)

DEMO_PACED_INTERVAL_S = 30.0  # demo: a budget-paced source (the subway) is re-read this often
# The one kept history (air readings), fed by the source whose declaration names it.
(HISTORY,) = tuple(HISTORIES)
HISTORY_WINDOW = timedelta(hours=24)  # what the air_history snapshot carries


def budget_plan(src: SourcesConfig, api: Api) -> BudgetPlan:
    """An API key's budget plan from config: paced over service hours (the subway), or a cap."""
    daily = src.daily_budget(api.name)
    if not api.paced:
        return BudgetPlan(daily_calls=daily, reserve=_reserve(daily))
    return BudgetPlan(
        daily_calls=daily,
        service=Window(parse_hhmm(src.service_hours.start), parse_hhmm(src.service_hours.end)),
        rush=tuple(Window(parse_hhmm(r.start), parse_hhmm(r.end)) for r in src.rush_hours),
        rush_factor=src.rush_factor,
        reserve=_reserve(daily),
        min_interval_s=src.min_interval_s(api.name),
    )


def _reserve(daily: int) -> int:
    # 5 % held back for manual refreshes, `kiosk fetch` and retries; none for tiny test budgets.
    return daily // 20


class Poller:
    """Coordinators, session, ledgers and history for one config, without any scheduler."""

    def __init__(
        self,
        cfg: Config,
        sources: tuple[str, ...] = tuple(SOURCES),
        env: Mapping[str, str] | None = None,
        redactor: Redactor | None = None,
    ):
        self.cfg = cfg
        src = cfg.sources
        self.station = cfg.station_info()
        self.keys: ApiKeys = load_keys(src, env) if not src.demo else ApiKeys()
        state_dir = Path(src.cache_path).parent
        # The station's Redis (sources.cache_url): cache, ledgers and single flight share it.
        self.link = None if src.demo else shared_link(src)
        self.session: KioskSession | None = None
        # The one redactor (the composition root's, or one of these keys for `kiosk fetch`).
        self.redactor = (
            redactor
            if redactor is not None
            else Redactor(
                (*self.keys.secrets(), *target_secrets(src.cache_url, src.cache_password_file))
            )
        )
        if not src.demo:
            self.session = build_session(Path(src.cache_path), self.redactor, link=self.link)
        # Demo mode writes nothing to disk (it may run on a laptop without /var/cache/kiosk).
        self.ledgers = {
            api.name: QuotaLedger(
                api.name,
                budget_plan(src, api),
                None if src.demo else state_dir / f"quota-{api.name}.json",
                key=self.keys.values.get(api.name),  # named by its fingerprint, never the key
                link=self.link,
                fleet_size=src.fleet_size,
            )
            for api in APIS.values()
        }
        history_path = None if src.demo else state_dir / "air-history.sqlite"
        self.history = AirHistory(history_path, keep_days=src.history_days)
        self._seeding = threading.Lock()
        self._seeded = False
        flight = None if self.link is None else single_flight(self.link, src.timeout)
        feeds = Feeds(src, self.station, self.session, self.keys, self.ledgers, flight)
        self.specs = {name: spec(name) for name in sources}
        self.coordinators: dict[str, Coordinator] = {
            name: Coordinator(
                name,
                feeds.fetcher(s),
                src.policy(name),
                self._pacer(s),
                prime=feeds.primer(s),
                backoff_max_s=s.backoff_max_s,
                redact=self.redactor,
            )
            for name, s in self.specs.items()
        }

    def _pacer(self, s: SourceSpec) -> Pacer:
        src = self.cfg.sources
        if s.interval_s is None:  # paced by its key's daily budget
            if src.demo:
                return IntervalPacer(DEMO_PACED_INTERVAL_S)
            calls = s.calls_per_poll(self.station)
            return BudgetPacer(self.ledgers[s.api.name], calls_per_poll=calls)
        ledger = None if src.demo else self.ledgers[s.api.name]
        return IntervalPacer(src.interval_s(s.name), ledger)

    def history_snapshot(self, now: datetime) -> Snapshot[AirReading]:
        """The station district's kept readings of the last 24 h, as a snapshot."""
        self._seed_demo_history(now)
        items = self.history.history(self.station.district, now - HISTORY_WINDOW)
        fed_by = next((s for s in self.specs.values() if s.history), None)
        if not items and fed_by is not None:
            # The API may spell the district differently ("영등포" / "영등포구").
            names = {r.district for r in self.coordinators[fed_by.name].snapshot(now).items}
            for name in names:
                items = self.history.history(name, now - HISTORY_WINDOW)
                if items:
                    break
        return Snapshot(HISTORY, items, items[-1].measured_at if items else None)

    def keeps_history(self, source: str) -> bool:
        """Whether ``source``'s items are appended to the kept history."""
        s = self.specs.get(source)
        return s is not None and s.history == HISTORY

    def _seed_demo_history(self, now: datetime) -> None:
        # Demo mode: the (in-memory) history holds the bundled recording from the first time
        # it is read, whichever thread reads first (the air poll's, or the job publishing the
        # history): a history of one poll's reading would show no chart.
        with self._seeding:
            if not self.cfg.sources.demo or self._seeded:
                return
            self._seeded = True
            try:
                readings = demo_items(HISTORY, self.station.subway_station, now)
            except SourceError as e:  # no demo data for this station: the chart starts empty
                log.warning("demo air history unavailable: %s", e)
                return
            self.history.append(readings, now)

    def close(self) -> None:
        """Release the cache, the history database and the link to the station's Redis."""
        if self.session is not None:
            self.session.close()
        self.history.close()
        if self.link is not None:
            self.link.close()


def shared_link(src: SourcesConfig) -> RedisLink | None:
    """The link to the station's Redis (None without ``sources.cache_url``); redis-py is loaded
    only here. ConfigError when its password file cannot be read (the URL was checked at load)."""
    if not src.cache_url:
        return None
    from kiosk.poller.redis_link import link_from_config

    try:
        return link_from_config(src)
    except ValueError as e:
        raise ConfigError([f"sources.cache_password_file: {e}"]) from None


def single_flight(link: RedisLink, timeout_s: float) -> SingleFlight:
    """One caller per expired answer across the station: the others wait at most one request's
    timeout (and a little) for its answer; a leader that died frees its lock well after that."""
    from kiosk.poller.singleflight import SingleFlight

    return SingleFlight(link, lock_ttl_s=3 * timeout_s + 5, wait_s=timeout_s + 2)


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
    """One poll of the given sources (kept history included), in that order; for ``kiosk snapshot``."""
    wanted = [s for s in sources if s in SOURCES or s == HISTORY]
    poller = Poller(cfg, sources=tuple(s for s in wanted if s in SOURCES), env=env)
    try:
        snaps = poll_once(poller, now)
        if HISTORY in wanted:
            for name, snap in list(snaps.items()):
                if poller.keeps_history(name) and snap.items:
                    poller.history.append(snap.items, now)
            snaps[HISTORY] = poller.history_snapshot(now)
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
        max_wait_s: float = MAX_WAIT_S,
        redactor: Redactor | None = None,
        sources: tuple[str, ...] = tuple(SOURCES),
    ):
        self.now_fn = now_fn
        self.on_snapshot = on_snapshot
        self.poller = Poller(cfg, sources=sources, env=env, redactor=redactor)
        for coordinator in self.poller.coordinators.values():
            coordinator.add_listener(self._forward)
        src, specs = cfg.sources, self.poller.specs
        ticks = {n: tick_for(src.interval_s(n)) for n, s in specs.items() if s.interval_s}
        awake = [n for n, s in specs.items() if s.always_polled]  # polled while the panel is off
        self.jobs = PollJobs(
            self.poller.coordinators, now_fn, {**ticks, **(tick_s or {})}, awake, max_wait_s
        )
        self._closed = threading.Event()
        self._history: Snapshot[Any] | None = None  # the last kept-history snapshot published

    @property
    def coordinators(self) -> dict[str, Coordinator]:
        """The coordinators by source name (read their state; do not drive them)."""
        return self.poller.coordinators

    def _forward(self, snap: Snapshot[Any]) -> None:
        self.on_snapshot(snap)
        if self.poller.keeps_history(snap.source) and snap.items:
            now = self.now_fn()  # stored once per measurement time (deduplicated)
            self.poller.history.append(snap.items, now)
            self._publish_history_snapshot(self.poller.history_snapshot(now))

    def _publish_history_snapshot(self, snap: Snapshot[Any]) -> None:
        self._history = snap
        self.on_snapshot(snap)

    def start(self) -> None:
        """Start polling (each source once right away, then as due). Returns at once."""
        self.jobs.start()
        # Even the history read is disk I/O: it runs in a worker too, never in the caller's thread.
        self.jobs.add_once(self._publish_history, "air history")

    def _publish_history(self) -> None:
        self._publish_history_snapshot(self.poller.history_snapshot(self.now_fn()))

    def stop(self) -> None:
        """Stop polling at once; files are released when the request in flight (if any) ends.

        Returns immediately: a hanging request finishes (or times out) in its worker thread, and
        only then are the cache and history closed (closing under a running query would crash).
        """
        self.jobs.stop()
        src = self.poller.cfg.sources
        grace = src.fetch_deadline + src.timeout + 5  # a refresh in flight is over by then

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
        """No API calls until ``resume()`` (the panel is scheduled off), but the always-polled
        sources' (a critical alert must be able to wake the panel)."""
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
        """Every source's current snapshot, and the kept history's (for status, screen log)."""
        now = self.now_fn()
        out = {name: c.snapshot(now) for name, c in self.coordinators.items()}
        if self._history is not None:
            out[self._history.source] = self._history
        return out

    @property
    def ledgers(self) -> dict[str, QuotaLedger]:
        """The call ledgers by API name (metrics read them at every scrape)."""
        return self.poller.ledgers

    def policy(self, source: str) -> FreshnessPolicy | None:
        """The freshness policy a source is judged by (None for the kept history)."""
        c = self.coordinators.get(source)
        return c.policy if c is not None else None

    def history(self, district: str, since: datetime) -> tuple[AirReading, ...]:
        """Stored air readings of a district since ``since``, oldest first."""
        return self.poller.history.history(district, since)
