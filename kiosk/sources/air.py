"""Seoul realtime air quality (``RealtimeCityAir``, OA-2219) -> ``AirReading`` models.

Two field sets exist: the current one (MSRMT_DT, MSRSTN_NM, PM, FPM, CAI_GRD …) and the legacy
one (MSRDT, MSRSTE_NM, PM10, PM25, IDEX_NM …); each row is read by key presence, so a body
mixing both still parses. Reference: shared/reference/seoul-open-api.md §3.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from kiosk.core.grades import GRADE_FROM_KO
from kiosk.core.models import AirReading
from kiosk.core.timeutil import parse_kst
from kiosk.sources._common import (
    Parsed,
    load_json,
    openapi_url,
    raw_rows,
    to_float,
    to_str,
    usable_rows,
)

SERVICE = "RealtimeCityAir"
DEFAULT_BASE = "http://openapi.seoul.go.kr:8088"
_NO_POLLUTANT = frozenset({"", "-", "점검중", "없음"})
# Above this no instrument reads (the worst yellow-dust hours in Seoul stay under ~2,000
# ㎍/㎥; CAI tops out at 500; ozone and NO2 are fractions of a ppm): a larger value is
# garbage and that figure is unknown, as for a station under maintenance.
MAX_MEASURE = 10_000.0
# A measurement time this far after the fetch is not a clock difference but garbage.
_FUTURE_LIMIT = timedelta(days=1)


def request_url(base: str, key: str, start: int = 1, end: int = 25) -> str:
    """URL for all 25 districts (``/1/25/``)."""
    return openapi_url(base, key, SERVICE, start, end)


def _pick(row: dict[str, Any], current: str, legacy: str) -> Any:
    return row[current] if current in row else row.get(legacy)


def _measure(value: object) -> float | None:
    # A station under maintenance reports "점검중" / "-" / "", and a faulty one reports 0.
    number = to_float(value)
    return number if number is not None and 0 < number <= MAX_MEASURE else None


def _measured_at(value: object, now: datetime) -> datetime | None:
    """MSRMT_DT; ``now`` when absent; None when unreadable or absurdly far ahead."""
    if to_str(value) == "":
        return now
    when = parse_kst(value)
    if when is None or when > now + _FUTURE_LIMIT:
        return None
    return when


def _reading(row: dict[str, Any], now: datetime) -> AirReading | None:
    district = to_str(_pick(row, "MSRSTN_NM", "MSRSTE_NM"))
    measured_at = _measured_at(_pick(row, "MSRMT_DT", "MSRDT"), now)
    if not district or measured_at is None:
        return None
    grade = to_str(_pick(row, "CAI_GRD", "IDEX_NM"))
    pollutant = to_str(_pick(row, "CRST_SBSTN", "ARPLT_MAIN"))
    return AirReading(
        district=district,
        region=to_str(_pick(row, "SAREA_NM", "MSRRGN_NM")),
        measured_at=measured_at,
        pm10=_measure(_pick(row, "PM", "PM10")),
        pm25=_measure(_pick(row, "FPM", "PM25")),
        cai=_measure(_pick(row, "CAI_IDX", "IDEX_MVL")),
        cai_grade=grade if grade in GRADE_FROM_KO else None,
        main_pollutant=None if pollutant in _NO_POLLUTANT else pollutant,
        o3=_measure(_pick(row, "OZON", "O3")),
        no2=_measure(_pick(row, "NTDX", "NO2")),
    )


def parse_rows(body: bytes | str, now: datetime) -> Parsed[AirReading]:
    """The readings of a body with the count of rows dropped (no district, unreadable time)."""
    rows = raw_rows(load_json(body), [(SERVICE, "row")], row_marker="MSRSTN_NM")
    return usable_rows("air", rows, lambda row: _reading(row, now))


def parse(body: bytes | str, now: datetime) -> tuple[AirReading, ...]:
    """Every district's reading in a RealtimeCityAir body; () for INFO-200."""
    return parse_rows(body, now).items
