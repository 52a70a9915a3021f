"""Prometheus metrics: /metrics scraped over real HTTP and parsed with prometheus_client's parser,
the textfile written atomically for node_exporter, no secret in any label, both linted by
``promtool check metrics``; metrics off loads nothing."""

from __future__ import annotations

import logging
import socket
import stat
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from kiosk.core.budget import BudgetPlan
from kiosk.core.timeutil import KST
from kiosk.ops.metrics import KioskMetrics
from kiosk.ops.metrics_export import MetricsExporter, start_metrics
from kiosk.ops.metrics_settings import MetricsConfig
from kiosk.ops.metrics_sink import NullMetrics
from kiosk.poller.fingerprint import fingerprint
from kiosk.poller.pacing import QuotaLedger
from tests.conftest import REPO
from tests.promtool import require_promtool
from tests.redis_server import free_port

T0 = datetime(2026, 11, 23, 13, 0, tzinfo=KST)
KEY = "SubwayKey-0123456789abcdef"


class Clock:
    def __init__(self) -> None:
        self.t = T0

    def __call__(self) -> datetime:
        return self.t


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def metrics(clock: Clock) -> KioskMetrics:
    return KioskMetrics("Yeouido", "0.1.0", clock)


@pytest.fixture
def exporter(metrics: KioskMetrics, tmp_path: Path) -> Iterator[MetricsExporter]:
    ex = MetricsExporter(
        metrics, listen=("127.0.0.1", 0), textfile=tmp_path / "kiosk.prom", interval_s=3600
    )
    ex.start()
    yield ex
    ex.stop()


def scrape(ex: MetricsExporter) -> str:
    assert ex.address is not None
    host, port = ex.address
    with urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=10) as r:
        assert r.status == 200
        return r.read().decode()


