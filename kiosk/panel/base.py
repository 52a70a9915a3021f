"""The one driver interface every panel speaks, and the retry loop the serial drivers share."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, Protocol, TypeVar

from kiosk.errors import PanelError, PanelNak, PanelProtocolError, PanelTimeout
from kiosk.panel.transport import Transport

log = logging.getLogger(__name__)
T = TypeVar("T")
Power = Literal["on", "off"]


class PanelUnsupported(PanelError):
    """The panel or protocol has no such function (e.g. brightness over HDMI-CEC)."""


class PanelBusy(PanelNak):
    """The panel asked us to try again later (LG ``NG03``, NEC NULL message); worth a retry."""


class NotSupported(PanelNak):
    """The panel refused a query its model does not have (Samsung 0x0D, LG ``NG02``, NEC 01).

    For an optional query (health, a backlight nobody asked for) this is "not supported by
    this panel", not a fault; for power, or a backlight the schedule sets, it still is one.
    """


class NotApplied(PanelError):
    """The panel acknowledged a command but the read-back shows the old state."""


NOT_SUPPORTED = "not supported by this panel"


@dataclass(frozen=True)
class PanelHealth:
    """What the panel says about itself (Samsung MDC error status)."""

    temperature_c: int | None = None
    faults: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """No fault reported."""
        return not self.faults

    def describe(self) -> str:
        """One line for the CLI and the status file."""
        temp = f", {self.temperature_c} °C" if self.temperature_c is not None else ""
        return ("ok" if self.ok else "FAULT: " + ", ".join(self.faults)) + temp


class PanelDriver(Protocol):
    """Blocking calls; each raises a kiosk.errors.PanelError subtype on failure."""

    name: str
    supports_backlight: bool

    @property
    def port(self) -> str:
        """Where the panel is reached (pyserial URL or CEC device)."""
        ...

    def power(self, state: Power) -> None:
        """Switch the panel on or off and wait for its acknowledgement."""
        ...

    def power_state(self) -> Power:
        """Ask the panel whether it is on."""
        ...

    def set_backlight(self, value: int) -> None:
        """Set the backlight, 0..100."""
        ...

    def backlight(self) -> int:
        """Read the backlight, 0..100."""
        ...

    def health(self) -> PanelHealth | None:
        """Panel self-diagnosis, or None where the protocol has none."""
        ...

    def close(self) -> None:
        """Release the port between uses."""
        ...

    def cancel(self) -> None:
        """Abort the exchange in flight and every later one (the kiosk is stopping); thread-safe."""
        ...


def check_level(value: int) -> int:
    """Reject a backlight outside 0..100 before anything is sent."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 100:
        raise ValueError(f"backlight must be a whole number 0..100 (got {value!r})")
    return value


class SerialDriver:
    """Common plumbing: a transport, a reply timeout and a bounded number of retries.

    ``power_mode`` "panel" switches only the screen (Samsung 0xF9, LG ``kd``); drivers without
    such a command ignore it (config validation allows it only for samsung and lg).
    """

    name = "serial"
    supports_backlight = True

    def __init__(
        self,
        transport: Transport,
        display_id: int,
        timeout: float,
        retries: int = 1,
        power_mode: str = "power",
    ):
        self.transport = transport
        self.display_id = display_id
        self.timeout = timeout
        self.retries = retries
        self.power_mode = power_mode

    @property
    def port(self) -> str:
        """The pyserial URL of the panel."""
        return self.transport.url

    def _request(self, what: str, frame: bytes, parse: Callable[[bytes], T | None]) -> T:
        """Send and parse, retrying timeouts, garbled answers and 'busy'; never a plain NAK."""
        attempts = 1 + self.retries
        for attempt in range(1, attempts + 1):
            try:
                return self.transport.exchange(frame, parse, self.timeout)
            except (PanelTimeout, PanelProtocolError, PanelBusy) as e:
                if attempt == attempts:
                    tries = f" ({attempts} tries)" if attempts > 1 else ""
                    message = f"{what}: {e.one_line()}{tries}"
                    if isinstance(e, PanelBusy):
                        raise PanelBusy(message, e.code) from None
                    raise type(e)(message) from None
                log.debug("panel %s %s: %s; retrying", self.port, what, e.one_line())
            except PanelNak as e:  # keeps its class: NotSupported must stay NotSupported
                raise type(e)(f"{what}: {e.one_line()}", e.code) from None
        raise AssertionError("unreachable")

    def health(self) -> PanelHealth | None:
        """Most protocols here have no self-diagnosis."""
        return None

    def close(self) -> None:
        """Release the port between uses."""
        self.transport.close()

    def cancel(self) -> None:
        """Abort the exchange in flight (within a fraction of a second) and every later one."""
        self.transport.cancel()
