"""Memory the kiosk keeps for nothing: checked in fresh interpreters, so import order is real."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import REPO

PROBE = """
import linecache, sys
{first}
import PySide6.QtWidgets
import kiosk.config, kiosk.poller.service
held = [k for k in linecache.cache if k.replace(chr(92), "/").endswith("kiosk/config.py")]
print(len(held), len(linecache.cache))
"""


def _run(first: str) -> tuple[int, int]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(first=first)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def test_pyside_import_hook_keeps_no_module_sources_once_kiosk_ui_is_imported():
    held, cached = _run("import kiosk.ui; assert kiosk.ui.LEAN_FEATURE_CHECK")
    assert held == 0
    assert cached < 50  # what a few warnings and tracebacks may load, not every module


def test_without_it_pyside_keeps_every_module_source():
    # The control: if PySide6 stops reading sources on import, this fails and the workaround
    # in kiosk/ui/__init__.py can go.
    import kiosk.ui  # noqa: F401 (the test process itself is not the subject)

    held, cached = _run("")
    assert held == 1
    assert cached > 100


def test_flushing_the_glyph_caches_gives_back_months_of_korean_text_and_draws_the_same():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-m", "tests.glyph_probe"],
        cwd=REPO,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=True,
    ).stdout
    r = json.loads(out.strip().splitlines()[-1])
    assert r["grown"] > 4  # the caches did fill (else this test shows nothing; 6.6 MB on
    # PySide6 6.11.3 + Python 3.11, 20 MB on 6.12.0 + 3.12)
    assert r["after_flush"] < r["grown"] / 2, r
    assert r["same"]  # and the page is drawn exactly as before, pixel for pixel


def _run_hours(monkeypatch, rotating: bool, seconds: int) -> tuple[int, int]:
    """Tick a window through ``seconds`` of a fake clock; (flushes asked for, flushes done)."""
    from kiosk.ui import theme
    from kiosk.ui.qtapp import application
    from tests.conftest import EXAMPLES
    from tests.ui_windows import station_window

    application()
    calls = []
    monkeypatch.setattr(theme, "flush_glyph_caches", lambda: calls.append(1) or True)
    clock = [1000.0]
    win = station_window(EXAMPLES[0], (1280, 720))
    win.monotonic = lambda: clock[0]
    win.rotation_start = clock[0]
    win.rotating = rotating
    for _ in range(seconds):
        clock[0] += 1.0
        win.tick()
        win.fade.setCurrentTime(win.fade.duration())  # fades end (the event loop is not run)
    win.close()
    return len(calls), win.glyph_flushes


def test_the_window_flushes_the_glyph_caches_about_once_an_hour(monkeypatch):
    from kiosk.ui.window import GLYPH_FLUSH_S

    # Two hours and two minutes of a rotating layout.
    assert _run_hours(monkeypatch, True, 2 * int(GLYPH_FLUSH_S) + 120) == (2, 2)


def test_a_one_page_layout_flushes_the_glyph_caches_too(monkeypatch):
    from kiosk.ui.window import GLYPH_FLUSH_S

    # Rotation off is as good as a one-page layout: no page change ever comes.
    assert _run_hours(monkeypatch, False, int(GLYPH_FLUSH_S) + 5) == (1, 1)
