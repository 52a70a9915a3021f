"""PanelJobs on a running APScheduler scheduler: removing the jobs races nothing.

Issue 12: ``remove()`` used to copy the job list and then remove each job; a sunrise job that
fired in between had already been removed by the scheduler (a one-shot job), so removing it
again raised JobLookupError on the caller's thread and left a reload stuck at "reloading".
The test forces exactly that interleaving with a hook, not with timing.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from datetime import datetime
from typing import Any

from apscheduler.events import EVENT_JOB_REMOVED, JobEvent
from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.core.timeutil import KST, now_kst
from kiosk.panel.jobs import PanelJobs
from kiosk.panel.settings import ScheduleEntry
from tests.places import SEOUL

SUN_JOB = re.compile(r"panel-sun-\d")
SCHEDULE = tuple(
    ScheduleEntry.model_validate(e)
    for e in (
        {"at": "sunrise", "backlight": 100},
        {"at": "sunset", "backlight": 60},
        {"at": "dawn", "backlight": 80},
        {"at": "dusk", "backlight": 70},
    )
)
WAIT_S = 10.0


def fire_first_call(
    scheduler: BackgroundScheduler, names: tuple[str, ...], before: Callable[[], None]
) -> None:
    """Run ``before()`` once, at the first call of any of the scheduler's ``names`` methods."""
    once = threading.Lock()

    def wrap(real: Callable[..., Any]) -> Callable[..., Any]:
        def hooked(*args: Any, **kw: Any) -> Any:
            if once.acquire(blocking=False):
                if real.__name__ == "get_jobs":  # listing first: the sun job fires after it
                    result = real(*args, **kw)
                    before()
                    return result
                before()
            return real(*args, **kw)

        return hooked

    for name in names:
        setattr(scheduler, name, wrap(getattr(scheduler, name)))


def test_a_sun_job_that_fires_while_the_jobs_are_removed_does_not_break_the_removal():
    scheduler = BackgroundScheduler(timezone=KST)
    fired: list[str] = []
    jobs = PanelJobs(scheduler, lambda: fired.append("tick"), SCHEDULE, SEOUL, frozenset())
    scheduler.start()
    try:
        jobs.install()
        sun_ids = [j.id for j in scheduler.get_jobs() if SUN_JOB.match(j.id)]
        assert sun_ids, "no sun job planned"
        gone = threading.Event()

        def on_removed(event: JobEvent) -> None:
            if event.job_id == sun_ids[0]:
                gone.set()

        scheduler.add_listener(on_removed, EVENT_JOB_REMOVED)

        def sun_fires_now() -> None:
            # The scheduler runs the one-shot job and removes it from its store.
            scheduler.modify_job(sun_ids[0], next_run_time=datetime.now(KST))
            assert gone.wait(WAIT_S), "the sun job did not fire"

        fire_first_call(scheduler, ("get_jobs", "remove_all_jobs", "remove_job"), sun_fires_now)
        jobs.remove()  # raised JobLookupError before the fix
        assert gone.is_set()
        assert [j.id for j in scheduler.get_jobs() if j.id.startswith("panel-")] == []
        assert "tick" in fired  # the sun job did its work: it asked for a check
    finally:
        scheduler.shutdown(wait=True)


def test_removed_jobs_stay_removed_when_a_sun_plan_was_already_running(monkeypatch):
    import kiosk.panel.jobs as panel_jobs

    scheduler = BackgroundScheduler(timezone=KST)
    jobs = PanelJobs(scheduler, lambda: None, SCHEDULE, SEOUL, frozenset(), clock=now_kst)
    planning, proceed = threading.Event(), threading.Event()
    real_firings = panel_jobs.sun_firings

    def slow_firings(*args: Any) -> Any:
        planning.set()  # the 00:00:30 plan is computing sun times ...
        assert proceed.wait(WAIT_S)  # ... while a reload removes the jobs
        return real_firings(*args)

    scheduler.start()
    try:
        jobs.install()
        monkeypatch.setattr(panel_jobs, "sun_firings", slow_firings)
        planner = threading.Thread(target=jobs.plan_sun)
        planner.start()
        assert planning.wait(WAIT_S)
        jobs.remove()
        proceed.set()
        planner.join(WAIT_S)
        assert not planner.is_alive()
        assert [j.id for j in scheduler.get_jobs() if j.id.startswith("panel-")] == []
    finally:
        proceed.set()
        scheduler.shutdown(wait=True)
