"""The real running kiosk (kiosk.app.build_kiosk, offscreen) in a child process, with a signal
delivered at a moment `kiosk run` cannot be made to reach on cue:

    python -m tests.kiosk_child term-before-frame CONFIG
        SIGTERM arrives and is handled (as the event loop's socket notifier would) before the
        loop runs and before the first frame.
    python -m tests.kiosk_child term-then-frame CONFIG
        SIGTERM handled, then the first frame's callback in the same pass of the event loop
        (the order a SIGTERM 1.8 s into start-up met: STOPPING=1, then READY=1).
    python -m tests.kiosk_child reload-fails CONFIG
        after the first frame, SIGHUP with reading the keys failing (MemoryError); SIGTERM
        two seconds later.
    python -m tests.kiosk_child status-after-start CONFIG
        the status file as it stands the moment the poller has started (the first pass of the
        event loop after the first frame), long before the periodic status write: prints
        ``sources`` and the names it lists, then SIGTERM.

The test listens on NOTIFY_SOCKET and reads what the child printed.
"""

from __future__ import annotations

import dataclasses
import json
import os
import signal
import sys
from pathlib import Path

from kiosk.app import RunOptions, build_kiosk
from kiosk.config import load_all


def main(mode: str, config: Path) -> int:
    cfg, layout = load_all(config)
    kiosk = build_kiosk(RunOptions(config, windowed=True, size=(640, 360)), cfg, layout)
    pid = os.getpid()
    if mode == "term-before-frame":
        os.kill(pid, signal.SIGTERM)
        kiosk.router.dispatch_pending()  # what the QSocketNotifier calls, here before exec()
    elif mode == "term-then-frame":
        os.kill(pid, signal.SIGTERM)
        kiosk.router.dispatch_pending()
        kiosk._first_frame()  # the first frame's callback, due in the same pass
    elif mode == "reload-fails":

        def failing_secrets(_cfg: object) -> tuple[str, ...]:
            raise MemoryError("injected")

        kiosk.services = dataclasses.replace(kiosk.services, secrets=failing_secrets)
        kiosk.rt.on_first_frame(lambda: os.kill(pid, signal.SIGHUP))
        kiosk.rt.on_first_frame(lambda: kiosk.rt.later(2000, lambda: os.kill(pid, signal.SIGTERM)))
    elif mode == "status-after-start":

        def report() -> None:
            status = json.loads(kiosk.status_file.read_text())
            print("sources", *sorted(s["name"] for s in status["sources"]), flush=True)
            os.kill(pid, signal.SIGTERM)

        # After the kiosk's own first-frame callback, which starts the poller the same way.
        kiosk.rt.on_first_frame(lambda: kiosk.rt.later(0, report))
    else:
        raise SystemExit(f"unknown mode {mode}")
    try:
        code = kiosk.rt.exec()
    finally:
        kiosk.shutdown()
    print(f"exit {code} {kiosk.state}", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