def samples(text: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    out = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return out


def feed(metrics: KioskMetrics, clock: Clock) -> QuotaLedger:
    metrics.snapshot("subway", "ok", T0 - timedelta(seconds=40))
    metrics.snapshot("air", "stale", T0 - timedelta(hours=3))
    metrics.snapshot("bikes", "error", None)  # nothing fetched yet: no age, state error
    for _ in range(3):
        metrics.page_changed()
    for ms in (3, 5, 12, 40):
        metrics.frame_painted(ms / 1000)
    metrics.panel(
        desired_on=True,
        actual_on=False,
        desired_backlight=60,
        actual_backlight=None,
        answering=True,
    )
    metrics.notices({"emergency": 1})
    ledger = QuotaLedger("subway", BudgetPlan(1000, reserve=50), key=KEY)
    ledger.record_calls(120, T0)
    metrics.watch_ledger(ledger)
    clock.t = T0 + timedelta(seconds=20)
    return ledger


def test_metrics_scraped_over_http_say_what_the_kiosk_is_doing(metrics, clock, exporter) -> None:
    feed(metrics, clock)
    got = samples(scrape(exporter))
    assert got[("kiosk_up", ())] == 1
    assert got[("kiosk_info", (("station", "Yeouido"), ("version", "0.1.0")))] == 1
    assert got[("kiosk_source_age_seconds", (("source", "subway"),))] == 60
    assert got[("kiosk_source_age_seconds", (("source", "air"),))] == 3 * 3600 + 20
    assert ("kiosk_source_age_seconds", (("source", "bikes"),)) not in got
    states = {
        (dict(labels)["source"], dict(labels)["state"]): v
        for (name, labels), v in got.items()
        if name == "kiosk_source_state"
    }
    assert {k for k, v in states.items() if v == 1} == {
        ("subway", "ok"),
        ("air", "stale"),
        ("bikes", "error"),
    }
    assert len(states) == 3 * 6  # every state of every source, 0 or 1
    assert got[("kiosk_api_calls_total", (("key", "subway"),))] == 120
    assert got[("kiosk_quota_remaining", (("key", "subway"),))] == 950 - 120
    assert got[("kiosk_quota_limit", (("key", "subway"),))] == 950
    assert ("kiosk_quota_shared", (("key", "subway"),)) not in got  # no Redis configured
    assert got[("kiosk_page_changes_total", ())] == 3
    assert got[("kiosk_frame_seconds_count", ())] == 4
    assert got[("kiosk_frame_seconds_bucket", (("le", "0.008"),))] == 2
    assert got[("kiosk_frame_seconds_bucket", (("le", "0.016"),))] == 3
    assert got[("kiosk_frame_seconds_sum", ())] == pytest.approx(0.060)
    assert got[("kiosk_panel_power_on", (("which", "desired"),))] == 1
    assert got[("kiosk_panel_power_on", (("which", "actual"),))] == 0
    assert got[("kiosk_panel_backlight", (("which", "desired"),))] == 60
    assert ("kiosk_panel_backlight", (("which", "actual"),)) not in got  # unknown: absent
    assert got[("kiosk_panel_answering", ())] == 1
    assert [
        got[("kiosk_notice_active", (("level", lv),))]
        for lv in ("critical", "emergency", "advisory")
    ] == [0, 1, 0]
    assert got[("kiosk_process_resident_memory_bytes", ())] > 10e6
    assert ("kiosk_process_cpu_seconds_total", ()) in got


def test_no_label_or_value_carries_a_key(metrics, clock, exporter) -> None:
    feed(metrics, clock)
    text = scrape(exporter)
    for secret in (KEY, KEY.lower(), fingerprint(KEY), "0123456789abcdef"):
        assert secret not in text


def test_the_textfile_is_the_same_exposition_written_atomically(
    metrics, clock, exporter, tmp_path
) -> None:
    feed(metrics, clock)
    assert exporter.write_textfile()
    path = tmp_path / "kiosk.prom"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644  # node_exporter runs as another user
    on_disk = samples(path.read_text())
    over_http = samples(scrape(exporter))
    volatile = ("kiosk_process_",)  # memory and CPU move between the two reads
    assert {k: v for k, v in on_disk.items() if not k[0].startswith(volatile)} == {
        k: v for k, v in over_http.items() if not k[0].startswith(volatile)
    }
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kiosk.prom"]  # no temporary left
    exporter.stop()
    assert samples(path.read_text())[("kiosk_up", ())] == 0  # a stopped kiosk says so


def test_promtool_finds_nothing_to_lint(metrics, clock, exporter, tmp_path) -> None:
    promtool = require_promtool()
    feed(metrics, clock)
    for text in (scrape(exporter), (tmp_path / "kiosk.prom").read_text()):
        r = subprocess.run(
            [promtool, "check", "metrics"], input=text, capture_output=True, text=True, timeout=60
        )
        assert r.returncode == 0 and r.stdout.strip() == "" and r.stderr.strip() == "", (
            r.stdout + r.stderr
        )


def test_pushes_from_many_threads_while_scraping_add_up(metrics, clock, exporter) -> None:
    feed(metrics, clock)
    threads = [
        threading.Thread(
            target=lambda: [
                (metrics.page_changed(), metrics.frame_painted(0.004)) for _ in range(500)
            ]
        )
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for _ in range(5):
        scrape(exporter)
    for t in threads:
        t.join(timeout=30)
    got = samples(scrape(exporter))
    assert got[("kiosk_page_changes_total", ())] == 3 + 2000
    assert got[("kiosk_frame_seconds_count", ())] == 4 + 2000


def test_unknown_panel_and_no_panel_leave_no_series(metrics, clock, exporter) -> None:
    metrics.panel(
        desired_on=True, actual_on=True, desired_backlight=80, actual_backlight=80, answering=False
    )
    metrics.panel(
        desired_on=None,
        actual_on=None,
        desired_backlight=None,
        actual_backlight=None,
        answering=None,
    )
    names = {name for name, _ in samples(scrape(exporter))}
    assert not names & {"kiosk_panel_power_on", "kiosk_panel_backlight", "kiosk_panel_answering"}


def test_a_port_in_use_is_one_error_line_and_the_kiosk_goes_on(metrics, caplog) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        ex = MetricsExporter(metrics, listen=("127.0.0.1", port))
        ex.start()
        assert ex.address is None
        ex.stop()
    errors = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(errors) == 1 and errors[0].startswith(
        f"metrics: cannot listen on 127.0.0.1:{port} ("
    )


def test_an_unwritable_textfile_is_logged_once_then_recovers(metrics, tmp_path, caplog) -> None:
    caplog.set_level(logging.INFO)
    folder = tmp_path / "textfile"
    ex = MetricsExporter(metrics, textfile=folder / "kiosk.prom")
    assert not ex.write_textfile() and not ex.write_textfile()  # no such folder yet
    folder.mkdir()
    assert ex.write_textfile()
    lines = [r.getMessage() for r in caplog.records if "metrics:" in r.getMessage()]
    assert lines == [
        f"metrics: cannot write {folder / 'kiosk.prom'} (No such file or directory); trying again",
        f"metrics: writing {folder / 'kiosk.prom'} again",
    ]


def test_metrics_off_is_a_no_op_that_loads_no_prometheus_client() -> None:
    sink, exporter = start_metrics(MetricsConfig(), "Yeouido", "0.1.0", lambda: T0)
    assert isinstance(sink, NullMetrics) and exporter is None
    code = (
        "import sys\n"
        "from kiosk.ops.metrics_export import start_metrics\n"
        "from kiosk.ops.metrics_settings import MetricsConfig\n"
        "import kiosk.config, kiosk.poller.pacing\n"
        "start_metrics(MetricsConfig(), 's', 'v', lambda: None)\n"
        "print('prometheus_client' in sys.modules)\n"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True)
    assert r.stdout.strip() == "False", r.stderr


def test_start_metrics_from_config_serves_and_writes(tmp_path: Path) -> None:
    port = free_port()
    cfg = MetricsConfig(listen=f"127.0.0.1:{port}", textfile=tmp_path / "k.prom")
    sink, exporter = start_metrics(cfg, "Hongik Univ.", "0.1.0", lambda: T0)
    assert exporter is not None
    try:
        sink.page_changed()
        assert samples(scrape(exporter))[("kiosk_page_changes_total", ())] == 1
        assert samples((tmp_path / "k.prom").read_text())[("kiosk_up", ())] == 1
    finally:
        exporter.stop()
