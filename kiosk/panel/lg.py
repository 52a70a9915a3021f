"""LG commercial displays: the ASCII RS-232C protocol (also TCP 9761). Pure codec + driver.

request ``ka 01 01\\r`` -> reply ``a 01 OK01x``. The reply has no CR/LF and starts with the
second command letter only; ``x`` terminates it, but a reply may also *start* with ``x``
(``dx``), so replies are matched by a regex, never split on ``x``. Some models echo the
request first: the regex simply skips it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.errors import PanelNak, PanelProtocolError
from kiosk.panel.base import NotSupported, PanelBusy, Power, SerialDriver, check_level

# cmd: (meaning, data range) — the signage subset we drive.
COMMANDS = {
    "ka": "power",  # 00 off, 01 on, ff read
    "kd": "screen mute",  # 00 picture on, 01 picture off
    "kh": "brightness",  # picture brightness 00..64 hex (0..100)
    "mg": "backlight",  # panel luminance 00..64 hex (0..100)
}
READ = "ff"
NG_CODES = {1: "illegal code", 2: "function not supported", 3: "busy, wait and retry"}

_REPLY = re.compile(rb"([a-z]) ([0-9a-fA-F]{2,3}) (OK|NG)([0-9a-fA-F]*)x")


def encode(cmd: str, set_id: int, data: int | str) -> bytes:
    """``<cmd> <setid hex> <data hex>\\r``; data is an int (sent as %02x) or ``"ff"`` to read."""
    if cmd not in COMMANDS:
        raise ValueError(f"unknown LG command {cmd!r}")
    text = data if isinstance(data, str) else f"{data:02x}"
    return f"{cmd} {set_id:02x} {text}\r".encode("ascii")


@dataclass(frozen=True)
class LgReply:
    """One parsed acknowledgement."""

    cmd2: str
    set_id: int
    data: str

    @property
    def value(self) -> int:
        """The data as a number (hex on the wire)."""
        return int(self.data, 16)


def parse_reply(buf: bytes, cmd: str, set_id: int) -> LgReply | None:
    """The first reply in ``buf`` for ``cmd``/``set_id``; None if not complete yet; NG -> PanelNak."""
    for m in _REPLY.finditer(buf):
        letter, sid, status, data = (g.decode("ascii") for g in m.groups())
        if letter != cmd[1] or int(sid, 16) != set_id:
            continue  # a late answer to an earlier command, or another set on the bus
        if status == "NG":
            code = int(data, 16) if data else 0
            why = NG_CODES.get(code, "unknown code")
            exc = {2: NotSupported, 3: PanelBusy}.get(code, PanelNak)
            raise exc(f"LG panel answered NG{data} ({why})", code)
        return LgReply(letter, int(sid, 16), data.lower())
    return None


class LgDriver(SerialDriver):
    """LG signage over RS-232C or TCP 9761; backlight via ``mg``."""

    name = "lg"

    def _cmd(self, what: str, cmd: str, data: int | str) -> LgReply:
        frame = encode(cmd, self.display_id, data)
        reply = self._request(what, frame, lambda b: parse_reply(b, cmd, self.display_id))
        if not re.fullmatch(r"[0-9a-f]{2}", reply.data):
            raise PanelProtocolError(f"{what}: LG reply data {reply.data!r} is not one hex byte")
        return reply

    def power(self, state: Power) -> None:
        """Switch on/off (``ka``), or only the picture (``kd``) with power_mode panel."""
        if self.power_mode == "panel":
            self._cmd(f"screen {state}", "kd", 0 if state == "on" else 1)
        else:
            self._cmd(f"power {state}", "ka", 1 if state == "on" else 0)

    def power_state(self) -> Power:
        """Read ``ka ff`` (or ``kd ff`` in panel mode)."""
        if self.power_mode == "panel":
            return "off" if self._cmd("screen query", "kd", READ).value else "on"
        return "on" if self._cmd("power query", "ka", READ).value == 1 else "off"

    def set_backlight(self, value: int) -> None:
        """``mg`` := value (0..100, sent as two hex digits)."""
        self._cmd(f"backlight {value}", "mg", check_level(value))

    def backlight(self) -> int:
        """Read ``mg ff``."""
        value = self._cmd("backlight query", "mg", READ).value
        if value > 100:
            raise PanelProtocolError(f"backlight query: LG reported {value}, outside 0..100")
        return value
