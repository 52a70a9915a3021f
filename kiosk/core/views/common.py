"""Pieces shared by every page view: the data state of a source and its age."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.format import age_text, age_text_until
from kiosk.core.models import Snapshot


class DataState(enum.Enum):
    """What the page can honestly show for a source."""

    FRESH = "fresh"
    STALE = "stale"  # last good data, shown with its age and a visible mark
    NO_DATA = "no_data"  # nothing trustworthy to show: the distinct no-data card


@dataclass(frozen=True)
class SourceAge:
    """One entry of the footer: a source's name and how old its data is."""

    source: str
    name_ko: str
    name_en: str
    age_ko: str
    age_en: str
    state: DataState


# Footer entries that stand for two sources of one page with the same daily cadence: the entry
# shows the older data and the worse state of both. Seven entries (with the buses) do not fit
# one landscape row of the footer, and a second row costs every page 6 % of the screen.
FOOTER_MERGE: dict[str, str] = {"trails": "parks"}
_WORSE = {DataState.FRESH: 0, DataState.STALE: 1, DataState.NO_DATA: 2}


def footer_sources(sources: Sequence[str]) -> tuple[str, ...]:
    """The sources that get a footer entry of their own, in order."""
    return tuple(s for s in sources if FOOTER_MERGE.get(s) not in sources)


def footer_ages(
    sources: Sequence[str],
    labels: Mapping[str, tuple[str, str]],
    snapshots: Mapping[str, Snapshot],
    states: Mapping[str, DataState],
    now: datetime,
) -> list[SourceAge]:
    """The footer's entries: each source's age, merged sources under their entry's name."""
    out = []
    for entry in footer_sources(sources):
        members = [
            entry,
            *(s for s, into in FOOTER_MERGE.items() if into == entry and s in sources),
        ]
        snaps = [snapshots.get(s) for s in members]
        times = [s.fetched_at if s is not None else None for s in snaps]
        oldest = None if None in times else min(t for t in times if t is not None)
        worst = max((states.get(s, DataState.NO_DATA) for s in members), key=_WORSE.__getitem__)
        shown = next((s for s in snaps if s is not None and s.fetched_at == oldest), None)
        age = source_age(entry, labels[entry], shown, worst, now)
        out.append(age)
    return out


def footer_ages_until(
    sources: Sequence[str], snapshots: Mapping[str, Snapshot], now: datetime
) -> datetime | None:
    """When ``footer_ages`` with the same snapshots and states can next differ from what it
    gives at ``now`` (None: not before they change): the soonest age step of any source."""
    steps = [age_text_until(s.fetched_at, now) for s in map(snapshots.get, sources) if s]
    return min((t for t in steps if t is not None), default=None)


def source_age(
    source: str,
    label: tuple[str, str],
    snapshot: Snapshot | None,
    state: DataState,
    now: datetime,
) -> SourceAge:
    """The footer entry for a source, named by its (Korean, English) label."""
    ko, en = label
    age_ko, age_en = age_text(snapshot.fetched_at if snapshot else None, now)
    return SourceAge(source, ko, en, age_ko, age_en, state)
