"""The pure parts of `kiosk bench`: statistics, verdicts, /proc parsing, log scanning, and the
fault server's schedule and replies (a real socket on 127.0.0.1)."""

from __future__ import annotations

import json
import statistics
import sys
import urllib.error
import urllib.request
import zlib
from datetime import datetime
from pathlib import Path

import pytest

from kiosk.bench.faultserver import BOMB_MIB, PATTERN, FaultServer
from kiosk.bench.machine import cpu_model
from kiosk.bench.memory import read_memory
from kiosk.bench.report import combine, metric, over_budget, p95, table, with_ratios
from kiosk.bench.soak import log_problems
from kiosk.core.timeutil import KST
from kiosk.errors import SourceError
from kiosk.sources import air, subway

NOW = datetime(2026, 11, 26, 8, 14, 5, tzinfo=KST)


def test_p95_is_the_nearest_rank():
    assert p95([5.0]) == 5.0
    assert p95([float(i) for i in range(1, 21)]) == 19.0  # 20 samples: the second largest
    assert p95([float(i) for i in range(1, 101)]) == 95.0


def test_verdict_is_judged_on_the_median_against_the_named_budget():
    within = metric("first_frame", "first frame", "s", [0.8, 0.9, 4.0], "first_frame")
    over = metric("idle_cpu", "idle CPU", "%", [0.2], "idle_cpu")
    free = metric("parse.air", "parse air", "ms", [0.5])
    assert (within.budget, within.verdict) == (1.0, "ok")  # one slow sample does not fail it
    assert (over.budget, over.verdict) == (0.15, "OVER")
    assert free.verdict == "" and free.to_json()["verdict"] is None
    assert over_budget([within, over, free]) == ["idle CPU"]
    text = table(["head"], [within, over, free])
    assert "≤ 1.000 s  ok" in text and "≤ 0.15 %  OVER" in text
    with pytest.raises(ValueError):
        metric("x", "x", "ms", [])


def test_figures_with_a_reference_are_judged_on_their_ratio_to_it():
    naive = metric("naive_repaint", "naive repaint", "ms", [20.0, 24.0, 22.0])
    turn = metric("page_change", "page change", "ms", [10.0, 10.5, 12.0], "page_change")
    frame = metric("frame_max", "worst frame", "ms", [16.0], "frame_max")
    got = {m.key: m for m in with_ratios([naive, turn, frame])}
    assert got["page_change"].ratio == pytest.approx(10.5 / 22.0)
    assert got["page_change"].verdict == "ok"  # 0.48x <= 0.5x
    # A frame's deadline is the panel's, the same on every machine: 16.7 ms, the ratio shown.
    assert got["frame_max"].ratio == pytest.approx(16.0 / 22.0)
    assert (got["frame_max"].budget, got["frame_max"].verdict) == (
        pytest.approx(16.67, abs=0.01),
        "ok",
    )
    late = metric("frame_max", "worst frame", "ms", [17.0], "frame_max")
    assert late.verdict == "OVER"
    assert turn.verdict == ""  # no reference measured: no verdict, rather than a wrong one
    text = table([], list(got.values()))
    assert "0.48×" in text and "≤ 0.50× naive repaint" in text
    doc = got["page_change"].to_json()
    assert doc["reference"] == "naive_repaint" and doc["ratio_budget"] == 0.5
    assert doc["ratio"] == pytest.approx(0.4773, abs=1e-4)


def test_runs_combine_into_medians_of_their_medians_and_ratios():
    def run(naive_ms: float, turn_ms: float) -> list:
        return with_ratios(
            [
                metric("naive_repaint", "naive", "ms", [naive_ms, naive_ms + 1]),
                metric("page_change", "turn", "ms", [turn_ms, turn_ms + 1], "page_change"),
            ]
        )

    runs = [run(20, 9), run(30, 12), run(22, 20)]
    both = {m.key: m for m in combine(runs)}
    turn = both["page_change"]
    assert turn.median == 12.5 and turn.extra["runs"] == [9.5, 12.5, 20.5]
    # The ratio is each run's against its own reference, then their median.
    assert turn.ratio == pytest.approx(statistics.median([9.5 / 20.5, 12.5 / 30.5, 20.5 / 22.5]))
    assert len(turn.samples) == 3 and turn.extra["samples_each"] == [2, 2, 2]


def test_the_cpu_model_comes_from_cpuinfo_on_x86_and_arm(tmp_path: Path):
    x86 = tmp_path / "x86"
    x86.write_text(
        "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel\t\t: 1\n"
        "model name\t: AMD EPYC 7B13\n\nprocessor\t: 1\nmodel name\t: AMD EPYC 7B13\n"
    )
    assert cpu_model(x86) == "AMD EPYC 7B13"
    arm = tmp_path / "arm"
    arm.write_text(
        "processor\t: 0\nBogoMIPS\t: 108.00\nCPU part\t: 0xd08\n\n"
        "Hardware\t: BCM2835\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n"
    )
    assert cpu_model(arm) == "Raspberry Pi 4 Model B Rev 1.4"
    assert cpu_model(tmp_path / "none")  # something, never empty


