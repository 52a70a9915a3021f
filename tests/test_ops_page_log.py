"""The screen log's page changes: taken at the turn, written after it, in order with notices."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.timeutil import KST
from kiosk.ops.page_log import AFTER_MS, PageLog
from kiosk.ops.screenlog import ScreenLog, screen_entry

T0 = datetime(2026, 12, 4, 8, 0, 0, tzinfo=KST)


class Timers:
    """What ``later`` was asked to run, run when the test says the time has come."""

    def __init__(self) -> None:
        self.due: list[tuple[int, Callable[[], object]]] = []

    def later(self, ms: int, fn: Callable[[], object]) -> None:
        self.due.append((ms, fn))

    def fire(self) -> None:
        due, self.due = self.due, []
        for _, fn in due:
            fn()


def subway(fetched_at: datetime) -> Snapshot:
    return Snapshot("subway", ("train",), fetched_at, FeedStatus.OK)


def test_a_page_change_is_written_after_the_turn_as_it_was_at_the_turn(tmp_path):
    log, timers = ScreenLog(tmp_path / "screen.jsonl"), Timers()
    pages = PageLog(log, timers.later)
    snaps = {"subway": subway(T0 - timedelta(seconds=20)), "air": subway(T0)}
    pages.page_changed("arrivals", T0, snaps, ("subway",), None, {"banner": None})
    snaps["subway"] = subway(T0)  # new data after the turn: not what the turn showed
    assert list(log.entries()) == []  # nothing written in the turn's own frame
    assert [ms for ms, _ in timers.due] == [AFTER_MS]
    timers.fire()
    (entry,) = log.entries()
    assert entry["page"] == "arrivals" and entry["shown_at"] == T0.isoformat()
    assert set(entry["sources"]) == {"subway"}  # only what the page shows
    assert entry["sources"]["subway"]["fetched_at"] == (T0 - timedelta(seconds=20)).isoformat()
    assert entry["banner"] is None


def test_waiting_changes_go_before_a_notice_line_and_at_the_stop_in_order(tmp_path):
    log, timers = ScreenLog(tmp_path / "screen.jsonl"), Timers()
    pages = PageLog(log, timers.later)
    snaps = {"subway": subway(T0)}
    pages.page_changed("arrivals", T0, snaps, ("subway",), None, {})
    pages.page_changed("air", T0 + timedelta(seconds=15), snaps, ("air",), None, {})
    assert len(timers.due) == 1  # one timer for the changes waiting together
    notice = screen_entry("notice", T0 + timedelta(seconds=16), {}, ["한파 경보"])
    assert pages.record(notice)
    pages.page_changed("bikes", T0 + timedelta(seconds=30), snaps, ("bikes",), None, {})
    pages.flush()  # the kiosk stops before the timer
    timers.fire()  # and a timer firing after that writes nothing twice
    assert [e["page"] for e in log.entries()] == ["arrivals", "air", "notice", "bikes"]
