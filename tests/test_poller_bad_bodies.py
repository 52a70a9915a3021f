"""Bad bodies and bad clocks end to end: the real local server, the real session and cache, the
real parsers and coordinators (``Poller``), on a fake clock.

A body whose rows are all unusable must not replace good data with "no trains", nor be cached;
a bad value drops its row, not the source; two-day-old rows are not fresh; a repeated train
is shown once; an absurd ETA is unknown; a clock that jumps back keeps countdowns and polls going.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from kiosk.core.eta import eta_now
from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.health import health
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.timeutil import KST
from kiosk.core.views.arrivals import arrivals_view
from kiosk.core.views.common import DataState
from kiosk.poller.service import Poller
from tests.httpserver import BUS_KEY, SERVICES, FakeClock, Reply, SeoulApi, kiosk_config

SUBWAY_KEY, OPEN_KEY = "SubwayKey-0123456789abcdef", "OpenKey-fedcba9876543210"
ENV = {"SEOUL_SUBWAY_API_KEY": SUBWAY_KEY, "SEOUL_API_KEY": OPEN_KEY, "SEOUL_BUS_API_KEY": BUS_KEY}
MONDAY_0930 = datetime(2026, 11, 23, 9, 30, tzinfo=KST)
LINES = ["1001", "1004"]
# Every answer is fetched anew (no reuse of a stored copy): what is tested is what gets stored.
NO_REUSE = {s: 0 for s in SERVICES}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(MONDAY_0930)


@pytest.fixture
def api(clock: FakeClock) -> Iterator[SeoulApi]:
    with SeoulApi(SUBWAY_KEY, OPEN_KEY, clock.now) as server:
        yield server


@pytest.fixture
def poller(api: SeoulApi, tmp_path: Path) -> Iterator[Poller]:
    p = Poller(kiosk_config(api, tmp_path, cache_expiry=NO_REUSE), env=ENV)
    yield p
    p.close()


def served_body(api: SeoulApi, source: str) -> dict[str, Any]:
    """What the simulator answers ``source`` right now (fetched over HTTP, as the kiosk would)."""
    if source == "subway":
        path = f"/api/subway/{SUBWAY_KEY}/json/realtimeStationArrival/0/20/{quote('서울')}"
    else:
        path = f"/{OPEN_KEY}/json/{SERVICES[source]}/1/1000/"
    with urllib.request.urlopen(api.url + path, timeout=5) as r:
        return json.loads(r.read().decode("utf-8"))


# Where each answer keeps its rows (bikeList's wrapper is not named after the service).
ROWS_AT = {"subway": "realtimeArrivalList", "bikes": "rentBikeStatus"}


def rows_of(body: dict[str, Any], source: str) -> list[dict[str, Any]]:
    if source == "subway":
        return body["realtimeArrivalList"]
    return body[ROWS_AT.get(source, SERVICES[source])]["row"]


def serve_spoiled(
    api: SeoulApi, source: str, spoil: Callable[[list[dict[str, Any]]], list[Any]]
) -> None:
    """From now on answer ``source`` with its current body, rows passed through ``spoil``."""
    body = served_body(api, source)
    rows = spoil(rows_of(body, source))
    if source == "subway":
        body["realtimeArrivalList"] = rows
    else:
        body[ROWS_AT.get(source, SERVICES[source])]["row"] = rows
    api.fail(source, Reply(json.dumps(body, ensure_ascii=False)))


def view_of(snap: Snapshot[Any], now: datetime) -> Any:
    return arrivals_view(snap, LINES, now, health(snap, FreshnessPolicy(180, 900), now).state)


def null_rows(rows: list[dict[str, Any]]) -> list[Any]:
    return [{k: None for k in row} for row in rows]


# --- finding 6: a body of unusable rows after good data ------------------------------------------


@pytest.mark.parametrize("source", list(SERVICES))
def test_null_rows_after_good_data_keep_the_last_good_data_with_its_age_and_are_not_cached(
    source: str, api: SeoulApi, clock: FakeClock, tmp_path: Path, poller: Poller
) -> None:
    coordinator = poller.coordinators[source]
    good = coordinator.refresh(clock.now())
    assert good.status is FeedStatus.OK and good.items

    serve_spoiled(api, source, null_rows)
    clock.advance(30)
    after = coordinator.refresh(clock.now())
    # Before: status "empty", 0 items; the arrivals page said "운행 중인 열차 없음" as fresh.
    assert after.items == good.items and after.fetched_at == good.fetched_at
    assert after.status is FeedStatus.OK  # still fresh: shown, with the error line for operators
    assert "rows, none usable" in (after.error or "")
    policy = coordinator.policy  # the age of the data kept, judged as the screen judges it
    assert health(after, policy, clock.now()).age_s == health(good, policy, clock.now()).age_s
    assert not coordinator.last_update_success
    if source == "subway":
        view = view_of(after, clock.now())
        assert not any(line.no_trains for line in view.lines)
        assert any(line.has_data for line in view.lines)

    # The bad body was not stored: a restart with the network gone still has the good data.
    poller.close()
    api.down()
    clock.advance(30)
    restarted = Poller(kiosk_config(api, tmp_path, cache_expiry=NO_REUSE), env=ENV)
    try:
        snap = restarted.coordinators[source].tick(clock.now())
        assert snap.items == good.items, "the cache must hold the last body that parsed"
        assert snap.fetched_at == good.fetched_at and snap.from_cache
    finally:
        restarted.close()


@pytest.mark.parametrize("source", list(SERVICES))
def test_a_body_of_rows_that_are_not_objects_is_an_error_not_no_data(
    source: str, api: SeoulApi, clock: FakeClock, poller: Poller
) -> None:
    serve_spoiled(api, source, lambda rows: [None, 1, "x", []])
    snap = poller.coordinators[source].refresh(clock.now())
    assert snap.status is FeedStatus.ERROR and snap.items == ()
    assert snap.error == "4 rows, none usable"


# --- finding 7: one bad value drops its row, not the source --------------------------------------


def _one_row(index: int, field: str, value: object) -> Callable[[list[dict[str, Any]]], list[Any]]:
    def spoil(rows: list[dict[str, Any]]) -> list[Any]:
        return [{**r, field: value} if i == index else r for i, r in enumerate(rows)]

    return spoil


@pytest.mark.parametrize(
    ("source", "index", "field", "value"),
    [
        ("subway", 1, "recptnDt", 1e20),  # OSError from datetime.fromtimestamp before
        ("subway", 1, "recptnDt", "9999-12-31 23:59:59"),  # froze that countdown before
        ("trails", 0, "X", 1e300),  # OverflowError in the TM series before
        ("events", 0, "STRTDATE", 1e20),
        ("events", 0, "END_DATE", "9999-12-31 00:00:00.0"),  # OverflowError adding a day before
    ],
)
def test_one_bad_value_drops_its_row_and_the_rest_is_shown(
    source: str,
    index: int,
    field: str,
    value: object,
    api: SeoulApi,
    clock: FakeClock,
    poller: Poller,
) -> None:
    assert poller.coordinators[source].refresh(clock.now()).items
    serve_spoiled(api, source, _one_row(index, field, value))
    clock.advance(30)
    snap = poller.coordinators[source].refresh(clock.now())
    assert snap.error is None and poller.coordinators[source].last_update_success
    assert snap.status is FeedStatus.OK and snap.fetched_at == clock.now()
    assert snap.items  # the source lives on with its other rows
    if source == "subway":
        assert all(a.received_at <= clock.now() for a in snap.items)


def test_an_absurd_barvldt_is_an_unknown_eta_not_a_countdown(
    api: SeoulApi, clock: FakeClock, poller: Poller
) -> None:
    def absurd(rows: list[dict[str, Any]]) -> list[Any]:
        return [{**r, "barvlDt": "1e20"} if r["subwayId"] == "1004" else r for r in rows]

    serve_spoiled(api, "subway", absurd)
    snap = poller.coordinators["subway"].refresh(clock.now())
    (train,) = [a for a in snap.items if a.line_id == "1004"]
    assert train.eta_s is None and eta_now(train, clock.now()) is None
    line = next(b for b in view_of(snap, clock.now()).lines if b.line_id == "1004")
    (row,) = [t for d in line.directions for t in d.trains]
    assert row.minutes is None and (row.status_ko, row.status_en) == ("전역 도착", "1 stop away")


# --- finding 10: old rows, duplicates, clock jumps -----------------------------------------------


def test_rows_two_days_old_are_not_shown_as_fresh_no_trains(
    api: SeoulApi, clock: FakeClock, poller: Poller
) -> None:
    old = (clock.now() - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S")
    serve_spoiled(api, "subway", lambda rows: [{**r, "recptnDt": old} for r in rows])
    snap = poller.coordinators["subway"].refresh(clock.now())
    # Before: status OK with the rows, and the page said "운행 중인 열차 없음 · No trains running".
    assert snap.status is FeedStatus.ERROR and snap.items == ()
    assert snap.error == "no new data for 2 d 0 h"
    view = view_of(snap, clock.now())
    assert view.state is DataState.NO_DATA and not any(line.no_trains for line in view.lines)


def test_a_train_the_api_lists_twice_is_shown_once(
    api: SeoulApi, clock: FakeClock, poller: Poller
) -> None:
    # The recorded 서울역 body the simulator serves lists 1호선 train 0150 twice.
    assert [r["btrainNo"] for r in served_body(api, "subway")["realtimeArrivalList"]].count(
        "0150"
    ) == 2
    snap = poller.coordinators["subway"].refresh(clock.now())
    assert [a.train_no for a in snap.items].count("0150") == 1


def test_a_clock_that_jumps_back_an_hour_keeps_polling_and_counting_down(
    api: SeoulApi, clock: FakeClock, poller: Poller
) -> None:
    server_time = FakeClock(clock.now())  # the API's clock stays right
    api.clock = server_time.now
    coordinator = poller.coordinators["subway"]
    first = coordinator.refresh(clock.now())
    assert first.status is FeedStatus.OK and first.items
    calls = api.calls["subway"]

    server_time.advance(10)
    clock.advance(10 - 3600)  # our clock steps back an hour
    snap = coordinator.tick(clock.now())
    # Before: no call for an hour (now - last call < 0), countdowns frozen at barvlDt.
    assert api.calls["subway"] == calls + 1 and snap.fetched_at == clock.now()
    (train,) = [a for a in snap.items if a.line_id == "1004"]
    counted = [eta_now(train, clock.now() + timedelta(seconds=s)) for s in (0, 10, 20)]
    assert counted[0] is not None and counted == [counted[0], counted[0] - 10, counted[0] - 20]
    assert snap.status is FeedStatus.OK

    server_time.advance(200)
    clock.advance(200)
    coordinator.tick(clock.now())
    assert api.calls["subway"] == calls + 2  # and the pacing carries on from the new clock


# --- the station's own rows dropped; paging on a bad total ---------------------------------------


def _spoil_station_rows(field: str, keep: Callable[[dict[str, Any]], bool]):
    def spoil(rows: list[dict[str, Any]]) -> list[Any]:
        return [row if keep(row) else {**row, field: None} for row in rows]

    return spoil


@pytest.mark.parametrize(
    "source,field,other",
    [
        ("subway", "updnLine", lambda row: row.get("subwayId") not in LINES),
        # the simulator answers in the 2021 field set (MSRSTE_NM)
        ("air", "MSRSTE_NM", lambda row: row.get("MSRSTE_NM") != "중구"),
    ],
)
def test_rows_of_other_lines_or_districts_do_not_hide_that_ours_were_all_dropped(
    source: str,
    field: str,
    other: Callable[[dict[str, Any]], bool],
    api: SeoulApi,
    clock: FakeClock,
    poller: Poller,
) -> None:
    coordinator = poller.coordinators[source]
    good = coordinator.refresh(clock.now())
    assert good.items
    serve_spoiled(api, source, _spoil_station_rows(field, other))
    clock.advance(30)
    after = coordinator.refresh(clock.now())
    # Before: the selection was empty, so "empty" (no trains / no reading) as fresh, and cached.
    assert after.items == good.items and after.status is FeedStatus.OK
    assert "none left for this station" in (after.error or "")
    assert not coordinator.last_update_success


def test_an_infinite_total_count_ends_the_paging_and_keeps_the_page(
    api: SeoulApi, clock: FakeClock, poller: Poller
) -> None:
    body = served_body(api, "parks")
    body[SERVICES["parks"]]["list_total_count"] = "__INF__"
    text = json.dumps(body, ensure_ascii=False).replace('"__INF__"', "Infinity")
    api.fail("parks", Reply(text))
    snap = poller.coordinators["parks"].refresh(clock.now())
    # Before: OverflowError ("cannot convert float infinity to integer") for the whole source.
    assert snap.status is FeedStatus.OK and snap.items and snap.error is None
