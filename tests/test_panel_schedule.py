"""The schedule grammar, state_at on a fake clock (midnight, weekend, holiday) and the APScheduler wiring."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

import pytest
from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.core.timeutil import KST
from kiosk.panel.grammar import parse_at, parse_days
from kiosk.panel.jobs import PanelJobs, cron_day_of_week, cron_triggers, sun_firings
from kiosk.panel.schedule import DesiredState, fire_time, korean_holidays, next_firings, state_at
from kiosk.panel.settings import ScheduleEntry
from tests.places import SEOUL

NO_HOLIDAYS: frozenset[date] = frozenset()


def sched(*entries: dict) -> tuple[ScheduleEntry, ...]:
    return tuple(ScheduleEntry.model_validate(e) for e in entries)


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0) -> datetime:
    return datetime(y, mo, d, h, mi, tzinfo=KST)


# Weekday service ends 01:00, so weekday nights go dark at 01:10 on the *next* calendar day
# (tue-sat); weekend and holiday service ends at 24:00, so those nights go dark at 00:30.
STATION = sched(
    {"at": "05:00", "power": True},  # YAML's unquoted `on`
    {"at": "01:10", "power": "off", "days": "tue-sat except holidays"},
    {"at": "00:30", "power": "off", "days": "sun,mon,holidays"},
    {"at": "sunrise", "backlight": 100},
    {"at": "sunset+30m", "backlight": 60},
)


# --- grammar ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind", "minutes", "canonical"),
    [
        ("05:00", "time", 300, "05:00"),
        ("5:07", "time", 307, "05:07"),
        ("23:59", "time", 1439, "23:59"),
        ("sunrise", "sunrise", 0, "sunrise"),
        ("sunset+30m", "sunset", 30, "sunset+30m"),
        ("Sunset + 1h30m", "sunset", 90, "sunset+1h30m"),
        ("dawn-1h", "dawn", -60, "dawn-1h"),
        ("dusk+90m", "dusk", 90, "dusk+1h30m"),
    ],
)
def test_at_grammar(text, kind, minutes, canonical):
    spec = parse_at(text)
    assert (spec.kind, spec.minutes, spec.text) == (kind, minutes, canonical)


@pytest.mark.parametrize(
    "text", ["25:00", "12:60", "noon", "sunset+", "sunset+30", "sunrise+7h", "5"]
)
def test_bad_at_is_rejected_with_the_value(text):
    with pytest.raises(ValueError, match=re.escape(f"bad time '{text}'")):
        parse_at(text)


MON, TUE, WED, THU, FRI, SAT, SUN = (date(2025, 6, d) for d in range(2, 9))


@pytest.mark.parametrize(
    ("text", "yes", "no"),
    [
        ("daily", [MON, SAT, SUN], []),
        ("mon-fri", [MON, FRI], [SAT, SUN]),
        ("weekdays", [TUE], [SUN]),
        ("sat,sun", [SAT, SUN], [FRI]),
        ("weekends", [SAT, SUN], [MON]),
        ("fri-mon", [FRI, SAT, SUN, MON], [TUE, THU]),
        ("Saturday, Sunday", [SAT, SUN], [MON]),
    ],
)
def test_days_grammar_by_weekday(text, yes, no):
    spec = parse_days(text)
    assert all(spec.matches(d, False) for d in yes)
    assert not any(spec.matches(d, False) for d in no)


def test_days_grammar_with_holidays():
    assert parse_days("holidays").matches(WED, True)
    assert not parse_days("holidays").matches(SUN, False)
    assert parse_days("weekends,holidays").matches(WED, True)
    assert not parse_days("workdays").matches(WED, True)
    assert parse_days("workdays").matches(WED, False)
    assert not parse_days("workdays").matches(SAT, False)
    assert parse_days("not-holidays").matches(SAT, False)
    assert not parse_days("not-holidays").matches(SAT, True)
    assert parse_days("mon-fri except holidays") == parse_days("workdays")


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("mon-frx", "unknown day 'frx'"),
        ("mon,,tue", "empty item"),
        ("", "empty"),
        ("holidays except holidays", "no day"),
    ],
)
def test_bad_days_are_rejected(text, reason):
    with pytest.raises(ValueError, match=reason):
        parse_days(text)


# --- sun -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "event", "hhmm"),
    [
        (date(2025, 6, 21), "sunrise", "05:11"),
        (date(2025, 6, 21), "sunset", "19:56"),
        (date(2025, 12, 21), "sunrise", "07:43"),
        (date(2025, 12, 21), "sunset", "17:16"),
        (date(2025, 3, 20), "dusk", "19:10"),
    ],
)
def test_sun_times_match_the_reference_table(day, event, hhmm):
    when = fire_time(parse_at(event), day, SEOUL, KST)
    h, m = map(int, hhmm.split(":"))
    assert abs(
        when - datetime.combine(day, datetime.min.time(), KST).replace(hour=h, minute=m)
    ) <= timedelta(minutes=1)


# --- state_at --------------------------------------------------------------------------------


def test_a_kiosk_started_at_0300_on_a_weekday_stays_dark():
    state = state_at(STATION, at(2025, 6, 4, 3, 0), SEOUL, NO_HOLIDAYS)  # Wednesday
    assert state.power == "off"
    assert state.power_since == at(2025, 6, 4, 1, 10)
    assert state.backlight == 60  # last evening's sunset+30m still holds


def test_across_midnight_the_panel_stays_on_until_the_off_entry():
    assert state_at(STATION, at(2025, 6, 4, 0, 50), SEOUL, NO_HOLIDAYS).power == "on"
    assert state_at(STATION, at(2025, 6, 4, 1, 9), SEOUL, NO_HOLIDAYS).power == "on"
    assert state_at(STATION, at(2025, 6, 4, 1, 10), SEOUL, NO_HOLIDAYS).power == "off"
    assert state_at(STATION, at(2025, 6, 4, 5, 0), SEOUL, NO_HOLIDAYS).power == "on"


def test_weekend_nights_go_dark_earlier():
    # Saturday night -> Sunday 00:30; Sunday night -> Monday 00:30.
    assert state_at(STATION, at(2025, 6, 8, 0, 29), SEOUL, NO_HOLIDAYS).power == "on"
    assert state_at(STATION, at(2025, 6, 8, 0, 31), SEOUL, NO_HOLIDAYS).power == "off"
    assert state_at(STATION, at(2025, 6, 9, 0, 45), SEOUL, NO_HOLIDAYS).power == "off"
    # Friday night -> Saturday 01:10 (weekday service): still on at 00:45.
    assert state_at(STATION, at(2025, 6, 7, 0, 45), SEOUL, NO_HOLIDAYS).power == "on"


def test_a_public_holiday_follows_the_weekend_rule():
    kr = korean_holidays()
    assert date(2025, 6, 6) in kr  # Memorial Day, a Friday
    holiday = state_at(STATION, at(2025, 6, 6, 0, 45), SEOUL, kr)
    assert holiday.power == "off" and holiday.power_since == at(2025, 6, 6, 0, 30)
    normal_friday = state_at(STATION, at(2025, 6, 13, 0, 45), SEOUL, kr)
    assert normal_friday.power == "on"
    # On the holiday itself the weekday 01:10 entry is excluded, nothing turns it back on.
    assert state_at(STATION, at(2025, 6, 6, 2, 0), SEOUL, kr).power_since == at(2025, 6, 6, 0, 30)


def test_lunar_holidays_come_from_the_holidays_package():
    kr = korean_holidays()
    assert date(2025, 10, 6) in kr  # Chuseok 2025
    assert date(2026, 2, 17) in kr  # Seollal 2026
    assert date(2025, 10, 10) not in kr


def test_backlight_follows_the_sun():
    assert state_at(STATION, at(2025, 6, 21, 12, 0), SEOUL, NO_HOLIDAYS).backlight == 100
    assert state_at(STATION, at(2025, 6, 21, 20, 20), SEOUL, NO_HOLIDAYS).backlight == 100
    assert state_at(STATION, at(2025, 6, 21, 20, 30), SEOUL, NO_HOLIDAYS).backlight == 60
    assert state_at(STATION, at(2025, 12, 21, 17, 50), SEOUL, NO_HOLIDAYS).backlight == 60


def test_a_negative_offset_can_fire_on_the_previous_evening():
    s = sched({"at": "sunrise-6h", "power": "off"}, {"at": "12:00", "power": "on"})
    # sunrise on 21 June is 05:11, so "sunrise-6h" fires at 23:11 on 20 June.
    state = state_at(s, at(2025, 6, 20, 23, 30), SEOUL, NO_HOLIDAYS)
    assert state.power == "off" and state.power_since.date() == date(2025, 6, 20)


def test_a_holidays_only_entry_is_found_weeks_back():
    s = sched({"at": "09:00", "power": "on", "days": "holidays"})
    state = state_at(s, at(2025, 7, 1, 12, 0), SEOUL, {date(2025, 6, 6)})
    assert state.power_since == at(2025, 6, 6, 9, 0)


def test_same_time_entries_later_one_wins():
    s = sched({"at": "05:00", "power": "on"}, {"at": "05:00", "power": "off", "days": "sun"})
    assert state_at(s, at(2025, 6, 8, 6, 0), SEOUL, NO_HOLIDAYS).power == "off"  # Sunday
    assert state_at(s, at(2025, 6, 9, 6, 0), SEOUL, NO_HOLIDAYS).power == "on"


def test_empty_schedule_wants_nothing():
    assert state_at((), at(2025, 6, 4, 3, 0), SEOUL, NO_HOLIDAYS) == DesiredState()


def test_state_at_needs_an_aware_time():
    with pytest.raises(ValueError, match="aware"):
        state_at(STATION, datetime(2025, 6, 4, 3, 0), SEOUL, NO_HOLIDAYS)


def test_next_firings_lists_the_coming_night_in_order():
    upcoming = next_firings(STATION, at(2025, 6, 3, 18, 0), SEOUL, NO_HOLIDAYS, days=1)
    assert [e.at for _, e in upcoming[:4]] == ["sunset+30m", "01:10", "05:00", "sunrise"]
    assert [w.strftime("%d %H:%M") for w, _ in upcoming[1:3]] == ["04 01:10", "04 05:00"]
    assert upcoming[0][0] - fire_time(
        parse_at("sunset"), date(2025, 6, 3), SEOUL, KST
    ) == timedelta(minutes=30)


# --- APScheduler wiring ---------------------------------------------------------------------


def test_cron_triggers_fire_at_the_fixed_times_on_their_weekdays():
    triggers = cron_triggers(STATION)
    assert sorted(triggers) == ["panel-at-0", "panel-at-1", "panel-at-2"]
    nxt = triggers["panel-at-0"].get_next_fire_time(None, at(2025, 6, 3, 18, 0))
    assert nxt == at(2025, 6, 4, 5, 0)
    # holidays matter for entries 1 and 2: they fire daily and state_at decides
    assert triggers["panel-at-1"].get_next_fire_time(None, at(2025, 6, 3, 18, 0)) == at(
        2025, 6, 4, 1, 10
    )
    assert cron_day_of_week(parse_days("mon-fri")) == "mon,tue,wed,thu,fri"
    assert cron_day_of_week(parse_days("daily")) is None
    assert cron_day_of_week(parse_days("workdays")) is None


def test_sun_firings_plan_the_next_day():
    times = sun_firings(STATION, at(2025, 6, 21, 0, 0), SEOUL, NO_HOLIDAYS)
    assert [t.strftime("%d %H:%M") for t in times] == ["21 05:11", "21 20:26"]


def test_panel_jobs_install_and_remove():
    scheduler = BackgroundScheduler(timezone=KST)
    scheduler.add_job(print, "interval", seconds=60, id="someone-else")
    fired: list[str] = []
    now = at(2025, 6, 21, 3, 0)
    jobs = PanelJobs(
        scheduler,
        lambda: fired.append("check"),
        STATION,
        SEOUL,
        NO_HOLIDAYS,
        check_interval=120,
        clock=lambda: now,
    )
    jobs.install()
    sun_ids = [
        f"panel-sun-{t:%Y%m%dT%H%M%S}" for t in sun_firings(STATION, now, SEOUL, NO_HOLIDAYS)
    ]
    assert len(sun_ids) == 2  # today's sunrise and sunset+30m
    expected = [
        "someone-else",
        "panel-at-0",
        "panel-at-1",
        "panel-at-2",
        "panel-check",
        "panel-sun-plan",
    ]
    assert sorted(j.id for j in scheduler.get_jobs()) == sorted(expected + sun_ids)
    check = next(j for j in scheduler.get_jobs() if j.id == "panel-check")
    assert check.trigger.interval == timedelta(seconds=120)
    jobs.tick()
    assert fired == ["check"]
    jobs.remove()
    assert [j.id for j in scheduler.get_jobs()] == ["someone-else"]
    jobs.plan_sun()  # a sun plan that was already running when remove() came adds nothing back
    jobs.wake_at(now + timedelta(hours=1))
    assert [j.id for j in scheduler.get_jobs()] == ["someone-else"]
