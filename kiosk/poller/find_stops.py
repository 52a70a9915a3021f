"""``kiosk find-stops [--radius M] [--json]``: the bus stops around ``station.location``.

A technician's helper for ``station.bus_stops``: one TOPIS ``getStationByPos`` call, nearest
stop first, with each stop's ARS id (the number on its sign), name and distance. It goes through
the kiosk's own session and the bus key's quota ledger, so the call is counted with the day's
others, a daily-limit answer blocks the key until midnight KST (the kiosk's bus polling then
waits too) and the key reaches no disk, log line or output. It asks the live API even with
``sources.demo: true``: there is no recording of the stops around every station.

Exit 0 with the list (an empty one is an answer too), 1 when the call fails (no key, a rejected
key, the daily limit, the network), 2 for a bad ``--radius`` or config (argparse, the CLI).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from kiosk.config import Config
from kiosk.core.geo import haversine_m
from kiosk.core.models import BusStop
from kiosk.core.timeutil import kst_text, now_kst
from kiosk.errors import ApiKeyError, KioskError, QuotaExceeded, SourceError
from kiosk.poller import http
from kiosk.poller.service import Poller
from kiosk.sources import bus
from kiosk.sources.registry import BUS
from kiosk.sources.shapes import iso

DEFAULT_RADIUS_M = 300
EXIT_OK, EXIT_FAIL = 0, 1


@dataclass(frozen=True)
class FoundStops:
    """The answer: the stops nearest first, and where and when it came from."""

    lat: float
    lon: float
    radius_m: int
    stops: tuple[BusStop, ...]
    fetched_at: datetime
    note: str | None = None  # the call failed and this is the stored answer: why


def radius_arg(text: str) -> int:
    """``--radius``: whole metres, 1 to ``bus.MAX_RADIUS_M`` (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected whole metres, e.g. 300 (got {text!r})"
        ) from None
    if not 1 <= value <= bus.MAX_RADIUS_M:
        raise argparse.ArgumentTypeError(f"{value} m is out of range (1..{bus.MAX_RADIUS_M})")
    return value


def _key_hint() -> str:
    return f"{BUS.key_env} or sources.{BUS.key_file_setting}"


def _with_distances(stops: tuple[BusStop, ...], lat: float, lon: float) -> tuple[BusStop, ...]:
    # The API's own ``dist`` when it gives one, else measured from the station; nearest first.
    measured = tuple(
        s
        if s.distance_m is not None
        else replace(s, distance_m=haversine_m(lat, lon, s.lat, s.lon))
        for s in stops
    )
    return tuple(sorted(measured, key=lambda s: (s.distance_m or 0.0, s.name)))


def find_stops(poller: Poller, radius_m: int, now: datetime) -> FoundStops:
    """The stops within ``radius_m`` of the station; raises a one-line ``KioskError`` why not."""
    st = poller.station
    session = poller.session
    if session is None:  # only in demo mode, which run() switches off
        raise SourceError("no HTTP session")
    try:
        key = poller.keys.key(BUS.name)
    except ApiKeyError as e:
        raise SourceError(f"no bus API key: set {_key_hint()}") from e
    ledger = poller.ledgers[BUS.name]
    blocked = ledger.state(now).blocked_until
    if blocked is not None and blocked > now:
        raise SourceError(
            f"the bus key's daily limit was reached; no calls until {kst_text(blocked)}"
        )
    url = bus.stops_url(poller.cfg.sources.endpoint(BUS.name), key, st.lat, st.lon, radius_m)

    def accept(content: bytes) -> bool:
        try:
            bus.parse_stops(content, now)
            return True
        except Exception:  # an error body is never stored over a good answer
            return False

    try:
        body = http.get(
            session, url, now=now, expire_after=0, timeout=poller.cfg.sources.timeout, accept=accept
        )
    finally:
        ledger.record_calls(session.trace.sent, now)
    try:
        stops = bus.parse_stops(body.content, now)
    except QuotaExceeded as e:
        ledger.exhausted(now)
        raise SourceError(
            f"the bus key's daily limit is reached ({e.one_line()}); no calls until 00:00 KST"
        ) from None
    except ApiKeyError as e:
        raise SourceError(
            f"the bus API key was rejected ({e.one_line()}): check {_key_hint()} "
            "(a data.go.kr key for 서울특별시_정류소정보조회)"
        ) from None
    except SourceError as e:
        raise SourceError(f"unusable answer from {http.host_of(url)}: {e.one_line()}") from None
    note = None
    if body.fallback_error:
        note = f"{body.fallback_error}; showing the answer stored {kst_text(body.fetched_at)}"
    return FoundStops(
        st.lat, st.lon, radius_m, _with_distances(stops, st.lat, st.lon), body.fetched_at, note
    )


def as_json(found: FoundStops) -> dict[str, Any]:
    """The ``kiosk find-stops --json`` object."""
    return {
        "location": {"lat": found.lat, "lon": found.lon},
        "radius_m": found.radius_m,
        "fetched_at": iso(found.fetched_at),
        "error": found.note,
        "stops": [
            {
                "ars_id": s.ars_id,
                "name": s.name,
                "distance_m": round(s.distance_m) if s.distance_m is not None else None,
                "lat": s.lat,
                "lon": s.lon,
            }
            for s in found.stops
        ],
    }


def table(found: FoundStops) -> str:
    """The stops as a table, then the lines to paste into ``station.bus_stops``."""
    where = f"{found.lat:.5f}, {found.lon:.5f}"
    if not found.stops:
        return (
            f"no bus stops within {found.radius_m} m of station.location ({where}); "
            f"try a larger --radius (up to {bus.MAX_RADIUS_M})\n"
        )
    lines = [
        f"bus stops within {found.radius_m} m of station.location ({where}), nearest first:",
        "ARS ID  DISTANCE  NAME",
    ]
    for s in found.stops:
        lines.append(f"{s.ars_id:<6}  {round(s.distance_m or 0):>6} m  {s.name}")
    lines.append("")
    lines.append("station.bus_stops takes the ARS id as the stop's sign shows it, e.g.:")
    lines.append("  bus_stops:")
    for s in found.stops[:3]:
        lines.append(f'    - {{ars_id: "{s.ars_id}"}}   # {s.name}')
    return "\n".join(lines) + "\n"


def _live(cfg: Config) -> Config:
    """``cfg`` with live sources: the stops come from the API even on a demo config."""
    if not cfg.sources.demo:
        return cfg
    return cfg.model_copy(update={"sources": cfg.sources.model_copy(update={"demo": False})})


def run(cfg: Config, args: argparse.Namespace) -> int:
    """Look the stops up, print a table or JSON, return the exit code."""
    radius = getattr(args, "radius", None) or DEFAULT_RADIUS_M
    if not logging.getLogger().handlers:
        # A technician's terminal: the one line below says what failed; Python's last-resort
        # handler would repeat the ledger's and the session's warnings around it.
        logging.getLogger("kiosk.poller").addHandler(logging.NullHandler())
    poller = Poller(_live(cfg), sources=())
    try:
        found = find_stops(poller, radius, now_kst())
    except KioskError as e:
        print(f"kiosk find-stops: {e.one_line()}", file=sys.stderr)
        return EXIT_FAIL
    finally:
        poller.close()
    if found.note:
        print(f"kiosk find-stops: warning: {found.note}", file=sys.stderr)
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(as_json(found), ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(table(found))
    return EXIT_OK
