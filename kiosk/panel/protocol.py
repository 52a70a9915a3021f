"""The panel control socket's protocol: requests, replies, peers, addresses. No threads here.

The running kiosk serves it (panel/control.py), ``kiosk panel`` asks (panel/client.py).
One request per connection, one JSON line each way, both bounded in size:

    -> {"v": 1, "action": "power", "state": "off", "for": "2h", "sudo_user": "alice"}
    <- {"v": 1, "exit": 0, "out": ["panel power off: ..."], "error": null}

Actions: ``status``, ``power`` (state on|off), ``brightness`` (value 0..100), ``resume``;
``for`` ("2h") or ``until`` ("06:00") make a maintenance hold. A bad request gets a one-line
``error`` and exit 2.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import re
import socket
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.errors import KioskError
from kiosk.panel.holds import parse_clock, parse_duration

SOCKET_NAME = "panel.sock"
VERSION = 1
MAX_REQUEST = 4096  # bytes, one line
MAX_REPLY = 64 * 1024
MAX_LINES = 40
READ_TIMEOUT_S = 2.0  # a client that does not finish its request line in time is dropped
ACTIONS = ("status", "power", "brightness", "resume")
_USER = re.compile(r"[A-Za-z0-9._-]{1,32}")
_KEYS = {"v", "action", "state", "value", "for", "until", "sudo_user"}
_SUN_PATH_MAX = 100  # sockaddr_un.sun_path is 108 bytes on Linux, with its NUL


class BadRequest(KioskError):
    """A control request that cannot be understood; its message is the one-line reply."""


@dataclass(frozen=True)
class ControlRequest:
    """One validated request."""

    action: str
    state: str | None = None
    value: int | None = None
    for_: str | None = None
    until: str | None = None
    sudo_user: str | None = None

    def to_json(self) -> bytes:
        """The request line as sent."""
        d: dict[str, Any] = {"v": VERSION, "action": self.action}
        for key, val in (
            ("state", self.state),
            ("value", self.value),
            ("for", self.for_),
            ("until", self.until),
            ("sudo_user", self.sudo_user),
        ):
            if val is not None:
                d[key] = val
        return json.dumps(d).encode() + b"\n"


@dataclass(frozen=True)
class Reply:
    """What ``kiosk panel`` prints (``out`` on stdout, ``error`` on stderr) and its exit code."""

    exit: int = 0
    out: tuple[str, ...] = ()
    error: str | None = None

    def to_json(self) -> bytes:
        """The reply line, cut to the size limits."""
        out = [line[:500] for line in self.out[:MAX_LINES]]
        err = None if self.error is None else " ".join(self.error.split())[:500]
        data = json.dumps({"v": VERSION, "exit": self.exit, "out": out, "error": err})
        return data.encode()[:MAX_REPLY] + b"\n"


def fail(message: str, code: int = 1) -> Reply:
    """A one-line failure."""
    return Reply(code, (), message)


@dataclass(frozen=True)
class Peer:
    """Who is at the other end (SO_PEERCRED)."""

    pid: int
    uid: int
    gid: int
    user: str = field(default="")

    @classmethod
    def of(cls, conn: socket.socket) -> Peer:
        """The peer's credentials, as the kernel recorded them at connect()."""
        raw = conn.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        pid, uid, gid = struct.unpack("3i", raw)
        return cls(pid, uid, gid, user_name(uid))

    def who(self, sudo_user: str | None) -> str:
        """``alice``, or ``root (sudo by alice)`` when sudo says who ran it."""
        if sudo_user and sudo_user != self.user:
            return f"{self.user} (sudo by {sudo_user})"
        return self.user


def user_name(uid: int) -> str:
    """The login name of ``uid``, or ``uid N`` when it has none."""
    try:
        return pwd.getpwuid(uid).pw_name
    except KeyError:
        return f"uid {uid}"


def parse_request(line: bytes) -> ControlRequest:
    """Validate one request line; BadRequest (one line) when it is not a request we know."""
    try:
        data = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise BadRequest("bad request: not a JSON line") from None
    if not isinstance(data, dict):
        raise BadRequest("bad request: expected a JSON object")
    unknown = sorted(set(data) - _KEYS)
    if unknown:
        raise BadRequest(f"bad request: unknown key {unknown[0]!r}")
    if data.get("v") != VERSION:
        raise BadRequest(f"bad request: protocol version {data.get('v')!r}, expected {VERSION}")
    action = data.get("action")
    if action not in ACTIONS:
        raise BadRequest(f"bad request: unknown action {action!r} (one of {', '.join(ACTIONS)})")
    state, value = data.get("state"), data.get("value")
    if action == "power" and state not in ("on", "off"):
        raise BadRequest(f"bad request: power state must be on or off (got {state!r})")
    if action == "brightness" and (
        isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100
    ):
        raise BadRequest(f"bad request: brightness must be a whole number 0..100 (got {value!r})")
    for_, until = data.get("for"), data.get("until")
    if (for_ is not None or until is not None) and action not in ("power", "brightness"):
        raise BadRequest(f"bad request: --for/--until go with power or brightness, not {action}")
    if for_ is not None and until is not None:
        raise BadRequest("bad request: give --for or --until, not both")
    checks: tuple[tuple[str, Any, Callable[[str], object]], ...] = (
        ("for", for_, parse_duration),
        ("until", until, parse_clock),
    )
    for key, val, check in checks:
        if val is None:
            continue
        if not isinstance(val, str):
            raise BadRequest(f"bad request: {key} must be text such as 2h or 06:00")
        try:
            check(val)
        except ValueError as e:
            raise BadRequest(f"bad request: {key}: {e}") from None
    sudo_user = data.get("sudo_user")
    if sudo_user is not None and not (isinstance(sudo_user, str) and _USER.fullmatch(sudo_user)):
        sudo_user = None  # informational only: an odd value is dropped, never shown
    return ControlRequest(
        action,
        state if action == "power" else None,
        value if action == "brightness" else None,
        for_,
        until,
        sudo_user,
    )


@contextlib.contextmanager
def unix_address(path: Path) -> Iterator[str]:
    """An address for ``path`` that fits sun_path (via /proc/self/fd when the path is long)."""
    if len(os.fsencode(path)) <= _SUN_PATH_MAX:
        yield str(path)
        return
    fd = os.open(path.parent, os.O_PATH | os.O_DIRECTORY)
    try:
        yield f"/proc/self/fd/{fd}/{path.name}"
    finally:
        os.close(fd)


def read_line(conn: socket.socket, limit: int) -> bytes:
    """Bytes up to the first newline; BadRequest past ``limit``; socket.timeout if too slow."""
    buf = b""
    while b"\n" not in buf:
        chunk = conn.recv(min(4096, limit + 1 - len(buf)))
        if not chunk:
            break
        buf += chunk
        if len(buf) > limit and b"\n" not in buf[:limit]:
            raise BadRequest(f"request too long (more than {limit} bytes)")
    if b"\n" not in buf:
        raise BadRequest("incomplete request (no end of line)")
    return buf.split(b"\n", 1)[0]
