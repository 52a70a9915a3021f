"""kiosk.service sets MemoryDenyWriteExecute=yes: prove the raster stack runs under W^X.

The kernel's PR_SET_MDWE (Linux >= 6.3) refuses writable+executable memory the way
systemd's filter does. A subprocess turns it on, then renders text and a pyqtgraph plot
offscreen (Qt's raster engine, as linuxfb uses) and loads the I/O libraries.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]

PROBE = r"""
import ctypes, mmap, os, sys
libc = ctypes.CDLL(None, use_errno=True)
PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN = 65, 1
if libc.prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) != 0:
    print("unsupported", ctypes.get_errno()); sys.exit(3)
try:
    mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    print("W+X mapping was allowed: MDWE not in force"); sys.exit(4)
except OSError:
    pass
os.environ["QT_QPA_PLATFORM"] = "offscreen"
import numpy as np, pyqtgraph as pg, requests_cache, serial
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
label = QLabel("여의도 Yeouido · 5호선 방화행 2분")
label.setFont(QFont("Sans", 48)); label.resize(1200, 200); label.show()
plot = pg.PlotWidget(); plot.plot(np.arange(200), np.sin(np.arange(200) / 9)); plot.resize(800, 400); plot.show()
app.processEvents()
img = label.grab().toImage()
assert img.width() == 1200 and plot.grab().toImage().width() == 800
print("ok")
"""


def test_qt_raster_and_io_libraries_run_under_memory_deny_write_execute():
    pytest.importorskip("PySide6")
    r = subprocess.run(
        [sys.executable, "-c", PROBE],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=120,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    if r.returncode == 3:
        pytest.skip(f"kernel has no PR_SET_MDWE (Linux >= 6.3 needed): {r.stdout.strip()}")
    assert r.returncode == 0 and r.stdout.strip().endswith("ok"), r.stdout + r.stderr
