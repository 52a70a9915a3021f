"""The ``metrics:`` config section: where Prometheus finds this kiosk's metrics."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

from pydantic import AfterValidator, Field

from kiosk._settings_base import Section


def parse_listen(value: str) -> tuple[str, int]:
    """ "127.0.0.1:9464" / "[::1]:9464" / "localhost:9464" -> (host, port); ValueError if not."""
    text = value.strip()
    host, sep, port_text = text.rpartition(":")
    if not sep or not host or not port_text.isdigit():
        raise ValueError(f"expected HOST:PORT such as 127.0.0.1:9464, got {text[:60]!r}")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            raise ValueError(f"{host[:60]!r} is not an IPv6 address") from None
    elif host != "localhost":
        try:
            ipaddress.IPv4Address(host)
        except ValueError:
            raise ValueError(
                f"{host[:60]!r} is not an IPv4 address, [IPv6] address or localhost"
            ) from None
    port = int(port_text)
    if not 0 < port < 65536:
        raise ValueError(f"port {port} is out of range (1-65535)")
    return host, port


def _check_listen(value: str) -> str:
    parse_listen(value)
    return value.strip()


def _check_textfile(value: Path) -> Path:
    if value.suffix != ".prom":
        raise ValueError("node_exporter's textfile collector reads only *.prom files")
    return value


class MetricsConfig(Section):
    """Prometheus metrics; both ways are off unless set."""

    # Serve /metrics over HTTP, e.g. "127.0.0.1:9464" (a node on the station LAN: its address).
    listen: Annotated[str, AfterValidator(_check_listen)] | None = None
    # Write the same exposition to this file for node_exporter's textfile collector.
    textfile: Annotated[Path, AfterValidator(_check_textfile)] | None = None
    textfile_interval: int = Field(default=15, ge=1, le=3600)  # seconds between writes
