"""Every error shape of the Seoul APIs, through the real session, parsers and coordinators, ends
as a typed status and one clean line on the snapshot — never a crash, never the key."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from kiosk.core.models import FeedStatus
from kiosk.core.timeutil import KST
from kiosk.poller.service import Poller
from tests.httpserver import (
    ALERTS_KEY,
    BUS_KEY,
    HTML_ERROR_PAGE,
    FakeClock,
    Reply,
    SeoulApi,
    kiosk_config,
    openapi_xml_error,
    sample,
)
from tests.httpserver.alerts import PATTERN as ALERTS_PATH
from tests.httpserver.alerts import alert_row

SUBWAY_KEY, OPEN_KEY = "SubwayKey-0123456789abcdef", "OpenKey-fedcba9876543210"
ENV = {
    "SEOUL_SUBWAY_API_KEY": SUBWAY_KEY,
    "SEOUL_API_KEY": OPEN_KEY,
    "SEOUL_BUS_API_KEY": BUS_KEY,
    "SAFETYDATA_API_KEY": ALERTS_KEY,
}
T0 = datetime(2026, 11, 23, 12, 0, tzinfo=KST)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def api(clock: FakeClock) -> Iterator[SeoulApi]:
    with SeoulApi(SUBWAY_KEY, OPEN_KEY, clock.now) as server:
        server.alerts.set_rows(
            alert_row(7, "[중구청] 한파 안내", "서울특별시 중구 ", T0, "안전안내")
        )
        yield server


@pytest.fixture
def poller(api: SeoulApi, tmp_path: Path) -> Iterator[Poller]:
    p = Poller(kiosk_config(api, tmp_path), env=ENV)
    yield p
    p.close()


def refresh(poller: Poller, source: str, now: datetime = T0):  # -> Snapshot
    snap = poller.coordinators[source].refresh(now)
    assert SUBWAY_KEY not in (snap.error or "") and OPEN_KEY not in (snap.error or "")
    return snap


def test_every_source_works_against_the_recorded_bodies(poller: Poller) -> None:
    snaps = {s: refresh(poller, s) for s in poller.coordinators}
    assert {s: snap.status for s, snap in snaps.items()} == dict.fromkeys(snaps, FeedStatus.OK)
    assert {a.line_id for a in snaps["subway"].items} == {"1001", "1004"}  # 1063/1065 dropped
    assert [r.district for r in snaps["air"].items] == ["중구"]
    assert snaps["parks"].items[0].name == "남산공원"  # nearest to 서울역 first
    assert {e.title for e in snaps["events"].items} == {
        "시민청 음악회",
        "정동 야행",
        "종로 야간 공연",
    }
    assert [e.district for e in snaps["events"].items] == [
        "중구",
        "중구",
        "종로구",
    ]  # own district first
    assert len(snaps["bikes"].items) == 5


def test_bikes_are_paged_through_every_station(poller: Poller, api: SeoulApi) -> None:
    refresh(poller, "bikes")
    assert api.calls["bikes"] == 3  # 2,300 stations at 1,000 rows per call
    assert api.hits(r"/bikeList/2001/3000/") == 1


@pytest.mark.parametrize(
    ("source", "reply"),
    [
        ("subway", Reply(sample("subway_error_info200_flat.json"))),
        ("subway", Reply(b'{"RESULT":{"CODE":"INFO-200","MESSAGE":"\xed\x95\xb4\xeb\x8b\xb9"}}')),
        ("air", Reply(sample("seoul_openapi_error_info200_toplevel.json"))),
        ("parks", openapi_xml_error("INFO-200", "해당하는 데이터가 없습니다.")),
    ],
)
def test_info_200_in_every_shape_is_empty_not_a_failure(
    poller: Poller, api: SeoulApi, source: str, reply: Reply
) -> None:
    api.fail(source, reply)
    snap = refresh(poller, source)
    assert snap.status is FeedStatus.EMPTY and snap.items == () and snap.error is None
    assert poller.coordinators[source].last_update_success


@pytest.mark.parametrize(
    ("source", "reply"),
    [
        ("subway", Reply(sample("subway_error_info100_flat.json"))),
        (
            "bikes",
            Reply(sample("bike_error_info100_xml_for_json_request.xml"), content_type="text/xml"),
        ),
        (
            "air",
            Reply(
                sample("seoul_openapi_error_info100_xml_cdata_shape.xml"), content_type="text/xml"
            ),
        ),
    ],
)
def test_info_100_says_the_key_was_rejected(
    poller: Poller, api: SeoulApi, source: str, reply: Reply
) -> None:
    api.fail(source, reply)
    snap = refresh(poller, source)
    assert snap.status is FeedStatus.UNAUTHORIZED
    assert snap.error is not None and snap.error.startswith("the API key was rejected (INFO-100")


def test_a_wrong_key_is_rejected_by_the_simulator_like_the_real_api(
    api: SeoulApi, tmp_path: Path
) -> None:
    p = Poller(
        kiosk_config(api, tmp_path),
        env={"SEOUL_SUBWAY_API_KEY": "wrong-key-123456", "SEOUL_API_KEY": "nope-000000"},
    )
    try:
        assert refresh(p, "subway").status is FeedStatus.UNAUTHORIZED
        assert refresh(p, "parks").status is FeedStatus.UNAUTHORIZED
    finally:
        p.close()


@pytest.mark.parametrize(
    "body",
    [
        sample("subway_error_337_flat_shape_message_elided.json"),
        sample("subway_error_337_wrapped_TESTCONSTRUCTED.json"),
    ],
)
def test_error_337_is_rate_limited_and_blocks_the_key(
    poller: Poller, api: SeoulApi, body: bytes
) -> None:
    api.fail("subway", Reply(body))
    snap = refresh(poller, "subway")
    assert snap.status is FeedStatus.RATE_LIMITED and "daily quota exceeded" in (snap.error or "")
    assert poller.ledgers["subway"].quota_block(T0 + timedelta(hours=5)) is not None
    assert poller.ledgers["openapi"].quota_block(T0) is None  # the other key is unaffected


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (HTML_ERROR_PAGE, "got an HTML page instead of API data"),
        (
            Reply(b"<html><body>Bad Gateway</body></html>", status=502, content_type="text/html"),
            "HTTP 502",
        ),
        (Reply(b"", status=500), "HTTP 500"),
        (Reply(b"not found", status=404), "HTTP 404"),
        (
            Reply(
                b'{"RealtimeCityAir":{"list_total_count":25,"RESULT":{"CODE":"INFO-000"},"row":[{"MSRDT":"20'
            ),
            "malformed JSON",
        ),
        (Reply(b"\x00\xffgarbage"), "malformed"),
        (Reply(b""), "empty response body"),
        (Reply(sample("air_realtimecityair_2021_LEGACY_FORMAT.json"), cut_off=True), "was cut off"),
        (Reply(drop=True), "closed the connection"),
        (
            Reply(
                b'{"RESULT":{"CODE":"ERROR-500","MESSAGE":"\xec\x84\x9c\xeb\xb2\x84 \xec\x98\xa4\xeb\xa5\x98"}}'
            ),
            "ERROR-500",
        ),
    ],
)
def test_broken_answers_are_errors_with_one_clear_line(
    poller: Poller, api: SeoulApi, reply: Reply, expected: str
) -> None:
    api.fail("air", reply)
    snap = refresh(poller, "air")
    assert snap.status is FeedStatus.ERROR and expected in (snap.error or "")
    assert "\n" not in (snap.error or "")


def test_a_timeout_is_an_error_naming_the_host(poller: Poller, api: SeoulApi) -> None:
    release = threading.Event()
    api.fail("subway", Reply(b"{}", hang=release))
    try:
        snap = refresh(poller, "subway")
    finally:
        release.set()
    assert (
        snap.status is FeedStatus.ERROR
        and snap.error == f"no answer from 127.0.0.1:{api.port} within 2 s (timeout)"
    )


def test_a_refused_connection_is_an_error(poller: Poller, api: SeoulApi) -> None:
    api.down()
    snap = refresh(poller, "events")
    assert (
        snap.status is FeedStatus.ERROR
        and snap.error == f"connection refused by 127.0.0.1:{api.port}"
    )


def test_rows_with_missing_fields_are_dropped_and_the_rest_shown(
    poller: Poller, api: SeoulApi
) -> None:
    body = json.loads(sample("subway_arrival_seoulstn_2021.json"))
    rows = body["realtimeArrivalList"]
    for row in rows:
        row["recptnDt"] = "2026-11-23 11:59:55"
    del rows[0]["subwayId"]
    rows[2]["updnLine"] = None
    api.fail("subway", Reply(json.dumps(body, ensure_ascii=False)))
    snap = refresh(poller, "subway")
    assert snap.status is FeedStatus.OK and 0 < len(snap.items) < 5


def test_a_missing_key_is_unauthorized_with_a_clear_message(api: SeoulApi, tmp_path: Path) -> None:
    p = Poller(kiosk_config(api, tmp_path), env={})
    try:
        snaps = {s: refresh(p, s) for s in p.coordinators}
    finally:
        p.close()
    assert snaps["air"].status is FeedStatus.UNAUTHORIZED
    assert snaps["air"].error == "no API key: set SEOUL_API_KEY or sources.api_key_file"
    assert (
        snaps["subway"].error
        == "no API key: set SEOUL_SUBWAY_API_KEY or sources.subway_api_key_file"
    )
    assert api.paths == []  # nothing was sent without a key


def test_keys_come_from_files_first_line_stripped(api: SeoulApi, tmp_path: Path) -> None:
    (tmp_path / "open.key").write_text(f"  {OPEN_KEY}  \nsecond line ignored\n")
    (tmp_path / "subway.key").write_text(f"{SUBWAY_KEY}\n")
    cfg = kiosk_config(
        api,
        tmp_path,
        api_key_file=str(tmp_path / "open.key"),
        subway_api_key_file=str(tmp_path / "subway.key"),
    )
    p = Poller(cfg, env={})
    try:
        assert (
            refresh(p, "subway").status is FeedStatus.OK
            and refresh(p, "air").status is FeedStatus.OK
        )
    finally:
        p.close()


def test_an_unreadable_key_file_is_named(api: SeoulApi, tmp_path: Path) -> None:
    cfg = kiosk_config(api, tmp_path, api_key_file=str(tmp_path / "missing.key"))
    p = Poller(cfg, env={})
    try:
        snap = refresh(p, "air")
    finally:
        p.close()
    assert snap.status is FeedStatus.UNAUTHORIZED
    assert (
        snap.error
        == f"no API key: sources.api_key_file: file not found: {tmp_path / 'missing.key'}"
    )


def test_a_failure_keeps_the_last_good_data_of_every_source(api: SeoulApi, tmp_path: Path) -> None:
    names = ("subway", "air", "parks", "trails", "bikes", "events", "bus", "alerts")
    poller = Poller(kiosk_config(api, tmp_path, cache_expiry=dict.fromkeys(names, 0)), env=ENV)
    first = {s: refresh(poller, s) for s in poller.coordinators}
    assert set(first) == set(names)
    api.fail("subway", Reply(b"x", status=503))
    api.route(ALERTS_PATH, HTML_ERROR_PAGE)
    api.bus.modes["02005"] = "down"
    for source in ("air", "parks", "trails", "bikes", "events"):
        api.fail(source, HTML_ERROR_PAGE)
    later = T0 + timedelta(minutes=1)
    for source, snap in first.items():
        again = refresh(poller, source, later)
        assert again.items == snap.items and again.fetched_at == T0 and again.error
    poller.close()


def test_an_answer_within_its_expiry_is_reused_without_a_call(
    poller: Poller, api: SeoulApi
) -> None:
    refresh(poller, "parks")
    used = poller.ledgers["openapi"].state(T0).used
    api.fail("parks", HTML_ERROR_PAGE)
    again = refresh(poller, "parks", T0 + timedelta(hours=1))
    assert again.status is FeedStatus.OK and again.from_cache and api.calls["parks"] == 1
    assert poller.ledgers["openapi"].state(T0).used == used == 1  # a cache hit costs no quota
