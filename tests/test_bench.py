"""`kiosk bench` end to end: the real CLI in a subprocess, small numbers, no timing asserted.

The budgets are for people reading the report (the machine running the suite is noisy); these
tests check that every metric is measured, that the report has its shape, and that a crash of
a measured process turns into a non-zero exit.
"""

from __future__ import annotations

import json
import math
import os
import re
import select
import signal
import subprocess
import sys

import pytest

from kiosk.bench.faultserver import PATTERN
from tests.conftest import REPO

CONFIG = str(REPO / "config.example.yaml")
SMALL = [
    "--size",
    "1280x720",
    "--rotations",
    "200",
    "--starts",
    "2",
    "--repeats",
    "3",
    "--frame-seconds",
    "10",
]
PAGES = ("arrivals", "buses", "air", "parks", "arrivals-again", "bikes", "events")
SOURCES = ("subway", "air", "parks", "trails", "bikes", "events", "bus")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NOTIFY_SOCKET", "KIOSK_CONFIG")}
    return dict(env, PYTHONPATH=str(REPO), QT_QPA_PLATFORM="offscreen")


def _bench(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "bench", "--config", CONFIG, *args],
        cwd=REPO,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_bench_json_has_every_metric_as_a_positive_number_and_exits_0():
    r = _bench(*SMALL, "--cpu-seconds", "2", "--json")
    assert r.returncode == 0, r.stderr[-3000:]
    doc = json.loads(r.stdout)
    assert doc["size"] == [1280, 720] and doc["rotations"] == 200
    assert doc["crashed"] is False and doc["error"] is None
    assert doc["bytecode"] == "compiled"  # the starts timed as an installed kiosk's
    assert doc["data_complete"] is True  # measured with every demo source on screen
    metrics = doc["metrics"]
    (slowest,) = doc["slowest_spans"]  # the run's longest stretches, with what began each
    assert slowest and all(isinstance(s["began_with"], str) and s["ms"] > 0 for s in slowest)
    (by_page,) = doc["rss_by_page"]  # a round of every page before and after the page changes
    pages = {"arrivals", "buses", "air", "parks", "arrivals-again", "bikes", "events"}
    for stage in ("warm", "after"):
        assert set(by_page[stage]) == pages
        assert metrics[f"rss_{stage}"]["median"] == pytest.approx(
            max(by_page[stage].values()), abs=0.06
        )
    expected = {
        "naive_repaint",
        "naive_fade",
        "naive_clock",
        "naive_start",
        "naive_rss",
        "first_frame",
        "page_change",
        *(f"page_change.{p}" for p in PAGES),
        "page_render",
        "frame_max",
        "frame_p99",
        "frames_over",
        "stall_max",
        "tick",
        "tick_minute",
        "transition_frame",
        "transition_start",
        "shift_step",
        "shift_area",
        "page_change_area",
        "idle_cpu",
        *(f"{k}_{s}" for k in ("rss", "uss") for s in ("start", "warm", "after", "end")),
        "rss_growth",
        "uss_growth",
        *(f"parse.{s}" for s in SOURCES),
    }
    assert expected <= set(metrics), expected - set(metrics)
    for key, m in metrics.items():
        assert isinstance(m["median"], float) and math.isfinite(m["median"]), key
        if not key.endswith("_growth") and key not in ("frames_over", "stall_max"):
            assert m["median"] > 0 and m["p95"] >= m["median"], (key, m)  # (memory may shrink)
        if m["budget"] is not None or m["ratio_budget"] is not None:
            assert m["verdict"] in ("ok", "OVER"), (key, m)
    assert metrics["first_frame"]["n"] == 2 and metrics["naive_start"]["n"] == 2
    assert metrics["page_change.arrivals"]["n"] == 3
    # Judged on ratios to this machine's naive references, measured in the same run.
    page = metrics["page_change"]
    assert page["reference"] == "naive_repaint" and page["ratio_budget"] == 0.5
    naive = metrics["naive_repaint"]["median"]
    assert page["ratio"] == pytest.approx(page["median"] / naive, abs=1e-3)  # (rounded)
    assert page["verdict"] == ("ok" if page["ratio"] <= 0.5 else "OVER")
    assert page["prepared"] >= 1  # turns drawn from a picture made before their turn
    assert metrics["tick_minute"]["reference"] == "naive_clock"
    assert metrics["transition_frame"]["reference"] == "naive_fade"
    assert metrics["frame_max"]["frames"] > 10  # every frame of the real event loop, timed
    assert metrics["frame_max"]["median"] >= metrics["frame_p99"]["median"]
    assert metrics["shift_step"]["reference"] == "naive_repaint"
    assert 0 < metrics["shift_step"]["repaint_fraction"] < 0.1  # a sliver, not the screen
    # Issue 17: a shift step repaints at most what a turn does.
    shift_area = metrics["shift_area"]
    assert shift_area["reference"] == "page_change_area" and shift_area["ratio_budget"] == 1.0
    assert shift_area["median"] == pytest.approx(
        metrics["shift_step"]["repaint_fraction"] * 100, abs=1e-3
    )
    assert shift_area["verdict"] == "ok"
    assert metrics["rss_after"]["budget"] == 100.0 and metrics["idle_cpu"]["budget"] == 0.15
    assert doc["machine"]["cpu"] and doc["machine"]["cores"] >= 1
    assert metrics["rss_warm"]["median"] > 50  # a real Qt process, not a stub
    # The memory's reference: a fresh naive page's process, read with its page shown.
    assert metrics["naive_rss"]["n"] == 2 and metrics["naive_rss"]["median"] > 30
    rss = metrics["rss_after"]
    assert rss["reference"] == "naive_rss" and rss["budget"] == 100.0
    assert rss["ratio"] == pytest.approx(rss["median"] / metrics["naive_rss"]["median"], abs=1e-3)
    # the chart's picture was on its page before the timings (if not: the bench says why)
    assert doc["chart_ready"] is True, (doc["chart_problems"], r.stderr[-3000:])
    chart = metrics["chart_drawing"]  # drawn by its own process, which reports its cost
    assert chart["n"] >= 3 and chart["cpu_s_each"] > 0 and chart["peak_rss_mb"] > 20
    for key in ("page_change", "page_render", "tick", "tick_minute", "transition_frame"):
        assert 0.0 <= metrics[key]["repaint_fraction"] <= 1.0, key
    assert metrics["page_render"]["repaint_fraction"] > 0.9  # a full render repaints it all
    assert metrics["tick_minute"]["repaint_fraction"] < 0.5  # a tick repaints what changed
    assert set(doc["over_budget"]) <= {m["label"] for m in metrics.values()}


