"""Shared pydantic base for every config section: frozen, unknown keys rejected, strings bounded."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

_HHMM = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
# No value of a config or layout is a text: names, ids, paths and URLs fit in far less. Fields
# with a meaning of their own (a page id, a station name) have tighter limits beside them.
MAX_STRING = 500


class Section(BaseModel):
    """A config section: immutable, and an unknown key is an error (typos must not pass)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_max_length=MAX_STRING)


def check_hhmm(value: str) -> str:
    """Validate a 24-hour "HH:MM" time of day and return it normalised to two digits."""
    m = _HHMM.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise ValueError(f"bad time {value!r}: expected HH:MM (24-hour)")
    return f"{int(m.group(1)):02d}:{m.group(2)}"
