"""YAML -> validated, frozen config. Every problem is reported as ``key.path: reason``."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, Field, ValidationError, field_validator

from kiosk._settings_base import Section
from kiosk.core.lines import LINES
from kiosk.errors import ConfigError
from kiosk.panel.settings import PanelConfig
from kiosk.poller.settings import SourcesConfig

DEFAULT_CONFIG_PATH = Path("/etc/kiosk/config.yaml")
PAGE_KINDS = ("arrivals", "air_quality", "parks", "bikes", "events", "buses")


def _check_line_id(value: str) -> str:
    if value not in LINES:
        raise ValueError(f"unknown subwayId {value!r} (known: {', '.join(sorted(LINES))})")
    return value


class Bilingual(Section):
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Location(Section):
    lat: float = Field(ge=33.0, le=39.0)  # the Korean peninsula, south
    lon: float = Field(ge=124.0, le=132.0)


class BusStopConfig(Section):
    """A stop on the buses page: its ARS id (the 5-digit number on the stop's sign)."""

    ars_id: str
    name: Bilingual | None = None  # default: the name the API gives (stNm)
    routes: tuple[str, ...] | None = None  # only these route numbers; default: all

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
    name: Bilingual
    subway_station: str = Field(min_length=1)
    lines: tuple[Annotated[str, AfterValidator(_check_line_id)], ...] = Field(min_length=1)
    district: str = Field(min_length=1)
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


class DisplayConfig(Section):
    """The screen the kiosk draws on."""

    screen: int = Field(default=0, ge=0)
    hide_cursor: bool = True


class Config(Section):
    """The whole kiosk config (one YAML file per station)."""

    station: StationConfig
    layout: Path
    display: DisplayConfig = DisplayConfig()
    sources: SourcesConfig = SourcesConfig()
    panel: PanelConfig = PanelConfig()


# --- layouts -------------------------------------------------------------------------


class PageSpec(Section):
    """One page in the rotation."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9_-]+$")
    kind: Literal["arrivals", "air_quality", "parks", "bikes", "events", "buses"]
    duration: float = Field(default=15.0, ge=3.0, le=600.0)  # seconds on screen
    max_items: int | None = Field(default=None, ge=1, le=12)


class Transition(Section):
    kind: Literal["fade", "cut"] = "fade"
    duration_ms: int = Field(default=600, ge=0, le=3000)


class Layout(Section):
    """Which pages rotate, in what order, for how long."""

    pages: tuple[PageSpec, ...] = Field(min_length=1)
    transition: Transition = Transition()

    @field_validator("pages")
    @classmethod
    def _unique_ids(cls, pages: tuple[PageSpec, ...]) -> tuple[PageSpec, ...]:
        seen: set[str] = set()
        for p in pages:
            if p.id in seen:
                raise ValueError(f"duplicate page id {p.id!r}")
            seen.add(p.id)
        return pages


# --- loading -------------------------------------------------------------------------


def _format_loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


_REASONS = {
    "extra_forbidden": "unknown key",
    "missing": "required key is missing",
}


def validation_problems(err: ValidationError, prefix: str = "") -> list[str]:
    """Turn a pydantic error into ``key.path: reason`` lines."""
    lines: list[tuple[str, str]] = []
    for e in err.errors(include_url=False):
        loc = tuple(
            p for p in e["loc"] if not (isinstance(p, str) and ("function-after" in p or "[" in p))
        )
        path = _format_loc(loc)
        if prefix:
            path = f"{prefix}.{path}" if path != "(top level)" else prefix
        reason = _REASONS.get(e["type"]) or e["msg"].removeprefix("Value error, ")
        if e["type"] not in _REASONS and e["type"] != "value_error" and "input" in e:
            reason += f" (got {e['input']!r})"
        lines.append((path, f"{path}: {' '.join(reason.split())}"))
    # A container's complaint that follows from its items' errors is noise: keep the specific ones.
    paths = [p for p, _ in lines]
    return [
        line
        for path, line in lines
        if not any(
            q != path and (q.startswith(path + "[") or q.startswith(path + ".")) for q in paths
        )
    ]


def _read_yaml(path: Path, what: str) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError([f"{what}: file not found: {path}"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([f"{what}: cannot read {path}: {e.__class__.__name__}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(e, "problem", None) or str(e)
        raise ConfigError([f"{what}: YAML syntax error{where}: {problem}"]) from None


def resolve_config_path(explicit: str | os.PathLike[str] | None) -> Path:
    """``--config``, else ``$KIOSK_CONFIG``, else /etc/kiosk/config.yaml."""
    if explicit:
        return Path(explicit)
    env = os.environ.get("KIOSK_CONFIG")
    return Path(env) if env else DEFAULT_CONFIG_PATH


def load_config(path: Path) -> Config:
    """Read and validate a config file; relative paths in it are resolved against its folder."""
    raw = _read_yaml(path, "config")
    if not isinstance(raw, dict):
        raise ConfigError(["(top level): expected a mapping of keys, got " + type(raw).__name__])
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(validation_problems(e)) from None
    base = path.resolve().parent
    updates: dict[str, Any] = {}
    if not cfg.layout.is_absolute():
        updates["layout"] = base / cfg.layout
    src_updates = {}
    for key in ("cache_path", "api_key_file", "subway_api_key_file"):
        value = getattr(cfg.sources, key)
        if value is not None and not Path(value).is_absolute():
            src_updates[key] = base / value
    if src_updates:
        updates["sources"] = cfg.sources.model_copy(update=src_updates)
    return cfg.model_copy(update=updates) if updates else cfg


def load_layout(path: Path) -> Layout:
    """Read and validate a layout file."""
    raw = _read_yaml(path, "layout")
    if not isinstance(raw, dict):
        raise ConfigError(["layout: expected a mapping with 'pages', got " + type(raw).__name__])
    try:
        return Layout.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(validation_problems(e, prefix=f"layout({path.name})")) from None


def load_all(path: Path) -> tuple[Config, Layout]:
    """Config plus its layout, with every problem of both collected into one ConfigError."""
    cfg = load_config(path)
    problems: list[str] = []
    layout = None
    try:
        layout = load_layout(cfg.layout)
    except ConfigError as e:
        problems.extend(e.problems)
    for key in ("api_key_file", "subway_api_key_file"):
        f = getattr(cfg.sources, key)
        if f is not None and not Path(f).is_file():
            problems.append(f"sources.{key}: file not found: {f}")
    if problems or layout is None:
        raise ConfigError(problems)
    return cfg, layout
