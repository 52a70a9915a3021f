"""A total deadline for each request: its connection is cut when the deadline passes, whatever
the server sends.

``sources.timeout`` bounds each wait for the next byte, so a server that sends one byte every few
seconds (headers or body) keeps a request alive for ever. Here the socket of a request in flight
is shut down by one watcher thread once the request's deadline is reached; the blocked read then
returns and the request fails like a dropped connection, which ``poller.http`` reports as a
deadline. The session's connection classes (``DeadlineConnection``) hand the socket over as the
response is awaited, on the requesting thread, from the deadline that ``DeadlineWatch.request``
set for it.
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

_current = threading.local()  # the requesting thread's (watch, request), while one is in flight


class Request:
    """One request under a deadline: ``fired`` once its connection was cut for it."""

    def __init__(self, at: float | None):
        self.at = at
        self.sock: socket.socket | None = None
        self.fired = False


class DeadlineWatch:
    """Cuts the connection of each request whose deadline passed (one daemon thread, lazily)."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._armed: set[Request] = set()
        self._thread: threading.Thread | None = None
        self._closed = False

    @contextlib.contextmanager
    def request(self, seconds: float | None) -> Iterator[Request]:
        """The block runs one request that must be over ``seconds`` from now (None: no limit)."""
        req = Request(time.monotonic() + seconds if seconds else None)
        _current.request = (self, req)
        try:
            yield req
        finally:
            _current.request = None
            with self._cond:
                self._armed.discard(req)

    def arm(self, req: Request, sock: socket.socket | None) -> None:
        """Watch ``sock`` for ``req`` (cut at once if its deadline has passed already)."""
        if req.at is None or sock is None:
            return
        with self._cond:
            if self._closed:
                return
            req.sock = sock
            self._armed.add(req)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="http-deadline", daemon=True)
                self._thread.start()
            self._cond.notify_all()

    def _run(self) -> None:
        with self._cond:
            while not self._closed:
                now = time.monotonic()
                for req in [r for r in self._armed if r.at is not None and r.at <= now]:
                    self._armed.discard(req)
                    req.fired = True
                    _cut(req.sock)
                next_at = min((r.at for r in self._armed if r.at is not None), default=None)
                self._cond.wait(None if next_at is None else max(0.0, next_at - now))

    def close(self) -> None:
        """Stop the watcher thread (requests still in flight keep their own timeouts)."""
        with self._cond:
            self._closed = True
            self._armed.clear()
            self._cond.notify_all()


def _cut(sock: socket.socket | None) -> None:
    if sock is not None:
        # The OS-level shutdown, also under an SSLSocket (whose own shutdown() would drop its
        # TLS state under the reading thread): the blocked read returns, the request fails.
        with contextlib.suppress(OSError):
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _arm_current(sock: Any) -> None:
    current = getattr(_current, "request", None)
    if current is not None:
        watch, req = current
        watch.arm(req, sock)


class DeadlineConnection(HTTPConnection):
    """urllib3's connection, handing its socket to the current request's deadline."""

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _arm_current(self.sock)  # the request is sent; from here on the server is awaited
        return super().getresponse(*args, **kwargs)


class DeadlineHTTPSConnection(HTTPSConnection):
    """The same for HTTPS."""

    def getresponse(self, *args: Any, **kwargs: Any) -> Any:
        _arm_current(self.sock)
        return super().getresponse(*args, **kwargs)


class DeadlinePool(HTTPConnectionPool):
    ConnectionCls = DeadlineConnection


class DeadlineHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = DeadlineHTTPSConnection


POOL_CLASSES = {"http": DeadlinePool, "https": DeadlineHTTPSPool}
