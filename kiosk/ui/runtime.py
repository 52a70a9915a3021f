"""Qt application lifecycle: the display check, full-screen setup, offscreen PNG rendering."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from pathlib import Path

from kiosk.core.models import Snapshot

log = logging.getLogger("kiosk.ui")

EXPOSE_WAIT_S = 10.0  # how long the first frame waits for the platform to expose the window

NO_DISPLAY_HELP = (
    "no display: DISPLAY and WAYLAND_DISPLAY are unset and QT_QPA_PLATFORM is not set. "
    "To see the pages without a screen: `kiosk snapshot --config CONFIG --out snapshots/`; "
    "on a desktop: `kiosk run --windowed --size 1920x1080`; on a panel with no desktop: "
    "QT_QPA_PLATFORM=eglfs (see docs/operations.md)"
)


def display_available(environ: dict[str, str] | None = None) -> bool:
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


def application(argv: Sequence[str] | None = None):  # -> QApplication
    """The one QApplication (created on first use)."""
    import PySide6
    from PySide6.QtWidgets import QApplication

    problem = binding_problem(sys.version_info[:2], PySide6.__version__)
    if problem:
        from kiosk.errors import KioskError

        raise KioskError(problem)

    app = QApplication.instance()
    if app is None:
        _cache_big_glyphs()
        _return_big_buffers_to_the_system()
        _route_qt_messages()
        app = QApplication(list(argv or [sys.argv[0]]))
        app.setApplicationName("station-kiosk")
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


M_MMAP_THRESHOLD = -3  # glibc mallopt(3)
BIG_BUFFER_BYTES = 1 << 20


def _return_big_buffers_to_the_system() -> None:
    """Allocate every buffer of 1 MiB or more with mmap, so that freeing it unmaps it.

    A cross-fade grabs the old page into a pixmap (26 MB at 3840x2160) and frees it 600 ms
    later. glibc raises its mmap threshold to the size of a freed mmapped block, so from the
    second fade on these pixmaps came from the heap, which keeps freed memory: RSS rose by
    ~80 MB over the first hundred page changes. A fixed threshold keeps RSS flat.
    """
    mallopt = _libc_function("mallopt")
    if mallopt is not None and sys.platform.startswith("linux"):
        mallopt(M_MMAP_THRESHOLD, BIG_BUFFER_BYTES)


def trim_heap() -> None:
    """Give freed heap memory back to the system (glibc keeps small freed blocks)."""
    trim = _libc_function("malloc_trim")
    if trim is not None:
        trim(0)


def _libc_function(name: str):
    """``name`` from the C library, or None where there is no such function (not glibc)."""
    import ctypes
    import ctypes.util

    path = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(path), name, None) if path else None
    except OSError:
        return None


# Qt's offscreen plugin says this for every top-level window; it is not a problem.
_QT_NOISE = ("does not support propagateSizeHints",)


def _route_qt_messages() -> None:
    """Send Qt's own messages through logging (one line each, journald priorities) instead of
    raw stderr."""
    from PySide6.QtCore import QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("kiosk.qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind, _context, message: str) -> None:
        if any(n in message for n in _QT_NOISE):
            return
        qt_log.log(levels.get(kind, logging.WARNING), "%s", " ".join(message.split()))

    qInstallMessageHandler(handler)


def qt_version() -> str:
    import PySide6
    from PySide6.QtCore import qVersion

    return f"Qt {qVersion()}, PySide6 {PySide6.__version__}"


def render_pages(
    setup,
    size: tuple[int, int],
    snapshots: Iterable[Snapshot],
    clock: Callable[[], datetime],
    out_dir: Path,
    page_ids: Sequence[str] = (),
) -> list[Path]:
    """Render pages offscreen to ``out_dir/<page>.png``; returns the files written."""
    from kiosk.ui.window import KioskWindow

    application()
    win = KioskWindow(setup, size, clock)
    win.setFixedSize(*size)
    win.apply_snapshots(list(snapshots))
    win.rotating = False
    wanted = list(page_ids) or [p.page_id for p in win.pages]
    known = {p.page_id for p in win.pages}
    unknown = [p for p in wanted if p not in known]
    if unknown:
        from kiosk.errors import ConfigError

        raise ConfigError(
            [
                f"--page: unknown page id {u!r} (layout has: {', '.join(sorted(known))})"
                for u in unknown
            ]
        )
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    win.setAttribute(
        __import__("PySide6.QtCore", fromlist=["Qt"]).Qt.WidgetAttribute.WA_DontShowOnScreen
    )
    win.show()
    win.finish_building()
    for pid in wanted:
        win.show_page(pid)
        win.tick()
        application().processEvents()
        win.settle()
        application().processEvents()
        path = out_dir / f"{pid}.png"
        if not win.grab().save(str(path), "PNG"):
            from kiosk.errors import KioskError

            raise KioskError(f"cannot write {path}")
        written.append(path)
    win.close()
    win.deleteLater()
    return written


def inhibit_screensaver() -> None:
    """Keep an X session's screen saver and DPMS from blanking the panel (best effort)."""
    if os.environ.get("DISPLAY") and shutil.which("xset"):
        for args in (["s", "off"], ["s", "noblank"], ["-dpms"]):
            subprocess.run(["xset", *args], check=False, capture_output=True, timeout=5)
        log.info("screen saver and DPMS disabled via xset")
    try:
        from PySide6.QtDBus import QDBusConnection, QDBusInterface

        bus = QDBusConnection.sessionBus()
        if bus.isConnected():
            iface = QDBusInterface(
                "org.freedesktop.ScreenSaver",
                "/org/freedesktop/ScreenSaver",
                "org.freedesktop.ScreenSaver",
                bus,
            )
            if iface.isValid():
                iface.call("Inhibit", "station-kiosk", "public information display")
                log.info("screen saver inhibited via D-Bus")
    except ImportError:
        pass


