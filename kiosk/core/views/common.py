"""Pieces shared by every page view: the data state of a source and its age."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from kiosk.core.format import age_text
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
