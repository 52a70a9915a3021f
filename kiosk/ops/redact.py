"""The one redactor: API keys masked before text or bytes reach a log line, the status file, a
terminal or the HTTP cache.

Two layers for text: the configured secrets are replaced wherever they appear (also
percent-encoded, because keys travel inside URLs), and key-shaped tokens in URLs and
``name=value`` pairs are masked even when nobody told us the key (a key file changed, a library
logged a URL). Bytes (cached bodies) get only the first layer: data is data.

The composition root makes one ``Redactor`` and hands it to everything that writes; a config
reload replaces its secrets (``update``), so a replaced key is forgotten, not only added to.
``install_log_redaction(redactor)`` masks every log record from every library at creation.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import quote, quote_plus, unquote

MASK = "****"
# The environment variables that carry keys (see DESIGN.md "Config keys").
SECRET_ENV_VARS = (
    "SEOUL_API_KEY",
    "SEOUL_SUBWAY_API_KEY",
    "SEOUL_BUS_API_KEY",
    "SAFETYDATA_API_KEY",
)
# Shorter strings would mask ordinary words and data ("1001" is a line id); real keys are 20+
# characters, and the key loader refuses shorter ones (kiosk.poller.keys).
MIN_SECRET_LEN = 8
_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")

# serviceKey=..., api_key: ..., token=..., Authorization: Bearer ...
_NAMED = re.compile(
    r"(?i)\b((?:service_?key|api_?key|apikey|access_?token|token|secret|password|passwd)"
    r"[\"']?\s*[=:]\s*[\"']?)([^\s&\"',;]+)"
)
_BEARER = re.compile(r"(?i)\b(authorization\s*[=:]\s*(?:bearer|basic)\s+)(\S+)")
# A Seoul key sits as a path segment: .../api/subway/<KEY>/json/... or :8088/<KEY>/json/...
# Any 20+ character segment after "/" or "=" that mixes letters and digits looks like one. Not
# with an underscore: keys have none, and file and folder names often do (left readable).
_TOKEN = re.compile(r"(?<=[/=])([A-Za-z0-9%+\-]{20,})(?=[/&?#\s\"',;)]|$)")


def _looks_like_key(token: str) -> bool:
    return any(c.isdigit() for c in token) and any(c.isalpha() for c in token)


def scrub_patterns(text: str) -> str:
    """Mask key-shaped tokens (URL path keys, ``serviceKey=...``) without knowing the key."""
    text = _BEARER.sub(lambda m: m.group(1) + MASK, text)
    text = _NAMED.sub(lambda m: m.group(1) + MASK, text)
    return _TOKEN.sub(lambda m: MASK if _looks_like_key(m.group(1)) else m.group(1), text)


class Redactor:
    """Replaces configured secrets (and, in text, key-shaped tokens); thread-safe, updatable."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._lock = threading.Lock()
        self._needles: tuple[str, ...] = ()
        self._bytes: tuple[bytes, ...] = ()
        self.update(secrets)

    def update(self, secrets: Iterable[str | None]) -> None:
        """Replace the set of secrets (a reload with new keys forgets the old ones)."""
        needles: set[str] = set()
        for s in secrets:
            s = (s or "").strip()
            if len(s) < MIN_SECRET_LEN:
                continue
            # data.go.kr shows a key twice, "Decoding" (with + / =) and "Encoding" (%-escaped),
            # and the bus source sends the escaped form whichever was configured: both forms,
            # each also escaped as a URL would carry it, are secrets.
            forms = {s, unquote(s)} if _ESCAPE.search(s) else {s}
            for form in forms:
                if len(form) >= MIN_SECRET_LEN:
                    needles.update({form, quote(form, safe=""), quote(form), quote_plus(form)})
        # Longest first, so a key that contains another key is masked whole.
        ordered = tuple(sorted(needles, key=len, reverse=True))
        with self._lock:
            self._needles = ordered
            self._bytes = tuple(n.encode() for n in ordered)

    def __bool__(self) -> bool:
        return bool(self._needles)

    def secrets_only(self, text: str) -> str:
        """``text`` with the configured secrets masked (no pattern guessing)."""
        for needle in self._needles:
            if needle in text:
                text = text.replace(needle, MASK)
        return text

    def __call__(self, text: str) -> str:
        """The text with every secret and key-shaped token masked."""
        if not text:
            return text
        return scrub_patterns(self.secrets_only(text))

    def data(self, value: bytes) -> bytes:
        """Bytes with every configured secret masked."""
        for needle in self._bytes:
            if needle in value:
                value = value.replace(needle, MASK.encode())
        return value

    def found_in(self, value: bytes | str) -> bool:
        """Whether any configured secret occurs in ``value``."""
        if isinstance(value, str):
            return any(n in value for n in self._needles)
        return any(n in value for n in self._bytes)

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
    """The API keys found in the environment (the values of ``SECRET_ENV_VARS``)."""
    env = os.environ if environ is None else environ
    return [env[name] for name in SECRET_ENV_VARS if env.get(name)]


# --- every log record, from every library -------------------------------------------------

_factory_lock = threading.Lock()
_log_redactor: Redactor | None = None


def install_log_redaction(redactor: Redactor) -> None:
    """Mask ``redactor``'s secrets in every log record created from now on, from any library.

    Installed once per process; a later call points the factory at the new redactor (the
    previous one's secrets stop being masked: they are no longer the kiosk's keys).
    """
    global _log_redactor
    with _factory_lock:
        first = _log_redactor is None
        _log_redactor = redactor
        if not first:
            return
        previous = logging.getLogRecordFactory()

        def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
            record = previous(*args, **kwargs)
            red = _log_redactor
            if red:
                _redact_record(record, red)
            return record

        logging.setLogRecordFactory(factory)


def _redact_record(record: logging.LogRecord, red: Redactor) -> None:
    try:
        message = record.getMessage()
    except Exception:  # a bad format string is the caller's bug; do not lose the record
        message = str(record.msg)
    clean = red.secrets_only(message)
    if clean != message:
        record.msg, record.args = clean, None
    if record.exc_info:
        # Tracebacks of connection errors quote the URL: if this one does, keep only the masked
        # text (handlers print ``exc_text``); any other record is left exactly as it was.
        text = logging.Formatter().formatException(record.exc_info)
        clean = red.secrets_only(text)
        if clean != text:
            record.exc_text = clean
            record.exc_info = None
    if record.stack_info:
        record.stack_info = red.secrets_only(record.stack_info)
