"""Work too big for one frame, spread over several: a page changing most of what it shows while
on screen (the buses page turning to its next screenful of routes) sets its widgets a slice at
a time, each slice a stretch of the GUI thread of its own with a frame between them.

A slice runs queued steps until ``SLICE_MS`` of them have run (at least one step), then waits
``GAP_MS`` for Qt to lay out and paint what it set: setting the widgets is about a third of
what a slice costs, the layout and paint that follow the rest. A fast machine does the whole
change in one frame; a slow one in a few, top to bottom, within a tenth of a second.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, QTimer

SLICE_MS = 1.5  # of steps per slice (their layout and paint come after, about twice as long)
GAP_MS = 16  # between two slices: one frame at 60 Hz

Step = Callable[[], None]


class FrameSlices(QObject):
    """A queue of steps run a slice per frame; ``run`` replaces what was queued."""

    def __init__(self, parent: QObject | None = None, slice_ms: float = SLICE_MS):
        super().__init__(parent)
        self.slice_ms = slice_ms
        self._steps: deque[Step] = deque()
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(GAP_MS)
        self._timer.timeout.connect(self._slice)
        self.slices = 0  # slices run (the tests read it)

    def run(self, steps: Iterable[Step], sliced: bool = True) -> None:
        """Drop what is still queued, then run ``steps``: the first slice now, the rest a
        frame apart (``sliced``), or all of them now."""
        self._timer.stop()
        self._steps = deque(steps)
        if sliced:
            self._slice()
        else:
            self.flush()

    def flush(self) -> None:
        """Run every queued step now (the page is leaving the screen, or must be whole)."""
        self._timer.stop()
        while self._steps:
            self._steps.popleft()()

    @property
    def pending(self) -> int:
        return len(self._steps)

    def _slice(self) -> None:
        start = time.perf_counter()
        self.slices += 1
        while self._steps:
            self._steps.popleft()()
            if (time.perf_counter() - start) * 1000.0 >= self.slice_ms:
                break
        if self._steps:
            self._timer.start()
