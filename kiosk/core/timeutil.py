"""Korea Standard Time helpers. The APIs speak KST strings without an offset."""

from __future__ import annotations

import math
import re
from datetime import UTC, datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")

# Years an API timestamp can plausibly carry. Anything outside is garbage, and date arithmetic
# near datetime's own limits (year 1 or 9999, e.g. an END_DATE of 9999-12-31 plus a day) raises.
MIN_YEAR, MAX_YEAR = 1900, 2999
# Digits-only forms, chosen by exact length: strptime without separators is greedy and
# ambiguous ("202612022359" matches %Y%m%d%H%M%S as 2026-12-02 23:05:09, "20261202" matches
# %Y%m%d%H%M as 2026-01-02 00:02).
_COMPACT = {8: (4, 2, 2), 12: (4, 2, 2, 2, 2), 14: (4, 2, 2, 2, 2, 2)}
# "2021-10-14 18:06:56.0", "2024-02-06 14:28:40", "2026/08/18 03:51:18", "1999.5.20",
# "2026-10-10T10:00:00", "2026-11-20T08:14:00+09:00"
_SEPARATED = re.compile(
    r"(?P<y>\d{4})(?P<sep>[-./])(?P<m>\d{1,2})(?P=sep)(?P<d>\d{1,2})\.?"
    r"(?:[ T](?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?)?"
    r"\s*(?P<tz>Z|[+-]\d{2}:?\d{2})?)?"
)
# Epoch milliseconds with 13 digits: 2001-09-09 .. 2286-11-20. Shorter or longer numbers are
# not taken as epochs: a 12- or 14-digit number is far likelier a compact date.
_EPOCH_MS = (1e12, 1e13)


def _build(parts: list[int], offset: timezone = KST) -> datetime | None:
    """A KST datetime from (y, m, d[, H, M, S, µs]); None when out of range or not a date."""
    y, m, d, hh, mm, ss, us = (parts + [0, 0, 0, 0])[:7]
    if not MIN_YEAR <= y <= MAX_YEAR:
        return None
    next_day = hh == 24 and mm == ss == us == 0  # AirKorea writes midnight as 24:00
    try:
        dt = datetime(y, m, d, 0 if next_day else hh, mm, ss, us, tzinfo=offset)
    except ValueError:
        return None
    return (dt + timedelta(days=1) if next_day else dt).astimezone(KST)


def _offset(text: str | None) -> timezone:
    if not text:
        return KST
    if text == "Z":
        return UTC
    digits = text[1:].replace(":", "")
    minutes = int(digits[:2]) * 60 + int(digits[2:])
    return timezone(timedelta(minutes=-minutes if text[0] == "-" else minutes))


def _compact(digits: str) -> datetime | None:
    widths = _COMPACT.get(len(digits))
    if widths is None:
        return None
    parts, at = [], 0
    for width in widths:
        parts.append(int(digits[at : at + width]))
        at += width
    return _build(parts)


def _number(value: float) -> datetime | None:
    if not math.isfinite(value):
        return None
    if value == int(value) and len(str(int(value))) in _COMPACT:
        return _compact(str(int(value)))
    if _EPOCH_MS[0] <= value < _EPOCH_MS[1]:
        return datetime.fromtimestamp(value / 1000, KST)
    return None


def parse_kst(text: object) -> datetime | None:
    """Parse an API timestamp (KST unless it names an offset) into an aware datetime; else None.

    Accepts "2021-10-14 18:06:56.0", "2024-02-06 14:28:40", "2026/08/18 03:51:18", "1999.5.20",
    ISO "2026-10-10T10:00:00(+09:00)", digits by exact length ("20261202", "202605181500",
    "20261202235959", as text or number), "2025-11-26 24:00" (= next day 00:00) and 13-digit
    epoch milliseconds. Years outside MIN_YEAR..MAX_YEAR, huge, NaN or malformed values: None.
    """
    if isinstance(text, bool):
        return None
    if isinstance(text, (int, float)):
        try:
            return _number(float(text))
        except OverflowError:  # an int too large for a float
            return None
    if not isinstance(text, str):
        return None
    s = text.strip()
    if s.isascii() and s.isdigit():
        return _compact(s)
    match = _SEPARATED.fullmatch(s)
    if match is None:
        return None
    g = match.groupdict()
    fraction = (g["f"] or "0")[:6].ljust(6, "0")
    parts = [int(g["y"]), int(g["m"]), int(g["d"])]
    if g["H"] is not None:
        parts += [int(g["H"]), int(g["M"]), int(g["S"] or 0), int(fraction)]
    try:
        offset = _offset(g["tz"])
    except ValueError:  # an offset of a day or more ("+99:99")
        return None
    return _build(parts, offset)


def now_kst() -> datetime:
    """The current time in KST. Only top-level code calls this; everything else takes ``now``."""
    return datetime.now(KST)


def kst_text(when: datetime | None) -> str:
    """``2026-12-01 21:56:59 KST``: the one way a time is written for operators (logs, status)."""
    return "?" if when is None else f"{when.astimezone(KST):%Y-%m-%d %H:%M:%S} KST"
