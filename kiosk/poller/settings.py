"""The ``sources:`` config section. Per-source keys (intervals, cache expiry, freshness) and the
endpoints are generated from the source registry, so a new source brings its own defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field, HttpUrl, create_model

from kiosk._settings_base import Section, check_hhmm
from kiosk.core.freshness import FreshnessPolicy
from kiosk.poller.redis_target import parse_target
from kiosk.sources.registry import APIS, SOURCES

HHMM = Annotated[str, AfterValidator(check_hhmm)]


def _check_cache_url(value: str) -> str:
    parse_target(value)  # ValueError names the problem, never the URL (it may hold a password)
    return value.strip()


CacheUrl = Annotated[str, AfterValidator(_check_cache_url)]


class Freshness(Section):
    """Seconds after fetching at which data turns stale, then unavailable."""

    stale_after: int = Field(gt=0)
    unavailable_after: int = Field(gt=0)

    def policy(self) -> FreshnessPolicy:
        """As a core policy (unavailable never before stale)."""
        return FreshnessPolicy(
            float(self.stale_after), float(max(self.unavailable_after, self.stale_after))
        )


class PerSource(Section):
    """A section with one key per source (or per API); unknown names are rejected."""

    def of(self, name: str) -> Any:
        """The value for one source; KeyError for a name the section does not have."""
        if name not in type(self).model_fields:
            raise KeyError(name)
        return getattr(self, name)


def _section(title: str, doc: str, fields: dict[str, Any]) -> type[PerSource]:
    model: type[PerSource] = create_model(title, __base__=PerSource, __doc__=doc, **fields)
    return model


def _with(model: type[PerSource]) -> BeforeValidator:
    """Validate a generated section's mapping with ``model`` (errors keep their key paths)."""
    return BeforeValidator(lambda v: model.model_validate(v) if isinstance(v, dict) else v)


EndpointsModel = _section(
    "Endpoints",
    "Base URLs; point them at a caching proxy or a local test server.",
    {a.name: (HttpUrl, HttpUrl(a.endpoint)) for a in APIS.values()},
)
IntervalsModel = _section(
    "Intervals",
    "Seconds between refreshes of the sources with a fixed interval (the subway follows its budget).",
    {
        s.name: (int, Field(default=s.interval_s, ge=s.min_interval_s))
        for s in SOURCES.values()
        if s.interval_s is not None
    },
)
CacheExpiryModel = _section(
    "CacheExpiry",
    "Seconds a cached HTTP answer is reused without calling the API (0: always revalidate).",
    {s.name: (int, Field(default=s.cache_expiry_s, ge=0)) for s in SOURCES.values()},
)
MaxBodyModel = _section(
    "MaxBody",
    "KiB of decoded body accepted per answer; a larger one is refused, never read whole.",
    {s.name: (int, Field(default=s.max_body_kib, ge=16, le=65536)) for s in SOURCES.values()},
)
FreshnessModel = _section(
    "FreshnessBySource",
    "Per source: seconds of age at which data turns stale, then unavailable.",
    {
        s.name: (
            Freshness,
            Freshness(stale_after=s.stale_after_s, unavailable_after=s.unavailable_after_s),
        )
        for s in SOURCES.values()
    },
)


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
    endpoints: Annotated[PerSource, _with(EndpointsModel)] = Field(default_factory=EndpointsModel)
    cache_path: Path = Path("/var/cache/kiosk/http.sqlite")
    api_key_file: Path | None = None
    subway_api_key_file: Path | None = None
    bus_api_key_file: Path | None = None  # the data.go.kr key for TOPIS bus arrivals
    alerts_api_key_file: Path | None = None  # the safetydata.go.kr key for emergency alerts
    timeout: float = Field(default=10.0, gt=0, le=120)  # each wait for a byte
    # A request, and a source's whole refresh (bikes: three pages), must be over within these
    # however slowly the server dribbles its bytes.
    request_deadline: float = Field(default=30.0, gt=0, le=300)
    fetch_deadline: float = Field(default=60.0, gt=0, le=600)
    subway_daily_budget: int = Field(default=1000, ge=1)
    # The general key's daily limit is not published; this caps air, parks, trails, bikes and
    # events together so that a misconfiguration cannot burn through it.
    openapi_daily_budget: int = Field(default=1000, ge=1)
    service_hours: ServiceHours = ServiceHours()
    rush_hours: tuple[RushHour, ...] = Field(default_factory=_default_rush, max_length=8)
    rush_factor: float = Field(default=2.0, ge=1.0, le=10.0)
    subway_min_interval: int = Field(default=20, ge=5)
    # Bus arrivals: a development key allows 1,000 calls a day, shared by the station's stops.
    bus_daily_budget: int = Field(default=1000, ge=1)
    bus_min_interval: int = Field(default=30, ge=5)
    # Emergency alerts: a call a minute (two in the night's first hours, while yesterday's
    # alerts may still be in force) is ~1,800 a day; the rest is room for restarts and fetches.
    alerts_daily_budget: int = Field(default=3000, ge=1)
    intervals: Annotated[PerSource, _with(IntervalsModel)] = Field(default_factory=IntervalsModel)
    cache_expiry: Annotated[PerSource, _with(CacheExpiryModel)] = Field(
        default_factory=CacheExpiryModel
    )
    max_body_kib: Annotated[PerSource, _with(MaxBodyModel)] = Field(default_factory=MaxBodyModel)
    nearby: Nearby = Nearby()
    history_days: int = Field(default=7, ge=1, le=90)
    freshness: Annotated[PerSource, _with(FreshnessModel)] = Field(default_factory=FreshnessModel)
    # A station's shared Redis (docs/fleet.md): one cache, one quota and single flight for every
    # screen; absent, each screen keeps its own SQLite cache and ledger next to cache_path.
    cache_url: CacheUrl | None = None
    cache_password_file: Path | None = None
    fleet_size: int = Field(default=1, ge=1, le=100)  # screens sharing the keys

    # -- per-source and per-API values, by name ---------------------------------------------
    def endpoint(self, api: str) -> str:
        """The base URL of an API (``sources.endpoints.<api>``)."""
        return str(self.endpoints.of(api))

    def interval_s(self, source: str) -> float:
        """Seconds between refreshes of a fixed-interval source."""
        return float(self.intervals.of(source))

    def expiry_s(self, source: str) -> float:
        """Seconds a stored answer of ``source`` is reused without a call."""
        return float(self.cache_expiry.of(source))

    def max_body_bytes(self, source: str) -> int:
        """The largest decoded answer body of ``source`` accepted, in bytes."""
        return int(self.max_body_kib.of(source)) * 1024

    def policy(self, source: str) -> FreshnessPolicy:
        """The freshness policy of ``source`` (its registry default unless configured)."""
        fresh: Freshness = self.freshness.of(source)
        return fresh.policy()

    def key_file(self, api: str) -> Path | None:
        """The file named for an API's key, if any."""
        value = getattr(self, APIS[api].key_file_setting)
        return Path(value) if value is not None else None

    def daily_budget(self, api: str) -> int:
        """Calls a day allowed on an API's key."""
        return int(getattr(self, APIS[api].budget_setting))

    def min_interval_s(self, api: str) -> float:
        """The shortest gap between two calls of a paced API's key (0 when not paced)."""
        setting = APIS[api].min_interval_setting
        return float(getattr(self, setting)) if setting else 0.0
