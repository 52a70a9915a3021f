"""Keep the desktop session from blanking the panel: xset for X, the D-Bus ScreenSaver API."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess

log = logging.getLogger("kiosk.ui")


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
