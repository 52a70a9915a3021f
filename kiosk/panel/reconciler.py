"""Desired state, not fire-and-forget: hold what the panel should be, read it back, re-assert.

The app drives one Reconciler from the panel's worker thread (panel/worker.py, fed by the
APScheduler jobs of panel/jobs.py and the control socket): ``tick(now)`` at every scheduled
firing and every few minutes; ``command(now, ...)`` / ``resume(now)`` when an operator asks
(holds: panel/holds.py). Every call is blocking and returns a frozen PanelReport; nothing here
may run on the GUI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Container, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import date, datetime
from typing import Any

from kiosk.errors import PanelError, PanelNak, PanelTimeout, PortUnavailable
from kiosk.panel.base import NotSupported, PanelDriver, PanelUnsupported, Power
from kiosk.panel.cec import NO_BRIGHTNESS
from kiosk.panel.holds import Hold, HoldStatus, What, status_of
from kiosk.panel.schedule import HasLatLon, next_firings, state_at
from kiosk.panel.settings import ScheduleEntry

log = logging.getLogger(__name__)

# Report states: each tells a technician something different.
NOT_CHECKED = "not checked yet"
ON = "on"
OFF = "off"  # nothing desired (no schedule entry yet, no operator command)
OFF_SCHEDULED = "off as scheduled"
OFF_OPERATOR = "off by operator"
TURNING_ON = "switched on, not confirmed yet"
FAILED_ON = "failed to turn on"
FAILED_OFF = "failed to turn off"
BACKLIGHT_FAILED = "backlight not applied"
NOT_ANSWERING = "not answering"
PORT_UNAVAILABLE = "port unavailable"
REFUSED = "refused the query"
# How far ahead to look for "the schedule's next entry" that ends a plain hold (display only).
NEXT_ENTRY_DAYS = 8
FAULT_STATES = frozenset(
    {FAILED_ON, FAILED_OFF, BACKLIGHT_FAILED, NOT_ANSWERING, PORT_UNAVAILABLE, REFUSED}
)


@dataclass(frozen=True)
class PanelReport:
    """What the panel should be, what it is, and what went wrong; shown in status and UI."""

    driver: str
    port: str
    desired_power: Power | None = None
    desired_backlight: int | None = None
    actual_power: Power | None = None
    actual_backlight: int | None = None
    state: str = NOT_CHECKED
    source: str = "none"  # "schedule", "operator" or "none": who asked for desired_power
    scheduled_off: bool = False
    last_error: str | None = None
    last_check: datetime | None = None
    holds: tuple[HoldStatus, ...] = ()  # operator holds in force, who set them, when they end

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (times as ISO-8601)."""
        d = asdict(self)
        d["last_check"] = self.last_check.isoformat() if self.last_check else None
        d["holds"] = [h.to_dict() for h in self.holds]
        return d


@dataclass(frozen=True)
class _Desired:
    power: Power | None
    backlight: int | None
    source: str
    holds: tuple[HoldStatus, ...] = ()
    commanded: bool = False  # an operator's power command given just now


