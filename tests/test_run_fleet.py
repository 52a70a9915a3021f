"""Three real `kiosk run` processes of one station on one real redis-server (with a password)
against the local API simulator, next to one `kiosk run` alone as a station has it today:

* together the three make as many subway calls as the one alone;
* Redis stopped mid-run: each goes on by itself (on its share) and keeps showing fresh
  arrivals, status ok, never stale;
* Redis back: they share again by themselves: the shared count grows, the local ones stop;
* no key and no password in any Redis key or value, cache file, output or status.

Each kiosk serves /metrics (what the test watches: cheap to scrape, and the same judgement as
`kiosk status`, which is checked too). Short intervals: subway calls at most every 5 s, answers
reused for 10 s (more than the 7 s a poll tick can lag behind another screen's)."""

from __future__ import annotations

import json
import time
import urllib.request
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

import yaml
from prometheus_client.parser import text_string_to_metric_families

from kiosk.core.timeutil import KST
from kiosk.poller.fingerprint import fingerprint
from tests.httpserver import SeoulApi, kiosk_config_dict
from tests.kiosk_process import RunningKiosk, sources_of
from tests.redis_server import RedisServer, free_port
from tests.waiting import poll_until

SUBWAY_KEY, OPEN_KEY = "SUBWAYKEY-station-0123456789", "OPENKEY-station-9876543210"
PASSWORD = "station-redis-0123456789abcdef"
ENV = {"SEOUL_SUBWAY_API_KEY": SUBWAY_KEY, "SEOUL_API_KEY": OPEN_KEY}
STALE_AFTER_S = 40


class Screen:
    """One `kiosk run` with its folder, log file and /metrics port."""

    def __init__(self, name: str, tmp: Path, api: SeoulApi, redis: RedisServer | None):
        self.name = name
        self.dir = tmp / name
        self.dir.mkdir()
        self.port = free_port()
        sources: dict[str, Any] = {
            "subway_daily_budget": 100_000,
            "subway_min_interval": 5,
            "cache_expiry": {"subway": 10},
            "freshness": {"subway": {"stale_after": STALE_AFTER_S, "unavailable_after": 80}},
        }
        if redis is not None:
            (self.dir / "redis-password").write_text(PASSWORD + "\n")
            sources.update(
                cache_url=f"{redis.url}?client_name={name}",
                cache_password_file=str(self.dir / "redis-password"),
                fleet_size=3,
            )
        cfg = kiosk_config_dict(api, self.dir, **sources)
        cfg["layout"] = str(tmp / "layout.yaml")
        cfg["metrics"] = {"listen": f"127.0.0.1:{self.port}"}
        config = self.dir / "config.yaml"
        config.write_text(yaml.safe_dump(cfg, allow_unicode=True))
        self.log: TextIO = open(self.dir / "kiosk.log", "w")  # noqa: SIM115 (closed in stop)
        self.kiosk = RunningKiosk(config, self.dir, env=ENV, output=self.log)

    def metrics(self) -> dict[tuple[str, str], float]:
        """(metric, label value) -> value of the subway's series, or {} while not serving."""
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/metrics", timeout=5) as r:
                text = r.read().decode()
        except OSError:
            return {}
        out = {}
        for family in text_string_to_metric_families(text):
            for s in family.samples:
                if s.labels.get("source") == "subway" or s.labels.get("key") == "subway":
                    out[(s.name, s.labels.get("state", ""))] = s.value
        return out

    def subway_ok(self) -> bool:
        m = self.metrics()
        return m.get(("kiosk_source_state", "ok")) == 1

    def shared(self) -> float | None:
        return self.metrics().get(("kiosk_quota_shared", ""))

    def fetched_after(self, when: float) -> bool:
        """Whether the arrivals on screen were fetched after ``when`` (time.time())."""
        age = self.metrics().get(("kiosk_source_age_seconds", ""))
        return age is not None and time.time() - age > when

    def local_used(self) -> int:
        raw = json.loads((self.dir / "quota-subway.json").read_text())
        return int(raw["used"])

    def stop(self) -> str:
        self.kiosk.stop()
        self.log.close()
        return (self.dir / "kiosk.log").read_text()


def watch_ok(screens: list[Screen], seen: list[str]) -> None:
    """Record any screen whose subway is not ok at this moment."""
    for s in screens:
        m = s.metrics()
        if m and m.get(("kiosk_source_state", "ok")) != 1:
            state = next((k[1] for k, v in m.items() if k[0] == "kiosk_source_state" and v), "?")
            seen.append(f"{s.name}: {state} at {datetime.now(KST):%H:%M:%S}")


