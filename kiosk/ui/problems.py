"""What the Qt side cannot get past, as its own exceptions: kiosk.ui imports kiosk.core only, so
the caller (the composition root) maps these to kiosk.errors at its boundary."""

from __future__ import annotations

from collections.abc import Sequence


class DisplayProblem(Exception):
    """The UI cannot start or render; ``str(e)`` is one line, safe to show (maps to KioskError)."""


class UnknownPages(DisplayProblem):
    """Pages asked for by id that the layout does not have; ``problems`` holds one line each
    in the ``key.path: reason`` form (maps to ConfigError, a usage error)."""

    def __init__(self, problems: Sequence[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))
