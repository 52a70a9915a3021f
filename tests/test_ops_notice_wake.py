"""When the notices are read: the kernel's word on the spool (real inotify on a real directory,
also one that does not exist yet, or is removed and made again), the alarm at a notice's start
or end, the safety read, and once a second where there is no inotify."""

from __future__ import annotations

import os
import select
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.notices import MAX_FUTURE, NoticeRules, next_change
from kiosk.core.timeutil import KST
from kiosk.ops import spool_watch
from kiosk.ops.notice_feed import NoticeFeed
from kiosk.ops.notice_spool import NoticeSpool, operator_notice, write_notice
from kiosk.ops.notice_wake import POLL_S, SAFETY_S, NoticeWake
from kiosk.ops.notice_watch import NoticeWatch
from kiosk.ops.spool_watch import SpoolWatch
from tests.ui_notices import raw_alert

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=KST)
RULES = NoticeRules(district="영등포구")

pytestmark = pytest.mark.skipif(not hasattr(os, "pipe2"), reason="Linux only (inotify)")


def _readable(fd: int, timeout: float = 2.0) -> bool:
    return bool(select.select([fd], [], [], timeout)[0])


def _woken(watch: SpoolWatch, timeout: float = 2.0) -> bool:
    """Whether the kernel said something changed (and the events were read)."""
    return _readable(watch.fileno(), timeout) and watch.drain()


def _notice(nid: str, minutes: float = 30, start: datetime = NOW):
    return operator_notice(
        nid, "critical", "시험 안내", "Test", start, start + timedelta(minutes=minutes)
    )


def test_a_notice_written_changed_chmoded_or_removed_wakes_the_watch_and_nothing_else_does(
    tmp_path: Path,
):
    spool = tmp_path / "notices"
    spool.mkdir()
    w = SpoolWatch(spool)
    try:
        assert w.available and w.watching == spool
        assert not _readable(w.fileno(), 0.1) and not w.drain()  # nothing happened
        path = write_notice(spool, _notice("op-a"))  # tmp file + rename, as `kiosk notice show`
        assert _woken(w)
        with path.open("a", encoding="utf-8") as f:  # edited in place
            f.write(" ")
        assert _woken(w)
        feed = NoticeFeed(NoticeSpool(spool), RULES)
        assert [n.id for n in feed.current(NOW)] == ["op-a"]
        path.chmod(0o666)  # world-writable: the reader refuses it, so it must look ...
        assert _woken(w)
        assert feed.current(NOW) == ()  # ... and read it again (a chmod changes no size or mtime)
        path.unlink()  # `kiosk notice clear`
        assert _woken(w)
        made = spool / "op-b.json"
        with made.open("w", encoding="utf-8") as f:  # made: empty yet, nothing to read ...
            assert not _readable(w.fileno(), 0.2)
            f.write("{}")
        assert _woken(w)  # ... until it is closed
        (tmp_path / "elsewhere.json").write_text("{}")  # beside the spool, not in it
        assert not _readable(w.fileno(), 0.2)
    finally:
        w.close()
    assert w.fileno() == -1 and not w.available


def test_a_spool_that_does_not_exist_yet_is_waited_for_level_by_level_and_rewatched(
    tmp_path: Path,
):
    spool = tmp_path / "var" / "notices"
    w = SpoolWatch(spool)
    try:
        assert w.watching == tmp_path  # the nearest directory that exists
        (tmp_path / "var").mkdir()
        assert _woken(w) and w.watching == tmp_path / "var"
        spool.mkdir()
        assert _woken(w) and w.watching == spool
        write_notice(spool, _notice("op-b"))
        assert _woken(w)
        for p in spool.iterdir():
            p.unlink()
        spool.rmdir()  # removed: waits in var/ again ...
        assert _woken(w) and w.watching == tmp_path / "var"
        spool.mkdir()  # ... and is back on the spool when it is made again
        assert _woken(w) and w.watching == spool
        write_notice(spool, _notice("op-c"))
        assert _woken(w)
        other = tmp_path / "other"
        other.mkdir()
        w.watch(other)  # a reload moved the spool
        assert w.watching == other
        write_notice(spool, _notice("op-d"))  # the old one is not watched any more
        assert not _readable(w.fileno(), 0.2) or not w.drain()
        write_notice(other, _notice("op-e"))
        assert _woken(w)
    finally:
        w.close()


