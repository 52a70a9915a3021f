"""Months of changing Korean text in one fresh interpreter (a test process reuses memory other
tests freed): RSS growth from the glyph caches, and after theme.flush_glyph_caches.

Run by tests/test_ui_memory.py as ``python -m tests.glyph_probe``; prints one JSON line.
"""

from __future__ import annotations

import contextlib
import json
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


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


def main() -> None:
    """Fill the glyph caches, flush them; print the RSS growth before and after as JSON."""
    import random
    from datetime import timedelta

    from kiosk.core.models import CulturalEvent, Snapshot
    from kiosk.ui import theme
    from kiosk.ui.heap import trim_heap
    from kiosk.ui.qtapp import application
    from tests.conftest import EXAMPLES
    from tests.ui_data import NOW
    from tests.ui_windows import station_window

    app = application()
    win = station_window(EXAMPLES[0], (3840, 2160))
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


if __name__ == "__main__":
    main()
