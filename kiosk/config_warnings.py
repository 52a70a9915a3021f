"""What ``kiosk check-config`` warns about: a valid config that will not work as it stands.

Each warning is ``key.path: reason`` (the CLI prints ``warning: `` before it and still exits 0):
the panel's port does not exist now, live data without a key, demo data the station has none of,
a buses page without any bus stop to show.
These look at the machine (devices, environment, key files), so they are not validation errors:
the adapter may be plugged in later, the keys may come with the service's environment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from kiosk.config import Config, Layout
from kiosk.core.nodata import NO_DEMO_DATA, NO_STOPS, NOT_CONNECTED
from kiosk.errors import SourceError
from kiosk.poller.keys import load_keys, short_keys
from kiosk.sources.registry import SOURCES, polled_sources

SECRETS_FILE = (
    "secrets.env"  # beside the config: /etc/kiosk/secrets.env, the unit's EnvironmentFile
)
_SERIAL_DRIVERS = ("lg", "samsung", "nec")


def _port_warning(cfg: Config) -> str | None:
    panel = cfg.panel
    if panel.driver == "none" or "://" in panel.port:
        return None  # no panel, or a network URL (socket://, rfc2217://): nothing to look at here
    if panel.driver == "cec" and not panel.port.startswith("/"):
        return None  # a libcec adapter name such as RPI, not a device path
    if Path(panel.port).exists():
        return None
    hint = (
        "is the USB-serial adapter plugged in? ls /dev/serial/by-id/ lists the ones there are"
        if panel.driver in _SERIAL_DRIVERS
        else "is the CEC adapter there? ls /dev/cec*"
    )
    return (
        f"panel.port: {panel.port} does not exist now ({hint}); the kiosk runs without the "
        "panel and retries, and kiosk status lists it under errors"
    )


def read_env_file(path: Path) -> tuple[dict[str, str], str | None]:
    """KEY=VALUE lines of a systemd EnvironmentFile (comments skipped), or why it is unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, None
    except (OSError, UnicodeDecodeError) as e:
        return {}, getattr(e, "strerror", None) or e.__class__.__name__
    out: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        out[key.strip()] = value.strip().strip("'\"")
    return out, None


def secrets_env_problems(cfg: Config, config_path: Path) -> list[str]:
    """Keys in the ``secrets.env`` beside the config that `kiosk run` would refuse (too short to
    mask): errors, not warnings; the service reads its keys from that file."""
    if cfg.sources.demo:
        return []
    path = config_path.resolve().parent / SECRETS_FILE
    values, _unreadable = read_env_file(path)
    return short_keys(cfg.sources, values, where=f" in {path}") if values else []


def _key_warnings(
    cfg: Config, layout: Layout, config_path: Path, environ: Mapping[str, str]
) -> list[str]:
    if cfg.sources.demo:
        return []
    secrets_path = config_path.resolve().parent / SECRETS_FILE
    from_file, unreadable = read_env_file(secrets_path)
    keys = load_keys(cfg.sources, {**from_file, **environ})
    apis = []  # the keys the layout's pages need, in page order, then the alert feed's
    polled = polled_sources(p.kind for p in layout.pages)
    for name in polled:
        if SOURCES[name].api not in apis:
            apis.append(SOURCES[name].api)
    out = []
    for api in apis:
        if keys.values.get(api.name):
            continue
        config_key, env_name, problem = (
            api.key_file_setting,
            api.key_env,
            keys.problems.get(api.name),
        )
        where = (
            f" ({secrets_path} is unreadable: {unreadable}; run as root to check it)"
            if unreadable
            else f" (looked in the environment and {secrets_path})"
        )
        reason = (problem or f"no API key: set {env_name}").replace(f"sources.{config_key}: ", "")
        paged = any(not SOURCES[n].always_polled for n in polled if SOURCES[n].api == api)
        effect = (
            f"the pages that need it show {NOT_CONNECTED[0]} · {NOT_CONNECTED[1]}"
            if paged
            else "no emergency alert from the feed reaches the screen (kiosk notice still works)"
        )
        out.append(f"sources.{config_key}: {reason}{where}; with sources.demo false {effect}")
    return out


def _demo_warning(cfg: Config) -> str | None:
    if not cfg.sources.demo:
        return None
    from kiosk.sources.demo import STATIONS, station_key

    try:
        station_key(cfg.station.subway_station)
    except SourceError:
        return (
            f"sources.demo: there is no demo recording for {cfg.station.subway_station} "
            f"(recorded: {', '.join(STATIONS)}); every page will say "
            f"{NO_DEMO_DATA[0]} · {NO_DEMO_DATA[1]}"
        )
    return None


def _bus_stops_warning(cfg: Config, layout: Layout, config_path: Path) -> str | None:
    pages = [p.id for p in layout.pages if p.kind == "buses"]
    if not pages or cfg.station.bus_stops:
        return None
    named = ", ".join(repr(p) for p in pages)
    return (
        f"station.bus_stops: the layout has a buses page ({named}) but no stops are listed, so "
        f"it will say {NO_STOPS[0]} · {NO_STOPS[1]}; kiosk find-stops --config {config_path} "
        "lists the stops around station.location with their 5-digit ARS ids "
        '(add them as bus_stops: [{ars_id: "19007"}, ...])'
    )


def config_warnings(
    cfg: Config, layout: Layout, config_path: Path, environ: Mapping[str, str] | None = None
) -> list[str]:
    """Every warning for a config that validated, as ``key.path: reason`` lines."""
    env = os.environ if environ is None else environ
    found = (_port_warning(cfg), _demo_warning(cfg), _bus_stops_warning(cfg, layout, config_path))
    out = [w for w in found if w]
    return out + _key_warnings(cfg, layout, config_path, env)
