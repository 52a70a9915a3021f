"""`kiosk bench`: speed, memory and long-run stability of the real kiosk against its budgets.

Everything is measured in fresh processes on the bundled demo data, offscreen:
- `kiosk run --windowed` started ``--starts`` times, timed to its first frame (READY=1);
- one measuring child (``kiosk.bench.child``): the real kiosk, driven through page changes,
  ticks, fade frames, idle seconds and ``--rotations`` page changes, with RSS/USS readings;
- the demo responses through the real parsers (in this process: no Qt involved).
``--soak SECONDS`` instead runs `kiosk run` against a local fault-injecting server
(``kiosk.bench.soak``). Exit 0 when every process ran and stopped cleanly, 1 when one crashed;
a budget that is missed is reported (OVER), not an error: the machine may be noisy.
"""

from __future__ import annotations

import argparse
import json
import platform
import signal
import sys
import tempfile
from pathlib import Path
from typing import Any

from kiosk.bench.report import BUDGET_SIZE, Metric, metric, over_budget, table
from kiosk.config import Config, Layout
from kiosk.errors import ConfigError

EXIT_OK, EXIT_FAIL = 0, 1
DEFAULTS = {"starts": 5, "repeats": 20, "cpu_seconds": 30.0, "parse_repeats": 50}


def _say(text: str) -> None:
    print(f"kiosk bench: {text}", file=sys.stderr, flush=True)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    def given(name: str, default: Any) -> Any:
        value = getattr(args, name, None)
        return default if value is None else value

    opts = {
        "size": tuple(given("size", BUDGET_SIZE)),
        "rotations": given("rotations", 10_000),
        "starts": given("starts", DEFAULTS["starts"]),
        "repeats": given("repeats", DEFAULTS["repeats"]),
        "cpu_seconds": given("cpu_seconds", DEFAULTS["cpu_seconds"]),
        "soak": given("soak", None),
        "json": bool(given("json", False)),
    }
    problems = []
    if opts["rotations"] < 1:
        problems.append(f"--rotations: must be at least 1 (got {opts['rotations']})")
    if opts["starts"] < 1:
        problems.append(f"--starts: must be at least 1 (got {opts['starts']})")
    if opts["repeats"] < 1:
        problems.append(f"--repeats: must be at least 1 (got {opts['repeats']})")
    if opts["cpu_seconds"] <= 0:
        problems.append(f"--cpu-seconds: must be more than 0 (got {opts['cpu_seconds']:g})")
    if opts["soak"] is not None and opts["soak"] <= 0:
        problems.append(f"--soak: must be more than 0 seconds (got {opts['soak']:g})")
    if problems:
        raise ConfigError(problems)
    return opts


