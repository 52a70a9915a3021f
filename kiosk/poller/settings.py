"""The ``sources:`` config section."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field, HttpUrl

from kiosk._settings_base import Section, check_hhmm

HHMM = Annotated[str, AfterValidator(check_hhmm)]


class Endpoints(Section):
    """Base URLs; point them at a caching proxy or a local test server."""

    subway: HttpUrl = HttpUrl("http://swopenapi.seoul.go.kr/api/subway")
    openapi: HttpUrl = HttpUrl("http://openapi.seoul.go.kr:8088")


class Freshness(Section):
    """Seconds after fetching at which data turns stale, then unavailable."""

    stale_after: int = Field(gt=0)
    unavailable_after: int = Field(gt=0)


def _default_freshness() -> dict[str, Freshness]:
    return {
        "subway": Freshness(stale_after=180, unavailable_after=900),
        "air": Freshness(stale_after=2 * 3600, unavailable_after=6 * 3600),
        "parks": Freshness(stale_after=3 * 86400, unavailable_after=30 * 86400),
        "trails": Freshness(stale_after=3 * 86400, unavailable_after=30 * 86400),
        "bikes": Freshness(stale_after=600, unavailable_after=3600),
        "events": Freshness(stale_after=2 * 86400, unavailable_after=7 * 86400),
        "bus": Freshness(stale_after=300, unavailable_after=900),
    }


class Intervals(Section):
    """Seconds between refreshes of the general-key sources (the subway is paced by its budget)."""

    air: int = Field(default=600, ge=60)
    bikes: int = Field(default=480, ge=60)  # x3 pages: ~540 calls a day
    parks: int = Field(default=86400, ge=600)
    trails: int = Field(default=86400, ge=600)
    events: int = Field(default=21600, ge=600)


class CacheExpiry(Section):
    """Seconds a cached HTTP answer is reused without calling the API (0: always revalidate)."""

    subway: int = Field(default=20, ge=0)
    air: int = Field(default=300, ge=0)
    bikes: int = Field(default=120, ge=0)
    parks: int = Field(default=43200, ge=0)
    trails: int = Field(default=43200, ge=0)
    events: int = Field(default=10800, ge=0)


class Nearby(Section):
    """How many of the nearest places to keep, measured from ``station.location``."""

    bikes: int = Field(default=5, ge=1, le=50)
    parks: int = Field(default=10, ge=1, le=200)
    trails: int = Field(default=10, ge=1, le=200)


class RushHour(Section):
    """A weekday rush window (KST) in which the subway is polled more often."""

    start: HHMM
    end: HHMM


def _default_rush() -> tuple[RushHour, ...]:
    return (RushHour(start="07:00", end="09:00"), RushHour(start="18:00", end="20:00"))


class ServiceHours(Section):
    """When trains run (KST); the subway budget is spent only inside this window."""

    start: HHMM = "05:00"
    end: HHMM = "01:00"


class SourcesConfig(Section):
    """Where data comes from, how it is cached, and how fresh it must be."""

    demo: bool = False
    endpoints: Endpoints = Endpoints()
    cache_path: Path = Path("/var/cache/kiosk/http.sqlite")
    api_key_file: Path | None = None
    subway_api_key_file: Path | None = None
    timeout: float = Field(default=10.0, gt=0, le=120)
    subway_daily_budget: int = Field(default=1000, ge=1)
    # The general key's daily limit is not published; this caps air, parks, trails, bikes and
    # events together so that a misconfiguration cannot burn through it.
    openapi_daily_budget: int = Field(default=1000, ge=1)
    service_hours: ServiceHours = ServiceHours()
    rush_hours: tuple[RushHour, ...] = Field(default_factory=_default_rush)
    rush_factor: float = Field(default=2.0, ge=1.0, le=10.0)
    subway_min_interval: int = Field(default=20, ge=5)
    intervals: Intervals = Intervals()
    cache_expiry: CacheExpiry = CacheExpiry()
    nearby: Nearby = Nearby()
    history_days: int = Field(default=7, ge=1, le=90)
    freshness: dict[str, Freshness] = Field(default_factory=_default_freshness)
