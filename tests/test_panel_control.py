"""``kiosk panel`` through a running PanelService's control socket, against the LG simulator.

The service runs in this process (its worker, its socket thread); ``kiosk panel`` runs as a
subprocess that finds the socket in RUNTIME_DIRECTORY, as it would find a running kiosk's.
"""

from __future__ import annotations

import contextlib
import json
import os
import queue
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import yaml
from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.config import Config
from kiosk.core.timeutil import KST
from kiosk.panel import reconciler as r
from kiosk.panel.control import ControlServer
from kiosk.panel.protocol import SOCKET_NAME, Reply, user_name
from kiosk.panel.reconciler import PanelReport
from kiosk.panel.service import PanelService
from tests.panel_sim import LgSimulator

REPO = Path(__file__).resolve().parents[1]
ME = user_name(os.geteuid())


@dataclass
class Rig:
    sim: LgSimulator
    service: PanelService
    scheduler: BackgroundScheduler
    config: Path
    runtime: Path
    reports: queue.Queue[PanelReport]

    def kiosk(self, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "kiosk", "panel", "--config", str(self.config), *args],
            capture_output=True,
            text=True,
            timeout=60,
            cwd=REPO,
            env={**os.environ, "RUNTIME_DIRECTORY": str(self.runtime), **env},
        )

    def check(self) -> PanelReport:
        """A scheduled read-back, as the interval job does it; its report."""
        while not self.reports.empty():
            self.reports.get_nowait()
        self.service.request_check()
        return self.reports.get(timeout=10)


@pytest.fixture
def rig(tmp_path) -> Iterator[Rig]:
    sim = LgSimulator().start()
    example = yaml.safe_load((REPO / "config.example.yaml").read_text(encoding="utf-8"))
    raw = {
        "station": example["station"],
        "layout": str(REPO / example["layout"]),
        "sources": {"demo": True},
        # On at midnight every day, never off: "on" is what the schedule wants now.
        "panel": {
            "driver": "lg",
            "port": sim.url,
            "timeout": 0.3,
            "retries": 0,
            "schedule": [{"at": "00:00", "power": "on"}],
        },
    }
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    runtime = tmp_path / "run"
    runtime.mkdir()
    scheduler = BackgroundScheduler(timezone=KST)  # not started: no check runs on its own
    service = PanelService.from_config(Config.model_validate(raw), scheduler, runtime=runtime)
    assert service is not None
    reports: queue.Queue[PanelReport] = queue.Queue()
    service.add_listener(reports.put)
    service.start()
    yield Rig(sim, service, scheduler, config, runtime, reports)
    service.stop()
    assert service.wait_stopped(5)
    sim.stop()


def test_power_off_through_the_kiosk_holds_past_the_next_read_back(rig):
    assert rig.check().state == "on"
    res = rig.kiosk("power", "off")
    assert res.returncode == 0, res.stderr
    out = res.stdout.splitlines()
    where = f"lg (display id 1) on {rig.sim.url}"
    assert (
        out[0] == f"panel power off: done by {where}, through the running kiosk (pid {os.getpid()})"
    )
    assert out[1].startswith(f"hold: power off, set by {ME} at ")
    assert "until the schedule's next power entry (" in out[1] and out[1].endswith(
        "00:00 KST); `kiosk panel resume` ends it"
    )
    assert rig.sim.power == "off"
    report = rig.check()  # the read-back no longer undoes the operator's command
    assert report.state == r.OFF_OPERATOR and report.source == "operator"
    assert rig.sim.power == "off"
    assert report.to_dict()["holds"][0]["by"] == ME


