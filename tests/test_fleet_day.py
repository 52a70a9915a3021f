"""A compressed stretch of a station's day (tests/fleet_day.py): four screens on one real
redis-server count every call once, make no more calls than a single screen does today (alone,
no Redis) and show data as fresh as it does, measured the same way over the same hours.

The suite runs 05:00-10:00 KST (the service start and the morning rush: the pacing at its
densest); the whole day, with the figure in docs/fleet.md, is ``python -m tests.fleet_day``.
One screen alone staying inside the 1,000-call key for a whole day is
tests/test_poller_scenarios.py's."""

from __future__ import annotations

from pathlib import Path

from tests.fleet_day import run


def test_four_screens_on_one_key_call_as_one_screen_and_show_data_as_fresh(tmp_path: Path) -> None:
    (tmp_path / "fleet").mkdir()
    (tmp_path / "alone").mkdir()
    fleet = run(4, True, tmp_path / "fleet", start="05:00", end="10:00")
    alone = run(1, False, tmp_path / "alone", start="05:00", end="10:00")
    print(fleet.line(), alone.line(), sep="\n")
    assert alone.calls > 150  # the morning's pace: one call every 40-80 s
    assert fleet.calls == fleet.ledger_used  # four screens, one count, every call in it
    assert fleet.calls <= alone.calls * 1.05
    # As fresh: the four screens' data is no older than one screen's, within a few seconds
    # (a screen takes the shared answer at its next tick, up to 7 s after the one that called).
    assert fleet.mean_age_s <= alone.mean_age_s + 3
    assert fleet.p95_age_s <= alone.p95_age_s + 5
    assert fleet.max_age_s <= alone.max_age_s + 10
