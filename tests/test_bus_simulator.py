"""The bus endpoints of the local test server, through the real session and the real parser.

Every body shape the simulator serves (list, single object, night, XML, bad key, daily limit)
gives the right items or error; the key never reaches the cache file; an answer served from
the cache keeps its fetch time, so its countdown keeps running.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.timeutil import KST
from kiosk.core.views.buses import StopSpec, buses_view
from kiosk.core.views.common import DataState
from kiosk.errors import ApiKeyError, QuotaExceeded
from kiosk.poller import http
from kiosk.poller.session import KioskSession, build_session
from kiosk.sources import bus
from tests.httpserver import FakeClock, SeoulApi

T0 = datetime(2026, 11, 20, 8, 14, tzinfo=KST)
KEY = "BUSKEY+test/0123456789=="  # a data.go.kr key as its "Decoding" form, with + / =


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def api(clock: FakeClock) -> Iterator[SeoulApi]:
    with SeoulApi("SUB-0123456789", "OPEN-0123456789", clock.now, bus_key=KEY) as server:
        yield server


@pytest.fixture
def session(tmp_path: Path) -> Iterator[KioskSession]:
    ks = build_session(tmp_path / "cache" / "http.sqlite", [KEY])
    yield ks
    ks.close()


def _accept(content: bytes) -> bool:
    try:
        bus.parse(content, T0)
        return True
    except Exception:
        return False


def fetch(ks: KioskSession, url: str, now: datetime, expire: float = 0) -> http.Body:
    return http.get(ks, url, now=now, expire_after=expire, timeout=2, accept=_accept)


def arrivals(api: SeoulApi, ks: KioskSession, ars: str, now: datetime, key: str = KEY):
    body = fetch(ks, bus.request_url(api.bus_base, key, ars), now)
    return bus.parse(body.content, now, ars_id=ars)


def test_list_single_object_night_and_xml_bodies(api: SeoulApi, session: KioskSession):
    api.bus.modes.update({"19008": "single", "19009": "night", "19010": "xml"})
    listed = arrivals(api, session, "19007", T0)
    assert len(listed) == 8 and {b.ars_id for b in listed} == {"19007"}
    assert {b.route for b in listed} == {"333", "343", "440", "9202하남"}
    single = arrivals(api, session, "19008", T0)
    assert [(b.route, b.order, b.state) for b in single] == [
        ("9202하남", 1, "arriving"),
        ("9202하남", 2, "service_ended"),
    ]
    assert arrivals(api, session, "19009", T0) == ()
    xml = arrivals(api, session, "19010", T0)
    assert [(b.route, b.order, b.eta_s) for b in xml][:2] == [("500", 1, 177), ("500", 2, 1094)]
    assert {b.ars_id for b in xml} == {"19010"}


@pytest.mark.parametrize("shape", ["headerCd7", "gateway"])
def test_a_wrong_key_is_a_key_error_in_either_shape(api: SeoulApi, session, shape):
    api.bus.bad_key_shape = shape
    with pytest.raises(ApiKeyError) as e:
        arrivals(api, session, "19007", T0, key="NOT-THE-KEY-0000")
    assert e.value.code == "GATEWAY-30"


def test_the_key_is_checked_as_the_gateway_does_once_decoded(api: SeoulApi, session):
    encoded = quote(KEY, safe="")  # the "Encoding" form data.go.kr also shows
    assert len(arrivals(api, session, "19007", T0, key=encoded)) == 8
    assert f"serviceKey={KEY}&" in api.paths[-1]  # what the gateway saw, decoded once
    twice = bus.request_url(api.bus_base, KEY, "19007").replace("%2B", "%252B")
    with pytest.raises(ApiKeyError):  # escaped twice: the gateway does not know that key
        bus.parse(fetch(session, twice, T0).content, T0)


@pytest.mark.parametrize("shape", ["headerCd7", "gateway"])
def test_the_daily_limit_then_a_new_day(api: SeoulApi, session, clock: FakeClock, shape):
    api.bus.quota = 2
    api.bus.quota_shape = shape
    arrivals(api, session, "19007", clock.now())
    arrivals(api, session, "19008", clock.now())
    with pytest.raises(QuotaExceeded) as e:
        arrivals(api, session, "19009", clock.now())
    assert e.value.code == "GATEWAY-22"
    clock.t = datetime(2026, 11, 21, 0, 0, 5, tzinfo=KST)  # midnight KST: a new day's calls
    assert len(arrivals(api, session, "19007", clock.now())) == 8


def test_stops_near_the_station_nearest_first(api: SeoulApi, session: KioskSession):
    url = bus.stops_url(api.bus_base, KEY, 37.5216, 126.9243, 500)
    stops = bus.parse_stops(fetch(session, url, T0).content, T0)
    assert [s.ars_id for s in stops] == ["19007", "19008", "19010"]  # no "0", KBS too far
    assert [round(s.distance_m or 0) for s in stops] == sorted(
        round(s.distance_m or 0) for s in stops
    )
    far = bus.stops_url(api.bus_base, KEY, 37.40, 126.70, 300)
    assert bus.parse_stops(fetch(session, far, T0).content, T0) == ()  # headerCd 4


def test_the_key_never_reaches_the_cache_file(api: SeoulApi, session, tmp_path: Path):
    arrivals(api, session, "19007", T0)
    with pytest.raises(ApiKeyError):
        arrivals(api, session, "19008", T0, key="WRONG-KEY-123456")
    stored = b"".join(p.read_bytes() for p in (tmp_path / "cache").glob("http.sqlite*"))
    assert stored, "nothing was cached"
    for form in (KEY, quote(KEY, safe=""), quote(KEY)):
        assert form.encode() not in stored


def test_an_answer_from_the_cache_keeps_its_fetch_time_and_its_countdown_runs(
    api: SeoulApi, session: KioskSession
):
    api.bus.modes["19010"] = "xml"  # 643: first bus 188 s away when fetched
    url = bus.request_url(api.bus_base, KEY, "19010")
    first = fetch(session, url, T0, expire=600)
    later = T0 + timedelta(seconds=90)
    again = fetch(session, url, later, expire=600)
    assert (first.from_cache, again.from_cache, again.fetched_at) == (False, True, T0)
    assert api.hits("getStationByUid") == 1
    items = bus.parse(again.content, later, ars_id="19010")
    snap = Snapshot("bus", items, again.fetched_at, FeedStatus.OK, from_cache=True)
    stop = StopSpec("19010")
    at_fetch = buses_view(snap, (stop,), T0, DataState.FRESH, rows_per_page=5)
    now = buses_view(snap, (stop,), later, DataState.FRESH, rows_per_page=5)

    def minutes(view):
        return {r.route: r.buses[0].minutes for r in view.sections[0].rows}

    assert minutes(at_fetch) == {"500": 2, "643": 3}  # 177 s, 188 s
    assert minutes(now) == {"500": 1, "643": 1}  # 87 s, 98 s: not restarted by the cache
