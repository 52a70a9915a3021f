"""The ``station:`` config section, with the checks that catch technicians' mistakes.

A station name the subway API does not know, a district that is not one of Seoul's 25, a point
outside Seoul, a line written as 5호선: each is refused with its key path and what to write.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from kiosk._settings_base import Section
from kiosk.core.lines import LINES, line_for
from kiosk.core.seoul import DISTRICTS, LAT_RANGE, LON_RANGE, in_seoul, suggest_district
from kiosk.core.stations import (
    LIST_EDITION,
    STATION_NAMES,
    line_id_for,
    lines_at,
    respell,
    suggest_station,
)


def _write_line(lid: str) -> str:
    return f'write "{lid}" ({line_for(lid).ko})'


def _line_item(value: Any) -> Any:
    # Before the str check: YAML reads an unquoted 5 or 1005 as a number, and pydantic would
    # only say "Input should be a valid string".
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(f'expected a subwayId in quotes such as "1005" (got {value!r})')
    if isinstance(value, int):
        lid = line_id_for(value)
        hint = _write_line(lid) if lid else 'write the subwayId in quotes, e.g. "1005" (5호선)'
        raise ValueError(f"{hint}: YAML reads an unquoted {value} as a number")
    return value


def _check_line_id(value: str) -> str:
    if value in LINES:
        return value
    lid = line_id_for(value)
    if lid is not None:
        raise ValueError(f"{value!r} is a line name, not a subwayId: {_write_line(lid)}")
    known = ", ".join(f"{k} ({line.ko})" for k, line in sorted(LINES.items()))
    raise ValueError(f"unknown subwayId {value!r} (known: {known})")


LineId = Annotated[str, BeforeValidator(_line_item), AfterValidator(_check_line_id)]


def _check_district(value: str) -> str:
    name = " ".join(value.split())
    if name in DISTRICTS:
        return name
    guess = suggest_district(name)
    hint = f"did you mean {guess}?" if guess else "e.g. 영등포구, 마포구, 도봉구"
    raise ValueError(
        f"{value!r} is not one of Seoul's 25 districts (the air-quality API's 구 names): {hint}"
    )


class Bilingual(Section):
    ko: str = Field(min_length=1, max_length=40)
    en: str = Field(min_length=1, max_length=60)


class Location(Section):
    """WGS84 coordinates of the station; the kiosk serves Seoul, so they must lie in Seoul."""

    lat: float
    lon: float

    @model_validator(mode="after")
    def _in_seoul(self) -> Location:
        if in_seoul(self.lat, self.lon):
            return self
        if in_seoul(self.lon, self.lat):
            raise ValueError(f"lat and lon are swapped: write {{lat: {self.lon}, lon: {self.lat}}}")
        raise ValueError(
            f"({self.lat}, {self.lon}) is outside Seoul (lat {LAT_RANGE[0]}..{LAT_RANGE[1]}, "
            f"lon {LON_RANGE[0]}..{LON_RANGE[1]}): give the station's own WGS84 coordinates, "
            "e.g. {lat: 37.5216, lon: 126.9243} for 여의도"
        )


def _problem(loc: tuple[str | int, ...], message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)


class BusStopConfig(Section):
    """A stop on the buses page: its ARS id (the 5-digit number on the stop's sign)."""

    ars_id: str
    name: Bilingual | None = None  # default: the name the API gives (stNm)
    # only these route numbers (a stop serves a few dozen at most); default: all
    routes: tuple[Annotated[str, Field(max_length=12)], ...] | None = Field(
        default=None, max_length=40
    )

    @field_validator("ars_id", mode="before")
    @classmethod
    def _ars_id(cls, value: object) -> str:
        if isinstance(value, int) and not isinstance(value, bool) and 10000 <= value <= 99999:
            return str(value)
        if not isinstance(value, str):
            raise ValueError(f'write the 5-digit ARS id in quotes, e.g. "19007" (got {value!r})')
        if not re.fullmatch(r"\d{5}", value.strip()):
            raise ValueError(f"an ARS id is the 5-digit number on the stop's sign (got {value!r})")
        return value.strip()

    @field_validator("routes")
    @classmethod
    def _routes(cls, routes: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if routes is None:
            return None
        cleaned = tuple(r.strip() for r in routes)
        if not cleaned or any(not r for r in cleaned):
            raise ValueError('list route numbers such as ["7611", "N16"], or leave routes out')
        return cleaned


class StationConfig(Section):
    """Which station this screen stands in: names, lines, district, coordinates."""

    name: Bilingual
    subway_station: str = Field(min_length=1, max_length=30)
    lines: tuple[LineId, ...] = Field(min_length=1, max_length=8)
    district: Annotated[str, AfterValidator(_check_district)] = Field(min_length=1)
    location: Location
    bus_stops: tuple[BusStopConfig, ...] = Field(default=(), max_length=8)

    @field_validator("bus_stops")
    @classmethod
    def _distinct_stops(cls, stops: tuple[BusStopConfig, ...]) -> tuple[BusStopConfig, ...]:
        ids = [s.ars_id for s in stops]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"ARS id listed twice: {', '.join(twice)}")
        return stops

    @field_validator("subway_station")
    @classmethod
    def _known_name(cls, value: str) -> str:
        """The realtime API answers a misspelt name with "no data": catch it here instead."""
        if lines_at(value):
            return value
        sure = respell(value)
        if sure is not None and sure == value.strip().removesuffix("역"):
            raise ValueError(f"write {sure} (the subway API names stations without 역)")
        if sure is not None:
            raise ValueError(f"write {sure} (the subway API's spelling of {value!r})")
        guess = suggest_station(value)
        hint = f"did you mean {guess}?" if guess else "write the name as on the station's signs"
        raise ValueError(
            f"the subway API knows no station {value!r} (its station list of {LIST_EDITION}): "
            f"{hint}"
        )

    @model_validator(mode="after")
    def _station_on_lines(self) -> StationConfig:
        name = self.subway_station
        on = lines_at(name)
        lines_here = ", ".join(f'"{lid}" ({line_for(lid).ko})' for lid in on)
        problems: list[InitErrorDetails] = []
        for i, lid in enumerate(self.lines):
            if lid in on:
                continue
            msg = f'{line_for(lid).ko} ("{lid}") does not stop at {name}; lines at {name}: '
            msg += lines_here
            there = respell(name, [lid]) if lid in STATION_NAMES else None
            if there is not None and there != name and name in there:
                msg += f"; on {line_for(lid).ko} the station is called {there}"
            problems.append(_problem(("lines", i), msg, lid))
        if problems:
            raise ValidationError.from_exception_data("StationConfig", problems)
        return self
