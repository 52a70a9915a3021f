"""End to end: ``kiosk panel status | power | brightness`` as a subprocess against each simulator."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.panel_sim import LgSimulator, NecSimulator, PtySimulator, SamsungSimulator
from tests.panel_sim.cec import FakeCec

REPO = Path(__file__).resolve().parents[1]
SIMS = {"lg": LgSimulator, "samsung": SamsungSimulator, "nec": NecSimulator}


def write_config(tmp_path: Path, **panel: object) -> Path:
    """A config with the example's station and layout, demo sources and the given panel block."""
    example = yaml.safe_load((REPO / "config.example.yaml").read_text(encoding="utf-8"))
    cfg = {
        "station": example["station"],
        "layout": str((REPO / example["layout"]).resolve()),
        "sources": {"demo": True},
        "panel": {"timeout": 0.3, **panel},
    }
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    return path


def kiosk(
    config: Path | None, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``kiosk panel [--config C] ARGS`` with a runtime dir of its own: no kiosk runs there."""
    full_env = dict(os.environ if env is None else env)
    if "RUNTIME_DIRECTORY" not in full_env and config is not None:
        runtime = config.parent / "run-empty"
        runtime.mkdir(exist_ok=True)
        full_env["RUNTIME_DIRECTORY"] = str(runtime)
    head = ["--config", str(config)] if config is not None else []
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "panel", *head, *args],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO,
        env=full_env,
    )


@pytest.fixture(params=sorted(SIMS))
def sim(request) -> Iterator[PtySimulator]:
    s = SIMS[request.param]().start()
    s.driver_name = request.param
    yield s
    s.stop()


def test_status_prints_power_backlight_health_driver_and_port(sim, tmp_path):
    config = write_config(tmp_path, driver=sim.driver_name, port=sim.url)
    res = kiosk(config, "status")
    assert res.returncode == 0, res.stderr
    lines = dict(line.split(":", 1) for line in res.stdout.splitlines())
    assert lines["driver"].strip() == f"{sim.driver_name} (display id 1)"
    assert lines["port"].strip() == sim.url
    assert lines["power"].strip() == "on"
    assert lines["backlight"].strip() == "80"
    expected_health = "ok, 41 °C" if sim.driver_name == "samsung" else "n/a"
    assert lines["health"].strip().startswith(expected_health)
    assert res.stderr == ""


def test_power_off_and_brightness_reach_the_panel(sim, tmp_path):
    config = write_config(tmp_path, driver=sim.driver_name, port=sim.url)
    res = kiosk(config, "power", "off")
    assert res.returncode == 0, res.stderr
    where = f"{sim.driver_name} (display id 1) on {sim.url}"
    assert res.stdout.strip() == f"panel power off: acknowledged by {where} and read back: off"
    assert sim.power == "off"
    sim.power = "on"  # the backlight is read back while on
    res = kiosk(config, "brightness", "40")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == f"panel backlight 40: acknowledged by {where} and read back: 40"
    level = (
        sim.backlight
        if sim.driver_name == "nec"
        else sim.values[{"lg": "mg", "samsung": 0x58}[sim.driver_name]]
    )
    assert level == 40


def test_status_of_an_off_panel_does_not_read_the_backlight(tmp_path):
    s = LgSimulator().start()
    try:
        s.power = "off"
        res = kiosk(write_config(tmp_path, driver="lg", port=s.url), "status")
        assert res.returncode == 0
        assert "power:     off" in res.stdout and "not read while the panel is off" in res.stdout
        assert s.received == [b"ka 01 ff\r"]
    finally:
        s.stop()


def test_a_silent_panel_fails_within_the_timeout_with_one_line(sim, tmp_path):
    sim.behave("silent")
    config = write_config(tmp_path, driver=sim.driver_name, port=sim.url, retries=0)
    start = time.monotonic()
    res = kiosk(config, "power", "on")
    elapsed = time.monotonic() - start
    assert res.returncode == 1
    assert res.stdout == ""
    assert res.stderr.splitlines() == [
        f"kiosk panel: power on: no answer from the panel on {sim.url} within 0.3 s"
    ]
    assert elapsed < 10  # interpreter start-up plus 0.3 s, never a hang


def test_a_refused_command_names_the_nak_code(tmp_path):
    s = SamsungSimulator().start()
    try:
        s.behave("nak")
        res = kiosk(write_config(tmp_path, driver="samsung", port=s.url), "brightness", "55")
        assert res.returncode == 1
        assert res.stderr.splitlines() == [
            "kiosk panel: backlight 55: Samsung panel refused command 0x58 (NAK, error 0x01)"
        ]
    finally:
        s.stop()


def test_a_missing_port_fails_with_one_line(tmp_path):
    port = str(tmp_path / "ttyUSB0")
    res = kiosk(write_config(tmp_path, driver="lg", port=port), "status")
    assert res.returncode == 1
    assert res.stdout == ""
    assert res.stderr.splitlines() == [
        f"kiosk panel: port {port} not found (adapter unplugged or wrong panel.port?)"
    ]


def test_a_port_held_by_the_running_kiosk_is_refused_not_shared(tmp_path):
    from kiosk.panel.lg import LgDriver
    from kiosk.panel.transport import Transport

    s = LgSimulator().start()
    holder = LgDriver(Transport(s.url), 1, 0.3)
    try:
        assert holder.power_state() == "on"  # keeps the port open, as a kiosk mid-check would
        res = kiosk(write_config(tmp_path, driver="lg", port=s.url), "status")
        assert res.returncode == 1
        assert res.stderr.splitlines() == [
            f"kiosk panel: port {s.url} is in use by another program (is the kiosk running?)"
        ]
    finally:
        holder.close()
        s.stop()


def test_driver_none_says_there_is_no_panel(tmp_path):
    res = kiosk(write_config(tmp_path, driver="none"), "status")
    assert res.returncode == 1
    assert res.stderr.startswith("kiosk panel: no panel configured (panel.driver is none")
    assert len(res.stderr.splitlines()) == 1


def test_cec_status_power_and_brightness(tmp_path):
    fake = FakeCec(tmp_path)
    env = fake.env()
    config = write_config(tmp_path, driver="cec", port="/dev/cec0", timeout=2)
    res = kiosk(config, "status", env=env)
    assert res.returncode == 0, res.stderr
    assert "power:     off" in res.stdout
    assert "n/a (HDMI-CEC has no brightness control)" in res.stdout
    res = kiosk(config, "power", "on", env=env)
    assert res.returncode == 0 and fake.read()["power"] == "on"
    res = kiosk(config, "brightness", "50", env=env)
    assert res.returncode == 1
    assert res.stderr.startswith("kiosk panel: HDMI-CEC has no brightness or backlight control")
    fake.write(mode="no-reply")
    res = kiosk(config, "status", env=env)
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        "kiosk panel: no answer from the TV over CEC (no power status reported)"
    ]


def test_check_config_rejects_a_bad_schedule(tmp_path):
    config = write_config(
        tmp_path,
        driver="lg",
        port="/dev/ttyUSB0",
        schedule=[{"at": "05:00", "power": "on"}, {"at": "25:00", "power": "off"}],
    )
    res = subprocess.run(
        [sys.executable, "-m", "kiosk", "check-config", "--config", str(config)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO,
        env=dict(os.environ),
    )
    assert res.returncode == 2
    assert res.stderr.startswith("panel.schedule[1].at: bad time '25:00'")


def test_options_work_before_and_after_the_action(tmp_path):
    s = LgSimulator().start()
    try:
        config = write_config(tmp_path, driver="lg", port=s.url)
        runtime = tmp_path / "run-empty"
        runtime.mkdir()
        env = {k: v for k, v in os.environ.items() if k != "RUNTIME_DIRECTORY"}
        for args in (
            ("status", "--config", str(config)),
            ("--config", str(config), "status"),
            ("status", "--config", str(config), "--runtime-dir", str(runtime)),
            ("--runtime-dir", str(runtime), "status", "--config", str(config)),
            ("power", "on", "--config", str(config), "--runtime-dir", str(runtime)),
            ("brightness", "--config", str(config), "55"),
        ):
            res = kiosk(None, *args, env=dict(env, RUNTIME_DIRECTORY=str(runtime)))
            assert res.returncode == 0, (args, res.stderr)
        assert s.values["mg"] == 55
        res = kiosk(None, "status", "--config", str(tmp_path / "nope.yaml"), env=env)
        assert res.returncode == 2 and "nope.yaml" in res.stderr  # the option after was used
    finally:
        s.stop()


@pytest.mark.parametrize("what", ["power", "brightness"])
def test_a_panel_that_acknowledges_and_ignores_the_command_fails_with_exit_1(sim, tmp_path, what):
    sim.stuck = True  # every set is acknowledged, nothing changes
    config = write_config(tmp_path, driver=sim.driver_name, port=sim.url)
    where = f"{sim.driver_name} (display id 1) on {sim.url}"
    if what == "power":
        res = kiosk(config, "power", "off")
        expected = f"kiosk panel: power off: acknowledged but still on ({where})"
    else:
        res = kiosk(config, "brightness", "40")
        expected = f"kiosk panel: backlight 40: acknowledged but the panel reports 80 ({where})"
    assert res.returncode == 1
    assert res.stdout == ""
    assert res.stderr.splitlines() == [expected]


def test_samsung_that_refuses_the_health_query_is_not_supported_and_exit_0(tmp_path):
    s = SamsungSimulator().start()
    s.refuse_when = lambda frame: frame[1] == 0x0D  # this model has no error status
    try:
        res = kiosk(write_config(tmp_path, driver="samsung", port=s.url), "status")
        assert res.returncode == 0, res.stderr
        assert res.stderr == ""
        lines = dict(line.split(":", 1) for line in res.stdout.splitlines())
        assert lines["power"].strip() == "on" and lines["backlight"].strip() == "80"
        assert lines["health"].strip() == (
            "not supported by this panel (error status: Samsung panel refused command 0x0D "
            "(NAK, error 0x01))"
        )
    finally:
        s.stop()


def test_a_backlight_the_panel_lacks_is_not_supported_unless_the_schedule_dims_it(tmp_path):
    s = LgSimulator().start()
    s.ng_code = 2
    s.refuse_when = lambda frame: frame.startswith(b"mg ")
    try:
        res = kiosk(write_config(tmp_path, driver="lg", port=s.url), "status")
        assert res.returncode == 0, res.stderr
        assert "backlight: not supported by this panel (backlight query: LG panel" in res.stdout
        dims = [{"at": "sunset", "backlight": 60}]
        res = kiosk(write_config(tmp_path, driver="lg", port=s.url, schedule=dims), "status")
        assert res.returncode == 1
        assert res.stderr.splitlines() == [
            "kiosk panel: backlight query: LG panel answered NG02 (function not supported)"
        ]
    finally:
        s.stop()


def test_holds_and_resume_need_the_running_kiosk(tmp_path):
    config = write_config(tmp_path, driver="lg", port=str(tmp_path / "ttyUSB0"))
    res = kiosk(config, "resume")
    assert res.returncode == 1
    assert res.stderr.splitlines() == [
        "kiosk panel: no kiosk is running, so there is no hold to end (holds live in the kiosk)"
    ]
    res = kiosk(config, "power", "off", "--for", "2h")
    assert res.returncode == 1 and res.stderr.startswith("kiosk panel: --for/--until need the")
    assert len(res.stderr.splitlines()) == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("power", "off", "--for", "2 hours"), "expected a duration such as 2h"),
        (("power", "off", "--for", "8d"), "a hold lasts 1 minute to 7 days"),
        (("power", "off", "--until", "25:00"), "expected a time HH:MM"),
        (("power", "off", "--for", "2h", "--until", "06:00"), "not allowed with argument"),
        (("status", "--for", "2h"), "unrecognized arguments"),
    ],
)
def test_bad_hold_options_are_usage_errors(tmp_path, args, message):
    res = kiosk(write_config(tmp_path, driver="lg", port="/dev/null"), *args)
    assert res.returncode == 2
    assert message in res.stderr and "Traceback" not in res.stderr
