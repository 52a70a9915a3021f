"""YAML -> validated, frozen config. Every problem is reported as ``key.path: reason``.

The sections live beside their subject: ``kiosk.config_station`` (the station),
``kiosk.config_layout`` (the pages and their codes), ``poller.settings``, ``panel.settings``,
``ops.notice_settings``, ``ops.metrics_settings``; this module assembles and loads them.
"""

from __future__ import annotations

import os
import reprlib
from pathlib import Path
from typing import Any

import yaml
from pydantic import Field, ValidationError, field_validator

from kiosk import config_yaml
from kiosk._settings_base import Section
from kiosk.config_layout import FeedbackSpec, Layout, PageSpec, QrSpec, Transition, qr_problems
from kiosk.config_station import StationConfig
from kiosk.core.pixelshift import MAX_PIXELS, parse_every
from kiosk.core.station import Station
from kiosk.errors import ConfigError
from kiosk.ops.metrics_settings import MetricsConfig
from kiosk.ops.notice_settings import NoticesConfig
from kiosk.panel.settings import PanelConfig
from kiosk.poller.keys import short_keys
from kiosk.poller.redis_target import parse_target
from kiosk.poller.settings import SourcesConfig
from kiosk.sources.registry import APIS

__all__ = [
    "Config",
    "FeedbackSpec",
    "Layout",
    "PageSpec",
    "QrSpec",
    "StationConfig",
    "Transition",
    "load_all",
    "load_config",
    "load_layout",
    "resolve_config_path",
]

DEFAULT_CONFIG_PATH = Path("/etc/kiosk/config.yaml")
# sources.*_api_key_file: one per API of the source registry
KEY_FILE_SETTINGS = tuple(api.key_file_setting for api in APIS.values())


class PixelShift(Section):
    """Burn-in protection: the whole scene orbits ``pixels`` around its place (core/pixelshift)."""

    pixels: int = Field(default=4, ge=0, le=MAX_PIXELS)  # 0 turns it off
    every: float = 180.0  # seconds per one-pixel step; "3m", "90s", "1h" or a number

    @field_validator("every", mode="before")
    @classmethod
    def _every(cls, value: object) -> float:
        return parse_every(value)


class DisplayConfig(Section):
    """The screen the kiosk draws on."""

    screen: int = Field(default=0, ge=0)
    hide_cursor: bool = True
    pixel_shift: PixelShift = PixelShift()


class Config(Section):
    """The whole kiosk config (one YAML file per station)."""

    station: StationConfig
    layout: Path
    display: DisplayConfig = DisplayConfig()
    sources: SourcesConfig = SourcesConfig()
    panel: PanelConfig = PanelConfig()
    notices: NoticesConfig = NoticesConfig()
    metrics: MetricsConfig = MetricsConfig()

    def station_info(self) -> Station:
        """The station as plain values, for requests, selection and `kiosk fetch`."""
        st = self.station
        return Station(
            subway_station=st.subway_station,
            lines=tuple(st.lines),
            district=st.district,
            lat=st.location.lat,
            lon=st.location.lon,
            nearby=self.sources.nearby.model_dump(),
            bus_stops=tuple(s.ars_id for s in st.bus_stops),
            alert_lookback_s=float(max(self.notices.windows.model_dump().values())),
        )


# --- layouts -------------------------------------------------------------------------


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
# Errors that say all there is to say about the value: quoting it (all of it) would not help.
_UNQUOTED = {"value_error", "too_long", "string_too_long"}


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
        if e["type"] not in _REASONS and e["type"] not in _UNQUOTED and "input" in e:
            reason += f" (got {_SHORT.repr(e['input'])})"
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


# What an error quotes of a bad value: short, whatever the value (a mapping of thousands).
_SHORT = reprlib.Repr(maxlevel=2, maxstring=60, maxother=60, maxlist=4, maxdict=4, maxtuple=4)


def _read_yaml(path: Path, what: str) -> Any:
    try:
        with open(path, encoding="utf-8") as f:
            text = f.read(config_yaml.MAX_BYTES + 1)  # a FIFO or /dev/zero: read no more
    except FileNotFoundError:
        raise ConfigError([f"{what}: file not found: {path}"]) from None
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError([f"{what}: cannot read {path}: {e.__class__.__name__}"]) from None
    try:
        return config_yaml.load(text)
    except config_yaml.YamlLimit as e:
        raise ConfigError([f"{what}: refused {path}: {e}"]) from None
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


