"""Which build is running: the version and the git commit it was built from.

An installed kiosk (/opt/kiosk has no .git) reads the commit that ``scripts/install.sh``
recorded in ``kiosk/_commit.py`` when it built the release; a checkout asks git, and says
``-dirty`` when the shipped files differ from that commit. Neither: ``unknown``.
"""

from __future__ import annotations

import argparse
import functools
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from kiosk import __version__

# What install.sh copies into a release: a change to any of these makes a checkout "dirty".
SHIPPED = ("kiosk", "pyproject.toml", "layouts", "assets", "systemd", "config.example.yaml")


def _git(repo: Path, *args: str) -> str | None:
    try:
        r = subprocess.run(
            ["git", "-C", str(repo), *args], capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return r.stdout.strip() if r.returncode == 0 else None


def commit_from_git(repo: Path) -> str | None:
    """``<12 hex>`` or ``<12 hex>-dirty`` for a checkout at ``repo``; None if it is not one."""
    if not (repo / ".git").exists():  # never the commit of some unrelated repo around a venv
        return None
    head = _git(repo, "rev-parse", "--short=12", "HEAD")
    if not head:
        return None
    changes = _git(repo, "status", "--porcelain", "--", *SHIPPED)
    return f"{head}-dirty" if changes else head


@functools.cache
def commit() -> str:
    """The commit this kiosk was built from (recorded at install, else from git), or unknown."""
    try:
        from kiosk._commit import COMMIT  # type: ignore[import-not-found]  # written by install.sh
    except ImportError:
        COMMIT = None  # noqa: N806
    if isinstance(COMMIT, str) and COMMIT:
        return COMMIT
    return commit_from_git(Path(__file__).resolve().parents[1]) or "unknown"


def version_text() -> str:
    """``kiosk 0.1.0 (commit 7657bca1f2e3)``."""
    return f"kiosk {__version__} (commit {commit()})"


class VersionAction(argparse.Action):
    """``--version``: like argparse's, but asks for the commit only when it is used."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kw: Any) -> None:
        kw.setdefault("help", "print the version and the git commit it was built from")
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, **kw)

    def __call__(self, parser: argparse.ArgumentParser, *args: Any, **kw: Any) -> None:
        sys.stdout.write(version_text() + "\n")  # stdout, as argparse's own version action
        parser.exit()
