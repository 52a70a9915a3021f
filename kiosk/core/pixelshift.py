"""Pixel shift against burn-in: where the whole scene sits, as a pure function of time.

A panel that shows the same header for 20 hours a day burns its edges in. The kiosk lays its
scene out ``pixels`` short of each edge and moves it, one pixel at a time, around the square of
offsets ``-pixels..+pixels`` on both axes: row by row, sweeping left and right, down and back
up. Each step moves the scene by exactly one pixel on one axis, too little for anyone to see;
every offset is visited, so an edge spreads over ``2 * pixels + 1`` columns and rows instead of
sitting on one. With ``pixels: 4, every: 3m`` a row takes 27 minutes and the cycle 7.2 hours.
The offset depends on wall time only, so it carries on across restarts and reloads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_PIXELS = 16  # beyond this the margin the scene moves in starts to show
MIN_EVERY_S = 10.0  # a faster shift is visible as motion
MAX_EVERY_S = 3600.0
# Steps fall 45 s into a minute, never on the minute itself, when the clock, countdowns and data
# ages repaint: the shift's copy and flush do not pile onto the busiest tick.
PHASE_S = 45.0
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|m|h)?\s*$")


@dataclass(frozen=True)
class Offset:
    """Where the scene sits relative to its centred position, in pixels (right, down)."""

    dx: int
    dy: int


def parse_every(value: object) -> float:
    """ "3m" / "90s" / "1h" / a number of seconds -> seconds; ValueError (one line) otherwise."""
    if isinstance(value, bool):
        raise ValueError(f"bad duration {value!r}: expected e.g. 3m, 90s or 1h")
    if isinstance(value, (int, float)):
        seconds = float(value)
    else:
        m = _DURATION.match(str(value).lower())
        if not m:
            raise ValueError(f"bad duration {value!r}: expected e.g. 3m, 90s or 1h")
        seconds = float(m.group(1)) * {"s": 1, "m": 60, "h": 3600}[m.group(2) or "s"]
    if not MIN_EVERY_S <= seconds <= MAX_EVERY_S:
        raise ValueError(
            f"every must be {MIN_EVERY_S:g}s..{MAX_EVERY_S / 60:g}m (got {seconds:g}s): "
            "faster is visible as motion, slower leaves edges in place for hours"
        )
    return seconds


@lru_cache(maxsize=8)
def orbit(pixels: int) -> tuple[Offset, ...]:
    """The cycle of offsets for a margin of ``pixels``; ``(Offset(0, 0),)`` when it is off.

    Rows go from ``-pixels`` down to ``+pixels`` and back up (the two end rows once, the others
    twice); each row sweeps x across the whole range, alternating direction, so consecutive
    offsets, the last and the first included, differ by one pixel on one axis.
    """
    if pixels < 0 or pixels > MAX_PIXELS:
        raise ValueError(f"pixels must be 0..{MAX_PIXELS} (got {pixels})")
    if pixels == 0:
        return (Offset(0, 0),)
    p = pixels
    rows = list(range(-p, p + 1)) + list(range(p - 1, -p, -1))  # 4p rows
    xs = list(range(-p, p + 1))
    out: list[Offset] = []
    for r, y in enumerate(rows):
        for x in xs if r % 2 == 0 else reversed(xs):
            out.append(Offset(x, y))
    return tuple(out)


def offset_at(epoch_s: float, pixels: int, every_s: float) -> Offset:
    """The offset at wall time ``epoch_s`` (seconds since the epoch): one orbit step per
    ``every_s`` seconds, the same on every screen and after every restart."""
    path = orbit(pixels)
    if len(path) == 1:
        return path[0]
    if every_s <= 0:
        raise ValueError("every must be positive")
    return path[int((epoch_s - PHASE_S) // every_s) % len(path)]


def next_step_at(epoch_s: float, pixels: int, every_s: float) -> float | None:
    """The wall time after ``epoch_s`` at which ``offset_at`` next moves (None: the shift is
    off, nothing moves)."""
    if len(orbit(pixels)) == 1:
        return None
    if every_s <= 0:
        raise ValueError("every must be positive")
    return PHASE_S + ((epoch_s - PHASE_S) // every_s + 1) * every_s


def cycle_seconds(pixels: int, every_s: float) -> float:
    """How long one whole orbit takes (0 when the shift is off)."""
    steps = len(orbit(pixels))
    return 0.0 if steps == 1 else steps * every_s
