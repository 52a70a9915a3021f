"""The one CachedSession against a real local HTTP server: expiry and stale-if-error on our clock,
error mapping, and the API key never reaching the cache file or a log line."""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.timeutil import KST
from kiosk.errors import TransportError
from kiosk.poller import http
from kiosk.poller.session import KioskSession, build_session
from tests.httpserver import HTML_ERROR_PAGE, LocalServer, Reply

KEY = "Sk3yPathSecret0123456789abcd"
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=KST)
GOOD = json.dumps({"ok": True, "rows": [1, 2, 3]}).encode()


def accept_json(body: bytes) -> bool:
    try:
        return bool(json.loads(body).get("ok"))
    except ValueError:
        return False


@pytest.fixture
def server() -> Iterator[LocalServer]:
    with LocalServer() as s:
        yield s


@pytest.fixture
def session(tmp_path: Path) -> Iterator[KioskSession]:
    ks = build_session(tmp_path / "cache" / "http.sqlite", [KEY])
    yield ks
    ks.close()


def url(server: LocalServer, name: str = "svc") -> str:
    return f"{server.url}/api/{KEY}/json/{name}/1/5/"


def get(
    ks: KioskSession, u: str, now: datetime, expire: float = 20, timeout: float = 2
) -> http.Body:
    return http.get(ks, u, now=now, expire_after=expire, timeout=timeout, accept=accept_json)


def cache_bytes(tmp_path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in (tmp_path / "cache").glob("http.sqlite*"))


def test_answer_is_reused_within_expiry_on_our_clock_then_fetched_again(
    server: LocalServer, session: KioskSession
) -> None:
    server.route("/svc/", Reply(GOOD))
    first = get(session, url(server), T0)
    again = get(session, url(server), T0 + timedelta(seconds=19))
    later = get(session, url(server), T0 + timedelta(seconds=21))
    assert server.hits("/svc/") == 2
    assert (first.from_cache, again.from_cache, later.from_cache) == (False, True, False)
    assert again.fetched_at == T0 and later.fetched_at == T0 + timedelta(seconds=21)
    assert session.trace.sent == 1


def test_stale_if_error_serves_the_last_good_copy_with_its_age_and_the_reason(
    server: LocalServer, session: KioskSession
) -> None:
    server.route("/svc/", Reply(GOOD))
    get(session, url(server), T0)
    server.route("/svc/", Reply(b"oops", status=503, headers={"Retry-After": "120"}))
    body = get(session, url(server), T0 + timedelta(hours=2))
    assert body.from_cache and body.content == GOOD and body.fetched_at == T0
    assert body.fallback_error == f"HTTP 503 Service Unavailable from 127.0.0.1:{server.port}"
    assert body.retry_after_s == 120
    server.down()
    body = get(session, url(server), T0 + timedelta(hours=3))
    assert body.fallback_error == f"connection refused by 127.0.0.1:{server.port}"
    assert session.trace.sent == 0  # a refused connection costs no quota


def test_error_bodies_are_never_cached_and_never_replace_the_good_copy(
    server: LocalServer, session: KioskSession
) -> None:
    server.route("/svc/", Reply(GOOD))
    get(session, url(server), T0)
    server.route("/svc/", Reply(b'{"status":500,"code":"ERROR-337","message":"..."}'))
    bad = get(session, url(server), T0 + timedelta(minutes=1))
    assert b"ERROR-337" in bad.content and not bad.from_cache
    assert session.cached(url(server)).content == GOOD  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(b"nope", status=500), "HTTP 500 Internal Server Error from"),
        (Reply(b"nope", status=404), "HTTP 404 Not Found from"),
        (Reply(b"x", status=429, headers={"Retry-After": "30"}), "HTTP 429 Too Many Requests from"),
        (Reply(GOOD, cut_off=True), "was cut off"),
        (Reply(drop=True), "closed the connection without an answer"),
    ],
)
def test_transport_failures_without_a_cached_copy_raise_one_clean_line(
    server: LocalServer, session: KioskSession, reply: Reply, expected: str
) -> None:
    server.route("/svc/", reply)
    with pytest.raises(TransportError) as info:
        get(session, url(server), T0)
    message = info.value.one_line()
    assert expected in message and KEY not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_retry_after_is_parsed_from_a_429(server: LocalServer, session: KioskSession) -> None:
    server.route("/svc/", Reply(b"x", status=429, headers={"Retry-After": "30"}))
    with pytest.raises(http.HttpError) as info:
        get(session, url(server), T0)
    assert info.value.status == 429 and info.value.retry_after_s == 30


def test_a_hanging_server_times_out(server: LocalServer, session: KioskSession) -> None:
    release = threading.Event()
    server.route("/svc/", Reply(GOOD, hang=release))
    try:
        with pytest.raises(TransportError, match=r"within 0.3 s \(timeout\)"):
            get(session, url(server), T0, timeout=0.3)
    finally:
        release.set()


