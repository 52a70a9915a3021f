"""`kiosk status` as an operator reads it: KST everywhere, panel faults under errors, demo said."""

from __future__ import annotations

import argparse
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kiosk.ops.status import ErrorEntry, PanelStatus, SourceStatus, StatusReport, write_status
from kiosk.ops.status_view import run_status

T0 = datetime(2026, 12, 1, 12, 0, 0, tzinfo=UTC)  # 21:00 KST


def _run(tmp_path: Path, report: StatusReport, capsys) -> str:
    write_status(report, tmp_path / "status.json")
    ns = argparse.Namespace(json=False, runtime_dir=str(tmp_path))
    assert run_status(ns, now=report.now + timedelta(seconds=2), environ={}) == 0
    return capsys.readouterr().out


def _report(**kw) -> StatusReport:
    base = dict(
        pid=os.getpid(),
        started_at=T0 - timedelta(hours=1),
        now=T0 + timedelta(minutes=56, seconds=59),
        sources=(SourceStatus("subway", "ok", T0),),
        versions={"kiosk": "0.1.0"},
    )
    base.update(kw)
    return StatusReport(**base)


def test_every_time_in_the_summary_is_kst_and_labelled(tmp_path, capsys):
    """A writer in UTC (an older kiosk, a machine in UTC) still reads as KST."""
    err = ErrorEntry(T0 + timedelta(minutes=56, seconds=59), "kiosk.poller", "air: timeout")
    out = _run(tmp_path, _report(errors=(err,)), capsys)
    assert "(since 2026-12-01 20:00:00 KST)" in out
    assert "errors:   2026-12-01 21:56:59 KST kiosk.poller: air: timeout" in out
    assert "UTC" not in out and "+00:00" not in out


def test_a_missing_panel_port_is_listed_under_errors(tmp_path, capsys):
    panel = PanelStatus(
        driver="lg on /dev/ttyUSB0",
        desired={"power": "on", "backlight": None, "by": "schedule"},
        actual={"power": None, "backlight": None, "state": "port unavailable"},
        checked_at=T0,
        error="cannot open /dev/ttyUSB0: No such file or directory",
    )
    out = _run(tmp_path, _report(panel=panel), capsys)
    (line,) = [line for line in out.splitlines() if line.startswith("errors:")]
    assert line == (
        "errors:   2026-12-01 21:00:00 KST panel: port unavailable: "
        "cannot open /dev/ttyUSB0: No such file or directory"
    )


def test_status_says_when_the_screen_is_on_demo_data(tmp_path, capsys):
    out = _run(tmp_path, _report(demo=True), capsys)
    assert "data:     DEMO: bundled recordings, not live (sources.demo: true)" in out
    out = _run(tmp_path, _report(demo=False), capsys)
    assert "data:     live" in out


def test_the_version_line_names_the_commit(tmp_path, capsys):
    out = _run(tmp_path, _report(versions={"kiosk": "0.1.0", "commit": "0123456789ab"}), capsys)
    assert out.startswith("kiosk 0.1.0 (commit 0123456789ab): running, pid ")
    assert "versions: kiosk 0.1.0, commit 0123456789ab" in out


def test_the_leading_notice_is_in_the_summary_and_the_json(tmp_path, capsys):
    notice = {
        "level": "critical",
        "origin": "alert",
        "text": "[행정안전부] 지진 발생, 낙하물에 주의하세요",
        "since": (T0 - timedelta(minutes=3)).isoformat(),
        "until": (T0 + timedelta(hours=6)).isoformat(),
    }
    out = _run(tmp_path, _report(notice=notice), capsys)
    assert (
        "notice:   critical (alert) since 2026-12-01 20:57:00 KST until 2026-12-02 03:00:00 KST: "
        "[행정안전부] 지진 발생, 낙하물에 주의하세요"
    ) in out.splitlines()
    ns = argparse.Namespace(json=True, runtime_dir=str(tmp_path))
    assert run_status(ns, now=T0 + timedelta(minutes=57), environ={}) == 0
    import json

    assert json.loads(capsys.readouterr().out)["notice"] == notice
    out = _run(tmp_path, _report(), capsys)  # none in force: no line, null in the JSON
    assert "notice:" not in out
    assert run_status(ns, now=T0 + timedelta(minutes=57), environ={}) == 0
    assert json.loads(capsys.readouterr().out)["notice"] is None
