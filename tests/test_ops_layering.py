"""kiosk/ops must work without Qt: every module imports with PySide6/pyqtgraph blocked."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

PROBE = """
import importlib, pkgutil, sys

class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("PySide6", "shiboken6", "pyqtgraph"):
            raise ImportError(f"{name} is blocked: kiosk/ops must not import Qt")
        return None

sys.meta_path.insert(0, Block())
import kiosk.ops
names = [m.name for m in pkgutil.iter_modules(kiosk.ops.__path__, "kiosk.ops.")]
for name in names:
    importlib.import_module(name)
print(" ".join(sorted(names)))
"""


def test_every_ops_module_imports_without_qt():
    r = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, cwd=REPO, timeout=60
    )
    assert r.returncode == 0, r.stderr
    imported = set(r.stdout.split())
    expected = {
        f"kiosk.ops.{p.stem}" for p in (REPO / "kiosk/ops").glob("*.py") if p.stem != "__init__"
    }
    assert imported == expected
    assert {
        "kiosk.ops.sdnotify",
        "kiosk.ops.status",
        "kiosk.ops.signals",
        "kiosk.ops.screenlog",
    } <= imported
