"""A pty that behaves like a panel's serial port, served by a thread.

Behaviours (``sim.behave(mode, times=None)``): ``normal``, ``silent`` (never answers),
``late`` (answers after ``sim.late_by`` seconds), ``echo`` (echoes the request first),
``nak`` (refuses), ``garble`` (corrupts the answer), ``vanish`` (the port disappears,
like an unplugged USB adapter; ``revive()`` brings it back at the same path).
``sim.stuck = True`` acknowledges every set and changes nothing (a panel that fails to switch).
``times`` limits a behaviour to the next N requests, then the sim is normal again.
"""

from __future__ import annotations

import contextlib
import os
import select
import threading
import tty
from collections.abc import Callable
from pathlib import Path

MODES = ("normal", "silent", "late", "echo", "nak", "garble")


class PtySimulator:
    """Base: subclasses implement ``split`` (bytes -> frames, rest), ``answer`` and ``refuse``."""

    def __init__(self, display_id: int = 1, link: Path | None = None):
        self.display_id = display_id
        self.link = link
        self.mode = "normal"
        self.mode_left: int | None = None
        self.late_by = 0.0
        self.late_sent = threading.Event()  # set once a "late" answer has been written
        self.stuck = False  # True: acknowledge every set but change nothing (a broken panel)
        self.refuse_when: Callable[[bytes], bool] | None = None  # refuse just these frames
        self.received: list[bytes] = []
        self._arrived = threading.Condition()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._master = self._slave = -1
        self.path = ""

    # --- life cycle --------------------------------------------------------------------

    @property
    def url(self) -> str:
        """What the driver should open (the stable link when there is one)."""
        return str(self.link) if self.link else self.path

    def start(self) -> PtySimulator:
        """Open a fresh pty and serve it."""
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave)  # raw: no echo, no CR/NL translation
        self.path = os.ttyname(self._slave)
        if self.link:
            if self.link.is_symlink() or self.link.exists():
                self.link.unlink()
            self.link.symlink_to(self.path)
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="panel-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the pty."""
        self._stop.set()
        if self._thread:
            self._thread.join(2)
        for fd in (self._master, self._slave):
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self._master = self._slave = -1

    def vanish(self) -> None:
        """The adapter is unplugged: the device node and its link disappear."""
        self.stop()
        if self.link and self.link.is_symlink():
            self.link.unlink()

    def revive(self) -> None:
        """The adapter is plugged back in (a new pty behind the same link)."""
        self.start()

    def wait_received(self, n: int, timeout: float = 5.0) -> bool:
        """Wait until ``n`` frames in all have arrived; False if not within ``timeout``."""
        with self._arrived:
            return self._arrived.wait_for(lambda: len(self.received) >= n, timeout)

    def behave(self, mode: str, times: int | None = None) -> None:
        """Switch behaviour for the next ``times`` requests (None: until told otherwise)."""
        if mode not in MODES:
            raise ValueError(mode)
        with self._lock:
            self.mode, self.mode_left = mode, times

    # --- protocol hooks ------------------------------------------------------------------

    def split(self, buf: bytes) -> tuple[list[bytes], bytes]:
        raise NotImplementedError

    def answer(self, frame: bytes) -> bytes | None:
        raise NotImplementedError

    def refuse(self, frame: bytes) -> bytes | None:
        raise NotImplementedError

    def garble(self, reply: bytes) -> bytes:
        """Corrupt one byte in the middle (breaks checksums and regexes alike)."""
        mid = len(reply) // 2
        return reply[:mid] + bytes([reply[mid] ^ 0x55]) + reply[mid + 1 :]

    # --- serving --------------------------------------------------------------------------

    def _next_mode(self) -> str:
        with self._lock:
            mode = self.mode
            if self.mode_left is not None:
                self.mode_left -= 1
                if self.mode_left <= 0:
                    self.mode, self.mode_left = "normal", None
            return mode

    def _write(self, data: bytes) -> None:
        with contextlib.suppress(OSError):
            os.write(self._master, data)

    def _write_late(self, data: bytes) -> None:
        self._write(data)
        self.late_sent.set()

    def _serve(self) -> None:
        buf = b""
        master = self._master
        while not self._stop.is_set():
            ready, _, _ = select.select([master], [], [], 0.02)
            if not ready:
                continue
            try:
                chunk = os.read(master, 4096)
            except OSError:
                continue  # the client closed its side; it may reopen
            buf += chunk
            frames, buf = self.split(buf)
            for frame in frames:
                with self._arrived:
                    self.received.append(frame)
                    self._arrived.notify_all()
                self._respond(frame)

    def _respond(self, frame: bytes) -> None:
        mode = self._next_mode()
        if mode == "silent":
            return
        refuse = mode == "nak" or (self.refuse_when is not None and self.refuse_when(frame))
        reply = self.refuse(frame) if refuse else self.answer(frame)
        if reply is None:
            return
        if mode == "garble":
            reply = self.garble(reply)
        if mode == "echo":
            reply = frame + reply
        if mode == "late":
            timer = threading.Timer(self.late_by, self._write_late, (reply,))
            timer.daemon = True
            timer.start()
            return
        self._write(reply)
