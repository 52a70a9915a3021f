"""Fresh processes for `kiosk bench`: a private config and environment, `kiosk run` started
and timed to its first frame (its sd_notify READY=1), and the measuring child."""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from kiosk.bench.child import RESULT_TAG
from kiosk.bench.memory import read_memory
from kiosk.config import Config, resolve_config_path
from kiosk.errors import KioskError
from kiosk.sources.registry import APIS

# What a bench child must not inherit: a service manager to notify, a config to pick up.
_DROP_ENV = ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "KIOSK_CONFIG", "JOURNAL_STREAM")
STOP_TIMEOUT_S = 20.0


class ChildFailed(KioskError):
    """A bench child crashed, hung or exited non-zero."""


def scratch_parent() -> str | None:
    """Where the bench's private folder goes: a RAM file system where there is one, as a kiosk's
    /run is (its status file is written and fsync'ed there every 5 s, from the GUI thread; on a
    disk shared with other work an fsync can stall it for seconds)."""
    shm = "/dev/shm"
    return shm if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK) else None


@dataclass(frozen=True)
class Workdir:
    """A private folder: the bench's config, runtime dir (status file) and state (screen log)."""

    root: Path

    @property
    def config(self) -> Path:
        return self.root / "config.yaml"

    def env(self, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The children's environment: offscreen Qt, and status/screen log kept in ``root``.

        RUNTIME_DIRECTORY and STATE_DIRECTORY come first in the kiosk's lookup, so a kiosk
        service running on this machine keeps its /run/kiosk/status.json and screen log.
        """
        run_dir, state_dir = self.root / "run", self.root / "state"
        run_dir.mkdir(exist_ok=True)
        state_dir.mkdir(exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in _DROP_ENV}
        env.update(
            KIOSK_BENCH_PID=str(os.getpid()),  # the measuring child dies with this process
            QT_QPA_PLATFORM="offscreen",
            RUNTIME_DIRECTORY=str(run_dir),
            STATE_DIRECTORY=str(state_dir),
            XDG_RUNTIME_DIR=str(run_dir),
            XDG_STATE_HOME=str(state_dir),
            PYTHONUNBUFFERED="1",
        )
        env.update(extra or {})
        return env

    def log(self, name: str) -> Path:
        return self.root / f"{name}.log"


def raw_config(config_arg: str | None) -> dict[str, Any]:
    """The config file as YAML data (the CLI has validated it already)."""
    data = yaml.safe_load(resolve_config_path(config_arg).read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def write_config(
    work: Workdir,
    raw: Mapping[str, Any],
    cfg: Config,
    layout: Path | None = None,
    **sources: Any,
) -> Path:
    """The user's config with absolute paths, no panel driver (a bench never switches a real
    panel), and the cache in the work dir; ``sources`` keys override ``sources:``."""
    data = dict(raw)
    data["layout"] = str(layout or cfg.layout)
    src = dict(data.get("sources") or {})
    src["cache_path"] = str(work.root / "cache" / "http.sqlite")
    for api in APIS:
        value = cfg.sources.key_file(api)
        if value is not None:
            src[APIS[api].key_file_setting] = str(value)
    src.update(sources)
    data["sources"] = {k: v for k, v in src.items() if v is not None}
    panel = dict(data.get("panel") or {})
    panel["driver"] = "none"
    data["panel"] = panel
    (work.root / "cache").mkdir(exist_ok=True)
    work.config.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return work.config


def kiosk_run_command(config: Path, size: tuple[int, int]) -> list[str]:
    """`kiosk run` exactly as a technician starts it windowed, from this interpreter."""
    return [
        sys.executable,
        "-m",
        "kiosk",
        "run",
        "--windowed",
        "--size",
        f"{size[0]}x{size[1]}",
        "--config",
        str(config),
    ]


def describe_exit(code: int | None) -> str:
    """ "exit 1", "killed by SIGSEGV", "still running"."""
    if code is None:
        return "still running"
    if code < 0:
        try:
            return f"killed by {signal.Signals(-code).name}"
        except ValueError:
            return f"killed by signal {-code}"
    return f"exit {code}"


def _tail(path: Path, lines: int = 6) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    except OSError:
        return ""
    return " | ".join(line.strip() for line in text[-lines:])


def _stop(proc: subprocess.Popen[bytes], what: str, log: Path) -> None:
    """SIGTERM, as systemd stops the kiosk; it must exit 0 in time."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        code = proc.wait(STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise ChildFailed(f"{what} did not stop within {STOP_TIMEOUT_S:g} s of SIGTERM") from None
    if code != 0:
        raise ChildFailed(f"{what} {describe_exit(code)} on SIGTERM: {_tail(log)}")


