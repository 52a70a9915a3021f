"""PollerService with the real APScheduler: work happens in worker threads, the caller's ("GUI")
thread is never blocked, pause means no calls, and air history survives a restart.

These tests run against real sockets and a real scheduler, so they wait in real time — with
short, bounded timeouts, never for a fixed sleep."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.timeutil import KST, now_kst
from kiosk.poller.history import AirHistory
from kiosk.poller.service import PollerService
from tests.httpserver import BUS_KEY, Reply, SeoulApi, kiosk_config

SUBWAY_KEY, OPEN_KEY = "SubwayKey-0123456789abcdef", "OpenKey-fedcba9876543210"
ENV = {"SEOUL_SUBWAY_API_KEY": SUBWAY_KEY, "SEOUL_API_KEY": OPEN_KEY, "SEOUL_BUS_API_KEY": BUS_KEY}
FAST_TICKS = dict.fromkeys(("subway", "air", "parks", "trails", "bikes", "events"), 0.05)
WAIT_S = 10.0


class Recorder:
    """Collects snapshots from worker threads; lets the test wait for one."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_source: dict[str, list[Snapshot[Any]]] = defaultdict(list)
        self.threads: set[str] = set()
        self.changed = threading.Condition(self.lock)

    def __call__(self, snap: Snapshot[Any]) -> None:
        with self.lock:
            self.by_source[snap.source].append(snap)
            self.threads.add(threading.current_thread().name)
            self.changed.notify_all()

    def wait_for(self, pred: Any, timeout: float = WAIT_S) -> bool:
        with self.lock:
            return self.changed.wait_for(lambda: pred(self.by_source), timeout)


@pytest.fixture
def api() -> Iterator[SeoulApi]:
    with SeoulApi(SUBWAY_KEY, OPEN_KEY) as server:
        yield server


def service(cfg: Any, rec: Recorder, **kw: Any) -> PollerService:
    return PollerService(cfg, now_kst, rec, env=ENV, tick_s=FAST_TICKS, **kw)


def test_a_hanging_request_never_blocks_the_callers_thread(api: SeoulApi, tmp_path: Path) -> None:
    release = threading.Event()
    api.fail("subway", Reply(b"{}", hang=release))
    rec = Recorder()
    svc = service(kiosk_config(api, tmp_path, timeout=10), rec)
    try:
        svc.start()
        assert rec.wait_for(lambda s: "air" in s)  # the other sources are not held up either
        deadline = time.monotonic() + WAIT_S
        while api.hits("realtimeStationArrival") == 0 and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        assert api.hits("realtimeStationArrival") == 1
        # The "GUI loop": 100 frames of 10 ms while the subway request hangs in a worker thread.
        gaps, last = [], time.monotonic()
        for _ in range(100):
            t0 = time.monotonic()
            svc.refresh_now("subway")  # asking for a refresh must not wait for the one in flight
            assert time.monotonic() - t0 < 0.05
            threading.Event().wait(0.01)
            now = time.monotonic()
            gaps.append(now - last)
            last = now
        assert max(gaps) < 0.2
        assert "subway" not in rec.by_source  # still hanging the whole time
        release.set()
        api.heal()
        assert rec.wait_for(lambda s: any(x.status is FeedStatus.OK for x in s.get("subway", ())))
        assert threading.main_thread().name not in rec.threads
    finally:
        release.set()
        svc.stop()
        assert svc.wait_closed(WAIT_S)


def test_stop_returns_at_once_while_a_request_hangs(api: SeoulApi, tmp_path: Path) -> None:
    release = threading.Event()
    api.fail("parks", Reply(b"{}", hang=release))
    rec = Recorder()
    svc = service(kiosk_config(api, tmp_path, timeout=10), rec)
    try:
        svc.start()
        deadline = time.monotonic() + WAIT_S
        while api.hits("SearchParkInfoService") == 0 and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        t0 = time.monotonic()
        svc.stop()
        assert time.monotonic() - t0 < 0.5
        assert not svc.wait_closed(0.2)  # the cache stays open under the request in flight ...
    finally:
        release.set()
    assert svc.wait_closed(WAIT_S)  # ... and is closed once it has ended


