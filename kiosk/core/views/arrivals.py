"""The arrivals page: for each configured line and direction, the next two trains."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from kiosk.core.eta import CLOCK_BACK_S, STATUS_TEXT, eta_in_range, eta_now, status_text
from kiosk.core.lines import line_for
from kiosk.core.models import Arrival, FeedStatus, Snapshot
from kiosk.core.romanize import english_name
from kiosk.core.views.common import DataState

TRAINS_PER_DIRECTION = 2
# A train whose extrapolated countdown ran out this long ago has surely left: drop it.
DEPARTED_GRACE_S = 60
# A position without an ETA ("3번째 전역") is only true for a moment: after this, drop it.
POSITION_VALID_S = 120
_DIRECTIONS = {
    "상행": ("상행", "Upbound"),
    "하행": ("하행", "Downbound"),
    "내선": ("내선순환", "Inner loop"),
    "외선": ("외선순환", "Outer loop"),
}
# Codes meaning the train is at or entering this station: show the status, not a number.
_AT_STATION = {"0", "1"}
# Rough seconds to arrival for codes that come without barvlDt: only used to order trains,
# so that a train one stop away is never hidden behind one ten minutes out.
_ROUGH_ETA_S = {"3": 60, "5": 90, "4": 120}
_STOPS_AWAY = re.compile(r"\[(\d{1,2})\]번째 전역")  # a line has < 100 stations: more is garbage
_MINUTES_AWAY = re.compile(r"(?<!\d)(\d{1,3})분\s*(\d+초\s*)?후")


@dataclass(frozen=True)
class TrainRow:
    destination_ko: str
    destination_en: str
    minutes: int | None  # whole minutes to arrival; None: show the status text instead
    status_ko: str
    status_en: str
    express: bool
    last_train: bool


@dataclass(frozen=True)
class DirectionBlock:
    direction: str  # 상행/하행/내선/외선
    label_ko: str
    label_en: str
    trains: tuple[TrainRow, ...]  # empty: no train information for this direction


@dataclass(frozen=True)
class LineBlock:
    line_id: str
    name_ko: str
    name_en: str
    badge: str
    colour: str
    directions: tuple[DirectionBlock, ...]
    has_data: bool
    no_trains: bool = False  # the API answered and no train of this line is running


@dataclass(frozen=True)
class ArrivalsView:
    lines: tuple[LineBlock, ...]
    state: DataState


def _counts_down(a: Arrival) -> bool:
    """Whether the train has a countdown at all (barvlDt "0" with a non-arrival code has none);
    ``eta_now`` may still find it unknown for a while (the clock set back)."""
    return eta_in_range(a) and not (a.eta_s == 0 and a.arrival_code not in ("0", "1", "2"))


def _eta(a: Arrival, now: datetime) -> int | None:
    """Seconds to arrival now; None when unknown."""
    return eta_now(a, now) if _counts_down(a) else None


def _rough_eta(a: Arrival) -> float | None:
    """An estimate for trains without barvlDt, from the code or the message."""
    if a.arrival_code in _ROUGH_ETA_S:
        return float(_ROUGH_ETA_S[a.arrival_code])
    m = _STOPS_AWAY.search(a.message)
    if m:
        return 120.0 * int(m.group(1))
    m = _MINUTES_AWAY.search(a.message)
    if m:
        return 60.0 * int(m.group(1))
    return None


def _sort_key(a: Arrival, now: datetime, eta: int | None) -> float:
    """Where the train goes in its direction's list (``eta``: ``_eta(a, now)``)."""
    if a.arrival_code in _AT_STATION:
        return -1.0
    if eta is not None:
        return float(eta)
    rough = _rough_eta(a)
    if rough is None:
        return 10_000.0
    return rough - (now - a.received_at).total_seconds()


def _departed(a: Arrival, now: datetime, eta: int | None) -> bool:
    """Whether the train has surely left (``eta``: ``_eta(a, now)``)."""
    if a.arrival_code == "2":  # 출발: leaving this station, no longer catchable
        return True
    age = (now - a.received_at).total_seconds()
    if eta is None:
        return age > POSITION_VALID_S and a.arrival_code not in _AT_STATION
    assert a.eta_s is not None
    return age - a.eta_s > DEPARTED_GRACE_S


