"""Emergency notices in the real `kiosk run` (a child process, offscreen): an alert published in
the simulator's feed takes over within one poll while another region's and an old one never
show; an operator's `kiosk notice` reaches a demo kiosk with no network within 2 s, survives a
restart and goes when cleared or expired; garbled input changes nothing on screen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from kiosk.core.timeutil import now_kst
from kiosk.ops.notice_spool import operator_notice, write_notice
from tests.conftest import REPO
from tests.httpserver import ALERTS_KEY, BUS_KEY, Reply, SeoulApi, kiosk_config_dict
from tests.httpserver.alerts import PATTERN, alert_row
from tests.kiosk_process import RunningKiosk, sources_of
from tests.waiting import poll_until

SUBWAY_KEY, OPEN_KEY = "SUBWAYKEY-notice-0123456789", "OPENKEY-notice-9876543210"
ALERT_INTERVAL_S = 15  # the shortest sources.intervals.alerts
# One poll: the interval, the job's look every interval/4, the second the tick may take and a
# margin for a machine shared by several test runs.
ONE_POLL_S = ALERT_INTERVAL_S + ALERT_INTERVAL_S / 4 + 1 + 4


def _layout(tmp: Path) -> Path:
    """One arrivals page: the notices are what these tests look at."""
    path = tmp / "layout.yaml"
    path.write_text(yaml.safe_dump({"pages": [{"id": "arrivals", "kind": "arrivals"}]}))
    return path


def _write_config(tmp: Path, data: dict[str, Any]) -> Path:
    data["layout"] = str(_layout(tmp))
    data["notices"] = {"spool_path": str(tmp / "notices")}
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


def _screen(tmp: Path) -> list[dict[str, Any]]:
    path = tmp / "screen.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _notice_events(tmp: Path) -> list[tuple[str, str]]:
    """(event, notice id) of every takeover/notice start and end in the screen log."""
    return [
        (e["notice"]["event"], e["notice"]["id"])
        for e in _screen(tmp)
        if "event" in (e.get("notice") or {})
    ]


def _cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
        env={**os.environ, **(env or {})},
    )


def test_a_seoul_alert_takes_over_within_one_poll_and_other_regions_and_old_ones_never_show(
    tmp_path: Path,
) -> None:
    api = SeoulApi(SUBWAY_KEY, OPEN_KEY).start()
    now = now_kst().replace(microsecond=0)
    api.alerts.set_rows(
        # 중구 of another city, and a Seoul advisory older than its 1 h window.
        alert_row(500, "[부산 중구] 호우경보, 외출 자제", "부산광역시 중구 ", now, "위급재난"),
        alert_row(
            501,
            "[중구청] 한파 안내",
            "서울특별시 중구 ",
            now - timedelta(hours=2),
            "안전안내",
            "한파",
        ),
    )
    data = kiosk_config_dict(
        api,
        tmp_path,
        intervals={"alerts": ALERT_INTERVAL_S},
        cache_expiry={"alerts": 0},
        subway_daily_budget=100_000,
    )
    config = _write_config(tmp_path, data)
    env = {"SEOUL_API_KEY": OPEN_KEY, "SEOUL_SUBWAY_API_KEY": SUBWAY_KEY}
    env |= {"SEOUL_BUS_API_KEY": BUS_KEY, "SAFETYDATA_API_KEY": ALERTS_KEY}
    kiosk = RunningKiosk(config, tmp_path, env=env)
    try:
        # The two are in the feed from the first poll on; the screen log at the end shows that
        # neither was ever on screen.
        st = kiosk.wait_status(lambda s: sources_of(s).get("alerts", {}).get("status") == "ok", 40)
        assert st["notice"] is None

        quake = alert_row(
            502,
            "[행정안전부] 지진 발생, 낙하물에 주의하세요",
            "서울특별시 전체 ",
            now_kst(),
            "위급재난",
            "지진",
        )
        published = now_kst()
        api.alerts.add(quake)
        st = kiosk.wait_status(lambda s: s["notice"] is not None, ONE_POLL_S + 5)
        assert st["notice"]["level"] == "critical" and st["notice"]["origin"] == "alert"
        assert st["notice"]["text"] == "[행정안전부] 지진 발생, 낙하물에 주의하세요"
        assert datetime.fromisoformat(st["notice"]["until"]) - datetime.fromisoformat(
            st["notice"]["since"]
        ) == timedelta(hours=6)
        (start,) = [e for e in _screen(tmp_path) if (e.get("notice") or {}).get("event")]
        assert start["page"] == "notice" and start["notice"]["id"] == "alert-502"
        assert start["notice"]["mode"] == "takeover"
        took = datetime.fromisoformat(start["shown_at"]) - published
        assert took < timedelta(seconds=ONE_POLL_S), took

        # A garbled body: the feed's status says so, the screen does not change.
        before = st["notice"]
        api.route(PATTERN, Reply('{"header": {"resultCode": "00"}, "body": [{"SN": 7, "MSG'))

        def alerts_error(s: dict[str, Any]) -> str:
            return sources_of(s)["alerts"]["error"] or ""

        st = kiosk.wait_status(lambda s: "malformed" in alerts_error(s), ONE_POLL_S + 5)
        assert st["notice"] == before
        asked = api.hits("DSSP-IF-00247")
        # Garbled again at the retry (30 s later): still one log line, the screen as it was.
        assert poll_until(lambda: api.hits("DSSP-IF-00247") > asked, 30 + ONE_POLL_S)
        written = st["written_at"]
        st = kiosk.wait_status(lambda s: s["written_at"] > written, 15)
        assert st["notice"] == before and "malformed" in alerts_error(st)
    finally:
        out = kiosk.stop()
        api.stop()
    assert kiosk.proc.returncode == 0, out
    assert "Traceback" not in out
    assert _notice_events(tmp_path) == [("start", "alert-502")]
    screen = (tmp_path / "screen.jsonl").read_text(encoding="utf-8")
    assert "alert-500" not in screen and "alert-501" not in screen
    assert "부산" not in screen and "한파 안내" not in screen
    garbled = [line for line in out.splitlines() if "alerts: error" in line]
    assert len(garbled) == 1, garbled  # one line for the whole failure, not one per poll
    journal = [line for line in out.splitlines() if "notice on screen" in line]
    assert len(journal) == 1 and " WARNING kiosk.notices: " in journal[0]
    for where in (out, screen, (tmp_path / "http.sqlite").read_bytes().decode("latin-1")):
        assert ALERTS_KEY not in where


def _wait_notice_shown(tmp: Path, nid: str, timeout: float) -> dict[str, Any]:
    got: list[dict[str, Any]] = []

    def shown() -> bool:
        got[:] = [
            e
            for e in _screen(tmp)
            if (e.get("notice") or {}).get("event") == "start" and e["notice"]["id"] == nid
        ]
        return bool(got)

    assert poll_until(shown, timeout), _screen(tmp)
    return got[-1]


def test_an_operators_notice_reaches_a_demo_kiosk_with_no_network_and_survives_a_restart(
    tmp_path: Path,
) -> None:
    data = kiosk_config_dict(None, tmp_path)  # demo: bundled recordings, no key, no session
    data["station"].update(  # type: ignore[union-attr]
        subway_station="여의도", lines=["1005", "1009"], district="영등포구"
    )
    config = _write_config(tmp_path, data)
    # No network at all: every proxy points at a closed port (demo mode opens no session).
    env = {k: "http://127.0.0.1:9" for k in ("http_proxy", "https_proxy", "HTTPS_PROXY")}
    kiosk = RunningKiosk(config, tmp_path, env=env)
    outputs = []
    try:
        kiosk.wait_status(lambda s: s["state"] == "running", 40)
        r = _cli(
            "notice", "show", "--config", str(config), "--level", "critical",
            "--ko", "5호선 운행 중단. 1번 출구로 대피하세요", "--en", "Line 5 suspended", "--for", "30m",
        )  # fmt: skip
        assert r.returncode == 0, r.stderr
        (nid,) = [p.stem for p in (tmp_path / "notices").glob("op-*.json")]
        issued = datetime.fromisoformat(
            json.loads((tmp_path / "notices" / f"{nid}.json").read_text())["issued_at"]
        )
        # issued_at is in whole seconds; the file's mtime is when it was written.
        written_at = (tmp_path / "notices" / f"{nid}.json").stat().st_mtime
        start = _wait_notice_shown(tmp_path, nid, 10)
        took = datetime.fromisoformat(start["shown_at"]).timestamp() - written_at
        assert 0 <= took < 2.0, took
        st = kiosk.wait_status(lambda s: s["notice"] is not None, 10)
        assert st["notice"]["origin"] == "operator" and st["notice"]["level"] == "critical"
        assert st["notice"]["text"] == "5호선 운행 중단. 1번 출구로 대피하세요"

        # A garbled notice file beside it: refused, nothing on screen changes.
        (tmp_path / "notices" / "op-garbled.json").write_text('{"format": 1, "id": "op-garb')
        written = st["written_at"]
        st = kiosk.wait_status(lambda s: s["written_at"] > written, 15)
        assert st["notice"]["text"] == "5호선 운행 중단. 1번 출구로 대피하세요"
        outputs.append(kiosk.stop())

        kiosk = RunningKiosk(config, tmp_path, env=env)  # a restart: the notice is still there
        st = kiosk.wait_status(lambda s: s["notice"] is not None, 40)
        assert st["notice"]["since"] == issued.isoformat()
        r = _cli("notice", "clear", nid, "--config", str(config))
        assert r.returncode == 0, r.stderr
        kiosk.wait_status(lambda s: s["notice"] is None, 10)

        # One that expires by itself (the CLI's shortest is a minute; the spool takes seconds).
        now = now_kst()
        short = operator_notice(
            "op-short", "emergency", "승강장 점검", "", now, now + timedelta(seconds=4)
        )
        write_notice(tmp_path / "notices", short)
        _wait_notice_shown(tmp_path, "op-short", 10)
        kiosk.wait_status(lambda s: (s["notice"] or {}).get("text") == "승강장 점검", 10)
        kiosk.wait_status(lambda s: s["notice"] is None, 20)
    finally:
        outputs.append(kiosk.stop())
    out = "\n".join(outputs)
    assert kiosk.proc.returncode == 0, out
    assert "Traceback" not in out
    refused = [line for line in out.splitlines() if "op-garbled.json refused" in line]
    assert len(refused) == 2, refused  # once per kiosk that saw it, never drawn
    assert [e for e, _ in _notice_events(tmp_path)].count("start") == 3  # first, restart, short
    ends = [i for e, i in _notice_events(tmp_path) if e == "end"]
    assert ends == [nid, "op-short"]
    assert "op-garb" not in (tmp_path / "screen.jsonl").read_text(encoding="utf-8")
