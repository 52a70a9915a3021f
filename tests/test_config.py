"""`kiosk check-config`: exit 0 for good files; exit 2 and one `key.path: reason` line per problem."""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml

from kiosk.config import load_all
from kiosk.core.lines import LINES
from tests.config_files import example_config as _base
from tests.config_files import problems as _problems
from tests.config_files import write_config as _write
from tests.conftest import EXAMPLES, REPO


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


# --- the mistakes technicians make (issue 12) ----------------------------------------------


def _station(**station) -> dict:
    cfg = _base()
    cfg["station"].update(station)
    return cfg


def test_station_name_with_the_station_suffix_says_what_to_write(tmp_path):
    cfg = _station(
        subway_station="시청역",
        lines=["1001", "1002"],
        district="중구",
        location={"lat": 37.5657, "lon": 126.9769},
    )
    assert _problems(_write(tmp_path, cfg)) == [
        "station.subway_station: write 시청 (the subway API names stations without 역)"
    ]


@pytest.mark.parametrize(
    ("name", "lines", "expected"),
    [
        ("서울역", ["1001"], "station.subway_station: write 서울 (the subway API names"),
        ("이수", ["1004", "1007"], "station.subway_station: write 총신대입구(이수) (the subway"),
        ("여으도", ["1005"], "station.subway_station: the subway API knows no station '여으도'"),
        (
            "강남",
            ["1005"],
            'station.lines[0]: 5호선 ("1005") does not stop at 강남; lines at 강남:',
        ),
        ("신촌", ["1063"], 'station.lines[0]: 경의중앙선 ("1063") does not stop at 신촌'),
    ],
)
def test_a_station_name_the_subway_api_does_not_know_for_the_lines(tmp_path, name, lines, expected):
    probs = _problems(_write(tmp_path, _station(subway_station=name, lines=lines)))
    assert len(probs) == 1 and probs[0].startswith(expected), probs
    if name == "여으도":
        assert probs[0].endswith("did you mean 여의도?")
    if name == "강남":
        assert probs[0].endswith('"1002" (2호선), "1077" (신분당선)')
    if name == "신촌":
        assert probs[0].endswith("on 경의중앙선 the station is called 신촌(경의중앙선)")


def test_bundled_station_list_uses_the_realtime_apis_own_spellings():
    import json

    from kiosk.core.stations import STATION_NAMES, lines_at

    assert set(STATION_NAMES) == set(LINES)  # every line the config accepts can be checked
    assert "총신대입구(이수)" in STATION_NAMES["1004"] and "이수" not in lines_at("이수")
    assert lines_at("서울") == ("1001", "1004", "1032", "1063", "1065") and not lines_at("서울역")
    assert lines_at("신촌") == ("1002",) and lines_at("신촌(경의중앙선)") == ("1063",)
    assert not [n for names in STATION_NAMES.values() for n in names if n.endswith("역")]
    # Every station name in the recorded API bodies is in the list of its line.
    bodies = [*(REPO / "tests/fixtures/seoul-api").glob("subway_*.json")]
    bodies += [*(REPO / "kiosk/demo").glob("subway_*.json")]
    seen = set()

    def walk(o):
        if isinstance(o, dict):
            if "statnNm" in o and o.get("subwayId") in STATION_NAMES:
                seen.add((o["subwayId"], o["statnNm"]))
            for v in o.values():
                walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    for body in bodies:
        walk(json.loads(body.read_text(encoding="utf-8")))
    assert len(seen) >= 10
    assert [(lid, n) for lid, n in seen if n not in STATION_NAMES[lid]] == []


@pytest.mark.parametrize(
    ("district", "hint"),
    [
        ("중", "did you mean 중구?"),
        ("강남시", "did you mean 강남구?"),
        ("Mapo-gu", "did you mean 마포구?"),
        ("해운대구", "e.g. 영등포구, 마포구, 도봉구"),
    ],
)
def test_district_not_one_of_seouls_25_says_which_it_may_be(tmp_path, district, hint):
    probs = _problems(_write(tmp_path, _station(district=district)))
    assert probs == [
        f"station.district: {district!r} is not one of Seoul's 25 districts "
        f"(the air-quality API's 구 names): {hint}"
    ]


def test_a_location_outside_seoul_is_refused(tmp_path):
    busan = _station(location={"lat": 35.1796, "lon": 129.0756})
    (prob,) = _problems(_write(tmp_path, busan))
    assert prob.startswith("station.location: (35.1796, 129.0756) is outside Seoul (lat 37.41..")
    swapped = _station(location={"lat": 126.9243, "lon": 37.5216})
    assert _problems(_write(tmp_path, swapped)) == [
        "station.location: lat and lon are swapped: write {lat: 37.5216, lon: 126.9243}"
    ]


def test_lines_given_as_names_or_numbers_say_write_the_subway_id(tmp_path):
    text = (REPO / "config.example.yaml").read_text(encoding="utf-8")
    text = text.replace('lines: ["1005", "1009"]', 'lines: [5호선, 5, 1009, Line 9, "9999"]')
    text = text.replace("layout: layouts/", f"layout: {REPO}/layouts/")
    p = tmp_path / "config.yaml"
    p.write_text(text, encoding="utf-8")
    assert _problems(p) == [
        "station.lines[0]: '5호선' is a line name, not a subwayId: write \"1005\" (5호선)",
        'station.lines[1]: write "1005" (5호선): YAML reads an unquoted 5 as a number',
        'station.lines[2]: write "1009" (9호선): YAML reads an unquoted 1009 as a number',
        "station.lines[3]: 'Line 9' is a line name, not a subwayId: write \"1009\" (9호선)",
        "station.lines[4]: unknown subwayId '9999' (known: 1001 (1호선), 1002 (2호선), 1003 (3호선), "
        "1004 (4호선), 1005 (5호선), 1006 (6호선), 1007 (7호선), 1008 (8호선), 1009 (9호선), "
        "1032 (GTX-A), 1063 (경의중앙선), 1065 (공항철도), 1067 (경춘선), 1075 (수인분당선), "
        "1077 (신분당선), 1081 (경강선), 1092 (우이신설선), 1093 (서해선), 1094 (신림선))",
    ]


