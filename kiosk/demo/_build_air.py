"""Demo RealtimeCityAir bodies: all 25 districts at 08:00, and 24 hours for three districts.

A November weekday: PM rises with the morning and evening rush and dips in the afternoon.
Values come from a daily curve plus fixed-seed noise; the CAI and its deciding pollutant are
computed from the concentrations with the 통합대기환경지수 breakpoints, so rows are coherent.
Used only by ``kiosk.demo._build``.
"""

from __future__ import annotations

import math
import random
from datetime import datetime, timedelta
from typing import Any

MEASURED = datetime(2026, 11, 20, 8, 0)
REGIONS = {
    "도심권": ("중구", "종로구", "용산구"),
    "서북권": ("은평구", "서대문구", "마포구"),
    "동북권": ("광진구", "성동구", "중랑구", "동대문구", "성북구", "도봉구", "강북구", "노원구"),
    "서남권": ("강서구", "구로구", "영등포구", "동작구", "관악구", "금천구", "양천구"),
    "동남권": ("강남구", "서초구", "송파구", "강동구"),
}
REGION_OF = {d: r for r, ds in REGIONS.items() for d in ds}
# 08:00 values of the three kiosk districts: 도봉구 is in 나쁨 for PM2.5 at the morning peak.
FOCUS = {"영등포구": (52, 31), "마포구": (47, 29), "도봉구": (58, 38)}
UNDER_INSPECTION = "금천구"

# (concentration upper bounds, index upper bounds) per pollutant, CAI table of reference §5.
_CAI = {
    "PM-10": ((30, 80, 150, 600), (50, 100, 250, 500)),
    "PM-2.5": ((15, 35, 75, 500), (50, 100, 250, 500)),
    "O3": ((0.030, 0.090, 0.150, 0.600), (50, 100, 250, 500)),
    "NO2": ((0.030, 0.060, 0.200, 2.000), (50, 100, 250, 500)),
}


def _sub_index(pollutant: str, value: float) -> float:
    bounds, index = _CAI[pollutant]
    lo_c, lo_i = 0.0, 0.0
    for hi_c, hi_i in zip(bounds, index, strict=True):
        if value <= hi_c:
            return lo_i + (hi_i - lo_i) * (value - lo_c) / (hi_c - lo_c)
        lo_c, lo_i = hi_c, hi_i + 1
    return 500.0


def _grade(cai: float) -> str:
    return "좋음" if cai <= 50 else "보통" if cai <= 100 else "나쁨" if cai <= 250 else "매우나쁨"


def _curve(hour: float) -> float:
    """Relative PM level over the day: rush-hour peaks at 08 and 20:30, dips at 15 and 04."""

    def bump(centre: float, width: float) -> float:
        return math.exp(-(((hour - centre) / width) ** 2))

    return (
        1
        + 0.40 * bump(8, 1.6)
        + 0.45 * bump(20.5, 2.0)
        - 0.22 * bump(15, 2.5)
        - 0.18 * bump(4, 2.0)
    )


def _row(
    district: str, when: datetime, pm10: float, pm25: float, as_numbers: bool
) -> dict[str, Any]:
    rng = random.Random(f"{district} {when:%Y%m%d%H}")  # same row values whichever body holds it
    hour = when.hour
    ozone = round(0.006 + 0.022 * math.exp(-(((hour - 15) / 3.5) ** 2)) + rng.uniform(0, 0.003), 3)
    no2 = round(0.022 + 0.020 * (_curve(hour) - 0.8) + rng.uniform(0, 0.004), 3)
    subs = {
        "PM-10": _sub_index("PM-10", pm10),
        "PM-2.5": _sub_index("PM-2.5", pm25),
        "O3": _sub_index("O3", ozone),
        "NO2": _sub_index("NO2", no2),
    }
    main = max(subs, key=lambda k: subs[k])
    cai = round(subs[main])
    values: dict[str, Any] = {
        "PM": pm10,
        "FPM": pm25,
        "OZON": ozone,
        "NTDX": no2,
        "CBMX": round(0.4 + 0.3 * (_curve(hour) - 0.8), 1),
        "SPDX": 0.003,
        "CAI_IDX": cai,
    }
    if not as_numbers:  # the API usually sends numbers as strings
        values = {k: (f"{v:g}" if isinstance(v, (int, float)) else v) for k, v in values.items()}
    return {
        "MSRMT_DT": when.strftime("%Y%m%d%H%M"),
        "SAREA_NM": REGION_OF[district],
        "MSRSTN_NM": district,
        "PM": values["PM"],
        "FPM": values["FPM"],
        "OZON": values["OZON"],
        "NTDX": values["NTDX"],
        "CBMX": values["CBMX"],
        "SPDX": values["SPDX"],
        "CAI_GRD": _grade(cai),
        "CAI_IDX": values["CAI_IDX"],
        "CRST_SBSTN": main,
    }


def _wrap(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "RealtimeCityAir": {
            "list_total_count": len(rows),
            "RESULT": {"CODE": "INFO-000", "MESSAGE": "정상 처리되었습니다"},
            "row": rows,
        }
    }


def air_body() -> dict[str, Any]:
    """All 25 districts at 08:00; every fourth row with JSON numbers, one station under inspection."""
    rng = random.Random(20261120)
    rows = []
    for i, district in enumerate(d for ds in REGIONS.values() for d in ds):
        pm10, pm25 = FOCUS.get(district, (rng.randint(38, 66), rng.randint(20, 34)))
        row = _row(district, MEASURED, pm10, pm25, as_numbers=i % 4 == 1)
        if district == UNDER_INSPECTION:
            row.update(
                PM="점검중", FPM="점검중", CAI_GRD="점검중", CAI_IDX="점검중", CRST_SBSTN="-"
            )
        rows.append(row)
    return _wrap(rows)


def air_history() -> list[dict[str, Any]]:
    """24 hourly bodies (2026-11-19 09:00 … 2026-11-20 08:00) for the three kiosk districts."""
    rng = random.Random(1119)
    bodies = []
    for step in range(23, -1, -1):
        when = MEASURED - timedelta(hours=step)
        rows = []
        for district, (pm10_now, pm25_now) in FOCUS.items():
            scale = _curve(when.hour) / _curve(MEASURED.hour)
            noise = 0 if step == 0 else 1  # the last hour equals the current body exactly
            pm10 = max(5, round(pm10_now * scale + noise * rng.uniform(-3, 3)))
            pm25 = max(3, round(pm25_now * scale + noise * rng.uniform(-1.5, 1.5)))
            rows.append(_row(district, when, pm10, pm25, as_numbers=False))
        bodies.append(_wrap(rows))
    return bodies
