"""Regenerate the bundled demo recordings: ``python -m kiosk.demo._build``.

Not imported at run time. Writes real-format API bodies next to this file; the values are
hand-written (trains, parks, stations) or drawn from a fixed seed (air quality), so a rebuild
is byte-for-byte reproducible. Trains: ``_build_subway``; air: ``_build_air``; parks, trails,
bikes and events: ``_build_places``; buses: ``_build_bus``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kiosk.demo._build_air import air_body, air_history
from kiosk.demo._build_bus import BUS_BODIES
from kiosk.demo._build_places import bikes_body, events_body, parks_body, trails_body
from kiosk.demo._build_subway import SUBWAY_BODIES

OUT = Path(__file__).resolve().parent


def _write(name: str, data: Any) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=1) + "\n"
    (OUT / name).write_text(text, encoding="utf-8")


def main() -> None:
    """Write every demo body."""
    for station, body in SUBWAY_BODIES.items():
        _write(f"subway_{station}.json", body)
    _write("air.json", air_body())
    _write("air_history.json", air_history())
    _write("parks.json", parks_body())
    _write("trails.json", trails_body())
    _write("bikes.json", bikes_body())
    _write("events.json", events_body())
    for station, body in BUS_BODIES.items():
        _write(f"bus_{station}.json", body)


if __name__ == "__main__":
    main()