def test_layout_errors_are_reported_together_with_config_errors(tmp_path):
    cfg = _station(district="중")
    probs = _problems(_write(tmp_path, cfg, {"pages": [{"id": "a", "kind": "arrival"}]}))
    assert probs[0].startswith("station.district: ")
    assert probs[1].startswith("layout(layout.yaml).pages[0].kind: ")
    assert len(probs) == 2
    cfg = _base()
    cfg["layout"] = "missing.yaml"  # relative to the config, even though the config is bad
    cfg["station"]["lines"] = []
    probs = _problems(_write(tmp_path, cfg))
    assert probs[-1] == f"layout: file not found: {tmp_path / 'missing.yaml'}"


# --- warnings: a valid config that will not work as it stands --------------------------------


def _warnings(tmp_path, cfg: dict, env: dict | None = None) -> list[str]:
    from kiosk.config_warnings import config_warnings

    path = _write(tmp_path, cfg)
    loaded, layout = load_all(path)
    return config_warnings(loaded, layout, path, env or {})


def test_no_warnings_for_the_shipped_demo_configs(tmp_path):
    from kiosk.config_warnings import config_warnings

    for path in EXAMPLES:
        cfg, layout = load_all(path)
        assert config_warnings(cfg, layout, path, {}) == []


def test_warns_when_the_panel_port_does_not_exist_now(tmp_path):
    cfg = _base()
    cfg["panel"].update(driver="lg", port=str(tmp_path / "ttyUSB7"))
    (w,) = _warnings(tmp_path, cfg)
    assert w.startswith(f"panel.port: {tmp_path / 'ttyUSB7'} does not exist now (is the USB-serial")
    (tmp_path / "ttyUSB7").write_text("")  # plugged in
    cfg["panel"]["port"] = str(tmp_path / "ttyUSB7")
    assert _warnings(tmp_path, cfg) == []
    cfg["panel"]["port"] = "socket://10.0.0.5:9761"  # a network panel: nothing to look at
    assert _warnings(tmp_path, cfg) == []


def test_warns_about_live_data_without_keys_and_finds_keys_in_secrets_env(tmp_path):
    cfg = _base()
    cfg["sources"]["demo"] = False
    warnings = _warnings(tmp_path, cfg)
    assert [w.split(":")[0] for w in warnings] == [
        "sources.subway_api_key_file",
        "sources.bus_api_key_file",
        "sources.api_key_file",
        "sources.alerts_api_key_file",  # polled whatever the pages show
    ]
    assert "no API key: set SEOUL_SUBWAY_API_KEY or sources.subway_api_key_file" in warnings[0]
    assert f"looked in the environment and {tmp_path / 'secrets.env'}" in warnings[0]
    assert warnings[0].endswith("the pages that need it show 연결 안 됨 · Not connected")
    assert warnings[3].startswith(
        "sources.alerts_api_key_file: no API key: set SAFETYDATA_API_KEY or "
        "sources.alerts_api_key_file"
    )
    assert warnings[3].endswith(
        "no emergency alert from the feed reaches the screen (kiosk notice still works)"
    )
    (tmp_path / "secrets.env").write_text("# keys\nSEOUL_SUBWAY_API_KEY=abc123\n")
    more = {"SEOUL_BUS_API_KEY": "busKey-0123456789", "SAFETYDATA_API_KEY": "alertKey-0123456789"}
    (w,) = _warnings(tmp_path, cfg, {"SEOUL_API_KEY": "", **more})
    assert w.startswith("sources.api_key_file: no API key: set SEOUL_API_KEY")
    assert "abc123" not in w
    assert _warnings(tmp_path, cfg, {"SEOUL_API_KEY": "k", **more}) == []


def test_warns_when_demo_data_does_not_exist_for_the_station(tmp_path):
    cfg = _station(
        subway_station="시청",
        lines=["1001", "1002"],
        district="중구",
        location={"lat": 37.5657, "lon": 126.9769},
    )
    assert _warnings(tmp_path, cfg) == [
        "sources.demo: there is no demo recording for 시청 (recorded: 여의도, 홍대입구, 창동); "
        "every page will say 이 역의 시연 데이터 없음 · No demo data for this station"
    ]


def test_check_config_prints_warnings_on_stderr_and_exits_0(tmp_path):
    import os

    cfg = _base()
    cfg["sources"]["demo"] = False
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("SEOUL_") and k != "SAFETYDATA_API_KEY"
    }
    r = _cli("check-config", "--config", str(_write(tmp_path, cfg)), env=env)
    assert r.returncode == 0, r.stderr
    assert "ok (7 pages" in r.stdout
    lines = r.stderr.splitlines()
    assert len(lines) == 4 and all(  # subway, bus, openapi and alert keys
        line.startswith("warning: sources.") and "no API key" in line for line in lines
    )
