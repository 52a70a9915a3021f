"""The local quota ledger: a damaged or hand-edited file never stops the kiosk, a block never
outlives its day, a new key starts a fresh count, and a clock that jumps back does not stop
polling (issue 11 findings 4 and 10)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from pathlib import Path

import pytest

from kiosk.core.budget import DEFAULT_RUSH, BudgetPlan, Window
from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.models import FeedStatus
from kiosk.core.timeutil import KST
from kiosk.poller.coordinator import Coordinator, FetchResult
from kiosk.poller.fingerprint import fingerprint
from kiosk.poller.pacing import BudgetPacer, IntervalPacer, QuotaLedger, share_plan
from kiosk.poller.service import Poller
from tests.httpserver import FakeClock, SeoulApi, kiosk_config

T0 = datetime(2026, 11, 23, 13, 0, tzinfo=KST)  # a Monday, 13:00 KST
KEY_A = "SubwayKeyA-0123456789abcdef"
KEY_B = "SubwayKeyB-fedcba9876543210"
PLAN = BudgetPlan(1000, Window(time(5, 0), time(1, 0)), DEFAULT_RUSH, 2.0, 50, 20.0)


def write(path: Path, data: object) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


# --- a damaged file --------------------------------------------------------------------------


def test_a_huge_count_does_not_stop_the_kiosk_at_start(tmp_path: Path, caplog) -> None:
    # json reads 1e400 as inf: int(inf) raised OverflowError out of the constructor (exit 1,
    # a restart loop under Restart=always).
    path = write(tmp_path / "quota-subway.json", '{"day": "2026-11-23", "used": 1e400}')
    ledger = QuotaLedger("subway", PLAN, path)
    assert ledger.state(T0).used == 0
    assert ledger.quota_block(T0) is None
    assert warnings(caplog) == [
        f"subway key: ignoring bad values in {path}: used is not a whole number"
    ]


@pytest.mark.parametrize(
    ("used", "problem"),
    [
        (-5, "used is out of range"),
        ("12", "used is not a number"),
        ([1], "used is not a number"),
        (True, "used is not a number"),
        (10**12, "used is out of range"),
        (2.5, "used is not a whole number"),
    ],
)
def test_a_bad_count_is_ignored_with_one_warning(tmp_path: Path, caplog, used, problem) -> None:
    path = write(tmp_path / "q.json", {"day": "2026-11-23", "used": used})
    ledger = QuotaLedger("subway", PLAN, path)
    for i in range(20):  # many ticks and updates: still the one warning
        ledger.quota_block(T0 + timedelta(seconds=5 * i))
        ledger.record_calls(1, T0 + timedelta(seconds=5 * i))
    assert ledger.state(T0 + timedelta(minutes=5)).used == 20
    assert warnings(caplog) == [f"subway key: ignoring bad values in {path}: {problem}"]


def test_nan_and_garbage_are_ignored(tmp_path: Path, caplog) -> None:
    path = write(tmp_path / "q.json", '{"day": "2026-11-23", "used": NaN}')
    assert QuotaLedger("subway", PLAN, path).state(T0).used == 0
    for text in ("[1, 2]", "not json {", '"a string"', "\xff\xfe", '{"day": 20261123}'):
        write(tmp_path / "q.json", text)
        assert QuotaLedger("subway", PLAN, path).state(T0).used == 0
    assert len(warnings(caplog)) == 6


def test_a_block_without_a_timezone_is_read_as_kst_and_ticks_go_on(tmp_path: Path) -> None:
    # datetime.fromisoformat gave a naive time; comparing it with an aware now raised TypeError
    # on every subway tick.
    path = write(
        tmp_path / "q.json",
        {"day": "2026-11-23", "used": 3, "blocked_until": "2026-11-23T18:00:00"},
    )
    ledger = QuotaLedger("subway", PLAN, path)
    pacer = BudgetPacer(ledger)
    for minutes in range(0, 24 * 60, 30):
        now = T0 + timedelta(minutes=minutes)
        pacer.due(None, now)
        reason = ledger.quota_block(now)
        if now < datetime(2026, 11, 23, 18, 0, tzinfo=KST):
            assert reason == "daily quota exceeded; no calls until 18:00 KST"
        else:
            assert reason is None


def test_a_block_in_2030_ends_at_the_next_midnight_as_it_says(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.json",
        {"day": "2026-11-23", "used": 3, "blocked_until": "2030-01-01T00:00:00+09:00"},
    )
    ledger = QuotaLedger("subway", PLAN, path)
    assert ledger.quota_block(T0) == "daily quota exceeded; no calls until 00:00 KST"
    midnight = datetime(2026, 11, 24, 0, 0, tzinfo=KST)
    assert ledger.next_opening(T0) >= midnight
    assert ledger.next_opening(T0) < midnight + timedelta(hours=6)  # service starts at 05:00
    assert ledger.quota_block(midnight) is None
    assert ledger.quota_block(midnight + timedelta(days=3)) is None


def test_a_block_written_on_an_earlier_day_does_not_block_today(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.json",
        {"day": "2026-11-22", "used": 900, "blocked_until": "2030-01-01T00:00:00+09:00"},
    )
    ledger = QuotaLedger("subway", PLAN, path)
    assert ledger.quota_block(T0) is None and ledger.state(T0).used == 0


def test_exhausted_blocks_until_midnight_and_survives_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    QuotaLedger("subway", PLAN, path, key=KEY_A).exhausted(T0)
    again = QuotaLedger("subway", PLAN, path, key=KEY_A)
    assert again.quota_block(T0 + timedelta(hours=5)) == (
        "daily quota exceeded; no calls until 00:00 KST"
    )
    assert again.quota_block(datetime(2026, 11, 24, 0, 0, 1, tzinfo=KST)) is None


# --- keyed by fingerprint ---------------------------------------------------------------------


def test_a_new_key_starts_a_fresh_count_and_no_key_reaches_the_file(tmp_path: Path) -> None:
    path = tmp_path / "quota-subway.json"
    a = QuotaLedger("subway", PLAN, path, key=KEY_A)
    a.record_calls(40, T0)
    assert QuotaLedger("subway", PLAN, path, key=KEY_A).state(T0).used == 40  # same key: kept
    b = QuotaLedger("subway", PLAN, path, key=KEY_B)
    assert b.state(T0).used == 0  # another key's 40 calls are not this key's
    b.record_calls(1, T0)
    text = path.read_text()
    assert json.loads(text)["key"] == fingerprint(KEY_B) and json.loads(text)["used"] == 1
    for key in (KEY_A, KEY_B):
        assert key not in text and key.lower() not in text.lower()
    assert fingerprint(KEY_A) != fingerprint(KEY_B)
    assert len(fingerprint(KEY_A)) == 24 and fingerprint(KEY_A) == fingerprint(f" {KEY_A}\n")


def test_two_processes_counting_in_one_file_add_up(tmp_path: Path) -> None:
    path = tmp_path / "q.json"
    run, fetch = (QuotaLedger("subway", PLAN, path, key=KEY_A) for _ in range(2))
    for i in range(5):
        run.record_calls(1, T0 + timedelta(seconds=i))
        fetch.record_calls(2, T0 + timedelta(seconds=i))
    assert QuotaLedger("subway", PLAN, path, key=KEY_A).state(T0).used == 15


def test_the_clock_going_back_over_midnight_keeps_the_count(tmp_path: Path) -> None:
    ledger = QuotaLedger("subway", PLAN, tmp_path / "q.json", key=KEY_A)
    after_midnight = datetime(2026, 11, 24, 0, 20, tzinfo=KST)
    ledger.record_calls(30, after_midnight)
    before = after_midnight - timedelta(hours=1)  # the clock stepped back an hour
    assert ledger.state(before).used == 30  # not a fresh day's budget handed out twice
    ledger.record_calls(1, before)
    assert QuotaLedger("subway", PLAN, tmp_path / "q.json", key=KEY_A).state(before).used == 31


def test_share_plan_is_the_budget_divided_by_the_fleet() -> None:
    assert share_plan(PLAN, 1) is PLAN
    four = share_plan(PLAN, 4)
    assert (four.daily_calls, four.reserve, four.spendable) == (250, 12, 238)
    assert four.service == PLAN.service and four.min_interval_s == PLAN.min_interval_s
    assert share_plan(BudgetPlan(3), 8).daily_calls == 1


# --- the clock jumps back --------------------------------------------------------------------


def test_interval_pacer_polls_on_after_the_clock_jumps_back_an_hour() -> None:
    fetch_times: list[datetime] = []

    def fetch(now: datetime) -> FetchResult:
        fetch_times.append(now)
        return FetchResult(("x",), now)

    c = Coordinator("air", fetch, FreshnessPolicy(1200, 3600), IntervalPacer(600))
    c.tick(T0)
    jumped = T0 - timedelta(hours=1)  # NTP corrected a clock that ran an hour fast
    t = jumped
    while t < jumped + timedelta(minutes=21):
        c.tick(t)
        t += timedelta(seconds=30)
    # Before the fix: no call until the clock caught up with T0, an hour later.
    assert fetch_times[:2] == [T0, jumped]
    assert fetch_times[2:] == [jumped + timedelta(minutes=10), jumped + timedelta(minutes=20)]
    assert c.snapshot(t).status is FeedStatus.OK


def test_budget_pacer_polls_on_after_the_clock_jumps_back_an_hour() -> None:
    ledger = QuotaLedger("subway", PLAN)
    pacer = BudgetPacer(ledger)
    calls: list[datetime] = []

    def fetch(now: datetime) -> FetchResult:
        calls.append(now)
        ledger.record_calls(1, now)
        return FetchResult(("train",), now)

    c = Coordinator("subway", fetch, FreshnessPolicy(180, 900), pacer)
    c.tick(T0)
    t = T0 - timedelta(hours=1)
    end = t + timedelta(minutes=10)
    while t < end:
        c.tick(t)
        t += timedelta(seconds=5)
    gaps = [(b - a).total_seconds() for a, b in zip(calls[1:], calls[2:], strict=False)]
    assert len(calls) >= 8  # ~70 s apart at 13:00 on a 1,000-call day: it kept polling
    assert gaps and min(gaps) >= PLAN.min_interval_s and max(gaps) <= 120
    assert pacer.due(T0, T0 - timedelta(hours=1)) is True
    assert IntervalPacer(60).due(T0, T0 - timedelta(seconds=1)) is True
    assert IntervalPacer(60).due(T0, T0 + timedelta(seconds=30)) is False


# --- through the real Poller at start ----------------------------------------------------


@pytest.fixture
def api() -> Iterator[SeoulApi]:
    clock = FakeClock(T0)
    with SeoulApi(KEY_A, "OpenKey-fedcba9876543210", clock.now) as server:
        yield server


def test_the_real_poller_starts_and_polls_with_a_damaged_ledger(api: SeoulApi, tmp_path) -> None:
    write(tmp_path / "quota-subway.json", '{"day": "2026-11-23", "used": 1e400}')
    write(
        tmp_path / "quota-openapi.json",
        '{"day": "2026-11-23", "used": 1, "blocked_until": "2026-11-23T23:00:00"}',
    )
    env = {"SEOUL_SUBWAY_API_KEY": KEY_A, "SEOUL_API_KEY": "OpenKey-fedcba9876543210"}
    poller = Poller(kiosk_config(api, tmp_path), sources=("subway", "air"), env=env)
    try:
        assert poller.coordinators["subway"].refresh(T0).status is FeedStatus.OK
        air = poller.coordinators["air"].refresh(T0)
        assert air.status is FeedStatus.RATE_LIMITED  # the naive block, read as KST, holds
        assert air.error == "daily quota exceeded; no calls until 23:00 KST"
    finally:
        poller.close()
