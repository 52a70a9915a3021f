"""Waiting in tests: on a condition, with a deadline, never for a fixed time.

Prefer a real notification where there is one (NotifyListener.wait_for / first_after, a pidfd,
qtbot.waitUntil for Qt); ``poll_until`` is for state only visible by looking (a file's text,
`kiosk status`).
"""

from __future__ import annotations

import time
from collections.abc import Callable

POLL_S = 0.05


def poll_until(check: Callable[[], bool], timeout: float, every: float = POLL_S) -> bool:
    """Look at ``check()`` every ``every`` seconds until it holds (True) or ``timeout`` passes
    (False). Returns as soon as the condition holds."""
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        left = deadline - time.monotonic()
        if left <= 0:
            return False
        time.sleep(min(every, left))  # the poll interval, not a wait for something to happen
