"""Each source's fetch (and cache-peek) function, built from its registry declaration.

A fetch builds the source's requests (``spec.requests``), GETs them through the one session,
parses every body with ``spec.parse``, and keeps what concerns this station (``spec.select``).
In demo mode the source's bundled recording is replayed instead: no network, no key, the same
coordinators and selection. A refresh has ``sources.fetch_deadline`` in all: once it is spent,
the rest of its requests take their stored copies, as after a failed request.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kiosk.core.station import Station
from kiosk.errors import MalformedResponse, SourceError
from kiosk.poller import http
from kiosk.poller.coordinator import FetchResult
from kiosk.poller.keys import ApiKeys
from kiosk.poller.pacing import QuotaLedger
from kiosk.poller.session import KioskSession
from kiosk.poller.settings import SourcesConfig
from kiosk.poller.shared_fetch import shared_get
from kiosk.sources._common import Parsed
from kiosk.sources.registry import Paged, ParseRows, Request, Single, SourceSpec, total_count

if TYPE_CHECKING:  # redis-py is loaded only by a kiosk that has a shared Redis
    from kiosk.poller.singleflight import SingleFlight

PrimeFn = Callable[[datetime], FetchResult | None]


@dataclass
class _Collected:
    """The bodies and parsed items of one fetch, as they come in."""

    items: list[Any] = field(default_factory=list)
    bodies: list[http.Body] = field(default_factory=list)
    dropped: int = 0  # rows the parser could not use, over every body
    out_of_time: str | None = None  # the fetch deadline passed: the rest came from the cache
    # Bodies parsed already by the cache's accept check (live answers): not parsed twice.
    parsed: dict[bytes, Parsed[Any]] = field(default_factory=dict)

    @property
    def fell_back(self) -> bool:
        """Whether a request failed (or time ran out) and stored copies stand in."""
        return self.out_of_time is not None or any(b.fallback_error for b in self.bodies)


class Feeds:
    """Builds each source's fetch (and cache-peek) function for one station's sources."""

    def __init__(
        self,
        src: SourcesConfig,
        station: Station,
        session: KioskSession | None,
        keys: ApiKeys,
        ledgers: dict[str, QuotaLedger],
        flight: SingleFlight | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ):
        self.src = src
        self.station = station
        self.session = session
        self.keys = keys
        self.ledgers = ledgers
        self.flight = flight  # a station's shared Redis: one screen calls per expired answer
        self._monotonic = monotonic

    # -- public ---------------------------------------------------------------------------
    def fetcher(self, spec: SourceSpec) -> Callable[[datetime], FetchResult]:
        """The fetch function the source's coordinator calls."""
        if self.src.demo:
            return lambda now: self._demo(spec, now)

        def fetch(now: datetime) -> FetchResult:
            result = self._collect(spec, now, live=True)
            if result is None:  # only a source with nothing to request gets here
                raise SourceError("nothing to request")
            return result

        return fetch

    def primer(self, spec: SourceSpec) -> PrimeFn | None:
        """A function giving the source's cached data (no request), for start-up; None in demo mode."""
        if self.src.demo or self.session is None:
            return None
        return lambda now: self._collect(spec, now, live=False)

    # -- demo -----------------------------------------------------------------------------
    def _demo(self, spec: SourceSpec, now: datetime) -> FetchResult:
        if spec.demo is None:
            raise SourceError(f"no demo recording for {spec.name}")
        items = spec.demo.load(spec.items, self.station.subway_station, now)
        return FetchResult(items=spec.select(tuple(items), self.station, now), fetched_at=now)

    # -- live -----------------------------------------------------------------------------
    def _collect(self, spec: SourceSpec, now: datetime, live: bool) -> FetchResult | None:
        """Every request of ``spec``: live (through the cache), or only what the cache holds.

        Once a request has fallen back to its stored copy the API is failing: the remaining
        requests of this fetch take their stored copies too instead of waiting on it again.
        """
        if self.session is None:
            raise SourceError("no HTTP session")
        key = self.keys.key(spec.api.name)
        base = self.src.endpoint(spec.api.name)
        got = _Collected()
        requests = spec.requests(base, key, self.station, now)
        if not requests:  # nothing configured to ask for (a station without bus stops)
            return FetchResult(items=(), fetched_at=now)
        ends = self._monotonic() + self.src.fetch_deadline
        for request in requests:
            parse = (request.parse if isinstance(request, Single) else None) or spec.parse
            for url in self._urls(request, got):
                left = ends - self._monotonic()
                if live and left <= 0 and got.out_of_time is None:
                    got.out_of_time = f"no complete answer within {self.src.fetch_deadline:g} s"
                deadline = min(self.src.request_deadline, max(left, 0.001))
                body = self._body(spec, parse, url, now, live and not got.fell_back, got, deadline)
                if body is None:
                    break  # nothing stored for this one: the rest of its pages neither
                parsed = got.parsed.pop(body.content, None) or self._parse(
                    spec, parse, body.content, now
                )
                items = parsed.items
                if spec.stamp is not None:  # each body's items keep that body's own age
                    items = tuple(spec.stamp(i, body.fetched_at) for i in items)
                got.items.extend(items)
                got.dropped += parsed.dropped
                got.bodies.append(body)
                if not parsed.items:
                    break
        if not got.bodies:
            return None
        items = spec.select(tuple(got.items), self.station, now)
        return _result(items, got.bodies, got.dropped, got.out_of_time)

    def _parse(
        self, spec: SourceSpec, parse: ParseRows, content: bytes, now: datetime
    ) -> Parsed[Any]:
        """Parse one body; rows dropped and none of this station's left is an unusable answer."""
        parsed = parse(content, now)
        if (
            spec.needs_own_rows
            and parsed.dropped
            and not spec.select(tuple(parsed.items), self.station, now)
        ):
            raise MalformedResponse(
                f"{parsed.dropped} of {parsed.rows} rows unusable, none left for this station"
            )
        return parsed

    @staticmethod
    def _urls(request: Request, got: _Collected) -> Iterator[str]:
        """The URLs of one request; a paged one stops at the API's total count."""
        if isinstance(request, Single):
            yield request.url
            return
        assert isinstance(request, Paged)
        start = 1
        for _ in range(request.max_pages):
            end = start + request.rows - 1
            yield request.url_for(start, end)
            total = total_count(got.bodies[-1].content) if got.bodies else None
            if total is None or end >= total:
                return
            start = end + 1

    def _body(
        self,
        spec: SourceSpec,
        parse: ParseRows,
        url: str,
        now: datetime,
        live: bool,
        got: _Collected,
        deadline_s: float | None = None,
    ) -> http.Body | None:
        assert self.session is not None
        if not live:
            return http.peek(self.session, url, now)
        if self.flight is not None:
            return shared_get(
                self.flight,
                self.session,
                url,
                now=now,
                expire_after=self.src.expiry_s(spec.name),
                call=lambda: self._call(spec, parse, url, now, got, deadline_s),
            )
        return self._call(spec, parse, url, now, got, deadline_s)

    def _call(
        self,
        spec: SourceSpec,
        parse: ParseRows,
        url: str,
        now: datetime,
        got: _Collected,
        deadline_s: float | None = None,
    ) -> http.Body:
        """GET ``url`` through the cache (a call once the stored answer expired), counted."""
        assert self.session is not None
        ledger = self.ledgers.get(spec.api.name)

        def accept(content: bytes) -> bool:
            # Only an answer that parses is stored: a bad one must never replace the good copy.
            try:
                got.parsed[content] = self._parse(spec, parse, content, now)
                return True
            except Exception:
                return False

        try:
            return http.get(
                self.session,
                url,
                now=now,
                expire_after=self.src.expiry_s(spec.name),
                timeout=self.src.timeout,
                accept=accept,
                max_bytes=self.src.max_body_bytes(spec.name),
                deadline_s=deadline_s,
            )
        finally:
            if ledger is not None:
                ledger.record_calls(self.session.trace.sent, now)


def _result(
    items: tuple[Any, ...], bodies: list[http.Body], dropped: int, out_of_time: str | None = None
) -> FetchResult:
    fallback = next((b.fallback_error for b in bodies if b.fallback_error), out_of_time)
    retry = [b.retry_after_s for b in bodies if b.retry_after_s is not None]
    return FetchResult(
        items=items,
        fetched_at=min(b.fetched_at for b in bodies),
        from_cache=all(b.from_cache for b in bodies),
        fallback_error=fallback,
        retry_after_s=max(retry) if retry else None,
        dropped=dropped,
    )