def test_pause_means_no_calls_and_resume_polls_again(api: SeoulApi, tmp_path: Path) -> None:
    rec = Recorder()
    no_reuse = dict.fromkeys(FAST_TICKS, 0)  # so that the refresh on resume must go out
    svc = service(kiosk_config(api, tmp_path, cache_expiry=no_reuse), rec)
    try:
        svc.start()
        assert rec.wait_for(lambda s: all(x in s for x in FAST_TICKS))
        svc.pause()
        requests_at_pause = len(api.paths)
        svc.refresh_now()  # ignored while paused: the panel is off
        # 40 job intervals of quiet: nothing may reach the server.
        threading.Event().wait(2.0)
        assert len(api.paths) == requests_at_pause
        svc.resume()
        deadline = time.monotonic() + WAIT_S
        while len(api.paths) == requests_at_pause and time.monotonic() < deadline:
            threading.Event().wait(0.02)
        assert len(api.paths) > requests_at_pause  # the forced refresh ran on resume
    finally:
        svc.stop()
        assert svc.wait_closed(WAIT_S)


def test_air_readings_are_appended_to_a_history_that_survives_a_restart(
    api: SeoulApi, tmp_path: Path
) -> None:
    rec = Recorder()
    svc = service(kiosk_config(api, tmp_path), rec)
    try:
        svc.start()
        assert rec.wait_for(lambda s: any(x.items for x in s.get("air_history", ())))
    finally:
        svc.stop()
        assert svc.wait_closed(WAIT_S)
    history = [x for x in rec.by_source["air_history"] if x.items][-1]
    assert {r.district for r in history.items} == {"중구"}
    reopened = AirHistory(tmp_path / "air-history.sqlite")
    try:
        kept = reopened.history("중구", now_kst() - timedelta(hours=2))
        assert len(kept) == 1 and kept[0].pm10 == history.items[0].pm10
    finally:
        reopened.close()


def test_history_is_bounded_and_deduplicated(tmp_path: Path) -> None:
    from kiosk.core.models import AirReading

    store = AirHistory(tmp_path / "h.sqlite", keep_days=7)
    t0 = datetime(2026, 11, 1, 0, 0, tzinfo=KST)
    try:
        for hour in range(10 * 24):
            at = t0 + timedelta(hours=hour)
            r = AirReading("중구", "도심권", at, float(hour % 90), 10.0)
            assert store.append([r, r], at) == 1  # the same reading twice is stored once
        now = t0 + timedelta(hours=10 * 24 - 1)
        kept = store.history("중구", t0)
        assert len(kept) == 7 * 24 + 1 and kept[0].measured_at == now - timedelta(days=7)
        assert store.history("종로구", t0) == ()
    finally:
        store.close()


def _demo_config(tmp_path: Path) -> Any:
    cfg = kiosk_config(None, tmp_path / "cache")
    return cfg.model_copy(
        update={
            "station": cfg.station.model_copy(
                update={
                    "subway_station": "여의도",
                    "lines": ("1005", "1009"),
                    "district": "영등포구",
                }
            )
        }
    )


def test_demo_mode_uses_the_same_coordinators_without_network_or_files(tmp_path: Path) -> None:
    rec = Recorder()
    cfg = _demo_config(tmp_path)
    svc = PollerService(cfg, now_kst, rec, env={}, tick_s=FAST_TICKS)
    try:
        svc.start()
        wanted = ("subway", "air", "parks", "trails", "bikes", "events")
        assert rec.wait_for(lambda s: all(any(x.items for x in s.get(n, ())) for n in wanted))
    finally:
        svc.stop()
        assert svc.wait_closed(WAIT_S)
    assert all(x.status is FeedStatus.OK for n in wanted for x in rec.by_source[n][-1:])
    assert {a.line_id for a in rec.by_source["subway"][-1].items} <= {"1005", "1009"}
    # The bundled history (hourly, a day of it), for the chart: whole from the first one
    # published, not the one reading of the first poll.
    assert all(len(x.items) >= 20 for x in rec.by_source["air_history"])
    assert not (tmp_path / "cache").exists()


def test_demo_history_is_whole_even_when_a_reading_was_kept_before_it_is_first_read(
    tmp_path: Path,
) -> None:
    from kiosk.poller.service import Poller

    cfg = _demo_config(tmp_path)
    now = now_kst()
    poller = Poller(cfg, sources=("air",), env={})
    try:
        air = poller.coordinators["air"].refresh(now)
        mine = [r for r in air.items if r.district == "영등포구"]
        assert mine
        # The air poll can end before the job that publishes the history has run.
        poller.history.append(air.items, now)
        history = poller.history_snapshot(now)
        assert len(history.items) >= 20 and {r.district for r in history.items} == {"영등포구"}
        assert mine[-1].measured_at in {r.measured_at for r in history.items}
        assert len(poller.history_snapshot(now).items) == len(history.items)  # seeded once
    finally:
        poller.close()


