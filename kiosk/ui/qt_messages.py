"""Qt's own messages through logging (one line each, journald priorities) instead of raw stderr."""

from __future__ import annotations

import logging

# Qt's offscreen plugin says this for every top-level window; it is not a problem.
QT_NOISE = ("does not support propagateSizeHints",)


def route_qt_messages() -> None:
    """Install the handler that sends Qt's messages to the ``kiosk.qt`` logger."""
    from PySide6.QtCore import QMessageLogContext, QtMsgType, qInstallMessageHandler

    qt_log = logging.getLogger("kiosk.qt")
    levels = {
        QtMsgType.QtDebugMsg: logging.DEBUG,
        QtMsgType.QtInfoMsg: logging.INFO,
        QtMsgType.QtWarningMsg: logging.WARNING,
        QtMsgType.QtCriticalMsg: logging.ERROR,
        QtMsgType.QtFatalMsg: logging.CRITICAL,
    }

    def handler(kind: QtMsgType, _context: QMessageLogContext, message: str) -> None:
        if any(n in message for n in QT_NOISE):
            return
        qt_log.log(levels.get(kind, logging.WARNING), "%s", " ".join(message.split()))

    qInstallMessageHandler(handler)
