"""`kiosk bench --soak SECONDS`: hours of a kiosk's life, compressed.

The real `kiosk run` (windowed, offscreen) polls a local fault-injecting server
(``kiosk.bench.faultserver``) as fast as the config allows (subway every 5 s, air and bikes
every 60 s, the rest every 600 s, no cache reuse), rotates every page every 6 s (long enough
for a stretch with no page picture held in each dwell: the memory floors compare like with
like), and is sampled once a second. Its HTTP cache starts damaged, and at
half-time a damaged copy is put in place of the live file (``kiosk.bench.cache_damage``). It
passes when, at the end, the process is alive, stops cleanly on SIGTERM, and logged no error and
no traceback; its memory (RSS/USS from warm-up to the end) is reported against the 2 MB growth
budget.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from kiosk.bench.cache_damage import damaged_copy, moved_aside
from kiosk.bench.faultserver import PATTERN, QUOTA_FROM, FaultServer
from kiosk.bench.memory import read_memory
from kiosk.bench.report import BUDGETS
from kiosk.bench.spawn import (
    STOP_TIMEOUT_S,
    Workdir,
    describe_exit,
    kiosk_run_command,
    raw_config,
    scratch_parent,
    write_config,
)
from kiosk.config import Config, Layout
from kiosk.core.timeutil import now_kst

# Each page's dwell has a stretch with no page picture held (the next page is made ready
# kiosk.ui.turns.LEAD_S = 3 s before its turn and freed when the hand-over after its fade ends,
# ~0.8 s into the dwell), so the memory floors of two tenths of the run measure the same state.
# With the shortest duration a layout accepts (3 s) a picture was held nearly all the time, and a
# floor that fell in a stretch without one (pages skipped for want of data) read as +26 MB.
PAGE_SECONDS = 6.0
GUI_SILENCE_S = 15.0  # STATUS= comes every 5 s from a GUI-thread timer: 3 missed = stalled
HTTP_TIMEOUT_S = 2.0
FAST_SOURCES: dict[str, Any] = {
    "demo": False,
    "timeout": HTTP_TIMEOUT_S,
    "request_deadline": 2 * HTTP_TIMEOUT_S,  # the fault server's slow answer takes longer
    "fetch_deadline": 6 * HTTP_TIMEOUT_S,
    "api_key_file": None,
    "subway_api_key_file": None,
    "subway_min_interval": 5,
    "subway_daily_budget": 100_000,
    "openapi_daily_budget": 100_000,
    "service_hours": {"start": "00:00", "end": "00:00"},  # all day: the soak may run at night
    "rush_hours": [],
    "intervals": {"air": 60, "bikes": 60, "parks": 600, "trails": 600, "events": 600},
    "cache_expiry": {s: 0 for s in ("subway", "air", "bikes", "parks", "trails", "events")},
}
KEYS = {"SEOUL_API_KEY": "bench-openapi-key-0000", "SEOUL_SUBWAY_API_KEY": "bench-subway-0000"}
_LEVEL = re.compile(r"^(?:<[23]>|\S+ \S+ (?:ERROR|CRITICAL) )")


def _say(text: str) -> None:
    print(f"kiosk bench: {text}", file=sys.stderr, flush=True)


def write_layout(work: Workdir, layout: Layout) -> Path:
    """The layout's pages, each on screen for PAGE_SECONDS, with its own transition."""
    data = layout.model_dump(mode="json", exclude_none=True)
    for page in data["pages"]:
        page["duration"] = PAGE_SECONDS
    path = work.root / "layout.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def log_problems(text: str) -> tuple[list[str], int]:
    """Log lines at ERROR or above (either log format), and the number of tracebacks."""
    errors = [line for line in text.splitlines() if _LEVEL.match(line)]
    return errors, text.count("Traceback (most recent call last)")


