"""``kiosk screenlog [--at HH:MM] [--date YYYY-MM-DD] [--json]``: what the screen showed then.

Answers "what did the screen show at 08:14?" compactly: the page, when it came and went, when
its data was fetched (and produced by the city's system), then one line per arrival, reading,
place or notice (``5호선 방화행 3분``), as the screen log recorded it. Times are KST, labelled.
Exit 0 with an answer, 1 when nothing was recorded then, 2 for a time that cannot be read.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from kiosk.core.timeutil import KST, kst_text, now_kst
from kiosk.ops.screenlog import ScreenLog, default_path

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def add_parser(sub: Any) -> argparse.ArgumentParser:
    """The ``screenlog`` subcommand's options (on ``kiosk``'s subparsers)."""
    p: argparse.ArgumentParser = sub.add_parser(
        "screenlog",
        help="what the screen showed at a given time",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    p.add_argument("--at", metavar="HH:MM[:SS]", help="the time (KST); default: now")
    p.add_argument("--date", metavar="YYYY-MM-DD", help="the day (KST); default: today")
    p.add_argument("--log", type=Path, help="the screen log (default: the kiosk's own)")
    p.add_argument("--json", action="store_true", help="the recorded entry as JSON")
    return p


def when_asked(at: str | None, day: str | None, now: datetime) -> datetime:
    """The moment ``--at``/``--date`` name, in KST; ValueError naming what cannot be read."""
    try:
        d = date.fromisoformat(day) if day else now.astimezone(KST).date()
    except ValueError:
        raise ValueError(f"cannot read date {day!r} (use 2026-12-01)") from None
    if not at:
        return now if day is None else datetime.combine(d, time(23, 59, 59), KST)
    try:
        t = time.fromisoformat(at)
    except ValueError:
        raise ValueError(f"cannot read time {at!r} (use 08:14 or 08:14:30)") from None
    return datetime.combine(d, t.replace(tzinfo=None), KST)


def _stamp(value: Any) -> str:
    if isinstance(value, str):
        try:
            return kst_text(datetime.fromisoformat(value))
        except ValueError:
            return value
    return "-" if value is None else str(value)


def compact(entry: Mapping[str, Any]) -> list[str]:
    """The readable lines of one screen-log entry."""
    until = entry.get("shown_until")
    out = [
        f"{_stamp(entry.get('shown_at'))}  page {entry.get('page')}"
        + (f" (until {_stamp(until)})" if until else " (still on screen)")
    ]
    for name, src in (entry.get("sources") or {}).items():
        src = src or {}
        data = f"  {name}: {src.get('status', '?')}, fetched {_stamp(src.get('fetched_at'))}"
        if src.get("received_at"):
            data += f", produced {_stamp(src['received_at'])}"
        out.append(data)
    notice = entry.get("notice")
    if isinstance(notice, Mapping):  # a takeover, notice page or banner: its start, its end
        event = {"start": "started", "end": "ended"}.get(str(notice.get("event")), "on screen")
        out.append(
            f"  notice {event} ({notice.get('mode', '?')}): {notice.get('level', '?')} "
            f"{notice.get('id', '?')} from {notice.get('origin', '?')}, "
            f"until {_stamp(notice.get('until'))}"
        )
    out += [f"  {line}" for line in entry.get("lines") or []]
    return out


def run(args: argparse.Namespace, now: datetime | None = None) -> int:
    """Print what was on screen at the asked time; the exit code."""
    try:
        at = when_asked(args.at, args.date, now or now_kst())
    except ValueError as e:
        print(f"kiosk screenlog: {e}", file=sys.stderr)
        return EXIT_USAGE
    path = args.log or default_path()
    entry = ScreenLog(path).query(at)
    if entry is None:
        print(f"kiosk screenlog: nothing recorded at {kst_text(at)} in {path}", file=sys.stderr)
        return EXIT_FAIL
    if args.json:
        print(json.dumps(entry, ensure_ascii=False, indent=2))
    else:
        print("\n".join(compact(entry)))
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m kiosk.ops.screenlog_cli``: the same as ``kiosk screenlog``."""
    p = argparse.ArgumentParser(prog="kiosk screenlog")
    sub = p.add_subparsers(dest="command", required=True)
    add_parser(sub)
    return run(p.parse_args(["screenlog", *(argv or sys.argv[1:])]))


if __name__ == "__main__":
    raise SystemExit(main())
