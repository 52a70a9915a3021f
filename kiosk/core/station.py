"""What the kiosk knows about its station, as plain values (built once from the config)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


@dataclass(frozen=True)
class Station:
    """The station facts that requests, selection and `kiosk fetch` need."""

    subway_station: str  # the name the subway API expects ("여의도")
    lines: tuple[str, ...]  # subwayId values shown, in this order
    district: str  # air-quality district ("영등포구")
    lat: float
    lon: float
    # How many of the nearest places each source keeps (``sources.nearby``).
    nearby: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    bus_stops: tuple[str, ...] = ()  # ARS ids of the stops on the buses page, in order
    # How far back the alert feed is read: the longest of ``notices.windows`` (an alert older
    # than that is never on screen, so its day need not be asked for).
    alert_lookback_s: float = 6 * 3600.0

    def keep(self, source: str, default: int = 10) -> int:
        """How many of ``source``'s nearest places to keep."""
        return int(self.nearby.get(source, default))
