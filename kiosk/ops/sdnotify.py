"""A tiny sd_notify(3) client: tell systemd we are ready, alive, reloading or stopping.

No dependency, never raises: a kiosk must not die because the service manager is gone.
Without ``$NOTIFY_SOCKET`` (a terminal, a test) every call is a cheap no-op that returns False.

What the app sends, and when (the unit is ``Type=notify`` with ``WatchdogSec=``)::

    n = Notifier.from_environ()
    n.ready("showing arrivals")      # after the first full frame is on screen
    n.watchdog()                     # every n.watchdog_period() s, from a GUI-thread timer
    n.status("arrivals; subway ok 12 s; panel on")   # a one-liner for `systemctl status`
    n.reloading(); ...; n.ready()    # around a SIGHUP config reload
    n.stopping()                     # on SIGTERM, before tearing down
"""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Mapping

log = logging.getLogger("kiosk.ops.sdnotify")

# Set in a unit where the kiosk is not the main process (kiosk-cage.service: cage is) and
# NotifyAccess=all lets a child notify; then WATCHDOG_PID names cage, not us.
CHILD_ENV = "KIOSK_NOTIFY_FROM_CHILD"


def _one_line(text: str) -> str:
    # A newline would start a new KEY=VALUE assignment in the datagram.
    return " ".join(str(text).split())


def _socket_address(value: str | None) -> str | bytes | None:
    if not value:
        return None
    if value.startswith("@"):  # abstract namespace: leading NUL, not NUL-terminated
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    # vsock:CID:PORT (systemd >= 253, for VMs) and relative paths: not for a kiosk.
    log.debug("unsupported NOTIFY_SOCKET %r; notifications disabled", value)
    return None


def _watchdog_period(environ: Mapping[str, str], pid: int) -> float | None:
    """Half the watchdog timeout in seconds, if the watchdog is on and meant for us."""
    usec_text = environ.get("WATCHDOG_USEC", "")
    try:
        usec = int(usec_text)
    except ValueError:
        return None
    if usec <= 0:
        return None
    pid_text = environ.get("WATCHDOG_PID")
    if pid_text and environ.get(CHILD_ENV) != "1":
        try:
            if int(pid_text) != pid:  # the pings are expected from another process
                return None
        except ValueError:
            return None
    # sd_watchdog_enabled(3): ping at half the interval so one late tick is not fatal.
    return usec / 2 / 1_000_000


class Notifier:
    """Sends notifications to systemd; every method returns True if the datagram was sent."""

    def __init__(self, socket_path: str | None, watchdog_period: float | None = None) -> None:
        self.address = _socket_address(socket_path)
        self._watchdog_period = watchdog_period if self.address is not None else None
        self._failing = False

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> Notifier:
        """A notifier for ``$NOTIFY_SOCKET`` with the period from ``$WATCHDOG_USEC/$WATCHDOG_PID``."""
        env = os.environ if environ is None else environ
        return cls(env.get("NOTIFY_SOCKET"), _watchdog_period(env, os.getpid()))

    @property
    def enabled(self) -> bool:
        """True when there is a service manager to talk to."""
        return self.address is not None

    def watchdog_period(self) -> float | None:
        """Seconds between WATCHDOG=1 pings (half of WatchdogSec), or None if no watchdog."""
        return self._watchdog_period

    def send(self, *assignments: str) -> bool:
        """Send ``KEY=VALUE`` lines in one datagram; False (logged once) if it could not be sent."""
        if self.address is None or not assignments:
            return False
        try:
            payload = "\n".join(assignments).encode("utf-8", "replace")
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
                # Never block the GUI thread on a stalled receiver (a full socket queue): a
                # dropped ping is better than a frozen screen.
                sock.sendto(payload, socket.MSG_DONTWAIT, self.address)
        except (OSError, ValueError) as e:
            if not self._failing:  # the watchdog ticks every few seconds: say it once
                log.warning("cannot notify systemd at %s: %s", self._printable(), e)
            self._failing = True
            return False
        if self._failing:
            log.info("notifying systemd works again")
        self._failing = False
        return True

    def ready(self, status: str | None = None) -> bool:
        """READY=1: start-up (or a reload) finished; systemd starts the watchdog clock."""
        fields = ["READY=1"]
        if status:
            fields.append("STATUS=" + _one_line(status))
        return self.send(*fields)

    def reloading(self, monotonic_usec: int | None = None) -> bool:
        """RELOADING=1 with MONOTONIC_USEC (systemd >= 253 needs it); follow with ready()."""
        if monotonic_usec is None:
            monotonic_usec = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
        return self.send("RELOADING=1", f"MONOTONIC_USEC={int(monotonic_usec)}")

    def stopping(self, status: str | None = None) -> bool:
        """STOPPING=1: shutdown has begun."""
        fields = ["STOPPING=1"]
        if status:
            fields.append("STATUS=" + _one_line(status))
        return self.send(*fields)

    def watchdog(self) -> bool:
        """WATCHDOG=1: the GUI thread is alive. Call it from the GUI thread, or it proves nothing."""
        return self.send("WATCHDOG=1")

    def status(self, text: str) -> bool:
        """STATUS=...: the one line `systemctl status kiosk` shows."""
        return self.send("STATUS=" + _one_line(text))

    def _printable(self) -> str:
        a = self.address
        return "@" + a[1:].decode(errors="replace") if isinstance(a, bytes) else str(a)
