"""APScheduler 3 jobs that drive the coordinators from worker threads, never the GUI thread.

One job per source calls ``coordinator.tick(now)``; the coordinator decides whether a request
is due (interval, budget, backoff). After each tick the job sleeps until the coordinator's
next moment (``Coordinator.next_tick``: a call due, a backoff over, the data's state moving
with its age), ``max_wait_s`` at most (a clock set, a budget shared with other screens: looked
at again within that); where the coordinator cannot tell, it asks again at the source's regular
tick. A call a minute goes out at 60 s, not at the next tick after it, and a quiet kiosk's
poller wakes about once per call instead of every few seconds. ``max_instances=1`` keeps a
slow request from piling up copies of its job, ``coalesce`` folds missed runs (after a
suspend) into one. Planned runs follow each kiosk's own last call (or, for a station's screens
sharing one answer, that answer: single flight makes it one call); the regular tick keeps its
jitter, so kiosks started together do not stay in step.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Collection, Mapping
from datetime import UTC, datetime, timedelta

from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED, JobExecutionEvent
from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.base import JobLookupError
from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.poller.coordinator import Coordinator

log = logging.getLogger(__name__)

DEFAULT_TICK_S = {"subway": 5.0}  # the budget's interval is ~45-90 s: decide often
OTHER_TICK_S = 30.0
MAX_WAIT_S = 30.0  # the longest a job sleeps, whatever its coordinator's next moment
MIN_WAIT_S = 1.0  # the shortest (or the source's tick, if shorter): never a busy loop
DUE_MARGIN_S = 0.05  # wake just after the moment, so the tick finds it due
JITTER_S = 2


class _SkippedRunFilter(logging.Filter):
    """Drop APScheduler's warning for a tick skipped while the previous one still waits on the
    network: with ``max_instances=1`` that is the design working, not a problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


_skip_filter = _SkippedRunFilter()


def tick_for(interval_s: float) -> float:
    """A fixed-interval source's regular tick: a quarter of its interval. (Its job sleeps
    until the next call is due, which the interval always tells; the regular tick is for a
    coordinator that cannot tell.)"""
    return max(1.0, min(OTHER_TICK_S, interval_s / 4))