def test_memory_reads_rss_and_private_pages_from_smaps_rollup(tmp_path: Path):
    (tmp_path / "42").mkdir()
    (tmp_path / "42" / "smaps_rollup").write_text(
        "55d0c0000000-7ffd00000000 ---p 00000000 00:00 0    [rollup]\n"
        "Rss:              153600 kB\nPss:              140000 kB\n"
        "Shared_Clean:      40960 kB\nPrivate_Clean:      10240 kB\n"
        "Private_Dirty:     92160 kB\nSwap:                  0 kB\n"
    )
    m = read_memory(42, proc=tmp_path)
    assert (m.rss_mb, m.uss_mb) == (150.0, 100.0)
    own = read_memory()
    assert own.rss_mb > own.uss_mb > 1


def test_log_problems_counts_error_records_in_both_formats_and_tracebacks():
    text = (
        "2026-11-26 08:14:02 WARNING kiosk.poller: subway: error: HTML instead of JSON\n"
        "2026-11-26 08:14:03 ERROR kiosk.run: reload rejected\n"
        "<3>kiosk.poller.jobs: air: poll job failed\n"
        "<3>Traceback (most recent call last):\n"
        "<4>kiosk.poller: air: stale\n"
    )
    errors, tracebacks = log_problems(text)
    assert len(errors) == 3 and tracebacks == 1
    assert log_problems("2026-11-26 08:14:02 INFO kiosk.run: kiosk running\n") == ([], 0)


class _Clock:
    def __init__(self) -> None:
        self.t = 0.0

    def __call__(self) -> float:
        return self.t


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_fault_server_spoils_requests_in_turn_and_answers_337_late_in_the_run():
    mono = _Clock()
    server = FaultServer("여의도", 100.0, 0.1, lambda: NOW, mono).start()
    try:
        assert server.url.startswith("http://127.0.0.1:")
        sub = server.endpoints["subway"] + "/KEY/json/realtimeStationArrival/0/20/%EC%97%AC"
        got = [_get(sub) for _ in PATTERN]
        assert [status for status, _ in got] == [502, 200, 200, 200, 200, 200, 503, 200, 200, 200]
        arrivals = subway.parse(got[7][1], NOW)
        assert arrivals and all(a.received_at == NOW.replace(microsecond=0) for a in arrivals)
        assert b"<html>" in got[0][1].lower()
        bomb = zlib.decompressobj(31)  # the gzip bomb: ~64 KB here, 64 MiB unpacked
        assert len(got[2][1]) < (BOMB_MIB << 20) // 500
        assert bomb.decompress(got[2][1], 1 << 20) == bytes(1 << 20) and bomb.unconsumed_tail
        assert subway.parse(got[4][1], NOW)  # the slow answer is the whole body, in the end
        with pytest.raises(SourceError):
            subway.parse(got[5][1], NOW)  # the truncated body
        air_url = server.url + "/KEY/json/RealtimeCityAir/1/25/"
        status, body = [_get(air_url) for _ in range(PATTERN.index("ok") + 1)][-1]  # a turn on
        assert status == 200 and air.parse(body, NOW)
        mono.t = 60.0  # past half-time: the subway key is over its quota, the general one not
        assert json.loads(_get(sub)[1])["code"] == "ERROR-337"
        mono.t = 80.0
        assert "ERROR-337" in _get(air_url)[1].decode()
        assert _get(server.url + "/nothing/here")[0] == 404
        assert server.counts["subway html_502"] == 1 and server.counts["subway quota_337"] == 1
    finally:
        server.stop()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc functions")
def test_the_one_libc_lookup_finds_prctl_and_mallopt_and_nothing_for_a_made_up_name():
    from kiosk.libc import libc_function

    prctl = libc_function("prctl")
    assert prctl is not None and libc_function("mallopt") is not None
    assert prctl(3, 0, 0, 0, 0) in (0, 1, 2)  # PR_GET_DUMPABLE: a real call into the C library
    assert libc_function("kiosk_no_such_function") is None


def test_the_package_is_compiled_to_bytecode_once_and_a_folder_it_cannot_write_says_so(
    tmp_path: Path,
):
    from kiosk.bench.bytecode import PACKAGE, compile_package

    assert (PACKAGE / "__init__.py").is_file()  # the kiosk package itself
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "mod.py").write_text("X = 1\n")
    assert compile_package(pkg) is True
    cached = list((pkg / "__pycache__").glob("mod.*.pyc"))
    assert len(cached) == 1
    stamp = cached[0].stat().st_mtime_ns
    assert compile_package(pkg) is True and cached[0].stat().st_mtime_ns == stamp  # current
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "mod.py").write_text("X = 1\n")
    (blocked / "__pycache__").write_text("a file where the folder would go")  # even for root
    assert compile_package(blocked) is False


def test_the_fault_server_is_quiet_when_a_client_hangs_up_and_one_line_on_its_own_fault(capsys):
    import socket
    import struct
    import threading
    from http.server import BaseHTTPRequestHandler

    from kiosk.bench.faultserver import _Server

    handled = threading.Semaphore(0)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            raise ValueError("a reply the bench\ncannot make")

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            pass

    class Counted(_Server):
        def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
            super().handle_error(request, client_address)
            handled.release()

    server = Counted(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}).start()
    try:
        with socket.create_connection(server.server_address, timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x")  # half a request, then a reset (RST)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        assert handled.acquire(timeout=5)
        assert capsys.readouterr().err == ""  # the kiosk hanging up: no traceback, nothing
        with socket.create_connection(server.server_address, timeout=5) as s:
            s.sendall(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
            assert handled.acquire(timeout=5)
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert "fault server: request from 127.0.0.1:" in err
        assert err.endswith("failed: ValueError: a reply the bench cannot make\n")
    finally:
        server.shutdown()
        server.server_close()
