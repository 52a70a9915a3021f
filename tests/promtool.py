"""promtool (Debian's prometheus package) for the tests that lint metrics and check rules."""

from __future__ import annotations

import os
import shutil

import pytest

PROMTOOL = shutil.which("promtool")


def require_promtool() -> str:
    """promtool, or skip (fail under CI, where scripts/setup.sh installs it) naming what is missing."""
    if PROMTOOL is None:
        message = "promtool is not installed (Debian's prometheus package; scripts/setup.sh)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return PROMTOOL
