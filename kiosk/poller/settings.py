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
    }


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
    service_hours: ServiceHours = ServiceHours()
    freshness: dict[str, Freshness] = Field(default_factory=_default_freshness)
