"""The only way worker threads reach widgets: queued signals on a QObject living in the GUI thread."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal


class Bridge(QObject):
    """Emit from any thread; slots run on the GUI thread (queued connection)."""

    snapshot = Signal(object)  # kiosk.core.models.Snapshot
    panel = Signal(object)  # a panel report (desired/actual state)
    call = Signal(object)  # a function to call on the GUI thread

    def __init__(self) -> None:
        super().__init__()
        self.call.connect(_call, Qt.ConnectionType.QueuedConnection)

    def connect_snapshot(self, slot) -> None:
        self.snapshot.connect(slot, Qt.ConnectionType.QueuedConnection)

    def connect_panel(self, slot) -> None:
        self.panel.connect(slot, Qt.ConnectionType.QueuedConnection)

    def publish(self, snap: object) -> None:
        """Thread-safe: hand a snapshot to the GUI thread."""
        self.snapshot.emit(snap)


def _call(fn) -> None:
    fn()
