"""Qt-bound measuring tools for `kiosk bench` (kiosk/bench/probe.py): the area Qt repaints, every
stretch of work of the GUI thread (the frames), and the event loop driven by hand. What is
measured, and in what order, is the bench's."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import (
    QAbstractEventDispatcher,
    QCoreApplication,
    QEvent,
    QEventLoop,
    QObject,
    QPoint,
    QTimer,
)
from PySide6.QtGui import QPaintEvent, QRegion
from PySide6.QtWidgets import QApplication, QWidget


def _app() -> QCoreApplication:
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("no QApplication: create the window first")
    return app


class PaintMeter(QObject):
    """Application event filter while measuring: the union of every region painted in a window
    (widgets created meanwhile included, such as a chart built when its page first shows)."""

    def __init__(self, window: QWidget):
        super().__init__()
        self.window = window
        self.region = QRegion()
        self.events = 0

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if (
            event.type() == QEvent.Type.Paint
            and isinstance(event, QPaintEvent)
            and isinstance(obj, QWidget)
            and obj.window() is self.window
        ):
            offset = obj.mapTo(self.window, QPoint(0, 0)) if obj is not self.window else QPoint()
            self.region = self.region.united(event.region().translated(offset))
            self.events += 1
        return False

    def measure(self, action: Callable[[], object]) -> float:
        """Run ``action``; the fraction of the window's area that Qt repainted meanwhile."""
        app = _app()
        self.region = QRegion()
        self.events = 0
        app.installEventFilter(self)
        try:
            action()
        finally:
            app.removeEventFilter(self)
        # The rects of a QRegion never overlap. (PySide6 makes QRegion a sequence of QRect,
        # __len__/__getitem__, but its stubs do not say so: hence the ignore.)
        area = sum(r.width() * r.height() for r in self.region)  # type: ignore[attr-defined]
        total = max(1, self.window.width() * self.window.height())
        return area / total


def _who(obj: QObject) -> str:
    """A receiver's class; a timer's with its owner's ("QTimer of Ticker"): many are QTimers."""
    name = type(obj).__name__
    owner = obj.parent() if isinstance(obj, QTimer) else None
    return f"{name} of {type(owner).__name__}" if owner is not None else name


class FrameMonitor(QObject):
    """Every stretch of work of the GUI thread while it runs its own event loop: from the first
    event it delivers after waking up to the moment it is about to wait again.

    Whatever the GUI thread does between two waits (a timer's tick, an animation step, the
    paint that follows, a queued snapshot from a worker) delays the next frame by that long, so
    each stretch is a frame's cost; those with a paint in them are the frames proper. An
    application event filter sees the first event (timers, posted events and paints all pass
    through ``QCoreApplication::notify``), the event dispatcher's ``aboutToBlock`` the end.
    """

    def __init__(self) -> None:
        super().__init__()
        self.spans: list[tuple[float, bool]] = []  # (milliseconds, painted)
        # What began each span, beside it: (seconds since __enter__, "Timer to Ticker"), so the
        # longest can be told apart (a tick, a poll's data arriving, a paint request).
        self.openers: list[tuple[float, str]] = []
        self._start: float | None = None
        self._opener = ""
        self._painted = False
        self._entered = 0.0
        self._dispatcher = QAbstractEventDispatcher.instance()

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if self._start is None:
            self._start = time.perf_counter()
            self._opener = f"{event.type().name} to {_who(obj)}"
        if event.type() == QEvent.Type.Paint:
            self._painted = True
        return False

    def _about_to_block(self) -> None:
        if self._start is not None:
            self.spans.append(((time.perf_counter() - self._start) * 1000.0, self._painted))
            self.openers.append((self._start - self._entered, self._opener))
            self._start, self._painted = None, False

    def slowest(self, n: int = 5) -> list[dict[str, object]]:
        """The ``n`` longest spans, longest first: ms, painted, when (s) and what began it."""
        spans = sorted(zip(self.spans, self.openers, strict=True), key=lambda s: -s[0][0])
        return [
            {"ms": round(ms, 3), "painted": painted, "at_s": round(at, 3), "began_with": what}
            for (ms, painted), (at, what) in spans[:n]
        ]

    def __enter__(self) -> FrameMonitor:
        self.spans, self.openers = [], []
        self._start, self._painted = None, False
        self._entered = time.perf_counter()
        if self._dispatcher is None:
            raise RuntimeError("no event dispatcher: create the QApplication first")
        self._dispatcher.aboutToBlock.connect(self._about_to_block)
        _app().installEventFilter(self)
        return self

    def __exit__(self, *exc: object) -> None:
        _app().removeEventFilter(self)
        assert self._dispatcher is not None
        self._dispatcher.aboutToBlock.disconnect(self._about_to_block)
        self._start = None


class GuiLoop:
    """The GUI thread's event loop, driven by hand between measured calls."""

    def __init__(self) -> None:
        self.app = _app()

    def process(self) -> None:
        """Deliver what is pending, the repaint of every dirty region included."""
        self.app.processEvents()

    def run(self, seconds: float) -> None:
        """Run a real event loop (timers, worker-thread signals, paints) for ``seconds``."""
        loop = QEventLoop()
        QTimer.singleShot(max(0, int(seconds * 1000)), loop.quit)
        loop.exec()

    def wait_for(self, ready: Callable[[], bool], timeout_s: float) -> bool:
        """Run the event loop until ``ready()`` or the timeout; whether it became ready."""
        deadline = time.monotonic() + timeout_s
        while not ready():
            if time.monotonic() > deadline:
                return False
            self.run(0.02)
        return True

    def wait_exposed(self, window: QWidget, timeout_s: float = 10.0) -> bool:
        """Until the platform has exposed ``window`` (before that, a repaint paints nothing)."""

        def exposed() -> bool:
            handle = window.windowHandle()
            return handle is not None and handle.isExposed()

        return self.wait_for(exposed, timeout_s)
