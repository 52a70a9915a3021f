"""The measuring process of `kiosk bench`: the real kiosk (``kiosk.runner.Kiosk``: window,
demo poller, status file, screen log, signals) started as `kiosk run --windowed` starts it, then
measured from inside once its first frame is painted.

    python -m kiosk.bench.child --config CFG --size 3840x2160 --rotations N --repeats R \
        --cpu-seconds S --frame-seconds F

Prints one line ``KIOSK-BENCH-RESULT {json}`` with the raw samples; `kiosk bench` does the
statistics. Qt is imported only inside ``main`` (through kiosk.runner and kiosk.ui), so the
module itself imports with Qt blocked, like every module outside kiosk/ui.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from kiosk.bench.memory import read_memory

RESULT_TAG = "KIOSK-BENCH-RESULT "
DATA_TIMEOUT_S = 30.0


def _progress(text: str) -> None:
    print(f"kiosk bench [{os.getpid()}]: {text}", file=sys.stderr, flush=True)


def _memory() -> dict[str, float]:
    m = read_memory()
    return {"rss_mb": m.rss_mb, "uss_mb": m.uss_mb}


def _has_all_data(window) -> bool:
    return all(s in window.snapshots for s in (*window.sources, "air_history"))


def measure(kiosk: Any, opts: argparse.Namespace) -> dict[str, Any]:
    """Every phase, in an order that keeps the memory readings comparable; raw samples."""
    from kiosk.bench.probe import Probe
    from kiosk.core.timeutil import now_kst

    win = kiosk.rt.window
    probe = Probe(win)
    out: dict[str, Any] = {
        "pid": os.getpid(),
        "pages": [p.page_id for p in win.pages],
        "rotations": opts.rotations,
        "qt": kiosk.qt,
    }
    out["memory_start"] = _memory()
    if not probe.wait_exposed():
        raise RuntimeError("the window was never exposed")
    out["data_complete"] = probe.wait_for(lambda: _has_all_data(win), DATA_TIMEOUT_S)
    win.stop()  # the probe ticks by hand; the real timer runs again for the idle phase
    # The chart picture, drawn out of process, is on its page before anything is measured
    # (finish_building is idempotent: the runner's own call may not have run yet).
    win.finish_building()
    out["chart_ready"] = win.settle(60)
    if not out["chart_ready"]:
        out["chart_problem"] = "; ".join(win.unsettled()) or "unknown"
        _progress(f"the chart's picture is not ready: {out['chart_problem']}")
    _progress("warming up")
    probe.page_renders(2)
    probe.ticks(3, 2, now_kst())
    probe.transitions(2)
    probe.page_turns(1)
    probe.rotate(2 * len(win.pages))
    out["memory_warm"], out["memory_warm_pages"] = _memory_round(probe)
    _progress(f"{opts.rotations} page changes")
    t = time.monotonic()
    out["rotate"] = probe.rotate(opts.rotations)
    out["rotation_s"] = time.monotonic() - t
    out["memory_after"], out["memory_after_pages"] = _memory_round(probe)
    _progress("timing page changes, ticks, fade frames and the naive references")
    out.update(_timings(probe, opts.repeats, tuple(opts.size)))
    out["memory_timed"] = _memory()
    _progress(f"every frame of a rotation, {opts.frame_seconds:g} s in real time")
    out["rotation_frames"] = probe.rotation_frames(opts.frame_seconds)
    out["memory_frames"] = _memory()
    _progress(f"idle CPU for {opts.cpu_seconds:g} s")
    win.show_page(win.pages[0].page_id)
    cpu_s, wall_s = probe.idle_cpu(opts.cpu_seconds)
    out["idle"] = {"cpu_s": cpu_s, "wall_s": wall_s, "page": win.pages[0].page_id}
    out["memory_end"] = _memory()
    out["chart"] = _chart_drawings(win, max(3, opts.repeats // 4))
    return out


def _memory_round(probe: Any) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """One more turn to each page, memory read with it on screen: the highest reading, and each.

    What the kiosk holds depends on the page on screen (the air chart's pixels, the parks
    schematic's layer: each kept while its page is shown, let go at the tick after it left),
    so a single reading compares unlike with unlike whenever two readings fall on different
    pages. The highest of one round is what the kiosk needs at most between turns, the same
    round before and after the page changes."""
    win = probe.win
    pages: dict[str, dict[str, float]] = {}
    for _ in win.pages:
        probe.rotate(1)
        pages[win.current_page().page_id] = _memory()
    return max(pages.values(), key=lambda m: m["rss_mb"]), pages


CHUNKS = 4  # the kiosk's samples and the references' taken in turn, this many times


def _timings(probe: Any, repeats: int, size: tuple[int, int]) -> dict[str, Any]:
    """The kiosk's timings and the naive references', in alternating blocks."""
    from kiosk.bench.reference import Reference
    from kiosk.core.timeutil import now_kst

    ref = Reference(size)
    pages = len(probe.win.pages)
    renders: dict[str, list[float]] = {}
    turns: dict[str, list[float]] = {}
    naive: dict[str, list[float]] = {"repaint": [], "fade": [], "clock": []}
    ticks: dict[str, Any] = {}
    fades: dict[str, Any] = {"start_ms": [], "frame_ms": []}
    turn_counts = {"prepared": 0, "unprepared": 0, "held": 0}
    turn_area = 0.0
    try:
        for chunk in range(CHUNKS):
            n = repeats // CHUNKS + (1 if chunk < repeats % CHUNKS else 0)
            if n == 0:
                continue
            for page, samples in probe.page_renders(n).items():
                renders.setdefault(page, []).extend(samples)
            got = probe.page_turns(n)
            for page, samples in got["by_page"].items():
                turns.setdefault(page, []).extend(samples)
            turn_counts["prepared"] += got["prepared"]
            turn_counts["unprepared"] += got["unprepared"]
            turn_counts["held"] += got["held"]
            turn_area = got["area"] or turn_area
            for key, samples in ref.samples(n * pages).items():
                naive[key].extend(samples)
            got_ticks = probe.ticks(max(30, repeats) // CHUNKS, n, now_kst())
            for key, value in got_ticks.items():
                if key.endswith("_ms"):
                    ticks.setdefault(key, []).extend(value)
                else:
                    ticks[key] = max(value, ticks.get(key, 0.0)) if "max" in key else value
            got_fades = probe.transitions(n)
            fades["start_ms"] += got_fades["start_ms"]
            fades["frame_ms"] += got_fades["frame_ms"]
            fades["frame_area"] = got_fades["frame_area"]
        naive_clock_area = ref.clock_area()
    finally:
        ref.close()
    return {
        "page_render_ms": renders,
        "page_render_area": probe.page_render_area(),
        "page_turn_ms": turns,
        "page_turn_area": turn_area,
        "page_turns": turn_counts,
        "naive": {**naive, "clock_area": naive_clock_area},
        "ticks": ticks,
        "transitions": fades,
        "shift": probe.shift_steps(max(6, repeats)),
    }


def _chart_drawings(win: Any, n: int) -> dict[str, Any]:
    """What drawing the chart costs, in its own process: wall time per drawing (started to
    picture on the page), and each drawing process's CPU time and peak RSS (its own report)."""
    charts = [p.chart for p in win.pages if hasattr(p, "chart")]
    wall: list[float] = []
    cpu: list[float] = []
    peak: list[float] = []
    for chart in charts[:1]:
        for _ in range(n):
            chart.redraw()
            if chart.wait(60) and chart.last_render_s is not None:
                wall.append(chart.last_render_s)
                if chart.last_cost:
                    cpu.append(chart.last_cost["cpu_s"])
                    peak.append(chart.last_cost["peak_rss_mb"])
    return {
        "wall_s": wall,
        "cpu_s_each": max(cpu) if cpu else None,
        "peak_rss_mb": max(peak) if peak else None,
    }


PR_SET_PDEATHSIG = 1  # prctl(2)


def _die_with_parent() -> None:
    """Be killed if `kiosk bench` dies, even by SIGKILL: a measuring process left behind
    would spoil every later measurement on the machine (Linux only; elsewhere a no-op)."""
    import signal

    from kiosk.libc import libc_function  # no Qt: this runs before Qt is imported

    parent = os.environ.get("KIOSK_BENCH_PID")
    prctl = libc_function("prctl")
    if prctl is not None and sys.platform.startswith("linux"):
        prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        if parent is not None and str(os.getppid()) != parent:  # died before that took effect
            os._exit(1)


def _size(text: str) -> tuple[int, int]:
    w, h = (int(v) for v in text.lower().split("x"))
    return w, h


def main(argv: list[str] | None = None) -> int:
    """Run the kiosk, measure it, print the result line; 0 if every phase ran."""
    p = argparse.ArgumentParser(prog="python -m kiosk.bench.child")
    p.add_argument("--config", required=True)
    p.add_argument("--size", type=_size, required=True)
    p.add_argument("--rotations", type=int, required=True)
    p.add_argument("--repeats", type=int, required=True)
    p.add_argument("--cpu-seconds", type=float, required=True)
    p.add_argument("--frame-seconds", type=float, required=True)
    opts = p.parse_args(argv)
    _die_with_parent()
    os.environ["QT_QPA_PLATFORM"] = "offscreen"

    from kiosk.app import RunOptions, build_kiosk
    from kiosk.config import load_all

    path = Path(opts.config)
    cfg, layout = load_all(path)
    kiosk = build_kiosk(RunOptions(path, windowed=True, size=opts.size), cfg, layout)
    result: dict[str, Any] = {}

    def run_phases() -> None:
        try:
            result.update(measure(kiosk, opts))
        except Exception as e:  # reported to the parent as a failed run, with the reason
            import traceback

            traceback.print_exc()
            result["error"] = f"{e.__class__.__name__}: {' '.join(str(e).split())}"
        finally:
            kiosk.stop()

    # After the first frame, from the event loop: the phases run their own loops inside.
    kiosk.rt.on_first_frame(lambda: kiosk.rt.later(0, run_phases))
    try:
        code = kiosk.rt.exec()
    finally:
        kiosk.shutdown()
    result["exit_code"] = code
    print(RESULT_TAG + json.dumps(result), flush=True)
    return 0 if code == 0 and "error" not in result else 1


if __name__ == "__main__":
    sys.exit(main())
