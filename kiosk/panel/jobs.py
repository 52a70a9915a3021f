"""APScheduler 3 wiring: when to call ``Reconciler.tick``. Firing only; the decision is state_at.

- one cron trigger per fixed-time entry (``05:00`` -> hour=5, minute=0, its weekdays);
- sun-based entries move daily, so a 00:00:30 job plans that day's date triggers;
- an interval job reads the panel back every ``check_interval`` seconds.
Every job just calls ``tick(clock())``: the reconciler recomputes the desired state itself,
so a firing on a day whose holiday rule excludes it is harmless.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Container, Sequence
from datetime import date, datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.date import DateTrigger
from apscheduler.triggers.interval import IntervalTrigger

from kiosk.core.timeutil import KST, now_kst
from kiosk.panel.grammar import DaySpec
from kiosk.panel.reconciler import Reconciler
from kiosk.panel.schedule import HasLatLon, firings_on
from kiosk.panel.settings import ScheduleEntry

log = logging.getLogger(__name__)
PREFIX = "panel-"
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
        reconciler: Reconciler,
        schedule: Sequence[ScheduleEntry],
        location: HasLatLon,
        holidays: Container[date],
        check_interval: float = 300.0,
        clock: Callable[[], datetime] = now_kst,
    ):
        self.scheduler = scheduler
        self.reconciler = reconciler
        self.schedule = tuple(schedule)
        self.location = location
        self.holidays = holidays
        self.check_interval = check_interval
        self.clock = clock

    def _add(self, job_id: str, func: Callable[[], object], trigger: object, **kw: object) -> None:
        self.scheduler.add_job(  # type: ignore[attr-defined]
            func,
            trigger,
            id=job_id,
            name=job_id,
            replace_existing=True,
            coalesce=True,
            max_instances=1,
            misfire_grace_time=600,  # a busy worker pool must not skip an 01:10 power-off
            **kw,
        )

    def tick(self) -> None:
        """The job body: reconcile now (errors end up in the report, never in the scheduler)."""
        self.reconciler.tick(self.clock())

    def install(self) -> None:
        """Add every job; the first check runs at once, so a reboot at 03:00 stays dark."""
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
        for when in sun_firings(self.schedule, self.clock(), self.location, self.holidays):
            self._add(f"{PREFIX}sun-{when:%Y%m%dT%H%M%S}", self.tick, DateTrigger(when))

    def remove(self) -> None:
        """Remove every panel job (before a reload installs new ones)."""
        for job in list(self.scheduler.get_jobs()):  # type: ignore[attr-defined]
            if job.id.startswith(PREFIX):
                job.remove()
