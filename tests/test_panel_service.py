"""PanelService: a real APScheduler scheduler, pty simulators and the fake cec tools.

Panel I/O never runs on the caller's (the GUI's) thread: reload and stop return at once even
while a silent Samsung or a hung cec-ctl keeps the panel's worker busy, and a hung CEC tool is
killed with its children.
"""

from __future__ import annotations

import os
import queue
import select
import threading
import time
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.config import Config
from kiosk.core.timeutil import KST
from kiosk.panel import reconciler as r
from kiosk.panel.reconciler import PanelReport
from kiosk.panel.service import PanelService
from tests.panel_sim import LgSimulator, SamsungSimulator
from tests.panel_sim.cec import FakeCec, alive

REPO = Path(__file__).resolve().parents[1]
# What "returns at once" means here: a queue hand-over, against seconds of panel I/O. Loose
# enough for a machine shared by several test runs; the I/O it must not wait for takes 2 s+.
AT_ONCE_S = 0.1


def config(port: str, schedule: list[dict], driver: str = "lg", **panel: object) -> Config:
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
                **panel,
            },
        }
    )


def hhmm(dt: datetime) -> str:
    return dt.strftime("%H:%M")


def timed(fn, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def wait_gone(pid: int, timeout: float = 5.0) -> bool:
    """Wait until ``pid`` has ended (pidfd: readable once the process is gone)."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        select.select([fd], [], [], timeout)
    finally:
        os.close(fd)
    return not alive(pid)


@pytest.fixture
def fake_cec(tmp_path, monkeypatch) -> FakeCec:
    cec = FakeCec(tmp_path)
    for key, value in cec.env().items():
        if key in ("PATH", "FAKE_CEC_STATE"):
            monkeypatch.setenv(key, value)
    return cec


def test_driver_none_builds_no_service():
    assert PanelService.from_config(config("/dev/null", [], driver="none"), object()) is None


def test_first_check_runs_at_start_and_a_reload_applies_at_once(tmp_path):
    # Built around the real time, because a running scheduler fires on the real clock:
    # "off" fired an hour ago, "on" fires in two hours, so the panel must be dark now.
    now = datetime.now(KST)
    schedule = [
        {"at": hhmm(now - timedelta(hours=1)), "power": "off"},
        {"at": hhmm(now + timedelta(hours=2)), "power": "on"},
    ]
    sim = LgSimulator().start()
    scheduler = BackgroundScheduler(timezone=KST)
    service = PanelService.from_config(config(sim.url, schedule), scheduler, runtime=tmp_path)
    assert service is not None
    reports: queue.Queue[PanelReport] = queue.Queue()
    threads: list[threading.Thread] = []
    service.add_listener(lambda rep: (threads.append(threading.current_thread()), reports.put(rep)))
    try:
        service.start()
        scheduler.start()
        report = reports.get(timeout=5)  # the worker thread's first check
        assert report.state == "off as scheduled" and sim.power == "off"
        assert service.scheduled_off
        job_ids = {j.id for j in scheduler.get_jobs()}
        assert {"panel-at-0", "panel-at-1", "panel-check", "panel-sun-plan"} <= job_ids

        always_on = [{"at": hhmm(now - timedelta(hours=1)), "power": "on"}]
        report = service.reload(config(sim.url, always_on)).result(timeout=5)
        assert report is not None and report.state == "on" and sim.power == "on"
        assert not service.scheduled_off
        assert {j.id for j in scheduler.get_jobs() if j.id.startswith("panel-at")} == {"panel-at-0"}
        assert set(threads) == {service.worker.thread}  # every check ran in the panel's worker
    finally:
        service.stop()
        scheduler.shutdown(wait=True)
        assert service.wait_stopped(5)
        sim.stop()


def test_reload_returns_at_once_while_a_silent_samsung_keeps_the_worker_busy():
    sim = SamsungSimulator().start()
    sim.behave("silent")
    cfg = config(
        sim.url, [{"at": "00:00", "power": "on"}], driver="samsung", timeout=1.0, retries=1
    )
    service = PanelService(cfg.panel, cfg.station.location, BackgroundScheduler(timezone=KST))
    try:
        service.request_check()  # the worker now waits 2 x 1 s for an answer that never comes
        assert sim.wait_received(1)
        future, took = timed(service.reload, cfg)
        assert took < AT_ONCE_S, f"reload blocked the caller for {took:.3f} s"
        assert not future.done()
        report = future.result(timeout=15)  # the reload's own check, after the silent one
        assert report is not None and report.state == r.NOT_ANSWERING
        assert "no answer from the panel" in (report.last_error or "")
    finally:
        service.stop()
        assert service.wait_stopped(5)
        sim.stop()


@pytest.mark.parametrize("tool", ["cec-ctl", "cec-client"])
def test_reload_returns_at_once_while_a_cec_tool_hangs_and_it_dies_with_its_children(
    tmp_path, monkeypatch, tool
):
    fake_cec = FakeCec(tmp_path, tools=(tool,))
    monkeypatch.setenv("PATH", str(fake_cec.bin))  # only this tool is installed
    monkeypatch.setenv("FAKE_CEC_STATE", str(fake_cec.state_file))
    # timeout 2 s: the tool's limit is 4 s, room for the fake tool (a Python script) to start on
    # a loaded machine; the real cec-ctl is a C program.
    cfg = config("/dev/cec0", [{"at": "00:00", "power": "on"}], driver="cec", timeout=2.0)
    service = PanelService(cfg.panel, cfg.station.location, BackgroundScheduler(timezone=KST))
    hung = fake_cec.hung_signal()
    fake_cec.write(mode="hang", power="on")
    first: queue.Queue[PanelReport] = queue.Queue()
    service.add_listener(first.put)
    try:
        service.request_check()
        assert hung.wait(10), "the fake cec-ctl never started"
        fake_cec.write(mode="normal")  # the next run of the tool answers again
        future, took = timed(service.reload, cfg)
        assert took < AT_ONCE_S, f"reload blocked the caller for {took:.3f} s"
        stuck = first.get(timeout=10)  # the hung check ends at the tool's time limit (4 s)
        assert stuck.state == r.NOT_ANSWERING
        assert stuck.last_error == f"{tool} did not finish within 4 s (adapter busy?); stopped it"
        report = future.result(timeout=10)
        assert report is not None and report.state == "on"
        tool, helper = fake_cec.pids
        assert wait_gone(tool) and wait_gone(helper), "a hung CEC tool left a process behind"
    finally:
        hung.close()
        service.stop()
        assert service.wait_stopped(5)


def test_stop_returns_at_once_and_kills_a_cec_tool_in_flight(fake_cec):
    cfg = config("/dev/cec0", [{"at": "00:00", "power": "on"}], driver="cec", timeout=30)
    service = PanelService(cfg.panel, cfg.station.location, BackgroundScheduler(timezone=KST))
    hung = fake_cec.hung_signal()
    fake_cec.write(mode="hang")
    try:
        service.request_check()
        assert hung.wait(10)
        _, took = timed(service.stop)
        assert took < AT_ONCE_S, f"stop blocked the caller for {took:.3f} s"
        assert service.wait_stopped(5)  # not the tool's 32 s
        tool, helper = fake_cec.pids
        assert wait_gone(tool) and wait_gone(helper)
    finally:
        hung.close()


def test_stop_returns_at_once_and_abandons_a_silent_panel():
    sim = SamsungSimulator().start()
    sim.behave("silent")
    cfg = config(sim.url, [], driver="samsung", timeout=30.0, retries=5)
    service = PanelService(cfg.panel, cfg.station.location, BackgroundScheduler(timezone=KST))
    try:
        service.request_check()
        assert sim.wait_received(1)
        _, took = timed(service.stop)
        assert took < AT_ONCE_S
        assert service.wait_stopped(3)  # within a read slice, not 30 s x 6 tries
        assert service.reload(cfg).exception(timeout=1) is not None  # refused: stopping
    finally:
        sim.stop()


def test_checks_requested_while_one_waits_are_folded_into_one():
    sim = SamsungSimulator().start()
    sim.behave("silent", times=1)
    cfg = config(sim.url, [], driver="samsung", timeout=0.5)
    service = PanelService(cfg.panel, cfg.station.location, BackgroundScheduler(timezone=KST))
    reports: queue.Queue[PanelReport] = queue.Queue()
    service.add_listener(reports.put)
    try:
        service.request_check()
        assert sim.wait_received(1)  # the first check is under way (its panel stays silent)
        for _ in range(5):  # e.g. a cron entry, the interval check and a sun job at once
            service.request_check()
        assert reports.get(timeout=5).state == r.NOT_ANSWERING
        assert reports.get(timeout=5).state == "on"
        with pytest.raises(queue.Empty):
            reports.get(timeout=1.0)  # only one more check ran, not five
    finally:
        service.stop()
        sim.stop()
