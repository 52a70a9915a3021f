"""What the app needs from the panel package: build from config, schedule, reload, report.

service = PanelService.from_config(cfg, scheduler)   # None when panel.driver is none
service.start()                                      # first check, control socket
service.scheduled_off                                # pause drawing/polling while True
service.command(power="on", until=t, by=who)       # an operator's (or a notice's) hold
service.release("power", by=who)                     # ends that hold if it is still who's
service.reload(new_cfg)                              # on SIGHUP / systemctl reload
service.stop()                                       # at exit

Every method returns at once: panel I/O (serial exchanges, CEC tools) runs only in the
service's own worker thread (panel/worker.py); APScheduler jobs and the control socket just
hand work to it. Methods that start panel work return a Future of its PanelReport.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.core.timeutil import now_kst
from kiosk.errors import PanelError
from kiosk.panel.base import Power
from kiosk.panel.control import ControlServer
from kiosk.panel.drivers import make_driver
from kiosk.panel.holds import What
from kiosk.panel.jobs import PanelJobs
from kiosk.panel.protocol import SOCKET_NAME, ControlRequest, Peer, Reply
from kiosk.panel.readout import Rows, status_rows
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
StatusReading = tuple[Rows, PanelError | None, PanelReport]


class PanelService:
    """One panel: its driver, reconciler, APScheduler jobs, worker thread and control socket."""

    def __init__(
        self,
        panel: PanelConfig,
        location: HasLatLon,
        scheduler: object,
        clock: Callable[[], datetime] = now_kst,
        control_path: Path | None = None,
    ):
        self.panel = panel
        self.location = location
        self.scheduler = scheduler
        self.clock = clock
        self.holidays = korean_holidays()
        self.control_path = control_path
        self._listeners: list[Callable[[PanelReport], None]] = []
        self._lock = threading.Lock()  # jobs and the stopping flag, GUI thread vs worker
        self._stopping = False
        self.active = True  # False while a reloaded config says driver none
        self.worker = PanelWorker()
        self.reconciler = self._reconciler(panel, location)
        self.jobs = self._jobs()
        self.control = self._control()

    @classmethod
    def from_config(
        cls, cfg: Config, scheduler: object, runtime: Path | None = None
    ) -> PanelService | None:
        """A service for ``cfg.panel`` (control socket in ``runtime`` or the runtime dir)."""
        if cfg.panel.driver == "none":
            return None
        if runtime is None:
            from kiosk.ops.status import runtime_dir

            runtime = runtime_dir()
        return cls(cfg.panel, cfg.station.location, scheduler, control_path=runtime / SOCKET_NAME)

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

    def _control(self) -> ControlServer | None:
        if self.control_path is None:
            return None
        return ControlServer(self.control_path, self._answer)

    def _answer(self, req: ControlRequest, peer: Peer) -> Reply:
        from kiosk.panel.operator import answer

        return answer(self, req, peer)

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
        """Install the jobs (the first check runs as soon as the scheduler runs), open the socket."""
        with self._lock:
            self.jobs.install()
        if self.control is not None:
            self.control.start()

    def request_check(self) -> None:
        """A read-back soon, in the worker (what every scheduled job does)."""
        self.worker.submit_tick(lambda: self.reconciler.tick(self.clock()))

    def command(
        self,
        power: Power | None = None,
        backlight: int | None = None,
        *,
        until: datetime | None = None,
        by: str = "operator",
    ) -> Future[PanelReport]:
        """Operator hold (until ``until``, else the schedule's next entry for the same thing)."""

        def run() -> PanelReport:
            report = self.reconciler.command(
                self.clock(), power=power, backlight=backlight, until=until, by=by
            )
            if until is not None:
                with self._lock:
                    self.jobs.wake_at(until)  # back to the schedule on time, not at the next check
            return report

        return self.worker.submit(run, "panel command")

    def resume(self, by: str = "operator") -> Future[PanelReport]:
        """End the operator holds: the schedule is in charge again."""
        return self.worker.submit(lambda: self.reconciler.resume(self.clock(), by), "panel resume")

    def release(self, what: What, by: str) -> Future[PanelReport]:
        """End the hold on ``what`` that ``by`` set, if it is still theirs (the rest stay)."""
        return self.worker.submit(
            lambda: self.reconciler.release(self.clock(), what, by), "panel release"
        )

    def read_status(self) -> Future[StatusReading]:
        """Read power, backlight and health now (``kiosk panel status`` through the kiosk)."""

        def run() -> StatusReading:
            driver = self.reconciler.driver
            try:
                rows, failure = status_rows(driver, self.panel)
            except PanelError as e:
                rows, failure = [("power", f"unknown ({e.one_line()})")], e
            finally:
                driver.close()
            return rows, failure, self.reconciler.report

        return self.worker.submit(run, "panel status")

    def reload(self, cfg: Config) -> Future[PanelReport | None]:
        """Apply a re-read config in the worker: new schedule at once, new link if it changed."""
        return self.worker.submit(lambda: self._reload_now(cfg), "panel reload")

    def stop(self) -> None:
        """Remove the jobs, close the socket, abandon panel I/O in flight; returns at once."""
        with self._lock:
            self._stopping = True
            self.jobs.remove()
        if self.control is not None:
            self.control.stop()
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
            if self.control is not None:
                self.control.stop()  # `kiosk panel` then finds no kiosk and says "no panel"
            log.info("panel: driver set to none; panel control stopped")
            return None
        relink = not self.active or any(
            getattr(new, k) != getattr(self.panel, k) for k in _LINK_KEYS
        )
        if relink:
            log.info("panel: link settings changed; reconnecting to %s on %s", new.driver, new.port)
            holds = self.reconciler.holds  # an operator's maintenance hold survives a reload
            self.reconciler.driver.close()
            self.reconciler = self._reconciler(new, cfg.station.location)
            self.reconciler.adopt_holds(holds)
        self.panel, self.location = new, cfg.station.location
        with self._lock:
            if self._stopping:
                return None
            self.jobs = self._jobs()
            self.jobs.install()
            ends = [h.until for h in self.reconciler.holds if h.until is not None]
            if ends:
                self.jobs.wake_at(min(ends))
        if not self.active:  # the panel is back after a reload to driver none
            self.control = self._control()
            if self.control is not None:
                self.control.start()
        self.active = True
        return self.reconciler.reload(new.schedule, self.clock(), self.location)
