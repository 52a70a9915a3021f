"""What a source declaration is: the API key it uses, how its requests are built, and the rest
of a ``SourceSpec``. The declarations themselves are ``kiosk.sources.registry``."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.station import Station
from kiosk.sources._common import Parsed
from kiosk.sources.demo import Recording

ParseRows = Callable[[bytes | str, datetime], Parsed[Any]]
Select = Callable[[tuple[Any, ...], Station, datetime], tuple[Any, ...]]
ToJson = Callable[[Any, Station], dict[str, Any]]

PAGE_ROWS = 1000  # the openapi maximum per call (ERROR-336 above it)


@dataclass(frozen=True)
class Api:
    """One API key: where it is read from, its endpoint, its daily budget and quota ledger."""

    name: str  # the key, its quota ledger and ``sources.endpoints.<name>`` share this name
    endpoint: str  # the public base URL (the default of ``sources.endpoints.<name>``)
    key_env: str  # environment variable holding the key
    key_file_setting: str  # ``sources.<this>`` names a file holding the key
    budget_setting: str  # ``sources.<this>``: calls a day
    paced: bool = False  # spread over service hours, denser in rush hours (subway, buses)
    min_interval_setting: str = ""  # paced: ``sources.<this>``, the shortest gap between calls


@dataclass(frozen=True)
class Single:
    """One request; ``parse`` when this request's body needs its own (the stop it asked for)."""

    url: str
    parse: ParseRows | None = None


@dataclass(frozen=True)
class Paged:
    """Pages of ``rows`` rows (``url_for(first_row, last_row)``), until the API's total count."""

    url_for: Callable[[int, int], str]
    max_pages: int
    rows: int = PAGE_ROWS


Request = Single | Paged
Requests = Callable[[str, str, Station, datetime], tuple[Request, ...]]  # base, key, station, now


@dataclass(frozen=True)
class SourceSpec:
    """Everything the kiosk knows about one source, declared once."""

    name: str
    label_ko: str  # the footer's name for the source
    label_en: str
    api: Api
    requests: Requests
    parse: ParseRows  # usable items and how many rows were dropped
    select: Select
    to_json: ToJson
    stale_after_s: int  # defaults of ``sources.freshness.<name>``
    unavailable_after_s: int
    cache_expiry_s: int  # default of ``sources.cache_expiry.<name>``
    # Default of ``sources.max_body_kib.<name>``: the largest decoded body accepted, ~8x the
    # largest real one (a gzip bomb or a runaway page is refused, never read whole).
    max_body_kib: int = 2048
    interval_s: int | None = None  # default of ``sources.intervals.<name>``; None: paced by budget
    min_interval_s: int = 60
    demo: Recording | None = None
    history: str | None = None  # the snapshot of kept history this source feeds (air_history)
    history_demo: Recording | None = None
    # The station's own rows are always there (its lines, its district): when rows were dropped
    # and none of this station's is left, the body is not "no data" but an unusable answer.
    needs_own_rows: bool = False
    # Items that keep their own body's fetch time (each bus stop's answer ages on its own).
    stamp: Callable[[Any, datetime], Any] | None = None
    # Calls one refresh makes (a budget-paced source spaces its refreshes by as many intervals).
    calls_per_poll: Callable[[Station], int] = lambda st: 1
    # Polled whatever the layout shows, and on while the panel is scheduled off: what it feeds
    # is not a page (the alert feed's notices take over the screen, and a critical one wakes
    # the panel).
    always_polled: bool = False
    backoff_max_s: float = 900.0  # the longest wait before retrying a failing source

    def items(self, body: bytes | str, now: datetime) -> tuple[Any, ...]:
        """The usable items of a body (for demo replay and tools)."""
        return tuple(self.parse(body, now).items)

    @property
    def freshness(self) -> FreshnessPolicy:
        """The default freshness policy."""
        return FreshnessPolicy(float(self.stale_after_s), float(self.unavailable_after_s))


def total_count(content: bytes) -> int | None:
    """``list_total_count`` of an openapi answer, for paging; None when absent."""
    try:
        data = json.loads(content.decode("utf-8", errors="replace"))
    except (ValueError, RecursionError):
        return None
    if isinstance(data, dict):
        for wrapper in data.values():
            total = wrapper.get("list_total_count") if isinstance(wrapper, dict) else None
            # Infinity, NaN and 1e400 are valid JSON numbers: none of them is a row count.
            if isinstance(total, (int, float)) and not isinstance(total, bool):
                return int(total) if math.isfinite(total) and 0 <= total < 1e9 else None
    return None