def _read_status(work: Workdir) -> dict[str, str]:
    try:
        data = json.loads((work.root / "run" / "status.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {s.get("name", "?"): s.get("status", "?") for s in data.get("sources", [])}


def _wait_ready(sock: socket.socket, proc: subprocess.Popen[bytes], limit_s: float) -> bool:
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s and proc.poll() is None:
        try:
            if b"READY=1" in sock.recv(65536).split(b"\n"):
                return True
        except TimeoutError:
            pass
    return False


class StatusWatch:
    """Reads the kiosk's sd_notify datagrams: the GUI thread sends STATUS= every 5 s, so the
    gaps between them show whether it kept running. Draining the socket matters as well: a
    full queue would block the kiosk's next send (on its GUI thread)."""

    def __init__(self, sock: socket.socket, start: float):
        self.sock = sock
        self.count = 0
        self.last = start
        self.longest_gap = 0.0
        self.text = ""

    def drain(self, wait_s: float) -> None:
        """Read every datagram that arrives within ``wait_s``."""
        deadline = time.monotonic() + wait_s
        while True:
            self.sock.settimeout(max(0.001, deadline - time.monotonic()))
            try:
                msg = self.sock.recv(65536)
            except (TimeoutError, BlockingIOError):
                return
            for field in msg.decode("utf-8", "replace").split("\n"):
                if field.startswith("STATUS="):
                    now = time.monotonic()
                    self.longest_gap = max(self.longest_gap, now - self.last)
                    self.last, self.count, self.text = now, self.count + 1, field[7:]

    def gap_until(self, now: float) -> float:
        return max(self.longest_gap, now - self.last)


def soak_run(work: Workdir, size: tuple[int, int], seconds: float) -> dict[str, Any]:
    """Run `kiosk run` for ``seconds`` after its first frame, sampling its memory each second."""
    sock_path = work.root / "notify.sock"
    log = work.log("soak")
    out: dict[str, Any] = {"alive": False, "exit_code": None, "samples": []}
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock, log.open("wb") as err:
        sock.bind(str(sock_path))
        sock.settimeout(0.2)
        t0 = time.monotonic()
        proc = subprocess.Popen(
            kiosk_run_command(work.config, size),
            # faulthandler: a kiosk that will not stop is sent SIGABRT and prints every thread.
            env=work.env({"NOTIFY_SOCKET": str(sock_path), "PYTHONFAULTHANDLER": "1", **KEYS}),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
        out["pid"] = proc.pid
        try:
            if not _wait_ready(sock, proc, 60.0):
                out["error"] = f"kiosk run (pid {proc.pid}) never showed a frame"
            else:
                out["first_frame_s"] = time.monotonic() - t0
                _say(f"soaking kiosk run (pid {proc.pid}) for {seconds:g} s")
                end = time.monotonic() + seconds
                damage_at = time.monotonic() + seconds / 2
                watch = StatusWatch(sock, time.monotonic())
                while time.monotonic() < end and proc.poll() is None:
                    m = read_memory(proc.pid)
                    out["samples"].append((time.monotonic() - t0, m.rss_mb, m.uss_mb))
                    if damage_at and time.monotonic() >= damage_at:
                        damaged_copy(work.root / "cache" / "http.sqlite", seed=12)
                        damage_at = 0.0
                    watch.drain(min(1.0, max(0.0, end - time.monotonic())))
                out["alive"] = proc.poll() is None
                out["status_updates"] = watch.count
                out["longest_status_gap_s"] = watch.gap_until(time.monotonic())
                out["last_status"] = watch.text
                if out["alive"]:
                    m = read_memory(proc.pid)
                    out["samples"].append((time.monotonic() - t0, m.rss_mb, m.uss_mb))
                out["feeds"] = _read_status(work)
                out["cache_moved_aside"] = moved_aside(work.root / "cache")
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            try:
                out["exit_code"] = proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGABRT)  # the stacks go to its log (see env above)
                try:
                    out["exit_code"] = proc.wait(10)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    out["exit_code"] = proc.wait()
                out["error"] = (
                    f"did not stop within {STOP_TIMEOUT_S:g} s of SIGTERM (its threads' stacks "
                    "are at the end of the log)"
                )
    out["log"] = log.read_text(encoding="utf-8", errors="replace")
    return out


def _memory_summary(samples: list[tuple[float, float, float]], column: int) -> dict[str, float]:
    """Start, warm (a quarter in: every page shown, every source polled), end and max; growth
    compares floors (the lowest reading of the tenth after warm-up and of the last tenth),
    because a reading taken mid-fade includes the two page pixmaps (2 x 26 MB at 4K) that the
    fade frees when it ends."""
    values = [s[column] for s in samples]
    n = len(values)
    tenth = max(1, n // 10)
    warm_floor = min(values[n // 4 : n // 4 + tenth])
    end_floor = min(values[-tenth:])
    return {
        "start": values[0],
        "warm": values[n // 4],
        "end": values[-1],
        "max": max(values),
        "warm_floor": warm_floor,
        "end_floor": end_floor,
        "growth": end_floor - warm_floor,
    }


def run_soak(cfg: Config, layout: Layout, args: Any, opts: dict[str, Any]) -> int:
    """The soak: start the server and the kiosk, report, exit 1 on a crash or a logged error."""
    seconds, size = float(opts["soak"]), opts["size"]
    with tempfile.TemporaryDirectory(prefix="kiosk-soak-", dir=scratch_parent()) as tmp:
        work = Workdir(Path(tmp))
        server = FaultServer(
            cfg.station.subway_station, seconds, HTTP_TIMEOUT_S, now_kst, time.monotonic
        ).start()
        try:
            write_config(
                work,
                raw_config(getattr(args, "config", None)),
                cfg,
                layout=write_layout(work, layout),
                **FAST_SOURCES,
                endpoints=server.endpoints,
            )
            damaged_copy(work.root / "cache" / "http.sqlite")  # the kiosk starts on it
            result = soak_run(work, size, seconds)
        finally:
            server.stop()
    log_text = result.pop("log")
    errors, tracebacks = log_problems(log_text)
    samples = result.pop("samples")
    doc: dict[str, Any] = {
        "mode": "soak",
        "seconds": seconds,
        "size": list(size),
        "pages": len(layout.pages),
        "page_seconds": PAGE_SECONDS,
        "faults": list(dict.fromkeys(PATTERN))
        + [
            f"quota_337 (subway from {QUOTA_FROM['subway']:.0%}, "
            f"general key from {QUOTA_FROM['openapi']:.0%} of the run)",
            "damaged_cache (at start, and a damaged copy in its place at half-time)",
        ],
        "first_frame_s": result.get("first_frame_s"),
        "alive_at_end": result["alive"],
        "exit_code": result["exit_code"],
        "error_records": len(errors),
        "tracebacks": tracebacks,
        "error_lines": errors[:5],
        "status_updates": result.get("status_updates", 0),
        "longest_status_gap_s": result.get("longest_status_gap_s"),
        "last_status": result.get("last_status"),
        "requests": dict(sorted(server.counts.items())),
        "feeds_at_end": result.get("feeds", {}),
        "cache_moved_aside": result.get("cache_moved_aside", 0),
        "memory": {},
    }
    if samples:
        doc["memory"] = {
            "rss_mb": _memory_summary(samples, 1),
            "uss_mb": _memory_summary(samples, 2),
            "growth_budget_mb": BUDGETS["rss_growth"],
        }
    problem = result.get("error")
    if problem is None and not result["alive"]:
        problem = f"kiosk run (pid {result['pid']}) {describe_exit(result['exit_code'])} mid-soak"
    elif problem is None and result["exit_code"] != 0:
        problem = f"kiosk run {describe_exit(result['exit_code'])} on SIGTERM"
    elif problem is None and (result.get("longest_status_gap_s") or 0) > GUI_SILENCE_S:
        gap = result["longest_status_gap_s"]
        problem = f"the GUI thread stalled: no STATUS update for {gap:.0f} s (every 5 s expected)"
    elif problem is None and (errors or tracebacks):
        problem = f"{len(errors)} error records and {tracebacks} tracebacks in the log"
    doc["crashed"] = problem is not None
    doc["error"] = problem
    if problem:  # the kiosk's own last words, since its log goes with the temporary folder
        doc["log_tail"] = log_text.strip().splitlines()[-60:]
    if opts["json"]:
        print(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        print(soak_table(doc))
    if problem:
        print(f"kiosk bench: soak failed: {problem}", file=sys.stderr)
        return 1
    return 0


def soak_table(doc: dict[str, Any]) -> str:
    """The soak report for a terminal."""
    size = doc["size"]
    lines = [
        f"kiosk bench --soak {doc['seconds']:g} at {size[0]}x{size[1]}: kiosk run against a "
        "local fault-injecting server",
        f"{doc['pages']} pages every {doc['page_seconds']:g} s; faults: {', '.join(doc['faults'])}",
        "",
    ]
    ff = doc["first_frame_s"]
    lines.append(f"first frame            {ff:.3f} s" if ff else "first frame            none")
    lines.append(f"alive at the end       {'yes' if doc['alive_at_end'] else 'NO'}")
    lines.append(f"stop on SIGTERM        {describe_exit(doc['exit_code'])}")
    lines.append(f"log records >= ERROR   {doc['error_records']}")
    lines.append(f"tracebacks             {doc['tracebacks']}")
    gap = doc["longest_status_gap_s"]
    lines.append(
        f"GUI thread alive       {doc['status_updates']} STATUS updates, longest gap "
        + (f"{gap:.1f} s" if gap is not None else "-")
    )
    for line in doc["error_lines"]:
        lines.append(f"    {line[:160]}")
    mem = doc["memory"]
    for kind in ("rss_mb", "uss_mb"):
        if kind in mem:
            m = mem[kind]
            verdict = ""
            if kind == "rss_mb":
                verdict = "  ok" if m["growth"] <= mem["growth_budget_mb"] else "  OVER"
            lines.append(
                f"{kind[:3].upper()} start/warm/end   {m['start']:.1f} / {m['warm']:.1f} / "
                f"{m['end']:.1f} MB (max {m['max']:.1f}); floors {m['warm_floor']:.1f} -> "
                f"{m['end_floor']:.1f}, growth {m['growth']:+.2f} MB"
                + (f" (budget ≤ {mem['growth_budget_mb']:g} MB){verdict}" if verdict else "")
            )
    served = ", ".join(f"{k} {v}" for k, v in doc["requests"].items()) or "none"
    lines.append(f"requests served        {served}")
    feeds = ", ".join(f"{k} {v}" for k, v in doc["feeds_at_end"].items()) or "unknown"
    lines.append(f"feeds at the end       {feeds}")
    lines.append(f"damaged caches aside   {doc['cache_moved_aside']}")
    if doc.get("log_tail"):
        lines += [
            "",
            "last lines of the kiosk's log:",
            *(f"    {x[:160]}" for x in doc["log_tail"]),
        ]
    lines.append("")
    lines.append("PASSED" if not doc["crashed"] else f"FAILED: {doc['error']}")
    return "\n".join(lines)
