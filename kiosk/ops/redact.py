"""Mask secrets (API keys) in text before it reaches a log line, the status file or a terminal.

Two layers: the configured secrets are replaced wherever they appear (also percent-encoded,
because keys travel inside URLs), and key-shaped tokens in URLs and ``name=value`` pairs are
masked even when nobody told us the key (a key file changed, a library logged a URL).
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus

MASK = "****"
# The environment variables that carry keys (see DESIGN.md "Config keys").
SECRET_ENV_VARS = ("SEOUL_API_KEY", "SEOUL_SUBWAY_API_KEY")
# Shorter strings would mask ordinary words; real keys are 20+ characters.
MIN_SECRET_LEN = 6

# serviceKey=..., api_key: ..., token=..., Authorization: Bearer ...
_NAMED = re.compile(
    r"(?i)\b((?:service_?key|api_?key|apikey|access_?token|token|secret|password|passwd)"
    r"[\"']?\s*[=:]\s*[\"']?)([^\s&\"',;]+)"
)
_BEARER = re.compile(r"(?i)\b(authorization\s*[=:]\s*(?:bearer|basic)\s+)(\S+)")
# A Seoul key sits as a path segment: .../api/subway/<KEY>/json/... or :8088/<KEY>/json/...
# Any 20+ character segment after "/" or "=" that mixes letters and digits looks like one.
_TOKEN = re.compile(r"(?<=[/=])([A-Za-z0-9%+_\-]{20,})(?=[/&?#\s\"',;)]|$)")


def _looks_like_key(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def scrub_patterns(text: str) -> str:
    """Mask key-shaped tokens (URL path keys, ``serviceKey=...``) without knowing the key."""
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    text = _NAMED.sub(lambda m: m.group(1) + MASK, text)
    return _TOKEN.sub(lambda m: MASK if _looks_like_key(m.group(1)) else m.group(1), text)


class Redactor:
    """Replaces configured secrets and key-shaped tokens in text; thread-safe, updatable."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._needles: tuple[str, ...] = ()
        self.update(secrets)

    def update(self, secrets: Iterable[str]) -> None:
        """Replace the set of secrets (e.g. after a config reload brought new keys)."""
        needles: set[str] = set()
        for s in secrets:
            s = (s or "").strip()
            if len(s) < MIN_SECRET_LEN:
                continue
            needles.update({s, quote(s, safe=""), quote_plus(s)})
        # Longest first, so a key that contains another key is masked whole.
        with self._lock:
            self._needles = tuple(sorted(needles, key=len, reverse=True))

    def __call__(self, text: str) -> str:
        """The text with every secret masked."""
        if not text:
            return text
        for needle in self._needles:
            if needle in text:
                text = text.replace(needle, MASK)
        return scrub_patterns(text)

    def scrub(self, value: Any) -> Any:
        """Mask secrets in every string inside a JSON-like value (dicts, lists, strings)."""
        if isinstance(value, str):
            return self(value)
        if isinstance(value, Mapping):
            return {k: self.scrub(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [self.scrub(v) for v in value]
        return value


def secrets_from_environ(environ: Mapping[str, str] | None = None) -> list[str]:
    """The API keys found in the environment (the values of ``SEOUL_*_API_KEY``)."""
    env = os.environ if environ is None else environ
    return [env[name] for name in SECRET_ENV_VARS if env.get(name)]
