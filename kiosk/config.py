"""YAML -> validated, frozen config. Every problem is reported as ``key.path: reason``."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
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
from kiosk.core.pages import PAGE_KINDS
from kiosk.core.pixelshift import MAX_PIXELS, parse_every
from kiosk.core.seoul import DISTRICTS, LAT_RANGE, LON_RANGE, in_seoul, suggest_district
from kiosk.core.station import Station
from kiosk.core.stations import (
    LIST_EDITION,
    STATION_NAMES,
    line_id_for,
    lines_at,
    respell,
    suggest_station,
)
from kiosk.core.urltemplate import allowed_for, check_template, placeholders
from kiosk.errors import ConfigError
from kiosk.ops.metrics_settings import MetricsConfig
from kiosk.ops.notice_settings import NoticesConfig
from kiosk.panel.settings import PanelConfig
from kiosk.poller.redis_target import parse_target
from kiosk.poller.settings import SourcesConfig
from kiosk.sources.registry import APIS

DEFAULT_CONFIG_PATH = Path("/etc/kiosk/config.yaml")
# sources.*_api_key_file: one per API of the source registry
KEY_FILE_SETTINGS = tuple(api.key_file_setting for api in APIS.values())


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
    ko: str = Field(min_length=1)
    en: str = Field(min_length=1)


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
    """Which station this screen stands in: names, lines, district, coordinates."""

    name: Bilingual
    subway_station: str = Field(min_length=1)
    lines: tuple[LineId, ...] = Field(min_length=1)
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
        )


# --- layouts -------------------------------------------------------------------------


class QrLabel(Section):
    """The words beside a QR code; short, so the code's column stays narrow."""

    ko: str = Field(min_length=1, max_length=12)
    en: str = Field(min_length=1, max_length=26)


class QrSpec(Section):
    """A page's QR code: a url template (kiosk/core/urltemplate.py) and its label."""

    url: Annotated[str, AfterValidator(check_template)]
    label: QrLabel = QrLabel(ko="휴대폰으로 보기", en="Open on your phone")


class FeedbackSpec(Section):
    """The station-wide feedback code, shown on one page per rotation (``page``)."""

    url: Annotated[str, AfterValidator(check_template)]
    label: QrLabel = QrLabel(ko="의견 보내기", en="Tell us what you think")
    page: str | None = None  # the page it is shown on; default: the first page without a qr


class PageSpec(Section):
    """One page in the rotation."""

    id: str = Field(min_length=1, pattern=r"^[a-z0-9_-]+$")
    kind: str
    duration: float = Field(default=15.0, ge=3.0, le=600.0)  # seconds on screen
    max_items: int | None = Field(default=None, ge=1, le=12)
    qr: QrSpec | None = None

    @field_validator("kind")
    @classmethod
    def _known_kind(cls, kind: str) -> str:
        if kind not in PAGE_KINDS:
            raise ValueError(f"unknown page kind {kind!r} (known: {', '.join(PAGE_KINDS)})")
        return kind


class Transition(Section):
    kind: Literal["fade", "cut"] = "fade"
    duration_ms: int = Field(default=600, ge=0, le=3000)


class Layout(Section):
    """Which pages rotate, in what order, for how long."""

    pages: tuple[PageSpec, ...] = Field(min_length=1)
    transition: Transition = Transition()
    feedback: FeedbackSpec | None = None

    @field_validator("pages")
    @classmethod
    def _unique_ids(cls, pages: tuple[PageSpec, ...]) -> tuple[PageSpec, ...]:
        seen: set[str] = set()
        for p in pages:
            if p.id in seen:
                raise ValueError(f"duplicate page id {p.id!r}")
            seen.add(p.id)
        return pages

    def feedback_page(self) -> str | None:
        """The id of the page that shows the feedback code (None: no feedback code)."""
        if self.feedback is None:
            return None
        if self.feedback.page is not None:
            return self.feedback.page
        return next((p.id for p in self.pages if p.qr is None), None)


def qr_problems(layout: Layout) -> list[str]:
    """What a layout's QR codes get wrong that depends on the page (``key.path: reason``)."""
    problems: list[str] = []
    for i, page in enumerate(layout.pages):
        if page.qr is None:
            continue
        allowed = allowed_for(page.kind)
        for name in placeholders(page.qr.url):
            if name not in allowed:
                problems.append(
                    f"pages[{i}].qr.url: {{{name}}} is not known on a {page.kind} page "
                    f"(here: {', '.join('{' + a + '}' for a in allowed)})"
                )
    fb = layout.feedback
    if fb is not None:
        for name in placeholders(fb.url):
            if name not in ("station", "page"):
                problems.append(
                    f"feedback.url: {{{name}}} names a page's item: the station-wide code "
                    "knows only {station} and {page}"
                )
        ids = {p.id: p for p in layout.pages}
        target = layout.feedback_page()
        if fb.page is not None and fb.page not in ids:
            problems.append(
                f"feedback.page: no page {fb.page!r} in the layout (pages: {', '.join(ids)})"
            )
        elif target is None:
            problems.append(
                "feedback: every page has its own qr; name the page for the feedback code "
                "with feedback.page and drop that page's qr"
            )
        elif ids[target].qr is not None:
            problems.append(
                f"feedback.page: page {target!r} already shows its own qr code; two codes on "
                "one page make phones pick either: choose a page without one"
            )
    return problems


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
    if problems or cfg is None or layout is None:
        raise ConfigError(problems)
    return cfg, layout
