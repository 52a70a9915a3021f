"""Config and layout files that try to exhaust the kiosk (issue 11, findings 12-14): YAML alias
bombs, deep nesting, huge files, thousands of pages, endless strings, keys too short to mask.
`kiosk check-config` runs in a subprocess with its memory capped, so that a regression fails the
test instead of eating the machine."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import yaml

from kiosk.config_yaml import MAX_BYTES
from kiosk.ops.redact import MIN_SECRET_LEN
from tests.config_files import example_config, problems, write_config
from tests.conftest import REPO

MEMORY_CAP = 1536 * 1024 * 1024  # address space for check-config: Python + pydantic fit easily


def bomb(levels: int = 9, anchor: str = "x") -> str:
    """Nested anchors: ``levels`` lists of nine aliases each, 9**levels strings in all."""
    lines = [f'{anchor}0: &{anchor}0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"{anchor}{i}: &{anchor}{i} [" + ",".join([f"*{anchor}{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _cap_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def check_config(path: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("SEOUL_")}
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "check-config", "--config", str(path)],
        cwd=REPO,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=_cap_memory,
    )


def config_text(tmp_path: Path, cfg: dict | None = None) -> str:
    write_config(tmp_path, cfg or example_config())
    return (tmp_path / "config.yaml").read_text()


def test_an_alias_bomb_in_the_config_is_refused_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    text = config_text(tmp_path)
    path.write_text(text + bomb())
    t0 = time.monotonic()
    r = check_config(path)
    assert r.returncode == 2, r.stderr
    assert time.monotonic() - t0 < 30
    (line,) = r.stderr.splitlines()
    assert line.startswith(f"config: refused {path}: expands to more than")
    assert "Traceback" not in r.stderr and "MemoryError" not in r.stderr


def test_an_alias_bomb_in_the_layout_is_refused_too(tmp_path: Path) -> None:
    layout = (REPO / "layouts" / "yeouido.yaml").read_text()
    path = write_config(tmp_path, example_config(), layout=layout + bomb(anchor="p"))
    r = check_config(path)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"layout: refused {tmp_path / 'layout.yaml'}: expands to more than 50000 values "
        "(aliases of aliases?), at line " + r.stderr.split("at line ")[-1].strip()
    ]


def test_aliases_in_reasonable_use_still_work(tmp_path: Path) -> None:
    cfg = example_config()
    cfg["panel"]["schedule"] = [{"at": "05:00", "power": "on"}, {"at": "01:00", "power": "off"}]
    text = config_text(tmp_path, cfg).replace("rush_hours:", "rush_hours: &rush")
    (tmp_path / "config.yaml").write_text(text)
    assert check_config(tmp_path / "config.yaml").returncode == 0


def test_nesting_self_reference_and_size_are_bounded(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    base = config_text(tmp_path)
    cases = {
        "deep": base + "deep: " + "[" * 5000 + "]" * 5000 + "\n",
        "self": base + "loop: &loop [1, *loop]\n",
        "big": base + "#" * (MAX_BYTES + 10) + "\n",
    }
    said = {}
    for name, text in cases.items():
        path.write_text(text)
        r = check_config(path)
        assert r.returncode == 2 and len(r.stderr.splitlines()) == 1, (name, r.stderr[-500:])
        said[name] = r.stderr
    assert "nested more than 16 levels deep" in said["deep"]
    assert "an alias refers to itself" in said["self"]
    assert f"the file is larger than {MAX_BYTES // 1024} KiB" in said["big"]


def test_three_thousand_pages_do_not_pass_check_config(tmp_path: Path) -> None:
    layout = {"pages": [{"id": f"p{i}", "kind": "arrivals"} for i in range(3000)]}
    path = write_config(tmp_path, example_config(), layout=layout)
    r = check_config(path)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "layout(layout.yaml).pages: Tuple should have at most 30 items after validation, not 3000"
    ]


def test_long_strings_and_long_lists_are_named_by_their_key_path(tmp_path: Path) -> None:
    cfg = example_config()
    cfg["station"]["name"]["en"] = "Y" * 10_000
    cfg["panel"]["port"] = "/dev/" + "x" * 5000
    cfg["panel"]["schedule"] = [{"at": "05:00", "power": "on"}] * 200
    cfg["station"]["lines"] = ["1005"] * 9
    found = problems(write_config(tmp_path, cfg))
    assert found == [
        "station.name.en: String should have at most 60 characters",
        "station.lines: Tuple should have at most 8 items after validation, not 9",
        "panel.port: String should have at most 500 characters",
        "panel.schedule: Tuple should have at most 48 items after validation, not 200",
    ]


def test_an_error_quotes_a_huge_value_in_a_few_words(tmp_path: Path) -> None:
    cfg = example_config()
    cfg["display"]["screen"] = {f"k{i}": list(range(50)) for i in range(150)}
    (line,) = problems(write_config(tmp_path, cfg))
    assert line.startswith("display.screen: Input should be a valid integer (got {")
    assert len(line) < 300


def test_keys_too_short_to_mask_are_refused_naming_the_variable_or_file(tmp_path: Path) -> None:
    cfg = example_config()
    cfg["sources"]["demo"] = False
    key_file = tmp_path / "subway.key"
    key_file.write_text("1001\n")  # a real line id: masking it would mask the data
    cfg["sources"]["subway_api_key_file"] = str(key_file)
    path = write_config(tmp_path, cfg)
    r = check_config(path, env={"SEOUL_API_KEY": "abc12", "SEOUL_BUS_API_KEY": "b" * 30})
    assert r.returncode == 2
    lines = r.stderr.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "SEOUL_API_KEY",
        f"sources.subway_api_key_file ({key_file})",
    ]
    assert "only 5 characters" in lines[0] and "only 4 characters" in lines[1]
    assert all(f"shorter than {MIN_SECRET_LEN}" in line for line in lines)
    assert "abc12" not in r.stderr and "1001" not in r.stderr.replace(str(key_file), "")
    key_file.write_text("a-real-looking-key-0123456789\n")
    r = check_config(path, env={"SEOUL_API_KEY": "k" * 30, "SEOUL_BUS_API_KEY": "b" * 30})
    assert r.returncode == 0, r.stderr


def test_check_config_reads_short_keys_in_the_services_secrets_env(tmp_path: Path) -> None:
    cfg = example_config()
    cfg["sources"]["demo"] = False
    path = write_config(tmp_path, cfg)
    (tmp_path / "secrets.env").write_text("SEOUL_SUBWAY_API_KEY=12345\n")
    r = check_config(path)
    assert r.returncode == 2
    assert r.stderr.startswith(f"SEOUL_SUBWAY_API_KEY in {tmp_path / 'secrets.env'}: this key is")


def test_kiosk_run_refuses_a_short_key_with_exit_2(tmp_path: Path) -> None:
    cfg = example_config()
    cfg["sources"]["demo"] = False
    path = write_config(tmp_path, cfg)
    base = {k: v for k, v in os.environ.items() if not k.startswith("SEOUL_")}
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--config", str(path), "--windowed"],
        cwd=REPO,
        env={**base, "SEOUL_API_KEY": "short", "QT_QPA_PLATFORM": "offscreen"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 2
    assert r.stderr.startswith("SEOUL_API_KEY: this key is only 5 characters")
    assert len(r.stderr.splitlines()) == 1


def test_the_shipped_configs_stay_within_every_limit() -> None:
    for path in (REPO / "config.example.yaml", REPO / "examples" / "hongik.yaml"):
        assert check_config(path).returncode == 0
    for layout in (REPO / "layouts").glob("*.yaml"):
        assert len(yaml.safe_load(layout.read_text())["pages"]) <= 30
