"""The Redis link against a real redis-server: URLs and passwords (never shown), bounded waits,
an outage logged once, and rejoining by itself."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from kiosk.poller.redis_link import RedisLink, RedisUnavailable, parse_target
from tests.redis_server import FakeMonotonic, RedisServer, free_port

PASSWORD = "s3cret-Pa55/word"  # has a "/" so that its percent-encoded form differs


@pytest.fixture
def server(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path, password=PASSWORD) as srv:
        yield srv


def url_with_password(srv: RedisServer) -> str:
    return f"redis://:{PASSWORD.replace('/', '%2F')}@127.0.0.1:{srv.port}/0"


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://10.0.0.2:6379/0", "redis://10.0.0.2:6379/0"),
        ("redis://cache.station.lan", "redis://cache.station.lan"),
        ("rediss://10.0.0.2:6380/1?ssl_cert_reqs=required", "rediss://10.0.0.2:6380/1"),
        ("unix:///run/redis/redis-server.sock?db=2", "unix:///run/redis/redis-server.sock"),
        ("redis://[::1]:6379/0", "redis://[::1]:6379/0"),
    ],
)
def test_supported_urls(url: str, shown: str) -> None:
    target = parse_target(url)
    assert target.display == shown and target.password is None and target.secrets() == ()


def test_a_password_in_the_url_is_split_off_and_never_shown() -> None:
    target = parse_target(f"redis://kiosk:{PASSWORD.replace('/', '%2F')}@10.0.0.2:6379/0")
    assert target.password == PASSWORD
    assert target.display == "redis://kiosk@10.0.0.2:6379/0 (password set)"
    assert PASSWORD not in target.url and "Pa55" not in target.url
    assert PASSWORD not in repr(target) and "Pa55" not in repr(target)
    assert set(target.secrets()) == {PASSWORD, "s3cret-Pa55%2Fword"}


def test_a_password_file(tmp_path: Path) -> None:
    f = tmp_path / "redis-password"
    f.write_text(PASSWORD + "\n")
    assert parse_target("unix:///run/redis.sock", f).password == PASSWORD
    with pytest.raises(ValueError, match="give one"):
        parse_target(f"redis://:{PASSWORD.replace('/', '%2F')}@h:6379/0", f)
    with pytest.raises(ValueError, match="password file not found"):
        parse_target("redis://h", tmp_path / "missing")
    (tmp_path / "empty").write_text("\n")
    with pytest.raises(ValueError, match="is empty"):
        parse_target("redis://h", tmp_path / "empty")


@pytest.mark.parametrize(
    ("url", "problem"),
    [
        (f"http://:{PASSWORD}@h:6379", "unsupported scheme http://"),
        (f"h:{PASSWORD}", "unsupported scheme (none)"),
        (f"redis://:{PASSWORD}@h:6379/0", "percent-encode a password"),
        ("redis://:6379/0", "needs a host"),
        ("redis://h:6379/zero", "database must be a number"),
        ("redis://h:99999/0", "not a valid URL"),
        ("unix://relative.sock", "absolute socket path"),
        ("redis://h/0?socket_timeout=60", "unsupported option ?socket_timeout="),
        (f"redis://h/0?password={PASSWORD}", "unsupported option ?password="),
    ],
)
def test_bad_urls_are_named_without_the_password(url: str, problem: str) -> None:
    with pytest.raises(ValueError) as e:
        parse_target(url)
    assert problem in str(e.value) and "Pa55" not in str(e.value)


# --- a real server -------------------------------------------------------------------------


def test_password_from_url_from_file_and_unix_socket(server: RedisServer, tmp_path) -> None:
    assert RedisLink(parse_target(url_with_password(server))).run(lambda r: r.ping())
    f = tmp_path / "pw"
    f.write_text(PASSWORD)
    assert RedisLink(parse_target(server.url, f)).run(lambda r: r.ping())
    unix = f"unix://:{PASSWORD.replace('/', '%2F')}@{server.socket}?db=3"
    link = RedisLink(parse_target(unix))
    link.run(lambda r: r.set("k", "v"))
    db3 = redis.Redis(host="127.0.0.1", port=server.port, password=PASSWORD, db=3)
    assert db3.get("k") == b"v" and link.up is True


def test_a_wrong_password_is_an_outage_whose_message_has_no_password(server, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong-" + PASSWORD.replace("/", "%2F")
    link = RedisLink(parse_target(f"redis://:{wrong}@127.0.0.1:{server.port}/0"))
    with pytest.raises(RedisUnavailable) as e:
        link.run(lambda r: r.ping())
    assert link.up is False
    text = str(e.value) + "\n".join(r.getMessage() for r in caplog.records)
    assert "Pa55" not in text and "wrong" not in text
    assert f"redis://127.0.0.1:{server.port}/0 (password set) unreachable" in str(e.value)


def test_unreachable_at_start_fails_fast_logs_once_and_then_costs_no_io(caplog) -> None:
    mono = FakeMonotonic()
    link = RedisLink(parse_target(f"redis://127.0.0.1:{free_port()}/0"), monotonic=mono)
    calls = []
    with pytest.raises(RedisUnavailable, match="unreachable"):
        link.run(lambda r: calls.append(1) or r.ping())
    for _ in range(100):  # waiting to retry: refused at once, the operation is not even tried
        with pytest.raises(RedisUnavailable):
            link.run(lambda r: calls.append(1) or r.ping())
    assert len(calls) == 1
    down = [r for r in caplog.records if "unreachable" in r.getMessage()]
    assert len(down) == 1 and down[0].levelno == logging.WARNING


def test_a_server_that_never_answers_blocks_a_caller_no_longer_than_the_timeout() -> None:
    with socket.socket() as silent:  # accepts connections (backlog), never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        link = RedisLink(parse_target(f"redis://127.0.0.1:{port}/0"), timeout_s=0.3)
        start = time.monotonic()
        with pytest.raises(RedisUnavailable, match="unreachable"):
            link.run(lambda r: r.ping())
        assert time.monotonic() - start < 2.0  # one attempt of 0.3 s, no hidden retries


def test_lost_mid_run_then_back_rejoins_by_itself_with_growing_retry(tmp_path, caplog) -> None:
    caplog.set_level(logging.INFO)
    mono = FakeMonotonic()
    with RedisServer(tmp_path, persist=True) as srv:
        link = RedisLink(parse_target(srv.url), monotonic=mono, retry_min_s=1, retry_max_s=8)
        link.run(lambda r: r.set("seen", "1"))
        srv.stop()
        tried: list[float] = []

        def ping(r: redis.Redis) -> object:
            tried.append(mono.t)
            return r.ping()

        start = mono.t
        while mono.t < start + 30:  # ticking every 0.5 s through a 30 s outage
            with pytest.raises(RedisUnavailable):
                link.run(ping)
            mono.t += 0.5
        gaps = [b - a for a, b in zip(tried, tried[1:], strict=False)]
        assert gaps == [1, 2, 4, 8, 8, 8][: len(gaps)] and len(gaps) >= 4
        srv.start()
        mono.t += 8
        assert link.run(lambda r: r.get("seen")) == b"1" and link.up is True
    messages = [r.getMessage() for r in caplog.records if "Redis" in r.getMessage()]
    assert len([m for m in messages if "unreachable" in m]) == 1
    assert len([m for m in messages if "is back" in m]) == 1
