"""The running kiosk's panel control socket: ``kiosk panel ...`` asks the kiosk, not the port.

An AF_UNIX stream socket ``panel.sock`` in the kiosk's runtime dir, mode 0600, and every
peer's uid checked with SO_PEERCRED (the kiosk's own user, or root); the protocol is in
panel/protocol.py. The server runs in its own thread (never the GUI thread); each connection
is served by a short-lived thread, at most MAX_CLIENTS at once, and a client that does not
finish its request within READ_TIMEOUT_S is dropped with a one-line error.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import socket
import stat
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path

from kiosk.panel.protocol import (
    MAX_REQUEST,
    READ_TIMEOUT_S,
    BadRequest,
    ControlRequest,
    Peer,
    Reply,
    fail,
    parse_request,
    read_line,
    unix_address,
    user_name,
)

log = logging.getLogger(__name__)
MAX_CLIENTS = 4

Handler = Callable[[ControlRequest, Peer], Reply]


class ControlServer:
    """Serves the control socket at ``path`` with ``handle`` until ``stop()``."""

    def __init__(
        self,
        path: Path,
        handle: Handler,
        *,
        allowed_uids: frozenset[int] | None = None,
        read_timeout: float = READ_TIMEOUT_S,
    ):
        self.path = path
        self.handle = handle
        self.allowed_uids = allowed_uids or frozenset({os.geteuid(), 0})
        self.read_timeout = read_timeout
        self._slots = threading.BoundedSemaphore(MAX_CLIENTS)
        self._listener: socket.socket | None = None
        self._inode: int | None = None
        self._wake_r, self._wake_w = -1, -1
        self._thread: threading.Thread | None = None

    def start(self) -> bool:
        """Bind (0600) and serve in a thread; False (logged) if another kiosk already serves."""
        if not self._claimable():
            return False
        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        # Bound in a private (0700) dir, made 0600, then renamed into place: the socket is
        # never reachable with looser permissions, whatever the umask.
        tmpdir = Path(tempfile.mkdtemp(prefix=".panel-", dir=self.path.parent))
        try:
            tmp = tmpdir / "s"
            with unix_address(tmp) as addr:
                listener.bind(addr)
            os.chmod(tmp, 0o600)
            listener.listen(8)
            os.replace(tmp, self.path)
        except OSError as e:
            listener.close()
            log.warning("panel control socket %s not started: %s", self.path, e)
            return False
        finally:
            with contextlib.suppress(OSError):
                (tmpdir / "s").unlink(missing_ok=True)
                tmpdir.rmdir()
        self._inode = self.path.stat().st_ino
        self._listener = listener
        self._wake_r, self._wake_w = os.pipe()
        self._thread = threading.Thread(target=self._serve, name="panel-control", daemon=True)
        self._thread.start()
        log.info("panel control socket %s: `kiosk panel` goes through this kiosk", self.path)
        return True

    def stop(self) -> None:
        """Stop accepting, remove the socket file (if still ours); returns at once."""
        if self._listener is None:
            return
        with contextlib.suppress(OSError):
            os.write(self._wake_w, b"x")
        with contextlib.suppress(OSError):
            if self.path.stat().st_ino == self._inode:
                self.path.unlink()

    def join(self, timeout: float) -> bool:
        """Wait for the accept thread to end (tests)."""
        if self._thread is not None:
            self._thread.join(timeout)
            return not self._thread.is_alive()
        return True

    def _claimable(self) -> bool:
        try:
            mode = self.path.lstat().st_mode
        except FileNotFoundError:
            return True
        except OSError as e:
            log.warning("panel control socket %s unusable: %s", self.path, e)
            return False
        if not stat.S_ISSOCK(mode):
            log.warning("panel control socket %s: a file of another kind is there", self.path)
            return False
        probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        probe.settimeout(1.0)
        try:
            with unix_address(self.path) as addr:
                probe.connect(addr)
        except (ConnectionRefusedError, FileNotFoundError):
            return True  # left by a kiosk that was killed: replaced
        except OSError as e:
            log.warning("panel control socket %s not started: %s", self.path, e)
            return False
        finally:
            probe.close()
        log.warning(
            "panel control socket %s: another kiosk answers there; `kiosk panel` goes to it",
            self.path,
        )
        return False

    def _serve(self) -> None:
        assert self._listener is not None
        listener = self._listener
        with selectors.DefaultSelector() as sel:
            sel.register(listener, selectors.EVENT_READ)
            sel.register(self._wake_r, selectors.EVENT_READ)
            while True:
                events = sel.select()
                if any(key.fileobj == self._wake_r for key, _ in events):
                    break
                try:
                    conn, _ = listener.accept()
                except OSError:
                    continue
                if not self._slots.acquire(blocking=False):
                    self._send(conn, fail("the kiosk is busy with other panel requests; retry"))
                    continue
                threading.Thread(
                    target=self._serve_one, args=(conn,), name="panel-control-conn", daemon=True
                ).start()
        listener.close()
        for fd in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                os.close(fd)

    def _serve_one(self, conn: socket.socket) -> None:
        try:
            self._send(conn, self._answer(conn))
        finally:
            self._slots.release()

    def _answer(self, conn: socket.socket) -> Reply:
        try:
            peer = Peer.of(conn)
            if peer.uid not in self.allowed_uids:
                log.warning(
                    "panel control: refused %s (uid %d, pid %d)", peer.user, peer.uid, peer.pid
                )
                return fail(
                    f"not allowed: {peer.user} is not the kiosk's user "
                    f"({user_name(os.geteuid())}) or root"
                )
            conn.settimeout(self.read_timeout)
            req = parse_request(read_line(conn, MAX_REQUEST))
            conn.settimeout(None)
            return self.handle(req, peer)
        except BadRequest as e:
            return fail(e.one_line(), 2)
        except TimeoutError:
            return fail(f"no complete request within {self.read_timeout:g} s")
        except Exception as e:  # a bug must not kill the server; the client gets one line
            log.error("panel control: %s: %s", type(e).__name__, e)
            return fail(f"the kiosk failed to handle the request: {type(e).__name__}: {e}")

    @staticmethod
    def _send(conn: socket.socket, reply: Reply) -> None:
        with contextlib.suppress(OSError):
            conn.settimeout(READ_TIMEOUT_S)
            conn.sendall(reply.to_json())
        with contextlib.suppress(OSError):
            conn.close()
