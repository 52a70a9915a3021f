"""parse_kst: every timestamp form the APIs send, unambiguously, and garbage as None (never raised)."""

from __future__ import annotations

from datetime import datetime

import pytest

from kiosk.core.timeutil import KST, parse_kst


def kst(*args: int) -> datetime:
    return datetime(*args, tzinfo=KST)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the 12-digit form was read as %Y%m%d%H%M%S: 2026-12-02 23:05:09
        ("202612022359", kst(2026, 12, 2, 23, 59)),
        ("202605181500", kst(2026, 5, 18, 15, 0)),
        ("20261202235959", kst(2026, 12, 2, 23, 59, 59)),
        # the 8-digit form was read as %Y%m%d%H%M: 2026-01-02 00:02
        ("20261202", kst(2026, 12, 2)),
        ("2021-10-14 18:06:56.0", kst(2021, 10, 14, 18, 6, 56)),
        ("2024-02-06 14:28:40", kst(2024, 2, 6, 14, 28, 40)),
        ("2026-10-10 10:00", kst(2026, 10, 10, 10, 0)),
        ("2026-10-10", kst(2026, 10, 10)),
        ("2026-1-5", kst(2026, 1, 5)),
        ("2025-11-26 24:00", kst(2025, 11, 27, 0, 0)),
        ("2025-12-31 24:00:00", kst(2026, 1, 1, 0, 0)),
        ("2026/08/18 03:51:18", kst(2026, 8, 18, 3, 51, 18)),  # safetydata CRT_DT
        ("1999.5.20", kst(1999, 5, 20)),  # parks OPEN_DT
        ("2026-10-10T10:00:00", kst(2026, 10, 10, 10, 0)),
        ("2026-11-20T08:14:00+09:00", kst(2026, 11, 20, 8, 14)),
        ("2026-11-19T23:14:00Z", kst(2026, 11, 20, 8, 14)),
        ("  2026-11-20 08:14:00.123456 ", kst(2026, 11, 20, 8, 14, 0, 123456)),
        # numbers: compact dates by length, 13-digit epoch milliseconds
        (202612022359, kst(2026, 12, 2, 23, 59)),  # was taken as epoch ms: 1976-06-03
        (20261202235900, kst(2026, 12, 2, 23, 59)),  # was taken as epoch ms: year 2612
        (20261202, kst(2026, 12, 2)),
        (1_763_594_040_000, kst(2025, 11, 20, 8, 14)),
    ],
)
def test_every_api_form_parses_to_the_instant_it_names(text, expected):
    assert parse_kst(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        1e20,  # OSError from datetime.fromtimestamp before
        -1e20,
        1e300,
        float("nan"),
        float("inf"),
        10**400,  # OverflowError converting to float
        "9999-12-31 00:00:00.0",  # a day later overflows datetime
        "0001-01-01",
        "2026-02-30",
        "2026-13-01",
        "2025-11-26 24:30",
        "2026-11-20T08:14:00+99:99",
        "2026-08/18",
        "2026121",
        "2026120223",
        "202612022359590",
        "20261302",
        "어제",
        "",
        "   ",
        None,
        True,
        [],
        {},
        "2026-11-20 08:14 KST",
    ],
)
def test_garbage_and_out_of_range_values_are_none_never_an_exception(text):
    assert parse_kst(text) is None
