"""The poller before it starts: what the kiosk reads of a poller, with nothing in it.

`kiosk run` starts the poller after the first frame is on screen (kiosk/runner.py): the poller
brings requests, urllib3, ssl, requests-cache and SQLite with it (about 0.3 s of imports and
30 MB on a 2-core kiosk) and the first frame shows none of their data. Until then the status
file, the screen log and the metrics read this: no snapshots, no ledgers, nothing to stop.
Standard library only, so importing it costs nothing.
"""

from __future__ import annotations

from typing import Any


class PendingPoller:
    """A poller that has not started: no sources, no calls, nothing to close."""

    ledgers: dict[str, Any] = {}

    def snapshots(self) -> dict[str, Any]:
        return {}

    def policy(self, source: str) -> None:
        return None

    def pause(self) -> None:
        """Nothing polls yet (the real poller starts paused if the panel is off by then)."""

    def resume(self) -> None:
        """Nothing polls yet."""

    def stop(self) -> None:
        """Nothing to stop."""

    def wait_closed(self, timeout: float) -> bool:
        return True
