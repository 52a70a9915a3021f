"""NoticeWatch: the notices in force go to the screen, the screen log, journald and the status,
and a critical one holds the panel on — a real PanelService on an LG pty simulator, a real
spool and a real screen log; the panel's hold is released when the notice ends."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from apscheduler.schedulers.background import BackgroundScheduler

from kiosk.config import Config
from kiosk.core.models import Alert, Notice
from kiosk.core.notices import NoticeRules
from kiosk.core.timeutil import KST, now_kst
from kiosk.ops.notice_feed import NoticeFeed
from kiosk.ops.notice_spool import NoticeSpool, operator_notice, remove_notice, write_notice
from kiosk.ops.notice_watch import HOLDER, NoticeWatch
from kiosk.ops.screenlog import ScreenLog
from kiosk.panel.service import PanelService
from tests.conftest import REPO
from tests.panel_sim import LgSimulator
from tests.waiting import poll_until

RULES = NoticeRules(district="영등포구")


def _notice(now: datetime, level: str, nid: str, minutes: int = 30) -> Notice:
    return operator_notice(
        nid,
        level,
        f"{level} 시험 안내",
        "Test",
        now - timedelta(seconds=1),
        now + timedelta(minutes=minutes),
    )


class Rig:
    """A watch on a real spool and screen log, with what it showed and how often it reported."""

    def __init__(self, tmp: Path, panel: PanelService | None = None, wake: bool = True):
        self.spool = tmp / "notices"
        self.shown: list[tuple[Notice, ...]] = []
        self.status_writes = 0
        self.screenlog = ScreenLog(tmp / "screen.jsonl")
        self.feed = NoticeFeed(NoticeSpool(self.spool), RULES)
        self.watch = NoticeWatch(
            self.feed,
            show=lambda n: self.shown.append(tuple(n)),
            record=self.screenlog.record,
            page_now=lambda: ("arrivals", ["5호선 방화행 3분"]),
            changed=self._changed,
            panel=lambda: panel,
            wake_panel=wake,
        )

    def _changed(self) -> None:
        self.status_writes += 1

    def entries(self) -> list[dict[str, Any]]:
        return list(self.screenlog.entries())


@pytest.fixture
def panel(tmp_path: Path) -> Iterator[tuple[LgSimulator, PanelService]]:
    """An LG panel whose schedule has it off all day (off at 00:00, never on)."""
    sim = LgSimulator().start()
    example = yaml.safe_load((REPO / "config.example.yaml").read_text(encoding="utf-8"))
    cfg = Config.model_validate(
        {
            "station": example["station"],
            "layout": str(REPO / example["layout"]),
            "panel": {
                "driver": "lg",
                "port": sim.url,
                "timeout": 0.3,
                "retries": 0,
                "schedule": [{"at": "00:00", "power": "off"}],
            },
        }
    )
    scheduler = BackgroundScheduler(timezone=KST)
    service = PanelService.from_config(cfg, scheduler, runtime=tmp_path)
    assert service is not None
    service.start()
    scheduler.start()
    assert poll_until(lambda: service.report.state == "off as scheduled", 10)
    yield sim, service
    service.stop()
    scheduler.shutdown(wait=True)
    assert service.wait_stopped(5)
    sim.stop()


def checked(service: PanelService) -> None:
    """Wait for a read-back asked for now: the panel's worker has done everything asked before."""
    before = service.report.last_check
    service.request_check()
    assert poll_until(lambda: service.report.last_check != before, 10)


def _holds(service: PanelService) -> list[tuple[str, object, str]]:
    return [(h.what, h.value, h.by) for h in service.report.holds]


def test_a_critical_notice_wakes_a_scheduled_off_panel_and_its_end_lets_it_go_back(
    tmp_path: Path, panel: tuple[LgSimulator, PanelService], caplog: pytest.LogCaptureFixture
) -> None:
    sim, service = panel
    rig = Rig(tmp_path, service)
    now = now_kst()
    rig.watch.check(now)
    assert rig.shown == [] and rig.entries() == [] and sim.power == "off"  # none: nothing to do
    assert rig.status_writes == 0
    notice = _notice(now, "critical", "op-fire", minutes=30)
    write_notice(rig.spool, notice)
    with caplog.at_level(logging.INFO, logger="kiosk"):
        rig.watch.check(now + timedelta(seconds=1))
        assert poll_until(lambda: sim.power == "on", 10)
        assert _holds(service) == [("power", "on", HOLDER)]
        (hold,) = service.report.holds
        assert hold.until == notice.until  # it ends by itself even if nobody releases it
        assert not service.scheduled_off
        rig.watch.keep_awake()  # the next panel report: nothing asked twice
        assert rig.watch.status() == {
            "level": "critical",
            "origin": "operator",
            "text": "critical 시험 안내",
            "since": notice.issued_at.isoformat(),
            "until": notice.until.isoformat(),
        }
        remove_notice(rig.spool, "op-fire")  # `kiosk notice clear`
        rig.watch.check(now + timedelta(seconds=2))
        assert poll_until(lambda: sim.power == "off" and not service.report.holds, 10)
    assert service.report.state == "off as scheduled" and rig.watch.status() is None
    assert [len(s) for s in rig.shown] == [1, 0] and rig.status_writes == 2
    start, end = rig.entries()
    assert start["page"] == "notice" and start["notice"]["event"] == "start"
    assert start["notice"]["mode"] == "takeover" and start["notice"]["id"] == "op-fire"
    assert start["lines"] == [
        "위급재난 · Extreme emergency | 운영 안내 · Station notice | 운영실",
        "critical 시험 안내 / Test",
    ]
    assert end["page"] == "arrivals" and end["lines"] == ["5호선 방화행 3분"]
    assert (end["notice"]["event"], end["notice"]["id"]) == ("end", "op-fire")
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert [w.split(":")[0] for w in warnings if "notice" in w] == [
        "notice on screen (takeover)",
        "notice ended (op-fire)",
    ]
    asked = [r for r in caplog.records if r.getMessage().startswith("notice: holding the panel")]
    assert len(asked) == 1  # once for the notice, not at every panel report