def counted_once(r: Any, key: str, api: SeoulApi) -> bool:
    """Whether the day's count in Redis comes to the calls the API server saw. A screen counts
    a call when its answer is back, so a call still on its way is waited for (a few seconds)."""
    return poll_until(lambda: int(r.get(key) or 0) == api.calls["subway"], 15, every=0.2)


def test_three_screens_share_one_redis_go_on_alone_without_it_and_share_again(
    tmp_path: Path,
) -> None:
    (tmp_path / "layout.yaml").write_text(
        yaml.safe_dump({"pages": [{"id": "arrivals", "kind": "arrivals", "duration": 20}]})
    )
    redis = RedisServer(tmp_path, password=PASSWORD, persist=True).start()
    station, today = SeoulApi(SUBWAY_KEY, OPEN_KEY).start(), SeoulApi(SUBWAY_KEY, OPEN_KEY).start()
    fleet = [Screen(f"screen{k}", tmp_path, station, redis) for k in range(3)]
    alone = Screen("alone", tmp_path, today, None)
    used_key = f"kiosk:quota:subway:{fingerprint(SUBWAY_KEY)}:used:{datetime.now(KST):%Y-%m-%d}"
    r = redis.client()
    outputs: list[str] = []
    not_ok: list[str] = []
    try:
        assert poll_until(lambda: all(s.subway_ok() for s in [*fleet, alone]), 120)
        assert all(s.shared() == 1 for s in fleet)

        # 1. Together as many calls as one alone: over the time the lone kiosk makes 3 calls.
        f0, a0 = station.calls["subway"], today.calls["subway"]
        assert poll_until(lambda: today.calls["subway"] >= a0 + 3, 90)
        fleet_calls, alone_calls = station.calls["subway"] - f0, today.calls["subway"] - a0
        assert fleet_calls <= alone_calls + 1, (fleet_calls, alone_calls)
        assert counted_once(r, used_key, station), (r.get(used_key), station.calls["subway"])
        outputs.append(alone.stop())

        # 2. Redis stopped: each screen on its own, arrivals still fresh, never stale.
        redis.stop()
        stopped = time.time()

        def alone_and_fresh() -> bool:
            watch_ok(fleet, not_ok)
            return all(s.shared() == 0 and s.fetched_after(stopped) for s in fleet)

        assert poll_until(alone_and_fresh, 90, every=0.5)
        assert all(s.subway_ok() for s in fleet)
        during = [s.local_used() for s in fleet]

        # 3. Redis back: they rejoin by themselves; the shared count grows, the local ones stop.
        redis.start()

        def sharing() -> bool:
            watch_ok(fleet, not_ok)
            return all(s.shared() == 1 for s in fleet)

        assert poll_until(sharing, 90, every=0.5)
        joined = [s.local_used() for s in fleet]
        assert all(j >= d for j, d in zip(joined, during, strict=True))
        # What each screen counted on its own meanwhile was handed to Redis as it rejoined.
        assert counted_once(r, used_key, station), (r.get(used_key), station.calls["subway"])
        count = int(r.get(used_key) or 0)

        def shared_grows() -> bool:
            watch_ok(fleet, not_ok)
            return int(r.get(used_key) or 0) >= count + 2

        assert poll_until(shared_grows, 60, every=0.5)
        assert [s.local_used() for s in fleet] == joined  # counted in Redis only now
        assert counted_once(r, used_key, station), (r.get(used_key), station.calls["subway"])
        assert not not_ok, not_ok  # never stale, never an error, through all of it
        st = fleet[0].kiosk.status()
        assert st is not None and sources_of(st)["subway"]["status"] == "ok"
        status_text = json.dumps(st)
    finally:
        for s in [*fleet, alone]:
            if s.kiosk.proc.poll() is None or not s.log.closed:
                outputs.append(s.stop())
        dump = redis.dump() if redis.proc is not None else []
        redis.stop()
        station.stop()
        today.stop()
    assert all(s.kiosk.proc.returncode == 0 for s in [*fleet, alone]), outputs
    secrets = (SUBWAY_KEY, quote(SUBWAY_KEY), OPEN_KEY, PASSWORD)
    assert dump and any(k.startswith(b"kiosk:http:") for k, _ in dump)
    blob = b"\n".join(k + b"\x00" + v for k, v in dump)
    for s in fleet:
        blob += b"".join(p.read_bytes() for p in s.dir.glob("http.sqlite*"))
    text = "\n".join(outputs) + status_text
    for secret in secrets:
        assert secret.encode() not in blob and secret not in text, secret
    assert "Traceback" not in text
    # The outage and the return are logged once per screen, not once per poll.
    logs = "\n".join(outputs)
    assert logs.count("going on with local data") == 3 and logs.count("sharing again") == 3
