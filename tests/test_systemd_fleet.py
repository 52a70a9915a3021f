"""The hardened units keep working with the fleet features: the textfile folder is writable,
the address families for metrics.listen and a unix:// Redis are allowed, and redis-py and
prometheus_client run under the unit's W^X policy (MemoryDenyWriteExecute=yes) against a real
redis-server and a real scrape. `systemd-analyze verify` of the units is in
test_systemd_units.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.redis_server import RedisServer

UNITS = REPO / "systemd"
TEXTFILE_DIR = "/var/lib/prometheus/node-exporter"  # Debian's prometheus-node-exporter default


def settings(path: Path) -> dict[str, list[str]]:
    """Unit file -> {"Section.Key": [values...]}, repeated keys kept."""
    out: dict[str, list[str]] = {}
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.setdefault(f"{section}.{key}", []).append(value)
    return out


@pytest.mark.parametrize("unit", ["kiosk.service", "kiosk-cage.service"])
def test_units_let_the_kiosk_write_the_textfile_and_serve_metrics(unit: str) -> None:
    s = settings(UNITS / unit)
    assert s["Service.ProtectSystem"] == ["strict"]
    assert f"-{TEXTFILE_DIR}" in s.get("Service.ReadWritePaths", [])
    families = s["Service.RestrictAddressFamilies"][0].split()
    assert {"AF_INET", "AF_INET6", "AF_UNIX"} <= set(families)
    assert "Service.IPAddressDeny" not in s  # metrics.listen and Redis on the LAN
    assert "Service.PrivateNetwork" not in s
    example = (UNITS.parent / "config.example.yaml").read_text()
    assert f"{TEXTFILE_DIR}/kiosk.prom" in example


PROBE = r"""
import ctypes, mmap, sys, urllib.request
from datetime import datetime, timezone
libc = ctypes.CDLL(None, use_errno=True)
if libc.prctl(65, 1, 0, 0, 0) != 0:  # PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN
    print("unsupported", ctypes.get_errno()); sys.exit(3)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    print("W+X mapping was allowed: MDWE not in force"); sys.exit(4)
except OSError:
    pass
from kiosk.core.budget import BudgetPlan
from kiosk.ops.metrics import KioskMetrics
from kiosk.ops.metrics_export import MetricsExporter
from kiosk.poller.pacing import QuotaLedger
from kiosk.poller.redis_link import RedisLink, parse_target
now = datetime.now(timezone.utc)
ledger = QuotaLedger("subway", BudgetPlan(1000), key="k" * 24,
                     link=RedisLink(parse_target(sys.argv[1])), fleet_size=2)
ledger.record_calls(3, now)
assert ledger.sharing is True and ledger.state(now).used == 3
metrics = KioskMetrics("s", "v", lambda: now)
metrics.watch_ledger(ledger)
ex = MetricsExporter(metrics, listen=("127.0.0.1", 0))
ex.start()
host, port = ex.address
body = urllib.request.urlopen(f"http://{host}:{port}/metrics", timeout=10).read().decode()
ex.stop()
assert 'kiosk_quota_shared{key="subway"} 1.0' in body, body
print("ok")
"""


def test_redis_and_metrics_run_under_memory_deny_write_execute(tmp_path: Path) -> None:
    with RedisServer(tmp_path) as srv:
        r = subprocess.run(
            [sys.executable, "-c", PROBE, srv.unix_url],
            capture_output=True,
            text=True,
            cwd=UNITS.parent,
            timeout=120,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
    if r.returncode == 3:
        pytest.skip(f"kernel has no PR_SET_MDWE (Linux >= 6.3 needed): {r.stdout.strip()}")
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stdout + r.stderr
