"""The ops contract end to end, in a real subprocess, without Qt: the same calls the app makes.

CHILD below is the reference for kiosk/app.py: READY after the first frame, WATCHDOG at the
period sdnotify computes, status file every tick, RELOADING/READY around SIGHUP, STOPPING and
a clean exit (status file removed) on SIGTERM. A QTimer and a QSocketNotifier replace the
select loop in the real app.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.notify_listener import NotifyListener

REPO = Path(__file__).resolve().parents[1]

CHILD = textwrap.dedent(
    """
    import os, signal
    from datetime import UTC, datetime
    from kiosk.ops.sdnotify import Notifier
    from kiosk.ops.signals import SignalRouter
    from kiosk.ops.status import StatusReport, SourceStatus, remove_status, status_path, write_status

    notifier = Notifier.from_environ()
    path = status_path()
    started = datetime.now(UTC)
    state = {"run": True, "reloads": 0, "state": "running"}

    def write():
        now = datetime.now(UTC)
        report = StatusReport(pid=os.getpid(), started_at=started, now=now, state=state["state"],
                              page="arrivals", page_since=started,
                              sources=(SourceStatus("subway", "ok", now),))
        write_status(report, path)

    def reload(_sig):
        notifier.reloading()
        state["reloads"] += 1          # re-read the config here; keep the old one if it is bad
        notifier.ready(f"reloaded x{state['reloads']}")

    def stop(_sig):
        notifier.stopping()
        state["run"] = False

    router = SignalRouter({signal.SIGHUP: reload, signal.SIGTERM: stop, signal.SIGINT: stop})
    write()
    notifier.ready("showing arrivals")  # after the first full frame
    period = notifier.watchdog_period() or 5.0
    while state["run"]:
        if router.wait(period) == 0:    # the app: a QTimer on the GUI thread
            notifier.watchdog()
            write()
    remove_status(path)
    router.close()
    """
)


def kiosk_status(runtime: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "status", "--json", "--runtime-dir", str(runtime)],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


def test_notify_signals_and_status_file_work_together(tmp_path):
    runtime = tmp_path / "run"
    runtime.mkdir()
    with NotifyListener(tmp_path / "notify.sock") as nl:
        env = {**os.environ, **nl.environ(watchdog_usec=200_000), "RUNTIME_DIRECTORY": str(runtime)}
        proc = subprocess.Popen([sys.executable, "-c", CHILD], cwd=REPO, env=env)
        try:
            ready = nl.wait_for("READY", "1", timeout=30)
            assert ready.pid == proc.pid and ready.fields["STATUS"] == "showing arrivals"
            first, second = (
                nl.wait_for("WATCHDOG", "1", timeout=10),
                nl.wait_for("WATCHDOG", count=2, timeout=10),
            )
            assert 0.05 < second.at - first.at < 2.0  # half of 0.2 s, with slack for a busy machine
            assert (runtime / "status.json").is_file()

            r = kiosk_status(runtime)
            assert r.returncode == 0, r.stdout + r.stderr
            assert json.loads(r.stdout)["pid"] == proc.pid

            proc.send_signal(signal.SIGHUP)
            reloading = nl.wait_for("RELOADING", "1", timeout=10)
            assert int(reloading.fields["MONOTONIC_USEC"]) > 0
            again = nl.wait_for("READY", count=2, timeout=10)
            assert again.at >= reloading.at and again.fields["STATUS"] == "reloaded x1"

            proc.send_signal(signal.SIGTERM)
            assert proc.wait(timeout=10) == 0
            nl.wait_for("STOPPING", "1", timeout=5)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert not (runtime / "status.json").exists()
    r = kiosk_status(runtime)
    assert r.returncode == 1 and json.loads(r.stdout)["running"] is False
