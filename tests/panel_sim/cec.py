"""Put the fake cec-ctl / cec-client from tests/fake_bin first on PATH, with a state file."""

from __future__ import annotations

import json
import os
import select
import sys
from pathlib import Path

FAKE_BIN = Path(__file__).resolve().parents[1] / "fake_bin"


class FakeCec:
    """The TV behind the fake tools: its power, whether the adapter is configured, a mode."""

    def __init__(self, root: Path, tools: tuple[str, ...] = ("cec-ctl", "cec-client")):
        self.bin = root / "bin"
        self.bin.mkdir(parents=True, exist_ok=True)
        for tool in tools:
            # The scripts' own "#!/usr/bin/env python3" may not exist on a minimal machine;
            # run them with the interpreter that runs the tests.
            text = (FAKE_BIN / tool).read_text().split("\n", 1)[1]
            target = self.bin / tool
            target.write_text(f"#!{sys.executable}\n{text}")
            target.chmod(0o755)
        self.state_file = root / "cec-state.json"
        self.write(power="standby", configured=True, mode="normal")

    def write(self, **changes: object) -> None:
        state = self.read() if self.state_file.exists() else {}
        state.update(changes)
        self.state_file.write_text(json.dumps(state))

    def read(self) -> dict:
        return json.loads(self.state_file.read_text())

    @property
    def calls(self) -> list[str]:
        log = Path(str(self.state_file) + ".log")
        return log.read_text().splitlines() if log.exists() else []

    @property
    def pids(self) -> list[int]:
        """Processes the "hang" mode started: each hung tool and its helper."""
        path = Path(str(self.state_file) + ".pids")
        return [int(x) for x in path.read_text().split()] if path.exists() else []

    def hung_signal(self) -> HungSignal:
        """Start listening for "a tool is hung now" (call before the tool runs)."""
        return HungSignal(Path(str(self.state_file) + ".started"))

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """Environment with the fakes first on PATH (for subprocesses)."""
        env = dict(os.environ if base is None else base)
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        env["FAKE_CEC_STATE"] = str(self.state_file)
        return env


class HungSignal:
    """A FIFO the fake tools write to once they hang: ``wait()`` returns when one did."""

    def __init__(self, path: Path):
        if not path.exists():
            os.mkfifo(path)
        self._fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)

    def wait(self, timeout: float = 10.0) -> bool:
        """True once a hung tool has written to the FIFO; False after ``timeout``."""
        ready, _, _ = select.select([self._fd], [], [], timeout)
        if ready:
            os.read(self._fd, 64)
        return bool(ready)

    def close(self) -> None:
        os.close(self._fd)


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for its reaper counts as gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"
