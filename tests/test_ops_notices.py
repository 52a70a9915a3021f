"""The operator notice spool and `kiosk notice`: atomic files, refusals, restarts, the feed."""

from __future__ import annotations

import json
import logging
import os
import shutil
import stat
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.core.models import Alert
from kiosk.core.notices import NoticeRules, wakes_panel
from kiosk.core.timeutil import KST
from kiosk.ops import notice_spool as sp
from kiosk.ops.notice_feed import NoticeFeed, status_notice
from tests.conftest import REPO

NOW = datetime(2026, 8, 18, 9, 0, tzinfo=KST)


def notice(nid: str = "op-1", level: str = "critical", minutes: int = 30, **kw: str):
    return sp.operator_notice(
        nid,
        level,
        kw.get("ko", "승강장 안전 점검 중입니다"),
        kw.get("en", "Platform safety check"),
        NOW,
        NOW + timedelta(minutes=minutes),
    )


def test_a_notice_is_written_atomically_readable_by_the_group_only(tmp_path):
    spool = tmp_path / "notices"
    path = sp.write_notice(spool, notice())
    assert path == spool / "op-1.json"
    assert os.listdir(spool) == ["op-1.json"]  # no tmp file left behind
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert stat.S_IMODE(spool.stat().st_mode) == 0o2770  # made as the tmpfiles snippet does
    assert sp.read_file(path) == notice()
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["format"] == 1 and data["text_ko"] == "승강장 안전 점검 중입니다"


