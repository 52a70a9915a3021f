"""`kiosk check-config`: exit 0 for good files; exit 2 and one `key.path: reason` line per problem."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiosk.config import load_all
from kiosk.errors import ConfigError
from tests.conftest import REPO

EXAMPLES = [
    REPO / "config.example.yaml",
    REPO / "examples" / "hongik.yaml",
    REPO / "examples" / "changdong.yaml",
]


def _write(tmp_path: Path, cfg: dict, layout: dict | str | None = None) -> Path:
    lay = tmp_path / "layout.yaml"
    if layout is None:
        layout = yaml.safe_load((REPO / "layouts" / "yeouido.yaml").read_text())
    lay.write_text(
        layout if isinstance(layout, str) else yaml.safe_dump(layout, allow_unicode=True)
    )
    cfg.setdefault("layout", str(lay))
    p = tmp_path / "config.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    return p


def _base() -> dict:
    cfg = yaml.safe_load((REPO / "config.example.yaml").read_text())
    cfg.pop("layout")
    return cfg


def _problems(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as e:
        load_all(path)
    return e.value.problems


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_shipped_configs_are_valid(path):
    cfg, layout = load_all(path)
    assert cfg.sources.demo is True
    kinds = [p.kind for p in layout.pages]
    assert set(kinds) == {"arrivals", "buses", "air_quality", "parks", "bikes", "events"}
    assert len(cfg.station.bus_stops) == 1 and cfg.station.bus_stops[0].name is not None


def test_bus_stop_ars_id_must_be_five_digits_and_is_named_by_its_path(tmp_path):
    cfg = _base()
    cfg["station"]["bus_stops"] = [
        {"ars_id": "1900"},
        {"ars_id": "19007", "name": {"ko": "여의도환승센터"}},
        {"ars_id": 668},  # what YAML makes of an unquoted 01234 (octal)
        {"ars_id": "19-07"},
        {"ars_id": "20001", "routes": []},
    ]
    assert sorted(_problems(_write(tmp_path, cfg))) == [
        "station.bus_stops[0].ars_id: an ARS id is the 5-digit number on the stop's sign "
        "(got '1900')",
        "station.bus_stops[1].name.en: required key is missing",
        'station.bus_stops[2].ars_id: write the 5-digit ARS id in quotes, e.g. "19007" (got 668)',
        "station.bus_stops[3].ars_id: an ARS id is the 5-digit number on the stop's sign "
        "(got '19-07')",
        'station.bus_stops[4].routes: list route numbers such as ["7611", "N16"], or leave '
        "routes out",
    ]


def test_bus_stops_accept_a_bare_five_digit_number_and_refuse_duplicates(tmp_path):
    cfg = _base()
    cfg["station"]["bus_stops"] = [{"ars_id": 19007, "routes": [" 7611 ", "N16"]}]
    stop = load_all(_write(tmp_path, cfg))[0].station.bus_stops[0]
    assert (stop.ars_id, stop.name, stop.routes) == ("19007", None, ("7611", "N16"))
    cfg["station"]["bus_stops"] = [{"ars_id": "19007"}, {"ars_id": " 19007 "}]
    assert _problems(_write(tmp_path, cfg)) == ["station.bus_stops: ARS id listed twice: 19007"]
    cfg["station"].pop("bus_stops")
    assert load_all(_write(tmp_path, cfg))[0].station.bus_stops == ()


def test_unknown_key_is_named_with_its_path(tmp_path):
    cfg = _base()
    cfg["station"]["colour"] = "red"
    cfg["sources"]["endpoints"]["subwy"] = "http://x"
    assert sorted(_problems(_write(tmp_path, cfg))) == [
        "sources.endpoints.subwy: unknown key",
        "station.colour: unknown key",
    ]


def test_wrong_types_and_ranges(tmp_path):
    cfg = _base()
    cfg["station"]["location"]["lat"] = "north"
    cfg["panel"]["baudrate"] = -1
    cfg["station"]["lines"] = ["1005", "9999"]
    probs = _problems(_write(tmp_path, cfg))
    assert any(p.startswith("station.location.lat: ") for p in probs)
    assert any(p.startswith("panel.baudrate: ") for p in probs)
    assert any(p.startswith("station.lines[1]: unknown subwayId '9999'") for p in probs)
    assert len(probs) == 3


def test_bad_time_names_the_key(tmp_path):
    cfg = _base()
    cfg["sources"]["service_hours"]["start"] = "25:00"
    probs = _problems(_write(tmp_path, cfg))
    assert probs == ["sources.service_hours.start: bad time '25:00': expected HH:MM (24-hour)"]


def test_missing_required_key(tmp_path):
    cfg = _base()
    del cfg["station"]["district"]
    assert _problems(_write(tmp_path, cfg)) == ["station.district: required key is missing"]


def test_unknown_page_kind(tmp_path):
    layout = {"pages": [{"id": "a", "kind": "weather"}, {"id": "b", "kind": "parks"}]}
    probs = _problems(_write(tmp_path, _base(), layout))
    assert len(probs) == 1
    assert probs[0].startswith("layout(layout.yaml).pages[0].kind: ") and "'weather'" in probs[0]


def test_duplicate_page_ids_and_short_duration(tmp_path):
    layout = {"pages": [{"id": "b", "kind": "parks"}, {"id": "b", "kind": "arrivals"}]}
    probs = _problems(_write(tmp_path, _base(), layout))
    assert probs == ["layout(layout.yaml).pages: duplicate page id 'b'"]
    layout = {"pages": [{"id": "a", "kind": "parks", "duration": 1}]}
    probs = _problems(_write(tmp_path, _base(), layout))
    assert len(probs) == 1 and probs[0].startswith("layout(layout.yaml).pages[0].duration: ")


def test_missing_layout_and_key_files(tmp_path):
    cfg = _base()
    cfg["layout"] = str(tmp_path / "nope.yaml")
    cfg["sources"]["api_key_file"] = str(tmp_path / "missing-key")
    p = tmp_path / "config.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    probs = _problems(p)
    assert f"layout: file not found: {tmp_path / 'nope.yaml'}" in probs
    assert f"sources.api_key_file: file not found: {tmp_path / 'missing-key'}" in probs


def test_yaml_syntax_error_reports_line(tmp_path):
    p = tmp_path / "config.yaml"
    p.write_text("station:\n  name: {ko: 여의도\n  lines: [\n")
    probs = _problems(p)
    assert len(probs) == 1 and probs[0].startswith("config: YAML syntax error at line ")


def _cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args], capture_output=True, text=True, timeout=60, env=env
    )


def test_check_config_cli_exit_codes(tmp_path):
    ok = _cli("check-config", "--config", str(REPO / "config.example.yaml"))
    assert ok.returncode == 0, ok.stderr
    assert "ok (7 pages: arrivals, buses, air, parks, arrivals-again, bikes, events)" in ok.stdout
    cfg = _base()
    cfg["station"]["typo"] = 1
    cfg["panel"]["driver"] = "sony"
    bad = _cli("check-config", "--config", str(_write(tmp_path, cfg)))
    assert bad.returncode == 2
    lines = bad.stderr.strip().splitlines()
    assert "station.typo: unknown key" in lines
    assert any(line.startswith("panel.driver: ") for line in lines)
    assert "Traceback" not in bad.stderr


def test_config_lookup_order(tmp_path):
    import os

    env = dict(os.environ, KIOSK_CONFIG=str(tmp_path / "from-env.yaml"))
    r = _cli("check-config", env=env)
    assert r.returncode == 2
    assert r.stderr.strip() == f"config: file not found: {tmp_path / 'from-env.yaml'}"
