"""The ``kiosk panel`` side of the control socket: find the running kiosk and ask it.

``connect()`` returns None when no kiosk answers (no socket, or one left by a kiosk that was
killed): ``kiosk panel`` then talks to the port itself, as it always did.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import socket
import stat
from collections.abc import Mapping
from pathlib import Path

from kiosk.errors import PanelError
from kiosk.ops.status import candidate_dirs
from kiosk.panel.protocol import (
    MAX_REPLY,
    SOCKET_NAME,
    BadRequest,
    ControlRequest,
    Reply,
    read_line,
    unix_address,
)

CONNECT_TIMEOUT_S = 2.0


class ControlError(PanelError):
    """The running kiosk could not be asked (not permitted, no reply in time, bad reply)."""


def socket_paths(runtime_dir: str | None, environ: Mapping[str, str] | None = None) -> list[Path]:
    """Where a running kiosk's control socket may be, in the order the kiosk picks its dir."""
    if runtime_dir:
        return [Path(runtime_dir) / SOCKET_NAME]
    return [d / SOCKET_NAME for d in candidate_dirs(environ)]


def connect(
    runtime_dir: str | None = None, environ: Mapping[str, str] | None = None
) -> tuple[socket.socket, Path] | None:
    """A connection to the running kiosk, or None when none runs; ControlError if not ours."""
    for path in socket_paths(runtime_dir, environ):
        try:
            if not stat.S_ISSOCK(path.lstat().st_mode):
                continue
        except OSError:
            continue
        conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        conn.settimeout(CONNECT_TIMEOUT_S)
        try:
            with unix_address(path) as addr:
                conn.connect(addr)
        except (ConnectionRefusedError, FileNotFoundError):
            conn.close()  # left behind by a kiosk that is gone
            continue
        except OSError as e:
            conn.close()
            if e.errno in (errno.EACCES, errno.EPERM):
                raise ControlError(
                    f"a kiosk is running, but its control socket {path} belongs to another "
                    "user: run `sudo -u kiosk kiosk panel ...` (or as root)"
                ) from None
            raise ControlError(
                f"cannot reach the running kiosk at {path}: {e.strerror or e}"
            ) from None
        return conn, path
    return None


def ask(conn: socket.socket, request: ControlRequest, timeout: float) -> Reply:
    """Send ``request`` and wait up to ``timeout`` s for the reply."""
    try:
        conn.settimeout(CONNECT_TIMEOUT_S)
        # A kiosk too busy to read the request has already answered so: read that answer.
        with contextlib.suppress(BrokenPipeError):
            conn.sendall(request.to_json())
        conn.settimeout(timeout)
        line = read_line(conn, MAX_REPLY)
    except TimeoutError:
        raise ControlError(
            f"no reply from the running kiosk within {timeout:g} s (a slow or silent panel?); "
            "see `kiosk status`"
        ) from None
    except BadRequest as e:
        raise ControlError(f"bad reply from the running kiosk: {e.one_line()}") from None
    except OSError as e:
        raise ControlError(f"the running kiosk closed the connection: {e.strerror or e}") from None
    finally:
        with contextlib.suppress(OSError):
            conn.close()
    return parse_reply(line)


def parse_reply(line: bytes) -> Reply:
    """The reply object; ControlError when it is not one."""
    try:
        data = json.loads(line.decode("utf-8"))
        code, out, error = data["exit"], data["out"], data["error"]
    except (UnicodeDecodeError, ValueError, KeyError, TypeError):
        raise ControlError("bad reply from the running kiosk: not a reply object") from None
    ok = (
        isinstance(code, int)
        and isinstance(out, list)
        and all(isinstance(x, str) for x in out)
        and (error is None or isinstance(error, str))
    )
    if not ok:
        raise ControlError("bad reply from the running kiosk: wrong field types")
    return Reply(code, tuple(out), error)


def sudo_user(environ: Mapping[str, str] | None = None) -> str | None:
    """Who ran ``sudo kiosk panel ...`` (informational; the kiosk trusts only the peer uid)."""
    env = os.environ if environ is None else environ
    return env.get("SUDO_USER") or None