def test_connection_refused_raises_when_nothing_is_cached(
    tmp_path: Path, session: KioskSession
) -> None:
    dead = LocalServer().start()
    dead.stop()
    with pytest.raises(TransportError, match="connection refused by 127.0.0.1"):
        get(session, url(dead), T0)


def test_an_html_page_with_200_is_returned_for_the_parser_and_not_cached(
    server: LocalServer, session: KioskSession
) -> None:
    server.route("/svc/", HTML_ERROR_PAGE)
    body = get(session, url(server), T0)
    assert body.content.startswith(b"<!DOCTYPE html>") and session.cached(url(server)) is None


def test_the_key_is_in_neither_the_cache_file_nor_any_log_line(
    server: LocalServer, session: KioskSession, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    echo = f"<html>requested /api/{KEY}/json/svc</html>".encode()
    server.route("/svc/", Reply(GOOD, headers={"X-Echo": f"/api/{KEY}/", "Location": f"/x/{KEY}"}))
    server.route("/echo/", Reply(b'{"ok": true, "echo": "' + KEY.encode() + b'"}'))
    server.route("/html/", Reply(echo, status=502, content_type="text/html"))
    get(session, url(server), T0)
    get(session, url(server, "echo"), T0)
    with pytest.raises(TransportError):
        get(session, url(server, "html"), T0)
    server.down()
    get(session, url(server), T0 + timedelta(hours=1))  # stale-if-error path logs too
    with pytest.raises(TransportError):
        get(session, url(server, "never"), T0)
    stored = cache_bytes(tmp_path)
    assert stored and KEY.encode() not in stored
    assert session.cached(url(server)) is not None
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "127.0.0.1" in logged  # urllib3 did log the requests ...
    assert KEY not in logged and KEY not in caplog.text  # ... with the key masked


def test_the_cache_key_is_the_same_whatever_the_key(
    server: LocalServer, session: KioskSession
) -> None:
    server.route("/svc/", Reply(GOOD))
    get(session, url(server), T0)
    other = url(server).replace(KEY, "another-key-000")
    assert session.cached(other) is None  # not a secret: not masked, so a different cache key
    session.redactor.update([KEY, "another-key-000"])
    assert (
        session.cached(other) is not None
    )  # both masked to the same key: a key rotation keeps the cache


def test_a_damaged_cache_file_is_moved_aside_and_replaced(
    tmp_path: Path, server: LocalServer
) -> None:
    path = tmp_path / "cache" / "http.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"this is not a database" * 100)
    ks = build_session(path, [KEY])
    try:
        server.route("/svc/", Reply(GOOD))
        assert get(ks, url(server), T0).content == GOOD
        assert ks.location == str(path) and (path.parent / "http.sqlite.corrupt").is_file()
    finally:
        ks.close()


def test_an_unwritable_cache_folder_falls_back_to_memory(
    tmp_path: Path, server: LocalServer
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    ks = build_session(blocker / "sub" / "http.sqlite", [KEY])
    try:
        server.route("/svc/", Reply(GOOD))
        assert ks.location == "memory" and get(ks, url(server), T0).content == GOOD
    finally:
        ks.close()


def test_the_cache_runs_in_wal_mode(session: KioskSession, tmp_path: Path) -> None:
    # WAL is a property of the file itself: any connection to it sees the mode.
    con = sqlite3.connect(tmp_path / "cache" / "http.sqlite")
    try:
        assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        con.close()


def test_control_without_redaction_the_key_would_be_stored(
    tmp_path: Path, server: LocalServer
) -> None:
    # Proves the check above can fail: requests-cache alone keeps the URL, key and all.
    ks = build_session(tmp_path / "cache" / "http.sqlite", [])
    try:
        server.route("/svc/", Reply(GOOD))
        get(ks, url(server), T0)
        assert KEY.encode() in cache_bytes(tmp_path)
    finally:
        ks.close()


def test_tracebacks_carrying_the_key_are_masked_and_others_left_alone(
    session: KioskSession, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    log = logging.getLogger("some.library")
    try:
        raise ConnectionError(f"Max retries exceeded with url: /api/{KEY}/json/svc")
    except ConnectionError:
        log.warning("request failed", exc_info=True)
    try:
        raise ValueError("nothing secret")
    except ValueError:
        log.warning("other failure", exc_info=True)
    secret, plain = caplog.records[-2], caplog.records[-1]
    assert secret.exc_info is None and "/api/****/json/svc" in (secret.exc_text or "")
    assert plain.exc_info is not None  # untouched
    assert KEY not in caplog.text and "nothing secret" in caplog.text