def _read_mapping(path: Path) -> dict[str, Any]:
    raw = _read_yaml(path, "config")
    if not isinstance(raw, dict):
        raise ConfigError(["(top level): expected a mapping of keys, got " + type(raw).__name__])
    return raw


def _validate(raw: dict[str, Any], path: Path) -> Config:
    try:
        cfg = Config.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(validation_problems(e)) from None
    base = path.resolve().parent
    updates: dict[str, Any] = {}
    if not cfg.layout.is_absolute():
        updates["layout"] = base / cfg.layout
    src_updates = {}
    for key in ("cache_path", "cache_password_file", *KEY_FILE_SETTINGS):
        value = getattr(cfg.sources, key)
        if value is not None and not Path(value).is_absolute():
            src_updates[key] = base / value
    if src_updates:
        updates["sources"] = cfg.sources.model_copy(update=src_updates)
    if not cfg.notices.spool_path.is_absolute():
        spool = base / cfg.notices.spool_path
        updates["notices"] = cfg.notices.model_copy(update={"spool_path": spool})
    if cfg.metrics.textfile is not None and not cfg.metrics.textfile.is_absolute():
        updates["metrics"] = cfg.metrics.model_copy(
            update={"textfile": base / cfg.metrics.textfile}
        )
    return cfg.model_copy(update=updates) if updates else cfg


def fleet_problems(cfg: Config) -> list[str]:
    """The shared-Redis and metrics keys that cannot work together or with the disk."""
    src, out = cfg.sources, []
    if src.cache_password_file is not None:
        if src.cache_url is None:
            out.append("sources.cache_password_file: only used with sources.cache_url")
        elif not Path(src.cache_password_file).is_file():
            out.append(f"sources.cache_password_file: file not found: {src.cache_password_file}")
        elif parse_target(src.cache_url).password:
            out.append(
                "sources.cache_password_file: sources.cache_url has a password too; give it once"
            )
    textfile = cfg.metrics.textfile
    if textfile is not None and not textfile.parent.is_dir():
        out.append(f"metrics.textfile: folder not found: {textfile.parent}")
    return out


def load_config(path: Path) -> Config:
    """Read and validate a config file; relative paths in it are resolved against its folder."""
    return _validate(_read_mapping(path), path)


def _raw_layout_path(raw: dict[str, Any], path: Path) -> Path | None:
    """The layout a config names even when the config itself is invalid (to check both)."""
    value = raw.get("layout")
    if not isinstance(value, str) or not value.strip():
        return None  # the config's own problems say what is wrong with it
    layout = Path(value)
    return layout if layout.is_absolute() else path.resolve().parent / layout


def load_layout(path: Path) -> Layout:
    """Read and validate a layout file."""
    raw = _read_yaml(path, "layout")
    if not isinstance(raw, dict):
        raise ConfigError(["layout: expected a mapping with 'pages', got " + type(raw).__name__])
    try:
        layout = Layout.model_validate(raw)
    except ValidationError as e:
        raise ConfigError(validation_problems(e, prefix=f"layout({path.name})")) from None
    problems = qr_problems(layout)
    if problems:
        raise ConfigError([f"layout({path.name}).{p}" for p in problems])
    return layout


def load_all(path: Path) -> tuple[Config, Layout]:
    """Config plus its layout, with every problem of both collected into one ConfigError."""
    raw = _read_mapping(path)
    problems: list[str] = []
    cfg: Config | None = None
    try:
        cfg = _validate(raw, path)
    except ConfigError as e:
        problems.extend(e.problems)
    layout_path = cfg.layout if cfg is not None else _raw_layout_path(raw, path)
    layout = None
    if layout_path is not None:
        try:
            layout = load_layout(layout_path)
        except ConfigError as e:
            problems.extend(e.problems)
    if cfg is not None:
        for key in KEY_FILE_SETTINGS:
            f = getattr(cfg.sources, key)
            if f is not None and not Path(f).is_file():
                problems.append(f"sources.{key}: file not found: {f}")
        problems.extend(fleet_problems(cfg))
        if not cfg.sources.demo:
            problems.extend(short_keys(cfg.sources))
    if problems or cfg is None or layout is None:
        raise ConfigError(problems)
    return cfg, layout
