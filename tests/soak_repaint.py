"""Repaint a page with a ticking clock N times in one process; print the None refcount before/after.

Run by tests/test_soak_repaint.py in a subprocess, so that the known PySide6 6.12.0 / CPython 3.11
crash ("Fatal Python error: none_dealloc" after ~5,000 calls) shows up as a dead child, not a
dead test runner.
"""

from __future__ import annotations

import os
import sys
from datetime import timedelta

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from kiosk.app import window_setup  # noqa: E402
from kiosk.config import load_all  # noqa: E402
from kiosk.ui.qtapp import application  # noqa: E402
from kiosk.ui.window import KioskWindow  # noqa: E402
from tests.conftest import REPO  # noqa: E402
from tests.ui_data import NOW, station_snapshots  # noqa: E402


def main(n: int) -> None:
    app = application()
    cfg, layout = load_all(REPO / "config.example.yaml")
    st = cfg.station
    now = [NOW]
    win = KioskWindow(window_setup(cfg, layout), (1280, 720), lambda: now[0], monotonic=lambda: 0.0)
    win.apply_snapshots(
        station_snapshots(tuple(st.lines), st.district, st.location.lat, st.location.lon)
    )
    win.rotating = False
    win.show()
    app.processEvents()
    before = sys.getrefcount(None)
    for i in range(n):
        now[0] += timedelta(seconds=1)
        win.tick()  # setText on the clock and countdowns
        win.header.clock.repaint()
        win.header.clock.update()
        if i % 1000 == 0:
            win.repaint()  # now and then a full frame too
        app.processEvents()
    after = sys.getrefcount(None)
    print(f"iterations={n} none_before={before} none_after={after} clock={win.header.clock.text()}")
    win.close()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