class PollJobs:
    """One scheduler, one job per coordinator; start/stop/pause/resume/run_now.

    ``awake``: sources whose jobs go on while the others are paused (the panel is scheduled
    off, but a critical alert must still be able to wake it).
    """

    def __init__(
        self,
        coordinators: Mapping[str, Coordinator],
        now_fn: Callable[[], datetime],
        tick_s: Mapping[str, float] | None = None,
        awake: Collection[str] = (),
        max_wait_s: float = MAX_WAIT_S,
    ):
        self.coordinators = dict(coordinators)
        self.now_fn = now_fn
        self.tick_s = {**DEFAULT_TICK_S, **(tick_s or {})}
        self.max_wait_s = max_wait_s
        self.awake = frozenset(awake) & set(self.coordinators)
        self.paused = False
        self._stopped = False
        self._active = 0  # jobs running now; resources may be closed only at zero
        self._idle = threading.Condition()
        self._control = threading.Lock()  # add_once vs stop: no job added while stopping
        self._woken: set[str] = set()  # run_now() asked for these since their tick began
        sched_log = logging.getLogger("apscheduler.scheduler")
        if _skip_filter not in sched_log.filters:
            sched_log.addFilter(_skip_filter)
        self.scheduler = BackgroundScheduler(
            timezone=UTC,
            executors={"default": ThreadPoolExecutor(max_workers=max(2, len(self.coordinators)))},
            job_defaults={"max_instances": 1, "coalesce": True, "misfire_grace_time": 60},
        )
        for source in self.coordinators:
            self.scheduler.add_job(
                self._tick,
                "interval",
                args=(source,),
                id=source,
                name=f"poll {source}",
                seconds=self._longest_wait(source),  # (each tick plans the next sooner)
                jitter=JITTER_S,
                next_run_time=datetime.now(
                    UTC
                ),  # first poll right away (the scheduler's own clock)
            )
        self.scheduler.add_listener(self._ended, EVENT_JOB_EXECUTED | EVENT_JOB_ERROR)

    def _longest_wait(self, source: str) -> float:
        return max(self.max_wait_s, self.tick_s.get(source, OTHER_TICK_S))

    def _tick(self, source: str) -> None:
        self._run(lambda: self._tick_and_plan(source), source)

    def _tick_and_plan(self, source: str) -> None:
        coordinator = self.coordinators[source]
        with self._control:
            self._woken.discard(source)  # this tick serves a run_now() before it
        coordinator.tick(self.now_fn())
        now = self.now_fn()
        self.plan(source, self.wait_s(source, coordinator.next_tick(now), now))

    def wait_s(self, source: str, moment: datetime | None, now: datetime) -> float:
        """How long the job sleeps after a tick at ``now`` when its next moment is ``moment``
        (None: the coordinator cannot tell, the regular tick)."""
        tick = self.tick_s.get(source, OTHER_TICK_S)
        if moment is None:
            return tick
        ahead = (moment - now).total_seconds() + DUE_MARGIN_S
        return min(max(ahead, min(tick, MIN_WAIT_S)), self._longest_wait(source))

    def plan(self, source: str, wait_s: float) -> None:
        """Run the job ``wait_s`` from now (not if it is paused or stopped). A ``run_now`` that
        came while this tick ran is served when the job has returned (``_ended``): until then
        the scheduler still counts this run and would skip one planned now (one instance at a
        time), leaving it to the regular interval."""
        self._move(source, datetime.now(UTC) + timedelta(seconds=wait_s))

    def _ended(self, event: JobExecutionEvent) -> None:
        # Dispatched after the executor stopped counting the run (APScheduler 3's
        # ``_run_job_success``/``_run_job_error`` decrement first), so a run planned now is
        # taken. It takes no lock of ours: it may run on the scheduler's thread, inside its
        # pass (a job that ended before the executor added its callback), while stop() or
        # pause() holds ``_control`` and waits for that pass. A pause() in between is undone
        # here: it set ``paused`` before pausing the jobs, so whichever comes last pauses.
        # (On the scheduler's thread the pass plans that job's next run after this, over it: a
        # run_now() during a tick that ends in microseconds may still wait for the interval.)
        source = event.job_id
        if source not in self._woken or self._stopped or not self._may_run(source):
            return
        with contextlib.suppress(JobLookupError):  # (removed: the scheduler is stopping)
            self.scheduler.modify_job(source, next_run_time=datetime.now(UTC))
            if not self._may_run(source):
                self.scheduler.pause_job(source)

    def _may_run(self, source: str) -> bool:
        return not self.paused or source in self.awake

    def _move(self, source: str, when: datetime) -> None:
        with self._control:
            if self._stopped or not self._may_run(source):
                return
            with contextlib.suppress(JobLookupError):  # (removed: the scheduler is stopping)
                self.scheduler.modify_job(source, next_run_time=when)

    def _run(self, work: Callable[[], object], what: str) -> None:
        with self._idle:
            if self._stopped:  # queued before stop(): the session may be closing, do nothing
                return
            self._active += 1
        try:
            work()
        except Exception:  # tick never raises by design; this keeps the job alive if it ever does
            log.exception("%s: poll job failed", what)
        finally:
            with self._idle:
                self._active -= 1
                self._idle.notify_all()

    def add_once(self, work: Callable[[], object], name: str) -> None:
        """Run ``work`` once, now, in a worker thread (not at all once ``stop()`` was called)."""
        with self._control:
            if self._stopped:
                return
            self.scheduler.add_job(self._run, args=(work, name), name=name)

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no job is running (after ``stop()`` none will start); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout)

    def start(self) -> None:
        """Start the scheduler's thread (jobs start paused if ``pause()`` came first)."""
        if self.paused:
            self._pause_jobs()  # before the start: no paused job may slip out in between
        self.scheduler.start()

    def stop(self) -> None:
        """Stop the scheduler; a request in flight finishes in its worker thread, unwaited."""
        with self._control:
            with self._idle:
                self._stopped = True
            if not self.scheduler.running:
                return
            # Empty the job store first. shutdown() marks the scheduler stopped *before* it
            # takes the job-store lock, so a pass of the scheduler thread that is under way
            # (it holds that lock) and finishes a one-shot job (add_once) would then look for
            # it among the pending jobs, not find it, and die with JobLookupError.
            # remove_all_jobs() waits for that pass under the lock and leaves nothing to remove.
            self.scheduler.remove_all_jobs()
            self.scheduler.shutdown(wait=False)

    def pause(self) -> None:
        """No polling until ``resume()`` (the panel is scheduled off), but for ``awake`` sources."""
        with self._control:  # no tick's plan may move a job it pauses (see ``plan``)
            self.paused = True
            if self.scheduler.running:
                self._pause_jobs()

    def _pause_jobs(self) -> None:
        for source in self.coordinators:
            if source not in self.awake:
                self.scheduler.pause_job(source)

    def resume(self) -> None:
        """Poll again, starting with a tick of every source now."""
        self.paused = False
        if self.scheduler.running:
            for source in self.coordinators:
                if source not in self.awake:
                    self.scheduler.resume_job(source)
            self.run_now()

    def run_now(self, source: str | None = None) -> None:
        """Run the job(s) as soon as a worker is free (asynchronously: never blocks the caller)."""
        if not self.scheduler.running:
            return
        now = datetime.now(UTC)
        with self._control:
            for s in [source] if source else list(self.coordinators):
                if self.paused and s not in self.awake:
                    continue
                job = self.scheduler.get_job(s)
                if job is not None:
                    self._woken.add(s)  # a tick running now: run again when it returns
                    job.modify(next_run_time=now)
