"""``sources.cache_url`` parsed and checked: where the station's Redis is, and its password.

Pure parsing (no redis-py), so that config validation can use it. No message here quotes the
URL as given: a URL with a password is a secret.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote, unquote, urlsplit

SCHEMES = ("redis", "rediss", "unix")
# Query options that cannot undo the link's bounds (timeouts, retries) or smuggle a password.
QUERY_OPTIONS = frozenset(
    {"db", "client_name", "ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile"}
)


@dataclass(frozen=True)
class RedisTarget:
    """Where the station's Redis is. ``url`` has no password; ``display`` is safe to print."""

    url: str = field(repr=False)
    password: str | None = field(default=None, repr=False)
    display: str = ""

    def secrets(self) -> tuple[str, ...]:
        """What a log redactor must mask (the password, raw and percent-encoded)."""
        if not self.password:
            return ()
        return tuple({self.password, quote(self.password, safe="")})


def parse_target(url: str, password_file: Path | None = None) -> RedisTarget:
    """Check a ``sources.cache_url`` and split off its password; ValueError names the problem.

    No message here quotes the URL as given: it may hold a password.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in SCHEMES or not url.strip().lower().startswith(scheme + "://"):
        shown = scheme + "://" if scheme and "://" in url else "(none)"
        raise ValueError(f"unsupported scheme {shown}: use redis://, rediss:// or unix://")
    try:
        port = parts.port
    except ValueError:  # also a password with a raw "/" or "#": it must be percent-encoded
        raise ValueError(
            "not a valid URL (expected redis://HOST:6379/0; percent-encode a password)"
        ) from None
    for name, _ in parse_qsl(parts.query, keep_blank_values=True):
        if name not in QUERY_OPTIONS:
            raise ValueError(
                f"unsupported option ?{name}= (allowed: {', '.join(sorted(QUERY_OPTIONS))})"
            )
    host = parts.hostname or ""
    if scheme == "unix":
        if not parts.path.startswith("/"):
            raise ValueError("unix:// needs an absolute socket path: unix:///run/redis/redis.sock")
    else:
        if not host:
            raise ValueError(f"{scheme}:// needs a host: {scheme}://HOST:6379/0")
        db = parts.path.strip("/")
        if db and not db.isdigit():
            raise ValueError(f"the database must be a number (/{'0'}), not /{db[:20]}")
        if port is not None and not 0 < port < 65536:
            raise ValueError(f"port {port} is out of range")
    password = unquote(parts.password) if parts.password else None
    if password_file is not None:
        if password:
            raise ValueError("the URL has a password and so has cache_password_file: give one")
        password = read_password(password_file)
    userinfo = quote(unquote(parts.username), safe="") + "@" if parts.username else ""
    netloc = userinfo + (f"[{host}]" if ":" in host else host) + (f":{port}" if port else "")
    shown = f"{scheme}://{netloc}{parts.path}"
    clean = shown + (f"?{parts.query}" if parts.query else "")
    return RedisTarget(clean, password, shown + (" (password set)" if password else ""))


def read_password(path: Path) -> str:
    """The password on the first line of ``path``; ValueError names the file, never its content."""
    try:
        with open(path, encoding="utf-8") as f:
            first = f.readline(4096).strip()  # a password is a line: read no more
    except FileNotFoundError:
        raise ValueError(f"password file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as e:
        reason = getattr(e, "strerror", None) or e.__class__.__name__
        raise ValueError(f"cannot read password file {path}: {reason}") from None
    if not first:
        raise ValueError(f"the first line of password file {path} is empty")
    return first


def target_secrets(url: str | None, password_file: Path | None) -> tuple[str, ...]:
    """What the kiosk's redactor must mask for ``sources.cache_url`` (its password, however
    given); () without a URL, or when it cannot be read (the link then says why)."""
    if not url:
        return ()
    try:
        return parse_target(url, password_file).secrets()
    except ValueError:
        return ()
