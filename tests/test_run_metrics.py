"""The running kiosk feeds its metrics: the real `kiosk run` with a panel simulator serves
/metrics (scraped over HTTP, parsed with prometheus_client's parser, linted by promtool) with the
page changes, the paint time of its frames, the sources as `kiosk status` shows them, the
panel's desired and read-back state and the ledgers; a reload that changes `metrics:` moves the
exporter; SIGTERM leaves a textfile that says kiosk_up 0. And the pieces: the runner's feed
functions on the real report and notice types, the frame timer on a real window."""

from __future__ import annotations

import signal
import subprocess
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from prometheus_client.parser import text_string_to_metric_families

from kiosk.core.models import Notice, NoticeLevel
from kiosk.core.timeutil import KST
from kiosk.ops.metrics import KioskMetrics
from kiosk.ops.metrics_feed import feed_notices, feed_panel, feed_sources
from kiosk.ops.status import SourceStatus
from kiosk.panel.reconciler import NOT_ANSWERING, NOT_CHECKED, PanelReport
from kiosk.ui.frame_timer import FrameTimer
from tests.conftest import EXAMPLES, REPO
from tests.kiosk_process import RunningKiosk, sources_of
from tests.panel_sim import LgSimulator
from tests.promtool import require_promtool
from tests.redis_server import free_port
from tests.ui_windows import station_window
from tests.waiting import poll_until

T0 = datetime(2026, 11, 24, 13, 0, tzinfo=KST)
Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


def wanted(got: Samples) -> Samples:
    """What a failed wait shows: the page, panel and failure samples, not the process's."""
    return {k: v for k, v in got.items() if not k[0].startswith(("kiosk_process", "python_"))}


def samples(text: str) -> Samples:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def scrape(port: int) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as r:
        return r.read().decode()


def exposition(metrics: KioskMetrics) -> Samples:
    from prometheus_client import generate_latest

    return samples(generate_latest(metrics.registry).decode())


# --- the runner's feed functions -------------------------------------------------------------


def test_panel_reports_become_power_backlight_and_answering() -> None:
    m = KioskMetrics("Yeouido", "0.1.0", lambda: T0)
    feed_panel(m, PanelReport("lg", "/dev/ttyUSB0"))  # not checked yet: nothing known
    got = exposition(m)
    assert not [k for k in got if k[0].startswith("kiosk_panel_")]
    feed_panel(
        m,
        PanelReport(
            "lg",
            "/dev/ttyUSB0",
            desired_power="on",
            desired_backlight=60,
            actual_power="off",
            actual_backlight=80,
            state="failed to turn on",
        ),
    )
    got = exposition(m)
    assert got[("kiosk_panel_power_on", (("which", "desired"),))] == 1
    assert got[("kiosk_panel_power_on", (("which", "actual"),))] == 0
    assert got[("kiosk_panel_backlight", (("which", "desired"),))] == 60
    assert got[("kiosk_panel_backlight", (("which", "actual"),))] == 80
    assert got[("kiosk_panel_answering", ())] == 1  # it answered: it just did not switch on
    feed_panel(m, PanelReport("lg", "/dev/ttyUSB0", desired_power="on", state=NOT_ANSWERING))
    got = exposition(m)
    assert got[("kiosk_panel_answering", ())] == 0
    assert ("kiosk_panel_power_on", (("which", "actual"),)) not in got  # unknown now: absent
    assert NOT_CHECKED == "not checked yet"  # the state metrics_feed treats as "no answer yet"


def test_notices_are_counted_by_level_and_sources_as_status_judges_them() -> None:
    m = KioskMetrics("Yeouido", "0.1.0", lambda: T0)

    def notice(level: NoticeLevel, n: int) -> Notice:
        until = T0 + timedelta(hours=1)
        regions = ("서울특별시",)
        return Notice(
            f"alert-{n}", level, "alert", "호우", "호우경보", "", regions, T0, until,
            "행정안전부", "Ministry",
        )  # fmt: skip

    feed_notices(m, [notice("critical", 1), notice("advisory", 2), notice("advisory", 3)])
    stale = SourceStatus("subway", "stale", T0 - timedelta(minutes=5), "old")
    feed_sources(m, [stale, SourceStatus("air", "ok")])
    got = exposition(m)
    levels = {
        lv: got[("kiosk_notice_active", (("level", lv),))]
        for lv in ("critical", "emergency", "advisory")
    }
    assert levels == {"critical": 1, "emergency": 0, "advisory": 2}
    assert got[("kiosk_source_state", (("source", "subway"), ("state", "stale")))] == 1
    assert got[("kiosk_source_age_seconds", (("source", "subway"),))] == 300
    feed_notices(m, [])
    assert exposition(m)[("kiosk_notice_active", (("level", "critical"),))] == 0