def test_fetch_once_polls_each_source_and_adds_the_air_history(
    api: SeoulApi, tmp_path: Path
) -> None:
    from kiosk.poller.service import fetch_once

    snaps = fetch_once(
        kiosk_config(api, tmp_path), ("subway", "air", "air_history", "parks"), now_kst(), env=ENV
    )
    assert [s.source for s in snaps] == ["subway", "air", "air_history", "parks"]
    assert all(s.status is FeedStatus.OK for s in snaps)
    assert snaps[2].items == snaps[1].items  # the reading just fetched is the history's first point


class ContentionSpy:
    """Wraps the scheduler's job-store lock: ``contended`` is set once a second thread has to
    wait for it while ``armed`` (a hook that makes the race below deterministic)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.armed = False
        self.contended = threading.Event()

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        if self.inner.acquire(blocking=False):
            return True
        if self.armed:
            self.contended.set()
        return self.inner.acquire(blocking, timeout)

    def release(self) -> None:
        self.inner.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()


def test_stop_while_the_scheduler_finishes_a_one_shot_job_raises_nowhere(monkeypatch) -> None:
    # The interleaving from issue 12: the scheduler thread is in its pass (holding the job-store
    # lock) and has just handed the one-shot "air history" job to the executor when stop()
    # runs. Before the fix, shutdown() had already marked the scheduler stopped, so removing the
    # finished one-shot job looked among pending jobs and raised JobLookupError.
    from apscheduler.executors.pool import ThreadPoolExecutor

    from kiosk.poller.jobs import PollJobs

    errors: list[BaseException] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: errors.append(args.exc_value))
    jobs = PollJobs({}, now_kst)
    spy = ContentionSpy(jobs.scheduler._jobstores_lock)
    jobs.scheduler._jobstores_lock = spy
    entered = threading.Event()

    class GatedExecutor(ThreadPoolExecutor):
        def submit_job(self, job: Any, run_times: Any) -> None:
            if job.name == "air history":
                entered.set()
                spy.armed = True
                assert spy.contended.wait(WAIT_S), "stop() never waited for the job-store lock"
            super().submit_job(job, run_times)

    jobs.scheduler.remove_executor("default")
    jobs.scheduler.add_executor(GatedExecutor(2), "default")
    ran: list[str] = []
    jobs.start()
    jobs.add_once(lambda: ran.append("history"), "air history")
    assert entered.wait(WAIT_S)  # the scheduler thread is mid-pass, holding the lock
    stopper = threading.Thread(target=jobs.stop, name="stop")
    stopper.start()
    stopper.join(WAIT_S)
    assert not stopper.is_alive(), "stop() hung"
    assert not jobs.scheduler.running
    assert errors == [], f"scheduler thread raised {errors!r}"
    assert jobs.wait_idle(WAIT_S) and ran == []  # queued before stop(): skipped, as designed
    jobs.add_once(lambda: ran.append("late"), "late")  # after stop(): not even queued
    assert jobs.scheduler.get_jobs() == [] and ran == []


class _Ticks:
    """A coordinator's fetch and tick, counted (real scheduler, real clock)."""

    def __init__(self, interval_s: float, gate: threading.Event | None = None) -> None:
        from kiosk.core.freshness import FreshnessPolicy
        from kiosk.poller.coordinator import Coordinator, FetchResult
        from kiosk.poller.pacing import IntervalPacer

        self.calls: list[float] = []
        self.ticks = 0
        self.gate = gate

        def fetch(now: datetime) -> FetchResult:
            self.calls.append(time.monotonic())
            if self.gate is not None:
                self.gate.wait(WAIT_S)
            return FetchResult(("x",), now)

        policy = FreshnessPolicy(stale_after_s=3600, unavailable_after_s=7200)
        self.coordinator = Coordinator("air", fetch, policy, IntervalPacer(interval_s))
        tick = self.coordinator.tick

        def counted(now: datetime) -> Snapshot[Any]:
            self.ticks += 1
            return tick(now)

        self.coordinator.tick = counted  # type: ignore[method-assign]