class Reconciler:
    """Keeps one panel in its desired state; thread-safe, blocking."""

    def __init__(
        self,
        driver: PanelDriver,
        schedule: Sequence[ScheduleEntry],
        location: HasLatLon,
        holidays: Container[date],
    ):
        self.driver = driver
        self._schedule = tuple(schedule)
        self._location = location
        self._holidays = holidays
        self._holds: dict[What, Hold] = {}
        self._lock = threading.Lock()
        self._listeners: list[Callable[[PanelReport], None]] = []
        self._report = PanelReport(driver.name, driver.port)

    # --- what the app reads ----------------------------------------------------------

    @property
    def report(self) -> PanelReport:
        """The latest report (safe to read from any thread)."""
        return self._report

    @property
    def scheduled_off(self) -> bool:
        """True while the schedule wants the panel dark: the app may stop rendering and polling."""
        return self._report.scheduled_off

    def add_listener(self, fn: Callable[[PanelReport], None]) -> None:
        """Call ``fn(report)`` after every tick or command (from the worker thread)."""
        self._listeners.append(fn)

    # --- what the app calls ----------------------------------------------------------

    def reload(
        self, schedule: Sequence[ScheduleEntry], now: datetime, location: HasLatLon | None = None
    ) -> PanelReport:
        """Take a new schedule (config reload) and bring the panel in line with it."""
        with self._lock:
            self._schedule = tuple(schedule)
            if location is not None:
                self._location = location
        return self.tick(now)

    def desired(self, now: datetime) -> tuple[Power | None, int | None, str]:
        """(power, backlight, source) that should hold at ``now``; drops stale operator overrides."""
        with self._lock:
            d = self._desired(now)
        return d.power, d.backlight, d.source

    def command(
        self,
        now: datetime,
        power: Power | None = None,
        backlight: int | None = None,
        *,
        until: datetime | None = None,
        by: str = "operator",
    ) -> PanelReport:
        """Operator hold: until ``until``, else until the schedule next fires the same thing."""
        if backlight is not None and not self.driver.supports_backlight:
            raise PanelUnsupported(NO_BRIGHTNESS)
        with self._lock:
            if power is not None:
                self._holds["power"] = Hold("power", power, now, by, until)
            if backlight is not None:
                self._holds["backlight"] = Hold("backlight", backlight, now, by, until)
            log.info(
                "panel %s: hold %s by %s%s",
                self.driver.port,
                ", ".join(f"{h.what} {h.value}" for h in self._holds.values()),
                by,
                f" until {until.isoformat()}" if until else " until the next schedule entry",
            )
        return self.tick(now)

    def resume(self, now: datetime, by: str = "operator") -> PanelReport:
        """End every operator hold: back to the schedule."""
        with self._lock:
            if self._holds:
                log.info("panel %s: holds ended by %s; back to the schedule", self.driver.port, by)
            self._holds = {}
        return self.tick(now)

    def release(self, now: datetime, what: What, by: str) -> PanelReport:
        """End the hold on ``what`` if ``by`` set it (another's hold, given since, stays)."""
        with self._lock:
            hold = self._holds.get(what)
            if hold is not None and hold.by == by:
                del self._holds[what]
                log.info("panel %s: hold on %s by %s ended", self.driver.port, what, by)
        return self.tick(now)

    @property
    def holds(self) -> tuple[Hold, ...]:
        """The operator holds (carried over when the service reconnects with new settings)."""
        with self._lock:
            return tuple(self._holds.values())

    def adopt_holds(self, holds: Sequence[Hold]) -> None:
        """Take over the holds of the reconciler this one replaces."""
        with self._lock:
            self._holds = {h.what: h for h in holds}

    def tick(self, now: datetime) -> PanelReport:
        """Read the panel back and re-assert the desired state where they differ."""
        with self._lock:
            desired = self._desired(now)
            try:
                report = self._reconcile(desired, now)
            finally:
                self.driver.close()  # let `kiosk panel` use the port between checks
            if report.state != self._report.state:
                # A fault is a warning, so journalctl -p warning and kiosk status's errors show it.
                log.log(
                    logging.WARNING if report.state in FAULT_STATES else logging.INFO,
                    "panel %s: %s (desired %s/%s, actual %s/%s)%s",
                    self.driver.port,
                    report.state,
                    report.desired_power,
                    report.desired_backlight,
                    report.actual_power,
                    report.actual_backlight,
                    f": {report.last_error}" if report.last_error else "",
                )
            self._report = report
        for fn in list(self._listeners):
            fn(report)
        return report

    # --- internals -------------------------------------------------------------------

    def _desired(self, now: datetime) -> _Desired:
        sched = state_at(self._schedule, now, self._location, self._holidays)
        power, backlight, source = sched.power, sched.backlight, "schedule"
        if power is None:
            source = "none"
        kept: dict[What, Hold] = {}
        for what, hold in self._holds.items():
            since = sched.power_since if what == "power" else sched.backlight_since
            if hold.active(now, since):
                kept[what] = hold
            else:
                log.info("panel %s: operator hold on %s ended", self.driver.port, what)
        self._holds = kept
        if "power" in kept:
            power, source = ("on" if kept["power"].value == "on" else "off"), "operator"
        if "backlight" in kept:
            backlight = int(kept["backlight"].value)
        commanded = "power" in kept and kept["power"].since == now
        return _Desired(power, backlight, source, self._hold_statuses(now), commanded)

    def _hold_statuses(self, now: datetime) -> tuple[HoldStatus, ...]:
        if not self._holds:
            return ()
        upcoming: list[tuple[datetime, ScheduleEntry]] = []
        if any(h.until is None for h in self._holds.values()):
            upcoming = next_firings(
                self._schedule, now, self._location, self._holidays, NEXT_ENTRY_DAYS
            )
        out = []
        for what, hold in self._holds.items():
            nxt = next(
                (when for when, e in upcoming if getattr(e, what) is not None),
                None,
            )
            out.append(status_of(hold, nxt))
        return tuple(out)

    def _reconcile(self, want: _Desired, now: datetime) -> PanelReport:
        base = PanelReport(
            self.driver.name,
            self.driver.port,
            desired_power=want.power,
            desired_backlight=want.backlight,
            source=want.source,
            scheduled_off=want.power == "off" and want.source == "schedule",
            last_check=now,
            holds=want.holds,
        )
        try:
            actual = self.driver.power_state()
        except PanelError as e:
            return replace(base, state=_unreachable_state(e), last_error=e.one_line())
        if want.power is not None and actual != want.power:
            # A panel that drifted from what it should be is worth a warning; carrying out
            # the command an operator just gave is not.
            log.log(
                logging.INFO if want.commanded else logging.WARNING,
                "panel %s is %s but should be %s: %s",
                self.driver.port,
                actual,
                want.power,
                "switching it (operator command)" if want.commanded else "re-asserting",
            )
            failed = FAILED_ON if want.power == "on" else FAILED_OFF
            try:
                self.driver.power(want.power)
            except PortUnavailable as e:
                return replace(
                    base, actual_power=actual, state=PORT_UNAVAILABLE, last_error=e.one_line()
                )
            except PanelError as e:
                return replace(base, actual_power=actual, state=failed, last_error=e.one_line())
            try:
                actual = self.driver.power_state()
            except PanelTimeout as e:
                # Panels are often deaf for seconds while they warm up; the next tick confirms.
                state = TURNING_ON if want.power == "on" else failed
                return replace(base, actual_power=None, state=state, last_error=e.one_line())
            except PanelError as e:
                return replace(base, state=failed, last_error=e.one_line())
            if actual != want.power:
                return replace(
                    base,
                    actual_power=actual,
                    state=failed,
                    last_error=f"power {want.power}: acknowledged but still {actual}",
                )
        report = replace(base, actual_power=actual, state=self._power_state_name(actual, want))
        if actual == "on" and self.driver.supports_backlight:
            report = self._reconcile_backlight(report, want.backlight)
        return report

    def _power_state_name(self, actual: Power, want: _Desired) -> str:
        if actual == "on":
            return ON
        if want.power == "off":
            return OFF_SCHEDULED if want.source == "schedule" else OFF_OPERATOR
        return OFF

    def _reconcile_backlight(self, report: PanelReport, want: int | None) -> PanelReport:
        try:
            level = self.driver.backlight()
            if want is not None and level != want:
                self.driver.set_backlight(want)
                level = self.driver.backlight()
                if level != want:
                    return replace(
                        report,
                        actual_backlight=level,
                        state=BACKLIGHT_FAILED,
                        last_error=f"backlight {want}: acknowledged but the panel reports {level}",
                    )
        except PanelError as e:
            if want is None:  # only monitoring: a failed read is not worth a state change,
                # and a read this model does not have is not even worth an error
                return (
                    report
                    if isinstance(e, NotSupported)
                    else replace(report, last_error=e.one_line())
                )
            return replace(report, state=BACKLIGHT_FAILED, last_error=e.one_line())
        return replace(report, actual_backlight=level)


def _unreachable_state(e: PanelError) -> str:
    if isinstance(e, PortUnavailable):
        return PORT_UNAVAILABLE
    if isinstance(e, PanelNak):
        return REFUSED
    return NOT_ANSWERING
