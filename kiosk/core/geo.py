"""Distances and bearings on the WGS84 sphere, good enough for a walk to the park."""

from __future__ import annotations

import math

EARTH_RADIUS_M = 6_371_008.8
# Seoul's streets are not straight lines; a typical route is ~1.3x the crow-flies distance.
WALK_DETOUR_FACTOR = 1.3
WALK_SPEED_M_PER_MIN = 75.0  # ~4.5 km/h


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bearing_deg(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Initial bearing from point 1 to point 2, degrees clockwise from north (0..360)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dl = math.radians(lon2 - lon1)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return (math.degrees(math.atan2(x, y)) + 360.0) % 360.0


def walking_distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Estimated walking distance: straight-line distance times a street detour factor."""
    return haversine_m(lat1, lon1, lat2, lon2) * WALK_DETOUR_FACTOR


def walking_minutes(distance_m: float) -> int:
    """Minutes on foot for a walking distance, at least 1."""
    return max(1, round(distance_m / WALK_SPEED_M_PER_MIN))
