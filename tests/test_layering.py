"""Imports point downward only, proved by import-linter's contracts in pyproject.toml.

`lint-imports` must keep every contract on the tree, and must break the right one on a copy of
the package with one violation planted: function-level, relative and TYPE_CHECKING imports
count. One runtime check stays: every module outside kiosk/ui imports with Qt blocked. The
contracts cannot see that: they allow kiosk.app, kiosk.runner and kiosk.bench to use kiosk.ui
(inside functions, after the display check), and they do not see imports by string
(importlib); only importing each module for real shows that none of them loads Qt on import.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from tests.conftest import REPO

KIOSK = REPO / "kiosk"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
CONTRACTS = {
    c["id"]: c
    for c in tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "importlinter"
    ]["contracts"]
}


def _lint_imports(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--no-logo"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _verdicts(output: str) -> dict[str, str]:
    """Contract id -> KEPT / BROKEN, from lint-imports' summary lines."""
    out = {}
    for cid, contract in CONTRACTS.items():
        line = next(ln for ln in output.splitlines() if ln.startswith(contract["name"] + " "))
        out[cid] = "BROKEN" if "BROKEN" in line else "KEPT"
    return out


def test_the_tree_keeps_every_import_contract():
    r = _lint_imports(REPO)
    assert r.returncode == 0, r.stdout[-5000:] + r.stderr[-2000:]
    assert set(_verdicts(r.stdout).values()) == {"KEPT"}
    assert {"qt-only-in-ui", "core-is-pure", "sources-below-poller", "ui-sees-only-core"} <= set(
        CONTRACTS
    )


def test_ui_contract_forbids_every_top_level_module_but_core():
    """The ui contract lists what kiosk.ui may not import: a new top-level module or package
    must be added there, or the contract would let kiosk.ui import it."""
    top = {p.stem for p in KIOSK.glob("*.py") if p.stem != "__init__"}
    top |= {p.parent.name for p in KIOSK.glob("*/__init__.py")}
    forbidden = {
        m.removeprefix("kiosk.") for m in CONTRACTS["ui-sees-only-core"]["forbidden_modules"]
    }
    assert forbidden == top - {"core", "ui"}
    # The one named exception, and only that one.
    assert CONTRACTS["ui-sees-only-core"]["ignore_imports"] == ["kiosk.ui.heap -> kiosk.libc"]


def _copy_of_the_package(tmp_path: Path) -> Path:
    root = tmp_path / "tree"
    shutil.copytree(KIOSK, root / "kiosk", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(REPO / "pyproject.toml", root / "pyproject.toml")
    return root


PLANTS = {
    "function-level PySide6 import in a poller module": (
        "kiosk/poller/coordinator.py",
        "\n\ndef _planted():\n    from PySide6.QtCore import QTimer\n\n    return QTimer\n",
        "qt-only-in-ui",
    ),
    "kiosk.config in a core module": (
        "kiosk/core/eta.py",
        "\nfrom kiosk.config import Config  # noqa\n",
        "core-is-pure",
    ),
    "relative import of the poller in a ui module": (
        "kiosk/ui/widgets.py",
        "\nfrom ..poller import coordinator  # noqa\n",
        "ui-sees-only-core",
    ),
    "import kiosk.poller in a sources module": (
        "kiosk/sources/air.py",
        "\nimport kiosk.poller  # noqa\n",
        "sources-below-poller",
    ),
    # Beyond the four the issue names:
    "Qt in the bench (it may use kiosk.ui, not Qt itself)": (
        "kiosk/bench/probe.py",
        "\n\ndef _planted():\n    import PySide6.QtCore\n\n    return PySide6.QtCore\n",
        "qt-only-in-ui",
    ),
    "kiosk.errors in a ui module, inside a function": (
        "kiosk/ui/window.py",
        "\n\ndef _planted():\n    from kiosk.errors import KioskError\n\n    return KioskError\n",
        "ui-sees-only-core",
    ),
    "kiosk.libc from a ui module other than the named exception": (
        "kiosk/ui/theme.py",
        "\nfrom kiosk.libc import libc_function  # noqa\n",
        "ui-sees-only-core",
    ),
    "the ops package under TYPE_CHECKING in a sources module": (
        "kiosk/sources/subway.py",
        "\nfrom typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n    from kiosk.ops import status\n",
        "sources-below-poller",
    ),
    "an HTTP client in a core module": (
        "kiosk/core/format.py",
        "\nimport requests  # noqa\n",
        "core-does-no-io",
    ),
}


@pytest.fixture(scope="module")
def clean_copy(tmp_path_factory) -> Path:
    return _copy_of_the_package(tmp_path_factory.mktemp("layering"))


def test_lint_imports_passes_on_the_clean_copy(clean_copy):
    r = _lint_imports(clean_copy)
    assert r.returncode == 0, r.stdout[-5000:]
    assert set(_verdicts(r.stdout).values()) == {"KEPT"}


@pytest.mark.parametrize("plant", list(PLANTS), ids=lambda p: p.replace(" ", "-"))
def test_lint_imports_fails_on_a_planted_violation(tmp_path, plant):
    path, code, contract = PLANTS[plant]
    root = _copy_of_the_package(tmp_path)
    target = root / path
    target.write_text(target.read_text(encoding="utf-8") + code, encoding="utf-8")
    r = _lint_imports(root)
    assert r.returncode != 0, r.stdout[-5000:]
    assert _verdicts(r.stdout)[contract] == "BROKEN", r.stdout[-5000:]
    importer = path.removesuffix(".py").replace("/", ".")
    assert importer in r.stdout  # the report names the planted import


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
    assert "kiosk.bench.probe" in mods and "kiosk.libc" in mods
