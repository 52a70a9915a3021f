"""Transverse Mercator <-> WGS84 for the Korean GRS80 "central belt" grids used by Seoul's open data.

Pure math (Snyder, *Map Projections — A Working Manual*, USGS PP 1395, eq. 8-9…8-18); no pyproj.
GRS80 and WGS84 differ by < 0.1 mm, so a GRS80 grid inverts straight to WGS84 with no datum shift.

Seoul's services label their projected coordinates "GRS80TM". The park sample carries both forms
for one park (X 213554.120 / Y 448852.675 and 127.1547791 / 37.5403935): that pair fits the
central belt with false northing **500 000 m** (EPSG:5181), not the 600 000 m of EPSG:5186, which
would put the park 100 km south, in Chungcheong. ``SEOUL_TM`` is therefore the 500 000 m grid.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

# GRS80 ellipsoid
_A = 6_378_137.0
_F = 1 / 298.257222101
_E2 = _F * (2 - _F)
_EP2 = _E2 / (1 - _E2)


@dataclass(frozen=True)
class TMGrid:
    """A Transverse Mercator grid on GRS80: origin, scale and false offsets."""

    lat0: float  # degrees
    lon0: float  # degrees (central meridian)
    k0: float
    false_easting: float
    false_northing: float


# Korea 2000 / Central Belt (EPSG:5181): what Seoul's "GRS80TM" park coordinates fit.
SEOUL_TM = TMGrid(lat0=38.0, lon0=127.0, k0=1.0, false_easting=200_000.0, false_northing=500_000.0)
# Korea 2000 / Central Belt 2010 (EPSG:5186): same belt, false northing 600 000 m.
CENTRAL_BELT_2010 = TMGrid(38.0, 127.0, 1.0, 200_000.0, 600_000.0)


def _meridian_arc(phi: float) -> float:
    """Distance along the meridian from the equator to latitude phi (radians), metres."""
    e2, e4, e6 = _E2, _E2**2, _E2**3
    return _A * (
        (1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi
        - (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * math.sin(2 * phi)
        + (15 * e4 / 256 + 45 * e6 / 1024) * math.sin(4 * phi)
        - (35 * e6 / 3072) * math.sin(6 * phi)
    )


def wgs84_to_tm(lat: float, lon: float, grid: TMGrid = SEOUL_TM) -> tuple[float, float]:
    """Project WGS84 (lat, lon) degrees to grid (x = easting, y = northing) metres."""
    phi = math.radians(lat)
    lam = math.radians(lon - grid.lon0)
    sin_p, cos_p, tan_p = math.sin(phi), math.cos(phi), math.tan(phi)
    n = _A / math.sqrt(1 - _E2 * sin_p**2)
    t = tan_p**2
    c = _EP2 * cos_p**2
    a = lam * cos_p
    m = _meridian_arc(phi)
    m0 = _meridian_arc(math.radians(grid.lat0))
    x = (
        grid.k0
        * n
        * (a + (1 - t + c) * a**3 / 6 + (5 - 18 * t + t**2 + 72 * c - 58 * _EP2) * a**5 / 120)
    )
    y = grid.k0 * (
        m
        - m0
        + n
        * tan_p
        * (
            a**2 / 2
            + (5 - t + 9 * c + 4 * c**2) * a**4 / 24
            + (61 - 58 * t + t**2 + 600 * c - 330 * _EP2) * a**6 / 720
        )
    )
    return x + grid.false_easting, y + grid.false_northing


# How far from a grid's origin the inverse series is used: about ±9° of longitude and
# ±45° of latitude around Korea's belts. Farther out the series is meaningless, and at values
# like 1e300 its powers overflow.
MAX_EASTING_OFFSET_M = 1_000_000.0
MAX_NORTHING_OFFSET_M = 5_000_000.0


def tm_to_wgs84(x: float, y: float, grid: TMGrid = SEOUL_TM) -> tuple[float, float]:
    """Invert grid (x = easting, y = northing) metres to WGS84 (lat, lon) degrees.

    ValueError for a non-finite point or one farther from the grid's origin than the series
    can serve (``MAX_EASTING_OFFSET_M`` / ``MAX_NORTHING_OFFSET_M``).
    """
    dx, dy = x - grid.false_easting, y - grid.false_northing
    if not (
        math.isfinite(dx)
        and math.isfinite(dy)
        and abs(dx) <= MAX_EASTING_OFFSET_M
        and abs(dy) <= MAX_NORTHING_OFFSET_M
    ):
        raise ValueError(f"point ({x!r}, {y!r}) is outside the grid")
    m = _meridian_arc(math.radians(grid.lat0)) + (y - grid.false_northing) / grid.k0
    mu = m / (_A * (1 - _E2 / 4 - 3 * _E2**2 / 64 - 5 * _E2**3 / 256))
    e1 = (1 - math.sqrt(1 - _E2)) / (1 + math.sqrt(1 - _E2))
    phi1 = (
        mu
        + (3 * e1 / 2 - 27 * e1**3 / 32) * math.sin(2 * mu)
        + (21 * e1**2 / 16 - 55 * e1**4 / 32) * math.sin(4 * mu)
        + (151 * e1**3 / 96) * math.sin(6 * mu)
        + (1097 * e1**4 / 512) * math.sin(8 * mu)
    )
    sin1, cos1, tan1 = math.sin(phi1), math.cos(phi1), math.tan(phi1)
    c1 = _EP2 * cos1**2
    t1 = tan1**2
    n1 = _A / math.sqrt(1 - _E2 * sin1**2)
    r1 = _A * (1 - _E2) / (1 - _E2 * sin1**2) ** 1.5
    d = (x - grid.false_easting) / (n1 * grid.k0)
    phi = phi1 - (n1 * tan1 / r1) * (
        d**2 / 2
        - (5 + 3 * t1 + 10 * c1 - 4 * c1**2 - 9 * _EP2) * d**4 / 24
        + (61 + 90 * t1 + 298 * c1 + 45 * t1**2 - 252 * _EP2 - 3 * c1**2) * d**6 / 720
    )
    lam = (
        d
        - (1 + 2 * t1 + c1) * d**3 / 6
        + (5 - 2 * c1 + 28 * t1 - 3 * c1**2 + 8 * _EP2 + 24 * t1**2) * d**5 / 120
    ) / cos1
    return math.degrees(phi), grid.lon0 + math.degrees(lam)


def looks_like_wgs84(lat: float, lon: float) -> bool:
    """True when (lat, lon) lies in the box around Korea (lat 33–39, lon 124–132)."""
    return 33.0 <= lat <= 39.0 and 124.0 <= lon <= 132.0


def _in_capital_area(lat: float, lon: float) -> bool:
    # Seoul and its neighbours; the two false northings land 100 km apart, so only one fits.
    return 36.9 <= lat <= 38.3 and 126.3 <= lon <= 127.9


def seoul_tm_to_wgs84(x: float, y: float) -> tuple[float, float] | None:
    """Invert Seoul "GRS80TM" x/y, trying the 500 000 m and then the 600 000 m false northing.

    Sources disagree on which belt variant a service uses; for a point in the capital area the
    two never both fit, so the one that lands there wins. None when neither does (or when the
    values are not coordinates at all: huge, NaN, infinite).
    """
    for grid in (SEOUL_TM, CENTRAL_BELT_2010):
        try:
            lat, lon = tm_to_wgs84(x, y, grid)
        except ValueError:
            continue
        if _in_capital_area(lat, lon):
            return lat, lon
    return None
