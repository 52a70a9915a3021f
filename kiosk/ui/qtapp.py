"""The one QApplication: whether there is a display, whether this Python/PySide6 pair is safe to
drive it, and creating it with the process-wide settings Qt reads once."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from kiosk.ui.heap import return_big_buffers_to_the_system
from kiosk.ui.problems import DisplayProblem
from kiosk.ui.qt_messages import route_qt_messages

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

NO_DISPLAY_HELP = (
    "no display: DISPLAY and WAYLAND_DISPLAY are unset and QT_QPA_PLATFORM is not set. "
    "To see the pages without a screen: `kiosk snapshot --config CONFIG --out snapshots/`; "
    "on a desktop: `kiosk run --windowed --size 1920x1080`; on a panel with no desktop: "
    "QT_QPA_PLATFORM=eglfs (see docs/operations.md)"
)


def display_available(environ: Mapping[str, str] | None = None) -> bool:
    """Whether Qt has somewhere to draw: an X/Wayland session or an explicit QPA platform."""
    env = os.environ if environ is None else environ
    return bool(env.get("QT_QPA_PLATFORM") or env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def binding_problem(python: tuple[int, int], pyside: str) -> str | None:
    """Why this Python/PySide6 pair must not drive a display, or None if it is safe.

    PySide6 6.12.0 on CPython 3.11 drops a reference to None on every setText/update/
    repaint/processEvents and aborts after ~5,000 calls; 6.11.3 on 3.11 and 6.12.0 on 3.12+
    survived 20,000 (tests/test_soak_repaint.py keeps checking).
    """
    parts = tuple(int(x) for x in pyside.split(".")[:3] if x.isdigit())
    if python < (3, 12) and parts >= (6, 12, 0):
        return (
            f"PySide6 {pyside} on Python {python[0]}.{python[1]} crashes after ~5,000 repaints "
            "(None refcount bug): use Python >= 3.12, or PySide6 6.11.3 (scripts/setup.sh does)"
        )
    return None


def application(argv: Sequence[str] | None = None) -> QApplication:
    """The one QApplication (created on first use); DisplayProblem on a crashing binding."""
    # Qt is imported on first use: `kiosk run` without a display says so before loading it.
    import PySide6
    from PySide6.QtWidgets import QApplication

    problem = binding_problem((sys.version_info[0], sys.version_info[1]), PySide6.__version__)
    if problem:
        raise DisplayProblem(problem)

    app = QApplication.instance()
    if app is None:
        _cache_big_glyphs()
        return_big_buffers_to_the_system()
        route_qt_messages()
        app = QApplication(list(argv or [sys.argv[0]]))
        app.setApplicationName("station-kiosk")
    if not isinstance(app, QApplication):  # made by someone else: no widgets are possible
        raise DisplayProblem("a QCoreApplication exists already; the kiosk needs a QApplication")
    return app


CACHED_GLYPH_PX = 256


def _cache_big_glyphs() -> None:
    """Let Qt's raster engine keep rendered glyphs up to ``CACHED_GLYPH_PX`` pixels.

    Above QT_MAX_CACHED_GLYPH_SIZE (default 64 px) Qt draws every glyph as a path, on every
    paint: at 3840x2160 that is all of the kiosk's type from BODY (65 px) up to HERO
    (216 px). Cached, a 4K page change costs about a third less (kiosk bench, before/after
    in the commit). The price is memory for each glyph once per size it is drawn at; the
    glyphs at those sizes are digits, clock and station names, headings, and BODY text such
    as event titles, whose Korean syllables keep changing: the window empties the caches
    about once an hour (theme.flush_glyph_caches). An operator's own
    QT_MAX_CACHED_GLYPH_SIZE wins. Read once, by the first paint.
    """
    os.environ.setdefault("QT_MAX_CACHED_GLYPH_SIZE", str(CACHED_GLYPH_PX))


def qt_version() -> str:
    """The Qt and PySide6 versions, for status and logs."""
    import PySide6
    from PySide6.QtCore import qVersion

    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}"
