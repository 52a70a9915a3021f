"""Route SIGHUP/SIGTERM/SIGINT into ordinary callbacks on the GUI thread, without Qt here.

Why: while Qt's event loop (C++) runs, Python signal handlers only run when some Python code
happens to run, so a SIGTERM can sit unnoticed for minutes. The standard cure is
``signal.set_wakeup_fd``: the C-level handler writes the signal number as one byte into a
socket; Qt watches that socket with a QSocketNotifier and wakes up at once. The callbacks
then run in the GUI thread, where touching widgets and timers is safe.

In the app (kiosk/ui or kiosk/app.py, which may import Qt)::

    router = SignalRouter({
        signal.SIGHUP: lambda _sig: reload_config(),
        signal.SIGTERM: lambda _sig: app.quit(),
        signal.SIGINT: lambda _sig: app.quit(),
    })
    notifier = QSocketNotifier(router.fileno(), QSocketNotifier.Type.Read, parent)
    notifier.activated.connect(router.dispatch_pending)   # extra args are ignored
    ...
    app.exec()
    router.close()                                          # restores the old handlers

Rules: create it in the main thread (Python only allows ``set_wakeup_fd`` there); a process
has one wakeup fd, so do not also run an asyncio loop that installs its own.
"""

from __future__ import annotations

import contextlib
import logging
import select
import signal
import socket
from collections.abc import Callable, Mapping
from types import FrameType
from typing import Any

log = logging.getLogger("kiosk.ops.signals")

Handler = Callable[[int], Any]


def _noop(_signum: int, _frame: FrameType | None) -> None:
    # The real work happens in dispatch_pending(); a Python-level handler must exist,
    # or SIGTERM/SIGHUP would keep their default action (terminate the process).
    return None


class SignalRouter:
    """Turns signals into bytes on a socket; ``dispatch_pending()`` calls the handlers."""

    def __init__(self, handlers: Mapping[int, Handler]) -> None:
        if not handlers:
            raise ValueError("SignalRouter needs at least one signal handler")
        self._handlers = {int(s): h for s, h in handlers.items()}
        self._rsock, self._wsock = socket.socketpair()
        for s in (self._rsock, self._wsock):
            s.setblocking(False)  # set_wakeup_fd requires it; reads must never block the GUI
        self._old_handlers: dict[int, Any] = {}
        self._old_wakeup = -1
        self._closed = False
        try:
            # Not warning on a full buffer: a flood of signals only needs to wake us once.
            self._old_wakeup = signal.set_wakeup_fd(self._wsock.fileno(), warn_on_full_buffer=False)
            for signum in self._handlers:
                self._old_handlers[signum] = signal.signal(signum, _noop)
        except BaseException:
            self.close()
            raise

    def fileno(self) -> int:
        """The read end to watch (QSocketNotifier, select): readable when a signal came in."""
        return self._rsock.fileno()

    def dispatch_pending(self, *_ignored: Any) -> int:
        """Read the pending signal numbers and call their handlers; returns how many ran.

        Repeats of one signal in one batch run its handler once (two quick SIGHUPs = one
        reload). A handler that raises is logged and the others still run.
        """
        received: list[int] = []
        while True:
            try:
                chunk = self._rsock.recv(512)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                break
            if not chunk:
                break
            received.extend(chunk)
        ran = 0
        for signum in dict.fromkeys(received):  # de-duplicated, in arrival order
            handler = self._handlers.get(signum)
            if handler is None:
                continue  # another signal woke us (e.g. SIGCHLD with its own handler)
            try:
                handler(signum)
            except Exception:
                log.exception("handler for %s failed", signal.Signals(signum).name)
            ran += 1
        return ran

    def wait(self, timeout: float | None) -> int:
        """Without Qt: wait up to ``timeout`` s for a signal, then dispatch; returns how many ran."""
        readable, _, _ = select.select([self._rsock], [], [], timeout)
        return self.dispatch_pending() if readable else 0

    def close(self) -> None:
        """Restore the previous handlers and wakeup fd; idempotent."""
        if self._closed:
            return
        self._closed = True
        for signum, old in self._old_handlers.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(signum, old)
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(self._old_wakeup)
        self._rsock.close()
        self._wsock.close()

    def __enter__(self) -> SignalRouter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
