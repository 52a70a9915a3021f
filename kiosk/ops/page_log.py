"""The screen log's page changes: what a turn shows, taken at the turn, written a little after
it (between two of the fade's frames, not in the turn's own), in order with the notices' lines.

A line says which page came on screen when, the state of the sources it shows and its text.
All of that is taken at the turn (the snapshots, the page's view model, the notice fields);
turning the view into text, the JSON and the file append wait ``AFTER_MS``. A notice's line
and the kiosk's shutdown write what waits first, so the file stays in the order things showed
and nothing is left unwritten.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from kiosk.core.screen_text import lines_of
from kiosk.ops.screenlog import ScreenLog, screen_entry

AFTER_MS = 100  # after the turn: a 60 Hz fade is six frames on, each of them a few ms of work


class PageLog:
    """Page changes into ``screenlog``; ``later(ms, fn)`` calls ``fn`` on this thread after
    ``ms`` (the GUI's timer)."""

    def __init__(self, screenlog: ScreenLog, later: Callable[[int, Callable[[], object]], None]):
        self.screenlog = screenlog
        self._later = later
        self._waiting: list[Callable[[], None]] = []  # page changes not yet written, in order

    def page_changed(
        self,
        page_id: str,
        at: datetime,
        snapshots: Mapping[str, Any],
        shown: tuple[str, ...],
        view: object,
        fields: Mapping[str, Any],
    ) -> None:
        """Page ``page_id`` came on screen ``at``, showing ``view`` and the sources ``shown``
        (of ``snapshots``), with the notices' ``fields``: written ``AFTER_MS`` on."""
        sources = {name: _logged(snapshots[name]) for name in shown if name in snapshots}

        def write() -> None:
            self.screenlog.record(screen_entry(page_id, at, sources, lines_of(view), **fields))

        self._waiting.append(write)
        if len(self._waiting) == 1:
            self._later(AFTER_MS, self.flush)

    def record(self, entry: Mapping[str, Any]) -> bool:
        """A line of its own (a notice's start or end), after the page changes before it."""
        self.flush()
        return self.screenlog.record(entry)

    def flush(self) -> None:
        """Write the page changes waiting, oldest first (also at the kiosk's stop)."""
        waiting, self._waiting = self._waiting, []
        for write in waiting:
            write()


def _logged(snap: Any) -> dict[str, Any]:
    """A source's entry in the screen log: its status, when fetched and, where the data carries
    it, when the city's system produced it (countdowns tick from ``received_at``)."""
    entry: dict[str, Any] = {"status": snap.status.value, "fetched_at": snap.fetched_at}
    received = [getattr(i, "received_at", None) for i in snap.items]
    stamps = [r for r in received if isinstance(r, datetime)]
    if stamps:
        entry["received_at"] = max(stamps)
    return entry
