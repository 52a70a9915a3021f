"""The ``panel:`` config section."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kiosk._settings_base import Section


class ScheduleEntry(Section):
    """One scheduled action, e.g. ``{at: "05:00", power: on}``."""

    at: str
    power: Literal["on", "off"] | None = None
    backlight: int | None = Field(default=None, ge=0, le=100)
    days: str = "daily"


class PanelConfig(Section):
    """How to reach the display panel and when to switch it."""

    driver: Literal["none", "lg", "samsung", "nec", "cec"] = "none"
    port: str = "/dev/ttyUSB0"
    baudrate: int = Field(default=9600, gt=0)
    display_id: int = Field(default=1, ge=0, le=255)
    timeout: float = Field(default=5.0, gt=0, le=60)
    schedule: tuple[ScheduleEntry, ...] = ()
