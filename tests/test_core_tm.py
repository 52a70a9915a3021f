"""GRS80 Transverse Mercator <-> WGS84, checked against PROJ and against Seoul's own park data."""

from __future__ import annotations

import pytest

from kiosk.core.geo import haversine_m
from kiosk.core.tm import (
    CENTRAL_BELT_2010,
    SEOUL_TM,
    looks_like_wgs84,
    seoul_tm_to_wgs84,
    tm_to_wgs84,
    wgs84_to_tm,
)

# Computed once with pyproj 3.8 / PROJ (EPSG:4326 -> EPSG:5181 and EPSG:5186), an independent
# implementation; kept as constants so the suite does not depend on pyproj.
PROJ_POINTS = [
    # lat, lon, x(5181), y(5181)
    (37.5216, 126.9243, 193308.122, 446904.140),
    (37.5572, 126.9245, 193328.974, 450855.292),
    (37.6531, 127.0477, 204209.267, 461497.530),
    (37.4133, 127.1017, 209003.256, 434886.473),
    (37.7015, 126.7650, 179275.974, 466894.385),
    (33.2500, 126.5600, 158996.780, -26936.980),
]


@pytest.mark.parametrize(("lat", "lon", "x", "y"), PROJ_POINTS)
def test_forward_matches_proj_to_the_millimetre(lat, lon, x, y):
    px, py = wgs84_to_tm(lat, lon, SEOUL_TM)
    assert px == pytest.approx(x, abs=0.002) and py == pytest.approx(y, abs=0.002)
    px, py = wgs84_to_tm(lat, lon, CENTRAL_BELT_2010)
    assert py == pytest.approx(y + 100_000, abs=0.002)


@pytest.mark.parametrize(("lat", "lon", "x", "y"), PROJ_POINTS)
def test_inverse_matches_proj(lat, lon, x, y):
    ilat, ilon = tm_to_wgs84(x, y, SEOUL_TM)
    assert haversine_m(ilat, ilon, lat, lon) < 0.01


def test_origin_maps_to_false_offsets():
    assert wgs84_to_tm(38.0, 127.0) == pytest.approx((200_000.0, 500_000.0), abs=1e-6)
    assert tm_to_wgs84(200_000.0, 600_000.0, CENTRAL_BELT_2010) == pytest.approx((38.0, 127.0))


def test_park_sample_pair_lands_on_the_same_park():
    # 길동생태공원 carries G_LONGITUDE/G_LATITUDE "213554.120"/"448852.675" and WGS84
    # "127.1547791"/"37.5403935". With the 500 000 m false northing the TM pair lands 192 m from
    # the WGS84 pair: both inside the 80,683 m² park (the two pairs mark different spots: no
    # standard Korean grid, GRS80 or Bessel, brings them within 150 m). With the 600 000 m
    # northing of EPSG:5186 it would land 100 km south, so that grid is not what Seoul uses here.
    lat, lon = tm_to_wgs84(213554.120, 448852.675)
    assert haversine_m(lat, lon, 37.5403935, 127.1547791) < 250
    lat5186, lon5186 = tm_to_wgs84(213554.120, 448852.675, CENTRAL_BELT_2010)
    assert haversine_m(lat5186, lon5186, 37.5403935, 127.1547791) > 90_000


def test_auto_grid_picks_the_variant_that_lands_in_the_capital_area():
    yeouido = (37.5216, 126.9243)
    x, y = wgs84_to_tm(*yeouido, SEOUL_TM)
    assert haversine_m(*seoul_tm_to_wgs84(x, y), *yeouido) < 0.01
    x, y = wgs84_to_tm(*yeouido, CENTRAL_BELT_2010)
    assert haversine_m(*seoul_tm_to_wgs84(x, y), *yeouido) < 0.01
    assert seoul_tm_to_wgs84(158996.78, -26936.98) is None  # Jeju: nowhere near Seoul
    assert seoul_tm_to_wgs84(0.0, 0.0) is None


def test_looks_like_wgs84_box():
    assert looks_like_wgs84(37.54, 127.15)
    assert not looks_like_wgs84(127.15, 37.54)
    assert not looks_like_wgs84(448852.675, 213554.12)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (1e300, 450_000.0),  # OverflowError in the series before
        (200_000.0, 1e300),
        (-1e300, -1e300),
        (float("nan"), 450_000.0),
        (200_000.0, float("inf")),
        (1_300_000.0, 450_000.0),  # beyond the belt
        (200_000.0, 6_000_000.0),
    ],
)
def test_values_that_are_no_grid_point_give_none_or_a_clear_error(x, y):
    assert seoul_tm_to_wgs84(x, y) is None
    with pytest.raises(ValueError, match="outside the grid"):
        tm_to_wgs84(x, y)
