"""`kiosk find-stops` end to end (the CLI in a subprocess, the real session, the bus simulator),
and the check-config warning that sends a technician to it.

The stops come nearest first with ARS id, name and distance, as a table or JSON; every failure
is one line and exit 1; the call counts on the bus key's ledger, a daily-limit answer blocks the
key (for `kiosk fetch` too); the key is nowhere in the output, the logs or the cache folder.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from kiosk.config import load_all
from kiosk.config_warnings import config_warnings
from tests.bus_cli import (
    OPEN_KEY,
    SUBWAY_KEY,
    bus_config,
    bus_env,
    key_forms,
    stored_bytes,
)
from tests.cli_run import kiosk
from tests.config_files import example_config, write_config
from tests.httpserver import BUS_KEY, SeoulApi


@pytest.fixture
def api() -> Iterator[SeoulApi]:
    with SeoulApi(SUBWAY_KEY, OPEN_KEY) as server:
        yield server


def _rows(stdout: str) -> list[list[str]]:
    lines = stdout.splitlines()
    start = lines.index("ARS ID  DISTANCE  NAME") + 1
    end = lines.index("", start)
    return [re.split(r"\s{2,}", line.strip()) for line in lines[start:end]]


def test_the_table_lists_the_stops_nearest_first_and_what_to_paste(api: SeoulApi, tmp_path):
    cfg = str(bus_config(tmp_path, api))
    r = kiosk("find-stops", "--config", cfg, "--radius", "500", env=bus_env())
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.startswith(
        "bus stops within 500 m of station.location (37.52160, 126.92430), nearest first:"
    )
    rows = _rows(r.stdout)
    # The stop without an ARS number ("0") is left out, KBS lies beyond 500 m.
    assert [(row[0], row[2]) for row in rows] == [
        ("19007", "여의도환승센터"),
        ("19008", "여의도역"),
        ("19010", "여의도공원"),
    ]
    metres = [int(row[1].removesuffix(" m")) for row in rows]
    assert metres == sorted(metres) and 20 < metres[0] < 50 and metres[-1] < 500
    assert '    - {ars_id: "19007"}   # 여의도환승센터' in r.stdout.splitlines()
    (path,) = api.paths
    assert "/stationinfo/getStationByPos?" in path
    assert "&tmX=126.9243000&tmY=37.5216000&radius=500&resultType=json" in path


def test_json_gives_the_stops_with_their_distance_and_the_default_radius(api, tmp_path):
    r = kiosk("find-stops", "--config", str(bus_config(tmp_path, api)), "--json", env=bus_env())
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert set(out) == {"location", "radius_m", "fetched_at", "error", "stops"}
    assert out["radius_m"] == 300 and out["error"] is None
    assert out["location"] == {"lat": 37.5216, "lon": 126.9243}
    assert [s["ars_id"] for s in out["stops"]] == ["19007", "19008"]  # 19010 is ~375 m away
    first = out["stops"][0]
    assert set(first) == {"ars_id", "name", "distance_m", "lat", "lon"}
    assert first["name"] == "여의도환승센터" and isinstance(first["distance_m"], int)
    assert (round(first["lat"], 5), round(first["lon"], 5)) == (37.52183, 126.92404)


def test_no_stop_in_the_radius_is_an_answer_not_a_failure(api: SeoulApi, tmp_path: Path):
    cfg = str(bus_config(tmp_path, api))
    r = kiosk("find-stops", "--config", cfg, "--radius", "10", env=bus_env())
    assert r.returncode == 0, r.stderr
    assert r.stdout == (
        "no bus stops within 10 m of station.location (37.52160, 126.92430); "
        "try a larger --radius (up to 2000)\n"
    )
    r = kiosk("find-stops", "--config", cfg, "--radius", "10", "--json", env=bus_env())
    assert r.returncode == 0 and json.loads(r.stdout)["stops"] == []


def test_a_demo_config_still_asks_the_live_api(api: SeoulApi, tmp_path: Path):
    r = kiosk("find-stops", "--config", str(bus_config(tmp_path, api, demo=True)), env=bus_env())
    assert r.returncode == 0, r.stderr
    assert [row[0] for row in _rows(r.stdout)] == ["19007", "19008"]
    assert api.hits("getStationByPos") == 1


def test_no_key_a_rejected_key_and_the_network_each_fail_in_one_line(api, tmp_path):
    cfg = str(bus_config(tmp_path, api))
    r = kiosk("find-stops", "--config", cfg, env={})
    assert (r.returncode, r.stdout) == (1, "")
    assert r.stderr == (
        "kiosk find-stops: no bus API key: set SEOUL_BUS_API_KEY or sources.bus_api_key_file\n"
    )
    assert api.paths == []  # nothing was asked without a key
    for shape in ("headerCd7", "gateway"):
        api.bus.bad_key_shape = shape
        r = kiosk("find-stops", "--config", cfg, env=bus_env("NOT-the-bus-key-12345"))
        assert r.returncode == 1 and r.stdout == "" and len(r.stderr.splitlines()) == 1, shape
        assert r.stderr.startswith("kiosk find-stops: the bus API key was rejected (GATEWAY-30 "), (
            r.stderr
        )
        assert "check SEOUL_BUS_API_KEY or sources.bus_api_key_file" in r.stderr
        assert "NOT-the-bus-key-12345" not in r.stderr
    api.down()
    r = kiosk("find-stops", "--config", cfg, env=bus_env())
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr == f"kiosk find-stops: connection refused by 127.0.0.1:{api.port}\n"


def test_a_bad_radius_is_a_usage_error(api: SeoulApi, tmp_path: Path):
    cfg = str(bus_config(tmp_path, api))
    for radius, why in (("5000", "5000 m is out of range (1..2000)"), ("near", "whole metres")):
        r = kiosk("find-stops", "--config", cfg, "--radius", radius, env=bus_env())
        assert r.returncode == 2 and why in r.stderr.splitlines()[-1], r.stderr
    assert api.paths == []


@pytest.mark.parametrize("shape", ["headerCd7", "gateway"])
def test_the_daily_limit_blocks_the_bus_key_until_midnight_for_fetch_too(api, tmp_path, shape):
    api.bus.quota = 0  # the key's day is already spent elsewhere
    api.bus.quota_shape = shape
    cfg = str(bus_config(tmp_path, api))
    r = kiosk("find-stops", "--config", cfg, env=bus_env())
    assert r.returncode == 1 and len(r.stderr.splitlines()) == 1, r.stderr
    assert r.stderr.startswith("kiosk find-stops: the bus key's daily limit is reached (GATEWAY-22")
    assert r.stderr.endswith("no calls until 00:00 KST\n")
    ledger = json.loads((tmp_path / "cache" / "quota-bus.json").read_text())
    assert ledger["used"] == 1 and ledger["blocked_until"].endswith("T00:00:00+09:00")
    again = kiosk("find-stops", "--config", cfg, env=bus_env())
    assert again.returncode == 1 and re.fullmatch(
        r"kiosk find-stops: the bus key's daily limit was reached; no calls until "
        r"\d{4}-\d\d-\d\d 00:00:00 KST\n",
        again.stderr,
    ), again.stderr
    fetch = kiosk("fetch", "--config", cfg, "--source", "bus", "--json", env=bus_env())
    assert json.loads(fetch.stdout)["bus"]["status"] == "rate_limited"
    assert api.bus.calls == 1  # neither the second lookup nor the fetch called a blocked key


@pytest.mark.parametrize("given", ["decoded", "encoded"])
def test_the_key_is_nowhere_in_output_logs_or_the_cache_folder(api, tmp_path, given):
    key = BUS_KEY if given == "decoded" else quote(BUS_KEY, safe="")  # data.go.kr shows both
    cfg = str(bus_config(tmp_path, api))
    runs = [
        kiosk("find-stops", "--config", cfg, "--json", env=bus_env(key), debug_logs=True),
        kiosk("find-stops", "--config", cfg, env=bus_env(key)),
    ]
    assert all(r.returncode == 0 for r in runs), runs[0].stderr
    assert "/getStationByPos?serviceKey=****&" in runs[0].stderr  # urllib3 logged it, masked
    stored = stored_bytes(tmp_path / "cache")
    assert "여의도환승센터".encode() in stored  # the answer is cached ...
    for form in key_forms(BUS_KEY):
        assert form.encode() not in stored, form  # ... without the key, in any form
        for r in runs:
            assert form not in r.stdout and form not in r.stderr, form


# --- check-config: a buses page and no stops --------------------------------------------------


def test_check_config_warns_about_a_buses_page_without_stops_and_names_find_stops(tmp_path):
    cfg = example_config()
    cfg["station"].pop("bus_stops")
    path = write_config(tmp_path, cfg)
    loaded, layout = load_all(path)
    (w,) = config_warnings(loaded, layout, path, {})
    assert w.startswith("station.bus_stops: the layout has a buses page ('buses') but no stops")
    assert "설정된 정류소 없음 · No bus stops configured" in w
    assert f"kiosk find-stops --config {path} lists the stops around station.location" in w
    r = kiosk("check-config", "--config", str(path))
    assert r.returncode == 0 and r.stderr == f"warning: {w}\n", r.stderr
    cfg["station"]["bus_stops"] = [{"ars_id": "19007"}]
    assert config_warnings(*load_all(write_config(tmp_path, cfg)), path, {}) == []


def test_no_bus_stops_warning_for_a_layout_without_a_buses_page(tmp_path):
    cfg = example_config()
    cfg["station"].pop("bus_stops")
    layout = {"pages": [{"id": "arrivals", "kind": "arrivals", "duration": 20}]}
    path = write_config(tmp_path, cfg, layout)
    assert config_warnings(*load_all(path), path, {}) == []
