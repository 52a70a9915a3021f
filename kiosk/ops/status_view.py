"""``kiosk status``: read the running kiosk's status file and print a summary or JSON."""

from __future__ import annotations

import argparse
import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kiosk.core.format import duration_text as duration
from kiosk.core.timeutil import kst_text
from kiosk.ops.redact import Redactor, secrets_from_environ
from kiosk.ops.status import STATUS_FILE, candidate_dirs, find_status_file, proc_start_ticks

EXIT_OK, EXIT_FAIL = 0, 1
# The app rewrites the file every few seconds; older than this, its GUI thread is stuck
# (the watchdog will restart it shortly) or it was killed without cleaning up.
STALE_AFTER_S = 30.0


def _parse(text: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(text) if isinstance(text, str) else None
    except ValueError:
        return None


def _clock(text: Any) -> str:
    # KST, labelled, whatever zone the writer used: one clock in everything an operator reads.
    return kst_text(_parse(text))


def pid_alive(pid: Any, proc_start: Any) -> bool:
    """True if ``pid`` runs and (when known) started when the writer did (no pid reuse)."""
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, owned by the kiosk user
        pass
    except OSError:
        return False
    now_start = proc_start_ticks(pid)
    return not (isinstance(proc_start, int) and now_start is not None and now_start != proc_start)


def _with_ages(data: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Recompute ages against the reader's clock, so a JSON consumer gets current values."""
    out = dict(data)
    written = _parse(data.get("written_at"))
    out["report_age_s"] = None if written is None else round((now - written).total_seconds(), 1)
    started = _parse(data.get("started_at"))
    if started is not None:
        out["uptime_s"] = round((now - started).total_seconds(), 1)
    sources = []
    for src in data.get("sources") or []:
        src = dict(src) if isinstance(src, dict) else {"name": str(src)}
        fetched = _parse(src.get("fetched_at"))
        src["age_s"] = None if fetched is None else round((now - fetched).total_seconds(), 1)
        sources.append(src)
    out["sources"] = sources
    return out


def _state_text(value: Any) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, dict):
        return " ".join(f"{k}={v}" for k, v in value.items()) or "-"
    return str(value)


def summary(data: dict[str, Any]) -> list[str]:
    """The readable summary lines for a status object that went through ``_with_ages``."""
    v = data.get("versions") or {}
    lines = [
        f"kiosk {v.get('kiosk', '?')}{f' (commit {c})' if (c := v.get('commit')) else ''}: "
        f"{data.get('state', 'running')}, pid {data.get('pid')}, "
        f"up {duration(data.get('uptime_s'))} (since {_clock(data.get('started_at'))})",
        f"report:   {duration(data.get('report_age_s'))} old",
    ]
    if data.get("demo") is not None:
        lines.append(
            "data:     DEMO: bundled recordings, not live (sources.demo: true); the screen "
            "says 시연 데이터 · DEMO DATA"
            if data["demo"]
            else "data:     live"
        )
    page = data.get("page")
    since = _parse(data.get("page_since"))
    written = _parse(data.get("written_at"))
    on_for = (
        f" (on screen {duration((written - since).total_seconds())} at report time)"
        if since and written
        else ""
    )
    lines.append(f"page:     {page or '-'}{on_for}")
    notice = data.get("notice")
    if isinstance(notice, dict):
        lines.append(
            f"notice:   {notice.get('level', '?')} ({notice.get('origin', '?')}) since "
            f"{_clock(notice.get('since'))} until {_clock(notice.get('until'))}: "
            f"{notice.get('text', '')}"
        )
    for i, src in enumerate(data.get("sources") or []):
        head = "sources:  " if i == 0 else "          "
        age = "no data" if src.get("age_s") is None else f"data {duration(src['age_s'])} old"
        err = f"  last error: {src['error']}" if src.get("error") else ""
        lines.append(f"{head}{src.get('name', '?'):<8} {src.get('status', '?'):<12} {age}{err}")
    if not data.get("sources"):
        lines.append("sources:  -")
    panel = data.get("panel")
    if isinstance(panel, dict):
        err = f"  error: {panel['error']}" if panel.get("error") else ""
        lines.append(
            f"panel:    {panel.get('driver', '?')}: desired {_state_text(panel.get('desired'))}; "
            f"actual {_state_text(panel.get('actual'))}{err}"
        )
        for hold in panel.get("holds") or []:
            lines.append(f"          hold: {hold.get('text') if isinstance(hold, dict) else hold}")
    else:
        lines.append("panel:    -")
    errors = list(data.get("errors") or [])
    if isinstance(panel, dict) and panel.get("error"):
        # The panel's current fault is an error now, whether or not its log line is still
        # among the last few.
        actual = panel.get("actual")
        state = actual.get("state") if isinstance(actual, dict) else None
        message = f"{state}: {panel['error']}" if state else str(panel["error"])
        if not any(message in str(e.get("message")) for e in errors):
            errors.append({"at": panel.get("checked_at"), "where": "panel", "message": message})
    for i, e in enumerate(errors):
        head = "errors:   " if i == 0 else "          "
        times = f" (x{e.get('count')})" if (e.get("count") or 1) > 1 else ""
        lines.append(
            f"{head}{_clock(e.get('at'))} {e.get('where', '?')}: {e.get('message')}{times}"
        )
    if not errors:
        lines.append("errors:   none")
    lines.append("versions: " + ", ".join(f"{k} {val}" for k, val in v.items()))
    if data.get("config"):
        lines.append(f"config:   {data['config']}")
    return lines


def _not_running(reason: str, as_json: bool) -> int:
    print(
        json.dumps({"running": False, "reason": reason})
        if as_json
        else f"kiosk is not running: {reason}"
    )
    return EXIT_FAIL


def run_status(
    args: argparse.Namespace, *, now: datetime | None = None, environ: dict[str, str] | None = None
) -> int:
    """Print the status summary (or JSON); exit 1 if no kiosk runs or its report is stale."""
    env = dict(os.environ) if environ is None else environ
    as_json = bool(getattr(args, "json", False))
    if getattr(args, "runtime_dir", None):
        path: Path | None = Path(args.runtime_dir) / STATUS_FILE
        where = str(path)
    else:
        path = find_status_file(env)
        where = "any of " + ", ".join(str(d / STATUS_FILE) for d in candidate_dirs(env))
    if path is None or not path.is_file():
        return _not_running(f"no status file ({where})", as_json)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(data, dict):
            raise ValueError("not a JSON object")
    except (OSError, ValueError) as e:
        print(f"kiosk status: cannot read {path}: {' '.join(str(e).split())}")
        return EXIT_FAIL
    if not pid_alive(data.get("pid"), data.get("proc_start")):
        return _not_running(
            f"pid {data.get('pid')} has exited (stale {path}, last written "
            f"{_clock(data.get('written_at'))})",
            as_json,
        )
    now = datetime.now(UTC) if now is None else now
    # The writer scrubbed already; scrub again in case an older kiosk wrote the file.
    data = Redactor(secrets_from_environ(env)).scrub(_with_ages(data, now))
    data.pop("proc_start", None)
    data["running"] = True
    age = data.get("report_age_s")
    stale = age is None or age > STALE_AFTER_S
    if as_json:
        data["stale"] = stale
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        print("\n".join(summary(data)))
        if stale:
            print(
                f"WARNING: the report is {duration(age)} old (expected every few seconds): "
                "the kiosk may be frozen; the watchdog restarts it."
            )
    return EXIT_FAIL if stale else EXIT_OK