def run(cfg: Config, layout: Layout, args: argparse.Namespace) -> int:
    """Run the benchmark (or the soak), print a table or JSON; 0 unless a process crashed."""
    opts = _options(args)
    # `kill <bench>` (SIGTERM) unwinds like Ctrl-C, so every child it started is stopped on
    # the way out. The measuring child also dies if the bench is SIGKILLed
    # (kiosk.bench.child); a `kiosk run` it started (first frame, soak) does not.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if opts["soak"] is not None:
        from kiosk.bench.soak import run_soak

        return run_soak(cfg, layout, args, opts)
    from kiosk.bench.parsing import parse_costs
    from kiosk.bench.spawn import (
        ChildFailed,
        Workdir,
        first_frame,
        measure_child,
        raw_config,
        write_config,
    )

    size = opts["size"]
    starts: list[float] = []
    child: dict[str, Any] = {}
    error: str | None = None
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-") as tmp:
        work = Workdir(Path(tmp))
        write_config(work, raw_config(getattr(args, "config", None)), cfg, demo=True)
        try:
            for i in range(opts["starts"]):
                starts.append(first_frame(work, size))
                _say(f"first frame {i + 1}/{opts['starts']}: {starts[-1]:.3f} s")
            child = measure_child(
                work,
                size,
                opts["rotations"],
                opts["repeats"],
                opts["cpu_seconds"],
                on_start=lambda pid: _say(
                    f"measuring in process {pid} at {size[0]}x{size[1]}: "
                    f"{opts['rotations']} page changes, {opts['cpu_seconds']:g} s idle"
                ),
            )
        except ChildFailed as e:
            error = e.one_line()
    parse = parse_costs(cfg.station.subway_station, int(DEFAULTS["parse_repeats"]))
    metrics = build_metrics(starts, child, parse)
    _print(opts, metrics, child, error)
    if error:
        print(f"kiosk bench: {error}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _pct(fraction: float) -> str:
    return (
        f"{fraction * 100:.2f} % of the screen"
        if fraction < 0.1
        else f"{fraction:.0%} of the screen"
    )


def build_metrics(
    starts: list[float], child: dict[str, Any], parse: dict[str, tuple[list[float], int]]
) -> list[Metric]:
    """Report lines from the raw samples (whatever ran before a crash)."""
    out: list[Metric] = []
    if starts:
        out.append(
            metric("first_frame", "first frame (fresh kiosk run)", "s", starts, "first_frame")
        )
    pages = child.get("page_change_ms") or {}
    if pages:
        all_samples = [s for samples in pages.values() for s in samples]
        area = child.get("page_change_area", 1.0)
        out.append(
            metric(
                "page_change",
                "page change (all pages)",
                "ms",
                all_samples,
                "page_change",
                f"show page + synchronous repaint; repaints {_pct(area)}",
                repaint_fraction=area,
            )
        )
        for page_id, samples in pages.items():
            out.append(
                metric(f"page_change.{page_id}", f"  page {page_id}", "ms", samples, "page_change")
            )
    ticks = child.get("ticks")
    if ticks:
        for kind, label in (
            ("second", "tick, a second (clock unchanged)"),
            ("minute", "tick, minute flip (clock, countdowns, ages)"),
        ):
            area, most = ticks[f"{kind}_area"], ticks[f"{kind}_area_max"]
            out.append(
                metric(
                    "tick" if kind == "second" else "tick_minute",
                    label,
                    "ms",
                    ticks[f"{kind}_ms"],
                    "tick" if kind == "second" else "tick_minute",
                    f"tick() + the repaint Qt does after it; repaints {_pct(area)} "
                    f"on average, {_pct(most)} at most",
                    repaint_fraction=area,
                    repaint_fraction_max=most,
                )
            )
    fades = child.get("transitions")
    if fades:
        area = fades["frame_area"]
        out.append(
            metric(
                "transition_frame",
                "cross-fade frame (mid opacity)",
                "ms",
                fades["frame_ms"],
                "transition_frame",
                f"repaints {_pct(area)}",
                repaint_fraction=area,
            )
        )
        out.append(
            metric(
                "transition_start",
                "cross-fade start (page grabs, first frames)",
                "ms",
                fades["start_ms"],
                note="once per rotation: page switch, grabs, the frames at opacity 1 and 0.99",
            )
        )
    idle = child.get("idle")
    if idle:
        pct = 100.0 * idle["cpu_s"] / idle["wall_s"]
        out.append(
            metric(
                "idle_cpu",
                f"idle CPU ({idle['page']} on screen, clock ticking)",
                "%",
                [max(pct, 1e-6)],
                "idle_cpu",
                f"% of one core over {idle['wall_s']:.1f} s of the real event loop, "
                "demo poller and status writes included",
            )
        )
    out += _memory_metrics(child)
    chart = child.get("chart")
    if chart and chart.get("wall_s") and chart.get("cpu_s_each") is not None:
        out.append(
            metric(
                "chart_drawing",
                "chart drawing (own process, ~twice an hour)",
                "s",
                chart["wall_s"],
                note=f"python -m kiosk.ui.chart_render: up to {chart['cpu_s_each']:.2f} s CPU "
                f"and {chart['peak_rss_mb']:.0f} MB peak RSS each, for the second it runs; "
                "the kiosk keeps neither",
                cpu_s_each=chart["cpu_s_each"],
                peak_rss_mb=chart["peak_rss_mb"],
            )
        )
    for source, (samples, size) in parse.items():
        out.append(
            metric(
                f"parse.{source}",
                f"parse {source} ({size / 1024:.1f} KiB)",
                "ms",
                samples,
                note="",
                body_bytes=size,
            )
        )
    return out


def _memory_metrics(child: dict[str, Any]) -> list[Metric]:
    out: list[Metric] = []
    stages = [
        ("start", "after start"),
        ("warm", "after warm-up"),
        ("after", f"after {child.get('rotations', 'N')} page changes"),
        ("end", "at the end"),
    ]
    for kind in ("rss", "uss"):
        for stage, label in stages:
            reading = child.get(f"memory_{stage}")
            if reading:
                out.append(
                    metric(
                        f"{kind}_{stage}",
                        f"{kind.upper()} {label}",
                        "MB",
                        [reading[f"{kind}_mb"]],
                        "rss_after" if (kind, stage) == ("rss", "after") else None,
                    )
                )
        warm, after = child.get("memory_warm"), child.get("memory_after")
        if warm and after:
            growth = after[f"{kind}_mb"] - warm[f"{kind}_mb"]
            out.append(
                Metric(
                    f"{kind}_growth",
                    f"{kind.upper()} growth over the page changes",
                    "MB",
                    (growth,),
                    2.0 if kind == "rss" else None,
                )
            )
    return out


def _print(opts: dict[str, Any], metrics: list[Metric], child: dict[str, Any], error: str | None):
    size = opts["size"]
    if opts["json"]:
        doc = {
            "size": list(size),
            "rotations": opts["rotations"],
            "starts": opts["starts"],
            "repeats": opts["repeats"],
            "cpu_seconds": opts["cpu_seconds"],
            "versions": {"python": platform.python_version(), "qt": child.get("qt")},
            "rotation_seconds": child.get("rotation_s"),
            "data_complete": child.get("data_complete"),
            "chart_ready": child.get("chart_ready"),
            "metrics": {m.key: m.to_json() for m in metrics},
            "over_budget": over_budget(metrics),
            "crashed": error is not None,
            "error": error,
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    header = [
        f"kiosk bench at {size[0]}x{size[1]}: {opts['rotations']} page changes, "
        f"{opts['cpu_seconds']:g} s idle, {opts['starts']} starts, {opts['repeats']} repeats",
        f"Python {platform.python_version()}, {child.get('qt') or 'Qt ?'}",
    ]
    if tuple(size) != BUDGET_SIZE:
        header.append(f"(the budgets are set for {BUDGET_SIZE[0]}x{BUDGET_SIZE[1]})")
    if child.get("rotation_s"):
        header.append(
            f"{opts['rotations']} page changes took {child['rotation_s']:.1f} s "
            "(grab, fade start, new page, one painted frame each)"
        )
    header.append("")
    print(table(header, metrics))
    over = over_budget(metrics)
    print(
        "\n"
        + (f"over budget: {', '.join(m.strip() for m in over)}" if over else "all within budget")
    )
    if error:
        print(f"CRASHED: {error}")
