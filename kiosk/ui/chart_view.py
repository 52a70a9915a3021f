"""The 24-hour trend on screen: a picture drawn by ``kiosk.ui.chart_render`` in its own process.

The kiosk never imports pyqtgraph: ``TrendImage`` asks a short-lived ``python -m
kiosk.ui.chart_render`` (QProcess, asynchronous, never blocking the GUI thread) for the chart at
its own size whenever the series or its size changes, and paints the last good one. The answer
is a ``QPicture``, the drawing's paint commands: the widget keeps ~9 KB instead of the 10.6 MB a
4K chart takes as pixels, and replaying it draws the same pixels. Reading it is a copy of the
bytes, so nothing waits for a decode. Replaying is not cheap (5–9 ms for the whole 4K chart on
the AMD EPYC host, against 0.5–0.8 ms to copy its pixels), and a paint clipped to a strip costs
as much as the whole, since every command runs: so the widget replays it once into pixels when
it is first painted and copies from them, as ``kiosk.ui.layer`` does, and lets the pixels go
after its page has left the screen (``let_go``). They cost memory only while the air page is on
screen or being made ready for its turn; the strips of its preparation and of its hand-over
after the fade copy them, and only the first paint replays. While a
drawing runs, a newer request waits (only the newest); a drawing that fails, answers with
something that is not a picture of the asked size, or takes longer than ``TIMEOUT_MS`` is logged
(one line) and the last picture stays. Without any picture the page says the chart is
unavailable (``failed``).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import (
    QByteArray,
    QProcess,
    QProcessEnvironment,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QImage, QPainter, QPicture
from PySide6.QtWidgets import QApplication, QWidget

from kiosk.core.views.air import TrendSeries
from kiosk.ui.chart_render import STATS_TAG, read_picture, request_bytes
from kiosk.ui.layer import copy_rect, fits, widget_image

log = logging.getLogger(__name__)

TIMEOUT_MS = 30_000
RESIZE_SETTLE_MS = 150  # a layout settles in a few resize events; draw once, at the last size
_PACKAGE_ROOT = str(Path(__file__).resolve().parents[2])
# systemd's notify variables are the kiosk's (the child drops Qt's scale settings itself).
_NOT_FOR_THE_CHILD = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID")


class TrendImage(QWidget):
    """Shows the trend chart picture; ``changed`` after a new one, ``failed`` after a failure."""

    changed = Signal()
    failed = Signal(str)
    # The drawing process (a class attribute, so tests can swap in a failing or hanging one).
    command: tuple[str, ...] = (sys.executable, "-m", "kiosk.ui.chart_render")

    def __init__(self, screen: tuple[int, int], parent: QWidget | None = None):
        super().__init__(parent)
        self.screen_size = screen
        self.series: TrendSeries | None = None
        self.picture: QPicture | None = None  # the last good picture
        self.pixels: QImage | None = None  # the picture replayed, while its page is on screen
        self.picture_series: TrendSeries | None = None  # what the picture shows
        self.drawn_key: tuple | None = None
        self.error: str | None = None
        self.renders = 0
        self.replays = 0  # the picture replayed into pixels (the first paint after a let_go)
        self.last_render_s: float | None = None
        self.last_cost: dict[str, float] | None = None  # the drawing process's CPU and peak RSS
        self._proc: QProcess | None = None
        self._proc_key: tuple | None = None
        self._started = 0.0
        self._settle = QTimer(self, singleShot=True, interval=RESIZE_SETTLE_MS)
        self._settle.timeout.connect(self._maybe_start)
        self._deadline = QTimer(self, singleShot=True, interval=TIMEOUT_MS)
        self._deadline.timeout.connect(self._timed_out)
        self.active = False  # drawings start once the kiosk has its first frame (activate)
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.stop)

    def activate(self) -> None:
        """Start drawing (after the first frame: the drawing process competes for the CPU)."""
        if not self.active:
            self.active = True
            self._maybe_start()

    # --- what to draw ----------------------------------------------------------------------

    def set_series(self, series: TrendSeries) -> None:
        if series != self.series:
            self.series = series
            self._maybe_start()

    def _key(self) -> tuple | None:
        if self.series is None or self.width() < 16 or self.height() < 16:
            return None
        return (self.series, self.width(), self.height())

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        if self._key() != self.drawn_key:  # (a page's first show resizes it to the same size)
            self._settle.start()

    def _maybe_start(self) -> None:
        key = self._key()
        if not self.active or key is None or key == self.drawn_key or key == self._proc_key:
            return
        if self._proc is not None:  # running: the newest request goes next (see _finished)
            return
        assert self.series is not None
        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("QT_QPA_PLATFORM", "offscreen")
        for name in _NOT_FOR_THE_CHILD:
            env.remove(name)
        env.insert(
            "PYTHONPATH", os.pathsep.join(filter(None, (_PACKAGE_ROOT, env.value("PYTHONPATH"))))
        )
        proc.setProcessEnvironment(env)
        proc.setWorkingDirectory(_PACKAGE_ROOT)  # `-m` looks in the working directory first
        proc.finished.connect(self._finished)
        proc.errorOccurred.connect(self._error_occurred)
        self._proc, self._proc_key, self._started = proc, key, time.monotonic()
        self.last_cost = None
        proc.start(self.command[0], list(self.command[1:]))
        if self._proc is not proc:  # it failed to start and was handled meanwhile
            return
        proc.write(QByteArray(request_bytes(self.series, (key[1], key[2]), self.screen_size)))
        proc.closeWriteChannel()
        self._deadline.start()

    # --- the drawing process ---------------------------------------------------------------

    def _error_occurred(self, err) -> None:
        proc = self._proc
        if (
            err == QProcess.ProcessError.FailedToStart
            and proc is not None
            and self.sender() is proc
        ):
            self._end(None, f"chart: could not start {self.command[0]}: {proc.errorString()}")

    def _timed_out(self) -> None:
        if self._proc is not None:
            proc = self._proc
            self._end(
                None, f"chart: drawing took over {self._deadline.interval() / 1000:g} s, stopped"
            )
            proc.kill()
            proc.waitForFinished(1000)

    def _finished(self, code: int, status) -> None:
        proc = self._proc
        if proc is None or self.sender() is not proc:
            return  # a process given up on (timed out) that ended afterwards
        data = bytes(proc.readAllStandardOutput().data())
        err = bytes(proc.readAllStandardError().data()).decode("utf-8", "replace").strip()
        lines = err.splitlines()
        stats = [ln for ln in lines if ln.startswith(STATS_TAG)]
        if stats:
            try:
                self.last_cost = json.loads(stats[-1][len(STATS_TAG) :])
            except ValueError:
                self.last_cost = None
        lines = [ln for ln in lines if not ln.startswith(STATS_TAG)]
        last = lines[-1] if lines else f"exit status {code}"
        if status != QProcess.ExitStatus.NormalExit or code != 0 or not data:
            self._end(None, last if last.startswith("chart:") else f"chart: {last}")
            return
        assert self._proc_key is not None
        picture = read_picture(data, (self._proc_key[1], self._proc_key[2]))
        self._end(picture, None if picture is not None else "chart: the drawing is not a picture")

    def _end(self, picture: QPicture | None, error: str | None) -> None:
        proc, key = self._proc, self._proc_key
        self._deadline.stop()
        self._proc = self._proc_key = None
        if proc is not None:
            proc.deleteLater()
        self.last_render_s = time.monotonic() - self._started
        if picture is not None:
            self.picture, self.drawn_key, self.error = picture, key, None
            self.pixels = None
            self.picture_series = key[0] if key else None
            self.renders += 1
            self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
            self.update()
            self.changed.emit()
        else:
            if error != self.error:  # one line per new problem, not one per attempt
                log.warning("%s", error)
            self.error = error
            self.drawn_key = key  # not retried until the data or the size changes
            self.failed.emit(error or "chart: failed")
        self._maybe_start()

    def redraw(self) -> None:
        """Draw again even if nothing changed (the benchmark times the drawing process)."""
        self.drawn_key = None
        self._maybe_start()

    # --- on screen -------------------------------------------------------------------------

    def busy(self) -> bool:
        return self._proc is not None or self._settle.isActive()

    def wait(self, timeout_s: float = TIMEOUT_MS / 1000) -> bool:
        """Finish any pending drawing now (snapshots, tests); True if the picture is current."""
        self._settle.stop()
        self._maybe_start()  # a hidden widget's resize sends no event until it shows
        deadline = time.monotonic() + timeout_s
        while self._proc is not None and (left := deadline - time.monotonic()) > 0:
            self._proc.waitForFinished(max(1, int(left * 1000)))  # (runs _finished)
        return self.problem() is None

    def problem(self) -> str | None:
        """Why the picture is not current (one line), or None when it is."""
        key = self._key()
        if self.series is None:
            return "chart: no series to draw yet"
        if key is None:
            return f"chart: too small to draw ({self.width()}x{self.height()})"
        if not self.active:
            return "chart: drawing not started (the page was never built or shown)"
        if self._proc is not None:
            return f"chart: still drawing after {time.monotonic() - self._started:.1f} s"
        if self.error is not None:
            return self.error
        if self.picture is None or self.drawn_key != key:
            return "chart: the picture is of other data or another size"
        return None

    def stop(self) -> None:
        """Kill a drawing in progress and draw no more (the kiosk is stopping)."""
        self.active = False
        self._settle.stop()
        if self._proc is not None:
            proc = self._proc
            self._deadline.stop()
            self._proc = self._proc_key = None
            proc.kill()
            proc.waitForFinished(1000)

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt API)
        return QSize(100, 60)

    def let_go(self) -> None:
        """Its page has left the screen: the pixels go (the picture stays, to replay)."""
        if not self.isVisible():
            self.pixels = None

    def _replayed(self, picture: QPicture) -> QImage:
        self.replays += 1
        image = widget_image(self, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)  # (the picture paints every pixel)
        p = QPainter(image)
        drawn = picture.boundingRect().size()
        if drawn != self.size():  # resized while a new drawing is on its way: the old one,
            p.scale(self.width() / drawn.width(), self.height() / drawn.height())  # stretched
        p.drawPicture(0, 0, picture)
        p.end()
        return image

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        if self.picture is None:
            return
        pixels = self.pixels
        if pixels is None or not fits(pixels, self):
            pixels = self.pixels = self._replayed(self.picture)
        p = QPainter(self)
        copy_rect(p, pixels, event.rect())
        p.end()
