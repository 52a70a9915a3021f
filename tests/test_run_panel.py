"""`kiosk run` with a panel: the schedule that says "off now" switches the panel off on start, and
the kiosk stops drawing and polling while it is off (a kiosk rebooted at night stays dark)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import yaml

from tests.conftest import REPO
from tests.panel_sim import LgSimulator


def _status(runtime) -> dict | None:
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "status", "--json", "--runtime-dir", str(runtime)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO,
    )
    return json.loads(r.stdout) if r.returncode == 0 else None


def test_scheduled_off_panel_is_switched_off_and_the_kiosk_sleeps(tmp_path):
    sim = LgSimulator().start()
    assert sim.power == "on"
    example = yaml.safe_load((REPO / "config.example.yaml").read_text())
    # Off at 00:00 every day and never on again: whatever the time, "off" is what holds now.
    cfg = {
        "station": example["station"],
        "layout": str(REPO / "layouts" / "yeouido.yaml"),
        "sources": {"demo": True},
        "panel": {
            "driver": "lg",
            "port": sim.url,
            "timeout": 0.5,
            "schedule": [{"at": "00:00", "power": "off"}],
        },
    }
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    runtime = tmp_path / "run"
    runtime.mkdir()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        RUNTIME_DIRECTORY=str(runtime),
        STATE_DIRECTORY=str(tmp_path),
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "run",
            "--config",
            str(config),
            "--windowed",
            "--size",
            "1280x720",
        ],
        env=env,
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        st = None
        while time.monotonic() < deadline:
            st = _status(runtime)
            if st and st.get("state") == "sleeping" and sim.power == "off":
                break
            time.sleep(0.3)
        assert st is not None and st["state"] == "sleeping", st
        assert sim.power == "off"
        assert (
            st["panel"]["desired"]["power"] == "off" and st["panel"]["desired"]["by"] == "schedule"
        )
        assert st["panel"]["actual"]["state"] == "off as scheduled"
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=20)
        sim.stop()
    assert proc.returncode == 0, out
    assert "pausing rendering and polling" in out and "Traceback" not in out
