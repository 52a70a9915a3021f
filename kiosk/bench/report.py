"""Metrics, budgets and the printed report of `kiosk bench`."""

from __future__ import annotations

import math
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

# The quality bars of DESIGN.md, set for 3840x2160 on 2 cores without a GPU.
BUDGET_SIZE = (3840, 2160)
BUDGETS: dict[str, float] = {
    "first_frame": 1.0,
    "page_change": 16.0,
    "transition_frame": 8.0,
    "tick": 1.0,
    "tick_minute": 1.0,
    "idle_cpu": 0.25,
    "rss_after": 150.0,
    "rss_growth": 2.0,
}


def p95(samples: Sequence[float]) -> float:
    """The 95th percentile by nearest rank (for 20 samples: the second largest)."""
    ordered = sorted(samples)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass(frozen=True)
class Metric:
    """One line of the report: samples of one quantity and, where there is one, its budget."""

    key: str
    label: str
    unit: str
    samples: tuple[float, ...]
    budget: float | None = None
    note: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def p95(self) -> float:
        return p95(self.samples)

    @property
    def verdict(self) -> str:
        """ "ok" or "OVER" (judged on the median), "" where there is no budget."""
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
    """A Metric with the budget named by ``budget_key`` (if any)."""
    values = tuple(float(s) for s in samples)
    if not values:
        raise ValueError(f"no samples for {key}")
    budget = BUDGETS.get(budget_key) if budget_key else None
    return Metric(key, label, unit, values, budget, note, dict(extra))


def _num(value: float, unit: str) -> str:
    if unit in ("ms", "%", "MB"):
        text = f"{value:.2f}" if abs(value) < 100 else f"{value:.1f}"
    elif unit == "s":
        text = f"{value:.3f}"
    else:
        text = f"{value:g}"
    return f"{text} {unit}"


def table(header: Sequence[str], metrics: Sequence[Metric]) -> str:
    """The human report: one line per metric, budgets and verdicts on the right."""
    rows = [("", "median", "p95", "n", "budget", "")]
    for m in metrics:
        rows.append(
            (
                m.label,
                _num(m.median, m.unit),
                _num(m.p95, m.unit) if len(m.samples) > 1 else "",
                str(len(m.samples)),
                f"≤ {_num(m.budget, m.unit)}" if m.budget is not None else "",
                m.verdict,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    lines = list(header)
    for r in rows:
        cells = [r[0].ljust(widths[0])] + [r[i].rjust(widths[i]) for i in range(1, 5)]
        lines.append("  ".join(cells) + "  " + r[5])
    notes = [f"  {m.label}: {m.note}" for m in metrics if m.note]
    if notes:
        lines += ["", "notes:", *notes]
    return "\n".join(line.rstrip() for line in lines)


def over_budget(metrics: Sequence[Metric]) -> list[str]:
    """Labels of the metrics over their budget."""
    return [m.label for m in metrics if m.verdict == "OVER"]