def _status_words(a: Arrival) -> tuple[str, str]:
    """Words for a train without a countdown: "3번째 전역 / 3 stops away", "전역 도착 / 1 stop away"."""
    m = _STOPS_AWAY.search(a.message)
    if m:
        n = int(m.group(1))
        return (f"{n}번째 전역", f"{n} stops away")
    if a.arrival_code in STATUS_TEXT and a.arrival_code != "99":
        return status_text(a)
    if a.current_station:
        return (f"{a.current_station} 부근", f"Near {english_name(a.current_station)}")
    return ("운행 중", "Running")


def train_row(a: Arrival, now: datetime) -> TrainRow:
    """One train as the screen shows it: minutes, or the status text when minutes would lie."""
    return _row(_Train.of(a), _eta(a, now))


@dataclass(frozen=True)
class _Train:
    """What of a train the clock does not change, worked out once per snapshot."""

    arrival: Arrival
    status: tuple[str, str]  # its words when minutes would lie
    destination_en: str

    @classmethod
    def of(cls, a: Arrival) -> _Train:
        return cls(a, _status_words(a), english_name(a.destination))


def _row(t: _Train, eta: int | None) -> TrainRow:
    a = t.arrival
    status_ko, status_en = t.status
    minutes = None
    if a.arrival_code not in _AT_STATION and eta is not None:
        if eta >= 60:
            minutes = int(eta // 60)
        else:
            status_ko, status_en = "곧 도착", "Arriving"
    return TrainRow(
        destination_ko=a.destination,
        destination_en=t.destination_en,
        minutes=minutes,
        status_ko=status_ko,
        status_en=status_en,
        express=a.express,
        last_train=a.last_train,
    )


# The trains of a snapshot by (line, direction), for the last few snapshots the pages showed
# (by identity: a snapshot's items never change; each arrivals page builds its view every
# second from the same one, with its own lines).
_TABLES: dict[int, tuple[tuple[Arrival, ...], dict[tuple[str, str], tuple[_Train, ...]]]] = {}
_TABLES_KEPT = 4


def _trains_by_direction(
    arrivals: tuple[Arrival, ...],
) -> dict[tuple[str, str], tuple[_Train, ...]]:
    kept = _TABLES.get(id(arrivals))
    if kept is not None and kept[0] is arrivals:
        return kept[1]
    table: dict[tuple[str, str], list[_Train]] = {}
    for a in arrivals:
        table.setdefault((a.line_id, a.direction), []).append(_Train.of(a))
    out = {k: tuple(v) for k, v in table.items()}
    if len(_TABLES) >= _TABLES_KEPT:
        _TABLES.pop(next(iter(_TABLES)))
    _TABLES[id(arrivals)] = (arrivals, out)
    return out


def _directions_for(line_id: str) -> list[str]:
    # Two directions per line: Line 2's branch rows (상행/하행 under 1002) are not shown here.
    return ["내선", "외선"] if line_id == "1002" else ["상행", "하행"]


@lru_cache(maxsize=64)
def _label(direction: str, headings_shown: tuple[str, ...]) -> tuple[str, str]:
    """ "신길 방면 · to Singil" from the trains' headings (in the order shown); the up/down word
    when there is none."""
    headings = Counter(h.removesuffix("방면").strip() for h in headings_shown if h.strip())
    if headings:
        toward = headings.most_common(1)[0][0]
        return (f"{toward} 방면", f"toward {english_name(toward)}")
    return _DIRECTIONS.get(direction, (direction, english_name(direction)))


def arrivals_view(
    snapshot: Snapshot[Arrival] | None, lines: Sequence[str], now: datetime, state: DataState
) -> ArrivalsView:
    """Build the arrivals page for the configured lines (in config order)."""
    usable = snapshot is not None and state is not DataState.NO_DATA
    arrivals = snapshot.items if usable and snapshot is not None else ()
    answered = (
        usable and snapshot is not None and snapshot.status in (FeedStatus.OK, FeedStatus.EMPTY)
    )
    by_direction = _trains_by_direction(tuple(arrivals))
    blocks = []
    for line_id in lines:
        line = line_for(line_id)
        directions = []
        for d in _directions_for(line_id):
            etas = [(t, _eta(t.arrival, now)) for t in by_direction.get((line_id, d), ())]
            running = [(t, eta) for t, eta in etas if not _departed(t.arrival, now, eta)]
            running.sort(key=lambda te: _sort_key(te[0].arrival, now, te[1]))
            label_ko, label_en = _label(d, tuple(t.arrival.heading for t, _ in running))
            directions.append(
                DirectionBlock(
                    d,
                    label_ko,
                    label_en,
                    tuple(_row(t, eta) for t, eta in running[:TRAINS_PER_DIRECTION]),
                )
            )
        has = any(b.trains for b in directions)
        blocks.append(
            LineBlock(
                line_id,
                line.ko,
                line.en,
                line.short,
                line.colour,
                tuple(directions),
                has,
                no_trains=answered and not has,
            )
        )
    return ArrivalsView(tuple(blocks), state)


# --- how long a view holds ------------------------------------------------------------------
#
# The view changes with the clock only at steps: a countdown's minute, a train leaving or its
# position expiring, two trains swapping places. The page builds it again at the first step
# after it was built, not every second. Conservative: the moment returned is never later
# than the first step (tests/test_core_arrivals_view.py checks it over random snapshots).

HOLDS_AT_MOST = timedelta(hours=1)


def arrivals_view_until(
    snapshot: Snapshot[Arrival] | None, lines: Sequence[str], now: datetime, state: DataState
) -> datetime:
    """A moment after ``now`` up to which ``arrivals_view`` gives the view it gives at ``now``
    (for every t in [now, it)); ``now`` itself when two trains are too close to be sure of
    their order a second later."""
    until = now + HOLDS_AT_MOST
    if snapshot is None or state is DataState.NO_DATA:
        return until
    by_direction = _trains_by_direction(tuple(snapshot.items))
    for line_id in lines:
        for d in _directions_for(line_id):
            keys = []
            for t in by_direction.get((line_id, d), ()):
                a = t.arrival
                until = min(until, _train_until(a, now))
                eta = _eta(a, now)
                if not _departed(a, now, eta):
                    keys.append(_key_motion(a, now, eta))
            until = min(until, _order_until(keys, now))
            if until <= now:
                return now
    return until


def _train_until(a: Arrival, now: datetime) -> datetime:
    """The first moment at or after ``now`` where the train's row, its leaving, or how its sort
    key moves can change."""
    far = now + HOLDS_AT_MOST
    if a.arrival_code == "2":
        return far  # left: dropped whatever the clock says
    r = a.received_at
    age = (now - r).total_seconds()
    points: list[float] = [POSITION_VALID_S]  # a position without an ETA expires
    if _counts_down(a):
        assert a.eta_s is not None
        s = float(a.eta_s)
        points += [-CLOCK_BACK_S, 0.0, s, s + DEPARTED_GRACE_S]  # known from; counting; 0; left
        left = s - max(0.0, age)
        if left >= 60:
            points.append(s - 60.0 * (left // 60))  # the next minute step
    later = [p for p in points if p >= age]
    return r + timedelta(seconds=min(later)) if later else far


def _key_motion(a: Arrival, now: datetime, eta: int | None) -> tuple[float, int]:
    """The train's sort key at ``now`` and whether it falls by a second a second (1) or stays
    (0) until the train's next step."""
    key = _sort_key(a, now, eta)
    if a.arrival_code in _AT_STATION:
        return key, 0
    if eta is not None:
        age = (now - a.received_at).total_seconds()
        return key, int(age >= 0 and key > 0)
    return key, 0 if _rough_eta(a) is None else 1


def _order_until(keys: Sequence[tuple[float, int]], now: datetime) -> datetime:
    """Until when the trains' order by key surely stays (keys fall in whole seconds or
    smoothly, so two falling keys 2 s apart never meet, and a falling key meets a still one
    no sooner than a second before their gap has run down)."""
    until = now + HOLDS_AT_MOST
    for i, (k1, v1) in enumerate(keys):
        for k2, v2 in keys[i + 1 :]:
            if v1 == v2:
                if v1 and abs(k1 - k2) < 2:
                    return now
                continue
            falling, still = (k1, k2) if v1 else (k2, k1)
            if falling < still:
                continue  # moving apart
            gap = falling - still - 1.0
            if gap <= 0:
                return now
            until = min(until, now + timedelta(seconds=gap))
    return until
