"""House style that a machine can check: ruff clean everywhere, mypy clean outside kiosk/ui."""

from __future__ import annotations

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


def test_mypy_is_clean_outside_the_qt_views():
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "kiosk"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    problems = [
        line
        for line in r.stdout.splitlines()
        if ": error:" in line and not line.startswith("kiosk/ui/")
    ]
    assert problems == [], "\n".join(problems)
