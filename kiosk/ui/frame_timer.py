"""How long each frame takes to paint, for the running kiosk's metrics (``kiosk_frame_seconds``).

Qt paints a window's dirty regions, every child widget included, when the window handles the
``UpdateRequest`` it posted to itself: that handling is the frame. ``FrameTimer`` is an event
filter on the top-level window that hands that one event to the window itself, timed, and
passes every other event on untouched. Synchronous ``repaint()`` calls (the first frame, a
reload's new window) do not go through it; they are not the rotation's frames.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class FrameTimer(QObject):
    """Calls ``on_frame(seconds)`` after each frame a watched window paints (GUI thread)."""

    def __init__(self, on_frame: Callable[[float], None]):
        super().__init__()
        self.on_frame = on_frame

    def watch(self, window: QWidget) -> None:
        """Time the frames of ``window`` (a top-level widget)."""
        window.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() != QEvent.Type.UpdateRequest or not isinstance(obj, QWidget):
            return False
        start = time.perf_counter()
        obj.event(event)  # the window paints now; the event is then handled
        self.on_frame(time.perf_counter() - start)
        return True
