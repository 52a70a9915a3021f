"""The report's lines from one run's raw samples: the kiosk's figures, this machine's naive
references, and each figure's ratio to its reference."""

from __future__ import annotations

from typing import Any

from kiosk.bench.report import FRAME_MS, Metric, metric, percentile, with_ratios


def _pct(fraction: float) -> str:
    return (
        f"{fraction * 100:.2f} % of the screen"
        if fraction < 0.1
        else f"{fraction:.0%} of the screen"
    )


def build_metrics(
    starts: list[float],
    naive_starts: list[float],
    child: dict[str, Any],
    parse: dict[str, tuple[list[float], int]],
    naive_rss: list[float] | None = None,
) -> list[Metric]:
    """Report lines from the raw samples (whatever ran before a crash), with their ratios."""
    out = _references(naive_starts, child, naive_rss or [])
    if starts:
        out.append(
            metric("first_frame", "first frame (fresh kiosk run)", "s", starts, "first_frame")
        )
    out += _pages(child)
    out += _frames(child)
    out += _ticks_and_fades(child)
    out += _memory_metrics(child)
    out += _rest(child, parse)
    return with_ratios(out)


def _references(
    naive_starts: list[float], child: dict[str, Any], naive_rss: list[float]
) -> list[Metric]:
    out: list[Metric] = []
    naive = child.get("naive") or {}
    if naive.get("repaint"):
        out.append(
            metric(
                "naive_repaint",
                "reference: naive full repaint",
                "ms",
                naive["repaint"],
                note="a plain page of QLabels in the kiosk's sizes and fonts on its background, "
                "repaint() of the whole window (kiosk/ui/naive.py)",
            )
        )
    if naive.get("fade"):
        out.append(
            metric(
                "naive_fade",
                "reference: naive cross-fade frame",
                "ms",
                naive["fade"],
                note="two full-size widgets painting page pictures, the top one at an opacity",
            )
        )
    if naive.get("clock"):
        out.append(
            metric(
                "naive_clock",
                "reference: naive clock label",
                "ms",
                naive["clock"],
                note=f"setText of the next minute + Qt's repaint; repaints "
                f"{_pct(naive.get('clock_area', 0.0))}",
            )
        )
    if naive_starts:
        out.append(
            metric(
                "naive_start",
                "reference: naive first frame",
                "s",
                naive_starts,
                note="a fresh python -m kiosk.ui.naive: import Qt, show and paint the page",
            )
        )
    if naive_rss:
        out.append(
            metric(
                "naive_rss",
                "reference: naive page's RSS",
                "MB",
                naive_rss,
                note="that fresh naive process with its page shown, at its first frame",
            )
        )
    return out


def _held(n: int) -> str:
    """How many timed turns waited for their picture (new data just before): not timed."""
    return f"; {n} held back for new data, not timed" if n else ""


def _pages(child: dict[str, Any]) -> list[Metric]:
    out: list[Metric] = []
    turns = child.get("page_turn_ms") or {}
    if turns:
        counts = child.get("page_turns") or {}
        area = child.get("page_turn_area", 0.0)
        out.append(
            metric(
                "page_change",
                "page change (a rotation's turn)",
                "ms",
                [s for samples in turns.values() for s in samples],
                "page_change",
                f"the turn's tick and its frame, the page made ready before "
                f"({counts.get('prepared', 0)} of "
                f"{counts.get('prepared', 0) + counts.get('unprepared', 0)} turns"
                f"{_held(counts.get('held', 0))}); "
                f"repaints {_pct(area)}",
                repaint_fraction=area,
                prepared=counts.get("prepared"),
                unprepared=counts.get("unprepared"),
            )
        )
        if area > 0:
            out.append(
                metric(
                    "page_change_area", "  share of the screen a turn repaints", "%", [area * 100]
                )
            )
        for page_id, samples in turns.items():
            out.append(
                metric(
                    f"page_change.{page_id}", f"  turn to {page_id}", "ms", samples, "page_change"
                )
            )
    renders = child.get("page_render_ms") or {}
    if renders:
        area = child.get("page_render_area", 1.0)
        out.append(
            metric(
                "page_render",
                "page render (show at once + full repaint)",
                "ms",
                [s for samples in renders.values() for s in samples],
                note=f"what a page change cost when it drew the page in its frame; "
                f"repaints {_pct(area)}",
                repaint_fraction=area,
            )
        )
    return out


