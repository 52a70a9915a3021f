"""Inside the running kiosk: what an operator's ``kiosk panel ...`` does, and what it is told.

``answer(service, request, peer)`` runs in a control-socket connection thread: it hands the
work to the panel's worker (PanelService), waits for the outcome within a bounded time and
turns the PanelReport into the lines ``kiosk panel`` prints and its exit code.
"""

from __future__ import annotations

import os
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from typing import TYPE_CHECKING, TypeVar

from kiosk.errors import PanelError
from kiosk.panel import reconciler as r
from kiosk.panel.base import Power
from kiosk.panel.holds import clock_text, hold_end
from kiosk.panel.protocol import ControlRequest, Peer, Reply, fail
from kiosk.panel.readout import format_rows, target
from kiosk.panel.settings import PanelConfig
from kiosk.panel.worker import PanelStopped

if TYPE_CHECKING:
    from kiosk.panel.service import PanelService

T = TypeVar("T")
MAX_WAIT_S = 600.0
# States in which the panel is not what it should be.
_UNSETTLED = {
    r.FAILED_ON,
    r.FAILED_OFF,
    r.BACKLIGHT_FAILED,
    r.NOT_ANSWERING,
    r.PORT_UNAVAILABLE,
    r.REFUSED,
}


def wait_budget(panel: PanelConfig) -> float:
    """How long a request may take: a check queued ahead plus ours, every exchange timing out."""
    per_request = (panel.timeout + 2.0) * (1 + panel.retries)
    return min(MAX_WAIT_S, 12 * per_request + 5.0)


def _wait(fut: Future[T], panel: PanelConfig) -> T:
    budget = wait_budget(panel)
    try:
        return fut.result(timeout=budget)
    except FutureTimeout:
        raise PanelError(
            f"the kiosk's panel worker is still busy after {budget:g} s (a slow or silent "
            "panel); the request stays queued"
        ) from None


def _via() -> str:
    return f"through the running kiosk (pid {os.getpid()})"


def answer(service: PanelService, req: ControlRequest, peer: Peer) -> Reply:
    """The reply to one request (never raises)."""
    panel = service.panel
    try:
        if not service.active:
            return fail("no panel configured in the running kiosk (panel.driver is none)")
        if req.action == "status":
            return _status(service, panel)
        if req.action == "resume":
            return _resume(service, panel, peer.who(req.sudo_user))
        until = hold_end(service.clock(), req.for_, req.until)
        by = peer.who(req.sudo_user)
        if req.action == "power":
            state: Power = "on" if req.state == "on" else "off"
            report = _wait(service.command(power=state, until=until, by=by), panel)
            return _power_reply(report, state, panel)
        assert req.value is not None
        report = _wait(service.command(backlight=req.value, until=until, by=by), panel)
        return _backlight_reply(report, req.value, panel)
    except PanelStopped:
        return fail("the kiosk is stopping; nothing was done")
    except (PanelError, ValueError) as e:
        return fail(" ".join(str(e).split()))


def _hold_lines(report: r.PanelReport) -> list[str]:
    return [f"hold: {h.text}" for h in report.holds]


def _power_reply(report: r.PanelReport, state: str, panel: PanelConfig) -> Reply:
    where = target(panel)
    lines = _hold_lines(report)
    if report.state == r.TURNING_ON:
        head = f"panel power on: acknowledged by {where}, {_via()}; not confirmed yet"
        return Reply(0, (head, *lines))
    if report.actual_power == state and report.state not in _UNSETTLED:
        return Reply(0, (f"panel power {state}: done by {where}, {_via()}", *lines))
    why = report.last_error or report.state
    return Reply(1, tuple(lines), f"{why} ({where}); held: the kiosk retries at every check")


def _backlight_reply(report: r.PanelReport, value: int, panel: PanelConfig) -> Reply:
    where = target(panel)
    lines = _hold_lines(report)
    if report.actual_power == "off":
        head = f"panel backlight {value}: held; the panel is off, so it is set when it is on"
        return Reply(0, (head, *lines))
    if report.actual_backlight == value and report.state not in _UNSETTLED:
        return Reply(0, (f"panel backlight {value}: done by {where}, {_via()}", *lines))
    why = report.last_error or report.state
    return Reply(1, tuple(lines), f"{why} ({where}); held: the kiosk retries at every check")


def _resume(service: PanelService, panel: PanelConfig, by: str) -> Reply:
    had = bool(service.report.holds)
    report = _wait(service.resume(by), panel)
    head = "panel: holds ended, back to the schedule" if had else "panel: no hold to end"
    lines = [f"{head}; {_via()}", f"state: {report.state}"]
    if report.state in _UNSETTLED:
        return Reply(1, tuple(lines), report.last_error or report.state)
    return Reply(0, tuple(lines))


def _status(service: PanelService, panel: PanelConfig) -> Reply:
    rows, failure, report = _wait(service.read_status(), panel)
    desired = (
        f"power {report.desired_power or '-'}, backlight "
        f"{'-' if report.desired_backlight is None else report.desired_backlight}"
        f" (by {report.source})"
    )
    checked = clock_text(report.last_check) if report.last_check else "not yet"
    rows = [
        *rows,
        ("desired", desired),
        ("state", f"{report.state} (last check {checked})"),
        *(("hold", h.text) for h in report.holds),
        ("kiosk", f"pid {os.getpid()}: `kiosk panel` goes through it"),
    ]
    lines = tuple(format_rows(rows))
    if failure is not None:
        return Reply(1, lines, failure.one_line())
    return Reply(0, lines)
