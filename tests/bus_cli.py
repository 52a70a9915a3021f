"""The CLI against the bus simulator: configs, keys, where a key could leak (the run itself:
tests/cli_run.py).

with SeoulApi(SUBWAY_KEY, OPEN_KEY) as api:
    cfg = bus_config(tmp_path, api, stops=("19007", "19008"))
    r = kiosk("fetch", "--config", str(cfg), "--source", "bus", "--json", env=bus_env())
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote, quote_plus

import yaml

from tests.httpserver import BUS_KEY, SeoulApi, kiosk_config_dict

SUBWAY_KEY, OPEN_KEY = "SubwayKey-0123456789abcdef", "OpenKey-fedcba9876543210"
YEOUIDO = {"lat": 37.5216, "lon": 126.9243}  # the simulator's stops lie around it
# What `kiosk fetch --json` says of each bus arrival.
BUS_ITEM_FIELDS = {
    "ars_id",
    "stop",
    "route",
    "route_type",
    "direction",
    "order",
    "eta_s",
    "stops_away",
    "message",
    "state",
    "last_bus",
    "low_floor",
    "congestion",
}


def bus_env(key: str = BUS_KEY) -> dict[str, str]:
    """The environment with only the bus key."""
    return {"SEOUL_BUS_API_KEY": key}


def bus_config(
    tmp_path: Path,
    api: SeoulApi,
    stops: tuple[str, ...] = ("19007",),
    demo: bool = False,
    **sources: object,
) -> Path:
    """A config at Yeouido with these bus stops, its endpoints on ``api``, its cache in tmp."""
    data = kiosk_config_dict(api, tmp_path / "cache", **sources)
    station = data["station"]
    assert isinstance(station, dict)
    station.update(location=dict(YEOUIDO), bus_stops=[{"ars_id": a} for a in stops])
    src = data["sources"]
    assert isinstance(src, dict)
    src["demo"] = demo
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def key_forms(key: str = BUS_KEY) -> list[str]:
    """A key as it may be written anywhere: as given, and escaped as URLs carry it."""
    return sorted({key, quote(key, safe=""), quote(key), quote_plus(key)})


def stored_bytes(folder: Path) -> bytes:
    """Every byte of every file under ``folder`` (cache, ledgers, history, their journals)."""
    return b"".join(p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file())
