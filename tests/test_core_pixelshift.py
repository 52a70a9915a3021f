"""The pixel shift's orbit, a pure function of wall time, walked over whole cycles on a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from kiosk.core.pixelshift import (
    MAX_PIXELS,
    PHASE_S,
    Offset,
    cycle_seconds,
    next_step_at,
    offset_at,
    orbit,
    parse_every,
)
from kiosk.core.timeutil import KST

START = datetime(2026, 11, 20, 5, 0, 0, tzinfo=KST)  # the panel switches on at 05:00


@pytest.mark.parametrize("pixels", [1, 2, 4, 7])
def test_orbit_visits_every_offset_within_the_margin_one_pixel_at_a_time(pixels):
    path = orbit(pixels)
    assert len(path) == 4 * pixels * (2 * pixels + 1)
    square = {Offset(x, y) for x in range(-pixels, pixels + 1) for y in range(-pixels, pixels + 1)}
    assert set(path) == square  # every offset, none outside the margin
    for a, b in zip(path, path[1:] + path[:1], strict=True):  # the wrap-around step too
        assert abs(a.dx - b.dx) + abs(a.dy - b.dy) == 1, (a, b)


def test_pixels_zero_turns_it_off():
    assert orbit(0) == (Offset(0, 0),)
    assert cycle_seconds(0, 180) == 0.0
    for s in range(0, 100_000, 997):
        assert offset_at(START.timestamp() + s, 0, 180) == Offset(0, 0)


def test_a_whole_cycle_on_a_fake_clock_steps_every_three_minutes_and_repeats():
    every = 180.0
    cycle = cycle_seconds(4, every)
    assert cycle == 144 * 180  # 7.2 hours
    seen = []
    first = START + timedelta(seconds=PHASE_S)  # steps fall at :45
    now = first
    while (now - first).total_seconds() < 2 * cycle:
        seen.append(offset_at(now.timestamp(), 4, every))
        now += timedelta(seconds=30)
    per_step = int(every // 30)
    steps = [seen[i : i + per_step] for i in range(0, len(seen), per_step)]
    assert all(len(set(s)) == 1 for s in steps)  # it holds still between steps
    firsts = [s[0] for s in steps]
    assert len(firsts) == 2 * 144
    assert firsts[:144] == firsts[144:]  # the second cycle repeats the first
    start = orbit(4).index(offset_at(first.timestamp(), 4, every))
    assert firsts[:144] == list(orbit(4)[start:] + orbit(4)[:start])  # in orbit order
    for a, b in zip(firsts, firsts[1:], strict=False):
        assert abs(a.dx - b.dx) + abs(a.dy - b.dy) == 1  # one pixel per step, never a jump


def test_no_edge_sits_on_the_same_pixels_for_hours():
    # A horizontal edge stays on one row for at most one sweep (9 steps = 27 min); a vertical
    # edge on one column for at most two steps (6 min).
    path = orbit(4)

    def longest_run(values):
        ring = values + values
        best = run = 1
        for a, b in zip(ring, ring[1:], strict=False):
            run = run + 1 if a == b else 1
            best = max(best, run)
        return best

    assert longest_run([o.dy for o in path]) * 180 <= 27 * 60
    assert longest_run([o.dx for o in path]) * 180 <= 6 * 60


def test_offset_depends_on_wall_time_only_so_restarts_carry_on():
    t = START.timestamp() + 12345.0
    assert offset_at(t, 4, 180) == offset_at(t, 4, 180)
    assert offset_at(t, 4, 180) == offset_at(t + cycle_seconds(4, 180), 4, 180)


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("3m", 180.0), ("90s", 90.0), ("1h", 3600.0), (45, 45.0), ("2.5m", 150.0), (" 10 s ", 10.0)],
)
def test_every_accepts_durations(text, seconds):
    assert parse_every(text) == seconds


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("3 min", "bad duration"),
        ("soon", "bad duration"),
        (True, "bad duration"),
        ("5s", "visible as motion"),
        ("2h", "visible as motion"),
    ],
)
def test_every_rejects_bad_durations_with_one_line(text, why):
    with pytest.raises(ValueError, match=why) as e:
        parse_every(text)
    assert "\n" not in str(e.value)


def test_too_many_pixels_is_refused():
    with pytest.raises(ValueError, match=f"0..{MAX_PIXELS}"):
        orbit(MAX_PIXELS + 1)


def test_steps_never_fall_on_the_minute_flip():
    # The minute flip repaints the clock, countdowns and ages; the shift keeps away from it.
    for every in (60.0, 180.0, 600.0):
        t = START.timestamp()
        for minute in range(0, 24 * 60):
            flip = t + 60 * minute
            assert offset_at(flip - 1, 4, every) == offset_at(flip, 4, every)
        step = START.timestamp() + PHASE_S
        assert offset_at(step - 0.5, 4, every) != offset_at(step + 0.5, 4, every)  # 05:00:45


@pytest.mark.parametrize(("pixels", "every"), [(1, 10.0), (4, 180.0), (3, 97.5)])
def test_next_step_at_is_the_first_moment_the_offset_moves(pixels, every):
    # Walked a tenth of a second at a time over two steps and a bit: the offset holds up to the
    # step it names and has moved there, so a tick woken at that moment shows the new offset.
    t0 = START.timestamp() + 13.3
    t = t0
    while t < t0 + 2.5 * every:
        step = next_step_at(t, pixels, every)
        assert step is not None and t < step <= t + every
        here = offset_at(t, pixels, every)
        assert offset_at(step - 1e-3, pixels, every) == here
        assert offset_at(step, pixels, every) != here
        assert (step - PHASE_S) % every == pytest.approx(0.0, abs=1e-6)
        t += 0.1


def test_next_step_at_is_none_when_the_shift_is_off():
    assert next_step_at(START.timestamp(), 0, 180.0) is None
