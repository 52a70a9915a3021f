"""Memory the kiosk keeps for nothing: checked in fresh interpreters, so import order is real."""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys

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


def _syllables() -> list[str]:
    out = []
    for hi in range(0xB0, 0xC9):
        for lo in range(0xA1, 0xFF):
            with contextlib.suppress(UnicodeDecodeError):
                out.append(bytes([hi, lo]).decode("euc-kr"))
    return out  # the 2,350 Hangul syllables of KS X 1001


def _rss_mb() -> float:
    with open("/proc/self/smaps_rollup") as f:
        return next(int(ln.split()[1]) for ln in f if ln.startswith("Rss:")) / 1024


def glyph_probe() -> None:
    """Run in a fresh interpreter (a test process reuses memory other tests freed)."""
    import random
    from datetime import timedelta

    from kiosk.core.models import CulturalEvent, Snapshot
    from kiosk.ui import theme
    from kiosk.ui.heap import trim_heap
    from kiosk.ui.qtapp import application
    from tests.test_config import EXAMPLES
    from tests.test_ui_legibility import _window
    from tests.ui_data import NOW

    app = application()
    win = _window(EXAMPLES[0], (3840, 2160))
    win.show_page("events")
    win.repaint()
    app.processEvents()
    before = win.grab().toImage()
    shown = win.snapshots["events"]
    syl, rnd = _syllables(), random.Random(7)
    day = NOW.replace(hour=0, minute=0, second=0, microsecond=0)
    trim_heap()
    start = _rss_mb()
    for _ in range(120):  # every syllable, several times over, at every size the page uses
        events = tuple(
            CulturalEvent(
                "".join(rnd.choice(syl) for _ in range(14)),
                "전시/미술",
                e.district,
                "".join(rnd.choice(syl) for _ in range(8)),
                day,
                day + timedelta(days=3),
                True,
            )
            for e in shown.items
        )
        win.apply_snapshots([Snapshot("events", events, NOW)])
        win.show_page("events")
        win.repaint()
    trim_heap()
    grown = _rss_mb() - start
    assert theme.flush_glyph_caches()
    win.apply_snapshots([shown])
    win.show_page("events")
    win.repaint()
    app.processEvents()
    after_flush = _rss_mb() - start
    same = win.grab().toImage() == before
    win.close()
    print(json.dumps({"grown": grown, "after_flush": after_flush, "same": same}))


def test_flushing_the_glyph_caches_gives_back_months_of_korean_text_and_draws_the_same():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", "from tests.test_ui_memory import glyph_probe; glyph_probe()"],
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
    from tests.test_config import EXAMPLES
    from tests.test_ui_legibility import _window

    application()
    calls = []
    monkeypatch.setattr(theme, "flush_glyph_caches", lambda: calls.append(1) or True)
    clock = [1000.0]
    win = _window(EXAMPLES[0], (1280, 720))
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
