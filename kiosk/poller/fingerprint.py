"""A stable, secret-free name for an API key: what quota ledgers are keyed by.

Every screen of a station (and every restart) must arrive at the same name for the same key,
so the salt is fixed; it only makes the fingerprint useless outside this program (no table of
plain hashes applies). Seoul keys are 20+ random characters, so the 96 bits kept here cannot
be searched back to a key, and changing the key changes the name: a fresh count.
"""

from __future__ import annotations

import hashlib
import hmac

_SALT = b"station-kiosk/quota-ledger/v1"
NO_KEY = "nokey"  # demo mode and tests without a key


def fingerprint(key: str | None) -> str:
    """24 hex characters naming ``key`` (``"nokey"`` for none); never reversible to the key."""
    if not key:
        return NO_KEY
    return hmac.new(_SALT, key.strip().encode("utf-8"), hashlib.sha256).hexdigest()[:24]
