"""One exception tree for the whole kiosk, mapped to messages and exit codes at each boundary.

    KioskError                       base; str(e) is one line, safe to show (no secrets)
    ├── ConfigError                  bad config or layout; carries a list of ``key.path: reason``
    ├── SourceError                  a data source failed
    │   ├── TransportError           timeout, refused connection, HTTP 4xx/5xx, HTML error page
    │   ├── MalformedResponse        body is not the shape we know (truncated JSON, garbage)
    │   └── ApiError                 the API answered with an error code (``code``, ``message``)
    │       ├── ApiKeyError          INFO-100 / gateway code 30: the key was rejected
    │       └── QuotaExceeded        ERROR-337 / gateway code 22: daily call limit reached
    └── PanelError                   the display panel could not be driven
        ├── PanelTimeout             no (complete) answer within the timeout
        ├── PanelNak                 the panel refused the command (``code``)
        ├── PanelProtocolError       the answer was garbled or unexpected
        └── PortUnavailable          the port is missing, gone, or permission was denied

INFO-200 ("no data") is not an error: parsers return an empty result for it.
"""

from __future__ import annotations


class KioskError(Exception):
    """Base of every error the kiosk raises on purpose."""

    def one_line(self) -> str:
        """The message on a single line, for logs, status and the CLI."""
        return " ".join(str(self).split())


class ConfigError(KioskError):
    """Config or layout is invalid; ``problems`` holds ``key.path: reason`` lines."""

    def __init__(self, problems: list[str]):
        self.problems = list(problems)
        super().__init__("; ".join(self.problems))


class SourceError(KioskError):
    """A data source could not deliver data."""


class TransportError(SourceError):
    """The request failed before we got an API answer (network, HTTP status, HTML page)."""


class MalformedResponse(SourceError):
    """The body is not in any shape we know."""


class ApiError(SourceError):
    """The API answered with an error code."""

    def __init__(self, code: str, message: str = ""):
        self.code = code
        self.message = message
        super().__init__(f"{code} {message}".strip())


class ApiKeyError(ApiError):
    """The API key was rejected (INFO-100, gateway code 30)."""


class QuotaExceeded(ApiError):
    """The daily call limit was reached (ERROR-337, gateway code 22)."""


class PanelError(KioskError):
    """The display panel could not be driven."""


class PanelTimeout(PanelError):
    """The panel did not answer (completely) within the timeout."""


class PanelNak(PanelError):
    """The panel refused the command."""

    def __init__(self, message: str, code: int | str | None = None):
        self.code = code
        super().__init__(message)


class PanelProtocolError(PanelError):
    """The panel's answer was garbled or not what the protocol allows."""


class PortUnavailable(PanelError):
    """The serial port is missing, vanished, or not permitted."""