def test_a_job_sleeps_until_its_next_call_is_due_and_calls_on_time() -> None:
    from kiosk.poller.jobs import PollJobs

    src = _Ticks(interval_s=1.5)
    # A regular tick of 0.2 s would wake it 16 times in 3.2 s: it wakes when a call is due.
    jobs = PollJobs({"air": src.coordinator}, now_kst, {"air": 0.2})
    jobs.start()
    try:
        threading.Event().wait(3.2)
    finally:
        jobs.stop()
    assert len(src.calls) == 3  # at 0, 1.5 and 3.0 s
    gaps = [b - a for a, b in zip(src.calls, src.calls[1:], strict=False)]
    assert all(1.5 <= g < 1.9 for g in gaps), gaps  # on time, not at the next tick after
    assert src.ticks <= len(src.calls) + 1


def test_a_tick_ending_after_pause_leaves_its_job_paused() -> None:
    from kiosk.poller.jobs import PollJobs

    gate = threading.Event()
    src = _Ticks(interval_s=1.0, gate=gate)
    jobs = PollJobs({"air": src.coordinator}, now_kst, {"air": 0.2})
    jobs.start()
    try:
        deadline = time.monotonic() + WAIT_S
        while not src.calls and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        assert src.calls  # the first call is in flight
        jobs.pause()
        gate.set()  # the tick ends and plans its next run: not while paused
        assert jobs.wait_idle(WAIT_S)
        job = jobs.scheduler.get_job("air")
        assert job is not None and job.next_run_time is None
        threading.Event().wait(1.3)
        assert len(src.calls) == 1
    finally:
        gate.set()
        jobs.stop()


@pytest.mark.parametrize("paused", [False, True], ids=["runs", "paused-first"])
def test_run_now_during_a_slow_tick_runs_again_once_that_tick_has_returned(paused: bool) -> None:
    # The scheduler counts a run until its job has returned, after the tick has planned the
    # next one; a run planned "now" in between is skipped (max_instances=1) and, before the
    # fix, the run_now() waited for the regular interval (30 s). The job's return is delayed
    # here so that the scheduler always looks in that window.
    from kiosk.poller.jobs import PollJobs

    gate = threading.Event()
    src = _Ticks(interval_s=600.0, gate=gate)  # one call; later ticks only look
    jobs = PollJobs({"air": src.coordinator}, now_kst, {"air": 30.0})
    planned = threading.Event()
    plan = jobs.plan

    def slow_return(source: str, wait_s: float) -> None:
        plan(source, wait_s)
        planned.set()
        threading.Event().wait(0.5)  # the job returns half a second after its plan

    jobs.plan = slow_return  # type: ignore[method-assign]
    jobs.start()
    try:
        deadline = time.monotonic() + WAIT_S
        while not src.calls and time.monotonic() < deadline:
            threading.Event().wait(0.01)
        assert src.calls  # the first tick is in its request
        jobs.run_now("air")  # skipped now: that tick still runs
        gate.set()
        assert planned.wait(WAIT_S)
        if paused:  # before the job returns: the run asked for waits for resume()
            jobs.pause()
            assert jobs.wait_idle(WAIT_S)
            threading.Event().wait(0.3)  # (the listener has run by now)
            job = jobs.scheduler.get_job("air")
            assert job is not None and job.next_run_time is None and src.ticks == 1
            jobs.resume()
        started = time.monotonic()
        while src.ticks < 2 and time.monotonic() - started < WAIT_S:
            threading.Event().wait(0.01)
        assert src.ticks == 2, "run_now() during a tick was lost until the regular interval"
        assert time.monotonic() - started < 2.0
    finally:
        gate.set()
        jobs.stop()


def test_a_jobs_wait_is_its_next_moment_kept_between_a_second_and_thirty() -> None:
    from kiosk.poller.jobs import DUE_MARGIN_S, MAX_WAIT_S, MIN_WAIT_S, PollJobs

    jobs = PollJobs({}, now_kst)
    now = now_kst()
    assert jobs.wait_s("subway", None, now) == 5.0  # cannot tell: the regular tick
    assert jobs.wait_s("subway", now + timedelta(seconds=10), now) == 10 + DUE_MARGIN_S
    assert jobs.wait_s("subway", now - timedelta(seconds=3), now) == MIN_WAIT_S  # no busy loop
    assert jobs.wait_s("subway", now + timedelta(hours=1), now) == MAX_WAIT_S  # a clock set
