"""Korea Standard Time helpers. The APIs speak KST strings without an offset."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

KST = timezone(timedelta(hours=9), "KST")

_FORMATS = (
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y%m%d%H%M%S",
    "%Y%m%d%H%M",
    "%Y-%m-%d",
)


def parse_kst(text: object) -> datetime | None:
    """Parse an API timestamp (KST, no offset) into an aware datetime; None if unparseable.

    Accepts "2021-10-14 18:06:56.0", "2024-02-06 14:28:40", "202605181500",
    "2025-11-26 24:00" (= next day 00:00) and epoch milliseconds as int.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if text > 1e11:  # epoch milliseconds
            return datetime.fromtimestamp(text / 1000, KST)
        return None
    if not isinstance(text, str):
        return None
    s = text.strip()
    if not s:
        return None
    plus_day = False
    if " 24:" in s:  # AirKorea writes midnight as 24:00 of the previous day
        s = s.replace(" 24:", " 00:")
        plus_day = True
    for fmt in _FORMATS:
        try:
            dt = datetime.strptime(s, fmt).replace(tzinfo=KST)
        except ValueError:
            continue
        return dt + timedelta(days=1) if plus_day else dt
    return None


def now_kst() -> datetime:
    """The current time in KST. Only top-level code calls this; everything else takes ``now``."""
    return datetime.now(KST)


def kst_text(when: datetime | None) -> str:
    """``2026-12-01 21:56:59 KST``: the one way a time is written for operators (logs, status)."""
    return "?" if when is None else f"{when.astimezone(KST):%Y-%m-%d %H:%M:%S} KST"
