"""A station's window for UI tests: the real KioskWindow for an example config, on a fixed
clock, showing the hand-built snapshots of tests/ui_data.py (or the ones given), not rotating."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kiosk.app import window_setup
from kiosk.config import load_all
from kiosk.core.models import Snapshot
from kiosk.ui.window import KioskWindow
from tests.ui_data import NOW, station_snapshots


def station_window(
    config: Path, size: tuple[int, int], snaps: Sequence[Snapshot] | None = None
) -> KioskWindow:
    """A shown (offscreen) window of ``size`` for ``config``, at ``NOW``, rotation stopped."""
    cfg, layout = load_all(config)
    setup = window_setup(cfg, layout)
    win = KioskWindow(setup, size, lambda: NOW, monotonic=lambda: 0.0)
    win.setFixedSize(*size)
    st = cfg.station
    win.apply_snapshots(
        snaps
        if snaps is not None
        else station_snapshots(tuple(st.lines), st.district, st.location.lat, st.location.lon)
    )
    win.rotating = False
    win.show()
    return win
