"""`kiosk run` on live data from a local Seoul API simulator: fresh, then an outage (stale with its
age, then no data), then recovery by itself. Real process, real HTTP, real cache; short
thresholds instead of hours."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import yaml

from tests.conftest import REPO
from tests.httpserver.seoul import HTML_ERROR_PAGE, SeoulApi, kiosk_config_dict

SUBWAY_KEY, OPEN_KEY = "SUBWAYKEY-live-0123456789", "OPENKEY-live-9876543210"


def _status(runtime) -> dict | None:
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "status", "--json", "--runtime-dir", str(runtime)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO,
    )
    return json.loads(r.stdout) if r.returncode == 0 else None


def _wait_for(runtime, predicate, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    st = None
    while time.monotonic() < deadline:
        st = _status(runtime)
        if st and predicate({s["name"]: s for s in st["sources"]}):
            return st
        time.sleep(0.5)
    raise AssertionError(f"condition not reached in {timeout} s; last status: {st}")


def test_live_data_degrades_through_an_outage_and_recovers(tmp_path):
    api = SeoulApi(SUBWAY_KEY, OPEN_KEY).start()
    cfg = kiosk_config_dict(
        api,
        tmp_path,
        subway_daily_budget=100_000,
        subway_min_interval=5,
        service_hours={"start": "00:00", "end": "23:59"},
        cache_expiry={"subway": 0},
        freshness={"subway": {"stale_after": 6, "unavailable_after": 12}},
    )
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    runtime = tmp_path / "run"
    runtime.mkdir()
    env = dict(
        os.environ,
        QT_QPA_PLATFORM="offscreen",
        RUNTIME_DIRECTORY=str(runtime),
        STATE_DIRECTORY=str(tmp_path),
        SEOUL_API_KEY=OPEN_KEY,
        SEOUL_SUBWAY_API_KEY=SUBWAY_KEY,
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
        st = _wait_for(
            runtime,
            lambda s: all(
                s.get(n, {}).get("status") == "ok" for n in ("subway", "air", "parks", "bikes")
            ),
            40,
        )
        calls_before = api.calls["subway"]
        assert calls_before >= 1
        assert SUBWAY_KEY not in json.dumps(st) and OPEN_KEY not in json.dumps(st)

        api.fail("subway", HTML_ERROR_PAGE)  # the upstream goes down: an HTML 503 page
        st = _wait_for(runtime, lambda s: s["subway"]["status"] == "stale", 30)
        assert "503" in (
            st and next(s for s in st["sources"] if s["name"] == "subway")["error"] or ""
        )
        _wait_for(runtime, lambda s: s["subway"]["status"] not in ("ok", "stale"), 30)
        assert proc.poll() is None

        api.heal()  # back: recovers by itself, no restart
        _wait_for(runtime, lambda s: s["subway"]["status"] == "ok", 40)
        assert proc.poll() is None
    finally:
        proc.terminate()
        out, _ = proc.communicate(timeout=30)
        api.stop()
    assert proc.returncode == 0, out
    assert "Traceback" not in out
    assert SUBWAY_KEY not in out and OPEN_KEY not in out
    cache = (tmp_path / "http.sqlite").read_bytes()
    assert SUBWAY_KEY.encode() not in cache and OPEN_KEY.encode() not in cache
