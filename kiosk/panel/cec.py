"""HDMI-CEC through ``cec-ctl`` (kernel CEC, /dev/cecN), with ``cec-client`` (libcec) as fallback.

Both tools exit 0 when the TV never answered, so the verdict comes from what they print:
cec-ctl's ``pwr-state: on (0x00)`` / ``Tx, Not Acknowledged`` lines, cec-client's
``power status: ...``. CEC has no brightness message at all.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import subprocess
import threading
from dataclasses import dataclass

from kiosk.errors import PanelProtocolError, PanelTimeout, PortUnavailable
from kiosk.panel.base import PanelHealth, PanelUnsupported, Power
from kiosk.panel.transport import PanelCancelled, port_lock

log = logging.getLogger(__name__)

NO_BRIGHTNESS = (
    "HDMI-CEC has no brightness or backlight control; use driver lg, samsung or nec "
    "(RS-232/LAN) to dim the panel"
)
_PWR_STATE = re.compile(r"pwr-state:\s*([a-z-]+)")
_TX_STATUS = re.compile(r"^\s*((?:Tx|Rx), .*?)\s*$", re.MULTILINE)
_CLIENT_POWER = re.compile(r"^power status:\s*(.+?)\s*$", re.MULTILINE)
_CLIENT_ERROR = re.compile(r"^ERROR:\s*\[[^\]]*\]\s*(.*)$", re.MULTILINE)
# CEC power states: only "on" (and the way there) counts as on.
_ON_STATES = {"on", "to-on", "in transition from standby to on"}
_OFF_STATES = {"standby", "to-standby", "in transition from on to standby"}


@dataclass(frozen=True)
class ToolResult:
    """What one run of a CEC tool printed."""

    returncode: int
    stdout: str
    stderr: str


class CecDriver:
    """Power on/off and power status over HDMI-CEC; each call runs one CEC tool process."""

    name = "cec"
    supports_backlight = False

    def __init__(self, port: str = "/dev/cec0", timeout: float = 5.0, tool: str = "auto"):
        self._port = port
        self.timeout = timeout
        self.tool = tool
        self._lock = port_lock(f"cec:{port}")
        self._proc: subprocess.Popen[str] | None = None
        self._proc_guard = threading.Lock()  # _proc is read by cancel() from another thread
        self._cancelled = False

    @property
    def port(self) -> str:
        """The CEC device (``/dev/cec0``) or libcec port name."""
        return self._port

    # --- running the tools ---------------------------------------------------------

    def _run(self, argv: list[str], stdin: str | None = None) -> ToolResult:
        log.debug("panel cec: %s", " ".join(argv))
        limit = self.timeout + 2.0  # the tool's own start-up on top of the reply wait
        with self._proc_guard:
            if self._cancelled:
                raise PanelCancelled(f"{argv[0]} not run: stopping")
            try:
                # A session of its own: at the timeout the tool is killed with every child it
                # started (a hung cec-client leaves helpers behind otherwise).
                proc = subprocess.Popen(
                    argv,
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    start_new_session=True,
                )
            except OSError as e:
                raise PortUnavailable(f"cannot run {argv[0]}: {e.strerror or e}") from None
            self._proc = proc
        try:
            out, err = proc.communicate(stdin, timeout=limit)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise PanelTimeout(
                f"{argv[0]} did not finish within {limit:g} s (adapter busy?); stopped it"
            ) from None
        finally:
            with self._proc_guard:
                self._proc = None
        if self._cancelled:
            raise PanelCancelled(f"{argv[0]} stopped: the kiosk is stopping")
        return ToolResult(proc.returncode, out, err)

    def cancel(self) -> None:
        """Kill the tool in flight (with its children) and run no more; thread-safe."""
        with self._proc_guard:
            self._cancelled = True
            proc = self._proc
        if proc is not None and proc.returncode is None:
            _kill_group(proc, reap=False)  # the thread waiting in communicate() reaps it

    def _pick_tool(self) -> str:
        if self.tool != "auto":
            if shutil.which(self.tool) is None:
                raise PortUnavailable(f"{self.tool} is not installed (panel.cec_tool)")
            return self.tool
        for tool in ("cec-ctl", "cec-client"):
            if shutil.which(tool):
                return tool
        raise PortUnavailable(
            "neither cec-ctl (package v4l-utils) nor cec-client (package cec-utils) is installed"
        )

    def _ctl(self, *args: str) -> str:
        """Run cec-ctl against the TV; configure the adapter once if it says it needs it."""
        argv = ["cec-ctl", "-d", self.port, "-s", "--timeout", str(int(self.timeout * 1000))]
        res = self._run([*argv, "--to", "0", *args])
        if "unconfigured" in res.stderr:
            log.info("panel cec: configuring %s as a playback device", self.port)
            res = self._run([*argv, "--playback", "--to", "0", *args])
        if res.returncode != 0 or "Failed to open" in res.stderr:
            text = " ".join((res.stderr or res.stdout).split()) or f"exit {res.returncode}"
            raise PortUnavailable(f"cec-ctl cannot use {self.port}: {text}")
        for line in _TX_STATUS.findall(res.stdout):
            # "Tx, OK" is fine; "Tx, Not Acknowledged (4), Max Retries" or "Rx, Timeout" is not.
            if re.sub(r"\b(?:Tx|Rx), OK\b,?", "", line).strip(" ,"):
                raise PanelTimeout(f"the TV did not answer over CEC ({line})")
        return res.stdout

    def _client(self, command: str) -> str:
        """Run ``echo <command> | cec-client -s -d 1 <port>``."""
        res = self._run(["cec-client", "-s", "-d", "1", self.port], stdin=command + "\n")
        out = res.stdout
        if res.returncode != 0 or "autodetect FAILED" in out or "unable to open" in out:
            text = " ".join(out.split()[-12:]) or f"exit {res.returncode}"
            raise PortUnavailable(f"cec-client cannot use {self.port}: {text}")
        err = _CLIENT_ERROR.search(out)
        if err:
            raise PanelProtocolError(f"cec-client reported: {' '.join(err.group(1).split())}")
        return out

    def _with_tool(self, ctl_args: tuple[str, ...], client_cmd: str) -> tuple[str, str]:
        """Run the preferred tool; fall back to cec-client if cec-ctl cannot open the device."""
        with self._lock:
            tool = self._pick_tool()
            if tool == "cec-ctl":
                try:
                    return tool, self._ctl(*ctl_args)
                except PortUnavailable:
                    if self.tool != "auto" or shutil.which("cec-client") is None:
                        raise
                    log.info("panel cec: cec-ctl cannot open %s, trying cec-client", self.port)
                    tool = "cec-client"
            return tool, self._client(client_cmd)

    # --- the driver interface ------------------------------------------------------

    def power(self, state: Power) -> None:
        """Image View On (wake) or Standby, addressed to the TV (logical address 0)."""
        if state == "on":
            self._with_tool(("--image-view-on",), "on 0")
        else:
            self._with_tool(("--standby",), "standby 0")

    def power_state(self) -> Power:
        """Give Device Power Status; no report -> PanelTimeout, even when the tool exited 0."""
        tool, out = self._with_tool(("--give-device-power-status",), "pow 0")
        if tool == "cec-ctl":
            m = _PWR_STATE.search(out)
            if not m:
                raise PanelTimeout("no answer from the TV over CEC (no power status reported)")
            state = m.group(1)
        else:
            m = _CLIENT_POWER.search(out)
            state = m.group(1) if m else "unknown"
            if state == "unknown":
                raise PanelTimeout("no answer from the TV over CEC (power status: unknown)")
        if state in _ON_STATES:
            return "on"
        if state in _OFF_STATES:
            return "off"
        raise PanelProtocolError(f"{tool} reported an unknown power state {state!r}")

    def set_backlight(self, value: int) -> None:
        """Always fails: CEC has no brightness message."""
        raise PanelUnsupported(NO_BRIGHTNESS)

    def backlight(self) -> int:
        """Always fails: CEC has no brightness message."""
        raise PanelUnsupported(NO_BRIGHTNESS)

    def health(self) -> PanelHealth | None:
        """CEC has no panel diagnostics."""
        return None

    def close(self) -> None:
        """Nothing is held open between calls."""


def _kill_group(proc: subprocess.Popen[str], reap: bool = True) -> None:
    """SIGKILL the tool's whole process group, then (``reap``) collect it and close its pipes."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)  # the group id is the tool's pid (its own session)
    if not reap:
        return
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=2.0)
    for pipe in (proc.stdin, proc.stdout, proc.stderr):
        if pipe is not None:
            with contextlib.suppress(OSError):
                pipe.close()
