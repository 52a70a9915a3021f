"""Poll cost per source: the bundled demo responses through the real parsers."""

from __future__ import annotations

import importlib
import time
from importlib import resources

from kiosk.sources.demo import RECORDED_AT, station_key

# source -> the recording in kiosk/demo/ (the same files kiosk.sources.demo replays).
DEMO_FILES = {
    "subway": "subway_{station}.json",
    "air": "air.json",
    "parks": "parks.json",
    "trails": "trails.json",
    "bikes": "bikes.json",
    "events": "events.json",
    "bus": "bus_{station}.json",
}


def demo_body(source: str, station: str) -> bytes:
    """The raw recorded body of ``source`` (for the subway: the station's own)."""
    name = DEMO_FILES[source].format(station=station_key(station))
    return resources.files("kiosk.demo").joinpath(name).read_bytes()


def parse_costs(station: str, repeats: int) -> dict[str, tuple[list[float], int]]:
    """Per source: milliseconds per ``parse(body, now)`` over ``repeats`` runs, and the body size.

    The first call (imports, regex compilation) is left out: a running kiosk pays it once.
    """
    out: dict[str, tuple[list[float], int]] = {}
    for source in DEMO_FILES:
        parse = importlib.import_module(f"kiosk.sources.{source}").parse
        body = demo_body(source, station)
        parse(body, RECORDED_AT)
        samples = []
        for _ in range(repeats):
            t = time.perf_counter()
            parse(body, RECORDED_AT)
            samples.append((time.perf_counter() - t) * 1000.0)
        out[source] = (samples, len(body))
    return out
