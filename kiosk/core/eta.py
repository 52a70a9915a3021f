"""Arrival countdowns between polls, and the words for each arrival code (pure)."""

from __future__ import annotations

from datetime import datetime

from kiosk.core.models import Arrival

# No train is more than this far from a station it is listed at: the longest runs between a
# train's departure and a station on one line take well under two hours. A larger barvlDt
# (1e20 has been seen) is garbage and the ETA is unknown, never "… 분".
MAX_ETA_S = 2 * 3600
# A ``received_at`` this far after ``now`` means our clock went back since the poll (or is
# far off): the data's age cannot be measured, so the countdown is unknown until the next
# poll, rather than frozen at its last value. Smaller leads are ordinary skew.
CLOCK_BACK_S = 60.0

# arvlCd -> (Korean, English); the seven codes of realtimeStationArrival (reference §1).
STATUS_TEXT: dict[str, tuple[str, str]] = {
    "0": ("진입", "Entering"),
    "1": ("도착", "Arrived"),
    "2": ("출발", "Departed"),
    # The three "previous station" codes all mean, to a rider, that the train is one stop away.
    "3": ("전역 출발", "1 stop away"),
    "4": ("전역 진입", "1 stop away"),
    "5": ("전역 도착", "1 stop away"),
    "99": ("운행 중", "Running"),
}


def eta_in_range(arrival: Arrival) -> bool:
    """Whether the arrival's barvlDt can count down at all (present, and 0..``MAX_ETA_S``)."""
    return arrival.eta_s is not None and 0 <= arrival.eta_s <= MAX_ETA_S


def eta_now(arrival: Arrival, now: datetime) -> int | None:
    """Seconds until arrival at ``now``: barvlDt minus the data's age, never below 0; None if unknown.

    The API's barvlDt counts from recptnDt, not from when we fetched it, so the age is measured
    from ``received_at``. A ``received_at`` a little in the future (clock skew) does not add
    time; one more than ``CLOCK_BACK_S`` ahead (the clock went back) makes the ETA unknown.
    An ``eta_s`` outside 0..``MAX_ETA_S`` is unknown too.
    """
    if not eta_in_range(arrival):
        return None
    assert arrival.eta_s is not None
    age_s = (now - arrival.received_at).total_seconds()
    if age_s < -CLOCK_BACK_S:
        return None
    return max(0, int(arrival.eta_s - max(0.0, age_s)))


def status_text(arrival: Arrival) -> tuple[str, str]:
    """(ko, en) words for the arrival code; ("", "") for a code the API has not documented."""
    return STATUS_TEXT.get(arrival.arrival_code, ("", ""))
