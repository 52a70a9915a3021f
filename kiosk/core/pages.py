"""The page kinds a layout may name, and the sources each one shows. Pure data.

The one list of page kinds: the config validates ``kind`` against it, the composition root polls
the sources the layout's pages show, and ``kiosk/ui`` maps each kind to its widget class (and
checks at import that it covers exactly these kinds).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType

PAGE_KINDS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "arrivals": ("subway",),
        "buses": ("bus",),
        "air_quality": ("air",),
        "parks": ("parks", "trails"),
        "bikes": ("bikes",),
        "events": ("events",),
    }
)


def sources_of(kinds: Iterable[str]) -> tuple[str, ...]:
    """Every source the given page kinds show, in first-shown order, without repeats."""
    out: list[str] = []
    for kind in kinds:
        out += [s for s in PAGE_KINDS[kind] if s not in out]
    return tuple(out)
