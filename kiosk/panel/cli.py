"""``kiosk panel status | power on|off | brightness N | resume``: for technicians and operators.

While a kiosk runs, the request goes through it (its control socket, panel/client.py): the
command becomes the kiosk's desired state (a hold, panel/holds.py), so the next read-back does
not undo it. With no kiosk running, ``kiosk panel`` talks to the port itself.

Each failure is raised as a kiosk.errors.PanelError whose message names what failed (port
missing, permission denied, no answer within the timeout, NAK code, "acknowledged but still
on"); kiosk/cli.py prints it as one line and exits 1. Options go before or after the action.
Imports stay light here: kiosk/cli.py builds its parser from this module for every command.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

from kiosk.errors import PanelError
from kiosk.panel.holds import parse_clock, parse_duration

if TYPE_CHECKING:
    import socket

    from kiosk.config import Config

CONFIG_HELP = "config file (default: $KIOSK_CONFIG or /etc/kiosk/config.yaml)"
RUNTIME_HELP = "where the running kiosk keeps its control socket (default: as `kiosk status`)"


def _brightness(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number 0..100 (got {text!r})") from None
    if not 0 <= value <= 100:
        raise argparse.ArgumentTypeError(f"brightness must be 0..100 (got {value})")
    return value


def _checked(parse: Callable[[str], object]) -> Callable[[str], str]:
    """An argparse type that validates with ``parse`` and keeps the text (sent to the kiosk)."""

    def check(text: str) -> str:
        try:
            parse(text)
        except ValueError as e:
            raise argparse.ArgumentTypeError(str(e)) from None
        return text.strip()

    return check


def add_actions(panel: argparse.ArgumentParser) -> None:
    """The actions of ``kiosk panel`` on its parser; every option works on either side."""
    panel.add_argument("--runtime-dir", help=RUNTIME_HELP)
    # Options given after the action: SUPPRESS keeps a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--config", default=argparse.SUPPRESS, help=CONFIG_HELP)
    common.add_argument("--runtime-dir", default=argparse.SUPPRESS, help=RUNTIME_HELP)
    hold = argparse.ArgumentParser(add_help=False)
    span = hold.add_mutually_exclusive_group()
    span.add_argument(
        "--for",
        dest="for_",
        metavar="DURATION",
        type=_checked(parse_duration),
        help="maintenance hold for this long (2h, 90m, 1h30m; at most 7 days)",
    )
    span.add_argument(
        "--until",
        metavar="HH:MM",
        type=_checked(parse_clock),
        help="maintenance hold until this time (KST, the next one to come)",
    )
    actions = panel.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("status", parents=[common], help="power, backlight, health")
    pw = actions.add_parser("power", parents=[common, hold], help="switch the panel on or off")
    pw.add_argument("state", choices=["on", "off"])
    pb = actions.add_parser("brightness", parents=[common, hold], help="set the backlight, 0..100")
    pb.add_argument("value", type=_brightness)
    actions.add_parser(
        "resume", parents=[common], help="end the operator's hold: back to the schedule"
    )


def run(cfg: Config, args: argparse.Namespace) -> int:
    """Run one panel action: through the running kiosk if there is one, else on the port."""
    from kiosk.panel import client

    found = client.connect(getattr(args, "runtime_dir", None))
    if found is not None:
        return _through_kiosk(cfg, args, found[0])
    if args.action == "resume":
        raise PanelError(
            "no kiosk is running, so there is no hold to end (holds live in the kiosk)"
        )
    if getattr(args, "for_", None) or getattr(args, "until", None):
        raise PanelError(
            "--for/--until need the running kiosk to keep the hold, and none is running "
            "(without them the command is sent to the panel now)"
        )
    return _direct(cfg, args)


def _through_kiosk(cfg: Config, args: argparse.Namespace, conn: socket.socket) -> int:
    from kiosk.panel import client
    from kiosk.panel.operator import wait_budget
    from kiosk.panel.protocol import ControlRequest

    request = ControlRequest(
        args.action,
        state=getattr(args, "state", None),
        value=getattr(args, "value", None),
        for_=getattr(args, "for_", None),
        until=getattr(args, "until", None),
        sudo_user=client.sudo_user(),
    )
    reply = client.ask(conn, request, wait_budget(cfg.panel) + 10.0)
    for line in reply.out:
        print(line)
    if reply.error:
        print(f"kiosk panel: {reply.error}", file=sys.stderr)
    return reply.exit


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
