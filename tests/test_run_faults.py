"""`kiosk run` under real signals when things go wrong (issue 11, findings 8, 13, 16): SIGTERM
while starting (never READY=1 after STOPPING=1), SIGHUP with an alias bomb or any other failure
(the old config runs on and READY=1 is sent), SIGTERM while every request hangs on a server that
dribbles bytes (the kiosk is gone well within the unit's TimeoutStopSec=15s)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.httpserver import LocalServer, Reply, kiosk_config_dict
from tests.kiosk_process import RunningKiosk
from tests.notify_listener import NotifyListener
from tests.waiting import poll_until

TIMEOUT_STOP_S = 15.0  # systemd/kiosk.service
KEYS = {
    "SEOUL_API_KEY": "OpenKey-fedcba9876543210",
    "SEOUL_SUBWAY_API_KEY": "SubwayKey-0123456789abcdef",
    "SEOUL_BUS_API_KEY": "BusKey-0123456789abcdef",
}


def demo_config(tmp: Path) -> Path:
    cfg = yaml.safe_load((REPO / "config.example.yaml").read_text())
    cfg["layout"] = str(REPO / "layouts" / "yeouido.yaml")
    cfg["sources"]["cache_path"] = str(tmp / "cache" / "http.sqlite")
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    return path


@pytest.fixture
def listener(tmp_path: Path) -> Iterator[NotifyListener]:
    with NotifyListener(tmp_path / "notify.sock") as nl:
        yield nl


def sequence(nl: NotifyListener) -> list[str]:
    """READY / RELOADING / STOPPING in the order they came."""
    keys = ("READY", "RELOADING", "STOPPING")
    return [k for m in nl.messages for k in keys if m.has(k, "1")]


def child_env(tmp: Path, nl: NotifyListener, **extra: str) -> dict[str, str]:
    (tmp / "run").mkdir(exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("SEOUL_")}
    env.pop("JOURNAL_STREAM", None)
    return {
        **env,
        "QT_QPA_PLATFORM": "offscreen",
        "RUNTIME_DIRECTORY": str(tmp / "run"),
        "STATE_DIRECTORY": str(tmp),
        **nl.environ(),
        **extra,
    }


def run_child(mode: str, tmp: Path, listener: NotifyListener) -> subprocess.CompletedProcess:
    """``tests.kiosk_child`` in ``mode`` on a demo config, to its end; it must exit 0."""
    r = subprocess.run(
        [sys.executable, "-m", "tests.kiosk_child", mode, str(demo_config(tmp))],
        cwd=REPO,
        env=child_env(tmp, listener),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr[-2000:]
    return r


@pytest.mark.parametrize("mode", ["term-before-frame", "term-then-frame"])
def test_sigterm_handled_before_the_first_frame_stops_without_ready(
    tmp_path: Path, listener: NotifyListener, mode: str
) -> None:
    r = run_child(mode, tmp_path, listener)
    assert r.stdout.strip() == "exit 0 stopping"
    listener.wait_for("STOPPING", "1", timeout=5)
    assert sequence(listener) == ["STOPPING"]  # no READY=1, before or after


def test_a_reload_that_fails_in_any_way_keeps_the_config_and_sends_ready(
    tmp_path: Path, listener: NotifyListener
) -> None:
    r = run_child("reload-fails", tmp_path, listener)
    assert sequence(listener) == ["READY", "RELOADING", "READY", "STOPPING"]
    assert "reload failed, keeping the running config: MemoryError: injected" in r.stderr
    assert "Traceback" not in r.stderr


def test_the_status_lists_the_feeds_as_soon_as_the_poller_starts(
    tmp_path: Path, listener: NotifyListener
) -> None:
    # The first frame's status is written before the poller starts (it lists no feed); the
    # operator's `kiosk status` must not see that for the 5 s until the periodic write.
    r = run_child("status-after-start", tmp_path, listener)
    first = r.stdout.splitlines()[0].split()
    assert first[0] == "sources" and {"subway", "air", "bikes"} <= set(first[1:]), r.stdout


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def test_sighup_with_an_alias_bomb_keeps_running_on_the_old_config(
    tmp_path: Path, listener: NotifyListener
) -> None:
    config = demo_config(tmp_path)
    log = tmp_path / "kiosk.log"
    with open(log, "w") as out:
        k = RunningKiosk(config, tmp_path, env=listener.environ(), output=out)
        try:
            listener.wait_for("READY", "1", timeout=60)
            before = _rss_mb(k.pid)
            lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
            for i, name in enumerate("bcdefghi"):
                lines.append(f"{name}: &{name} [" + ",".join([f"*{'abcdefghi'[i]}"] * 9) + "]")
            config.write_text(config.read_text() + "\n".join(lines) + "\n")
            k.proc.send_signal(signal.SIGHUP)
            listener.wait_for("RELOADING", "1", timeout=10)
            listener.wait_for("READY", "1", count=2, timeout=10)
            assert _rss_mb(k.pid) < before + 100  # not the 2.4 GB of expanding the bomb
            assert poll_until(lambda: "expands to more than" in log.read_text(), 10)
            status = k.wait_status(lambda s: s["state"] == "running", timeout=15)
            assert status["pid"] == k.pid
            t0 = time.monotonic()
            k.proc.send_signal(signal.SIGTERM)
            assert k.proc.wait(TIMEOUT_STOP_S) == 0 and time.monotonic() - t0 < TIMEOUT_STOP_S
        finally:
            k.kill()
    assert "reload rejected, keeping the running config: config: refused" in log.read_text()


def test_sigterm_stops_the_kiosk_in_time_while_every_request_hangs(
    tmp_path: Path, listener: NotifyListener
) -> None:
    with LocalServer() as server:
        # Every answer one byte every half second: each request lasts until the server gives up.
        server.route(".", Reply(b"{" + b" " * 4000 + b"}", dribble_s=0.5))
        data = kiosk_config_dict(
            None, tmp_path / "cache", timeout=5, request_deadline=300, fetch_deadline=600
        )
        data["sources"].update(  # type: ignore[union-attr]
            demo=False,
            endpoints={
                "subway": f"{server.url}/api/subway",
                "openapi": server.url,
                "bus": f"{server.url}/api/rest",
            },
        )
        config = tmp_path / "live.yaml"
        config.write_text(yaml.safe_dump(data, allow_unicode=True))
        log = tmp_path / "kiosk.log"
        with open(log, "w") as out:
            k = RunningKiosk(config, tmp_path, env={**listener.environ(), **KEYS}, output=out)
            try:
                listener.wait_for("READY", "1", timeout=60)
                assert poll_until(lambda: len(server.paths) >= 3, 20)  # requests in flight
                t0 = time.monotonic()
                k.proc.send_signal(signal.SIGTERM)
                rc = k.proc.wait(TIMEOUT_STOP_S + 5)
                took = time.monotonic() - t0
            finally:
                k.kill()
    assert rc == 0 and took < TIMEOUT_STOP_S - 3, (rc, took)
    assert "STOPPING" in sequence(listener)
    assert "stopping without waiting for a request still in flight" in log.read_text()
