"""`kiosk run` as systemd runs it: READY after the first frame, WATCHDOG pings from the GUI thread,
STATUS lines, reload with a good and a bad config, and a clean exit on SIGTERM."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tests.kiosk_process import RunningKiosk, kiosk_status
from tests.notify_listener import NotifyListener
from tests.waiting import poll_until


def _config(tmp: Path, name_en: str = "Yeouido", extra_station: dict | None = None) -> Path:
    cfg = yaml.safe_load((REPO / "config.example.yaml").read_text())
    cfg["layout"] = str(REPO / "layouts" / "yeouido.yaml")
    cfg["station"]["name"]["en"] = name_en
    cfg["station"].update(extra_station or {})
    cfg["sources"]["cache_path"] = str(tmp / "cache" / "http.sqlite")
    p = tmp / "config.yaml"
    p.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    return p


@pytest.fixture
def kiosk(tmp_path):
    listener = NotifyListener(tmp_path / "notify.sock")
    config = _config(tmp_path)
    logfile = tmp_path / "kiosk.log"
    with open(logfile, "w") as log:
        k = RunningKiosk(
            config, tmp_path, env=listener.environ(watchdog_usec=1_000_000), output=log
        )
        yield k.proc, listener, config, k.runtime, logfile
        k.kill()
    listener.close()


def _status(runtime: Path) -> dict:
    st = kiosk_status(runtime)
    assert st is not None, "kiosk status: no kiosk running"
    return st


def test_ready_watchdog_status_reload_and_sigterm(kiosk):
    proc, listener, config, runtime, logfile = kiosk
    ready = listener.wait_for("READY", "1", timeout=60)
    assert "page arrivals" in ready.fields.get("STATUS", "")
    # Watchdog every WATCHDOG_USEC/2 = 0.5 s, from the GUI thread's timer.
    first = listener.wait_for("WATCHDOG", "1", count=1, timeout=10)
    fifth = listener.wait_for("WATCHDOG", "1", count=5, timeout=10)
    assert 1.5 <= fifth.at - first.at <= 4.0

    # The status is written at the first frame, when the poller starts, and every 5 s: read
    # until the demo data is in.
    def all_in() -> bool:
        return all(
            s["status"] == "ok" for s in _status(runtime)["sources"] if s["name"] != "air_history"
        )

    poll_until(all_in, 20)
    st = _status(runtime)
    assert st["pid"] == proc.pid and st["page"] == "arrivals" and st["state"] == "running"
    assert {s["name"] for s in st["sources"]} >= {
        "subway",
        "air",
        "parks",
        "trails",
        "bikes",
        "events",
    }
    assert all(s["status"] == "ok" for s in st["sources"] if s["name"] != "air_history")
    assert st["demo"] is True and st["versions"]["commit"]  # `kiosk status` says demo

    # A bad config on reload: rejected with the key path, the old one keeps running.
    good = config.read_text()
    config.write_text(good.replace("district:", "distrikt:"))
    proc.send_signal(signal.SIGHUP)
    listener.wait_for("RELOADING", "1", timeout=10)
    listener.wait_for("READY", "1", count=2, timeout=10)
    said = ("reload rejected", "station.distrikt: unknown key")
    assert poll_until(lambda: all(x in logfile.read_text() for x in said), 10)
    assert proc.poll() is None

    # A good config: applied without a restart (same pid, new station name in the log).
    config.write_text(good.replace("en: Yeouido", "en: Yeouido Stn"))
    proc.send_signal(signal.SIGHUP)
    listener.wait_for("RELOADING", "1", count=2, timeout=10)
    listener.wait_for("READY", "1", count=3, timeout=20)
    assert proc.poll() is None
    assert _status(runtime)["pid"] == proc.pid

    # SIGTERM: STOPPING=1, exit 0 within a few seconds, status file gone.
    t0 = time.monotonic()
    proc.send_signal(signal.SIGTERM)
    listener.wait_for("STOPPING", "1", timeout=10)
    assert proc.wait(10) == 0
    assert time.monotonic() - t0 < 8
    assert not (runtime / "status.json").exists()
    assert "Traceback" not in logfile.read_text()


def test_watchdog_pings_stop_while_the_gui_thread_is_blocked(kiosk):
    """A reload that hangs on the GUI thread (the config is a FIFO nobody writes: think of a hung
    network mount) must starve the watchdog, so that systemd would restart the kiosk."""
    proc, listener, config, _runtime, _log = kiosk
    listener.wait_for("READY", "1", timeout=60)
    listener.wait_for("WATCHDOG", "1", count=3, timeout=10)
    good = config.read_text()
    config.unlink()
    os.mkfifo(config)
    proc.send_signal(signal.SIGHUP)
    blocked_at = listener.wait_for("RELOADING", "1", timeout=10).at
    # Six watchdog intervals (0.5 s) without a ping; one sent just before the block may land.
    during = listener.first_after("WATCHDOG", "1", after=blocked_at + 0.1, timeout=3.0)
    assert during is None, "watchdog kept pinging while the GUI thread was blocked"
    assert proc.poll() is None  # alive but frozen: exactly what WatchdogSec= is for
    with open(config, "w") as fifo:  # unblock: the reload reads the config and goes on
        fifo.write(good)
    listener.wait_for("READY", "1", count=2, timeout=15)
    n = len(listener.with_field("WATCHDOG", "1"))
    listener.wait_for("WATCHDOG", "1", count=n + 2, timeout=10)
