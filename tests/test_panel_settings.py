"""panel: config validation through config.load_config, reported as ``key.path: reason``."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kiosk.config import load_config
from kiosk.errors import ConfigError

REPO = Path(__file__).resolve().parents[1]


def write_config(tmp_path: Path, panel_yaml: str) -> Path:
    """The example config with its panel: block replaced by ``panel_yaml`` (raw YAML text)."""
    base = yaml.safe_load((REPO / "config.example.yaml").read_text(encoding="utf-8"))
    base.pop("panel", None)
    base["layout"] = str(REPO / base["layout"])
    text = yaml.safe_dump(base, allow_unicode=True) + panel_yaml
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def problems(tmp_path: Path, panel_yaml: str) -> list[str]:
    with pytest.raises(ConfigError) as exc:
        load_config(write_config(tmp_path, panel_yaml))
    return exc.value.problems


def test_the_example_panel_block_is_valid():
    cfg = load_config(REPO / "config.example.yaml")
    assert cfg.panel.driver == "none"


def test_a_full_schedule_with_unquoted_on_off_is_accepted(tmp_path):
    cfg = load_config(
        write_config(
            tmp_path,
            """
panel:
  driver: samsung
  port: socket://10.0.0.5:1515
  display_id: 0
  power_mode: panel
  schedule:
    - {at: "05:00", power: on}
    - {at: "01:10", power: off, days: tue-sat except holidays}
    - {at: sunrise, backlight: 100}
    - {at: sunset+30m, backlight: 60, days: [sat, sun]}
""",
        )
    )
    entries = cfg.panel.schedule
    assert [e.power for e in entries] == ["on", "off", None, None]
    assert entries[3].days == "sat,sun"
    assert entries[3].at_spec.minutes == 30


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        ('{at: "25:00", power: on}', "panel.schedule[1].at: bad time '25:00': expected HH:MM"),
        (
            "{at: 1:10, power: off}",
            'panel.schedule[1].at: bad time 70: YAML reads an unquoted 1:10 as the number 70; put the time in quotes: at: "01:10"',
        ),
        ('{at: "05:00"}', "panel.schedule[1]: entry at '05:00' has neither power nor backlight"),
        ('{at: "05:00", power: maybe}', "panel.schedule[1].power: Input should be 'on' or 'off'"),
        (
            '{at: "05:00", backlight: 140}',
            "panel.schedule[1].backlight: Input should be less than or equal to 100",
        ),
        (
            '{at: "05:00", backlight: on}',
            "panel.schedule[1].backlight: backlight must be a whole number 0..100 (got True)",
        ),
        (
            '{at: "05:00", power: on, days: mon-frx}',
            "panel.schedule[1].days: bad days 'mon-frx': unknown day 'frx'",
        ),
        (
            '{at: "sunset+8h", power: on}',
            "panel.schedule[1].at: bad time 'sunset+8h': offset is more than 6h",
        ),
        ('{at: "05:00", power: on, when: daily}', "panel.schedule[1].when: unknown key"),
    ],
)
def test_bad_schedule_entries_are_named_by_key_path(tmp_path, entry, expected):
    found = problems(
        tmp_path,
        f"""
panel:
  driver: lg
  schedule:
    - {{at: "05:00", power: on}}
    - {entry}
""",
    )
    assert len(found) == 1 and found[0].startswith(expected), found


def test_backlight_with_driver_cec_is_rejected_at_its_entry(tmp_path):
    found = problems(
        tmp_path,
        """
panel:
  driver: cec
  port: /dev/cec0
  schedule:
    - {at: "05:00", power: on}
    - {at: sunset, backlight: 60}
""",
    )
    assert found == [
        "panel.schedule[1].backlight: driver cec cannot set a backlight (HDMI-CEC has no "
        "brightness message); remove it or use driver lg, samsung or nec"
    ]


@pytest.mark.parametrize(
    ("panel", "expected"),
    [
        (
            "driver: lg\n  display_id: 0",
            "panel.display_id: display_id 0 is outside 1..255 for driver lg",
        ),
        (
            "driver: samsung\n  display_id: 254",
            "panel.display_id: display_id 254 is outside 0..253",
        ),
        ("driver: nec\n  display_id: 101", "panel.display_id: display_id 101 is outside 1..100"),
        (
            "driver: nec\n  power_mode: panel",
            "panel.power_mode: power_mode panel works only with driver samsung or lg",
        ),
        ("driver: philips", "panel.driver: Input should be"),
        ("driver: lg\n  timeout: 0", "panel.timeout: Input should be greater than 0"),
    ],
)
def test_driver_specific_limits(tmp_path, panel, expected):
    found = problems(tmp_path, f"\npanel:\n  {panel}\n")
    assert len(found) == 1 and found[0].startswith(expected), found
