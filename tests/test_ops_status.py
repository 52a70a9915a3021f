"""Status file: atomic writes, readback, where it lives, and `kiosk status` (in a subprocess too)."""

from __future__ import annotations

import argparse
import json
import os
import stat
import subprocess
import sys
import threading
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.timeutil import KST
from kiosk.ops.status import (
    ErrorEntry,
    PanelStatus,
    SourceStatus,
    StatusReport,
    candidate_dirs,
    find_status_file,
    remove_status,
    runtime_dir,
    status_path,
    versions,
    write_status,
)
from kiosk.ops.status_view import duration, run_status

REPO = Path(__file__).resolve().parents[1]
T0 = datetime(2025, 11, 26, 8, 0, 0, tzinfo=KST)
KEY = "4d46796d7366726f3833774a774955"  # shaped like a Seoul Open API key


def report(now: datetime = T0 + timedelta(hours=3), pid: int | None = None, **kw) -> StatusReport:
    base = dict(
        pid=os.getpid() if pid is None else pid,
        started_at=T0,
        now=now,
        page="arrivals",
        page_since=now - timedelta(seconds=7),
        sources=(
            SourceStatus("subway", "ok", now - timedelta(seconds=25)),
            SourceStatus("air", "stale", now - timedelta(hours=2), error="TransportError timeout"),
            SourceStatus("parks", "empty"),
        ),
        panel=PanelStatus(
            "lg", {"power": "on", "brightness": 80}, {"power": "on", "brightness": 60}
        ),
        errors=(ErrorEntry(now - timedelta(minutes=1), "kiosk.poller", "air: timeout", count=3),),
        versions=versions(qt="6.12.0"),
        config="/etc/kiosk/config.yaml",
    )
    base.update(kw)
    return StatusReport(**base)


def args(tmp_path: Path, as_json: bool = False) -> argparse.Namespace:
    return argparse.Namespace(json=as_json, runtime_dir=str(tmp_path))


def test_written_file_reads_back_with_ages_uptime_and_versions(tmp_path):
    path = tmp_path / "status.json"
    write_status(report(), path)
    data = json.loads(path.read_text())
    assert data["pid"] == os.getpid()
    assert data["uptime_s"] == 3 * 3600
    assert data["page"] == "arrivals"
    assert [(s["name"], s["status"], s["age_s"]) for s in data["sources"]] == [
        ("subway", "ok", 25.0),
        ("air", "stale", 7200.0),
        ("parks", "empty", None),
    ]
    assert data["panel"]["desired"] == {"power": "on", "brightness": 80}
    assert data["errors"][0]["count"] == 3
    assert data["versions"]["qt"] == "6.12.0" and data["versions"]["kiosk"]
    assert datetime.fromisoformat(data["written_at"]) == T0 + timedelta(hours=3)
    assert isinstance(data["proc_start"], int)


