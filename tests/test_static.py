"""House style that a machine can check: ruff clean everywhere, mypy clean on all of kiosk."""

from __future__ import annotations

import ast
import subprocess
import sys

from tests.conftest import REPO


def test_ruff_is_clean():
    r = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "kiosk", "tests"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert r.returncode == 0, r.stdout[-3000:]


def test_mypy_is_clean_on_all_of_kiosk():
    # As configured in pyproject.toml, nothing excluded and nothing filtered: exit 0 or fail
    # with mypy's own report.
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "kiosk"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, (r.stdout + r.stderr)[-5000:]
    assert "Success: no issues found" in r.stdout


def _test_sources() -> dict[str, ast.Module]:
    tests = REPO / "tests"
    return {
        str(p.relative_to(REPO)): ast.parse(p.read_text(encoding="utf-8"))
        for p in sorted(tests.rglob("*.py"))
        if "fixtures" not in p.parts
    }


def test_no_test_module_imports_from_another_test_module():
    # Shared helpers live in tests/ helper modules or conftest.py, not in test modules.
    found = []
    for path, tree in _test_sources().items():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            found += [f"{path}:{node.lineno}: {n}" for n in names if n.startswith("tests.test_")]
    assert found == []


# Where a pause is not a test waiting: the poll interval of tests/waiting.py's condition wait,
# and the local HTTP server playing a slow API.
SLEEP_ALLOWED = {"tests/waiting.py", "tests/httpserver/server.py"}


def test_tests_wait_on_conditions_never_on_sleep():
    found = []
    for path, tree in _test_sources().items():
        if path in SLEEP_ALLOWED:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name == "sleep":
                    found.append(f"{path}:{node.lineno}: {ast.unparse(node)}")
    assert found == []
