"""A station's screens as real Pollers on one real redis-server against the local API simulator:
the ledgers count on the shared link by the key's fingerprint, the Redis password reaches the
one redactor, single flight lets one screen call while the others wait for its answer, the
screens' pacing counts from the answer they share, and the link is closed with the poller."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from kiosk.app import _secrets
from kiosk.config import Config
from kiosk.core.models import FeedStatus
from kiosk.core.timeutil import KST
from kiosk.errors import ConfigError
from kiosk.poller.fingerprint import fingerprint
from kiosk.poller.service import Poller
from tests.httpserver import SeoulApi, kiosk_config_dict
from tests.redis_server import RedisServer, free_port
from tests.waiting import poll_until

SUBWAY_KEY, OPEN_KEY = "SUBWAYKEY-fleet-0123456789", "OPENKEY-fleet-9876543210"
ENV = {"SEOUL_SUBWAY_API_KEY": SUBWAY_KEY, "SEOUL_API_KEY": OPEN_KEY}
PASSWORD = "fleet-redis-password-0123456789"
T0 = datetime(2026, 11, 24, 13, 0, tzinfo=KST)  # a Tuesday afternoon, outside the rush


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def now(self) -> datetime:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def api(clock: Clock) -> Iterator[SeoulApi]:
    with SeoulApi(SUBWAY_KEY, OPEN_KEY, clock=clock.now) as server:
        yield server


@pytest.fixture
def redis_srv(tmp_path: Path) -> Iterator[RedisServer]:
    with RedisServer(tmp_path, password=PASSWORD) as srv:
        yield srv


def screen_config(
    api: SeoulApi, folder: Path, url: str, name: str, fleet: int = 3, **sources: Any
) -> Config:
    """One screen's config: its own cache folder, the station's Redis with a password file."""
    folder.mkdir(parents=True, exist_ok=True)
    secret = folder / "redis-password"
    secret.write_text(PASSWORD + "\n")
    return Config.model_validate(
        kiosk_config_dict(
            api,
            folder,
            cache_url=f"{url}?client_name={name}",
            cache_password_file=str(secret),
            fleet_size=fleet,
            timeout=10,  # single flight waits one request's timeout: longer than the test holds
            **sources,
        )
    )


def screens(api: SeoulApi, url: str, tmp: Path, n: int = 3, **sources: Any) -> list[Poller]:
    return [
        Poller(screen_config(api, tmp / f"s{k}", url, f"screen{k}", **sources), ("subway",), ENV)
        for k in range(n)
    ]


def named_clients(srv: RedisServer) -> list[dict[str, Any]]:
    return [c for c in srv.client().client_list() if c.get("name", "").startswith("screen")]


def test_ledgers_count_in_redis_by_fingerprint_and_the_link_closes_with_the_poller(
    api: SeoulApi, redis_srv: RedisServer, tmp_path: Path, clock: Clock
) -> None:
    pollers = screens(api, redis_srv.url, tmp_path)
    try:
        for k, p in enumerate(pollers):  # each screen 30 s after the other: each one calls
            clock.t = T0 + timedelta(seconds=30 * k)
            assert p.coordinators["subway"].refresh(clock.t).status == FeedStatus.OK
        assert api.calls["subway"] == 3
        used = f"kiosk:quota:subway:{fingerprint(SUBWAY_KEY)}:used:2026-11-24"
        assert redis_srv.client().get(used) == b"3"
        assert all(p.ledgers["subway"].sharing is True for p in pollers)
        assert all(p.ledgers["subway"].state(clock.t).used == 3 for p in pollers)
        blob = b"\n".join(k + b"\x00" + v for k, v in redis_srv.dump())
        for secret in (SUBWAY_KEY, quote(SUBWAY_KEY), OPEN_KEY, PASSWORD):
            assert secret.encode() not in blob
        assert {c["name"] for c in named_clients(redis_srv)} == {"screen0", "screen1", "screen2"}
    finally:
        for p in pollers:
            p.close()
    assert poll_until(lambda: not named_clients(redis_srv), 10)  # every pool closed


def test_the_redis_password_reaches_the_one_redactor(
    api: SeoulApi, redis_srv: RedisServer, tmp_path: Path
) -> None:
    cfg = screen_config(api, tmp_path / "s", redis_srv.url, "screen0")
    secrets = _secrets(cfg.model_copy(update={"sources": cfg.sources}))
    assert PASSWORD in secrets  # the composition root's redactor masks it in every log line
    poller = Poller(cfg, ("subway",), ENV)  # on its own (`kiosk fetch`): its own redactor
    try:
        assert poller.session is not None
        assert PASSWORD not in poller.session.redactor.secrets_only(f"auth {PASSWORD} failed")
    finally:
        poller.close()


def test_a_password_file_gone_at_start_is_a_config_error_naming_the_key(
    api: SeoulApi, redis_srv: RedisServer, tmp_path: Path
) -> None:
    cfg = screen_config(api, tmp_path / "s", redis_srv.url, "screen0")
    assert cfg.sources.cache_password_file is not None
    Path(cfg.sources.cache_password_file).unlink()
    with pytest.raises(ConfigError) as e:
        Poller(cfg, ("subway",), ENV)
    assert e.value.problems[0].startswith("sources.cache_password_file: password file not found")


def test_one_screen_calls_while_the_others_wait_for_its_answer(
    api: SeoulApi, redis_srv: RedisServer, tmp_path: Path, clock: Clock
) -> None:
    pollers = screens(api, redis_srv.url, tmp_path)
    release = threading.Event()
    api.hold("subway", release)  # the one call that goes out waits until the others wait
    go = threading.Barrier(3)
    snaps: dict[int, Any] = {}

    def refresh(k: int) -> None:
        go.wait(10)
        snaps[k] = pollers[k].coordinators["subway"].refresh(clock.t)

    threads = [threading.Thread(target=refresh, args=(k,)) for k in range(3)]
    try:
        for t in threads:
            t.start()
        assert poll_until(lambda: api.hits("realtimeStationArrival") == 1, 10)
        waiting: set[str] = set()  # screens seen polling the leader's lock (EXISTS) meanwhile

        def two_wait() -> bool:
            waiting.update(c["name"] for c in named_clients(redis_srv) if c["cmd"] == "exists")
            return len(waiting) == 2

        assert poll_until(two_wait, 10), waiting
        release.set()
        for t in threads:
            t.join(20)
    finally:
        release.set()
        for p in pollers:
            p.close()
    assert api.calls["subway"] == 1  # three screens, one call
    assert {s.status for s in snaps.values()} == {FeedStatus.OK}
    assert len({s.fetched_at for s in snaps.values()}) == 1  # the one answer, with its own age
    assert (
        redis_srv.client().get(f"kiosk:quota:subway:{fingerprint(SUBWAY_KEY)}:used:2026-11-24")
        == b"1"
    )


def test_screens_come_due_together_an_interval_after_the_answer_they_share(
    api: SeoulApi, redis_srv: RedisServer, tmp_path: Path
) -> None:
    # 20 s between calls (the shortest interval: the budget is large), answers reused for 20 s.
    a, b = screens(api, redis_srv.url, tmp_path, n=2, subway_daily_budget=100_000)
    ca, cb = a.coordinators["subway"], b.coordinators["subway"]
    try:
        ca.refresh(T0)  # a calls
        snap = cb.refresh(T0 + timedelta(seconds=7))  # b, 7 s later, takes a's answer
        assert snap.fetched_at == T0 and api.calls["subway"] == 1
        # b is due when a is (20 s after the answer), not 20 s after its own look at the cache.
        assert not cb.due(T0 + timedelta(seconds=19)) and cb.due(T0 + timedelta(seconds=20))
        assert ca.due(T0 + timedelta(seconds=20))
        ca.tick(T0 + timedelta(seconds=21))
        cb.tick(T0 + timedelta(seconds=23))  # the same round: a's new answer, no call of its own
        assert api.calls["subway"] == 2
        assert cb.snapshot(T0 + timedelta(seconds=23)).fetched_at == T0 + timedelta(seconds=21)
    finally:
        a.close()
        b.close()


def test_redis_unreachable_at_start_a_screen_polls_on_its_share(
    api: SeoulApi, tmp_path: Path
) -> None:
    dead = f"redis://127.0.0.1:{free_port()}/0"
    (p,) = screens(api, dead, tmp_path, n=1)
    try:
        snap = p.coordinators["subway"].refresh(T0)
        assert snap.status == FeedStatus.OK and api.calls["subway"] == 1
        ledger = p.ledgers["subway"]
        assert ledger.sharing is False
        assert ledger.plan.daily_calls == 1000 // 3  # this screen's share of the key
        assert ledger.state(T0).used == 1
    finally:
        p.close()
