"""The panel's one worker thread: every blocking panel call runs here, in order, never elsewhere.

The GUI thread, APScheduler's threads and the control socket only hand work over
(``submit``/``submit_tick``) and get a Future back at once, so a silent panel or a hung
``cec-ctl`` can delay the panel, but never the screen, the watchdog or a reload.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from kiosk.errors import PanelError

log = logging.getLogger(__name__)
T = TypeVar("T")


class PanelStopped(PanelError):
    """The panel service is stopping: the work was not done."""


_Task = tuple["Future[Any]", Callable[[], Any], str]


class PanelWorker:
    """A daemon thread with a FIFO of panel work; ticks requested while one waits are folded."""

    def __init__(self, name: str = "panel-worker"):
        self._queue: queue.SimpleQueue[_Task | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._closed = False
        self._tick_queued = False
        # Daemon: if a panel call ignores cancellation, the process may still exit.
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._thread.start()

    @property
    def thread(self) -> threading.Thread:
        """The worker thread (tests check that panel I/O runs on it)."""
        return self._thread

    def submit(self, fn: Callable[[], T], what: str = "panel work") -> Future[T]:
        """Queue ``fn``; its Future fails with PanelStopped if the worker stops first."""
        fut: Future[T] = Future()
        with self._lock:
            if self._closed:
                fut.set_exception(PanelStopped(f"{what}: panel control is stopping"))
                return fut
            self._queue.put((fut, fn, what))
        return fut

    def submit_tick(self, fn: Callable[[], object]) -> bool:
        """Queue a check unless one is already waiting (a check reads everything afresh)."""
        with self._lock:
            if self._tick_queued or self._closed:
                return False
            self._tick_queued = True

        def run() -> object:
            with self._lock:
                self._tick_queued = False
            return fn()

        self.submit(run, "panel check")
        return True

    def stop(self, last: Callable[[], object] | None = None) -> None:
        """Refuse new work, drop what waits, run ``last`` (release the port) and end; no wait."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            dropped = []
            while True:
                try:
                    task = self._queue.get_nowait()
                except queue.Empty:
                    break
                if task is not None:
                    dropped.append(task)
            if last is not None:
                self._queue.put((Future(), last, "release the port"))
            self._queue.put(None)
        for fut, _fn, what in dropped:
            fut.set_exception(PanelStopped(f"{what}: panel control is stopping"))

    def join(self, timeout: float) -> bool:
        """Wait for the thread to end after ``stop()``; False on timeout (tests, clean exit)."""
        self._thread.join(timeout)
        return not self._thread.is_alive()

    def _loop(self) -> None:
        while True:
            task = self._queue.get()
            if task is None:
                return
            fut, fn, what = task
            if not fut.set_running_or_notify_cancel():
                continue
            try:
                fut.set_result(fn())
            except Exception as e:  # reported through the Future; the worker carries on
                if not isinstance(e, PanelError):  # a panel failure is the caller's to report
                    log.error("panel worker: %s failed: %s: %s", what, type(e).__name__, e)
                    log.debug("panel worker traceback", exc_info=True)
                fut.set_exception(e)
