"""``KioskMetrics``: the kiosk's Prometheus metrics, on a registry of its own (prometheus_client).

    kiosk_up                                   1 while running (0 in the last textfile write)
    kiosk_info{station,version}                1
    kiosk_source_age_seconds{source}           now - the data's fetch time, at scrape time
    kiosk_source_state{source,state}           1 for the current state, 0 for the others
    kiosk_api_calls_total{key}                 calls this process made on each key's ledger
    kiosk_quota_remaining{key}                 calls the ledger's plan in force still allows today
    kiosk_quota_limit{key}                     that plan's daily calls (less the reserve)
    kiosk_quota_shared{key}                    1 counting in the station's Redis, 0 on a local share
    kiosk_page_changes_total
    kiosk_frame_seconds                        histogram of paint times
    kiosk_panel_power_on{which=desired|actual} 1 on, 0 off (absent: unknown)
    kiosk_panel_backlight{which=desired|actual}
    kiosk_panel_answering                      1 the panel answered its last check, 0 it did not
    kiosk_notice_active{level}                 notices on screen per level
    kiosk_process_*                            the process collector: memory, CPU, open files

``key`` is the ledger's name (subway, openapi, bus, alerts), never a key or its fingerprint; no
label carries anything secret. ``now_fn`` is the composition root's clock.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    disable_created_metrics,
)
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.process_collector import ProcessCollector
from prometheus_client.registry import Collector

from kiosk.ops.metrics_sink import NOTICE_LEVELS, LedgerView

SOURCE_STATES = ("ok", "stale", "empty", "error", "rate_limited", "unauthorized")
FRAME_BUCKETS = (0.001, 0.002, 0.004, 0.008, 0.016, 0.033, 0.066, 0.125, 0.25, 0.5, 1.0)


class _Pulled(Collector):
    """The values computed when Prometheus looks: data ages and the ledgers."""

    def __init__(self, metrics: KioskMetrics):
        self.m = metrics

    def collect(self) -> Iterable[Metric]:
        """Metric families for this scrape."""
        now = self.m.now_fn()
        with self.m.lock:
            sources = dict(self.m.sources)
            ledgers = list(self.m.ledgers)
            answering = self.m.panel_answering
        age = GaugeMetricFamily(
            "kiosk_source_age_seconds",
            "Seconds since the source's data was fetched",
            labels=["source"],
        )
        state = GaugeMetricFamily(
            "kiosk_source_state", "The source's state (1 = current)", labels=["source", "state"]
        )
        for source, (status, fetched_at) in sorted(sources.items()):
            if fetched_at is not None:
                age.add_metric([source], max(0.0, (now - fetched_at).total_seconds()))
            for s in sorted({*SOURCE_STATES, status}):
                state.add_metric([source, s], 1.0 if s == status else 0.0)
        yield age
        yield state
        calls = CounterMetricFamily(
            "kiosk_api_calls", "API calls this process made, per key's ledger", labels=["key"]
        )
        left = GaugeMetricFamily(
            "kiosk_quota_remaining", "Calls the key's budget still allows today", labels=["key"]
        )
        limit = GaugeMetricFamily(
            "kiosk_quota_limit", "The key's daily calls in force (less the reserve)", labels=["key"]
        )
        shared = GaugeMetricFamily(
            "kiosk_quota_shared",
            "1: counting in the station's Redis; 0: on a local share",
            labels=["key"],
        )
        for ledger in ledgers:
            calls.add_metric([ledger.name], float(ledger.calls_made))
            try:
                remaining = ledger.remaining(now)
            except Exception:  # a scrape reports what it can; the poller logs its own faults
                remaining = None
            if remaining is not None:
                left.add_metric([ledger.name], float(remaining))
            limit.add_metric([ledger.name], float(ledger.plan.spendable))
            if ledger.sharing is not None:
                shared.add_metric([ledger.name], 1.0 if ledger.sharing else 0.0)
        yield from (calls, left, limit, shared)
        panel = GaugeMetricFamily(
            "kiosk_panel_answering", "1: the panel answered its last check; 0: it did not"
        )
        if answering is not None:  # absent without a panel, so no alert fires for none
            panel.add_metric([], 1.0 if answering else 0.0)
        yield panel


class KioskMetrics:
    """The registry and the sink methods the runner calls (see ``metrics_sink.MetricsSink``)."""

    def __init__(self, station: str, version: str, now_fn: Callable[[], datetime]):
        disable_created_metrics()  # *_created series: twice the series, no use for a kiosk
        self.now_fn = now_fn
        self.lock = threading.Lock()
        self.sources: dict[str, tuple[str, datetime | None]] = {}
        self.ledgers: list[LedgerView] = []
        r = self.registry = CollectorRegistry()
        # Namespaced: node_exporter has process_* metrics of its own, and the textfile's must
        # not clash with them (the textfile collector refuses duplicates).
        ProcessCollector(namespace="kiosk", registry=r)
        self.up = Gauge("kiosk_up", "1 while the kiosk runs", registry=r)
        self.up.set(1)
        Info("kiosk", "Which kiosk this is", registry=r).info(
            {"station": station, "version": version}
        )
        self.page_changes = Counter("kiosk_page_changes", "Page changes shown", registry=r)
        self.frames = Histogram(
            "kiosk_frame_seconds", "Time to paint a frame", buckets=FRAME_BUCKETS, registry=r
        )
        self.power = Gauge("kiosk_panel_power_on", "Panel power (1 on)", ["which"], registry=r)
        self.backlight = Gauge(
            "kiosk_panel_backlight", "Panel backlight 0-100", ["which"], registry=r
        )
        self.panel_answering: bool | None = None  # None: no panel, or not checked yet
        self.notice = Gauge("kiosk_notice_active", "Notices on screen", ["level"], registry=r)
        for level in NOTICE_LEVELS:
            self.notice.labels(level).set(0)
        r.register(_Pulled(self))

    # --- the sink ---------------------------------------------------------------------------
    def page_changed(self) -> None:
        """A page change was shown."""
        self.page_changes.inc()

    def frame_painted(self, seconds: float) -> None:
        """A frame took ``seconds`` to paint."""
        self.frames.observe(seconds)

    def snapshot(self, source: str, status: str, fetched_at: datetime | None) -> None:
        """A source's current status and data time."""
        with self.lock:
            self.sources[source] = (status, fetched_at)

    def panel(
        self,
        *,
        desired_on: bool | None,
        actual_on: bool | None,
        desired_backlight: int | None,
        actual_backlight: int | None,
        answering: bool | None,
    ) -> None:
        """The panel's desired and read-back state (None: unknown, the series is dropped)."""
        for gauge, which, value in (
            (self.power, "desired", desired_on),
            (self.power, "actual", actual_on),
            (self.backlight, "desired", desired_backlight),
            (self.backlight, "actual", actual_backlight),
        ):
            if value is None:
                _drop(gauge, which)
            else:
                gauge.labels(which).set(float(value))
        with self.lock:
            self.panel_answering = answering

    def notices(self, active: Mapping[str, int]) -> None:
        """How many notices of each level are on now."""
        for level in {*NOTICE_LEVELS, *active}:
            self.notice.labels(level).set(float(active.get(level, 0)))

    def watch_ledger(self, ledger: LedgerView) -> None:
        """Report this ledger at every scrape."""
        with self.lock:
            self.ledgers = [x for x in self.ledgers if x.name != ledger.name] + [ledger]

    def stopping(self) -> None:
        """The kiosk is stopping: what is written last says so."""
        self.up.set(0)


def _drop(gauge: Gauge, which: str) -> None:
    with contextlib.suppress(KeyError):  # never set
        gauge.remove(which)
