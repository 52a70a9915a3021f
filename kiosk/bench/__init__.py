"""`kiosk bench`: speed, memory and long-run stability of the real kiosk against its budgets.

Everything is measured in fresh processes on the bundled demo data, offscreen:
- `kiosk run --windowed` started ``--starts`` times, timed to its first frame (READY=1), each
  followed by the naive reference's first frame (``python -m kiosk.ui.naive``);
- one measuring child (``kiosk.bench.child``): the real kiosk, driven through page turns and
  renders, ticks, fade frames, shift steps, a rotation in real time with every frame timed,
  idle seconds and ``--rotations`` page changes, with RSS/USS readings, and the naive
  references (kiosk/ui/naive.py) in alternating blocks: each figure is reported with its ratio
  to its reference, and judged on it;
- the demo responses through the real parsers (in this process: no Qt involved).
``--runs N`` repeats all of it and reports the medians of the runs' medians.
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
from typing import TYPE_CHECKING, Any

from kiosk.bench.machine import describe
from kiosk.bench.report import BUDGET_SIZE, Metric, combine, over_budget, table
from kiosk.config import Config, Layout
from kiosk.errors import ConfigError

if TYPE_CHECKING:
    from kiosk.bench.spawn import NaiveStart

EXIT_OK, EXIT_FAIL = 0, 1
DEFAULTS = {"starts": 5, "repeats": 20, "cpu_seconds": 30.0, "parse_repeats": 50, "runs": 1}


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
        "frame_seconds": given("frame_seconds", None),
        "runs": given("runs", DEFAULTS["runs"]),
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
    if opts["frame_seconds"] is not None and opts["frame_seconds"] <= 0:
        problems.append(f"--frame-seconds: must be more than 0 (got {opts['frame_seconds']:g})")
    if opts["runs"] < 1:
        problems.append(f"--runs: must be at least 1 (got {opts['runs']})")
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
    from kiosk.bench.metrics import build_metrics
    from kiosk.bench.parsing import parse_costs

    if opts["frame_seconds"] is None:  # one whole rotation, and the lead-in to its first turn
        opts["frame_seconds"] = sum(p.duration for p in layout.pages) + 6.0
    from kiosk.bench.bytecode import compile_package

    opts["bytecode"] = "compiled" if compile_package() else "not writable: compiled at each start"
    runs: list[list[Metric]] = []
    children: list[dict[str, Any]] = []
    error: str | None = None
    for i in range(opts["runs"]):
        if opts["runs"] > 1:
            _say(f"run {i + 1} of {opts['runs']}")
        starts, naive_starts, child, error = _one_run(cfg, args, opts)
        parse = parse_costs(cfg.station.subway_station, int(DEFAULTS["parse_repeats"]))
        naive = [n.seconds for n in naive_starts]
        runs.append(
            build_metrics(starts, naive, child, parse, naive_rss=[n.rss_mb for n in naive_starts])
        )
        children.append(child)
        if error:
            break
    metrics = runs[0] if len(runs) == 1 else combine(runs)
    _print(opts, metrics, runs, children, error)
    if error:
        print(f"kiosk bench: {error}", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def _rss_by_page(child: dict[str, Any]) -> dict[str, dict[str, float]]:
    """{"warm"|"after": {page id: RSS MB}} from a run's rounds of readings (those it got to)."""
    out = {}
    for stage in ("warm", "after"):
        pages = child.get(f"memory_{stage}_pages")
        if pages:
            out[stage] = {page: round(m["rss_mb"], 1) for page, m in pages.items()}
    return out


