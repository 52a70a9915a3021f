"""A station's window for UI tests: the real KioskWindow for an example config, on a fixed
clock, showing the hand-built snapshots of tests/ui_data.py (or the ones given), not rotating."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

from kiosk.app import window_setup
from kiosk.config import load_all
from kiosk.core.models import Snapshot
from kiosk.ui.window import KioskWindow
from tests.conftest import track
from tests.ui_data import NOW, station_snapshots

# The three panel shapes every page must fit: 4K landscape, full HD, portrait.
SIZES = [(3840, 2160), (1920, 1080), (2160, 3840)]


class FakeClock:
    """Wall time and a monotonic clock that tests move together."""

    def __init__(self) -> None:
        self.now = NOW
        self.mono = 1000.0

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)
        self.mono += seconds


def station_window(
    config: Path, size: tuple[int, int], snaps: Sequence[Snapshot] | None = None
) -> KioskWindow:
    """A shown (offscreen) window of ``size`` for ``config``, at ``NOW``, rotation stopped."""
    cfg, layout = load_all(config)
    setup = window_setup(cfg, layout)
    win = track(KioskWindow(setup, size, lambda: NOW, monotonic=lambda: 0.0))
    win.setFixedSize(*size)
    st = cfg.station
    win.apply_snapshots(
        snaps
        if snaps is not None
        else station_snapshots(
            tuple(st.lines),
            st.district,
            st.location.lat,
            st.location.lon,
            ars_ids=tuple(s.ars_id for s in st.bus_stops),
        )
    )
    win.rotating = False
    win.show()
    return win
