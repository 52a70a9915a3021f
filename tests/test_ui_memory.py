"""Memory the kiosk keeps for nothing: checked in fresh interpreters, so import order is real."""

from __future__ import annotations

import os
import subprocess
import sys

PROBE = """
import linecache, sys
{first}
import PySide6.QtWidgets
import kiosk.config, kiosk.poller.service
held = [k for k in linecache.cache if k.replace(chr(92), "/").endswith("kiosk/config.py")]
print(len(held), len(linecache.cache))
"""


def _run(first: str) -> tuple[int, int]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", PROBE.format(first=first)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout.split()
    return int(out[0]), int(out[1])


def test_pyside_import_hook_keeps_no_module_sources_once_kiosk_ui_is_imported():
    held, cached = _run("import kiosk.ui; assert kiosk.ui.LEAN_FEATURE_CHECK")
    assert held == 0
    assert cached < 50  # what a few warnings and tracebacks may load, not every module


def test_without_it_pyside_keeps_every_module_source():
    # The control: if PySide6 stops reading sources on import, this fails and the workaround
    # in kiosk/ui/__init__.py can go.
    import kiosk.ui  # noqa: F401 (the test process itself is not the subject)

    held, cached = _run("")
    assert held == 1
    assert cached > 100