def test_a_failed_write_leaves_neither_a_tmp_file_nor_a_notice(tmp_path, monkeypatch):
    def broken(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(sp.os, "replace", broken)
    with pytest.raises(OSError):
        sp.write_notice(tmp_path, notice())
    assert os.listdir(tmp_path) == []


def test_a_half_written_tmp_file_is_never_read(tmp_path):
    (tmp_path / ".op-2.json.x1y2.tmp").write_text('{"format": 1, "id": "op-2", "lev')
    spool = sp.NoticeSpool(tmp_path)
    assert spool.poll() is None and spool.notices == ()


BAD_FILES = {
    "garbled.json": b'{"format": 1, "id": "garbled", "level": "crit',
    "binary.json": b"\xff\xfe\x00\x01",
    "array.json": b"[1, 2]",
    "extra.json": json.dumps({**sp.to_json(notice("extra")), "colour": "red"}).encode(),
    "other-id.json": json.dumps(sp.to_json(notice("op-9"))).encode(),
    "level.json": json.dumps({**sp.to_json(notice("level")), "level": "panic"}).encode(),
    "empty-text.json": json.dumps({**sp.to_json(notice("empty-text")), "text_ko": " "}).encode(),
    "backwards.json": json.dumps(
        {**sp.to_json(notice("backwards")), "until": "2026-08-18T08:00:00+09:00"}
    ).encode(),
    "naive.json": json.dumps(
        {**sp.to_json(notice("naive")), "issued_at": "2026-08-18T09:00:00"}
    ).encode(),
    "huge.json": json.dumps(
        {**sp.to_json(notice("huge")), "text_en": "x" * (sp.MAX_FILE_BYTES + 10)}
    ).encode(),
}


def test_malformed_or_oversized_files_are_refused_once_each_and_never_drawn(tmp_path, caplog):
    for name, data in BAD_FILES.items():
        (tmp_path / name).write_bytes(data)
    sp.write_notice(tmp_path, notice("op-good"))
    spool = sp.NoticeSpool(tmp_path)
    with caplog.at_level(logging.INFO, logger="kiosk.notices"):
        got = spool.poll()
        assert spool.poll() is None and spool.poll() is None  # nothing changed: no new lines
    assert got is not None and [n.id for n in got] == ["op-good"]
    refused = [r for r in caplog.records if "refused" in r.getMessage()]
    assert sorted(r.getMessage().split("/")[-1].split(" ")[0] for r in refused) == sorted(BAD_FILES)
    assert all(r.levelno == logging.WARNING and "\n" not in r.getMessage() for r in refused)
    assert any("oversized" in r.getMessage() for r in refused)
    contents = sp.read_spool(tmp_path)
    assert [n.id for n in contents.notices] == ["op-good"]
    assert dict(contents.refused)["huge.json"].startswith("oversized")


def test_a_world_writable_file_or_a_symlink_is_refused(tmp_path):
    path = sp.write_notice(tmp_path, notice("op-open"))
    path.chmod(0o666)
    (tmp_path / "op-link.json").symlink_to(path)
    reasons = dict(sp.read_spool(tmp_path).refused)
    assert reasons["op-open.json"].startswith("writable by anyone")
    assert reasons["op-link.json"] == "not a regular file"


def test_changes_are_seen_on_the_next_poll_and_survive_a_restart(tmp_path):
    spool = sp.NoticeSpool(tmp_path / "notices")
    assert spool.poll() is None  # no spool yet: nothing, quietly
    sp.write_notice(tmp_path / "notices", notice("op-a", "advisory"))
    assert [n.id for n in spool.poll() or ()] == ["op-a"]
    sp.write_notice(tmp_path / "notices", notice("op-a", "advisory", ko="고친 문구"))
    got = spool.poll()
    assert got is not None and got[0].text_ko == "고친 문구"  # rewritten in place: re-read
    restarted = sp.NoticeSpool(tmp_path / "notices")
    assert [n.text_ko for n in restarted.poll() or ()] == ["고친 문구"]
    assert sp.remove_notice(tmp_path / "notices", "op-a")
    assert spool.poll() == () and not sp.remove_notice(tmp_path / "notices", "op-a")


def test_an_unreadable_spool_keeps_what_is_on_screen(tmp_path, caplog):
    spool = sp.NoticeSpool(tmp_path / "notices")
    sp.write_notice(tmp_path / "notices", notice("op-a"))
    assert spool.poll()
    (tmp_path / "notices").rename(tmp_path / "moved")
    (tmp_path / "notices").write_text("not a directory")
    with caplog.at_level(logging.WARNING, logger="kiosk.notices"):
        assert spool.poll() is None and spool.poll() is None
    assert [n.id for n in spool.notices] == ["op-a"]
    assert len([r for r in caplog.records if "cannot be read" in r.getMessage()]) == 1


def test_the_feed_merges_alerts_and_operator_notices_and_expires_them(tmp_path):
    feed = NoticeFeed(sp.NoticeSpool(tmp_path), NoticeRules(district="영등포구"))
    assert feed.changed(NOW) == ()
    assert feed.changed(NOW) is None
    sp.write_notice(tmp_path, notice("op-e", "emergency", minutes=10))
    assert [n.id for n in feed.changed(NOW + timedelta(seconds=1)) or ()] == ["op-e"]
    alert = Alert(7, "critical", "위급재난", "지진", "지진 발생", ("서울특별시 전체",), NOW)
    far = Alert(8, "critical", "위급재난", "지진", "다른 곳", ("부산광역시 전체",), NOW)
    feed.set_alerts([alert, far])
    got = feed.changed(NOW + timedelta(seconds=2))
    assert [n.id for n in got or ()] == ["alert-7", "op-e"]
    assert [n.id for n in feed.changed(NOW + timedelta(minutes=10)) or ()] == ["alert-7"]
    assert feed.changed(NOW + timedelta(hours=6)) == ()


def test_a_reload_keeps_the_alerts_received_and_applies_the_new_rules(tmp_path):
    feed = NoticeFeed(sp.NoticeSpool(tmp_path / "a"), NoticeRules(district="영등포구"))
    yd = Alert(
        7, "emergency", "긴급재난", "호우", "여의도 둔치 통제", ("서울특별시 영등포구",), NOW
    )
    mp = Alert(8, "emergency", "긴급재난", "호우", "망원 둔치 통제", ("서울특별시 마포구",), NOW)
    feed.set_alerts([yd, mp])
    assert [n.id for n in feed.changed(NOW) or ()] == ["alert-7"]
    sp.write_notice(tmp_path / "b", notice("op-b", "advisory", minutes=10))
    spool_a = feed.spool
    feed.reconfigure(tmp_path / "a", NoticeRules(district="마포구", emergency_s=60.0))
    assert feed.spool is spool_a  # the same folder: the same reader
    assert [n.id for n in feed.changed(NOW) or ()] == ["alert-8"]  # no new poll needed
    assert feed.changed(NOW + timedelta(minutes=2)) == ()  # the new, shorter window
    feed.reconfigure(tmp_path / "b", NoticeRules(district="마포구"))
    assert [n.id for n in feed.changed(NOW + timedelta(minutes=2)) or ()] == ["alert-8", "op-b"]


# --- kiosk notice ------------------------------------------------------------------------------


def cli(*args: str) -> int:
    return main(["notice", *args])


def test_show_list_and_clear_through_the_cli(tmp_path, capsys):
    spool = str(tmp_path / "spool")
    assert cli("--spool", spool, "show", "--level", "critical", "--ko", "지금 대피하세요") == 0
    shown = capsys.readouterr().out
    nid = shown.split()[0]
    assert nid.startswith("op-") and "critical" in shown and "(60 min)" in shown
    # Options go after the action as well.
    assert (
        cli(
            "show",
            "--level",
            "advisory",
            "--ko",
            "엘리베이터 점검",
            "--en",
            "Lift check",
            "--for",
            "1h30m",
            "--spool",
            spool,
        )
        == 0
    )
    capsys.readouterr()
    assert cli("list", "--json", "--spool", spool) == 0
    items = json.loads(capsys.readouterr().out)
    assert [i["level"] for i in items] == ["critical", "advisory"]
    assert items[1]["text_en"] == "Lift check"
    span = datetime.fromisoformat(items[1]["until"]) - datetime.fromisoformat(items[1]["issued_at"])
    assert span == timedelta(minutes=90)
    assert cli("clear", nid, "--spool", spool) == 0
    assert [n.level for n in sp.read_spool(Path(spool)).notices] == ["advisory"]
    assert cli("clear", "--spool", spool) == 0
    assert "cleared 1 notice file" in capsys.readouterr().out
    assert os.listdir(spool) == []


def test_until_is_the_next_time_of_day(monkeypatch, tmp_path):
    from kiosk.ops import notice_cli

    monkeypatch.setattr(
        notice_cli, "now_kst", lambda: datetime(2026, 8, 18, 23, 50, 12, tzinfo=KST)
    )
    assert (
        cli(
            "--spool",
            str(tmp_path),
            "show",
            "--level",
            "emergency",
            "--ko",
            "막차 지연",
            "--until",
            "0:30",
        )
        == 0
    )
    (n,) = sp.read_spool(tmp_path).notices
    assert n.issued_at == datetime(2026, 8, 18, 23, 50, 12, tzinfo=KST)
    assert n.until == datetime(2026, 8, 19, 0, 30, tzinfo=KST)


@pytest.mark.parametrize(
    ("args", "code", "words"),
    [
        (["show", "--level", "panic", "--ko", "x"], 2, "invalid choice"),
        (["show", "--level", "critical"], 2, "--ko"),
        (["show", "--level", "critical", "--ko", "가" * 201], 2, "text_ko has 201 characters"),
        (["show", "--level", "critical", "--ko", "  "], 2, "text_ko is empty"),
        (["show", "--level", "critical", "--ko", "x", "--for", "soon"], 2, "duration like 30m"),
        (["show", "--level", "critical", "--ko", "x", "--for", "8d"], 2, "1m .. 7d"),
        (["show", "--level", "critical", "--ko", "x", "--until", "25:00"], 2, "HH:MM"),
        (
            ["show", "--level", "critical", "--ko", "x", "--for", "1h", "--until", "9:00"],
            2,
            "not allowed",
        ),
        (["clear", "op-nothing"], 1, "no notice with id 'op-nothing'"),
    ],
)
def test_bad_input_is_one_line_and_an_exit_code(tmp_path, capsys, args, code, words):
    try:
        rc = cli("--spool", str(tmp_path), *args)
    except SystemExit as e:  # argparse's usage errors
        rc = int(e.code or 0)
    assert rc == code
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err
    assert sp.spool_names(tmp_path) == []  # nothing written


def test_the_spool_path_comes_from_the_config_relative_to_its_folder(tmp_path, capsys):
    text = (REPO / "config.example.yaml").read_text(encoding="utf-8")
    text = text.replace("layout: layouts/yeouido.yaml", f"layout: {REPO / 'layouts/yeouido.yaml'}")
    text += "\nnotices:\n  spool_path: spool\n"
    config = tmp_path / "config.yaml"
    config.write_text(text, encoding="utf-8")
    assert cli("show", "--config", str(config), "--level", "advisory", "--ko", "안내") == 0
    assert len(sp.read_spool(tmp_path / "spool").notices) == 1
    assert cli("list", "--config", str(config)) == 0
    assert "안내" in capsys.readouterr().out


def test_a_refused_file_is_reported_by_list(tmp_path, capsys):
    (tmp_path / "bad.json").write_text("{")
    assert cli("list", "--spool", str(tmp_path)) == 0
    captured = capsys.readouterr()
    assert "no operator notices" in captured.out
    assert "bad.json refused: not valid UTF-8 JSON" in captured.err


def test_the_real_command_in_a_subprocess(tmp_path):
    kiosk = Path(sys.executable).with_name("kiosk")
    run = [str(kiosk), "notice", "--spool", str(tmp_path)]
    r = subprocess.run(
        [*run, "show", "--level", "emergency", "--ko", "열차 운행 중단"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    r = subprocess.run([*run, "list"], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "열차 운행 중단" in r.stdout


@pytest.mark.skipif(shutil.which("systemd-tmpfiles") is None, reason="needs systemd-tmpfiles")
def test_the_tmpfiles_snippet_makes_the_spool_root_kiosk_2770(tmp_path):
    root = tmp_path / "root"
    (root / "etc").mkdir(parents=True)
    (root / "etc/passwd").write_text(
        "root:x:0:0::/root:/bin/sh\nkiosk:x:990:990::/var/lib/kiosk:/x\n"
    )
    (root / "etc/group").write_text("root:x:0:\nkiosk:x:990:\n")
    conf = REPO / "systemd/kiosk-notices.conf"
    r = subprocess.run(
        ["systemd-tmpfiles", f"--root={root}", "--create", str(conf)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    st = (root / "var/lib/kiosk/notices").stat()
    assert stat.S_IMODE(st.st_mode) == 0o2770
    if os.geteuid() == 0:
        assert (st.st_uid, st.st_gid) == (0, 990)


def test_the_notices_section_names_a_bad_key(tmp_path):
    from kiosk.config import load_config
    from kiosk.errors import ConfigError

    text = (REPO / "config.example.yaml").read_text(encoding="utf-8")
    good = load_config(REPO / "config.example.yaml").notices
    assert good.rules("영등포구").window("emergency") == timedelta(hours=3)
    assert good.wake_panel and good.spool_path == Path("/var/lib/kiosk/notices")
    bad = text.replace("    advisory: 3600 ", "    advisory: 10 ").replace(
        "  wake_panel: true", "  wake_panel: true\n  colour: red"
    )
    (tmp_path / "c.yaml").write_text(bad, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "c.yaml")
    assert any(p.startswith("notices.windows.advisory: ") for p in info.value.problems)
    assert "notices.colour: unknown key" in info.value.problems


def test_the_status_notice_and_the_panel_wake_follow_the_lead(tmp_path):
    feed = NoticeFeed(sp.NoticeSpool(tmp_path), NoticeRules(district="영등포구"))
    assert status_notice(feed.current(NOW)) is None and not wakes_panel(())
    sp.write_notice(tmp_path, notice("op-a", "advisory"))
    assert not wakes_panel(feed.current(NOW))
    sp.write_notice(tmp_path, notice("op-c", "critical", minutes=5))
    current = feed.current(NOW)
    assert wakes_panel(current) and not wakes_panel(current, enabled=False)
    assert status_notice(current) == {
        "level": "critical",
        "origin": "operator",
        "text": "승강장 안전 점검 중입니다",
        "since": "2026-08-18T09:00:00+09:00",
        "until": "2026-08-18T09:05:00+09:00",
    }
