"""What the window is built from: the station, its pages and their timing, as plain values
(the UI never sees config objects; ``kiosk.app.window_setup`` makes them from the config)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from kiosk.core.views.buses import StopSpec


@dataclass(frozen=True)
class PageSetup:
    page_id: str
    kind: str
    duration: float
    max_items: int | None = None
    qr_url: str = ""  # QR url template: the page's own, or the station's feedback code
    qr_ko: str = ""  # the label beside the code
    qr_en: str = ""


@dataclass(frozen=True)
class WindowSetup:
    """Everything the window needs, as plain values (the UI never sees config objects)."""

    station_ko: str
    station_en: str
    lines: tuple[str, ...]
    district: str
    lat: float
    lon: float
    pages: tuple[PageSetup, ...]
    transition_ms: int
    freshness: Mapping[str, tuple[float, float]]  # source -> (stale_after, unavailable_after)
    labels: Mapping[str, tuple[str, str]]  # source -> (Korean, English) name for the footer
    station_slug: str = ""  # {station} in QR urls
    shift_pixels: int = 0  # pixel shift against burn-in: the margin the scene orbits in (0: off)
    shift_every_s: float = 180.0  # seconds per one-pixel step
    demo: bool = False  # on bundled recordings: every page carries the demo mark
    demo_recorded: bool = True  # False: demo mode, but no recording of this station
    bus_stops: tuple[StopSpec, ...] = ()  # the buses page's stops (station.bus_stops)
    notice_seconds: float = 15.0  # the emergency notice page's slot (notices.page_seconds)
