"""The desired-state reconciler against pty simulators, on a fake clock."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

import pytest

from kiosk.core.timeutil import KST
from kiosk.panel import reconciler as r
from kiosk.panel.base import PanelUnsupported
from kiosk.panel.cec import CecDriver
from kiosk.panel.lg import LgDriver
from kiosk.panel.reconciler import PanelReport, Reconciler
from kiosk.panel.samsung import SamsungDriver
from kiosk.panel.settings import ScheduleEntry
from kiosk.panel.transport import Transport
from tests.panel_sim import LgSimulator, SamsungSimulator
from tests.panel_sim.cec import FakeCec


@dataclass(frozen=True)
class Loc:
    lat: float
    lon: float


SEOUL = Loc(37.5665, 126.9780)
SCHEDULE = tuple(
    ScheduleEntry.model_validate(e)
    for e in (
        {"at": "05:00", "power": "on"},
        {"at": "01:10", "power": "off"},
        {"at": "sunrise", "backlight": 100},
        {"at": "sunset+30m", "backlight": 60},
    )
)


def t(d: int, h: int, m: int = 0) -> datetime:
    return datetime(2025, 6, d, h, m, tzinfo=KST)  # 4 June 2025 is a Wednesday


@pytest.fixture(params=["lg", "samsung"])
def rig(request, tmp_path) -> Iterator[tuple[object, Reconciler]]:
    if request.param == "lg":
        sim = LgSimulator(link=tmp_path / "ttyPANEL").start()
        driver = LgDriver(Transport(sim.url), 1, 0.25, retries=0)
    else:
        sim = SamsungSimulator(link=tmp_path / "ttyPANEL").start()
        driver = SamsungDriver(Transport(sim.url), 1, 0.25, retries=0)
    rec = Reconciler(driver, SCHEDULE, SEOUL, frozenset())
    yield sim, rec
    sim.stop()


def test_a_kiosk_started_at_0300_switches_the_panel_off_and_says_so(rig):
    sim, rec = rig
    assert sim.power == "on"
    report = rec.tick(t(4, 3))
    assert sim.power == "off"
    assert report.state == r.OFF_SCHEDULED == "off as scheduled"
    assert report.scheduled_off and rec.scheduled_off
    assert (report.desired_power, report.actual_power, report.source) == ("off", "off", "schedule")
    assert report.actual_backlight is None  # not read while dark
    assert report.last_check == t(4, 3)


def test_a_panel_switched_on_by_hand_is_switched_off_again(rig):
    sim, rec = rig
    rec.tick(t(4, 3))
    sim.power = "on"  # someone used the remote at 03:20
    sent_before = len(sim.received)
    report = rec.tick(t(4, 3, 25))
    assert sim.power == "off"
    assert report.state == r.OFF_SCHEDULED
    assert len(sim.received) - sent_before == 3  # read, switch off, read back


def test_nothing_is_sent_but_a_read_when_the_panel_already_agrees(rig):
    sim, rec = rig
    rec.tick(t(4, 3))
    sent_before = len(sim.received)
    rec.tick(t(4, 3, 5))
    assert len(sim.received) - sent_before == 1


def test_morning_switch_on_sets_the_scheduled_backlight(rig):
    sim, rec = rig
    rec.tick(t(4, 3))
    report = rec.tick(t(4, 5, 0))  # before sunrise (05:11): the night level still holds
    assert (report.state, report.actual_power, report.actual_backlight) == ("on", "on", 60)
    assert not report.scheduled_off
    report = rec.tick(t(4, 12, 0))
    assert report.actual_backlight == 100


def test_a_silent_panel_is_reported_as_not_answering(rig):
    sim, rec = rig
    sim.behave("silent")
    report = rec.tick(t(4, 12))
    assert report.state == r.NOT_ANSWERING == "not answering"
    assert "no answer" in report.last_error
    assert report.actual_power is None
    assert report.desired_power == "on"


def test_a_panel_that_acknowledges_but_stays_off_failed_to_turn_on(rig):
    sim, rec = rig
    rec.tick(t(4, 3))
    sim.stuck = True
    report = rec.tick(t(4, 5, 1))
    assert report.state == r.FAILED_ON == "failed to turn on"
    assert report.actual_power == "off"
    assert report.last_error == "power on: acknowledged but still off"


POWER_ON_FRAMES = (b"ka 01 01\r", bytes.fromhex("AA 11 01 01 01 14"))


def test_a_refused_power_command_failed_to_turn_on_with_the_nak_code(rig):
    sim, rec = rig
    rec.tick(t(4, 3))
    sim.refuse_when = lambda frame: frame in POWER_ON_FRAMES
    report = rec.tick(t(4, 5, 1))
    assert report.state == r.FAILED_ON
    assert report.last_error.startswith("power on:") and (
        "NG01" in report.last_error or "0x01" in report.last_error
    )
    sim.refuse_when = None
    assert rec.tick(t(4, 5, 2)).state == "on"


def test_a_refused_query_is_reported_as_refused(rig):
    sim, rec = rig
    sim.behave("nak", times=1)
    assert rec.tick(t(4, 12)).state == r.REFUSED


def test_unplugged_adapter_then_back(rig):
    sim, rec = rig
    sim.vanish()
    report = rec.tick(t(4, 12))
    assert report.state == r.PORT_UNAVAILABLE and "not found" in report.last_error
    sim.revive()
    assert rec.tick(t(4, 12, 5)).state == "on"


def test_backlight_that_does_not_stick_is_reported(rig):
    sim, rec = rig
    rec.tick(t(4, 12))
    sim.stuck = True
    report = rec.tick(t(4, 21))  # after sunset+30m: wants 60, panel stays at 100
    assert report.state == r.BACKLIGHT_FAILED
    assert report.actual_backlight == 100 and report.desired_backlight == 60


def test_operator_override_holds_until_the_schedule_fires_again(rig):
    sim, rec = rig
    rec.tick(t(4, 3))
    report = rec.command(t(4, 3, 30), power="on")  # a technician needs the screen at night
    assert sim.power == "on" and report.source == "operator" and not report.scheduled_off
    assert rec.tick(t(4, 4, 0)).state == "on"  # the periodic check does not undo it
    report = rec.tick(t(4, 5, 0))
    assert report.source == "schedule"
    report = rec.command(t(4, 12, 0), power="off")
    assert report.state == r.OFF_OPERATOR and not report.scheduled_off
    assert rec.tick(t(4, 23, 0)).state == r.OFF_OPERATOR
    assert rec.tick(t(5, 5, 0)).state == "on"  # the next morning's 05:00 entry wins
    assert rec.desired(t(5, 5, 0))[2] == "schedule"


def test_reports_are_frozen_and_serialisable_and_listeners_hear_them(rig):
    sim, rec = rig
    heard: list[PanelReport] = []
    rec.add_listener(heard.append)
    report = rec.tick(t(4, 3))
    assert heard == [report] and rec.report is report
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.state = "on"  # type: ignore[misc]
    d = report.to_dict()
    assert d["last_check"] == "2025-06-04T03:00:00+09:00" and d["state"] == "off as scheduled"


def test_reload_applies_a_new_schedule_at_once(rig):
    sim, rec = rig
    rec.tick(t(4, 3))
    always_on = (ScheduleEntry.model_validate({"at": "00:00", "power": "on"}),)
    assert rec.reload(always_on, t(4, 3, 1)).state == "on"
    assert sim.power == "on"


def test_cec_reconciler_keeps_power_and_refuses_brightness(tmp_path, monkeypatch):
    fake = FakeCec(tmp_path)
    monkeypatch.setenv("PATH", fake.env()["PATH"])
    monkeypatch.setenv("FAKE_CEC_STATE", str(fake.state_file))
    power_only = tuple(e for e in SCHEDULE if e.power is not None)
    rec = Reconciler(CecDriver("/dev/cec0", timeout=2), power_only, SEOUL, {date(2025, 6, 6)})
    report = rec.tick(t(4, 12))
    assert report.state == "on" and fake.read()["power"] == "on"
    assert report.actual_backlight is None
    with pytest.raises(PanelUnsupported, match="no brightness"):
        rec.command(t(4, 12, 1), backlight=50)
    fake.write(mode="no-reply")
    assert rec.tick(t(4, 12, 5)).state == r.NOT_ANSWERING


def test_a_maintenance_hold_outlasts_schedule_entries_and_ends_on_time(rig):
    sim, rec = rig
    rec.tick(t(4, 12))
    until = t(5, 6, 0)  # `kiosk panel power off --until 06:00` given at noon
    report = rec.command(t(4, 12), power="off", until=until, by="alice")
    assert sim.power == "off" and report.state == r.OFF_OPERATOR and report.source == "operator"
    (hold,) = report.holds
    assert (hold.what, hold.value, hold.by, hold.until, hold.ends_at) == (
        "power",
        "off",
        "alice",
        until,
        until,
    )
    assert hold.text == (
        "power off, set by alice at 2025-06-04 12:00 KST, held until 2025-06-05 06:00 KST; "
        "`kiosk panel resume` ends it"
    )
    assert hold.to_dict()["ends"] == "time"
    report = rec.tick(t(5, 5, 30))  # the 05:00 "on" entry has fired: the hold still wins
    assert report.state == r.OFF_OPERATOR and sim.power == "off"
    report = rec.tick(t(5, 6, 0))
    assert report.state == "on" and report.source == "schedule" and report.holds == ()
    assert sim.power == "on"


def test_a_plain_hold_names_the_schedule_entry_that_ends_it(rig):
    sim, rec = rig
    report = rec.command(t(4, 12), power="off", by="bob")
    (hold,) = report.holds
    assert hold.until is None and hold.ends_at == t(5, 1, 10)  # the next power entry
    assert "until the schedule's next power entry (2025-06-05 01:10 KST)" in hold.text
    assert report.to_dict()["holds"][0]["ends"] == "schedule"


def test_resume_ends_every_hold_and_the_schedule_takes_over_at_once(rig):
    sim, rec = rig
    rec.command(t(4, 12), power="off", backlight=30, until=t(4, 18), by="alice")
    assert sim.power == "off"
    report = rec.resume(t(4, 13), by="alice")
    assert report.holds == () and report.source == "schedule"
    assert report.state == "on" and sim.power == "on"
    assert report.actual_backlight == 100  # the schedule's day level, not the held 30


def test_release_ends_only_the_hold_its_owner_set(rig):
    sim, rec = rig
    rec.tick(t(4, 2))  # 02:00: scheduled off
    assert sim.power == "off"
    report = rec.command(t(4, 2), power="on", until=t(4, 8), by="kiosk notice")
    assert sim.power == "on" and not report.scheduled_off and report.source == "operator"
    report = rec.release(t(4, 2, 30), "power", by="kiosk notice")
    assert report.holds == () and report.scheduled_off and sim.power == "off"
    # An operator's hold given meanwhile stays: the notice's end does not undo it.
    rec.command(t(4, 3), power="on", until=t(4, 8), by="kiosk notice")
    rec.command(t(4, 3, 5), power="on", backlight=40, by="alice")
    report = rec.release(t(4, 3, 10), "power", by="kiosk notice")
    assert [(h.what, h.by) for h in report.holds] == [("power", "alice"), ("backlight", "alice")]
    assert sim.power == "on"


def test_holds_move_to_the_reconciler_that_replaces_this_one(rig):
    sim, rec = rig
    rec.command(t(4, 12), power="off", until=t(4, 18), by="alice")
    fresh = Reconciler(rec.driver, SCHEDULE, SEOUL, frozenset())
    fresh.adopt_holds(rec.holds)
    report = fresh.tick(t(4, 13))
    assert report.state == r.OFF_OPERATOR and report.holds[0].by == "alice"


def test_a_backlight_the_model_lacks_is_no_fault_when_nothing_sets_it(tmp_path):
    sim = LgSimulator().start()
    sim.ng_code = 2  # NG02: function not supported
    sim.refuse_when = lambda frame: frame.startswith(b"mg ")
    driver = LgDriver(Transport(sim.url), 1, 0.25, retries=0)
    power_only = tuple(e for e in SCHEDULE if e.power is not None)
    try:
        report = Reconciler(driver, power_only, SEOUL, frozenset()).tick(t(4, 12))
        assert (report.state, report.last_error, report.actual_backlight) == ("on", None, None)
        report = Reconciler(driver, SCHEDULE, SEOUL, frozenset()).tick(t(4, 12))
        assert report.state == r.BACKLIGHT_FAILED  # the schedule dims it: now it is a fault
        assert "NG02" in (report.last_error or "")
    finally:
        driver.close()
        sim.stop()


def test_an_operator_command_is_carried_out_without_a_warning_but_a_drift_warns(rig, caplog):
    sim, rec = rig
    rec.tick(t(4, 12))
    with caplog.at_level(logging.INFO, logger="kiosk.panel"):
        rec.command(t(4, 12, 1), power="off", by="alice")
        assert [r.levelname for r in caplog.records if "should be" in r.getMessage()] == ["INFO"]
        caplog.clear()
        sim.power = "on"  # someone used the remote: that is worth a warning
        rec.tick(t(4, 12, 5))
    drift = [r for r in caplog.records if "should be off: re-asserting" in r.getMessage()]
    assert [r.levelname for r in drift] == ["WARNING"]
