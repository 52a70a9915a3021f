"""What the screen knows of its sources: the last snapshot of each, its state as judged now, and
the footer's ages, each worked out again only when it can have changed.

The window's tick asks every second; most seconds every source's state holds (its data's age
has not reached a threshold, no snapshot came) and the ages read as shown ("2분 전"), so
nothing is worked out (``Held``). Pure: no Qt, no clock of its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from kiosk.core.freshness import FreshnessPolicy
from kiosk.core.health import health, state_until
from kiosk.core.held import Held
from kiosk.core.models import Snapshot
from kiosk.core.views.common import DataState, SourceAge, footer_ages, footer_ages_until


class SourceStates:
    """``sources`` in the order the pages read them; ``policies`` each one's freshness."""

    def __init__(
        self,
        sources: Sequence[str],
        policies: Mapping[str, FreshnessPolicy],
        labels: Mapping[str, tuple[str, str]],
    ):
        self.sources = tuple(sources)
        self.policies = dict(policies)
        self.labels = labels
        self.snapshots: dict[str, Snapshot] = {}
        self.states: dict[str, DataState] = {}
        self._held_states: dict[str, Held[DataState]] = {}  # each source's state as judged
        self._held_ages: Held[None] | None = None  # when the footer's ages were worked out

    def put(self, snaps: Sequence[Snapshot]) -> tuple[str, ...]:
        """Keep the newest snapshots; the sources they are of."""
        for s in snaps:
            self.snapshots[s.source] = s
        return tuple(s.source for s in snaps)

    def judge(self, now: datetime, new_data: Iterable[str] = ()) -> set[str]:
        """Judge every source at ``now``: the sources whose state changed, with ``new_data``."""
        states = {s: self._state_of(s, now) for s in self.sources}
        touched = {s for s in states if states[s] != self.states.get(s)}.union(new_data)
        self.states = states
        return touched

    def ages(self, now: datetime, changed: bool) -> list[SourceAge] | None:
        """The footer's ages at ``now``, or None where they read as when last worked out (no
        data or state ``changed``, no age's minute step since)."""
        held = self._held_ages
        if not changed and held is not None and held.holds((), now):
            return None
        ages = footer_ages(self.sources, self.labels, self.snapshots, self.states, now)
        self._held_ages = Held((), now, footer_ages_until(self.sources, self.snapshots, now), None)
        return ages

    def next_changes(self) -> list[datetime]:
        """The moments at which a state or an age, with the same data, will read otherwise."""
        moments = [held.until for held in self._held_states.values()]
        if self._held_ages is not None:
            moments.append(self._held_ages.until)
        return [t for t in moments if t is not None]

    def _state_of(self, source: str, now: datetime) -> DataState:
        # Judged again only where the clock can change it (the data's age reaching a threshold)
        # or the snapshot changed: most ticks every source's state holds.
        snap = self.snapshots.get(source)
        held = self._held_states.get(source)
        if held is not None and held.holds((snap,), now):
            return held.value
        policy = self.policies[source]
        state = health(snap, policy, now).state
        self._held_states[source] = Held((snap,), now, state_until(snap, policy, now), state)
        return state
