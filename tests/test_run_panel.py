"""`kiosk run` with a panel: the schedule that says "off now" switches the panel off on start, and
the kiosk stops drawing and polling while it is off (a kiosk rebooted at night stays dark)."""

from __future__ import annotations

import yaml

from tests.conftest import REPO
from tests.kiosk_process import RunningKiosk
from tests.panel_sim import LgSimulator


def test_scheduled_off_panel_is_switched_off_and_the_kiosk_sleeps(tmp_path):
    sim = LgSimulator().start()
    assert sim.power == "on"
    example = yaml.safe_load((REPO / "config.example.yaml").read_text())
    # Off at 00:00 every day and never on again: whatever the time, "off" is what holds now.
    panel = {
        "driver": "lg",
        "port": sim.url,
        "timeout": 0.5,
        "schedule": [{"at": "00:00", "power": "off"}],
    }
    cfg = {
        "station": example["station"],
        "layout": str(REPO / "layouts" / "yeouido.yaml"),
        "sources": {"demo": True},
        "panel": panel,
    }
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    kiosk = RunningKiosk(config, tmp_path)
    try:
        st = kiosk.wait_status(lambda s: s["state"] == "sleeping" and sim.power == "off", 60)
        assert (
            st["panel"]["desired"]["power"] == "off" and st["panel"]["desired"]["by"] == "schedule"
        )
        assert st["panel"]["actual"]["state"] == "off as scheduled"
    finally:
        out = kiosk.stop()
        sim.stop()
    assert kiosk.proc.returncode == 0, out
    assert "pausing rendering and polling" in out and "Traceback" not in out


def test_kiosk_panel_power_off_while_kiosk_run_runs_holds_past_the_next_read_back(tmp_path):
    import os
    import subprocess
    import sys

    from kiosk.panel.protocol import user_name

    sim = LgSimulator().start()
    example = yaml.safe_load((REPO / "config.example.yaml").read_text())
    panel = {
        "driver": "lg",
        "port": sim.url,
        "timeout": 0.5,
        "check_interval": 10,  # the shortest allowed: a read-back every 10 s
        "schedule": [{"at": "00:00", "power": "on"}],  # whatever the time, "on" holds now
    }
    cfg = {
        "station": example["station"],
        "layout": str(REPO / "layouts" / "yeouido.yaml"),
        "sources": {"demo": True},
        "panel": panel,
    }
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    kiosk = RunningKiosk(config, tmp_path)
    env = {**os.environ, "RUNTIME_DIRECTORY": str(kiosk.runtime)}

    def kiosk_cli(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kiosk", *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
            env=env,
        )

    try:
        kiosk.wait_status(lambda s: (s["panel"] or {}).get("actual", {}).get("state") == "on", 60)
        res = kiosk_cli("panel", "power", "off", "--config", str(config))
        assert res.returncode == 0, res.stderr
        assert res.stdout.startswith("panel power off: done by lg (display id 1) on ")
        assert f"through the running kiosk (pid {kiosk.pid})" in res.stdout
        assert sim.power == "off"
        sent = len(sim.received)
        st = kiosk.wait_status(lambda s: s["panel"]["actual"]["state"] == "off by operator", 30)
        commanded_at = st["panel"]["checked_at"]
        # The next periodic read-back (within check_interval) must not switch it on again.
        st = kiosk.wait_status(lambda s: s["panel"]["checked_at"] > commanded_at, 40)
        assert st["panel"]["actual"]["state"] == "off by operator"
        assert st["panel"]["desired"] == {"power": "off", "backlight": None, "by": "operator"}
        assert sim.power == "off"
        assert b"ka 01 01\r" not in sim.received[sent:]  # nothing tried to switch it on
        (hold,) = st["panel"]["holds"]
        assert (hold["what"], hold["value"], hold["by"]) == (
            "power",
            "off",
            user_name(os.geteuid()),
        )
        assert hold["ends"] == "schedule" and hold["text"].startswith("power off, set by ")
        text = kiosk_cli("status", "--runtime-dir", str(kiosk.runtime))
        assert f"          hold: {hold['text']}" in text.stdout.splitlines()
        res = kiosk_cli("panel", "resume", "--config", str(config))
        assert res.returncode == 0, res.stderr
        assert sim.power == "on"
    finally:
        out = kiosk.stop()
        sim.stop()
    assert kiosk.proc.returncode == 0, out
    assert "Traceback" not in out
    assert not (kiosk.runtime / "panel.sock").exists()  # removed on a clean exit


def test_a_critical_notice_wakes_a_scheduled_off_panel_and_leaves_no_hold_behind(tmp_path):
    import os
    import subprocess
    import sys

    sim = LgSimulator().start()
    example = yaml.safe_load((REPO / "config.example.yaml").read_text())
    cfg = {
        "station": example["station"],
        "layout": str(REPO / "layouts" / "yeouido.yaml"),
        "sources": {"demo": True},
        "notices": {"spool_path": str(tmp_path / "notices")},
        "panel": {
            "driver": "lg",
            "port": sim.url,
            "timeout": 0.5,
            "schedule": [{"at": "00:00", "power": "off"}],  # off, whatever the time
        },
    }
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    kiosk = RunningKiosk(config, tmp_path)

    def notice(*args: str) -> None:
        res = subprocess.run(
            [sys.executable, "-m", "kiosk", "notice", *args, "--config", str(config)],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
            env=dict(os.environ),
        )
        assert res.returncode == 0, res.stderr

    try:
        kiosk.wait_status(lambda s: s["state"] == "sleeping" and sim.power == "off", 60)
        notice(
            "show", "--level", "critical", "--ko", "역사 내 화재, 즉시 대피하세요", "--for", "1h"
        )
        st = kiosk.wait_status(lambda s: s["state"] == "running" and sim.power == "on", 30)
        assert st["notice"]["level"] == "critical" and st["notice"]["origin"] == "operator"
        (hold,) = st["panel"]["holds"]
        assert (hold["what"], hold["value"], hold["by"]) == ("power", "on", "kiosk notice")
        assert hold["until"] == st["notice"]["until"]  # it would end by itself, too
        assert st["panel"]["desired"] == {"power": "on", "backlight": None, "by": "operator"}
        notice("clear")
        st = kiosk.wait_status(lambda s: s["state"] == "sleeping" and sim.power == "off", 30)
        assert st["notice"] is None and st["panel"]["holds"] == []
        assert st["panel"]["actual"]["state"] == "off as scheduled"
    finally:
        out = kiosk.stop()
        sim.stop()
    assert kiosk.proc.returncode == 0, out
    assert "Traceback" not in out
    assert "notice: holding the panel on until" in out
    assert "no critical notice left; the panel goes back to its schedule" in out
