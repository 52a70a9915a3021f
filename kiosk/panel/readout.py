"""What ``kiosk panel`` reads from a panel and says about it, direct or through the kiosk.

- ``status_rows``: power, backlight, health. An optional query the panel refuses as unknown
  to its model (Samsung 0x0D, LG ``NG02``, NEC result 01) is "not supported by this panel",
  not a failure: health always is optional, the backlight when no schedule entry sets it.
- ``set_power`` / ``set_backlight``: the command, then a read-back; a panel that acknowledges
  and stays as it was raises NotApplied ("acknowledged but still on").
Blocking: the CLI's own thread, or the kiosk's panel worker.
"""

from __future__ import annotations

from kiosk.errors import PanelError, PanelNak, PanelTimeout
from kiosk.panel.base import NOT_SUPPORTED, NotApplied, NotSupported, PanelDriver, Power
from kiosk.panel.settings import PanelConfig

NO_HEALTH = "n/a (this protocol reports no panel health)"
Rows = list[tuple[str, str]]


def target(panel: PanelConfig) -> str:
    """``lg (display id 1) on /dev/ttyUSB0`` or ``cec on /dev/cec0``."""
    if panel.driver == "cec":
        return f"cec on {panel.port}"
    return f"{panel.driver} (display id {panel.display_id}) on {panel.port}"


def needs_backlight(panel: PanelConfig) -> bool:
    """Whether the kiosk sets the backlight (so a panel without one cannot do its job)."""
    return any(e.backlight is not None for e in panel.schedule)


def format_rows(rows: Rows) -> list[str]:
    """``key:  value`` lines, aligned."""
    width = max(len(k) for k, _ in rows) + 1
    return [f"{key + ':':<{width}} {value}" for key, value in rows]


def status_rows(driver: PanelDriver, panel: PanelConfig) -> tuple[Rows, PanelError | None]:
    """Rows for ``kiosk panel status`` and the first real failure (None: exit 0).

    The power query is required: if it fails, its error propagates (nothing to show).
    """
    rows: Rows = [
        (
            "driver",
            "cec" if panel.driver == "cec" else f"{panel.driver} (display id {panel.display_id})",
        ),
        ("port", panel.port),
    ]
    failure: PanelError | None = None
    power = driver.power_state()
    rows.append(("power", power))
    if not driver.supports_backlight:
        rows.append(("backlight", "n/a (HDMI-CEC has no brightness control)"))
    elif power != "on":
        rows.append(("backlight", "- (not read while the panel is off)"))
    else:
        try:
            rows.append(("backlight", str(driver.backlight())))
        except NotSupported as e:
            if needs_backlight(panel):  # the schedule dims this panel: that is a problem
                failure = e
                rows.append(("backlight", f"unknown ({e.one_line()})"))
            else:
                rows.append(("backlight", f"{NOT_SUPPORTED} ({e.one_line()})"))
        except PanelError as e:
            failure = e
            rows.append(("backlight", f"unknown ({e.one_line()})"))
    try:
        health = driver.health()
        rows.append(("health", health.describe() if health else NO_HEALTH))
    except NotSupported as e:
        rows.append(("health", f"{NOT_SUPPORTED} ({e.one_line()})"))
    except PanelError as e:
        failure = failure or e
        rows.append(("health", f"unknown ({e.one_line()})"))
    return rows, failure


def _reworded(e: PanelError, message: str) -> PanelError:
    if isinstance(e, PanelNak):
        return type(e)(message, e.code)
    return type(e)(message)


def set_power(driver: PanelDriver, state: Power, where: str) -> str:
    """Switch, read back, and return the line to print; NotApplied if the panel did not follow."""
    driver.power(state)
    try:
        actual = driver.power_state()
    except PanelTimeout as e:
        if state == "on":  # panels are often deaf for seconds while they warm up
            return (
                f"panel power on: acknowledged by {where}; not confirmed yet "
                f"(no answer to the read-back while it warms up: check with `kiosk panel status`)"
            )
        raise NotApplied(
            f"power off: acknowledged by {where}, but the read-back got no answer ({e.one_line()})"
        ) from None
    except PanelError as e:
        raise _reworded(
            e, f"power {state}: acknowledged, but the read-back failed: {e.one_line()}"
        ) from None
    if actual != state:
        raise NotApplied(f"power {state}: acknowledged but still {actual} ({where})")
    return f"panel power {state}: acknowledged by {where} and read back: {actual}"


def set_backlight(driver: PanelDriver, value: int, where: str) -> str:
    """Set, read back, and return the line to print; NotApplied if the level did not change."""
    driver.set_backlight(value)
    try:
        level = driver.backlight()
    except PanelError as e:
        raise _reworded(
            e, f"backlight {value}: acknowledged, but the read-back failed: {e.one_line()}"
        ) from None
    if level != value:
        raise NotApplied(f"backlight {value}: acknowledged but the panel reports {level} ({where})")
    return f"panel backlight {value}: acknowledged by {where} and read back: {level}"
