"""Shared test fixtures. Qt tests run offscreen; times are always passed in, never read."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The kiosk's own glyph cache size (kiosk.ui.qtapp), whichever test makes the QApplication:
# Qt reads it once, at the first text it draws, and text above it is drawn as paths.
os.environ.setdefault("QT_MAX_CACHED_GLYPH_SIZE", "256")

REPO = Path(__file__).resolve().parents[1]
# The recorded API bodies from shared/samples/seoul-api, vendored so that the suite runs from
# any clone; tests/test_fixtures_match_shared.py keeps the copy identical to shared/.
SAMPLES = REPO / "tests" / "fixtures" / "seoul-api"
SHARED_SAMPLES = REPO.parent / "shared" / "samples" / "seoul-api"
# The example configs of the three stations, each on its bundled demo data.
EXAMPLES = [
    REPO / "config.example.yaml",
    REPO / "examples" / "hongik.yaml",
    REPO / "examples" / "changdong.yaml",
]


# Kiosk windows tests made: stopped and closed after each test (see _stop_windows_left_open).
OPEN_WINDOWS: list = []


def track(window):
    """Keep ``window`` until the test ends, then stop and close it; returns it."""
    OPEN_WINDOWS.append(window)
    return window


@pytest.fixture(autouse=True)
def _stop_windows_left_open():
    """After each test, stop and close every kiosk window it made, as the kiosk does before it
    drops a window: a window garbage-collected while its chart's drawing process still runs
    lets that process's end signal reach a half-destroyed widget, which crashed later tests."""
    yield
    while OPEN_WINDOWS:
        w = OPEN_WINDOWS.pop()
        w.stop()
        w.close()