def test_the_frame_timer_times_each_frame_a_real_window_paints(qtbot) -> None:
    win = station_window(EXAMPLES[0], (1280, 720))
    frames: list[float] = []
    timer = FrameTimer(frames.append)
    timer.watch(win)
    qtbot.waitExposed(win)
    win.update()  # a frame is due: Qt posts the window its UpdateRequest
    qtbot.waitUntil(lambda: len(frames) >= 1, timeout=5000)
    assert all(0 < s < 5 for s in frames)
    win.show_index(1)  # a page change paints the new page in the next frame
    n = len(frames)
    qtbot.waitUntil(lambda: len(frames) > n, timeout=5000)


# --- the real kiosk --------------------------------------------------------------------------


def _config(tmp: Path, panel_port: str, port: int) -> Path:
    example = yaml.safe_load((REPO / "config.example.yaml").read_text())
    layout = yaml.safe_load((REPO / "layouts" / "yeouido.yaml").read_text())
    for page in layout["pages"]:
        page["duration"] = 3  # the shortest a layout allows: page changes come quickly
    (tmp / "layout.yaml").write_text(yaml.safe_dump(layout, allow_unicode=True))
    cfg = {
        "station": example["station"],
        "layout": str(tmp / "layout.yaml"),
        "sources": {"demo": True, "cache_path": str(tmp / "cache" / "http.sqlite")},
        "panel": {
            "driver": "lg",
            "port": panel_port,
            "timeout": 0.5,
            "schedule": [{"at": "00:00", "power": "on", "backlight": 60}],  # holds now
        },
        "metrics": {"listen": f"127.0.0.1:{port}", "textfile": str(tmp / "kiosk.prom")},
    }
    path = tmp / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True))
    return path


def test_kiosk_run_serves_what_it_does_moves_on_reload_and_says_down_at_the_end(
    tmp_path: Path,
) -> None:
    promtool = require_promtool()
    sim = LgSimulator().start()
    port, moved = free_port(), free_port()
    config = _config(tmp_path, sim.url, port)
    log = tmp_path / "kiosk.log"
    with log.open("w") as output:
        kiosk = RunningKiosk(config, tmp_path, output=output)
    got: Samples = {}

    def served(want: int) -> bool:
        nonlocal got
        try:
            got = samples(scrape(want))
        except OSError as e:
            got = {(f"not served on {want}: {e}", ()): 0}
            return False
        return (
            got.get(("kiosk_page_changes_total", ()), 0) >= 2
            and got.get(("kiosk_panel_power_on", (("which", "actual"),))) == 1
            and got.get(("kiosk_panel_backlight", (("which", "actual"),))) == 60
        )

    try:
        status = kiosk.wait_status(lambda s: s["state"] == "running", 60)
        assert poll_until(lambda: served(port), 30), (wanted(got), log.read_text()[-4000:])
        text = scrape(port)
        lint = subprocess.run(
            [promtool, "check", "metrics"], input=text, capture_output=True, text=True
        )
        assert lint.returncode == 0, lint.stdout + lint.stderr
        assert got[("kiosk_up", ())] == 1
        assert got[("kiosk_frame_seconds_count", ())] >= 2  # the rotation's frames, timed
        assert 0 < got[("kiosk_frame_seconds_sum", ())] < got[("kiosk_frame_seconds_count", ())]
        assert got[("kiosk_panel_power_on", (("which", "desired"),))] == 1
        assert got[("kiosk_panel_answering", ())] == 1
        assert got[("kiosk_quota_remaining", (("key", "subway"),))] == 950  # demo: no calls
        states = {
            dict(labels)["source"]
            for (name, labels), v in got.items()
            if name == "kiosk_source_state" and dict(labels)["state"] == "ok" and v == 1
        }
        status = kiosk.status() or status
        shown = {n for n, s in sources_of(status).items() if s["status"] == "ok"}
        assert states == shown - {"air_history"}  # what `kiosk status` says, per source

        # A reload that moves `metrics.listen`: the old port closes, the new one serves.
        cfg = yaml.safe_load(config.read_text())
        cfg["metrics"]["listen"] = f"127.0.0.1:{moved}"
        config.write_text(yaml.safe_dump(cfg, allow_unicode=True))
        kiosk.proc.send_signal(signal.SIGHUP)
        assert poll_until(lambda: served(moved), 30), (wanted(got), log.read_text()[-4000:])

        def refused() -> bool:
            try:
                scrape(port)
            except (urllib.error.URLError, ConnectionError):
                return True
            return False

        assert poll_until(refused, 10)
    finally:
        kiosk.stop()
        sim.stop()
    out = log.read_text()
    assert kiosk.proc.returncode == 0, out
    assert "Traceback" not in out
    last = samples((tmp_path / "kiosk.prom").read_text())
    assert last[("kiosk_up", ())] == 0  # the textfile's last word: this kiosk is down
