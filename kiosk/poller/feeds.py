"""The fetch function of each source: URL from ``sources.endpoints``, GET through the one session,
parse with ``kiosk.sources.<name>.parse``, keep what concerns this station.

In demo mode the fetch function is ``kiosk.sources.demo.load_demo`` instead: no network, no key,
the same coordinators and selection.
"""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from kiosk.config import Config
from kiosk.errors import ApiKeyError, SourceError
from kiosk.poller import http, select
from kiosk.poller.coordinator import FetchResult
from kiosk.poller.keys import ApiKeys
from kiosk.poller.pacing import QuotaLedger
from kiosk.poller.session import KioskSession

SOURCES = ("subway", "air", "parks", "trails", "bikes", "events")
OPENAPI_SOURCES = ("air", "parks", "trails", "bikes", "events")
PAGE_ROWS = 1000  # the openapi maximum per call (ERROR-336 above it)
MAX_PAGES = {"air": 1, "parks": 2, "trails": 10, "bikes": 5, "events": 3}

Parse = Callable[[bytes, datetime], tuple[Any, ...]]
PrimeFn = Callable[[datetime], FetchResult | None]


def parser(source: str) -> Any:
    """The ``kiosk.sources`` module of a source (imported on first use)."""
    try:
        return importlib.import_module(f"kiosk.sources.{source}")
    except ImportError as e:
        raise SourceError(f"the {source} parser is not installed ({e.name})") from None


def _total_count(content: bytes) -> int | None:
    """``list_total_count`` of an openapi answer, for paging; None when absent."""
    try:
        data = json.loads(content.decode("utf-8", errors="replace"))
    except ValueError:
        return None
    if isinstance(data, dict):
        for wrapper in data.values():
            if isinstance(wrapper, dict) and isinstance(
                wrapper.get("list_total_count"), (int, float)
            ):
                return int(wrapper["list_total_count"])
    return None


