"""What the app needs from the panel package: build from config, schedule, reload, report.

service = PanelService.from_config(cfg, scheduler)   # None when panel.driver is none
service.start()                                      # first check runs at once
service.scheduled_off                                # pause drawing/polling while True
service.reload(new_cfg)                              # on SIGHUP / systemctl reload
service.stop()                                       # at exit

Every method returns at once: panel I/O (serial exchanges, CEC tools) runs only in the
service's own worker thread (panel/worker.py); APScheduler jobs just hand work to it. Methods that start panel work return a Future of its PanelReport.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.core.timeutil import now_kst
from kiosk.panel.base import Power
from kiosk.panel.drivers import make_driver
from kiosk.panel.jobs import PanelJobs
from kiosk.panel.reconciler import PanelReport, Reconciler
from kiosk.panel.schedule import HasLatLon, korean_holidays
from kiosk.panel.settings import PanelConfig
from kiosk.panel.worker import PanelWorker

if TYPE_CHECKING:
    from kiosk.config import Config

log = logging.getLogger(__name__)
_LINK_KEYS = (
    "driver",
    "port",
    "baudrate",
    "display_id",
    "timeout",
    "retries",
    "power_mode",
    "cec_tool",
)


class PanelService:
    """One panel: its driver, reconciler, APScheduler jobs and worker thread."""

    def __init__(
        self,
        panel: PanelConfig,
        location: HasLatLon,
        scheduler: object,
        clock: Callable[[], datetime] = now_kst,
    ):
        self.panel = panel
        self.location = location
        self.scheduler = scheduler
        self.clock = clock
        self.holidays = korean_holidays()
        self._listeners: list[Callable[[PanelReport], None]] = []
        self._lock = threading.Lock()  # jobs and the stopping flag, GUI thread vs worker
        self._stopping = False
        self.active = True  # False while a reloaded config says driver none
        self.worker = PanelWorker()
        self.reconciler = self._reconciler(panel, location)
        self.jobs = self._jobs()

    @classmethod
    def from_config(cls, cfg: Config, scheduler: object) -> PanelService | None:
        """A service for ``cfg.panel``, or None when no panel is configured."""
        if cfg.panel.driver == "none":
            return None
        return cls(cfg.panel, cfg.station.location, scheduler)

    def _reconciler(self, panel: PanelConfig, location: HasLatLon) -> Reconciler:
        rec = Reconciler(make_driver(panel), panel.schedule, location, self.holidays)
        rec.add_listener(self._notify)
        return rec

    def _jobs(self) -> PanelJobs:
        return PanelJobs(
            self.scheduler,
            self.request_check,
            self.panel.schedule,
            self.location,
            self.holidays,
            self.panel.check_interval,
            self.clock,
        )

    def _notify(self, report: PanelReport) -> None:
        if self._stopping:
            return
        for fn in list(self._listeners):
            fn(report)

    # --- what the app reads ------------------------------------------------------------

    @property
    def report(self) -> PanelReport:
        """The latest PanelReport (for the status file and the UI); safe from any thread."""
        return self.reconciler.report

    @property
    def scheduled_off(self) -> bool:
        """True while the schedule wants the panel dark."""
        return self.reconciler.scheduled_off

    def add_listener(self, fn: Callable[[PanelReport], None]) -> None:
        """``fn(report)`` after every check (called from the panel's worker thread)."""
        self._listeners.append(fn)

    # --- what the app calls (all return at once) ------------------------------------------

    def start(self) -> None:
        """Install the jobs; the first check runs as soon as the scheduler runs."""
        with self._lock:
            self.jobs.install()

    def request_check(self) -> None:
        """A read-back soon, in the worker (what every scheduled job does)."""
        self.worker.submit_tick(lambda: self.reconciler.tick(self.clock()))

    def command(
        self, power: Power | None = None, backlight: int | None = None
    ) -> Future[PanelReport]:
        """Operator override (holds until the schedule next fires the same thing)."""
        return self.worker.submit(
            lambda: self.reconciler.command(self.clock(), power=power, backlight=backlight),
            "panel command",
        )

    def reload(self, cfg: Config) -> Future[PanelReport | None]:
        """Apply a re-read config in the worker: new schedule at once, new link if it changed."""
        return self.worker.submit(lambda: self._reload_now(cfg), "panel reload")

    def stop(self) -> None:
        """Remove the jobs, abandon panel I/O in flight; returns at once."""
        with self._lock:
            self._stopping = True
            self.jobs.remove()
        self.reconciler.driver.cancel()  # a silent panel or a hung cec-ctl ends now
        self.worker.stop(last=lambda: self.reconciler.driver.close())

    def wait_stopped(self, timeout: float) -> bool:
        """After ``stop()``: wait until the worker has released the port (tests)."""
        return self.worker.join(timeout)

    # --- in the worker --------------------------------------------------------------------

    def _reload_now(self, cfg: Config) -> PanelReport | None:
        new = cfg.panel
        with self._lock:
            if self._stopping:
                return None
            self.jobs.remove()
        if new.driver == "none":
            self.reconciler.driver.close()
            self.active = False
            log.info("panel: driver set to none; panel control stopped")
            return None
        relink = not self.active or any(
            getattr(new, k) != getattr(self.panel, k) for k in _LINK_KEYS
        )
        if relink:
            log.info("panel: link settings changed; reconnecting to %s on %s", new.driver, new.port)
            self.reconciler.driver.close()
            self.reconciler = self._reconciler(new, cfg.station.location)
        self.panel, self.location = new, cfg.station.location
        with self._lock:
            if self._stopping:
                return None
            self.jobs = self._jobs()
            self.jobs.install()
        self.active = True
        return self.reconciler.reload(new.schedule, self.clock(), self.location)
