"""Each source's item in the ``kiosk fetch --json`` shape (fixed by the docs; tests rely on it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kiosk.core.geo import haversine_m
from kiosk.core.grades import pm10_grade, pm25_grade
from kiosk.core.models import (
    AirReading,
    Arrival,
    BikeStation,
    BusArrival,
    CulturalEvent,
    Park,
    Trail,
)
from kiosk.core.station import Station
from kiosk.core.timeutil import KST

JsonItem = dict[str, Any]


def iso(when: datetime | None) -> str | None:
    """ISO-8601 in KST, or None."""
    return when.astimezone(KST).isoformat() if when else None


def _metres(station: Station, lat: float, lon: float) -> int:
    return round(haversine_m(station.lat, station.lon, lat, lon))


def arrival(item: Arrival, station: Station) -> JsonItem:
    """A subway arrival."""
    del station
    return {
        "line_id": item.line_id,
        "line": item.line,
        "direction": item.direction,
        "destination": item.destination,
        "eta_s": item.eta_s,
        "arrival_code": item.arrival_code,
        "message": item.message,
        "train_no": item.train_no,
        "express": item.express,
        "last_train": item.last_train,
        "received_at": iso(item.received_at),
    }


def air_reading(item: AirReading, station: Station) -> JsonItem:
    """A district's particulate reading, graded."""
    del station
    return {
        "district": item.district,
        "pm10": item.pm10,
        "pm25": item.pm25,
        "pm10_grade": pm10_grade(item.pm10),
        "pm25_grade": pm25_grade(item.pm25),
        "measured_at": iso(item.measured_at),
    }


def park(item: Park, station: Station) -> JsonItem:
    """A park and its distance from the station."""
    return {
        "name": item.name,
        "district": item.district,
        "lat": item.lat,
        "lon": item.lon,
        "distance_m": _metres(station, item.lat, item.lon),
    }


def trail(item: Trail, station: Station) -> JsonItem:
    """A walking course and the distance to its nearest point."""
    points = item.points or ((item.lat, item.lon),)
    return {
        "name": item.name,
        "district": item.district,
        "lat": item.lat,
        "lon": item.lon,
        "distance_m": min(_metres(station, p[0], p[1]) for p in points),
        "length_km": item.distance_km,
        "duration": item.duration,
        "level": item.level,
        "points": len(item.points),
    }


def bike_station(item: BikeStation, station: Station) -> JsonItem:
    """A Ttareungyi station with its counts."""
    return {
        "station_id": item.station_id,
        "name": item.name,
        "lat": item.lat,
        "lon": item.lon,
        "distance_m": _metres(station, item.lat, item.lon),
        "bikes": item.bikes,
        "racks": item.racks,
        "docks_free": item.docks_free,
    }


def event(item: CulturalEvent, station: Station) -> JsonItem:
    """A cultural event."""
    del station
    return {
        "title": item.title,
        "category": item.category,
        "district": item.district,
        "place": item.place,
        "starts": iso(item.starts),
        "ends": iso(item.ends),
        "is_free": item.is_free,
        "fee": item.fee,
        "url": item.url,
    }


def bus_arrival(item: BusArrival, station: Station) -> JsonItem:
    """A coming bus at one of the station's stops."""
    del station
    return {
        "ars_id": item.ars_id,
        "stop": item.stop,
        "route": item.route,
        "route_type": item.route_type,
        "direction": item.direction,
        "order": item.order,
        "eta_s": item.eta_s,
        "stops_away": item.stops_away,
        "message": item.message,
        "state": item.state,
        "last_bus": item.last_bus,
        "low_floor": item.low_floor,
        "congestion": item.congestion,
    }
