"""A local stand-in for the Seoul Open API that fails on purpose, for `kiosk bench --soak`.

It listens on 127.0.0.1 only, serves the bundled demo bodies (kiosk/demo, times moved to now)
in the URL layout of swopenapi / openapi.seoul.go.kr, and spoils requests in turn: an HTML 502
page, a reply slower than the kiosk's timeout, a body whose rows hold only nulls, a JSON body
cut in half, a gzip bomb (a few KB that unpack to 64 MiB), a slow answer (one byte at a time,
each within the timeout, for longer than the kiosk's request deadline), a 503 with
``Retry-After: 0``. From half-time the subway key answers ERROR-337 (daily quota), the general
key from three quarters. Every wait is bounded and ``stop()`` ends them, so the server can
never outlive the soak.
"""

from __future__ import annotations

import json
import sys
import threading
import zlib
from collections import Counter
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

from kiosk.bench.parsing import demo_body
from kiosk.core.timeutil import KST

SERVICES = {
    "realtimeStationArrival": "subway",
    "RealtimeCityAir": "air",
    "SearchParkInfoService": "parks",
    "SeoulGilWalkCourse": "trails",
    "bikeList": "bikes",
    "culturalEventInfo": "events",
}
# What request k (over all services) gets: seven in ten a fault; the start-up burst (one request
# per source, six sources) meets the first six.
PATTERN = (
    "html_502",
    "timeout",
    "gzip_bomb",
    "null_rows",
    "slow_answer",
    "truncated_json",
    "retry_after_0",
    "ok",
    "ok",
    "ok",
)
BOMB_MIB = 64  # what the gzip bomb unpacks to: far over every source's max_body_kib
QUOTA_FROM = {"subway": 0.5, "openapi": 0.75}  # share of the soak after which ERROR-337 comes
HTML_502 = (
    b"<!DOCTYPE html><html><head><title>502 Bad Gateway</title></head>"
    b"<body><h1>Bad Gateway</h1><p>The proxy server received an invalid response.</p></body></html>"
)
QUOTA_SUBWAY = b'{"status":500,"code":"ERROR-337","message":"..."}'
QUOTA_OPENAPI = (
    '{"RESULT":{"CODE":"ERROR-337","MESSAGE":"일일 트래픽 제한을 넘었습니다."}}'.encode()
)


def _now_body(source: str, station: str, now: datetime) -> bytes:
    """The demo body with its times moved to ``now`` (arrivals received seconds ago)."""
    raw = demo_body(source, station)
    if source not in ("subway", "air"):
        return raw
    data: Any = json.loads(raw)
    if source == "subway":
        for row in data.get("realtimeArrivalList") or []:
            row["recptnDt"] = now.strftime("%Y-%m-%d %H:%M:%S")
    else:
        hour = now.strftime("%Y%m%d%H00")
        for row in data["RealtimeCityAir"]["row"]:
            row["MSRMT_DT"] = hour
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


def gzip_bomb(mib: int = BOMB_MIB) -> bytes:
    """A gzip stream of ``mib`` MiB of zeros (about a thousandth of that on the wire)."""
    z = zlib.compressobj(9, zlib.DEFLATED, 31)
    block = b"\0" * (1 << 20)
    return b"".join(z.compress(block) for _ in range(mib)) + z.flush()


def _null_rows(body: bytes) -> bytes:
    """The same answer with every value of every row null (a backend that lost its data)."""
    data: Any = json.loads(body)
    holders = [data, *(v for v in data.values() if isinstance(v, dict))]
    for holder in holders:
        for key, rows in holder.items():
            if isinstance(rows, list):
                holder[key] = [dict.fromkeys(r) if isinstance(r, dict) else None for r in rows]
    return json.dumps(data, ensure_ascii=False).encode("utf-8")


class _Server(ThreadingHTTPServer):
    """A client hanging up is part of the soak (the kiosk gives up on a slow reply, or resets a
    kept-alive connection it no longer wants): not worth the traceback ``socketserver`` prints
    for it. Anything else is the bench's own fault and says so, in one line."""

    daemon_threads = True

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, OSError):
            return
        print(
            f"kiosk bench: fault server: request from {client_address[0]}:{client_address[1]} "
            f"failed: {type(error).__name__}: {' '.join(str(error).split())}",
            file=sys.stderr,
            flush=True,
        )


