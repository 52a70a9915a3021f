"""What app.py needs from the panel package: build from config, schedule, reload, report.

service = PanelService.from_config(cfg, scheduler)   # None when panel.driver is none
service.start()                                      # first check runs at once
service.scheduled_off                                # pause drawing/polling while True
service.reload(new_cfg)                              # on SIGHUP / systemctl reload
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from kiosk.core.timeutil import now_kst
from kiosk.panel.base import Power
from kiosk.panel.drivers import make_driver
from kiosk.panel.jobs import PanelJobs
from kiosk.panel.reconciler import PanelReport, Reconciler
from kiosk.panel.schedule import HasLatLon, korean_holidays
from kiosk.panel.settings import PanelConfig

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
    """One panel: its driver, reconciler and APScheduler jobs. Blocking calls; worker threads only."""

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
        self.reconciler = Reconciler(make_driver(panel), panel.schedule, location, self.holidays)
        self.jobs = self._jobs()

    @classmethod
    def from_config(cls, cfg: Config, scheduler: object) -> PanelService | None:
        """A service for ``cfg.panel``, or None when no panel is configured."""
        if cfg.panel.driver == "none":
            return None
        return cls(cfg.panel, cfg.station.location, scheduler)

    def _jobs(self) -> PanelJobs:
        return PanelJobs(
            self.scheduler,
            self.reconciler,
            self.panel.schedule,
            self.location,
            self.holidays,
            self.panel.check_interval,
            self.clock,
        )

    @property
    def report(self) -> PanelReport:
        """The latest PanelReport (for the status file and the UI)."""
        return self.reconciler.report

    @property
    def scheduled_off(self) -> bool:
        """True while the schedule wants the panel dark."""
        return self.reconciler.scheduled_off

    def add_listener(self, fn: Callable[[PanelReport], None]) -> None:
        """``fn(report)`` after every check (called from the worker thread)."""
        self._listeners.append(fn)
        self.reconciler.add_listener(fn)

    def start(self) -> None:
        """Install the jobs; the first check runs as soon as the scheduler runs."""
        self.jobs.install()

    def stop(self) -> None:
        """Remove the jobs and release the port."""
        self.jobs.remove()
        self.reconciler.driver.close()

    def command(self, power: Power | None = None, backlight: int | None = None) -> PanelReport:
        """Operator override (holds until the schedule next fires); blocking."""
        return self.reconciler.command(self.clock(), power=power, backlight=backlight)

    def reload(self, cfg: Config) -> PanelReport | None:
        """Apply a re-read config: new schedule at once; new driver if the link settings changed."""
        new = cfg.panel
        self.jobs.remove()
        if new.driver == "none":
            self.reconciler.driver.close()
            log.info("panel: driver set to none; panel control stopped")
            return None
        if any(getattr(new, k) != getattr(self.panel, k) for k in _LINK_KEYS):
            log.info("panel: link settings changed; reconnecting to %s on %s", new.driver, new.port)
            self.reconciler.driver.close()
            self.reconciler = Reconciler(
                make_driver(new), new.schedule, cfg.station.location, self.holidays
            )
            for fn in self._listeners:
                self.reconciler.add_listener(fn)
        self.panel, self.location = new, cfg.station.location
        self.jobs = self._jobs()
        self.jobs.install()
        return self.reconciler.reload(new.schedule, self.clock(), self.location)