class KioskRuntime:
    """The running kiosk's Qt side: the window, the bridge, timers and fd watches.

    The composition root (kiosk/app.py) owns everything else and talks to Qt only through this.
    """

    def __init__(
        self,
        setup,
        size: tuple[int, int] | None,
        windowed: bool,
        screen: int,
        hide_cursor: bool,
        clock: Callable[[], datetime],
    ):
        from PySide6.QtCore import Qt

        from kiosk.errors import KioskError
        from kiosk.ui.bridge import Bridge
        from kiosk.ui.window import KioskWindow

        self.app = application()
        screens = self.app.screens()
        if not windowed:
            if screen >= len(screens):
                raise KioskError(f"screen {screen}: only {len(screens)} screen(s) found")
            geo = screens[screen].geometry()
            size = (geo.width(), geo.height())
        self.window = KioskWindow(setup, size or (1920, 1080), clock)
        self.bridge = Bridge()
        self.bridge.connect_snapshot(self.window.apply_snapshot)
        self._timers: list = []
        self._notifiers: list = []
        self._page_listeners: list[Callable[[str], None]] = []
        self.asleep = False
        self._first_frame: list[Callable[[], None]] = []
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
        self.bridge.connect_panel(fn)

    def on_page_changed(self, fn: Callable[[str], None]) -> None:
        self._page_listeners.append(fn)
        self.window.page_changed.connect(fn)

    def current_page_id(self) -> str:
        """The id of the page on screen."""
        return self.window.current_page().page_id

    def page_view(self) -> object:
        """The view model (core data) the page on screen shows, for the screen log."""
        return self.window.current_page().view

    def reconfigure(self, setup) -> None:
        """Swap in a window for a new layout/station without a blank frame."""
        from PySide6.QtCore import QTimer

        from kiosk.ui.window import KioskWindow

        old = self.window
        new = KioskWindow(setup, (old.width(), old.height()), old.clock)
        new.apply_snapshots(list(old.snapshots.values()))
        self.bridge.snapshot.disconnect(old.apply_snapshot)
        self.bridge.connect_snapshot(new.apply_snapshot)
        for fn in self._page_listeners:
            new.page_changed.connect(fn)
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

    def sleep(self, asleep: bool) -> None:
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
        from PySide6.QtCore import QTimer

        t = QTimer(self.app)
        t.timeout.connect(fn)
        t.start(interval_ms)
        self._timers.append(t)

    def later(self, delay_ms: int, fn: Callable[[], object]) -> None:
        from PySide6.QtCore import QTimer

        QTimer.singleShot(delay_ms, fn)

    def watch_fd(self, fd: int, fn: Callable[[], object]) -> None:
        """Call ``fn`` on the GUI thread whenever ``fd`` becomes readable (signal wakeups)."""
        from PySide6.QtCore import QSocketNotifier

        n = QSocketNotifier(fd, QSocketNotifier.Type.Read, self.app)
        n.activated.connect(lambda *_: fn())
        self._notifiers.append(n)

    def on_first_frame(self, fn: Callable[[], None]) -> None:
        """Call ``fn`` once the first full frame has been painted."""
        self._first_frame.append(fn)

    def exec(self) -> int:
        import time

        from PySide6.QtCore import QTimer

        self.window.start()
        give_up = time.monotonic() + EXPOSE_WAIT_S

        def first_frame() -> None:
            # The platform exposes a new window asynchronously (X11 after the map, offscreen and
            # eglfs on their next event); until then repaint() draws nothing and READY would
            # come before any frame.
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
        self.window.stop()
        self.app.exit(code)