def test_bench_table_names_budgets_and_verdicts():
    r = _bench(*SMALL, "--rotations", "20", "--starts", "1", "--cpu-seconds", "1")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "first frame (fresh kiosk run)" in r.stdout
    turn = r"page change \(a rotation's turn\).*× +≤ 0\.50× naive repaint +(ok|OVER)"
    assert re.search(turn, r.stdout)
    assert re.search(r"reference: naive full repaint +\d+\.\d+ ms", r.stdout)
    assert re.search(r"RSS after 20 page changes .*≤ 100\.0 MB\s+(ok|OVER)", r.stdout)
    assert "(the budgets are set for 3840x2160)" in r.stdout
    assert re.search(r"cores; Python", r.stdout)  # the machine (CPU model) is named


def test_a_measuring_process_that_crashes_makes_bench_exit_non_zero():
    proc = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "bench", "--config", CONFIG, *SMALL, "--starts", "1"]
        + ["--cpu-seconds", "60", "--json"],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        for line in proc.stderr:
            m = re.search(r"measuring in process (\d+)", line)
            if m:
                os.kill(int(m.group(1)), signal.SIGSEGV)  # as a native crash in Qt would end it
                break
        else:
            pytest.fail("bench never started its measuring process")
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1
    assert "crashed: killed by SIGSEGV" in err
    doc = json.loads(out)
    assert doc["crashed"] is True and "SIGSEGV" in doc["error"]
    assert doc["metrics"]["first_frame"]["n"] == 1  # what ran before the crash is still reported


def test_bad_numbers_are_usage_errors_with_one_line_each():
    r = _bench("--rotations", "0", "--cpu-seconds", "-1")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "--rotations: must be at least 1 (got 0)",
        "--cpu-seconds: must be more than 0 (got -1)",
    ]
    r = _bench("--runs", "0", "--frame-seconds", "0")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "--frame-seconds: must be more than 0 (got 0)",
        "--runs: must be at least 1 (got 0)",
    ]


@pytest.mark.slow
def test_soak_against_injected_faults_ends_alive_clean_and_reports_memory():
    # 40 s: the start-up burst (one request per source) meets the first six spoiled replies, and
    # a subway poll after half-time meets ERROR-337 even if its first reply failed (30 s backoff).
    # The 600 s soak of the issue meets them all (docs/operations.md).
    r = _bench("--soak", "40", "--size", "1280x720", "--json", timeout=180)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    doc = json.loads(r.stdout)
    assert doc["alive_at_end"] is True and doc["exit_code"] == 0
    assert doc["error_records"] == 0 and doc["tracebacks"] == 0
    # STATUS= every 5 s from a GUI-thread timer: the GUI kept running all along.
    assert doc["status_updates"] >= 6 and doc["longest_status_gap_s"] < 15
    served = doc["requests"]
    for fault in (*PATTERN[:6], "quota_337"):
        assert any(k.endswith(" " + fault) for k in served), (fault, served)
    assert doc["cache_moved_aside"] >= 1  # the damaged cache it started on, at least
    assert any(k.startswith("subway ") for k in served)
    rss = doc["memory"]["rss_mb"]
    assert rss["start"] > 50 and rss["end"] > 50 and rss["max"] >= rss["end"]
    assert set(doc["feeds_at_end"]) >= {"subway", "air"}


def _pid_alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(")")[-1].split()[0] != "Z"  # a zombie is gone for our purposes
    except FileNotFoundError:
        return False


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_killed_bench_leaves_no_measuring_process_behind(sig):
    bench = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kiosk",
            "bench",
            "--config",
            CONFIG,
            "--size",
            "1280x720",
            "--starts",
            "1",
            "--rotations",
            "1000000",
        ],
        cwd=REPO,
        env=_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    child = pidfd = None
    try:
        for line in bench.stderr:
            m = re.search(r"measuring in process (\d+)", line)
            if m:
                child = int(m.group(1))
                break
        assert child is not None
        pidfd = os.pidfd_open(child)  # becomes readable when that process ends
        assert _pid_alive(child)
        bench.send_signal(sig)
        bench.wait(30)
        ended, _, _ = select.select([pidfd], [], [], 15)
        assert ended and not _pid_alive(child)
    finally:
        if bench.poll() is None:
            bench.kill()
        if child is not None and _pid_alive(child):
            os.kill(child, signal.SIGKILL)
        if pidfd is not None:
            os.close(pidfd)
