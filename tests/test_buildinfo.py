"""`kiosk --version`: the version and the commit, from git in a checkout, recorded when installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from kiosk import __version__
from kiosk.buildinfo import commit_from_git
from kiosk.ops.status import versions
from tests.conftest import REPO


def _kiosk_version(pythonpath: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, PYTHONPATH=str(pythonpath))
    return subprocess.run(
        [sys.executable, "-m", "kiosk", "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=cwd,
    )


def test_version_from_a_checkout_names_the_git_commit():
    head = subprocess.run(
        ["git", "-C", str(REPO), "rev-parse", "--short=12", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    r = _kiosk_version(REPO, REPO)
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith(f"kiosk {__version__} (commit {head}")
    assert r.stdout.strip().endswith(")") and r.stderr == ""
    assert commit_from_git(REPO) in (head, f"{head}-dirty")


def test_an_installed_copy_without_git_reports_the_commit_recorded_at_install(tmp_path):
    site = tmp_path / "site"
    shutil.copytree(REPO / "kiosk", site / "kiosk", ignore=shutil.ignore_patterns("__pycache__"))
    (site / "kiosk" / "_commit.py").unlink(missing_ok=True)
    r = _kiosk_version(site, tmp_path)
    assert r.stdout.strip() == f"kiosk {__version__} (commit unknown)", r.stderr
    (site / "kiosk" / "_commit.py").write_text('COMMIT = "0123456789ab"\n')
    r = _kiosk_version(site, tmp_path)
    assert r.stdout.strip() == f"kiosk {__version__} (commit 0123456789ab)", r.stderr


def test_status_versions_carry_the_commit():
    v = versions(qt="6.12.0")
    assert v["kiosk"] == __version__ and v["commit"] and v["qt"] == "6.12.0"
