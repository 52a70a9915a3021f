"""The source registry: one frozen declaration per data source, and the API keys they use.

Config defaults (interval, cache expiry, freshness), the poller (requests, parsing, selection,
pacing, quota ledgers, demo replay), `kiosk fetch` (names and JSON shape), status and, through
the composition root, the pages (footer labels, freshness policy) all read this table. Adding a
source is a module in ``kiosk/sources``, one entry in ``SOURCES`` and its page kind (or, for a
source no page shows, such as the alert feed, ``always_polled``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any

from kiosk.core import select
from kiosk.core.pages import sources_of
from kiosk.core.station import Station
from kiosk.errors import SourceError
from kiosk.sources import air, alerts, bikes, bus, events, parks, shapes, subway, trails
from kiosk.sources._common import Parsed
from kiosk.sources.demo import Recording, Shift
from kiosk.sources.spec import (
    PAGE_ROWS,
    Api,
    Paged,
    ParseRows,
    Request,
    Single,
    SourceSpec,
    total_count,
)

__all__ = [
    "APIS",
    "HISTORIES",
    "PAGE_ROWS",
    "SOURCES",
    "Api",
    "Paged",
    "ParseRows",
    "Request",
    "Single",
    "SourceSpec",
    "demo_items",
    "polled_sources",
    "snapshot_names",
    "spec",
    "total_count",
]


OPENAPI = Api("openapi", air.DEFAULT_BASE, "SEOUL_API_KEY", "api_key_file", "openapi_daily_budget")
SUBWAY = Api(
    "subway",
    subway.DEFAULT_BASE,
    "SEOUL_SUBWAY_API_KEY",
    "subway_api_key_file",
    "subway_daily_budget",
    paced=True,
    min_interval_setting="subway_min_interval",
)
# TOPIS bus arrivals: a data.go.kr key (not the openapi one); 1,000 calls a day per service on
# a development key, shared by every stop of the station.
BUS = Api(
    "bus",
    bus.DEFAULT_BASE,
    "SEOUL_BUS_API_KEY",
    "bus_api_key_file",
    "bus_daily_budget",
    paced=True,
    min_interval_setting="bus_min_interval",
)
# The Ministry's emergency-alert feed (safetydata.go.kr): a key of its own, polled every minute.
ALERTS = Api(
    "alerts",
    alerts.DEFAULT_BASE,
    "SAFETYDATA_API_KEY",
    "alerts_api_key_file",
    "alerts_daily_budget",
)
APIS: Mapping[str, Api] = MappingProxyType({a.name: a for a in (OPENAPI, SUBWAY, BUS, ALERTS)})


def _event_months(now: datetime) -> list[str]:
    # The DATE filter ("YYYY-MM") keeps the answer to one month's events instead of every event
    # ever listed; a week that crosses a month end takes both months.
    start, end = select.week_of(now)
    return sorted({start.strftime("%Y-%m"), (end - timedelta(seconds=1)).strftime("%Y-%m")})


def _event_requests(base: str, key: str, st: Station, now: datetime) -> tuple[Request, ...]:
    def pages_of(month: str) -> Paged:
        return Paged(lambda a, b: events.request_url(base, key, a, b, month=month), max_pages=3)

    return tuple(pages_of(month) for month in _event_months(now))


def _alert_requests(base: str, key: str, st: Station, now: datetime) -> tuple[Request, ...]:
    # Today's alerts (and yesterday's while the longest window reaches back before midnight),
    # as many rows as a day holds; the region and age rules are the notice feed's
    # (kiosk.core.notices), applied once, at each tick: an alert ages out between two polls.
    return tuple(
        Single(alerts.request_url(base, key, alerts.MAX_ROWS, crt_dt=day))
        for day in alerts.days_to_ask(now, st.alert_lookback_s)
    )


def _bus_rows(ars_id: str) -> ParseRows:
    def parse(body: bytes | str, now: datetime) -> Parsed[Any]:
        return Parsed(*bus.parse_rows(body, now, ars_id))

    return parse


def _bus_requests(base: str, key: str, st: Station, now: datetime) -> tuple[Request, ...]:
    # One call per stop: the ARS id the body answers for fills rows that lack it.
    return tuple(Single(bus.request_url(base, key, a), _bus_rows(a)) for a in st.bus_stops)


_HOUR, _DAY = 3600, 86400

SOURCES: Mapping[str, SourceSpec] = MappingProxyType(
    {
        s.name: s
        for s in (
            SourceSpec(
                name="subway",
                label_ko="열차",
                label_en="Trains",
                api=SUBWAY,
                requests=lambda base, key, st, now: (
                    Single(subway.request_url(base, key, st.subway_station)),
                ),
                parse=subway.parse_rows,
                select=lambda items, st, now: select.arrivals_for(items, st.lines),
                to_json=shapes.arrival,
                needs_own_rows=True,
                stale_after_s=180,
                unavailable_after_s=900,
                cache_expiry_s=20,
                max_body_kib=512,
                demo=Recording("subway_{station}.json"),
            ),
            SourceSpec(
                name="air",
                label_ko="대기질",
                label_en="Air",
                api=OPENAPI,
                requests=lambda base, key, st, now: (Single(air.request_url(base, key)),),
                parse=air.parse_rows,
                select=lambda items, st, now: select.air_for(items, st.district),
                to_json=shapes.air_reading,
                needs_own_rows=True,
                stale_after_s=2 * _HOUR,
                unavailable_after_s=6 * _HOUR,
                cache_expiry_s=300,
                max_body_kib=512,
                interval_s=600,
                demo=Recording("air.json", Shift.HOURS),
                history="air_history",
                history_demo=Recording("air_history.json", Shift.HOURS, bodies=True),
            ),
            SourceSpec(
                name="parks",
                label_ko="공원",
                label_en="Parks",
                api=OPENAPI,
                requests=lambda base, key, st, now: (
                    Paged(lambda a, b: parks.request_url(base, key, a, b), max_pages=2),
                ),
                parse=parks.parse_rows,
                select=lambda items, st, now: select.nearest_parks(
                    items, st.lat, st.lon, st.keep("parks")
                ),
                to_json=shapes.park,
                stale_after_s=3 * _DAY,
                unavailable_after_s=30 * _DAY,
                cache_expiry_s=43200,
                interval_s=_DAY,
                min_interval_s=600,
                demo=Recording("parks.json"),
            ),
            SourceSpec(
                name="trails",
                label_ko="산책로",
                label_en="Trails",
                api=OPENAPI,
                requests=lambda base, key, st, now: (
                    Paged(lambda a, b: trails.request_url(base, key, a, b), max_pages=10),
                ),
                parse=trails.parse_rows,
                select=lambda items, st, now: select.nearest_trails(
                    select.merge_trails(items), st.lat, st.lon, st.keep("trails")
                ),
                to_json=shapes.trail,
                stale_after_s=3 * _DAY,
                unavailable_after_s=30 * _DAY,
                cache_expiry_s=43200,
                max_body_kib=8192,
                interval_s=_DAY,
                min_interval_s=600,
                demo=Recording("trails.json"),
            ),
            SourceSpec(
                name="bikes",
                label_ko="따릉이",
                label_en="Bikes",
                api=OPENAPI,
                requests=lambda base, key, st, now: (
                    Paged(lambda a, b: bikes.request_url(base, key, a, b), max_pages=5),
                ),
                parse=bikes.parse_rows,
                select=lambda items, st, now: select.nearest_bikes(
                    items, st.lat, st.lon, st.keep("bikes")
                ),
                to_json=shapes.bike_station,
                stale_after_s=600,
                unavailable_after_s=_HOUR,
                cache_expiry_s=120,
                max_body_kib=4096,
                interval_s=480,  # x3 pages: ~540 calls a day
                demo=Recording("bikes.json"),
            ),
            SourceSpec(
                name="events",
                label_ko="행사",
                label_en="Events",
                api=OPENAPI,
                requests=_event_requests,
                parse=events.parse_rows,
                select=lambda items, st, now: select.events_for(
                    items, st.district, now, st.lat, st.lon
                ),
                to_json=shapes.event,
                stale_after_s=2 * _DAY,
                unavailable_after_s=7 * _DAY,
                cache_expiry_s=10800,
                max_body_kib=16384,
                interval_s=6 * _HOUR,
                min_interval_s=600,
                demo=Recording("events.json", Shift.DAYS),
            ),
            SourceSpec(
                name="bus",
                label_ko="버스",
                label_en="Buses",
                api=BUS,
                requests=_bus_requests,
                parse=lambda b, n: Parsed(*bus.parse_rows(b, n)),
                select=lambda items, st, now: tuple(i for i in items if i.ars_id in st.bus_stops),
                to_json=shapes.bus_arrival,
                stale_after_s=300,
                unavailable_after_s=900,
                cache_expiry_s=20,
                demo=Recording("bus_{station}.json"),
                stamp=lambda item, at: replace(item, fetched_at=at),
                calls_per_poll=lambda st: len(st.bus_stops),
            ),
            SourceSpec(
                name="alerts",
                label_ko="재난문자",
                label_en="Alerts",
                api=ALERTS,
                requests=_alert_requests,
                parse=alerts.parse_rows,
                select=lambda items, st, now: items,  # kept by the notice feed's rules
                to_json=lambda item, st: alerts.fetch_item(item),
                stale_after_s=300,
                # Alerts already received stay for their window while the feed is down: only
                # data older than the longest default window is too old to hand out.
                unavailable_after_s=6 * _HOUR,
                cache_expiry_s=30,
                interval_s=60,
                min_interval_s=15,
                backoff_max_s=120,  # a recovered feed is read again within two minutes
                always_polled=True,  # no demo recording: a demo screen never shows a fake alert
            ),
        )
    }
)

# Snapshots of kept history (not polled: fed by their source's snapshots) -> that source.
HISTORIES: Mapping[str, SourceSpec] = MappingProxyType(
    {s.history: s for s in SOURCES.values() if s.history}
)


def spec(name: str) -> SourceSpec:
    """The declaration of a polled source; KeyError naming the known ones otherwise."""
    try:
        return SOURCES[name]
    except KeyError:
        raise KeyError(f"unknown source {name!r} (known: {', '.join(SOURCES)})") from None


def polled_sources(kinds: Iterable[str], demo: bool = False) -> tuple[str, ...]:
    """What a kiosk with pages of these kinds polls: what the pages show, then every source
    polled always; in demo mode only sources with a recording (the rest have nothing to replay)."""
    names = [*sources_of(kinds), *(s.name for s in SOURCES.values() if s.always_polled)]
    return tuple(n for n in dict.fromkeys(names) if not demo or SOURCES[n].demo is not None)


def snapshot_names() -> tuple[str, ...]:
    """Every snapshot the poller publishes: each source, then its kept history."""
    return (*SOURCES, *HISTORIES)


def demo_items(name: str, station_name: str, now: datetime) -> tuple[Any, ...]:
    """A source's (or a kept history's) bundled recording, parsed and moved to ``now``.

    City-wide sources return every item, as the live API does; the caller selects.
    """
    history = HISTORIES.get(name)
    source = history or SOURCES.get(name)
    recording = (history.history_demo if history else source.demo) if source else None
    if source is None or recording is None:
        known = ", ".join(s for s in snapshot_names())
        raise SourceError(f"no demo recording for source {name!r}; sources: {known}")
    return recording.load(source.items, station_name, now)
