"""Metrics, budgets, ratios to this machine's naive references, and the printed report.

A figure with a reference is judged on its ratio to it: the reference is what this machine
does naively in the same run (kiosk/ui/naive.py), so the verdict means the same on a fast
desktop and on a small ARM board. The budgets without a reference are absolute (a first frame
within a second, a share of one core, megabytes, and a frame within a 60 Hz panel's 16.7 ms:
the panel's deadline is the same on every machine; the frames' ratios to the naive repaint are
shown beside them, to compare machines).
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

BUDGET_SIZE = (3840, 2160)  # the budgets are set for 3840x2160, 2 cores, no GPU
FRAME_MS = 1000.0 / 60.0  # a 60 Hz panel's frame

# Absolute budgets: key -> limit.
BUDGETS: dict[str, float] = {
    "first_frame": 1.0,
    "idle_cpu": 0.15,
    "rss_after": 100.0,
    "rss_growth": 2.0,
    "frames_over": 0.0,
    "frame_max": FRAME_MS,
    "frame_p99": FRAME_MS,
}
# Budgets as ratios: key -> (reference key, the most the ratio may be).
RATIO_BUDGETS: dict[str, tuple[str, float]] = {
    "page_change": ("naive_repaint", 0.5),
    "tick": ("naive_clock", 1.0),
    "tick_minute": ("naive_clock", 1.0),
    "transition_frame": ("naive_fade", 1.0),
    # A shift step moves every pixel of the picture (Qt scrolls the backing store): judged
    # against repainting the screen naively, and by what it repaints against a turn (issue 17).
    "shift_step": ("naive_repaint", 1.0),
    "shift_area": ("page_change_area", 1.0),
}
# Figures shown as ratios without a budget of their own: key -> reference key.
RATIOS: dict[str, str] = {
    "page_render": "naive_repaint",
    "frame_max": "naive_repaint",
    "frame_p99": "naive_repaint",
    "stall_max": "naive_repaint",
    "transition_start": "naive_repaint",
    "first_frame": "naive_start",
    "rss_after": "naive_rss",
}
REFERENCE_NAMES = {
    "naive_repaint": "naive repaint",
    "naive_fade": "naive fade frame",
    "naive_clock": "naive clock",
    "naive_start": "naive start",
    "naive_rss": "naive page's RSS",
    "page_change": "page change",
    "page_change_area": "a turn's repaint",
}


def p95(samples: Sequence[float]) -> float:
    """The 95th percentile by nearest rank (for 20 samples: the second largest)."""
    return percentile(samples, 95)


def percentile(samples: Sequence[float], pct: float) -> float:
    """The ``pct``-th percentile by nearest rank."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(pct / 100 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Metric:
    """One line of the report: samples of one quantity, its budget or ratio budget."""

    key: str
    label: str
    unit: str
    samples: tuple[float, ...]
    budget: float | None = None
    note: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    reference: str | None = None  # the key of the metric it is a ratio to
    ratio: float | None = None  # median / the reference's median (set by with_ratios)
    ratio_budget: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return float(self.extra.get("p95_of_runs", p95(self.samples)))

    @property
    def verdict(self) -> str:
        """ "ok" or "OVER" (the ratio if it has a ratio budget, else the median against the
        budget), "" where there is neither (or no reference was measured)."""
        if self.ratio_budget is not None:
            if self.ratio is None:
                return ""
            return "ok" if self.ratio <= self.ratio_budget else "OVER"
        if self.budget is None:
            return ""
        return "ok" if self.median <= self.budget else "OVER"

    def to_json(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "unit": self.unit,
            "median": round(self.median, 4),
            "p95": round(self.p95, 4),
            "n": len(self.samples),
            "budget": self.budget,
            "reference": self.reference,
            "ratio": None if self.ratio is None else round(self.ratio, 4),
            "ratio_budget": self.ratio_budget,
            "verdict": self.verdict or None,
            "note": self.note or None,
            **self.extra,
        }


def metric(
    key: str,
    label: str,
    unit: str,
    samples: Iterable[float],
    budget_key: str | None = None,
    note: str = "",
    **extra: Any,
) -> Metric:
    """A Metric with the budget (absolute or as a ratio) named by ``budget_key`` (if any)."""
    values = tuple(float(s) for s in samples)
    if not values:
        raise ValueError(f"no samples for {key}")
    budget = BUDGETS.get(budget_key) if budget_key else None
    reference, ratio_budget = RATIO_BUDGETS.get(budget_key or "", (RATIOS.get(key), None))
    return Metric(
        key, label, unit, values, budget, note, dict(extra), reference, None, ratio_budget
    )


def with_ratios(metrics: Sequence[Metric]) -> list[Metric]:
    """Each metric with its ratio to its reference (measured in the same run), where both are."""
    by_key = {m.key: m for m in metrics}
    out = []
    for m in metrics:
        ref = by_key.get(m.reference or "")
        if ref is not None and ref.median > 0:
            m = replace(m, ratio=m.median / ref.median)
        out.append(m)
    return out


def combine(runs: Sequence[Sequence[Metric]]) -> list[Metric]:
    """Several runs' metrics as one: medians of the runs' medians (and of their p95s and
    ratios), each run's median kept (``runs``)."""
    order: list[str] = []
    by_key: dict[str, list[Metric]] = {}
    for run in runs:
        for m in run:
            if m.key not in by_key:
                order.append(m.key)
            by_key.setdefault(m.key, []).append(m)
    out = []
    for key in order:
        ms = by_key[key]
        first = ms[0]
        ratios = [m.ratio for m in ms if m.ratio is not None]
        extra = {
            **first.extra,
            "runs": [round(m.median, 4) for m in ms],
            "runs_ratio": [round(r, 4) for r in ratios] or None,
            "p95_of_runs": statistics.median(m.p95 for m in ms),
            "samples_each": [len(m.samples) for m in ms],
        }
        out.append(
            replace(
                first,
                samples=tuple(m.median for m in ms),
                extra=extra,
                ratio=statistics.median(ratios) if ratios else None,
            )
        )
    return out


def _num(value: float, unit: str) -> str:
    if unit in ("ms", "%", "MB"):
        text = f"{value:.2f}" if abs(value) < 100 else f"{value:.1f}"
    elif unit == "s":
        text = f"{value:.3f}"
    else:
        text = f"{value:g}"
    return f"{text} {unit}".rstrip()


def _budget_text(m: Metric) -> str:
    if m.ratio_budget is not None:
        return f"≤ {m.ratio_budget:.2f}× {REFERENCE_NAMES.get(m.reference or '', m.reference)}"
    if m.budget is not None:
        return f"≤ {_num(m.budget, m.unit)}"
    return ""


def table(header: Sequence[str], metrics: Sequence[Metric]) -> str:
    """The human report: one line per metric; ratio, budget and verdict on the right."""
    rows = [("", "median", "p95", "n", "ratio", "budget", "")]
    for m in metrics:
        rows.append(
            (
                m.label,
                _num(m.median, m.unit),
                _num(m.p95, m.unit) if len(m.samples) > 1 else "",
                str(len(m.samples)),
                f"{m.ratio:.2f}×" if m.ratio is not None else "",
                _budget_text(m),
                m.verdict,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(7)]
    lines = list(header)
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, 6)]
        lines.append("  ".join(cells) + "  " + r[6])
    notes = [f"  {m.label.strip()}: {m.note}" for m in metrics if m.note]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(line.rstrip() for line in lines)


def over_budget(metrics: Sequence[Metric]) -> list[str]:
    """Labels of the metrics over their budget."""
    return [m.label for m in metrics if m.verdict == "OVER"]
