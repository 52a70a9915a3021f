"""Arrival countdowns between polls, and the words for each arrival code (pure)."""

from __future__ import annotations

from datetime import datetime

from kiosk.core.models import Arrival

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


def eta_now(arrival: Arrival, now: datetime) -> int | None:
    """Seconds until arrival at ``now``: barvlDt minus the data's age, never below 0; None if unknown.

    The API's barvlDt counts from recptnDt, not from when we fetched it, so the age is measured
    from ``received_at``. A ``received_at`` in the future (clock skew) does not add time.
    """
    if arrival.eta_s is None:
        return None
    age_s = max(0.0, (now - arrival.received_at).total_seconds())
    return max(0, int(arrival.eta_s - age_s))


def status_text(arrival: Arrival) -> tuple[str, str]:
    """(ko, en) words for the arrival code; ("", "") for a code the API has not documented."""
    return STATUS_TEXT.get(arrival.arrival_code, ("", ""))
