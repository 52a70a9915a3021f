"""PM10 / PM2.5 grade breakpoints (reference §5) and labels."""

from __future__ import annotations

import pytest

from kiosk.core.grades import GRADE_FROM_KO, GRADE_LABELS, pm10_grade, pm25_grade, worst


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        (0, "good"),
        (30, "good"),
        (30.4, "moderate"),
        (31, "moderate"),
        (80, "moderate"),
        (80.1, "bad"),
        (81, "bad"),
        (150, "bad"),
        (150.5, "very_bad"),
        (151, "very_bad"),
        (999, "very_bad"),
        (None, None),
        (-1, None),
        (float("nan"), None),
    ],
)
def test_pm10_breakpoints(value, grade):
    assert pm10_grade(value) == grade


@pytest.mark.parametrize(
    ("value", "grade"),
    [
        (0, "good"),
        (15, "good"),
        (15.5, "moderate"),
        (16, "moderate"),
        (35, "moderate"),
        (36, "bad"),
        (75, "bad"),
        (75.2, "very_bad"),
        (76, "very_bad"),
        (None, None),
    ],
)
def test_pm25_breakpoints(value, grade):
    assert pm25_grade(value) == grade


def test_labels_and_api_words():
    assert GRADE_LABELS == {
        "good": ("좋음", "Good"),
        "moderate": ("보통", "Moderate"),
        "bad": ("나쁨", "Unhealthy"),
        "very_bad": ("매우나쁨", "Very unhealthy"),
    }
    assert {GRADE_FROM_KO[ko] for ko, _ in GRADE_LABELS.values()} == set(GRADE_LABELS)


def test_worst_picks_the_higher_band():
    assert worst("good", "bad", None, "moderate") == "bad"
    assert worst(None, None) is None
    assert worst("very_bad", "good") == "very_bad"
