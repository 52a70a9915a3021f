"""Shared test fixtures. Qt tests run offscreen; times are always passed in, never read."""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

REPO = Path(__file__).resolve().parents[1]
# The recorded API bodies from shared/samples/seoul-api, vendored so that the suite runs from
# any clone; tests/test_fixtures_match_shared.py keeps the copy identical to shared/.
SAMPLES = REPO / "tests" / "fixtures" / "seoul-api"
SHARED_SAMPLES = REPO.parent / "shared" / "samples" / "seoul-api"
# The example configs of the three stations, each on its bundled demo data.
EXAMPLES = [
    REPO / "config.example.yaml",
    REPO / "examples" / "hongik.yaml",
    REPO / "examples" / "changdong.yaml",
]
