"""Build the configured driver: the only place that maps ``panel.driver`` to a class."""

from __future__ import annotations

from kiosk.errors import PanelError
from kiosk.panel.base import PanelDriver
from kiosk.panel.cec import CecDriver
from kiosk.panel.lg import LgDriver
from kiosk.panel.nec import MIN_GAP_S, NecDriver
from kiosk.panel.samsung import SamsungDriver
from kiosk.panel.settings import PanelConfig
from kiosk.panel.transport import Transport


class NoPanel(PanelError):
    """``panel.driver`` is none: there is nothing to talk to."""


def make_driver(panel: PanelConfig) -> PanelDriver:
    """A driver for ``panel``; raises NoPanel when the driver is ``none``."""
    if panel.driver == "none":
        raise NoPanel(
            "no panel configured (panel.driver is none; set it to lg, samsung, nec or cec "
            "and panel.port to the serial port)"
        )
    if panel.driver == "cec":
        return CecDriver(panel.port, panel.timeout, panel.cec_tool)
    gap = MIN_GAP_S if panel.driver == "nec" else 0.0
    transport = Transport(panel.port, panel.baudrate, min_gap=gap)
    if panel.driver == "lg":
        return LgDriver(transport, panel.display_id, panel.timeout, panel.retries, panel.power_mode)
    if panel.driver == "samsung":
        return SamsungDriver(
            transport, panel.display_id, panel.timeout, panel.retries, panel.power_mode
        )
    return NecDriver(transport, panel.display_id, panel.timeout, panel.retries)
