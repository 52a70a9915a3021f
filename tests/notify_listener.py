"""A stand-in for systemd's notify socket, for tests: bind NOTIFY_SOCKET, collect what arrives.

    with NotifyListener(tmp_path / "notify.sock") as nl:          # or NotifyListener.abstract()
        env = {**os.environ, **nl.environ(watchdog_usec=2_000_000)}
        proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run", ...], env=env)
        ready = nl.wait_for("READY", timeout=10)                   # a Message
        assert ready.pid == proc.pid                               # NotifyAccess=main holds
        nl.wait_for("WATCHDOG", count=2, timeout=5)
        proc.send_signal(signal.SIGHUP)
        nl.wait_for("RELOADING", timeout=5); nl.wait_for("READY", count=2, timeout=5)

Each message keeps its arrival time (time.monotonic()), its KEY=VALUE fields, and the
sender's pid from SCM_CREDENTIALS, the same check systemd makes for NotifyAccess=main.
"""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Message:
    """One datagram: when it arrived, who sent it, and its fields."""

    at: float  # time.monotonic() on arrival
    pid: int | None  # sender, from SCM_CREDENTIALS
    raw: str
    fields: dict[str, str] = field(default_factory=dict)

    def has(self, key: str, value: str | None = None) -> bool:
        """True if the message sets ``key`` (to ``value``, if given)."""
        if key not in self.fields:
            return False
        return value is None or self.fields[key] == value


def _parse(raw: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for line in raw.split("\n"):
        if "=" in line:
            k, v = line.split("=", 1)
            out[k] = v
    return out


class NotifyListener:
    """Binds an AF_UNIX datagram socket (a path, or abstract when ``path`` starts with '@')."""

    def __init__(self, path: str | Path) -> None:
        self.address = str(path)
        self.messages: list[Message] = []
        self._cond = threading.Condition()
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        bind_to = "\0" + self.address[1:] if self.address.startswith("@") else self.address
        self._sock.bind(bind_to)
        self._sock.settimeout(0.1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="notify-listener", daemon=True)
        self._thread.start()

    @classmethod
    def abstract(cls) -> NotifyListener:
        """A listener on a fresh abstract-namespace address (``@kiosk-test-...``)."""
        return cls(f"@kiosk-test-{os.getpid()}-{uuid.uuid4().hex[:8]}")

    def environ(
        self, watchdog_usec: int | None = None, watchdog_pid: int | None = None
    ) -> dict[str, str]:
        """The variables systemd would set for the service."""
        env = {"NOTIFY_SOCKET": self.address}
        if watchdog_usec is not None:
            env["WATCHDOG_USEC"] = str(watchdog_usec)
        if watchdog_pid is not None:
            env["WATCHDOG_PID"] = str(watchdog_pid)
        return env

    def _loop(self) -> None:
        creds_size = socket.CMSG_SPACE(struct.calcsize("3i"))
        while not self._stop.is_set():
            try:
                data, anc, _flags, _addr = self._sock.recvmsg(65536, creds_size)
            except TimeoutError:
                continue
            except OSError:
                return
            pid = None
            for level, kind, payload in anc:
                if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS:
                    pid = struct.unpack("3i", payload[: struct.calcsize("3i")])[0]
            raw = data.decode("utf-8", "replace")
            msg = Message(at=time.monotonic(), pid=pid, raw=raw, fields=_parse(raw))
            with self._cond:
                self.messages.append(msg)
                self._cond.notify_all()

    def with_field(self, key: str, value: str | None = None) -> list[Message]:
        """The messages so far that set ``key`` (to ``value``)."""
        with self._cond:
            return [m for m in self.messages if m.has(key, value)]

    def wait_for(
        self, key: str, value: str | None = None, *, count: int = 1, timeout: float = 5.0
    ) -> Message:
        """Block until ``count`` messages set ``key``; returns the count-th. AssertionError on timeout."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                hits = [m for m in self.messages if m.has(key, value)]
                if len(hits) >= count:
                    return hits[count - 1]
                left = deadline - time.monotonic()
                if left <= 0:
                    got = [m.raw for m in self.messages]
                    raise AssertionError(
                        f"no {count}x {key}={value or '*'} within {timeout} s; got {got}"
                    )
                self._cond.wait(left)

    def first_after(
        self, key: str, value: str | None, after: float, timeout: float
    ) -> Message | None:
        """Block until a message setting ``key`` arrives later than ``after`` (monotonic);
        that message, or None once ``timeout`` has passed without one."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                hit = next((m for m in self.messages if m.has(key, value) and m.at > after), None)
                left = deadline - time.monotonic()
                if hit is not None or left <= 0:
                    return hit
                self._cond.wait(left)

    def close(self) -> None:
        """Stop listening and remove the socket file."""
        self._stop.set()
        self._thread.join(timeout=2)
        self._sock.close()
        if not self.address.startswith("@"):
            Path(self.address).unlink(missing_ok=True)

    def __enter__(self) -> NotifyListener:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
