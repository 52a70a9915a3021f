"""A real HTTP server on 127.0.0.1 for tests.

``LocalServer`` answers by regex routes with scripted ``Reply`` objects (status, body, headers,
delay, hang, cut-off body, dropped connection, bytes dribbled one at a time, a body without a
length), can go down (connection refused) and come back on the same port, and records every
request path. Use it as a context manager.
"""

from __future__ import annotations

import contextlib
import re
import socket
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

HANG_LIMIT_S = 15.0  # a hanging reply gives up by itself so that no test can wedge the server


@dataclass
class Reply:
    """One scripted answer."""

    body: bytes | str = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "application/json;charset=UTF-8"
    delay_s: float = 0.0  # wait this long before answering (real time; keep it short)
    hang: threading.Event | None = None  # wait until this is set (at most HANG_LIMIT_S)
    cut_off: bool = False  # promise more bytes than are sent, then close
    drop: bool = False  # close the connection without any answer
    dribble_s: float = 0.0  # send the body one byte at a time, this long apart
    dribble_head: bool = False  # with dribble_s: the status line and headers too
    no_length: bool = False  # no Content-Length: the body ends when the connection closes

    def data(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


Responder = Callable[[str], Reply]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms stalls

    def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
        owner = self.server.owner
        path = unquote(self.path)
        owner._record(path)
        reply = owner._reply_for(path)
        if reply.hang is not None:
            reply.hang.wait(HANG_LIMIT_S)
        if reply.delay_s:
            time.sleep(reply.delay_s)  # the server side of a slow API; tests never sleep themselves
        if reply.drop:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if reply.dribble_s or reply.no_length:
            self._send_slowly(reply)
            return
        data = reply.data()
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        length = len(data) + (100 if reply.cut_off else 0)
        self.send_header("Content-Length", str(length))
        for k, v in reply.headers.items():
            self.send_header(k, v)
        if reply.cut_off:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(data)
        if reply.cut_off:
            self.wfile.flush()
            self.close_connection = True

    def _send_slowly(self, reply: Reply) -> None:
        """A reply written by hand: dribbled byte by byte, or without a length."""
        data = reply.data()
        head = [f"HTTP/1.1 {reply.status} OK", f"Content-Type: {reply.content_type}"]
        head += [f"{k}: {v}" for k, v in reply.headers.items()]
        head += ["Connection: close"] if reply.no_length else [f"Content-Length: {len(data)}"]
        raw_head = ("\r\n".join(head) + "\r\n\r\n").encode()
        self.close_connection = True
        give_up = time.monotonic() + HANG_LIMIT_S
        try:
            if not reply.dribble_head:
                self.wfile.write(raw_head)
                raw_head = b""
            for part in (raw_head, data):
                step = 1 if reply.dribble_s else 65536
                for i in range(0, len(part), step):
                    if time.monotonic() > give_up:
                        return
                    self.wfile.write(part[i : i + step])
                    self.wfile.flush()
                    if reply.dribble_s:
                        time.sleep(reply.dribble_s)  # the slow server's pace
        except OSError:
            pass  # the client gave up (its deadline): as intended

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass  # quiet: pytest shows failures, not access logs


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    owner: LocalServer

    def __init__(self, *args: object, **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.open_sockets: set[socket.socket] = set()
        self.sockets_lock = threading.Lock()

    def process_request(self, request: socket.socket, client_address: object) -> None:  # type: ignore[override]
        with self.sockets_lock:
            self.open_sockets.add(request)
        super().process_request(request, client_address)  # type: ignore[arg-type]

    def shutdown_request(self, request: socket.socket) -> None:  # type: ignore[override]
        with self.sockets_lock:
            self.open_sockets.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: object, client_address: object) -> None:  # type: ignore[override]
        # A client that gave up (its timeout, a dropped connection) is what these tests do on
        # purpose: not worth a traceback in the test output. Anything else still prints one.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)  # type: ignore[arg-type]

    def drop_all(self) -> None:
        """Cut every open connection, as a network outage would (keep-alive ones too)."""
        with self.sockets_lock:
            sockets = list(self.open_sockets)
        for s in sockets:
            with contextlib.suppress(OSError):
                s.shutdown(socket.SHUT_RDWR)


class LocalServer:
    """An HTTP server in a thread on 127.0.0.1 with an ephemeral port."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._routes: list[tuple[re.Pattern[str], list[Reply | Responder]]] = []
        self.paths: list[str] = []
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- lifecycle
    def start(self) -> LocalServer:
        """Listen (on the same port as before, after ``down()``)."""
        server = _Server(("127.0.0.1", self.port), _Handler)
        server.owner = self
        self.port = server.server_address[1]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening: new connections are refused."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.drop_all()
            self._server = None
        if self._thread is not None:
            self._thread.join(5)
            self._thread = None

    down = stop
    up = start

    def __enter__(self) -> LocalServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # -- scripting
    def route(self, pattern: str, *replies: Reply | Responder) -> None:
        """Answer paths matching ``pattern`` with these replies in turn (the last one repeats)."""
        with self._lock:
            self._routes.insert(0, (re.compile(pattern), list(replies)))

    def clear_routes(self) -> None:
        with self._lock:
            self._routes.clear()

    def _reply_for(self, path: str) -> Reply:
        with self._lock:
            for pattern, replies in self._routes:
                if pattern.search(path):
                    item = replies.pop(0) if len(replies) > 1 else replies[0]
                    break
            else:
                return Reply(
                    b"<html><body><h1>404 Not Found</h1></body></html>",
                    404,
                    content_type="text/html",
                )
        return item(path) if callable(item) else item

    def _record(self, path: str) -> None:
        with self._lock:
            self.paths.append(path)

    def hits(self, pattern: str) -> int:
        """How many requests matched ``pattern`` so far."""
        with self._lock:
            return sum(1 for p in self.paths if re.search(pattern, p))
