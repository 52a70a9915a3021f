"""APScheduler 3 wiring: when to call ``Reconciler.tick``. Firing only; the decision is state_at.

- one cron trigger per fixed-time entry (``05:00`` -> hour=5, minute=0, its weekdays);
- sun-based entries move daily, so a 00:00:30 job plans that day's date triggers;
- an interval job reads the panel back every ``check_interval`` seconds;
- a date trigger at the end of an operator's maintenance hold.
Every job just calls ``on_fire()``, which asks the panel's worker for a check (it returns at
once): the reconciler recomputes the desired state itself, so a firing on a day whose holiday
rule excludes it is harmless.

The jobs live in a job store of their own (alias ``panel``), so ``remove()`` is one call under
the scheduler's job-store lock: a one-shot sun job that fires (and is removed by the scheduler)
while a reload replaces the jobs cannot make the removal fail.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Container, Sequence
from datetime import date, datetime, timedelta, tzinfo

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from kiosk.core.timeutil import KST, now_kst
from kiosk.panel.grammar import DaySpec
from kiosk.panel.schedule import HasLatLon, firings_on
from kiosk.panel.settings import ScheduleEntry

log = logging.getLogger(__name__)
PREFIX = "panel-"
JOBSTORE = "panel"
HOLD_END_ID = f"{PREFIX}hold-end"
_DOW = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def cron_day_of_week(spec: DaySpec) -> str | None:
    """APScheduler day_of_week for a selector, or None (every day) when holidays matter."""
    if spec.uses_holidays:
        return None
    days = sorted(spec.weekdays - spec.except_weekdays)
    return None if len(days) == 7 else ",".join(_DOW[d] for d in days)


def cron_triggers(schedule: Sequence[ScheduleEntry], tz: tzinfo = KST) -> dict[str, CronTrigger]:
    """One cron trigger per fixed-time entry, keyed by job id."""
    out: dict[str, CronTrigger] = {}
    for i, entry in enumerate(schedule):
        spec = entry.at_spec
        if spec.kind != "time":
            continue
        out[f"{PREFIX}at-{i}"] = CronTrigger(
            hour=spec.minutes // 60,
            minute=spec.minutes % 60,
            second=0,
            day_of_week=cron_day_of_week(entry.day_spec),
            timezone=tz,
        )
    return out


def sun_firings(
    schedule: Sequence[ScheduleEntry],
    after: datetime,
    location: HasLatLon,
    holidays: Container[date],
) -> list[datetime]:
    """Sun-based firings later than ``after`` and within the next 26 hours (de-duplicated)."""
    tz = after.tzinfo or KST
    sun_only = [e for e in schedule if e.at_spec.kind != "time"]
    horizon = after + timedelta(hours=26)
    times: set[datetime] = set()
    for k in (-1, 0, 1):
        day = after.date() + timedelta(days=k)
        for when, _ in firings_on(sun_only, day, location, holidays, tz):
            if after < when <= horizon:
                times.add(when)
    return sorted(times)


class PanelJobs:
    """Adds and removes the panel's jobs on an APScheduler 3 scheduler (BackgroundScheduler)."""

    def __init__(
        self,
        scheduler: object,
        on_fire: Callable[[], object],
        schedule: Sequence[ScheduleEntry],
        location: HasLatLon,
        holidays: Container[date],
        check_interval: float = 300.0,
        clock: Callable[[], datetime] = now_kst,
    ):
        self.scheduler = scheduler
        self.on_fire = on_fire
        self.schedule = tuple(schedule)
        self.location = location
        self.holidays = holidays
        self.check_interval = check_interval
        self.clock = clock
        # Serialises install/plan_sun/wake_at (scheduler threads) with remove(): once removed,
        # a sun plan that was already running must not add jobs back.
        self._lock = threading.Lock()
        self._removed = False

    def _add(self, job_id: str, func: Callable[[], object], trigger: object, **kw: object) -> None:
        self.scheduler.add_job(  # type: ignore[attr-defined]
            func,
            trigger,
            id=job_id,
            name=job_id,
            jobstore=JOBSTORE,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=600,  # a busy worker pool must not skip an 01:10 power-off
            **kw,
        )

    def _ensure_store(self) -> None:
        # ValueError: already there (a reload, or a second PanelJobs on this scheduler)
        with contextlib.suppress(ValueError):
            self.scheduler.add_jobstore(MemoryJobStore(), alias=JOBSTORE)  # type: ignore[attr-defined]

    def tick(self) -> None:
        """The job body: ask for a check now (errors end up in the report, never here)."""
        self.on_fire()

    def install(self) -> None:
        """Add every job; the first check runs at once, so a reboot at 03:00 stays dark."""
        with self._lock:
            if self._removed:
                return
            self._ensure_store()
            for job_id, trigger in cron_triggers(self.schedule).items():
                self._add(job_id, self.tick, trigger)
            self._add(
                f"{PREFIX}sun-plan",
                self.plan_sun,
                CronTrigger(hour=0, minute=0, second=30, timezone=KST),
            )
            self._add(
                f"{PREFIX}check",
                self.tick,
                IntervalTrigger(seconds=self.check_interval, timezone=KST),
                next_run_time=self.clock(),
            )
        self.plan_sun()

    def plan_sun(self) -> None:
        """Add date triggers for the sunrise/sunset entries of the next day or so."""
        firings = sun_firings(self.schedule, self.clock(), self.location, self.holidays)
        with self._lock:
            if self._removed:
                return
            for when in firings:
                self._add(f"{PREFIX}sun-{when:%Y%m%dT%H%M%S}", self.tick, DateTrigger(when))

    def wake_at(self, when: datetime) -> None:
        """A check at ``when`` (the end of a maintenance hold); replaces an earlier such wake."""
        with self._lock:
            if not self._removed:
                self._add(HOLD_END_ID, self.tick, DateTrigger(when))

    def remove(self) -> None:
        """Remove every panel job at once (before a reload installs new ones, or at stop)."""
        with self._lock:
            self._removed = True
            self.scheduler.remove_all_jobs(jobstore=JOBSTORE)  # type: ignore[attr-defined]
