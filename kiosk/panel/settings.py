"""The ``panel:`` config section, with every schedule mistake reported at its key path."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from kiosk._settings_base import Section
from kiosk.panel.grammar import AtSpec, DaySpec, parse_at, parse_days

Driver = Literal["none", "lg", "samsung", "nec", "cec"]

# Display IDs that get an answer. LG set ID 00 and Samsung 0xFE are broadcasts: the panel
# obeys but never acknowledges, so nothing could be checked or reported.
_ID_RANGES = {"lg": (1, 255), "samsung": (0, 253), "nec": (1, 100)}


class ScheduleEntry(Section):
    """One scheduled action, e.g. ``{at: "05:00", power: on}`` or ``{at: sunset+30m, backlight: 60}``."""

    at: str
    power: Literal["on", "off"] | None = None
    backlight: int | None = Field(default=None, ge=0, le=100)
    days: str = "daily"

    @field_validator("at", mode="before")
    @classmethod
    def _at(cls, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            # YAML 1.1 reads an unquoted 1:10 as the base-60 number 70.
            h, m = divmod(value, 60)
            raise ValueError(
                f"bad time {value!r}: YAML reads an unquoted {h}:{m:02d} as the number {value}; "
                f'put the time in quotes: at: "{h:02d}:{m:02d}"'
            )
        if not isinstance(value, str):
            raise ValueError(f'bad time {value!r}: expected a string such as "05:00" or sunset+30m')
        return parse_at(value).text

    @field_validator("power", mode="before")
    @classmethod
    def _power(cls, value: Any) -> Any:
        # YAML 1.1 reads unquoted on/off as booleans; accept them as the words they were.
        if value is True:
            return "on"
        if value is False:
            return "off"
        return value.strip().lower() if isinstance(value, str) else value

    @field_validator("backlight", mode="before")
    @classmethod
    def _backlight(cls, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | None):
            raise ValueError(f"backlight must be a whole number 0..100 (got {value!r})")
        return value

    @field_validator("days", mode="before")
    @classmethod
    def _days(cls, value: Any) -> str:
        if isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        if not isinstance(value, str):
            raise ValueError(f"bad days {value!r}: expected text such as mon-fri or sat,sun")
        parse_days(value)
        return " ".join(value.strip().lower().split())

    @model_validator(mode="after")
    def _needs_action(self) -> ScheduleEntry:
        if self.power is None and self.backlight is None:
            raise ValueError(f"entry at {self.at!r} has neither power nor backlight: nothing to do")
        return self

    @property
    def at_spec(self) -> AtSpec:
        """The parsed ``at``."""
        return parse_at(self.at)

    @property
    def day_spec(self) -> DaySpec:
        """The parsed ``days``."""
        return parse_days(self.days)


def _problem(loc: tuple[str | int, ...], message: str, value: Any) -> InitErrorDetails:
    return InitErrorDetails(type=PydanticCustomError("value_error", message), loc=loc, input=value)


class PanelConfig(Section):
    """How to reach the display panel and when to switch it."""

    driver: Driver = "none"
    port: str = "/dev/ttyUSB0"
    baudrate: int = Field(default=9600, gt=0)
    display_id: int = Field(default=1, ge=0, le=255)
    timeout: float = Field(default=5.0, gt=0, le=60)
    retries: int = Field(default=1, ge=0, le=5)
    # "panel" switches only the screen (Samsung 0xF9, LG kd screen mute): the electronics and
    # the LAN port stay up, so a panel on TCP can always be woken again.
    power_mode: Literal["power", "panel"] = "power"
    cec_tool: Literal["auto", "cec-ctl", "cec-client"] = "auto"
    check_interval: float = Field(default=300.0, ge=10, le=3600)
    schedule: tuple[ScheduleEntry, ...] = Field(default=(), max_length=48)

    @model_validator(mode="after")
    def _fits_driver(self) -> PanelConfig:
        problems: list[InitErrorDetails] = []
        rng = _ID_RANGES.get(self.driver)
        if rng and not rng[0] <= self.display_id <= rng[1]:
            problems.append(
                _problem(
                    ("display_id",),
                    f"display_id {self.display_id} is outside {rng[0]}..{rng[1]} for driver "
                    f"{self.driver} (broadcast IDs get no answer)",
                    self.display_id,
                )
            )
        if self.power_mode == "panel" and self.driver not in ("samsung", "lg"):
            problems.append(
                _problem(
                    ("power_mode",),
                    f"power_mode panel works only with driver samsung or lg, not {self.driver}",
                    self.power_mode,
                )
            )
        if self.driver == "cec":
            for i, entry in enumerate(self.schedule):
                if entry.backlight is not None:
                    problems.append(
                        _problem(
                            ("schedule", i, "backlight"),
                            "driver cec cannot set a backlight (HDMI-CEC has no brightness "
                            "message); remove it or use driver lg, samsung or nec",
                            entry.backlight,
                        )
                    )
        if problems:
            raise ValidationError.from_exception_data("PanelConfig", problems)
        return self