def test_a_maintenance_hold_shows_in_status_and_resume_ends_it(rig):
    res = rig.kiosk("power", "off", "--for", "2h", SUDO_USER="alice")
    assert res.returncode == 0, res.stderr
    (hold,) = rig.service.report.holds
    assert hold.by == f"{ME} (sudo by alice)" or ME == "alice"
    assert hold.until is not None
    left = hold.until - datetime.now(KST)
    assert timedelta(hours=1, minutes=59) < left <= timedelta(hours=2)
    wake = rig.scheduler.get_job("panel-hold-end")
    assert wake is not None and wake.trigger.run_date == hold.until  # back on time, not late

    res = rig.kiosk("status")
    assert res.returncode == 0, res.stderr
    rows = dict(line.split(":", 1) for line in res.stdout.splitlines())
    assert rows["power"].strip() == "off"
    assert rows["desired"].strip() == "power off, backlight - (by operator)"
    assert rows["state"].strip().startswith("off by operator (last check ")
    assert rows["hold"].strip().startswith("power off, set by ") and "held until" in rows["hold"]
    assert rows["kiosk"].strip() == f"pid {os.getpid()}: `kiosk panel` goes through it"

    res = rig.kiosk("resume")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines() == [
        f"panel: holds ended, back to the schedule; through the running kiosk (pid {os.getpid()})",
        "state: on",
    ]
    assert rig.sim.power == "on" and rig.service.report.holds == ()


def test_a_panel_that_acknowledges_and_ignores_is_reported_through_the_kiosk(rig):
    rig.sim.stuck = True
    res = rig.kiosk("power", "off")
    assert res.returncode == 1
    where = f"lg (display id 1) on {rig.sim.url}"
    assert res.stderr.splitlines() == [
        f"kiosk panel: power off: acknowledged but still on ({where}); "
        "held: the kiosk retries at every check"
    ]
    assert res.stdout.startswith("hold: power off")  # the hold stays; the kiosk keeps trying
    rig.sim.stuck = False
    assert rig.check().state == r.OFF_OPERATOR and rig.sim.power == "off"


def test_brightness_while_the_panel_is_off_is_held_and_set_when_it_is_on(rig):
    assert rig.kiosk("power", "off").returncode == 0
    res = rig.kiosk("brightness", "30")
    assert res.returncode == 0, res.stderr
    assert res.stdout.splitlines()[0] == (
        "panel backlight 30: held; the panel is off, so it is set when it is on"
    )
    assert rig.sim.values["mg"] == 80  # the backlight is only set while the panel is on
    res = rig.kiosk("power", "on")
    assert res.returncode == 0, res.stderr
    assert rig.sim.power == "on" and rig.sim.values["mg"] == 30
    assert {h.what for h in rig.service.report.holds} == {"power", "backlight"}


def test_the_socket_is_owner_only(rig):
    path = rig.runtime / SOCKET_NAME
    mode = path.stat().st_mode
    assert stat.S_ISSOCK(mode) and stat.S_IMODE(mode) == 0o600
    assert [p.name for p in rig.runtime.iterdir()] == [SOCKET_NAME]  # no temporary left


def ask_raw(path: Path, payload: bytes) -> dict:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
        conn.settimeout(10)
        conn.connect(str(path))
        if payload:
            with contextlib.suppress(BrokenPipeError):  # a busy server answers without reading
                conn.sendall(payload)
        data = b""
        while not data.endswith(b"\n"):
            chunk = conn.recv(4096)
            if not chunk:
                break
            data += chunk
    return json.loads(data)


@pytest.fixture
def server(tmp_path) -> Iterator[tuple[ControlServer, Path]]:
    path = tmp_path / SOCKET_NAME
    srv = ControlServer(path, lambda req, peer: Reply(0, (f"{req.action} from {peer.user}",)))
    assert srv.start()
    yield srv, path
    srv.stop()
    assert srv.join(5)


@pytest.mark.parametrize(
    ("payload", "error"),
    [
        (b"hello\n", "bad request: not a JSON line"),
        (b"[1, 2]\n", "bad request: expected a JSON object"),
        (b'{"v": 2, "action": "status"}\n', "bad request: protocol version 2, expected 1"),
        (b'{"v": 1, "action": "reboot"}\n', "bad request: unknown action 'reboot'"),
        (b'{"v": 1, "action": "power", "state": "dim"}\n', "bad request: power state must be"),
        (b'{"v": 1, "action": "brightness", "value": 101}\n', "bad request: brightness must be"),
        (b'{"v": 1, "action": "status", "for": "2h"}\n', "bad request: --for/--until go with"),
        (
            b'{"v": 1, "action": "power", "state": "off", "for": "9d"}\n',
            "bad request: for: a hold lasts 1 minute to 7 days",
        ),
        (b'{"v": 1, "action": "status", "shell": "rm"}\n', "bad request: unknown key 'shell'"),
        (b"x" * 5000, "request too long (more than 4096 bytes)"),
    ],
)
def test_bad_requests_get_a_one_line_error(server, payload, error):
    _, path = server
    reply = ask_raw(path, payload)
    assert reply["exit"] == 2 and reply["out"] == []
    assert reply["error"].startswith(error) and "\n" not in reply["error"]


