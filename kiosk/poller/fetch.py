"""``kiosk fetch [--source NAME] [--json]``: poll each source once and print what came back.

Exit 0 when at least one requested source got an answer this time (data or "no data"), 1 when
every requested source failed (even if cached data could be shown), 2 for an unknown source.
The JSON shape is fixed in shared/DESIGN.md ("kiosk fetch --json shape").
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from datetime import datetime
from typing import Any

from kiosk.config import Config
from kiosk.core.grades import pm10_grade, pm25_grade
from kiosk.core.models import AirReading, Arrival, BikeStation, CulturalEvent, Park, Snapshot, Trail
from kiosk.core.timeutil import KST, now_kst
from kiosk.poller.feeds import SOURCES
from kiosk.poller.select import distance_m
from kiosk.poller.service import Poller, poll_once

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2


def _iso(when: datetime | None) -> str | None:
    return when.astimezone(KST).isoformat() if when else None


def item_json(item: Any, lat: float, lon: float) -> dict[str, Any]:
    """One item in the ``kiosk fetch --json`` shape of its source."""
    if isinstance(item, Arrival):
        return {
            "line_id": item.line_id,
            "line": item.line,
            "direction": item.direction,
            "destination": item.destination,
            "eta_s": item.eta_s,
            "arrival_code": item.arrival_code,
            "message": item.message,
            "train_no": item.train_no,
            "express": item.express,
            "last_train": item.last_train,
            "received_at": _iso(item.received_at),
        }
    if isinstance(item, AirReading):
        return {
            "district": item.district,
            "pm10": item.pm10,
            "pm25": item.pm25,
            "pm10_grade": pm10_grade(item.pm10),
            "pm25_grade": pm25_grade(item.pm25),
            "measured_at": _iso(item.measured_at),
        }
    if isinstance(item, Park):
        return {
            "name": item.name,
            "district": item.district,
            "lat": item.lat,
            "lon": item.lon,
            "distance_m": round(distance_m(lat, lon, item.lat, item.lon)),
        }
    if isinstance(item, Trail):
        points = item.points or ((item.lat, item.lon),)
        return {
            "name": item.name,
            "district": item.district,
            "lat": item.lat,
            "lon": item.lon,
            "distance_m": round(min(distance_m(lat, lon, p[0], p[1]) for p in points)),
            "length_km": item.distance_km,
            "duration": item.duration,
            "level": item.level,
            "points": len(item.points),
        }
    if isinstance(item, BikeStation):
        return {
            "station_id": item.station_id,
            "name": item.name,
            "lat": item.lat,
            "lon": item.lon,
            "distance_m": round(distance_m(lat, lon, item.lat, item.lon)),
            "bikes": item.bikes,
            "racks": item.racks,
            "docks_free": item.docks_free,
        }
    if isinstance(item, CulturalEvent):
        return {
            "title": item.title,
            "category": item.category,
            "district": item.district,
            "place": item.place,
            "starts": _iso(item.starts),
            "ends": _iso(item.ends),
            "is_free": item.is_free,
            "fee": item.fee,
            "url": item.url,
        }
    return {"value": repr(item)}


def snapshot_json(snap: Snapshot[Any], lat: float, lon: float) -> dict[str, Any]:
    """A source's entry in the ``kiosk fetch --json`` object."""
    return {
        "status": snap.status.value,
        "fetched_at": _iso(snap.fetched_at),
        "error": snap.error,
        "items": [item_json(i, lat, lon) for i in snap.items],
    }


def _age(snap: Snapshot[Any], now: datetime) -> str:
    if snap.fetched_at is None:
        return "-"
    s = max(0, int((now - snap.fetched_at).total_seconds()))
    if s < 120:
        return f"{s}s"
    if s < 7200:
        return f"{s // 60}m"
    if s < 2 * 86400:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    return f"{s // 86400}d"


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
    wanted: tuple[str, ...] = SOURCES
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
        snaps = poll_once(poller, now_kst())
        failed = [s for s in wanted if not poller.coordinators[s].last_update_success]
    finally:
        poller.close()
    lat, lon = cfg.station.location.lat, cfg.station.location.lon
    if getattr(args, "json", False):
        out = {name: snapshot_json(snap, lat, lon) for name, snap in snaps.items()}
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(table(snaps, now_kst()))
    return EXIT_FAIL if len(failed) == len(wanted) else EXIT_OK