def _frames(child: dict[str, Any]) -> list[Metric]:
    got = child.get("rotation_frames") or {}
    frames, stalls = got.get("frames_ms") or [], got.get("stalls_ms") or []
    if not frames:
        return []
    over = sum(1 for f in frames + stalls if f > FRAME_MS)
    turns = f"{got.get('prepared', 0)} turns from pictures, {got.get('unprepared', 0)} not"
    where = f"{len(frames)} frames in {got.get('seconds', 0):g} s of the kiosk left to itself"
    return [
        metric(
            "frame_max",
            "worst frame of a rotation",
            "ms",
            [max(frames)],
            "frame_max",
            f"{where} ({turns}); the longest stretch of GUI-thread work that painted",
            frames=len(frames),
        ),
        metric(
            "frame_p99",
            "frame p99 over a rotation",
            "ms",
            [percentile(frames, 99)],
            "frame_p99",
            f"99th percentile of the {len(frames)} frames",
        ),
        metric(
            "frames_over",
            f"stretches over {FRAME_MS:.1f} ms (a dropped 60 Hz frame)",
            "",
            [float(over)],
            "frames_over",
            "frames, and work that painted nothing (a poll's data, the status file)",
        ),
        metric(
            "stall_max",
            "longest stretch that painted nothing",
            "ms",
            [max(stalls) if stalls else 0.0],
            note="GUI-thread work between two waits with no paint in it",
        ),
    ]


def _ticks_and_fades(child: dict[str, Any]) -> list[Metric]:
    out: list[Metric] = []
    ticks = child.get("ticks")
    if ticks:
        for kind, label in (
            ("second", "tick, a second (clock unchanged)"),
            ("minute", "tick, minute flip (clock, countdowns, ages)"),
        ):
            area, most = ticks[f"{kind}_area"], ticks[f"{kind}_area_max"]
            key = "tick" if kind == "second" else "tick_minute"
            out.append(
                metric(
                    key,
                    label,
                    "ms",
                    ticks[f"{kind}_ms"],
                    key,
                    f"tick() + the repaint Qt does after it; repaints {_pct(area)} "
                    f"on average, {_pct(most)} at most",
                    repaint_fraction=area,
                    repaint_fraction_max=most,
                )
            )
    fades = child.get("transitions")
    if fades and fades.get("frame_ms"):
        area = fades.get("frame_area", 0.0)
        out.append(
            metric(
                "transition_frame",
                "cross-fade frame",
                "ms",
                fades["frame_ms"],
                "transition_frame",
                f"the new page's picture blended onto the frame before; repaints {_pct(area)}",
                repaint_fraction=area,
            )
        )
        out.append(
            metric(
                "transition_start",
                "turn to a page not made ready",
                "ms",
                fades["start_ms"],
                note="the slow path: the new page rendered in the turn's frame",
            )
        )
    shift = child.get("shift")
    if shift and shift.get("ms"):
        out.append(
            metric(
                "shift_step",
                "pixel-shift step (the scene moved 1 px)",
                "ms",
                shift["ms"],
                "shift_step",
                f"scene.shift_to + the repaint: Qt moves the picture and repaints "
                f"{_pct(shift['area'])}",
                repaint_fraction=shift["area"],
            )
        )
        out.append(
            metric(
                "shift_area",
                "  share of the screen a shift step repaints",
                "%",
                [shift["area"] * 100],
                "shift_area",
            )
        )
    return out


def _memory_metrics(child: dict[str, Any]) -> list[Metric]:
    out: list[Metric] = []
    stages = [
        ("start", "after start"),
        ("warm", "after warm-up (the highest of a round of the pages)"),
        ("after", f"after {child.get('rotations', 'N')} page changes (the highest of a round)"),
        ("timed", "after the timings"),
        ("frames", "after a rotation in real time"),
        ("end", "at the end (after idle)"),
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
                metric(
                    f"{kind}_growth",
                    f"{kind.upper()} growth over the page changes",
                    "MB",
                    [growth],
                    "rss_growth" if kind == "rss" else None,
                )
            )
    return out


def _rest(child: dict[str, Any], parse: dict[str, tuple[list[float], int]]) -> list[Metric]:
    out: list[Metric] = []
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
                body_bytes=size,
            )
        )
    return out