def test_file_is_world_readable_and_leaves_no_temp_files(tmp_path):
    path = tmp_path / "status.json"
    for _ in range(3):
        write_status(report(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["status.json"]


def test_readers_never_see_a_partial_file_while_it_is_rewritten(tmp_path):
    path = tmp_path / "status.json"
    big = report(errors=tuple(ErrorEntry(T0, "kiosk", "x" * 2000) for _ in range(20)))
    write_status(big, path)
    bad: list[str] = []
    done = threading.Event()

    def reader() -> None:
        while not done.is_set():
            try:
                json.loads(path.read_text())
            except ValueError as e:
                bad.append(str(e))

    t = threading.Thread(target=reader)
    t.start()
    try:
        for _ in range(200):
            write_status(big, path)
    finally:
        done.set()
        t.join()
    assert bad == []


def test_a_failed_write_keeps_the_old_file_and_cleans_up(tmp_path):
    target = tmp_path / "status.json"
    target.mkdir()  # rename onto a directory fails
    with pytest.raises(OSError):
        write_status(report(), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["status.json"]


def test_secrets_are_scrubbed_before_they_reach_the_file(tmp_path):
    path = tmp_path / "status.json"
    leaky = report(
        sources=(
            SourceStatus(
                "subway",
                "error",
                error=f"GET http://swopenapi.seoul.go.kr/api/subway/{KEY}/json failed",
            ),
            SourceStatus("air", "unauthorized", error="key my-secret-key-123 rejected"),
        )
    )
    write_status(leaky, path, secrets=["my-secret-key-123"])
    text = path.read_text()
    assert KEY not in text and "my-secret-key-123" not in text
    assert "/api/subway/****/json" in text


def test_source_status_accepts_dicts_and_other_dataclasses():
    @dataclass
    class Coord:
        name: str
        status: str
        fetched_at: datetime | None
        error: str | None = None
        extra: int = 1

    assert SourceStatus.from_obj(Coord("air", "ok", T0)) == SourceStatus("air", "ok", T0)
    assert SourceStatus.from_obj(
        {"name": "bikes", "status": "error", "fetched_at": T0.isoformat(), "error": 5}
    ) == (SourceStatus("bikes", "error", T0, "5"))
    assert SourceStatus.from_obj({"name": "x", "fetched_at": "yesterday"}).fetched_at is None
    data = report(sources=({"name": "air", "status": "ok", "fetched_at": T0},)).to_json()
    assert data["sources"][0]["age_s"] == 3 * 3600


def test_runtime_dir_prefers_systemd_then_run_then_xdg_then_tmp(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    no_run = blocked / "kiosk"  # cannot be created: its parent is a file
    env = {"RUNTIME_DIRECTORY": str(tmp_path / "sd"), "XDG_RUNTIME_DIR": str(tmp_path / "xdg")}
    (tmp_path / "sd").mkdir()
    assert runtime_dir(env, system_dir=no_run) == tmp_path / "sd"
    (tmp_path / "xdg").mkdir()
    assert (
        runtime_dir({"XDG_RUNTIME_DIR": str(tmp_path / "xdg")}, system_dir=no_run)
        == tmp_path / "xdg" / "kiosk"
    )
    assert (tmp_path / "xdg" / "kiosk").is_dir()
    run_dir = tmp_path / "run-kiosk"
    assert status_path({}, system_dir=run_dir) == run_dir / "status.json"
    dirs = candidate_dirs({}, uid=1234, system_dir=no_run)
    assert dirs[-1].name == "kiosk-1234"


def test_reader_finds_the_first_existing_file(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    b.mkdir()
    write_status(report(), b / "status.json")
    env = {"RUNTIME_DIRECTORY": str(a), "XDG_RUNTIME_DIR": str(tmp_path)}
    assert find_status_file(env, system_dir=b) == b / "status.json"
    assert find_status_file({}, system_dir=a, uid=99999999) is None


def test_remove_status_never_raises(tmp_path):
    path = tmp_path / "status.json"
    write_status(report(), path)
    remove_status(path)
    remove_status(path)
    remove_status(tmp_path / "missing" / "status.json")
    assert not path.exists()


# --- kiosk status, in process with a fake clock -----------------------------------------


def test_summary_shows_page_sources_panel_errors_versions(tmp_path, capsys):
    now = T0 + timedelta(hours=3)
    write_status(report(now), tmp_path / "status.json")
    assert run_status(args(tmp_path), now=now + timedelta(seconds=4), environ={}) == 0
    out = capsys.readouterr().out
    assert f"running, pid {os.getpid()}, up 3 h 0 min" in out
    assert "page:     arrivals (on screen 7 s at report time)" in out
    assert "subway   ok           data 29 s old" in out
    assert "air      stale        data 2 h 0 min old  last error: TransportError timeout" in out
    assert "parks    empty        no data" in out
    assert "panel:    lg: desired power=on brightness=80; actual power=on brightness=60" in out
    assert "kiosk.poller: air: timeout (x3)" in out
    assert "qt 6.12.0" in out
    assert "WARNING" not in out


def test_stale_report_warns_and_exits_1(tmp_path, capsys):
    now = T0 + timedelta(hours=3)
    write_status(report(now), tmp_path / "status.json")
    assert run_status(args(tmp_path), now=now + timedelta(minutes=2), environ={}) == 1
    assert "the report is 2 min 0 s old" in capsys.readouterr().out


def test_json_output_recomputes_ages_for_the_reader(tmp_path, capsys):
    now = T0 + timedelta(hours=3)
    write_status(report(now), tmp_path / "status.json")
    assert (
        run_status(args(tmp_path, as_json=True), now=now + timedelta(seconds=10), environ={}) == 0
    )
    data = json.loads(capsys.readouterr().out)
    assert data["running"] is True and data["stale"] is False
    assert data["report_age_s"] == 10.0
    assert data["sources"][0]["age_s"] == 35.0
    assert "proc_start" not in data


def test_reused_pid_is_reported_as_not_running(tmp_path, capsys):
    write_status(report(), tmp_path / "status.json")
    data = json.loads((tmp_path / "status.json").read_text())
    data["proc_start"] += 1  # our pid, but "started" at another time: not the kiosk
    (tmp_path / "status.json").write_text(json.dumps(data))
    assert run_status(args(tmp_path), now=T0, environ={}) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("kiosk is not running: pid")


def test_garbage_status_file_is_one_line_exit_1(tmp_path, capsys):
    (tmp_path / "status.json").write_text("{not json")
    assert run_status(args(tmp_path), now=T0, environ={}) == 1
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith("kiosk status: cannot read")


def test_secret_in_an_unscrubbed_file_is_masked_on_output(tmp_path, capsys):
    now = T0 + timedelta(hours=3)
    write_status(report(now), tmp_path / "status.json")
    data = json.loads((tmp_path / "status.json").read_text())
    data["sources"][0]["error"] = "key abcdefgh12 rejected"  # written by an older kiosk, raw
    (tmp_path / "status.json").write_text(json.dumps(data))
    assert run_status(args(tmp_path), now=now, environ={"SEOUL_API_KEY": "abcdefgh12"}) == 0
    out = capsys.readouterr().out
    assert "abcdefgh12" not in out and "key **** rejected" in out


def test_duration_formatting():
    assert [duration(s) for s in (None, -3, 0, 59, 61, 3599, 3600, 86399, 90061)] == [
        "?",
        "0 s",
        "0 s",
        "59 s",
        "1 min 1 s",
        "59 min 59 s",
        "1 h 0 min",
        "23 h 59 min",
        "1 d 1 h",
    ]


# --- kiosk status as a subprocess (the real CLI) --------------------------------------


def kiosk_status(
    *extra: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "status", *extra],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
        env={**os.environ, **(env or {})},
    )


def test_cli_running_kiosk_prints_summary_and_json(tmp_path):
    # The report must be fresh on the child's (real) clock: "now" is read here, at the top.
    now = datetime.now(UTC)
    write_status(report(now, started_at=now - timedelta(minutes=5)), tmp_path / "status.json")
    r = kiosk_status("--runtime-dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert f"pid {os.getpid()}" in r.stdout and "page:     arrivals" in r.stdout
    r = kiosk_status("--json", "--runtime-dir", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["page"] == "arrivals"


def test_cli_no_kiosk_running_is_one_line_exit_1(tmp_path):
    r = kiosk_status("--runtime-dir", str(tmp_path))
    assert r.returncode == 1
    assert r.stdout.strip().splitlines() == [
        f"kiosk is not running: no status file ({tmp_path}/status.json)"
    ]
    assert r.stderr == ""


def test_cli_dead_pid_is_one_line_exit_1(tmp_path):
    child = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    dead_pid = int(child.stdout)
    write_status(report(pid=dead_pid), tmp_path / "status.json")
    r = kiosk_status("--runtime-dir", str(tmp_path))
    assert r.returncode == 1
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        f"kiosk is not running: pid {dead_pid} has exited"
    )
    r = kiosk_status("--json", "--runtime-dir", str(tmp_path))
    assert r.returncode == 1 and json.loads(r.stdout)["running"] is False


def test_writer_skips_a_runtime_dir_owned_by_someone_else(tmp_path):
    if os.geteuid() != 0:
        pytest.skip("needs root to create a directory owned by another user")
    theirs = tmp_path / "run-kiosk"
    theirs.mkdir()
    os.chown(theirs, 65534, 65534)  # e.g. the service's /run/kiosk, when root runs a second kiosk
    (tmp_path / "xdg").mkdir()
    env = {"XDG_RUNTIME_DIR": str(tmp_path / "xdg")}
    assert runtime_dir(env, system_dir=theirs) == tmp_path / "xdg" / "kiosk"
    # systemd's RUNTIME_DIRECTORY is ours by definition, whoever owns it.
    assert runtime_dir({"RUNTIME_DIRECTORY": str(theirs)}, system_dir=theirs) == theirs
