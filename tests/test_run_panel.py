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
