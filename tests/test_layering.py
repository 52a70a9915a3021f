"""Imports point downward only: Qt lives in kiosk/ui; kiosk/core is pure; ui sees only core."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import REPO

KIOSK = REPO / "kiosk"


def _modules(under: str = "") -> list[str]:
    root = KIOSK / under if under else KIOSK
    out = []
    for p in sorted(root.rglob("*.py")):
        rel = p.relative_to(REPO).with_suffix("")
        parts = list(rel.parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out.append(".".join(parts))
    return out


def _imports(path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_every_non_ui_module_imports_with_qt_blocked():
    mods = [m for m in _modules() if not m.startswith("kiosk.ui") and m != "kiosk.__main__"]
    code = (
        "import sys\n"
        "class Block:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph'):\n"
        "            raise ImportError('Qt imported outside kiosk/ui: ' + name)\n"
        "sys.meta_path.insert(0, Block())\n"
        "import importlib\n"
        f"for m in {mods!r}:\n"
        "    importlib.import_module(m)\n"
        "print('imported', len(sys.modules))\n"
    )
    r = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert r.returncode == 0, r.stderr[-3000:]
    assert len(mods) > 20


def test_core_is_pure_and_ui_imports_only_core():
    io = ("requests", "requests_cache", "serial", "apscheduler", "socket", "subprocess", "sqlite3")
    for p in (KIOSK / "core").rglob("*.py"):
        for name in _imports(p):
            top = name.split(".")[0]
            assert top not in ("PySide6", "pyqtgraph", *io), f"{p}: imports {name}"
            assert not name.startswith(
                ("kiosk.ui", "kiosk.poller", "kiosk.panel", "kiosk.sources", "kiosk.ops")
            ), f"{p}: imports {name}"
    for p in (KIOSK / "ui").rglob("*.py"):
        for name in _imports(p):
            assert not name.startswith(
                ("kiosk.poller", "kiosk.panel", "kiosk.sources", "kiosk.ops")
            ), f"{p}: imports {name}"
