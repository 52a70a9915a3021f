"""``kiosk fetch`` end to end: the CLI in a subprocess, keys in its environment, against the local
Seoul API simulator; output shape as fixed in DESIGN.md, exit codes, and no key anywhere."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
import yaml

from kiosk.core.timeutil import now_kst
from tests.bus_cli import BUS_ITEM_FIELDS
from tests.cli_run import kiosk
from tests.httpserver import ALERTS_KEY, BUS_KEY, Reply, SeoulApi, kiosk_config_dict
from tests.httpserver.alerts import alert_row

SUBWAY_KEY, OPEN_KEY = "SubwayKey-0123456789abcdef", "OpenKey-fedcba9876543210"
STATUSES = {"ok", "stale", "empty", "error", "rate_limited", "unauthorized"}


@pytest.fixture
def api() -> Iterator[SeoulApi]:
    with SeoulApi(SUBWAY_KEY, OPEN_KEY) as server:
        yield server


def write_config(tmp_path: Path, api: SeoulApi | None, **sources: object) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(
        yaml.safe_dump(kiosk_config_dict(api, tmp_path / "cache", **sources), allow_unicode=True)
    )
    return path


KEYS = {
    "SEOUL_SUBWAY_API_KEY": SUBWAY_KEY,
    "SEOUL_API_KEY": OPEN_KEY,
    "SEOUL_BUS_API_KEY": BUS_KEY,
    "SAFETYDATA_API_KEY": ALERTS_KEY,
}


def test_fetch_json_reports_every_source_in_the_documented_shape(
    api: SeoulApi, tmp_path: Path
) -> None:
    issued = now_kst().replace(microsecond=0)
    api.alerts.set_rows(
        alert_row(266801, "[중구청] 한파경보 발효", "서울특별시 중구 ", issued, category="한파"),
        alert_row(266800, "부산 호우", "부산광역시 중구 ", issued, "안전안내"),
    )
    cfg = write_config(tmp_path, api)
    r = kiosk("fetch", "--config", str(cfg), "--json", env=KEYS)
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert list(out) == ["subway", "air", "parks", "trails", "bikes", "events", "bus", "alerts"]
    for name, entry in out.items():
        assert set(entry) == {"status", "fetched_at", "error", "items"}, name
        assert entry["status"] == "ok" and entry["error"] is None and entry["items"], name
        assert datetime.fromisoformat(entry["fetched_at"]).utcoffset() is not None
    subway = out["subway"]["items"]
    assert set(subway[0]) == {
        "line_id",
        "line",
        "direction",
        "destination",
        "eta_s",
        "arrival_code",
        "message",
        "train_no",
        "express",
        "last_train",
        "received_at",
    }
    assert {i["line_id"] for i in subway} == {"1001", "1004"}
    assert any(i["eta_s"] is None for i in subway) and any(
        isinstance(i["eta_s"], int) for i in subway
    )
    assert datetime.fromisoformat(subway[0]["received_at"]).utcoffset().total_seconds() == 9 * 3600
    bus = out["bus"]["items"]
    assert set(bus[0]) == BUS_ITEM_FIELDS
    assert {i["ars_id"] for i in bus} == {"02005"} and {i["order"] for i in bus} == {1, 2}
    air = out["air"]["items"][0]
    assert air == {
        **air,
        "district": "중구",
        "pm10": 25.0,
        "pm25": 9.0,
        "pm10_grade": "good",
        "pm25_grade": "good",
    }
    assert set(air) == {"district", "pm10", "pm25", "pm10_grade", "pm25_grade", "measured_at"}
    parks = out["parks"]["items"]
    assert set(parks[0]) == {"name", "district", "lat", "lon", "distance_m"}
    assert [p["name"] for p in parks][0] == "남산공원" and parks[0]["distance_m"] < parks[-1][
        "distance_m"
    ]
    assert {"name", "district", "lat", "lon", "distance_m"} <= set(out["trails"]["items"][0])
    bikes = out["bikes"]["items"]
    assert {"station_id", "name", "distance_m", "bikes", "racks", "docks_free"} <= set(bikes[0])
    assert len(bikes) == 5 and bikes == sorted(bikes, key=lambda b: b["distance_m"])
    events = out["events"]["items"]
    assert {e["title"] for e in events} == {"시민청 음악회", "정동 야행", "종로 야간 공연"}
    assert {"title", "district", "place", "starts", "ends", "is_free", "url"} <= set(events[0])
    assert api.calls["bikes"] == 3  # paged through all 2,300 stations
    # The day's feed as published (the screen keeps the district's and the city's: the rules
    # of kiosk.core.notices, applied by the kiosk's notice feed at each tick).
    assert out["alerts"]["items"] == [
        {
            "serial": 266801,
            "level": "emergency",
            "category": "한파",
            "message": "[중구청] 한파경보 발효",
            "regions": ["서울특별시 중구"],
            "issued_at": issued.isoformat(),
        },
        {
            "serial": 266800,
            "level": "advisory",
            "category": "호우",
            "message": "부산 호우",
            "regions": ["부산광역시 중구"],
            "issued_at": issued.isoformat(),
        },
    ]
    (query,) = [q for q in api.alerts.queries if q.get("crtDt") == f"{issued:%Y%m%d}"]
    assert query["numOfRows"] == "1000" and query["returnType"] == "json" and "rgnNm" not in query


def test_the_keys_appear_nowhere_not_in_output_logs_or_cache_files(
    api: SeoulApi, tmp_path: Path
) -> None:
    api.fail("air", Reply(b"bad gateway", status=502))
    api.fail("parks", Reply(b"<html><title>Error</title></html>", content_type="text/html"))
    cfg = write_config(tmp_path, api, cache_expiry={"subway": 0})
    runs = [
        kiosk("fetch", "--config", str(cfg), "--json", env=KEYS, debug_logs=True),
        kiosk("fetch", "--config", str(cfg), env=KEYS),
    ]
    assert "GET /api/subway/****/json/realtimeStationArrival" in runs[0].stderr  # logged, masked
    api.down()
    runs.append(kiosk("fetch", "--config", str(cfg), "--source", "subway", env=KEYS))
    stored = b"".join(p.read_bytes() for p in (tmp_path / "cache").iterdir() if p.is_file())
    assert b"realtimeArrivalList" in stored  # the answers are cached ...
    assert b"NORMAL SERVICE" in stored  # the alert feed's answer too
    for key in (SUBWAY_KEY, OPEN_KEY, BUS_KEY, ALERTS_KEY):
        assert key.encode() not in stored  # ... without the keys
        for r in runs:
            assert key not in r.stdout and key not in r.stderr
    assert "connection refused" in runs[-1].stdout  # served from the cache, with the reason


def test_table_output_and_a_source_filter(api: SeoulApi, tmp_path: Path) -> None:
    cfg = write_config(tmp_path, api)
    r = kiosk("fetch", "--config", str(cfg), "--source", "air", env=KEYS)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["SOURCE", "STATUS", "ITEMS", "AGE", "ERROR"]
    assert lines[1].split()[:3] == ["air", "ok", "1"] and len(lines) == 2
    assert api.paths and all("RealtimeCityAir" in p for p in api.paths)


def test_every_source_failing_exits_1_and_says_why(api: SeoulApi, tmp_path: Path) -> None:
    cfg = write_config(tmp_path, api)
    r = kiosk("fetch", "--config", str(cfg), "--json", env={})
    assert r.returncode == 1
    out = json.loads(r.stdout)
    assert {e["status"] for e in out.values()} == {"unauthorized"}
    assert out["air"]["error"] == "no API key: set SEOUL_API_KEY or sources.api_key_file"
    assert out["air"]["fetched_at"] is None and out["air"]["items"] == []


def test_a_rejected_key_is_reported_as_unauthorized(api: SeoulApi, tmp_path: Path) -> None:
    cfg = write_config(tmp_path, api)
    r = kiosk(
        "fetch",
        "--config",
        str(cfg),
        "--json",
        env={"SEOUL_SUBWAY_API_KEY": "wrong-000000", "SEOUL_API_KEY": OPEN_KEY},
    )
    assert r.returncode == 0  # the other sources answered
    out = json.loads(r.stdout)
    assert (
        out["subway"]["status"] == "unauthorized"
        and "API key was rejected" in out["subway"]["error"]
    )
    assert out["air"]["status"] == "ok"
    assert set(o["status"] for o in out.values()) <= STATUSES


def test_quota_exceeded_and_empty_answers(api: SeoulApi, tmp_path: Path) -> None:
    api.quota["subway"] = 0
    api.fail("events", Reply(b'{"RESULT":{"CODE":"INFO-200","MESSAGE":"no data"}}'))
    cfg = write_config(tmp_path, api)
    out = json.loads(kiosk("fetch", "--config", str(cfg), "--json", env=KEYS).stdout)
    assert (
        out["subway"]["status"] == "rate_limited"
        and "daily quota exceeded" in out["subway"]["error"]
    )
    assert out["events"] == {**out["events"], "status": "empty", "items": [], "error": None}
    again = json.loads(
        kiosk("fetch", "--config", str(cfg), "--json", "--source", "subway", env=KEYS).stdout
    )
    assert again["subway"]["status"] == "rate_limited"
    assert api.calls["subway"] == 1  # the second run did not call a blocked key


def test_unknown_source_is_a_usage_error(api: SeoulApi, tmp_path: Path) -> None:
    r = kiosk("fetch", "--config", str(write_config(tmp_path, api)), "--source", "buses", env=KEYS)
    assert r.returncode == 2 and "unknown source 'buses'" in r.stderr and api.paths == []


def test_demo_mode_needs_no_key_and_no_network(tmp_path: Path) -> None:
    data = kiosk_config_dict(None, tmp_path / "cache")
    data["station"].update(  # type: ignore[union-attr]
        subway_station="여의도",
        lines=["1005", "1009"],
        district="영등포구",
        bus_stops=[{"ars_id": "19007"}],  # the stop of the Yeouido demo recording
    )
    cfg = tmp_path / "demo.yaml"
    cfg.write_text(yaml.safe_dump(data, allow_unicode=True))
    r = kiosk("fetch", "--config", str(cfg), "--json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert {e["status"] for e in out.values()} == {"ok"} and all(e["items"] for e in out.values())


def test_help_explains_the_exit_status() -> None:
    r = kiosk("fetch", "--help")
    assert (
        r.returncode == 0
        and "exit status" in r.stdout
        and "every requested source failed" in r.stdout
    )


def test_an_error_body_or_html_title_quoting_the_request_path_prints_no_key(
    api: SeoulApi, tmp_path: Path
) -> None:
    # Proxies and gateways quote the path they were asked for; the key is in that path.
    title = f"<html><head><title>404 Not Found: /{OPEN_KEY}/json/SearchParkInfoService</title>"
    api.fail("parks", Reply(title + "</head></html>", content_type="text/html"))
    api.fail("air", Reply(f'{{"RESULT":{{"CODE":"ERROR-500","MESSAGE":"bad /{OPEN_KEY}/"}}}}'))
    api.fail(
        "trails",
        Reply(f'{{"RESULT":{{"CODE":"ERROR-500","MESSAGE":"key {OPEN_KEY} refused"}}}}'),
    )
    cfg = write_config(tmp_path, api)
    runs = [
        kiosk("fetch", "--config", str(cfg), env=KEYS),
        kiosk("fetch", "--config", str(cfg), "--json", env=KEYS),
    ]
    out = json.loads(runs[1].stdout)
    assert (
        out["parks"]["error"]
        == "got an HTML page instead of API data: 404 Not Found: /****/json/SearchParkInfoService"
    )
    assert "****" in out["air"]["error"] and "****" in out["trails"]["error"]
    for r in runs:
        assert OPEN_KEY not in r.stdout + r.stderr
        assert "****" in r.stdout


def test_an_unusable_cache_folder_is_one_warning_line_on_stderr(
    api: SeoulApi, tmp_path: Path
) -> None:
    (tmp_path / "cache").write_text("a file where the cache folder should be")
    cfg = write_config(tmp_path, api)
    r = kiosk("fetch", "--config", str(cfg), "--source", "air", env=KEYS)
    assert r.returncode == 0
    assert r.stdout.splitlines()[1].split()[:3] == ["air", "ok", "1"]
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"warning: HTTP cache {tmp_path / 'cache' / 'http.sqlite'} ")
    assert line.endswith("; caching in memory only")
