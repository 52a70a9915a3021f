"""`kiosk fetch --source bus --json` end to end: the CLI in a subprocess, the real session and
cache, the TOPIS simulator (tests/httpserver/bus.py) answering every body shape it knows.

List, single object, XML and night bodies give the right statuses and values; a rejected key
(headerCd 7 or the gateway's XML) is `unauthorized`; the daily limit is `rate_limited` and
blocks the key in its ledger until midnight KST, so the next run makes no call; the key, given
in either of its data.go.kr forms, is in no output, no log line and no byte on disk.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from kiosk.core.timeutil import KST
from tests.bus_cli import (
    BUS_ITEM_FIELDS,
    OPEN_KEY,
    SUBWAY_KEY,
    bus_config,
    bus_env,
    key_forms,
    stored_bytes,
)
from tests.cli_run import kiosk
from tests.httpserver import BUS_KEY, SeoulApi

FIELDS = BUS_ITEM_FIELDS


@pytest.fixture
def api() -> Iterator[SeoulApi]:
    with SeoulApi(SUBWAY_KEY, OPEN_KEY) as server:
        yield server


def fetch_bus(cfg: Path, key: str | None = BUS_KEY, debug_logs: bool = False):
    env = bus_env(key) if key is not None else {}
    args = ("fetch", "--config", str(cfg), "--source", "bus", "--json")
    r = kiosk(*args, env=env, debug_logs=debug_logs)
    out = json.loads(r.stdout) if r.stdout.startswith("{") else None
    return r, out


def _by_stop(items: list[dict[str, Any]], ars: str) -> list[tuple[Any, ...]]:
    return [
        (i["route"], i["order"], i["state"], i["eta_s"], i["stops_away"], i["congestion"])
        for i in items
        if i["ars_id"] == ars
    ]


def test_list_single_object_and_xml_stops_in_one_poll(api: SeoulApi, tmp_path: Path):
    api.bus.modes.update({"19008": "single", "19010": "xml"})  # 19007: a list (the default)
    r, out = fetch_bus(bus_config(tmp_path, api, stops=("19007", "19008", "19010")))
    assert r.returncode == 0, r.stderr
    assert out is not None and list(out) == ["bus"]
    entry = out["bus"]
    assert (entry["status"], entry["error"]) == ("ok", None)
    fetched = datetime.fromisoformat(entry["fetched_at"])
    assert fetched.utcoffset() == timedelta(hours=9)
    assert abs((datetime.now(KST) - fetched).total_seconds()) < 60
    items = entry["items"]
    assert all(set(i) == FIELDS for i in items)
    assert api.hits("getStationByUid") == 3  # one call per stop
    # The 2021 capture (a list of four routes): its routes, each with its first and second bus.
    listed = [i for i in items if i["ars_id"] == "19007"]
    assert {i["route"] for i in listed} == {"333", "343", "440", "9202하남"}
    assert len(listed) == 8 and {i["order"] for i in listed} == {1, 2}
    assert {i["stop"] for i in listed} == {"위례신안인스빌.중앙푸르지오"}
    first_333 = next(i for i in listed if i["route"] == "333" and i["order"] == 1)
    assert first_333 == {
        **first_333,
        "route_type": "간선",
        "direction": "올림픽공원",
        "state": "service_ended",
        "eta_s": None,  # no ETA for a service that has ended: never 0
        "low_floor": True,
        "message": "2분20초후[1번째 전]",
    }
    # itemList as one object: 9202하남 arriving, its second bus's service ended.
    assert _by_stop(items, "19008") == [
        ("9202하남", 1, "arriving", 5, None, None),
        ("9202하남", 2, "service_ended", None, None, None),
    ]
    # The XML body: traTime's seconds, not the text's floored minutes; stops away; congestion.
    assert _by_stop(items, "19010") == [
        ("500", 1, "running", 177, 1, "여유"),
        ("500", 2, "running", 1094, 11, "보통"),
        ("643", 1, "running", 188, 1, "보통"),
        ("643", 2, "running", 584, 5, "여유"),
    ]
    assert all(i["eta_s"] is None or i["eta_s"] > 0 for i in items)


def test_night_is_empty_not_a_failure_and_the_other_stops_still_show(api, tmp_path):
    api.bus.modes["19009"] = "night"  # headerCd 4 "결과가 없습니다.", itemList null
    r, out = fetch_bus(bus_config(tmp_path, api, stops=("19009",)))
    assert r.returncode == 0, r.stderr  # an answer, even if it is "no bus now"
    assert out == {"bus": {**out["bus"], "status": "empty", "error": None, "items": []}}
    assert out["bus"]["fetched_at"] is not None
    api.bus.modes["19010"] = "xml"
    r, out = fetch_bus(bus_config(tmp_path, api, stops=("19009", "19010")))
    assert r.returncode == 0 and out["bus"]["status"] == "ok"
    assert {i["ars_id"] for i in out["bus"]["items"]} == {"19010"}


@pytest.mark.parametrize("shape", ["headerCd7", "gateway"])
def test_a_rejected_key_is_unauthorized_in_either_shape(api, tmp_path, shape):
    api.bus.bad_key_shape = shape
    r, out = fetch_bus(bus_config(tmp_path, api), key="NOT-the-bus-key-12345")
    assert r.returncode == 1  # the one requested source failed
    assert out["bus"]["status"] == "unauthorized" and out["bus"]["items"] == []
    assert out["bus"]["error"].startswith("the API key was rejected (GATEWAY-30 ")
    assert "NOT-the-bus-key-12345" not in r.stdout + r.stderr


def test_no_key_is_unauthorized_and_sends_nothing(api: SeoulApi, tmp_path: Path):
    r, out = fetch_bus(bus_config(tmp_path, api), key=None)
    assert r.returncode == 1
    assert out["bus"] == {
        "status": "unauthorized",
        "fetched_at": None,
        "error": "no API key: set SEOUL_BUS_API_KEY or sources.bus_api_key_file",
        "items": [],
    }
    assert api.paths == []


def _next_midnight_kst() -> datetime:
    day = datetime.now(KST).date() + timedelta(days=1)
    return datetime(day.year, day.month, day.day, tzinfo=KST)


@pytest.mark.parametrize("shape", ["headerCd7", "gateway"])
def test_the_daily_limit_is_rate_limited_and_no_call_goes_out_until_midnight(api, tmp_path, shape):
    api.bus.quota = 1  # the first stop's call passes, the second one hits the day's limit
    api.bus.quota_shape = shape
    cfg = bus_config(tmp_path, api, stops=("19007", "19008"))
    r, out = fetch_bus(cfg)
    assert r.returncode == 1
    assert out["bus"]["status"] == "rate_limited" and out["bus"]["items"] == []
    assert out["bus"]["error"].startswith("daily quota exceeded (GATEWAY-22 ")
    assert api.bus.calls == 2
    ledger = json.loads((tmp_path / "cache" / "quota-bus.json").read_text())
    assert ledger["used"] == 2
    assert datetime.fromisoformat(ledger["blocked_until"]) == _next_midnight_kst()
    again, out = fetch_bus(cfg)
    assert again.returncode == 1 and out["bus"]["status"] == "rate_limited"
    assert out["bus"]["error"] == "daily quota exceeded; no calls until 00:00 KST"
    assert api.bus.calls == 2  # the blocked key was not called again


def test_a_failing_gateway_after_a_good_answer_serves_the_stored_one_with_the_reason(
    api: SeoulApi, tmp_path: Path
):
    api.bus.modes["19010"] = "xml"
    cfg = bus_config(tmp_path, api, stops=("19010",), cache_expiry={"bus": 0})
    r, first = fetch_bus(cfg)
    assert r.returncode == 0 and first["bus"]["status"] == "ok"
    api.bus.modes["19010"] = "down"  # HTTP 503 without an API body
    r, out = fetch_bus(cfg)
    assert r.returncode == 1  # this poll failed ...
    bus = out["bus"]
    assert bus["status"] == "ok" and bus["items"] == first["bus"]["items"]  # ... young data shown
    assert bus["fetched_at"] == first["bus"]["fetched_at"]  # with its own age
    assert bus["error"] == f"HTTP 503 Service Unavailable from 127.0.0.1:{api.port}"
    api.bus.modes["19011"] = "down"
    r, out = fetch_bus(bus_config(tmp_path / "other", api, stops=("19011",)))
    assert r.returncode == 1 and out["bus"]["status"] == "error" and out["bus"]["items"] == []


@pytest.mark.parametrize("given", ["decoded", "encoded"])
def test_the_key_is_nowhere_on_disk_in_output_or_in_a_log_line(api, tmp_path, given):
    key = BUS_KEY if given == "decoded" else quote(BUS_KEY, safe="")  # data.go.kr shows both
    api.bus.modes.update({"19008": "single", "19010": "xml"})
    cfg = bus_config(tmp_path, api, stops=("19007", "19008", "19010"), cache_expiry={"bus": 0})
    runs = [fetch_bus(cfg, key, debug_logs=True)[0]]
    assert runs[0].returncode == 0, runs[0].stderr
    assert "GET /api/rest/stationinfo/getStationByUid?serviceKey=****&arsId=19007" in (
        runs[0].stderr
    )  # urllib3 logged the request, masked
    api.bus.bad_key_shape = "gateway"
    runs.append(fetch_bus(cfg, "WRONG-bus-key-000000", debug_logs=True)[0])  # rejected
    assert "unauthorized" in runs[-1].stdout and "WRONG-bus-key-000000" not in runs[-1].stderr
    api.bus.modes["19007"] = "down"
    runs.append(fetch_bus(cfg, key, debug_logs=True)[0])  # 503, the stored answer stands in
    api.bus.quota = 0
    runs.append(fetch_bus(cfg, key, debug_logs=True)[0])
    assert "daily quota exceeded" in runs[-1].stdout
    stored = stored_bytes(tmp_path / "cache")
    assert "9202하남".encode() in stored  # the answers are cached ...
    for form in key_forms(BUS_KEY):
        assert form.encode() not in stored, form  # ... without the key, in any form
        for r in runs:
            assert form not in r.stdout and form not in r.stderr, form