def _one_run(
    cfg: Config, args: argparse.Namespace, opts: dict[str, Any]
) -> tuple[list[float], list[NaiveStart], dict[str, Any], str | None]:
    """One full run: fresh starts (the kiosk's and the naive reference's, in turn), then the
    measuring child. Whatever ran before a crash is kept."""
    from kiosk.bench.spawn import (
        ChildFailed,
        Workdir,
        first_frame,
        measure_child,
        naive_start,
        raw_config,
        scratch_parent,
        write_config,
    )

    size = opts["size"]
    starts: list[float] = []
    naive_starts: list[NaiveStart] = []
    child: dict[str, Any] = {}
    error: str | None = None
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-", dir=scratch_parent()) as tmp:
        work = Workdir(Path(tmp))
        write_config(work, raw_config(getattr(args, "config", None)), cfg, demo=True)
        try:
            for i in range(opts["starts"]):
                starts.append(first_frame(work, size))
                naive_starts.append(naive_start(work, size))
                _say(
                    f"first frame {i + 1}/{opts['starts']}: {starts[-1]:.3f} s "
                    f"(naive page: {naive_starts[-1].seconds:.3f} s, "
                    f"{naive_starts[-1].rss_mb:.1f} MB)"
                )
            child = measure_child(
                work,
                size,
                opts["rotations"],
                opts["repeats"],
                opts["cpu_seconds"],
                opts["frame_seconds"],
                on_start=lambda pid: _say(
                    f"measuring in process {pid} at {size[0]}x{size[1]}: "
                    f"{opts['rotations']} page changes, {opts['frame_seconds']:g} s of frames, "
                    f"{opts['cpu_seconds']:g} s idle"
                ),
            )
            if child.get("chart_ready") is False:  # measured all the same, and said so
                _say(f"warning: the chart's picture was not ready: {child.get('chart_problem')}")
        except ChildFailed as e:
            error = e.one_line()
    return starts, naive_starts, child, error


def _print(
    opts: dict[str, Any],
    metrics: list[Metric],
    runs: list[list[Metric]],
    children: list[dict[str, Any]],
    error: str | None,
) -> None:
    size = opts["size"]
    child = children[-1] if children else {}
    machine = describe()
    if opts["json"]:
        doc = {
            "size": list(size),
            "rotations": opts["rotations"],
            "starts": opts["starts"],
            "repeats": opts["repeats"],
            "cpu_seconds": opts["cpu_seconds"],
            "frame_seconds": opts["frame_seconds"],
            "runs": len(runs),
            "machine": machine,
            "bytecode": opts["bytecode"],
            "versions": {"python": platform.python_version(), "qt": child.get("qt")},
            "rotation_seconds": [c.get("rotation_s") for c in children],
            "data_complete": all(c.get("data_complete") for c in children) if children else None,
            "chart_ready": all(c.get("chart_ready") for c in children) if children else None,
            "chart_problems": [c["chart_problem"] for c in children if c.get("chart_problem")],
            # each run's longest stretches of GUI-thread work in the real-time rotation
            "slowest_spans": [(c.get("rotation_frames") or {}).get("slowest") for c in children],
            # RSS (MB) with each page on screen, in the rounds before and after the page changes
            "rss_by_page": [_rss_by_page(c) for c in children],
            "metrics": {m.key: m.to_json() for m in metrics},
            "each_run": [{m.key: m.to_json() for m in run} for run in runs]
            if len(runs) > 1
            else None,
            "over_budget": over_budget(metrics),
            "crashed": error is not None,
            "error": error,
        }
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    header = [
        f"kiosk bench at {size[0]}x{size[1]}: {opts['rotations']} page changes, "
        f"{opts['cpu_seconds']:g} s idle, {opts['frame_seconds']:g} s of frames, "
        f"{opts['starts']} starts, {opts['repeats']} repeats"
        + (f"; medians of {len(runs)} runs' medians" if len(runs) > 1 else ""),
        f"{machine['cpu']}, {machine['cores']} cores; Python {platform.python_version()}, "
        f"{child.get('qt') or 'Qt ?'}; the kiosk's bytecode {opts['bytecode']}",
        "ratios are to this machine's naive references (kiosk/ui/naive.py), measured in the "
        "same run",
    ]
    if tuple(size) != BUDGET_SIZE:
        header.append(f"(the budgets are set for {BUDGET_SIZE[0]}x{BUDGET_SIZE[1]})")
    for c in children:
        if c.get("rotation_s"):
            header.append(
                f"{opts['rotations']} page changes took {c['rotation_s']:.1f} s "
                "(next page made ready, the turn, a painted frame each)"
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