class FaultServer:
    """The server in a thread; ``counts`` says what was served, by source and outcome."""

    def __init__(
        self, station: str, duration_s: float, timeout_s: float, clock: Any, monotonic: Any
    ):
        self.station = station
        self.duration_s = duration_s
        self.hang_s = timeout_s + 1.0  # past the kiosk's timeout: it gives up first
        # A slow answer: a byte every half timeout (never a timeout) for three timeouts and more,
        # past the request deadline the soak sets (two timeouts); then the rest at once.
        self.drip_s = timeout_s / 2
        self.slow_s = 3 * timeout_s + 1.0
        self._bomb = gzip_bomb()
        self.clock = clock
        self.monotonic = monotonic
        self.counts: Counter[str] = Counter()
        self._n = 0
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._started = monotonic()
        self._server = _Server(("127.0.0.1", 0), self._handler_class())
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def endpoints(self) -> dict[str, str]:
        """``sources.endpoints`` for a config that polls this server."""
        return {"subway": f"{self.url}/api/subway", "openapi": self.url}

    def start(self) -> FaultServer:
        self._started = self.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving; a reply held back on purpose is cut short."""
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def outcome(self, source: str) -> str:
        """The next request's fate: ok, a fault from PATTERN, or quota_337 late in the soak."""
        family = "subway" if source == "subway" else "openapi"
        elapsed = self.monotonic() - self._started
        with self._lock:
            k = self._n
            self._n += 1
        if elapsed >= QUOTA_FROM[family] * self.duration_s:
            return "quota_337"
        return PATTERN[k % len(PATTERN)]

    def reply(self, path: str) -> tuple[int, str, bytes, str]:
        """(status, content type, body, fate) for a request path."""
        parts = unquote(path).split("/")
        service = parts[5] if path.startswith("/api/subway/") and len(parts) > 5 else ""
        if not service and len(parts) > 3:
            service = parts[3]
        source = SERVICES.get(service)
        if source is None:
            self.counts["unknown path"] += 1
            return 404, "text/html", b"<html><body><h1>404 Not Found</h1></body></html>", "none"
        fate = self.outcome(source)
        self.counts[f"{source} {fate}"] += 1
        if fate == "html_502":
            return 502, "text/html", HTML_502, fate
        if fate == "retry_after_0":
            return 503, "text/html", b"<html><body>busy</body></html>", fate
        if fate == "gzip_bomb":
            return 200, "application/json;charset=UTF-8", self._bomb, fate
        if fate == "quota_337":
            body = QUOTA_SUBWAY if source == "subway" else QUOTA_OPENAPI
            return 200, "application/json;charset=UTF-8", body, fate
        body = _now_body(source, self.station, self.clock().astimezone(KST))
        if fate == "timeout":
            self._stopping.wait(self.hang_s)
        if fate == "truncated_json":
            body = body[: len(body) // 2]
        if fate == "null_rows":
            body = _null_rows(body)
        return 200, "application/json;charset=UTF-8", body, fate

    def dribble(self, wfile: Any, body: bytes) -> None:
        """The slow answer: a byte at a time for ``slow_s``, then the rest; stops with the server."""
        drips = min(len(body), int(self.slow_s / self.drip_s))  # counted: no clock needed
        for sent in range(drips):
            if self._stopping.is_set():
                return
            wfile.write(body[sent : sent + 1])
            wfile.flush()
            self._stopping.wait(self.drip_s)
        wfile.write(body[drips:])

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                status, ctype, body, fate = owner.reply(self.path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(len(body)))
                    if fate == "gzip_bomb":
                        self.send_header("Content-Encoding", "gzip")
                    if fate == "retry_after_0":
                        self.send_header("Retry-After", "0")
                    self.end_headers()
                    if fate == "slow_answer":
                        owner.dribble(self.wfile, body)
                    else:
                        self.wfile.write(body)
                except OSError:  # the kiosk gave up waiting (timeout, deadline): as intended
                    self.close_connection = True

            def log_message(self, format: str, *args: object) -> None:  # noqa: A002
                pass

        return Handler
