"""A real ``redis-server`` (Debian's package) for one test: a random TCP port on 127.0.0.1 and a
unix socket in the test's tmp folder, stopped (and restartable) by the test; nothing is saved
unless ``persist`` asks for an append-only file in the tmp folder. Never a fake Redis.

Without redis-server the tests that need it are skipped with the reason, except under CI
(``CI=true``), where ``scripts/setup.sh`` installs it and a missing server is a failure.
"""

from __future__ import annotations

import os
import random
import selectors
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import redis

REDIS_SERVER = shutil.which("redis-server")


def require_redis() -> str:
    """The redis-server binary, or skip (fail under CI) naming what is missing."""
    if REDIS_SERVER is None:
        message = "redis-server is not installed (bash scripts/setup.sh installs it)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_SERVER


def _ephemeral_low() -> int:
    """The lowest port the kernel hands out for ``bind(0)`` and outgoing connections."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, chosen below the kernel's
    ephemeral range: a child process binds it seconds later, and in between no outgoing
    connection or ``bind(0)`` elsewhere in the suite can be given it (one was, in CI: a kiosk
    moved its /metrics to a port a client socket then held)."""
    low = _ephemeral_low()
    pick = random.SystemRandom()  # not the seeded `random`: workers would pick alike
    for _ in range(100):
        port = pick.randrange(10000, low) if low > 11000 else 0
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return int(s.getsockname()[1])
    raise RuntimeError("no free TCP port on 127.0.0.1 below the ephemeral range")


class FakeMonotonic:
    """A ``RedisLink``'s retry clock, moved by the test (the link's waits are on it)."""

    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


class RedisServer:
    """One redis-server process; ``stop()`` and ``start()`` again keep its port and socket."""

    def __init__(self, tmp: Path, password: str | None = None, persist: bool = False):
        self.binary = require_redis()
        self.dir = tmp / "redis"
        self.dir.mkdir(exist_ok=True)
        self.port = free_port()
        self.socket = self.dir / "redis.sock"
        if (
            len(str(self.socket)) > 100
        ):  # sun_path holds 108 bytes; pytest's tmp paths can be longer
            self.socket = Path(tempfile.mkdtemp(prefix="kiosk-redis-")) / "redis.sock"
        self.password = password
        self.persist = persist  # appendonly, fsync always: what was written survives a restart
        self.proc: subprocess.Popen[bytes] | None = None
        self.log: list[str] = []

    @property
    def url(self) -> str:
        """redis://127.0.0.1:PORT/0 (without the password)."""
        return f"redis://127.0.0.1:{self.port}/0"

    @property
    def unix_url(self) -> str:
        """unix://SOCKET?db=0."""
        return f"unix://{self.socket}?db=0"

    def start(self, deadline_s: float = 20.0) -> RedisServer:
        """Start the server and return once it accepts connections."""
        args = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--unixsocket", str(self.socket),
            "--unixsocketperm", "700",
            "--dir", str(self.dir),
            "--save", "",
            "--appendonly", "yes" if self.persist else "no",
            "--appendfsync", "always",
            "--daemonize", "no",
            "--loglevel", "notice",
            "--logfile", "",
        ]  # fmt: skip
        if self.password:
            args += ["--requirepass", self.password]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        assert self.proc.stdout is not None
        fd = self.proc.stdout.fileno()
        os.set_blocking(fd, False)
        sel = selectors.DefaultSelector()
        sel.register(fd, selectors.EVENT_READ)
        end = time.monotonic() + deadline_s
        pending = b""
        try:
            while time.monotonic() < end:
                if not sel.select(timeout=end - time.monotonic()):
                    continue
                chunk = os.read(fd, 65536)
                if not chunk:
                    break  # exited
                pending += chunk
                *lines, pending = pending.split(b"\n")
                self.log += [line.decode(errors="replace") for line in lines]
                if any(b"Ready to accept connections" in line for line in lines):
                    return self
        finally:
            sel.close()
        self.stop()
        raise RuntimeError("redis-server did not start:\n" + "\n".join(self.log[-20:]))

    def stop(self) -> None:
        """Stop the server (SIGTERM, then SIGKILL) and wait for it."""
        if self.proc is None:
            return
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        if self.proc.stdout:
            self.proc.stdout.close()
        self.proc = None
        self.socket.unlink(missing_ok=True)

    def __enter__(self) -> RedisServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self.socket.parent != self.dir:
            shutil.rmtree(self.socket.parent, ignore_errors=True)

    def client(self) -> redis.Redis:
        """A plain redis-py client for looking at what the kiosk wrote."""
        return redis.Redis(host="127.0.0.1", port=self.port, password=self.password)

    def dump(self) -> list[tuple[bytes, bytes]]:
        """Every key and its value (strings; other types as their type name) on every db."""
        out: list[tuple[bytes, bytes]] = []
        for db in range(16):
            r = redis.Redis(host="127.0.0.1", port=self.port, password=self.password, db=db)
            for key in r.scan_iter(count=1000):
                kind = r.type(key)
                if kind == b"string":
                    out.append((key, r.get(key) or b""))
                elif kind == b"hash":
                    for f, v in r.hgetall(key).items():
                        out.append((key, f + b"=" + v))
                else:
                    out.append((key, kind))
            r.close()
        return out
