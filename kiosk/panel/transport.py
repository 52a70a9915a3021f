"""One request in flight per port, over any pyserial URL (device, pty, socket://, rfc2217://).

Blocking by design: callers are worker threads (APScheduler jobs, the CLI), never the GUI.
The port is opened on demand and dropped on any I/O error, so an unplugged USB-serial adapter
is simply reopened by the next request once it is back.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import termios
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

import serial

from kiosk.errors import PanelError, PanelProtocolError, PanelTimeout, PortUnavailable

log = logging.getLogger(__name__)
T = TypeVar("T")
Parser = Callable[[bytes], T | None]

# How long one read may block: also how soon cancel() takes effect.
READ_SLICE_S = 0.2

_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


class PanelCancelled(PanelError):
    """The exchange was abandoned because the kiosk is stopping."""


def port_lock(url: str) -> threading.Lock:
    """The lock shared by every transport on ``url`` in this process."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(url, threading.Lock())


def _open_error(url: str, exc: BaseException) -> PortUnavailable:
    code = getattr(exc, "errno", None)
    if isinstance(exc, termios.error) and exc.args:
        code = exc.args[0]
    text = " ".join(str(exc).split())
    if code == errno.ENOENT or "No such file" in text:
        return PortUnavailable(f"port {url} not found (adapter unplugged or wrong panel.port?)")
    if code == errno.EACCES or "Permission denied" in text:
        return PortUnavailable(
            f"permission denied on {url} (add the kiosk user to the dialout group)"
        )
    if code in (errno.EBUSY, errno.EAGAIN) or "exclusively lock" in text:
        return PortUnavailable(f"port {url} is in use by another program (is the kiosk running?)")
    if code == errno.EIO:
        return PortUnavailable(f"port {url} does not respond to setup (adapter unplugged?)")
    return PortUnavailable(f"cannot open {url}: {text}")


class Transport:
    """A serial or network link to one panel: write a frame, read until the parser is satisfied."""

    def __init__(
        self,
        url: str,
        baudrate: int = 9600,
        *,
        min_gap: float = 0.0,
        opener: Callable[..., Any] = serial.serial_for_url,
    ):
        self.url = url
        self.baudrate = baudrate
        self.min_gap = min_gap  # some panels drop frames sent too soon after the last one
        self._opener = opener
        self._ser: Any = None
        self._last_io = 0.0
        self._lock = port_lock(url)
        self._cancelled = threading.Event()
        self._announced = False  # "port open" was logged since the last failure

    # --- port lifecycle ------------------------------------------------------------

    def _open(self) -> Any:
        if self._ser is not None:
            return self._ser
        try:
            # exclusive: a second program on the same tty would steal half of each answer.
            ser = self._opener(
                self.url, baudrate=self.baudrate, timeout=0.1, write_timeout=2.0, exclusive=True
            )
        except (serial.SerialException, OSError, ValueError, termios.error) as e:
            # termios.error: the node still existed but its pty/adapter is already gone.
            self._announced = False
            raise _open_error(self.url, e) from None
        # Opened at every check (it is released between checks): worth a line only when it
        # starts working, at first or again after a failure.
        log.log(logging.DEBUG if self._announced else logging.INFO, "panel port %s open", self.url)
        self._announced = True
        self._ser = ser
        return ser

    def _drop(self) -> None:
        ser, self._ser = self._ser, None
        if ser is not None:
            with contextlib.suppress(serial.SerialException, OSError):
                ser.close()

    def close(self) -> None:
        """Release the port (another program, e.g. ``kiosk panel``, may then use it)."""
        with self._lock:
            self._drop()

    def cancel(self) -> None:
        """Abandon the exchange in flight within READ_SLICE_S, and refuse every later one.

        Thread-safe and non-blocking (it takes no lock): called while another thread waits on
        a silent panel, so that stopping the kiosk never waits for the panel's timeout.
        """
        self._cancelled.set()

    @property
    def is_open(self) -> bool:
        """Whether the port is currently held open."""
        return self._ser is not None

    # --- one exchange --------------------------------------------------------------

    def exchange(self, frame: bytes, parse: Parser[T], timeout: float) -> T:
        """Send ``frame`` and return ``parse(buffer)`` once it is not None; typed errors otherwise."""
        with self._lock:
            was_open = self._ser is not None
            try:
                return self._exchange_locked(frame, parse, timeout)
            except _StaleHandle:
                if not was_open:
                    raise PortUnavailable(f"port {self.url} failed right after opening") from None
            # The handle was stale (adapter replugged, TCP peer closed): reopen once and resend.
            try:
                return self._exchange_locked(frame, parse, timeout)
            except _StaleHandle as e:
                raise PortUnavailable(f"port {self.url} vanished ({e})") from None

    def _check_cancelled(self) -> None:
        if self._cancelled.is_set():
            raise PanelCancelled(f"exchange with the panel on {self.url} abandoned: stopping")

    def _exchange_locked(self, frame: bytes, parse: Parser[T], timeout: float) -> T:
        self._check_cancelled()
        ser = self._open()
        wait = self._last_io + self.min_gap - time.monotonic()
        if wait > 0 and self._cancelled.wait(wait):
            self._check_cancelled()
        buf = bytearray()
        try:
            ser.reset_input_buffer()  # a late answer to an earlier request must not count
            ser.write(frame)
            ser.flush()
            deadline = time.monotonic() + timeout
            while True:
                result = parse(bytes(buf))
                if result is not None:
                    return result
                self._check_cancelled()
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                ser.timeout = min(left, READ_SLICE_S)
                chunk = ser.read(max(1, ser.in_waiting))
                if chunk:
                    buf += chunk
        except serial.SerialTimeoutException:
            self._drop()
            raise PanelTimeout(f"could not send to {self.url} within 2 s (flow control?)") from None
        except (serial.SerialException, OSError, termios.error) as e:
            self._drop()
            self._announced = False
            raise _StaleHandle(" ".join(str(e).split())) from None
        finally:
            self._last_io = time.monotonic()
        rest = bytes(buf)
        if rest.startswith(frame):  # some panels echo every command
            rest = rest[len(frame) :]
        if not rest:
            raise PanelTimeout(f"no answer from the panel on {self.url} within {timeout:g} s")
        shown = rest[:48].hex(" ")
        raise PanelProtocolError(
            f"garbled or incomplete answer from the panel on {self.url}: {shown}"
        )


class _StaleHandle(Exception):
    """The open handle failed mid-exchange; the caller reopens once."""
