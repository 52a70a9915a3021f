"""The alert feed as a registry source: its requests (today, yesterday while it still counts),
polled through the real poller and cached session against the simulator, kept polling while the
panel is scheduled off, and its key never on disk or in a log line."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.config import Config
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.station import Station
from kiosk.core.timeutil import KST
from kiosk.poller.jobs import OTHER_TICK_S, tick_for
from kiosk.poller.service import PollerService, fetch_once
from kiosk.sources import alerts
from kiosk.sources.registry import SOURCES, polled_sources
from tests.httpserver import ALERTS_KEY, BUS_KEY, FakeClock, Reply, SeoulApi, kiosk_config_dict
from tests.httpserver.alerts import alert_row
from tests.waiting import poll_until

SUBWAY_KEY, OPEN_KEY = "SubwayKey-0123456789abcdef", "OpenKey-fedcba9876543210"
ENV = {
    "SEOUL_SUBWAY_API_KEY": SUBWAY_KEY,
    "SEOUL_API_KEY": OPEN_KEY,
    "SEOUL_BUS_API_KEY": BUS_KEY,
    "SAFETYDATA_API_KEY": ALERTS_KEY,
}
NIGHT = datetime(2026, 8, 18, 2, 0, tzinfo=KST)  # within 6 h of yesterday's alerts
STATION = Station("서울", ("1001",), "중구", 37.55, 126.97)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(NIGHT)


@pytest.fixture
def api(clock: FakeClock) -> Iterator[SeoulApi]:
    with SeoulApi(SUBWAY_KEY, OPEN_KEY, clock.now) as server:
        yield server


def config(api: SeoulApi, tmp_path: Path, **sources: Any) -> Config:
    return Config.model_validate(kiosk_config_dict(api, tmp_path, **sources))


def test_the_feed_is_asked_for_today_and_for_yesterday_while_the_longest_window_reaches_it():
    assert alerts.days_to_ask(NIGHT, 6 * 3600) == (NIGHT.date(), NIGHT.date() - timedelta(days=1))
    assert alerts.days_to_ask(NIGHT.replace(hour=6, minute=1), 6 * 3600) == (NIGHT.date(),)
    assert len(alerts.days_to_ask(NIGHT, 3 * 86400)) == 4  # windows of days: every such day
    # The days are KST days whatever zone the clock gives: 17:30 UTC is 02:30 next day in Seoul.
    assert alerts.days_to_ask(datetime(2026, 8, 17, 17, 30, tzinfo=UTC), 0) == (NIGHT.date(),)
    spec = SOURCES["alerts"]
    urls = [r.url for r in spec.requests("http://x/a", "K-123", STATION, NIGHT)]  # type: ignore[union-attr]
    assert urls == [
        "http://x/a?serviceKey=K-123&returnType=json&pageNo=1&numOfRows=1000&crtDt=20260818",
        "http://x/a?serviceKey=K-123&returnType=json&pageNo=1&numOfRows=1000&crtDt=20260817",
    ]


def test_the_source_is_declared_once_and_polled_whatever_the_pages_show():
    spec = SOURCES["alerts"]
    assert spec.always_polled and spec.demo is None and spec.interval_s == 60
    assert spec.api.key_env == "SAFETYDATA_API_KEY"
    assert spec.api.endpoint == "https://www.safetydata.go.kr/V2/api/DSSP-IF-00247"
    assert polled_sources(["arrivals"]) == ("subway", "alerts")
    assert polled_sources(["arrivals"], demo=True) == ("subway",)  # no alert feed to replay
    assert [n for n, s in SOURCES.items() if s.always_polled] == ["alerts"]
    cfg = Config.model_validate(kiosk_config_dict(None, Path("/tmp")))
    assert cfg.sources.endpoint("alerts") == spec.api.endpoint
    assert cfg.sources.interval_s("alerts") == 60.0 and cfg.sources.daily_budget("alerts") == 3000
    assert cfg.station_info().alert_lookback_s == 6 * 3600.0


def test_a_body_counts_the_rows_it_drops():
    good = alert_row(1, "한파경보", "서울특별시 전체 ", NIGHT, "안전안내", "한파")
    bad = {**good, "SN": 2, "CRT_DT": "어제"}
    got = alerts.parse_rows(
        '{"header": {"resultCode": "00"}, "body": ' + _json([good, bad]) + "}", NIGHT
    )
    assert ([a.serial for a in got.items], got.rows, got.dropped) == ([1], 2, 1)


def _json(value: object) -> str:
    import json

    return json.dumps(value, ensure_ascii=False)


def test_a_poll_reads_both_days_through_the_cached_session_and_keeps_every_region(
    api: SeoulApi, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    late = NIGHT - timedelta(hours=2, minutes=30)  # 23:30 yesterday: still in force at 02:00
    api.alerts.set_rows(
        alert_row(11, "[서울시] 지진 발생", "서울특별시 전체 ", late, "위급재난", "지진"),
        alert_row(12, "폭염경보", "부산광역시 해운대구 ", NIGHT, "안전안내", "폭염"),
        alert_row(9, "사흘 전", "서울특별시 중구 ", NIGHT - timedelta(days=3), "안전안내"),
    )
    cfg = config(api, tmp_path)
    with caplog.at_level(logging.DEBUG):
        (snap,) = fetch_once(cfg, ["alerts"], NIGHT, env=ENV)
    assert snap.status is FeedStatus.OK
    # Two days asked for; the select keeps every region: the notice feed applies the rules.
    assert [a.serial for a in snap.items] == [12, 11]
    assert sorted(q["crtDt"] for q in api.alerts.queries) == ["20260817", "20260818"]
    stored = b"".join(p.read_bytes() for p in tmp_path.glob("*") if p.is_file())
    assert "지진 발생".encode() in stored and ALERTS_KEY.encode() not in stored
    assert all(ALERTS_KEY not in r.getMessage() for r in caplog.records)
    assert any("DSSP-IF-00247" in r.getMessage() for r in caplog.records)  # logged, masked


def test_a_rejected_key_or_a_garbled_body_keeps_the_last_alerts(
    api: SeoulApi, tmp_path: Path
) -> None:
    api.alerts.set_rows(alert_row(21, "호우경보", "서울특별시 중구 ", NIGHT, "긴급재난"))
    cfg = config(api, tmp_path, cache_expiry={"alerts": 0})
    (snap,) = fetch_once(cfg, ["alerts"], NIGHT, env={**ENV, "SAFETYDATA_API_KEY": "WRONG-000000"})
    assert snap.status is FeedStatus.UNAUTHORIZED and "30" in (snap.error or "")
    api.route(r"^/V2/api/", Reply('{"header": {"resultCode": "00"}, "body": [{"SN": '))
    (snap,) = fetch_once(cfg, ["alerts"], NIGHT, env=ENV)
    assert snap.status is FeedStatus.ERROR and snap.items == ()  # never any data before


class Recorder:
    """Snapshots from the poller's worker threads."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.snaps: list[Snapshot[Any]] = []

    def __call__(self, snap: Snapshot[Any]) -> None:
        with self.lock:
            self.snaps.append(snap)

    def of(self, source: str) -> list[Snapshot[Any]]:
        with self.lock:
            return [s for s in self.snaps if s.source == source]


