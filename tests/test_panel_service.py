"""PanelService on a real, running APScheduler BackgroundScheduler, against an LG simulator."""

from __future__ import annotations

import queue
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.config import Config
from kiosk.core.timeutil import KST
from kiosk.panel.reconciler import PanelReport
from kiosk.panel.service import PanelService
from tests.panel_sim import LgSimulator

REPO = Path(__file__).resolve().parents[1]


def config(port: str, schedule: list[dict], driver: str = "lg") -> Config:
    example = yaml.safe_load((REPO / "config.example.yaml").read_text(encoding="utf-8"))
    return Config.model_validate(
        {
            "station": example["station"],
            "layout": str(REPO / example["layout"]),
            "panel": {
                "driver": driver,
                "port": port,
                "timeout": 0.3,
                "retries": 0,
                "schedule": schedule,
            },
        }
    )


def hhmm(dt: datetime) -> str:
    return dt.strftime("%H:%M")


def test_driver_none_builds_no_service():
    assert PanelService.from_config(config("/dev/null", [], driver="none"), object()) is None


def test_first_check_runs_at_start_and_a_reload_applies_at_once():
    # Built around the real time, because a running scheduler fires on the real clock:
    # "off" fired an hour ago, "on" fires in two hours, so the panel must be dark now.
    now = datetime.now(KST)
    schedule = [
        {"at": hhmm(now - timedelta(hours=1)), "power": "off"},
        {"at": hhmm(now + timedelta(hours=2)), "power": "on"},
    ]
    sim = LgSimulator().start()
    scheduler = BackgroundScheduler(timezone=KST)
    service = PanelService.from_config(config(sim.url, schedule), scheduler)
    assert service is not None
    reports: queue.Queue[PanelReport] = queue.Queue()
    service.add_listener(reports.put)
    try:
        service.start()
        scheduler.start()
        report = reports.get(timeout=5)  # the worker thread's first check
        assert report.state == "off as scheduled" and sim.power == "off"
        assert service.scheduled_off
        job_ids = {j.id for j in scheduler.get_jobs()}
        assert {"panel-at-0", "panel-at-1", "panel-check", "panel-sun-plan"} <= job_ids

        always_on = [{"at": hhmm(now - timedelta(hours=1)), "power": "on"}]
        report = service.reload(config(sim.url, always_on))
        assert report is not None and report.state == "on" and sim.power == "on"
        assert not service.scheduled_off
        assert {j.id for j in scheduler.get_jobs() if j.id.startswith("panel-at")} == {"panel-at-0"}
    finally:
        scheduler.shutdown(wait=True)
        service.stop()
        sim.stop()
