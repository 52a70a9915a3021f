"""API keys: from the environment, else from the files named in config. Never logged, never printed.

Each API in the registry (``kiosk.sources.registry.APIS``) names its environment variable and its
``sources.*_api_key_file`` setting: ``SEOUL_API_KEY`` / ``sources.api_key_file`` for the general
openapi.seoul.go.kr key (air, parks, trails, bikes, events), ``SEOUL_SUBWAY_API_KEY`` /
``sources.subway_api_key_file`` for the separate realtime subway key. A file holds the key on its
first line (surrounding whitespace ignored).

A key shorter than ``MIN_SECRET_LEN`` is refused when the config is loaded (``short_keys``): the
one redactor masks every configured key wherever it appears, and a key that short could not be
told apart from the data it would mask, nor masked without masking data.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from kiosk.errors import ApiKeyError
from kiosk.ops.redact import MIN_SECRET_LEN
from kiosk.poller.settings import SourcesConfig
from kiosk.sources.registry import APIS


@dataclass(frozen=True)
class ApiKeys:
    """The keys by API name, or why each is missing (a one-line, secret-free message)."""

    values: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    problems: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    def key(self, api: str) -> str:
        """The key of ``api``; ApiKeyError("NO-KEY") saying why there is none."""
        value = self.values.get(api)
        if not value:
            raise ApiKeyError("NO-KEY", self.problems.get(api) or "no API key")
        return value

    def secrets(self) -> tuple[str, ...]:
        """Every key, for redaction."""
        return tuple(v for v in self.values.values() if v)


def _from_file(path: Path, config_key: str) -> tuple[str | None, str | None]:
    try:
        with open(path, encoding="utf-8") as f:
            first = f.readline(4096).strip()  # a key is a line, not a file: read no more
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


def short_keys(
    cfg: SourcesConfig, env: Mapping[str, str] | None = None, where: str = ""
) -> list[str]:
    """The keys too short to mask safely, one line each naming the variable (``where`` it was
    set, if not the environment) or the key file; never the key itself."""
    env = os.environ if env is None else env
    out = []
    for api in APIS.values():
        value = (env.get(api.key_env) or "").strip()
        name = f"{api.key_env}{where}"
        file = cfg.key_file(api.name)
        if not value and file is not None:
            value = _from_file(Path(file), api.key_file_setting)[0] or ""
            name = f"sources.{api.key_file_setting} ({file})"
        if value and len(value) < MIN_SECRET_LEN:
            out.append(
                f"{name}: this key is only {len(value)} characters; a key shorter than "
                f"{MIN_SECRET_LEN} cannot be masked in logs, status and the cache without masking "
                "data too (real keys are 20 or more): check the value"
            )
    return out


def load_keys(cfg: SourcesConfig, env: Mapping[str, str] | None = None) -> ApiKeys:
    """Read every API's key; a missing key is reported in ``problems``, never raised."""
    env = os.environ if env is None else env
    values: dict[str, str] = {}
    problems: dict[str, str] = {}
    for api in APIS.values():
        key, problem = _one(api.key_env, cfg.key_file(api.name), api.key_file_setting, env)
        if key:
            values[api.name] = key
        elif problem:
            problems[api.name] = problem
    return ApiKeys(MappingProxyType(values), MappingProxyType(problems))
