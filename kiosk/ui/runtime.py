"""The running kiosk's Qt side: window, bridge, timers, fd watches, first frame, reload, sleep."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime

from PySide6.QtCore import QSocketNotifier, Qt, QTimer

from kiosk.core.models import Notice, Snapshot
from kiosk.ui.bridge import Bridge
from kiosk.ui.frame_timer import FrameTimer
from kiosk.ui.problems import DisplayProblem
from kiosk.ui.qtapp import application
from kiosk.ui.screensaver import inhibit_screensaver
from kiosk.ui.window import KioskWindow
from kiosk.ui.window_setup import WindowSetup

EXPOSE_WAIT_S = 10.0  # how long the first frame waits for the platform to expose the window


class KioskRuntime:
    """The running kiosk's Qt side: the window, the bridge, timers and fd watches.

    The composition root (kiosk/app.py) owns everything else and talks to Qt only through this.
    DisplayProblem when the screen asked for does not exist (the caller maps it).
    """

    def __init__(
        self,
        setup: WindowSetup,
        size: tuple[int, int] | None,
        windowed: bool,
        screen: int,
        hide_cursor: bool,
        clock: Callable[[], datetime],
    ):
        self.app = application()
        screens = self.app.screens()
        if not windowed:
            if screen >= len(screens):
                raise DisplayProblem(f"screen {screen}: only {len(screens)} screen(s) found")
            geo = screens[screen].geometry()
            size = (geo.width(), geo.height())
        self.window = KioskWindow(setup, size or (1920, 1080), clock)
        self.bridge = Bridge()
        self.bridge.connect_snapshot(self.window.apply_snapshot)
        self._timers: list[QTimer] = []
        self._notifiers: list[QSocketNotifier] = []
        self._page_listeners: list[Callable[[str], None]] = []
        self.asleep = False
        self._quit_code: int | None = None  # quit() came: no first frame, exec() returns at once
        self._first_frame: list[Callable[[], None]] = []
        self._frames: FrameTimer | None = None  # made by on_frame: nothing is timed unless asked
        if windowed:
            self.window.show()
        else:
            self.window.setWindowFlag(Qt.WindowType.FramelessWindowHint, True)
            self.window.move(screens[screen].geometry().topLeft())
            self.window.showFullScreen()
            if hide_cursor:
                self.app.setOverrideCursor(Qt.CursorShape.BlankCursor)
            inhibit_screensaver()

    def publish(self, snap: Snapshot) -> None:
        """Thread-safe: deliver a snapshot to the window on the GUI thread."""
        self.bridge.publish(snap)

    def publish_panel(self, report: object) -> None:
        """Thread-safe: deliver a panel report to ``on_panel`` callbacks on the GUI thread."""
        self.bridge.panel.emit(report)

    def on_panel(self, fn: Callable[[object], None]) -> None:
        """Call ``fn`` on the GUI thread with each published panel report."""
        self.bridge.connect_panel(fn)

    def on_page_changed(self, fn: Callable[[str], None]) -> None:
        """Call ``fn`` with the page id whenever the page on screen changes (this window or a
        reloaded one)."""
        self._page_listeners.append(fn)
        self.window.page_changed.connect(fn)

    def set_notices(self, notices: Sequence[Notice]) -> None:
        """The notices in force, most severe first (GUI thread): the window follows at once."""
        self.window.set_notices(notices)

    def on_frame(self, fn: Callable[[float], None]) -> None:
        """Call ``fn(seconds)`` after each frame the window paints (this one or a reloaded one)."""
        self._frames = FrameTimer(fn)
        self._frames.watch(self.window)

    def current_page_id(self) -> str:
        """The id of the page on screen."""
        return self.window.current_page().page_id

    def page_view(self) -> object:
        """The view model (core data) the page on screen shows, for the screen log."""
        return self.window.current_page().view

    def reconfigure(self, setup: WindowSetup) -> None:
        """Swap in a window for a new layout/station without a blank frame."""
        old = self.window
        new = KioskWindow(setup, (old.width(), old.height()), old.clock)
        new.apply_snapshots(list(old.snapshots.values()))
        self.bridge.snapshot.disconnect(old.apply_snapshot)
        self.bridge.connect_snapshot(new.apply_snapshot)
        for fn in self._page_listeners:
            new.page_changed.connect(fn)
        new.set_notices(old.notice_layer.notices)  # a takeover stays up through a reload
        if self._frames is not None:
            self._frames.watch(new)
        new.setWindowFlags(old.windowFlags())
        new.setGeometry(old.geometry())
        if old.isFullScreen():
            new.showFullScreen()
        else:
            new.show()
        new.repaint()  # fully drawn before the old one goes: no blank frame in between
        self.window = new
        QTimer.singleShot(0, new.finish_building)  # what the first frame did not need (chart)
        old.stop()
        old.close()
        old.deleteLater()
        if self.asleep:  # the panel is scheduled off: the new window sleeps too
            new.setUpdatesEnabled(False)
        else:
            new.start()

    def set_asleep(self, asleep: bool) -> None:
        """Panel scheduled off: stop ticking and drawing; wake up with fresh content."""
        w = self.window
        if asleep and not self.asleep:
            w.stop()
            w.setUpdatesEnabled(False)
        elif not asleep and self.asleep:
            w.setUpdatesEnabled(True)
            w.tick()
            w.start()
        self.asleep = asleep

    def every(self, interval_ms: int, fn: Callable[[], object]) -> None:
        """Call ``fn`` on the GUI thread every ``interval_ms`` (so a frozen GUI stops calling it)."""
        t = QTimer(self.app)
        t.timeout.connect(fn)
        t.start(interval_ms)
        self._timers.append(t)

    def alarm(self, fn: Callable[[], object]) -> QTimer:
        """A single-shot timer calling ``fn`` on the GUI thread, set with ``start(ms)`` (again:
        moved) and ``stop()``."""
        t = QTimer(self.app)
        t.setSingleShot(True)
        t.setTimerType(Qt.TimerType.PreciseTimer)
        t.timeout.connect(fn)
        self._timers.append(t)
        return t

    def call_soon(self, fn: Callable[[], object]) -> None:
        """Thread-safe: call ``fn`` on the GUI thread, from its event loop."""
        self.bridge.call.emit(fn)

    def later(self, delay_ms: int, fn: Callable[[], object]) -> None:
        """Call ``fn`` once on the GUI thread after ``delay_ms``."""
        QTimer.singleShot(delay_ms, fn)

    def watch_fd(self, fd: int, fn: Callable[[], object]) -> None:
        """Call ``fn`` on the GUI thread whenever ``fd`` becomes readable (signal wakeups)."""
        n = QSocketNotifier(fd, QSocketNotifier.Type.Read, self.app)
        n.activated.connect(lambda *_: fn())
        self._notifiers.append(n)

    def on_first_frame(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` once the first full frame has been painted."""
        self._first_frame.append(fn)

    def exec(self) -> int:
        """Start ticking, paint the first frame once the window is exposed, run the event loop."""
        if self._quit_code is not None:  # stopped while starting (QApplication.exit needs a loop)
            return self._quit_code
        self.window.start()
        give_up = time.monotonic() + EXPOSE_WAIT_S

        def first_frame() -> None:
            # The platform exposes a new window asynchronously (X11 after the map, offscreen and
            # eglfs on their next event); until then repaint() draws nothing and READY would
            # come before any frame.
            if self._quit_code is not None:  # a SIGTERM handled in the same pass: no frame
                return
            handle = self.window.windowHandle()
            if (handle is None or not handle.isExposed()) and time.monotonic() < give_up:
                QTimer.singleShot(5, first_frame)
                return
            self.window.repaint()  # synchronous: the frame is on screen when this returns
            QTimer.singleShot(0, self.window.finish_building)
            for fn in self._first_frame:
                fn()

        QTimer.singleShot(0, first_frame)
        return self.app.exec()

    def quit(self, code: int = 0) -> None:
        """Stop ticking and leave the event loop with ``code`` (before it runs: at once)."""
        self._quit_code = code
        self.window.stop()
        self.app.exit(code)