def first_frame(work: Workdir, size: tuple[int, int], timeout_s: float = 60.0) -> float:
    """Seconds from just before exec of a fresh `kiosk run` to its READY=1 (sent after the
    first full frame is painted), timed by this process's monotonic clock."""
    sock_path = work.root / "notify.sock"
    sock_path.unlink(missing_ok=True)
    log = work.log("first-frame")
    with (
        socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock,
        log.open("wb") as err,
    ):
        sock.bind(str(sock_path))
        sock.settimeout(0.1)
        env = work.env({"NOTIFY_SOCKET": str(sock_path)})
        t0 = time.monotonic()
        proc = subprocess.Popen(
            kiosk_run_command(work.config, size),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        try:
            while True:
                try:
                    msg = sock.recv(65536)
                except TimeoutError:
                    msg = b""
                if b"READY=1" in msg.split(b"\n"):
                    elapsed = time.monotonic() - t0
                    break
                if proc.poll() is not None:
                    raise ChildFailed(
                        f"kiosk run (pid {proc.pid}) {describe_exit(proc.returncode)} "
                        f"before its first frame: {_tail(log)}"
                    )
                if time.monotonic() - t0 > timeout_s:
                    raise ChildFailed(f"kiosk run showed no frame within {timeout_s:g} s")
            _stop(proc, f"kiosk run (pid {proc.pid})", log)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    return elapsed


@dataclass(frozen=True)
class NaiveStart:
    """A fresh naive page's first frame: how long it took, and the process's RSS then."""

    seconds: float
    rss_mb: float


def naive_start(work: Workdir, size: tuple[int, int], timeout_s: float = 60.0) -> NaiveStart:
    """Seconds from just before exec of a fresh ``python -m kiosk.ui.naive`` to its FRAME: a
    plain Qt program's first frame of a naive page at ``size`` (the first frame's reference),
    and its RSS with that page shown (the memory's reference), read before it is let go."""
    log = work.log("naive-start")
    rss_mb = 0.0
    with log.open("wb") as err:
        t0 = time.monotonic()
        proc = subprocess.Popen(
            [sys.executable, "-m", "kiosk.ui.naive", "--size", f"{size[0]}x{size[1]}", "--hold"],
            env=work.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=err,
        )
        try:
            assert proc.stdout is not None and proc.stdin is not None
            ready, _, _ = select.select([proc.stdout], [], [], timeout_s)
            line = proc.stdout.readline() if ready else b""
            elapsed = time.monotonic() - t0
            if line.strip() == b"FRAME":
                with contextlib.suppress(OSError):
                    rss_mb = read_memory(proc.pid).rss_mb
            proc.stdin.close()
            code = proc.wait(timeout_s)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    if line.strip() != b"FRAME" or code != 0 or rss_mb <= 0:
        raise ChildFailed(f"the naive first frame failed ({describe_exit(code)}): {_tail(log)}")
    return NaiveStart(elapsed, rss_mb)


def measure_child(
    work: Workdir,
    size: tuple[int, int],
    rotations: int,
    repeats: int,
    cpu_seconds: float,
    frame_seconds: float,
    on_start: Any = None,
) -> dict[str, Any]:
    """Run the measuring child to its end; its raw result, or ChildFailed."""
    log = work.log("measure")
    cmd = [
        sys.executable,
        "-m",
        "kiosk.bench.child",
        "--config",
        str(work.config),
        "--size",
        f"{size[0]}x{size[1]}",
        "--rotations",
        str(rotations),
        "--repeats",
        str(repeats),
        "--cpu-seconds",
        str(cpu_seconds),
        "--frame-seconds",
        str(frame_seconds),
    ]
    # Generous: a slow machine at 4K takes ~0.1 s per page change; a hang still ends.
    timeout = 180 + rotations * 0.3 + repeats * 20 + cpu_seconds * 2 + frame_seconds * 2
    with log.open("wb") as err:
        proc = subprocess.Popen(
            cmd, env=work.env(), stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=err
        )
        if on_start is not None:
            on_start(proc.pid)
        try:
            out, _ = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise ChildFailed(
                f"measuring process (pid {proc.pid}) hung: no result after {timeout:.0f} s"
            ) from None
        except BaseException:  # interrupted (Ctrl-C, SIGTERM): never leave it running
            proc.kill()
            proc.wait()
            raise
    what = f"measuring process (pid {proc.pid})"
    line = next(
        (x for x in out.decode("utf-8", "replace").splitlines() if x.startswith(RESULT_TAG)), None
    )
    if proc.returncode != 0 or line is None:
        reason = describe_exit(proc.returncode)
        if line is not None:
            error = json.loads(line[len(RESULT_TAG) :]).get("error")
            reason += f" ({error})" if error else ""
        raise ChildFailed(f"{what} crashed: {reason}: {_tail(log)}")
    result: dict[str, Any] = json.loads(line[len(RESULT_TAG) :])
    return result
