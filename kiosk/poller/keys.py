"""API keys: from the environment, else from the files named in config. Never logged, never printed.

``SEOUL_API_KEY`` / ``sources.api_key_file``: the general openapi.seoul.go.kr key (air, parks,
trails, bikes, events). ``SEOUL_SUBWAY_API_KEY`` / ``sources.subway_api_key_file``: the separate
realtime subway key. A file holds the key on its first line (surrounding whitespace ignored).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.poller.settings import SourcesConfig

OPENAPI_ENV = "SEOUL_API_KEY"
SUBWAY_ENV = "SEOUL_SUBWAY_API_KEY"


@dataclass(frozen=True)
class ApiKeys:
    """The keys, or why each is missing (a one-line, secret-free message)."""

    openapi: str | None = field(default=None, repr=False)
    subway: str | None = field(default=None, repr=False)
    openapi_problem: str | None = None
    subway_problem: str | None = None

    def secrets(self) -> tuple[str, ...]:
        """Every key, for redaction."""
        return tuple(k for k in (self.openapi, self.subway) if k)


def _from_file(path: Path, config_key: str) -> tuple[str | None, str | None]:
    try:
        with open(path, encoding="utf-8") as f:
            first = f.readline().strip()
    except FileNotFoundError:
        return None, f"sources.{config_key}: file not found: {path}"
    except (OSError, UnicodeDecodeError) as e:
        reason = getattr(e, "strerror", None) or e.__class__.__name__
        return None, f"sources.{config_key}: cannot read {path}: {reason}"
    if not first:
        return None, f"sources.{config_key}: the first line of {path} is empty"
    return first, None


def _one(
    env_name: str, file: Path | None, config_key: str, env: Mapping[str, str]
) -> tuple[str | None, str | None]:
    value = (env.get(env_name) or "").strip()
    if value:
        return value, None
    if file is not None:
        key, problem = _from_file(Path(file), config_key)
        if key:
            return key, None
        return None, f"no API key: {problem}"
    return None, f"no API key: set {env_name} or sources.{config_key}"


def load_keys(cfg: SourcesConfig, env: Mapping[str, str] | None = None) -> ApiKeys:
    """Read both keys; a missing key is reported in ``*_problem``, never raised."""
    env = os.environ if env is None else env
    openapi, openapi_problem = _one(OPENAPI_ENV, cfg.api_key_file, "api_key_file", env)
    subway, subway_problem = _one(SUBWAY_ENV, cfg.subway_api_key_file, "subway_api_key_file", env)
    return ApiKeys(openapi, subway, openapi_problem, subway_problem)
