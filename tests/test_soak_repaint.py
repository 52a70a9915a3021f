"""Guard against the PySide6 None-refcount crash: 20,000 repaints with a ticking clock."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO


@pytest.mark.slow
def test_twenty_thousand_repaints_leave_the_process_alive_and_none_intact():
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PYTHONPATH=str(REPO))
    r = subprocess.run(
        [sys.executable, "-m", "tests.soak_repaint", "20000"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert r.returncode == 0, f"soak process died ({r.returncode}): {r.stderr[-2000:]}"
    m = re.search(r"iterations=(\d+) none_before=(\d+) none_after=(\d+)", r.stdout)
    assert m, r.stdout
    iterations, before, after = (int(x) for x in m.groups())
    assert iterations == 20_000
    if sys.version_info < (3, 12):  # 3.12+ makes None immortal; its refcount is meaningless
        assert after >= before, f"None refcount fell from {before} to {after}"


def test_the_known_crashing_combination_is_refused_before_any_repaint():
    from kiosk.ui.qtapp import binding_problem

    assert "crashes after ~5,000 repaints" in binding_problem((3, 11), "6.12.0")
    assert binding_problem((3, 11), "6.12.1") is not None
    assert binding_problem((3, 11), "6.11.3") is None
    assert binding_problem((3, 12), "6.12.0") is None
    assert binding_problem((3, 13), "6.12.0") is None


def test_the_installed_pair_is_safe():
    import PySide6

    from kiosk.ui.qtapp import binding_problem

    assert binding_problem(sys.version_info[:2], PySide6.__version__) is None
