"""``kiosk panel status | power on|off | brightness N``: talk to the panel now, for technicians.

Each failure is raised as a kiosk.errors.PanelError whose message names what failed (port
missing, permission denied, no answer within the timeout, NAK code, "acknowledged but still
on"); kiosk/cli.py prints it as one line and exits 1. Options go before or after the action.
Imports stay light here: kiosk/cli.py builds its parser from this module for every command.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.config import Config

CONFIG_HELP = "config file (default: $KIOSK_CONFIG or /etc/kiosk/config.yaml)"


def _brightness(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number 0..100 (got {text!r})") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"brightness must be 0..100 (got {value})")
    return value


def add_actions(panel: argparse.ArgumentParser) -> None:
    """The actions of ``kiosk panel`` on its parser; every option works on either side."""
    # Options given after the action: SUPPRESS keeps a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help=CONFIG_HELP)
    actions = panel.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("status", parents=[common], help="power, backlight, health")
    pw = actions.add_parser("power", parents=[common], help="switch the panel on or off")
    pw.add_argument("state", choices=["on", "off"])
    pb = actions.add_parser("brightness", parents=[common], help="set the backlight, 0..100")
    pb.add_argument("value", type=_brightness)


def run(cfg: Config, args: argparse.Namespace) -> int:
    """Run one panel action from the command line; PanelError propagates as one line, exit 1."""
    return _direct(cfg, args)


def _direct(cfg: Config, args: argparse.Namespace) -> int:
    from kiosk.panel.drivers import make_driver
    from kiosk.panel.readout import format_rows, set_backlight, set_power, status_rows, target

    driver = make_driver(cfg.panel)
    try:
        if args.action == "status":
            rows, failure = status_rows(driver, cfg.panel)  # a failed power query raises
            print("\n".join(format_rows(rows)))
            if failure is not None:
                raise failure
        elif args.action == "power":
            print(set_power(driver, args.state, target(cfg.panel)))
        elif args.action == "brightness":
            print(set_backlight(driver, args.value, target(cfg.panel)))
        else:
            raise ValueError(f"unknown panel action {args.action!r}")
    finally:
        driver.close()
    return 0
