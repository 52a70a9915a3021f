"""``kiosk panel status | power on|off | brightness N``: talk to the panel now, for technicians.

Each failure is raised as a kiosk.errors.PanelError whose message names what failed (port
missing, permission denied, no answer within the timeout, NAK code); kiosk/cli.py prints it
as one line and exits 1.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from kiosk.errors import PanelError
from kiosk.panel.drivers import make_driver

if TYPE_CHECKING:
    from kiosk.config import Config

_NO_HEALTH = "n/a (this protocol reports no panel health)"


def _target(cfg: Config) -> str:
    p = cfg.panel
    if p.driver == "cec":
        return f"cec on {p.port}"
    return f"{p.driver} (display id {p.display_id}) on {p.port}"


def _status(cfg: Config) -> int:
    driver = make_driver(cfg.panel)
    rows = [
        ("driver", f"{cfg.panel.driver} (display id {cfg.panel.display_id})"),
        ("port", cfg.panel.port),
    ]
    if cfg.panel.driver == "cec":
        rows[0] = ("driver", "cec")
    failure: PanelError | None = None
    try:
        power = driver.power_state()  # if even this fails, there is nothing to show
        rows.append(("power", power))
        if not driver.supports_backlight:
            rows.append(("backlight", "n/a (HDMI-CEC has no brightness control)"))
        elif power != "on":
            rows.append(("backlight", "- (not read while the panel is off)"))
        else:
            try:
                rows.append(("backlight", str(driver.backlight())))
            except PanelError as e:
                failure = failure or e
                rows.append(("backlight", f"unknown ({e.one_line()})"))
        try:
            health = driver.health()
            rows.append(("health", health.describe() if health else _NO_HEALTH))
        except PanelError as e:
            failure = failure or e
            rows.append(("health", f"unknown ({e.one_line()})"))
    finally:
        driver.close()
    width = max(len(k) for k, _ in rows) + 1
    for key, value in rows:
        print(f"{key + ':':<{width}} {value}")
    if failure is not None:
        raise failure
    return 0


def run(cfg: Config, args: argparse.Namespace) -> int:
    """Run one panel action from the command line; PanelError propagates as one line, exit 1."""
    if args.action == "status":
        return _status(cfg)
    driver = make_driver(cfg.panel)
    try:
        if args.action == "power":
            driver.power(args.state)
            print(f"panel power {args.state}: acknowledged by {_target(cfg)}")
        elif args.action == "brightness":
            driver.set_backlight(args.value)
            print(f"panel backlight {args.value}: acknowledged by {_target(cfg)}")
        else:
            raise ValueError(f"unknown panel action {args.action!r}")
    finally:
        driver.close()
    return 0
