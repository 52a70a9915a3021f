"""The countdown: extrapolated each second from barvlDt and recptnDt, honest when unknown."""

from datetime import timedelta

from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.health import health
from kiosk.core.models import Snapshot
from kiosk.core.views.arrivals import arrivals_view, train_row
from kiosk.core.views.common import DataState
from tests.ui_data import NOW, arrival


def test_countdown_ticks_down_between_polls():
    a = arrival("1005", "상행", "방화", 300, received=NOW)
    minutes = [
        train_row(a, NOW + timedelta(seconds=s)).minutes for s in (0, 59, 61, 119, 121, 239, 241)
    ]
    assert minutes == [5, 4, 3, 3, 2, 1, None]
    assert train_row(a, NOW + timedelta(seconds=250)).status_en == "Arriving"


def test_age_counts_from_recptndt_not_from_fetch():
    # The API's data was generated 90 s before we look: 180 s becomes 90 s -> 1 min.
    a = arrival("1005", "상행", "방화", 180, received=NOW - timedelta(seconds=90))
    assert train_row(a, NOW).minutes == 1


def test_unknown_eta_shows_status_never_zero_minutes():
    a = arrival("1001", "상행", "소요산", None, code="5")
    row = train_row(a, NOW)
    assert row.minutes is None
    assert (row.status_ko, row.status_en) == ("전역 도착", "1 stop away")
    b = arrival("1063", "상행", "문산", None, code="99", message="[7]번째 전역 (한남)")
    assert (train_row(b, NOW).status_ko, train_row(b, NOW).status_en) == (
        "7번째 전역",
        "7 stops away",
    )


def test_arriving_and_entering_show_words():
    for code, words in (("0", ("진입", "Entering")), ("1", ("도착", "Arrived"))):
        row = train_row(arrival("1005", "하행", "마천", 0, code=code), NOW)
        assert row.minutes is None and (row.status_ko, row.status_en) == words


def test_view_orders_trains_keeps_two_and_drops_departed():
    snap = Snapshot(
        "subway",
        (
            arrival("1005", "상행", "방화", 600),
            arrival("1005", "상행", "방화", 120),
            arrival("1005", "상행", "김포공항", None, code="99"),
            arrival("1005", "상행", "방화", 0, code="2"),  # departed: not catchable
            arrival("1005", "하행", "마천", 30, received=NOW - timedelta(seconds=200)),  # long gone
            arrival("1009", "상행", "개화", 200, express=True),
        ),
        NOW,
    )
    view = arrivals_view(snap, ("1005", "1009", "1004"), NOW, DataState.FRESH)
    l5, l9, l4 = view.lines
    up = l5.directions[0]
    assert up.label_ko == "상행" and [t.minutes for t in up.trains] == [2, 10]
    down = l5.directions[1]
    assert down.trains == ()  # the only downbound train left long ago
    assert l9.directions[0].trains[0].express is True
    assert l4.has_data is False  # a configured line with no rows: its own no-data state


def test_line_2_uses_inner_and_outer_loop():
    snap = Snapshot("subway", (arrival("1002", "외선", "신도림", 400),), NOW)
    view = arrivals_view(snap, ("1002",), NOW, DataState.FRESH)
    assert [d.label_en for d in view.lines[0].directions] == ["Inner loop", "Outer loop"]


def test_no_data_state_hides_old_trains():
    snap = Snapshot("subway", (arrival("1005", "상행", "방화", 600),), NOW)
    view = arrivals_view(snap, ("1005",), NOW, DataState.NO_DATA)
    assert view.lines[0].has_data is False


def test_a_train_one_stop_away_is_never_hidden_behind_later_ones():
    snap = Snapshot(
        "subway",
        (
            arrival("1001", "상행", "소요산", 240),
            arrival("1001", "상행", "동두천", 600),
            arrival(
                "1001", "상행", "의정부", None, code="5"
            ),  # at the previous station, no barvlDt
        ),
        NOW,
    )
    trains = arrivals_view(snap, ("1001",), NOW, DataState.FRESH).lines[0].directions[0].trains
    assert [t.destination_ko for t in trains] == ["의정부", "소요산"]


def test_positions_without_eta_expire_and_countdowns_run_out():
    snap = Snapshot(
        "subway",
        (
            arrival("1005", "상행", "방화", None, code="99", message="[3]번째 전역 (영등포구청)"),
            arrival("1005", "상행", "방화", 200),
        ),
        NOW,
    )
    later = NOW + timedelta(seconds=150)
    trains = arrivals_view(snap, ("1005",), later, DataState.STALE).lines[0].directions[0].trains
    assert [(t.minutes, t.status_en) for t in trains] == [(None, "Arriving")]