def test_while_the_panel_is_off_only_the_alert_feed_is_polled(
    api: SeoulApi, tmp_path: Path, clock: FakeClock
) -> None:
    ticks = dict.fromkeys(("subway", "air", "alerts"), 0.05)
    cfg = config(api, tmp_path, cache_expiry={"subway": 0, "air": 0, "alerts": 0})
    rec = Recorder()
    # The test moves the clock by hand: the jobs look every 0.05 s, not when the next call
    # is due by the clock they last read (a clock set forward is seen within max_wait_s).
    svc = PollerService(
        cfg,
        clock.now,
        rec,
        env=ENV,
        tick_s=ticks,
        max_wait_s=0.05,
        sources=("subway", "air", "alerts"),
    )
    svc.pause()  # the panel is already scheduled off when the kiosk starts
    try:
        svc.start()
        assert poll_until(lambda: api.alerts.calls >= 2, 10)  # yesterday and today
        assert api.calls["subway"] == 0 and api.calls["air"] == 0
        api.alerts.add(alert_row(31, "[행정안전부] 지진", "서울특별시 전체 ", NIGHT, "위급재난"))
        clock.advance(61)  # the next call a minute later
        assert poll_until(lambda: any(s.items for s in rec.of("alerts")), 10)
        assert api.calls["subway"] == 0 and api.calls["air"] == 0
        svc.resume()
        assert poll_until(lambda: api.calls["subway"] > 0 and api.calls["air"] > 0, 10)
    finally:
        svc.stop()
        assert svc.wait_closed(10)


def test_a_fixed_interval_is_looked_at_four_times_an_interval():
    assert tick_for(60) == 15.0  # (the job sleeps until a call is due: this is the fallback)
    assert tick_for(600) == OTHER_TICK_S and tick_for(2) == 1.0