class Feeds:
    """Builds each source's fetch (and cache-peek) function for one config."""

    def __init__(
        self,
        cfg: Config,
        session: KioskSession | None,
        keys: ApiKeys,
        ledgers: dict[str, QuotaLedger],
    ):
        self.cfg = cfg
        self.src = cfg.sources
        self.session = session
        self.keys = keys
        self.ledgers = ledgers

    # -- public ---------------------------------------------------------------------------
    def fetcher(self, source: str) -> Callable[[datetime], FetchResult]:
        """The fetch function the source's coordinator calls."""
        if self.src.demo:
            return lambda now: self._demo(source, now)
        return lambda now: self._live(source, now, peek=False) or _never()

    def primer(self, source: str) -> PrimeFn | None:
        """A function giving the source's cached data (no request), for start-up; None in demo mode."""
        if self.src.demo or self.session is None:
            return None
        return lambda now: self._live(source, now, peek=True)

    # -- demo ---------------------------------------------------------------------------------
    def _demo(self, source: str, now: datetime) -> FetchResult:
        demo = parser("demo")
        items = demo.load_demo(source, self.cfg.station.subway_station, now)
        return FetchResult(items=self._select(source, tuple(items), now), fetched_at=now)

    # -- live ---------------------------------------------------------------------------------
    def _key(self, source: str) -> str:
        if source == "subway":
            key, problem = self.keys.subway, self.keys.subway_problem
        else:
            key, problem = self.keys.openapi, self.keys.openapi_problem
        if not key:
            raise ApiKeyError("NO-KEY", problem or "no API key")
        return key

    def _live(self, source: str, now: datetime, peek: bool) -> FetchResult | None:
        if self.session is None:
            raise SourceError("no HTTP session")
        key = self._key(source)
        mod = parser(source)
        st = self.cfg.station
        if source == "subway":
            base = str(self.src.endpoints.subway)
            return self._single(
                source, mod.request_url(base, key, st.subway_station), mod.parse, now, peek
            )
        base = str(self.src.endpoints.openapi)
        if source == "air":
            return self._single(source, mod.request_url(base, key), mod.parse, now, peek)
        if source == "events":
            return self._events(mod, base, key, now, peek)
        return self._paged(
            source, lambda a, b: mod.request_url(base, key, a, b), mod.parse, now, peek
        )

    def _events(
        self, mod: Any, base: str, key: str, now: datetime, peek: bool
    ) -> FetchResult | None:
        # The DATE filter ("YYYY-MM") keeps the answer to one month's events instead of every
        # event ever listed; a week that crosses a month end takes both months.
        start, end = select.week_of(now)
        months = sorted({start.strftime("%Y-%m"), (end - timedelta(seconds=1)).strftime("%Y-%m")})
        results = []
        for month in months:
            url_for = functools.partial(_event_url, mod, base, key, month)
            r = self._paged("events", url_for, mod.parse, now, peek, select_items=False)
            if r is not None:
                results.append(r)
        if not results:
            return None
        items = tuple(i for r in results for i in r.items)
        return FetchResult(
            items=self._select("events", items, now),
            fetched_at=min(r.fetched_at for r in results),
            from_cache=all(r.from_cache for r in results),
            fallback_error=next((r.fallback_error for r in results if r.fallback_error), None),
            retry_after_s=max((r.retry_after_s or 0 for r in results), default=None) or None,
        )

    def _one(
        self, source: str, url: str, parse: Parse, now: datetime, peek: bool
    ) -> tuple[tuple[Any, ...], http.Body] | None:
        assert self.session is not None
        if peek:
            body = http.peek(self.session, url, now)
            if body is None:
                return None
        else:
            ledger = self.ledgers.get("subway" if source == "subway" else "openapi")

            def accept(content: bytes) -> bool:
                try:
                    parse(content, now)
                    return True
                except Exception:
                    return False

            try:
                body = http.get(
                    self.session,
                    url,
                    now=now,
                    expire_after=float(getattr(self.src.cache_expiry, source)),
                    timeout=self.src.timeout,
                    accept=accept,
                )
            finally:
                if ledger is not None:
                    ledger.record_calls(self.session.trace.sent, now)
        return tuple(parse(body.content, now)), body

    def _single(
        self, source: str, url: str, parse: Parse, now: datetime, peek: bool
    ) -> FetchResult | None:
        got = self._one(source, url, parse, now, peek)
        if got is None:
            return None
        items, body = got
        return self._result(source, items, [body], now)

    def _paged(
        self,
        source: str,
        url_for: Callable[[int, int], str],
        parse: Parse,
        now: datetime,
        peek: bool,
        select_items: bool = True,
    ) -> FetchResult | None:
        items: list[Any] = []
        bodies: list[http.Body] = []
        start = 1
        for _ in range(MAX_PAGES.get(source, 1)):
            end = start + PAGE_ROWS - 1
            got = self._one(source, url_for(start, end), parse, now, peek)
            if got is None:
                if not bodies:
                    return None
                break
            page, body = got
            items.extend(page)
            bodies.append(body)
            total = _total_count(body.content)
            if not page or total is None or end >= total:
                break
            start = end + 1
        return self._result(source, tuple(items), bodies, now, select_items)

    def _result(
        self,
        source: str,
        items: tuple[Any, ...],
        bodies: list[http.Body],
        now: datetime,
        select_items: bool = True,
    ) -> FetchResult:
        fallback = next((b.fallback_error for b in bodies if b.fallback_error), None)
        retry = [b.retry_after_s for b in bodies if b.retry_after_s is not None]
        return FetchResult(
            items=self._select(source, items, now) if select_items else items,
            fetched_at=min(b.fetched_at for b in bodies),
            from_cache=all(b.from_cache for b in bodies),
            fallback_error=fallback,
            retry_after_s=max(retry) if retry else None,
        )

    # -- selection ------------------------------------------------------------------------------
    def _select(self, source: str, items: tuple[Any, ...], now: datetime) -> tuple[Any, ...]:
        st = self.cfg.station
        lat, lon = st.location.lat, st.location.lon
        near = self.src.nearby
        if source == "subway":
            return select.arrivals_for(items, st.lines)
        if source == "air":
            return select.air_for(items, st.district)
        if source == "parks":
            return select.nearest_parks(items, lat, lon, near.parks)
        if source == "trails":
            return select.nearest_trails(select.merge_trails(items), lat, lon, near.trails)
        if source == "bikes":
            return select.nearest_bikes(items, lat, lon, near.bikes)
        if source == "events":
            return select.events_for(items, st.district, now, lat, lon)
        return items


def _event_url(mod: Any, base: str, key: str, month: str, start: int, end: int) -> str:
    return str(mod.request_url(base, key, start, end, month=month))


def _never() -> FetchResult:
    # ``_live`` returns None only when peeking; a live fetch always returns or raises.
    raise SourceError("no answer")
