"""A compressed day for a station of four screens on one real redis-server (tests/fleet_day.py):
together they stay inside one 1,000-call subway key, and what each screen shows is as fresh as
what a single screen shows today (alone, no Redis), measured the same way on the same day."""

from __future__ import annotations

from pathlib import Path

from tests.fleet_day import run


def test_four_screens_share_one_key_for_a_day_as_fresh_as_one_screen(tmp_path: Path) -> None:
    (tmp_path / "fleet").mkdir()
    (tmp_path / "alone").mkdir()
    fleet = run(4, True, tmp_path / "fleet")
    alone = run(1, False, tmp_path / "alone")
    print(fleet.line(), alone.line(), sep="\n")
    # Inside the key: the pacing's 950 (5 % held back), counted once for the four screens.
    assert fleet.calls == fleet.ledger_used <= 950
    assert fleet.calls <= alone.calls * 1.05
    # As fresh: the four screens' data is no older than one screen's, within a few seconds
    # (a screen takes the shared answer at its next tick, up to 7 s after the one that called).
    assert fleet.mean_age_s <= alone.mean_age_s + 3
    assert fleet.p95_age_s <= alone.p95_age_s + 5
    assert fleet.max_age_s <= alone.max_age_s + 10
