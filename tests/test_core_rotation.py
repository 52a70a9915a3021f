import pytest

from kiosk.core.rotation import position_at


def test_pages_follow_layout_order_and_durations():
    durations = [20, 12, 12]
    seen = [position_at(durations, t).index for t in range(0, 88)]
    assert seen[:20] == [0] * 20
    assert seen[20:32] == [1] * 12
    assert seen[32:44] == [2] * 12
    assert seen[44:64] == [0] * 20  # second cycle starts over
    assert position_at(durations, 45.5).cycle == 1


def test_seconds_left_counts_down_to_the_change():
    assert position_at([20, 10], 5).seconds_left == pytest.approx(15)
    assert position_at([20, 10], 29.5).seconds_left == pytest.approx(0.5)


def test_clock_stepping_back_pins_the_first_page():
    assert position_at([20, 10], -3).index == 0


@pytest.mark.parametrize("bad", [[], [10, 0]])
def test_invalid_durations_are_rejected(bad):
    with pytest.raises(ValueError):
        position_at(bad, 1)