def test_an_operators_power_hold_wins_over_a_critical_notice(
    tmp_path: Path, panel: tuple[LgSimulator, PanelService]
) -> None:
    sim, service = panel
    now = now_kst()
    service.command(power="off", until=now + timedelta(hours=2), by="alice").result(timeout=10)
    rig = Rig(tmp_path, service)
    write_notice(rig.spool, _notice(now, "critical", "op-quake"))
    rig.watch.check(now)
    checked(service)
    assert sim.power == "off" and _holds(service) == [("power", "off", "alice")]
    remove_notice(rig.spool, "op-quake")
    rig.watch.check(now + timedelta(seconds=1))
    checked(service)
    assert _holds(service) == [("power", "off", "alice")]  # never released by the notice


def test_only_a_critical_notice_holds_the_panel_and_only_when_wake_panel_is_on(
    tmp_path: Path, panel: tuple[LgSimulator, PanelService]
) -> None:
    sim, service = panel
    now = now_kst()
    rig = Rig(tmp_path / "a", service, wake=False)
    write_notice(rig.spool, _notice(now, "critical", "op-a"))
    rig.watch.check(now)
    rig = Rig(tmp_path / "b", service)
    write_notice(rig.spool, _notice(now, "emergency", "op-b"))
    write_notice(rig.spool, _notice(now, "advisory", "op-c"))
    rig.watch.check(now)
    checked(service)
    assert service.report.holds == () and sim.power == "off"
    (entry,) = rig.entries()
    assert (entry["notice"]["mode"], entry["notice"]["id"]) == ("notice page", "op-b")
    assert entry["notice"]["others"] == 1


def test_the_screen_log_follows_what_the_screen_shows_and_pages_carry_the_banner(
    tmp_path: Path,
) -> None:
    rig = Rig(tmp_path)  # no panel
    now = now_kst()
    rig.watch.check(now)
    assert rig.watch.log_fields() == {}
    write_notice(rig.spool, _notice(now, "advisory", "op-cold", minutes=1))
    rig.watch.check(now + timedelta(seconds=1))
    banner = rig.watch.log_fields()["notice"]
    assert (banner["mode"], banner["id"], banner["level"]) == ("banner", "op-cold", "advisory")
    # An alert for the district arrives from the feed and leads: the emergency's notice page.
    alert = Alert(
        266802, "emergency", "긴급재난", "호우", "한강 둔치 통제", ("서울특별시 영등포구",), now
    )
    far = Alert(266803, "critical", "위급재난", "지진", "부산 지진", ("부산광역시 전체",), now)
    old = Alert(
        266801,
        "critical",
        "위급재난",
        "지진",
        "어제 지진",
        ("서울특별시 전체",),
        now - timedelta(hours=7),
    )
    rig.feed.set_alerts([alert, far, old])
    rig.watch.check(now + timedelta(seconds=2))
    assert [n.id for n in rig.shown[-1]] == ["alert-266802", "op-cold"]  # not far, not old
    assert rig.watch.counts() == {"critical": 0, "emergency": 1, "advisory": 1}
    rig.watch.check(now + timedelta(seconds=3))  # nothing changed: nothing logged
    rig.watch.check(now + timedelta(minutes=2))  # the advisory has expired: still the page
    entries = rig.entries()
    assert [(e["page"], e["notice"]["event"], e["notice"]["id"]) for e in entries] == [
        ("notice", "start", "op-cold"),
        ("notice", "start", "alert-266802"),
    ]
    assert entries[1]["lines"][0] == "긴급재난 · Emergency alert | 호우 · Heavy rain | 행정안전부"
    assert entries[1]["notice"]["origin"] == "alert"
    assert [n.id for n in rig.shown[-1]] == ["alert-266802"]
