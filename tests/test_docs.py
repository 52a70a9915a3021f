"""The docs stand alone and tell the truth: no links out of the repository, commands that run
on a fresh clone, ranges and messages as the code has them."""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from kiosk.cli import build_parser
from kiosk.config import load_all
from kiosk.errors import ConfigError
from kiosk.panel.settings import _ID_RANGES
from tests.conftest import REPO

DOCS = [REPO / "README.md", REPO / "ARCHITECTURE.md", *sorted((REPO / "docs").glob("*.md"))]
# docs/panel.md still names shared/reference/panel-protocols.md; the panel work (issue 12, its
# other half) rewrites that file. Strict: this fails as soon as the reference is gone.
STILL_POINTING_OUT: set[str] = set()


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param(
            d,
            marks=pytest.mark.xfail(strict=True, reason="rewritten by the panel work")
            if d.name in STILL_POINTING_OUT
            else (),
        )
        for d in DOCS
    ],
    ids=lambda d: d.name,
)
def test_docs_never_point_outside_the_repository(doc: Path):
    text = doc.read_text(encoding="utf-8")
    assert not re.findall(r"\bshared/\S*", text), "a clone has no shared/ folder"
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text):
        if "://" in target:
            continue
        assert (doc.parent / target).exists(), f"{doc.name}: broken link {target}"


def _fresh_clone_commands() -> list[list[str]]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    block = readme.split("In a fresh clone", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    return [
        shlex.split(line.split("#", 1)[0])[1:]
        for line in block.splitlines()
        if line.startswith(".venv/bin/kiosk")
    ]


def test_readme_commands_for_a_fresh_clone_name_the_demo_config():
    commands = _fresh_clone_commands()
    assert ["run", "--config", "config.example.yaml", "--windowed", "--size", "1920x1080"] in (
        commands
    )
    parser = build_parser()
    for args in commands:
        if args == ["--version"]:
            continue
        ns = parser.parse_args(args)  # every option as the parser has it
        assert ns.config == "config.example.yaml", args  # nothing relies on /etc/kiosk


def test_readme_check_config_runs_in_a_fresh_clone_without_etc_kiosk(tmp_path):
    (args,) = [a for a in _fresh_clone_commands() if a[0] == "check-config"]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "KIOSK_CONFIG": str(tmp_path / "no")}
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", *args], cwd=REPO, capture_output=True, text=True, env=env
    )
    assert r.returncode == 0 and r.stderr == "", r.stderr
    assert r.stdout.startswith("config.example.yaml: ok (7 pages")


def test_display_id_ranges_in_every_example_match_the_validator():
    files = [REPO / "config.example.yaml", *sorted((REPO / "examples").glob("*.yaml"))]
    files.append(REPO / "docs/reference.md")
    for f in files:
        text = f.read_text(encoding="utf-8")
        found = {
            vendor.lower(): (int(lo), int(hi))
            for vendor, lo, hi in re.findall(r"\b(LG|Samsung|NEC) (\d+)\.\.(\d+)", text)
        }
        assert found == _ID_RANGES, f.name


def _guide() -> str:
    return (REPO / "docs/new-station.md").read_text(encoding="utf-8")


def test_the_new_station_guides_example_is_a_valid_station(tmp_path):
    block = _guide().split("## 2.", 1)[1].split("```yaml", 1)[1].split("```", 1)[0]
    cfg = yaml.safe_load((REPO / "config.example.yaml").read_text(encoding="utf-8"))
    cfg["station"] = yaml.safe_load(block)["station"]
    cfg["layout"] = str(REPO / "layouts/yeouido.yaml")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    loaded, _layout = load_all(path)
    assert loaded.station.subway_station == "시청"


def test_the_errors_the_guide_shows_are_the_ones_check_config_prints(tmp_path):
    cfg = yaml.safe_load((REPO / "config.example.yaml").read_text(encoding="utf-8"))
    cfg["station"].update(
        subway_station="시청역",
        lines=["5호선"],
        district="중",
        location={"lat": 37.5657, "lon": 126.9769},
    )
    layout = yaml.safe_load((REPO / "layouts/yeouido.yaml").read_text(encoding="utf-8"))
    layout["pages"][4]["kind"] = "bike"
    (tmp_path / "yeouido.yaml").write_text(yaml.safe_dump(layout), encoding="utf-8")
    cfg["layout"] = str(tmp_path / "yeouido.yaml")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as e:
        load_all(path)
    guide = _guide()
    assert len(e.value.problems) == 4
    for line in e.value.problems:
        assert line in guide, line
