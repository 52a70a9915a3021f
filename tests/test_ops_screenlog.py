"""Screen log: what was on screen when, bounded on disk, answerable by time."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest

from kiosk.core.timeutil import KST
from kiosk.ops.screenlog import ScreenLog, default_path, screen_entry

T0 = datetime(2025, 11, 26, 8, 13, 55, tzinfo=KST)


def arrivals(at: datetime, minutes: int) -> dict:
    return screen_entry(
        "arrivals",
        at,
        {
            "subway": {
                "status": "ok",
                "fetched_at": at - timedelta(seconds=20),
                "received_at": at - timedelta(seconds=31),
            }
        },
        [f"5호선 방화행 {minutes}분 후 (여의나루)", "9호선 급행 중앙보훈병원행 곧 도착"],
    )


def test_query_returns_the_page_on_screen_at_that_moment(tmp_path):
    log = ScreenLog(tmp_path / "screen.jsonl")
    assert log.record(arrivals(T0, 2))
    assert log.record(
        screen_entry(
            "air", T0 + timedelta(seconds=15), {"air": {"fetched_at": T0}}, ["PM10 42 보통"]
        )
    )
    assert log.record(arrivals(T0 + timedelta(seconds=30), 1))
    at_0814 = log.query(datetime(2025, 11, 26, 8, 14, 0, tzinfo=KST))
    assert at_0814["page"] == "arrivals"
    assert at_0814["lines"][0] == "5호선 방화행 2분 후 (여의나루)"
    assert at_0814["sources"]["subway"]["received_at"] == "2025-11-26T08:13:24+09:00"
    assert at_0814["shown_until"] == "2025-11-26T08:14:10+09:00"
    assert log.query(T0 + timedelta(seconds=20))["page"] == "air"
    assert log.query(T0 + timedelta(seconds=15))["page"] == "air"  # boundary: the new page
    last = log.query(T0 + timedelta(hours=1))
    assert last["lines"][0].startswith("5호선 방화행 1분") and last["shown_until"] is None
    assert log.query(T0 - timedelta(seconds=1)) is None


def test_query_compares_instants_across_time_zones(tmp_path):
    log = ScreenLog(tmp_path / "screen.jsonl")
    log.record(arrivals(T0, 2))
    log.record(arrivals(T0 + timedelta(seconds=30), 1))
    utc = (T0 + timedelta(seconds=10)).astimezone(UTC)  # 23:14:05Z the day before
    assert log.query(utc)["lines"][0].startswith("5호선 방화행 2분")


def test_disk_use_stays_within_max_bytes_and_old_entries_roll_off(tmp_path):
    path = tmp_path / "screen.jsonl"
    log = ScreenLog(path, max_bytes=16 * 1024, files=4)
    for i in range(400):  # ~250 bytes each: about 100 KB written in total
        assert log.record(arrivals(T0 + timedelta(seconds=15 * i), i % 10))
    files = sorted(tmp_path.iterdir())
    assert [p.name for p in files] == [
        "screen.jsonl",
        "screen.jsonl.1",
        "screen.jsonl.2",
        "screen.jsonl.3",
    ]
    assert sum(p.stat().st_size for p in files) <= 16 * 1024
    kept = list(log.entries())
    assert 40 < len(kept) < 70
    oldest = datetime.fromisoformat(kept[0]["shown_at"])
    assert log.query(oldest - timedelta(seconds=1)) is None  # rolled off
    # The most recent ones are all there, in order, across the rotated files.
    shown = [datetime.fromisoformat(e["shown_at"]) for e in kept]
    assert shown == sorted(shown) and shown[-1] == T0 + timedelta(seconds=15 * 399)
    assert log.query(shown[-2] + timedelta(seconds=1))["shown_at"] == kept[-2]["shown_at"]


def test_a_torn_last_line_after_a_power_cut_is_skipped(tmp_path):
    path = tmp_path / "screen.jsonl"
    log = ScreenLog(path)
    log.record(arrivals(T0, 2))
    with path.open("a") as f:
        f.write('{"page": "air", "shown_at": "2025-11-26T08:1')
    assert log.query(T0 + timedelta(minutes=5))["page"] == "arrivals"
    log2 = ScreenLog(path)
    assert log2.record(arrivals(T0 + timedelta(minutes=1), 0))  # appends after the torn line
    assert [e["shown_at"] for e in log2.entries()] == [
        T0.isoformat(),
        (T0 + timedelta(minutes=1)).isoformat(),
    ]


def test_bad_entries_are_refused_with_a_clear_message(tmp_path):
    log = ScreenLog(tmp_path / "screen.jsonl")
    with pytest.raises(ValueError, match="'page'"):
        log.record({"shown_at": T0})
    with pytest.raises(ValueError, match="timezone-aware"):
        log.record({"page": "air", "shown_at": datetime(2025, 11, 26, 8, 0)})
    with pytest.raises(ValueError, match="timezone-aware"):
        log.query(datetime(2025, 11, 26, 8, 0))
    with pytest.raises(ValueError, match="too small"):
        ScreenLog(tmp_path / "x", max_bytes=100)


def test_an_oversized_entry_or_unwritable_disk_returns_false_without_raising(tmp_path, caplog):
    log = ScreenLog(tmp_path / "screen.jsonl", max_bytes=4096, files=2)
    assert not log.record(screen_entry("events", T0, {}, ["x" * 5000]))
    blocked = tmp_path / "file"
    blocked.write_text("")
    bad = ScreenLog(blocked / "screen.jsonl")
    caplog.set_level("WARNING", logger="kiosk.ops.screenlog")
    assert not bad.record(arrivals(T0, 1))
    assert not bad.record(arrivals(T0, 1))
    assert len([r for r in caplog.records if "cannot write screen log" in r.getMessage()]) == 1


def test_default_path_follows_systemd_state_directory():
    assert str(default_path({"STATE_DIRECTORY": "/var/lib/kiosk"})) == "/var/lib/kiosk/screen.jsonl"
    assert (
        str(default_path({"STATE_DIRECTORY": "/a:/b", "XDG_STATE_HOME": "/x"})) == "/a/screen.jsonl"
    )


def _screenlog(*argv: str) -> int:
    from kiosk.cli import main as kiosk_main

    return kiosk_main(["screenlog", *argv])


def test_kiosk_screenlog_prints_compactly_what_was_on_screen(tmp_path, capsys):
    path = tmp_path / "screen.jsonl"
    log = ScreenLog(path)
    log.record(arrivals(T0, 2))
    log.record(arrivals(T0 + timedelta(seconds=30), 1))
    day = ["--log", str(path), "--date", "2025-11-26"]
    assert _screenlog(*day, "--at", "08:14") == 0  # KST
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "2025-11-26 08:13:55 KST  page arrivals (until 2025-11-26 08:14:25 KST)"
    assert (
        out[1] == "  subway: ok, fetched 2025-11-26 08:13:35 KST, produced 2025-11-26 08:13:24 KST"
    )
    assert "  5호선 방화행 2분 후 (여의나루)" in out  # one line per arrival, not per label
    assert _screenlog(*day, "--json", "--at", "08:14:30") == 0
    assert json.loads(capsys.readouterr().out)["lines"][0].startswith("5호선 방화행 1분")
    assert _screenlog(*day, "--at", "08:00") == 1
    assert "nothing recorded at 2025-11-26 08:00:00 KST" in capsys.readouterr().err
    assert _screenlog(*day, "--at", "yesterday") == 2
    assert "cannot read time 'yesterday'" in capsys.readouterr().err
    assert _screenlog("--log", str(path), "--date", "26/11/2025") == 2
    assert "cannot read date '26/11/2025'" in capsys.readouterr().err
    assert _screenlog(*day) == 0  # the whole day asked: its last entry
    assert "page arrivals (still on screen)" in capsys.readouterr().out


def test_kiosk_screenlog_names_a_notices_start_and_end(tmp_path, capsys):
    path = tmp_path / "screen.jsonl"
    log = ScreenLog(path)
    notice = {
        "mode": "takeover",
        "id": "alert-266801",
        "level": "critical",
        "origin": "alert",
        "until": (T0 + timedelta(hours=6)).isoformat(),
    }
    lines = [
        "위급재난 · Extreme emergency | 지진 · Earthquake | 행정안전부",
        "[행정안전부] 지진 발생",
    ]
    log.record(screen_entry("notice", T0, {}, lines, notice={"event": "start", **notice}))
    log.record(
        screen_entry(
            "arrivals", T0 + timedelta(minutes=5), {}, [], notice={"event": "end", **notice}
        )
    )
    day = ["--log", str(path), "--date", "2025-11-26"]
    assert _screenlog(*day, "--at", "08:15") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].endswith("page notice (until 2025-11-26 08:18:55 KST)")
    assert out[1] == (
        "  notice started (takeover): critical alert-266801 from alert, "
        "until 2025-11-26 14:13:55 KST"
    )
    assert out[2:] == [f"  {line}" for line in lines]
    assert _screenlog(*day, "--at", "08:19") == 0
    assert "  notice ended (takeover): critical alert-266801" in capsys.readouterr().out


def test_a_line_torn_by_a_full_disk_does_not_swallow_the_next_one(tmp_path):
    from tests.small_disk import SmallDisk

    with SmallDisk(tmp_path / "disk", kib=256) as disk:
        log = ScreenLog(disk.path / "screen.jsonl")
        assert log.record(arrivals(T0, 3))
        disk.fill(leave=4096)  # room for part of the next line only
        long_page = screen_entry("events", T0 + timedelta(seconds=15), {}, ["가" * 4000])
        assert not log.record(long_page)  # the disk took a part of it, then ENOSPC
        disk.free()
        assert log.record(arrivals(T0 + timedelta(seconds=30), 1))
        entries = list(log.entries())
    assert [e["page"] for e in entries] == ["arrivals", "arrivals"]  # the torn line skipped
    assert entries[-1]["lines"][0].startswith("5호선 방화행 1분")