def test_quota_error_without_data_is_no_data_not_no_trains():
    from kiosk.core.models import FeedStatus

    limited = Snapshot("subway", (), NOW, FeedStatus.RATE_LIMITED, "ERROR-337")
    state = health(limited, FreshnessPolicy(180, 900), NOW).state
    assert state is DataState.NO_DATA
    line = arrivals_view(limited, ("1005",), NOW, state).lines[0]
    assert not line.has_data and not line.no_trains
    empty = Snapshot("subway", (), NOW, FeedStatus.EMPTY)
    line = arrivals_view(
        empty, ("1005",), NOW, health(empty, FreshnessPolicy(180, 900), NOW).state
    ).lines[0]
    assert not line.has_data and line.no_trains  # INFO-200: the API says no trains run


def test_direction_label_uses_the_heading_when_known():
    snap = Snapshot("subway", (arrival("1005", "상행", "방화", 300, heading="신길방면"),), NOW)
    d = arrivals_view(snap, ("1005",), NOW, DataState.FRESH).lines[0].directions
    assert (d[0].label_ko, d[0].label_en) == ("신길 방면", "toward Singil")
    assert (d[1].label_ko, d[1].label_en) == ("하행", "Downbound")


def test_absurd_positions_and_etas_show_plain_status_words_never_huge_numbers():
    # barvlDt 1e20 reached the screen as "… 분"; "[99999999999]번째 전역" as that number.
    huge = arrival("1005", "상행", "방화", 10**20)
    row = train_row(huge, NOW)
    assert row.minutes is None and (row.status_ko, row.status_en) == ("운행 중", "Running")
    far = arrival("1005", "상행", "방화", None, code="99", message="[99999999999]번째 전역 (x)")
    assert (train_row(far, NOW).status_ko, train_row(far, NOW).status_en) == ("운행 중", "Running")


def test_each_snapshot_gets_its_own_trains_whatever_was_kept_from_the_ones_before():
    # The view keeps the last few snapshots' trains by direction (by identity): a new snapshot,
    # one that reuses a discarded one's memory, or one shown again, always shows its own.
    import kiosk.core.views.arrivals as module

    snaps = [
        Snapshot("subway", (arrival("1005", "상행", f"방화{i}", 120 + 60 * i, received=NOW),), NOW)
        for i in range(module._TABLES_KEPT + 3)
    ]
    for _ in range(2):
        for i, snap in enumerate(snaps):
            view = arrivals_view(snap, ["1005"], NOW, DataState.FRESH)
            (row,) = view.lines[0].directions[0].trains
            assert (row.destination_ko, row.minutes) == (f"방화{i}", 2 + i)
    assert len(module._TABLES) <= module._TABLES_KEPT
    for i in range(3):  # short-lived snapshots, made and dropped one after the other
        snap = Snapshot("subway", (arrival("1005", "하행", f"신길{i}", 61, received=NOW),), NOW)
        (row,) = arrivals_view(snap, ["1005"], NOW, DataState.FRESH).lines[0].directions[1].trains
        assert row.destination_ko == f"신길{i}"
        del snap


def _random_train(rng, close: bool):
    # ``close``: countdowns within seconds of each other, received a fraction apart, so that
    # trains tie and swap places.
    return arrival(
        "1005",
        rng.choice(["상행", "하행"]),
        rng.choice(["방화", "마천", "하남검단산"]),
        rng.randint(100, 103)
        if close
        else rng.choice([None, 0, 9000, *[rng.randint(1, 1500) for _ in range(6)]]),
        code="99" if close else rng.choice(["0", "1", "2", "3", "4", "5", "99", "99", "99"]),
        received=NOW + timedelta(seconds=rng.uniform(-2, 2) if close else rng.uniform(-400, 90)),
        message=rng.choice(["", "", "[3]번째 전역 (여의나루)", "5분 후 (신길)"]),
        heading=rng.choice(["", "신길방면", "여의나루방면"]),
    )


def test_a_view_holds_until_the_moment_it_says_and_not_only_for_a_second():
    import random

    from kiosk.core.views.arrivals import arrivals_view_until

    rng = random.Random(20261202)
    held = 0
    for case in range(600):
        close = case % 3 == 0
        trains = tuple(_random_train(rng, close) for _ in range(rng.randint(0, 8)))
        snap = Snapshot("subway", trains, NOW)
        now = NOW + timedelta(seconds=rng.uniform(0, 90) if close else rng.uniform(-60, 300))
        state = rng.choice([DataState.FRESH, DataState.STALE])
        until = arrivals_view_until(snap, ["1005"], now, state)
        assert until >= now
        view = arrivals_view(snap, ["1005"], now, state)
        span = min((until - now).total_seconds(), 400.0)
        moments = [span * i / 200 for i in range(200)] + [span - 0.001] if span > 0 else []
        for s in moments:
            at = now + timedelta(seconds=max(0.0, s))
            assert arrivals_view(snap, ["1005"], at, state) == view, (case, s, span)
        held += span >= 5
    assert held > 250  # most views hold for seconds: the page is not built again every tick
