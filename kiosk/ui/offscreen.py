"""`kiosk snapshot`'s drawing: pages rendered offscreen to PNG files, one per page."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import Qt

from kiosk.core.models import Snapshot
from kiosk.ui.problems import DisplayProblem, UnknownPages
from kiosk.ui.qtapp import application
from kiosk.ui.window import KioskWindow
from kiosk.ui.window_setup import WindowSetup


def render_pages(
    setup: WindowSetup,
    size: tuple[int, int],
    snapshots: Iterable[Snapshot],
    clock: Callable[[], datetime],
    out_dir: Path,
    page_ids: Sequence[str] = (),
) -> list[Path]:
    """Render pages offscreen to ``out_dir/<page>.png``; returns the files written.

    UnknownPages for a page id the layout does not have, DisplayProblem for a file that cannot
    be written."""
    app = application()
    win = KioskWindow(setup, size, clock)
    win.setFixedSize(*size)
    win.apply_snapshots(list(snapshots))
    win.rotating = False
    wanted = list(page_ids) or [p.page_id for p in win.pages]
    known = {p.page_id for p in win.pages}
    unknown = [p for p in wanted if p not in known]
    if unknown:
        raise UnknownPages(
            [
                f"--page: unknown page id {u!r} (layout has: {', '.join(sorted(known))})"
                for u in unknown
            ]
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    win.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    win.show()
    win.finish_building()
    for pid in wanted:
        win.show_page(pid)
        win.tick()
        app.processEvents()
        win.settle()
        app.processEvents()
        path = out_dir / f"{pid}.png"
        if not win.grab().save(str(path), "PNG"):
            raise DisplayProblem(f"cannot write {path}")
        written.append(path)
    win.stop()  # its chart process too: a widget must not die under a running one
    win.close()
    win.deleteLater()
    return written
