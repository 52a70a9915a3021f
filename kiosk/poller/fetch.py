"""``kiosk fetch [--source NAME] [--json]``: poll each source once and print what came back.

Exit 0 when at least one requested source got an answer this time (data or "no data"), 1 when
every requested source failed (even if cached data could be shown), 2 for an unknown source.
The JSON shape is fixed in shared/DESIGN.md ("kiosk fetch --json shape"). What it prints passes
the poller's redactor (an error line may quote a request path); a cache file it cannot use is
one ``warning:`` line on stderr.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import replace
from datetime import datetime
from typing import Any

from kiosk.config import Config
from kiosk.core.format import duration_text
from kiosk.core.health import health
from kiosk.core.models import Snapshot
from kiosk.core.station import Station
from kiosk.core.timeutil import now_kst
from kiosk.poller.service import Poller, poll_once
from kiosk.sources.registry import SOURCES
from kiosk.sources.shapes import iso

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def snapshot_json(snap: Snapshot[Any], station: Station) -> dict[str, Any]:
    """A source's entry in the ``kiosk fetch --json`` object (items in the source's own shape)."""
    to_json = SOURCES[snap.source].to_json
    return {
        "status": snap.status.value,
        "fetched_at": iso(snap.fetched_at),
        "error": snap.error,
        "items": [to_json(i, station) for i in snap.items],
    }


def _shown(snaps: dict[str, Snapshot[Any]], poller: Poller, now: datetime) -> dict[str, Any]:
    """The snapshots with only the items that may be shown (data too old to trust: none)."""
    out = {}
    for name, snap in snaps.items():
        showable = health(snap, poller.coordinators[name].policy, now).showable
        out[name] = snap if showable else replace(snap, items=())
    return out


def _age(snap: Snapshot[Any], now: datetime) -> str:
    if snap.fetched_at is None:
        return "-"
    return duration_text((now - snap.fetched_at).total_seconds(), compact=True)


def table(snaps: dict[str, Snapshot[Any]], now: datetime) -> str:
    """The human-readable table: source, status, items, age, error."""
    rows = [("SOURCE", "STATUS", "ITEMS", "AGE", "ERROR")]
    for name, snap in snaps.items():
        rows.append(
            (name, snap.status.value, str(len(snap.items)), _age(snap, now), snap.error or "")
        )
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return (
        "\n".join(
            "  ".join(r[i].ljust(widths[i]) for i in range(4)) + "  " + r[4] for r in rows
        ).rstrip()
        + "\n"
    )


def run(cfg: Config, args: argparse.Namespace) -> int:
    """Poll the requested sources once, print a table or JSON, return the exit code."""
    # Demo mode replays recordings: a source without one (the alert feed) has nothing to show.
    wanted = tuple(n for n, s in SOURCES.items() if not cfg.sources.demo or s.demo is not None)
    if getattr(args, "source", None):
        if args.source not in SOURCES:
            print(
                f"kiosk fetch: unknown source {args.source!r} (known: {', '.join(SOURCES)})",
                file=sys.stderr,
            )
            return EXIT_USAGE
        wanted = (args.source,)
    if not logging.getLogger().handlers:
        # No logging set up (a technician's terminal): the table already says what failed, so
        # keep Python's last-resort handler from repeating each warning on stderr.
        logging.getLogger("kiosk.poller").addHandler(logging.NullHandler())
    poller = Poller(cfg, sources=wanted)
    try:
        now = now_kst()
        snaps = _shown(poll_once(poller, now), poller, now)
        failed = [s for s in wanted if not poller.coordinators[s].last_update_success]
        problem = poller.session.problem if poller.session is not None else None
    finally:
        poller.close()
    red = poller.redactor
    if problem:
        print(f"warning: {red.secrets_only(problem)}", file=sys.stderr)
    station = cfg.station_info()
    if getattr(args, "json", False):
        out = {name: snapshot_json(snap, station) for name, snap in snaps.items()}
        text = json.dumps(out, ensure_ascii=False, indent=2) + "\n"
    else:
        text = table(snaps, now_kst())
    # Errors were redacted when they happened; data is only ever masked of the keys themselves.
    sys.stdout.write(red.secrets_only(text))
    return EXIT_FAIL if len(failed) == len(wanted) else EXIT_OK
