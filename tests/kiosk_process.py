"""The real `kiosk run` in a child process (offscreen), and `kiosk status` to watch it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import IO, Any

from tests.conftest import REPO
from tests.waiting import poll_until


def kiosk_status(runtime: Path) -> dict[str, Any] | None:
    """What `kiosk status --json` says, or None when no kiosk is running there."""
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "status", "--json", "--runtime-dir", str(runtime)],
        capture_output=True,
        text=True,
        timeout=30,
        cwd=REPO,
    )
    return json.loads(r.stdout) if r.returncode == 0 else None


class RunningKiosk:
    """`kiosk run --windowed` with its runtime and state folders under ``tmp``."""

    def __init__(
        self,
        config: Path,
        tmp: Path,
        env: Mapping[str, str] | None = None,
        output: IO[str] | None = None,
    ):
        self.runtime = tmp / "run"
        self.runtime.mkdir(exist_ok=True)
        full_env = dict(
            os.environ,
            QT_QPA_PLATFORM="offscreen",
            RUNTIME_DIRECTORY=str(self.runtime),
            STATE_DIRECTORY=str(tmp),
            **(env or {}),
        )
        full_env.pop("JOURNAL_STREAM", None)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "kiosk",
                "run",
                "--config",
                str(config),
                "--windowed",
                "--size",
                "1280x720",
            ],
            env=full_env,
            cwd=REPO,
            text=True,
            stdout=output if output is not None else subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )

    @property
    def pid(self) -> int:
        return self.proc.pid

    def status(self) -> dict[str, Any] | None:
        return kiosk_status(self.runtime)

    def wait_status(self, ok: Callable[[dict[str, Any]], bool], timeout: float) -> dict[str, Any]:
        """Poll `kiosk status` until ``ok(status)``; AssertionError with the last status if not."""
        last: list[dict[str, Any] | None] = [None]

        def reached() -> bool:
            last[0] = self.status()
            return last[0] is not None and ok(last[0])

        if poll_until(reached, timeout, every=0.3):
            assert last[0] is not None
            return last[0]
        raise AssertionError(f"not reached within {timeout} s; last status: {last[0]}")

    def stop(self, timeout: float = 30) -> str:
        """SIGTERM, wait, and return what it printed (when not sent to a file)."""
        if self.proc.poll() is None:
            self.proc.terminate()
        out, _ = self.proc.communicate(timeout=timeout)
        return out or ""

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


def sources_of(status: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The status's sources by name."""
    return {s["name"]: s for s in status["sources"]}
