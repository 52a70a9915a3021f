"""`kiosk` run as a subprocess, the way an operator types it, with only the given keys.

r = kiosk("fetch", "--config", str(cfg), "--json", env={"SEOUL_BUS_API_KEY": key})
"""

from __future__ import annotations

import os
import subprocess
import sys

from tests.httpserver import REPO

# `kiosk` with every library logging at DEBUG to stderr (urllib3 logs paths: where a key leaks).
DEBUG_LOGGING = (
    "import logging, sys; logging.basicConfig(level=logging.DEBUG, stream=sys.stderr); "
    "from kiosk.cli import main; sys.exit(main(sys.argv[1:]))"
)
KEY_VARIABLES = ("SEOUL_",)  # every Seoul key's variable starts so
OTHER_KEYS = ("SAFETYDATA_API_KEY",)  # the national alert feed's


def kiosk(
    *args: str, env: dict[str, str] | None = None, debug_logs: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run the CLI with only ``env``'s keys (none of this machine's); ``debug_logs``: every
    library logs at DEBUG to stderr."""
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(KEY_VARIABLES) and k not in OTHER_KEYS
    }
    entry = ["-c", DEBUG_LOGGING] if debug_logs else ["-m", "kiosk"]
    return subprocess.run(
        [sys.executable, *entry, *args],
        cwd=REPO,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=120,
    )