def test_a_client_that_never_finishes_its_request_is_dropped(tmp_path):
    path = tmp_path / SOCKET_NAME
    srv = ControlServer(path, lambda req, peer: Reply(0, ("never",)), read_timeout=0.2)
    assert srv.start()
    try:
        reply = ask_raw(path, b'{"v": 1, "action": "status"')  # no end of line, then silence
        assert reply == {
            "v": 1,
            "exit": 1,
            "out": [],
            "error": "no complete request within 0.2 s",
        }
    finally:
        srv.stop()


def test_a_peer_of_another_user_is_refused(tmp_path):
    path = tmp_path / SOCKET_NAME
    calls: list[str] = []
    srv = ControlServer(
        path,
        lambda req, peer: (calls.append(req.action), Reply(0, ()))[1],
        allowed_uids=frozenset({os.geteuid() + 4242}),  # SO_PEERCRED: we are not that user
    )
    assert srv.start()
    try:
        reply = ask_raw(path, b'{"v": 1, "action": "status"}\n')
        assert reply["exit"] == 1 and reply["error"].startswith(f"not allowed: {ME} is not")
        assert calls == []
    finally:
        srv.stop()


def test_at_most_four_requests_are_served_at_once(tmp_path):
    path = tmp_path / SOCKET_NAME
    inside = threading.Semaphore(0)
    release = threading.Event()

    def slow(req, peer):
        inside.release()
        release.wait(10)
        return Reply(0, ("done",))

    srv = ControlServer(path, slow)
    assert srv.start()
    results: queue.Queue[dict] = queue.Queue()
    threads = [
        threading.Thread(target=lambda: results.put(ask_raw(path, b'{"v":1,"action":"status"}\n')))
        for _ in range(4)
    ]
    try:
        for t in threads:
            t.start()
        for _ in range(4):
            assert inside.acquire(timeout=10)
        busy = ask_raw(path, b'{"v": 1, "action": "status"}\n')
        assert busy["error"] == "the kiosk is busy with other panel requests; retry"
        release.set()
        assert [results.get(timeout=10)["out"] for _ in range(4)] == [["done"]] * 4
    finally:
        release.set()
        for t in threads:
            t.join(10)
        srv.stop()


def test_a_stale_socket_is_replaced_and_a_live_one_is_left_alone(tmp_path):
    path = tmp_path / SOCKET_NAME
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(path))
    dead.close()  # what a killed kiosk leaves behind: the file, nobody listening
    first = ControlServer(path, lambda req, peer: Reply(0, ("first",)))
    assert first.start()
    second = ControlServer(path, lambda req, peer: Reply(0, ("second",)))
    try:
        assert not second.start()  # another kiosk answers there: it keeps the socket
        assert ask_raw(path, b'{"v": 1, "action": "status"}\n')["out"] == ["first"]
    finally:
        first.stop()
    assert not path.exists()


def test_a_runtime_dir_with_a_long_path_still_works(tmp_path):
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    path = deep / SOCKET_NAME
    assert len(str(path)) > 108  # longer than sun_path holds
    srv = ControlServer(path, lambda req, peer: Reply(0, ("deep",)))
    assert srv.start()
    try:
        from kiosk.panel import client
        from kiosk.panel.protocol import ControlRequest

        found = client.connect(str(deep))
        assert found is not None
        assert client.ask(found[0], ControlRequest("status"), 10).out == ("deep",)
    finally:
        srv.stop()


def test_no_socket_or_a_stale_one_means_no_kiosk(tmp_path):
    from kiosk.panel import client

    assert client.connect(str(tmp_path)) is None
    dead = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dead.bind(str(tmp_path / SOCKET_NAME))
    dead.close()
    assert client.connect(str(tmp_path)) is None  # `kiosk panel` talks to the port itself
