"""The arrivals page: for each configured line and direction, the next two trains."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.eta import eta_now, status_text
from kiosk.core.lines import line_for
from kiosk.core.models import Arrival, Snapshot
from kiosk.core.romanize import english_name
from kiosk.core.views.common import DataState

TRAINS_PER_DIRECTION = 2
# A train whose extrapolated countdown ran out this long ago has surely left: drop it.
DEPARTED_GRACE_S = 60
_DIRECTIONS = {
    "상행": ("상행", "Upbound"),
    "하행": ("하행", "Downbound"),
    "내선": ("내선순환", "Inner loop"),
    "외선": ("외선순환", "Outer loop"),
}
# Codes meaning the train is at or entering this station: show the status, not a number.
_AT_STATION = {"0", "1"}
_CODE_ORDER = {"1": 0, "0": 1, "5": 2, "4": 3, "3": 4, "99": 5, "2": 9}


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


@dataclass(frozen=True)
class ArrivalsView:
    lines: tuple[LineBlock, ...]
    state: DataState


def _eta(a: Arrival, now: datetime) -> int | None:
    """Seconds to arrival now; None when unknown (barvlDt "0" with a non-arrival code)."""
    if a.eta_s == 0 and a.arrival_code not in ("0", "1", "2"):
        return None
    return eta_now(a, now)


def _sort_key(a: Arrival, now: datetime) -> tuple[int, float]:
    eta = _eta(a, now)
    if a.arrival_code in _AT_STATION:
        return (0, 0.0)
    if eta is not None:
        return (1, float(eta))
    return (2, float(_CODE_ORDER.get(a.arrival_code, 8)))


def _departed(a: Arrival, now: datetime) -> bool:
    if a.arrival_code == "2":  # 출발: leaving this station, no longer catchable
        return True
    if a.eta_s is None:
        return False
    overdue = (now - a.received_at).total_seconds() - a.eta_s
    return overdue > DEPARTED_GRACE_S


_STOPS_AWAY = re.compile(r"\[(\d+)\]번째 전역")


def _status_words(a: Arrival) -> tuple[str, str]:
    """Status words; "[3]번째 전역 (서울)" becomes "3번째 전역 / 3 stops away"."""
    m = _STOPS_AWAY.search(a.message)
    if m:
        n = int(m.group(1))
        return (f"{n}번째 전역", f"{n} stops away")
    ko, en = status_text(a)
    return (ko, en) if ko else ("운행 중", "In service")


def train_row(a: Arrival, now: datetime) -> TrainRow:
    """One train as the screen shows it: minutes, or the status text when minutes would lie."""
    status_ko, status_en = _status_words(a)
    eta = _eta(a, now)
    minutes = None
    if a.arrival_code not in _AT_STATION and eta is not None:
        if eta >= 60:
            minutes = int(eta // 60)
        else:
            status_ko, status_en = "곧 도착", "Arriving"
    return TrainRow(
        destination_ko=a.destination,
        destination_en=english_name(a.destination),
        minutes=minutes,
        status_ko=status_ko,
        status_en=status_en,
        express=a.express,
        last_train=a.last_train,
    )


def _directions_for(line_id: str, present: set[str]) -> list[str]:
    default = ["내선", "외선"] if line_id == "1002" else ["상행", "하행"]
    return default + sorted(d for d in present if d not in default)


def arrivals_view(
    snapshot: Snapshot[Arrival] | None, lines: Sequence[str], now: datetime, state: DataState
) -> ArrivalsView:
    """Build the arrivals page for the configured lines (in config order)."""
    arrivals = (
        list(snapshot.items) if snapshot is not None and state is not DataState.NO_DATA else []
    )
    blocks = []
    for line_id in lines:
        line = line_for(line_id)
        rows = [a for a in arrivals if a.line_id == line_id and not _departed(a, now)]
        directions = []
        for d in _directions_for(line_id, {a.direction for a in rows}):
            label_ko, label_en = _DIRECTIONS.get(d, (d, english_name(d)))
            trains = sorted((a for a in rows if a.direction == d), key=lambda a: _sort_key(a, now))
            directions.append(
                DirectionBlock(
                    d,
                    label_ko,
                    label_en,
                    tuple(train_row(a, now) for a in trains[:TRAINS_PER_DIRECTION]),
                )
            )
        blocks.append(
            LineBlock(
                line_id, line.ko, line.en, line.short, line.colour, tuple(directions), bool(rows)
            )
        )
    return ArrivalsView(tuple(blocks), state)