def test_without_inotify_the_watch_says_so(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(spool_watch, "libc_function", lambda name: None)
    w = SpoolWatch(tmp_path)
    assert not w.available and w.fileno() == -1 and not w.drain()


class Alarm:
    def __init__(self, fn: Callable[[], None]):
        self.fn = fn
        self.set: list[int] = []

    def start(self, msec: int) -> None:
        self.set.append(msec)

    def stop(self) -> None:
        self.set.append(-1)


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def _wake(spool: Path, clock: Clock) -> tuple[NoticeWake, list[tuple[str, ...]], NoticeFeed]:
    shown: list[tuple[str, ...]] = []
    feed = NoticeFeed(NoticeSpool(spool), RULES)
    watch = NoticeWatch(
        feed,
        show=lambda ns: shown.append(tuple(n.id for n in ns)),
        record=lambda entry: None,
        page_now=lambda: ("arrivals", []),
        changed=lambda: None,
        panel=lambda: None,
    )
    fds: list[tuple[int, Callable[[], object]]] = []
    wake = NoticeWake(watch, clock, Alarm, lambda fd, fn: fds.append((fd, fn)))
    assert fds == ([(wake.spool.fileno(), wake._spool_event)] if wake.spool.available else [])
    return wake, shown, feed


def test_the_alarm_is_set_for_the_next_start_or_end_else_the_safety_read(tmp_path: Path):
    spool = tmp_path / "notices"
    spool.mkdir()
    clock = Clock()
    wake, shown, feed = _wake(spool, clock)
    alarm = wake.alarm
    assert isinstance(alarm, Alarm)
    try:
        wake.check()
        assert shown == [] and alarm.set[-1] == SAFETY_S * 1000 + 1  # nothing ever changes
        write_notice(spool, _notice("op-now", minutes=0.05))  # ends in 3 s
        later = NOW + MAX_FUTURE + timedelta(seconds=7)
        write_notice(spool, _notice("op-later", start=later))  # in force 7 s from now
        assert _readable(wake.spool.fileno())
        wake._spool_event()  # what the event loop calls when the fd is readable
        assert shown[-1] == ("op-now",)
        assert alarm.set[-1] == 3001 and wake.next_at == NOW + timedelta(seconds=3)
        clock.now += timedelta(seconds=3, milliseconds=1)
        wake.check()  # the alarm: op-now has ended, op-later is 4 s away
        assert shown[-1] == () and alarm.set[-1] == 4000
        clock.now += timedelta(seconds=4)
        wake.check()
        assert shown[-1] == ("op-later",)
        # The poller's thread; the runner then calls check on the GUI thread.
        feed.set_alerts([raw_alert(1, "emergency", "호우", "영등포구 호우경보", NOW)])
        wake.check()
        assert shown[-1] == ("op-later", "alert-1")  # critical before emergency
        # The emergency window is 3 h from its issue; op-later ends 30 min after its start.
        assert wake.next_at == later + timedelta(minutes=30)
    finally:
        wake.close()
    assert alarm.set[-1] == -1


def test_without_inotify_the_spool_is_read_once_a_second(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(spool_watch, "libc_function", lambda name: None)
    wake, shown, _ = _wake(tmp_path, Clock())
    wake.check()
    assert isinstance(wake.alarm, Alarm) and wake.alarm.set[-1] == POLL_S * 1000 + 1


def test_a_failed_read_still_sets_the_alarm(tmp_path: Path):
    wake, _, _ = _wake(tmp_path, Clock())

    def broken(now: datetime) -> None:
        raise ValueError("screen log full")

    wake.watch.check = broken  # type: ignore[method-assign]
    with pytest.raises(ValueError):
        wake.check()
    assert isinstance(wake.alarm, Alarm) and wake.alarm.set[-1] == POLL_S * 1000 + 1
    wake.close()


def test_a_replaced_parent_or_a_repointed_symlink_is_watched_again_at_the_next_read(
    tmp_path: Path,
):
    base = tmp_path / "lib"
    spool = base / "notices"
    spool.mkdir(parents=True)
    w = SpoolWatch(spool)
    try:
        assert w.watching == spool
        base.rename(tmp_path / "lib.old")  # the directory above moved away ...
        spool.mkdir(parents=True)  # ... and made again: no event on the old inode says so
        _woken(w, 0.2)
        w.verify()  # what every read (at most 10 s apart) does first
        assert w.watching == spool
        write_notice(spool, _notice("op-new"))
        assert _woken(w)
        a, b = tmp_path / "a", tmp_path / "b"
        a.mkdir()
        b.mkdir()
        link = tmp_path / "spool"
        link.symlink_to(a)
        w.watch(link)
        write_notice(a, _notice("op-a"))
        assert _woken(w)
        link.unlink()
        link.symlink_to(b)  # pointed elsewhere (ln -sfn)
        w.verify()
        write_notice(b, _notice("op-b"))
        assert _woken(w)
    finally:
        w.close()


def test_in_a_waiting_ancestor_only_the_next_level_wakes_the_reader(tmp_path: Path):
    spool = tmp_path / "var" / "notices"
    w = SpoolWatch(spool)
    try:
        assert w.watching == tmp_path
        (tmp_path / "unrelated").mkdir()  # something else made beside it: read nothing
        assert not _woken(w, 0.2)
        spool.mkdir(parents=True)
        assert _woken(w)
        w.verify()  # var/ and notices/ made at once: on the spool after the next read at most
        assert w.watching == spool
    finally:
        w.close()


def test_next_change_is_the_first_start_or_end_after_now():
    a = _notice("op-a", minutes=10)
    b = _notice("op-b", minutes=5, start=NOW + timedelta(hours=1))
    assert next_change([a, b], NOW) == NOW + timedelta(minutes=10)
    assert next_change([b], NOW) == b.issued_at - MAX_FUTURE
    assert next_change([a], NOW + timedelta(minutes=10)) is None  # over: nothing to come
    assert next_change([], NOW) is None
