"""LG RS-232C simulator: ``ka 01 01\\r`` -> ``a 01 OK01x``; ``NG01x`` when refusing."""

from __future__ import annotations

import re

from tests.panel_sim.base import PtySimulator

_REQ = re.compile(rb"^([a-z]{2}) ([0-9a-fA-F]{2}) ([0-9a-fA-F]{2})$")


class LgSimulator(PtySimulator):
    """State: power, screen mute, brightness, backlight (all as the panel would hold them)."""

    def __init__(self, display_id: int = 1, link=None):
        super().__init__(display_id, link)
        self.values = {"ka": 1, "kd": 0, "kh": 50, "mg": 80}
        self.ng_code = 1

    @property
    def power(self) -> str:
        return "on" if self.values["ka"] == 1 else "off"

    @power.setter
    def power(self, state: str) -> None:  # someone pressed the remote
        self.values["ka"] = 1 if state == "on" else 0

    def split(self, buf: bytes) -> tuple[list[bytes], bytes]:
        *frames, rest = buf.split(b"\r")
        return [f + b"\r" for f in frames], rest

    def _parse(self, frame: bytes) -> tuple[str, int, str] | None:
        m = _REQ.match(frame.rstrip(b"\r"))
        if not m:
            return None
        cmd, sid, data = (g.decode() for g in m.groups())
        return cmd, int(sid, 16), data.lower()

    def answer(self, frame: bytes) -> bytes | None:
        parsed = self._parse(frame)
        if parsed is None:
            return None  # not a command: a real set stays quiet
        cmd, sid, data = parsed
        if sid not in (0, self.display_id):
            return None
        if cmd not in self.values:
            return f"{cmd[1]} {self.display_id:02x} NG01x".encode()
        if data != "ff":
            value = int(data, 16)
            if cmd in ("kh", "mg") and value > 100:
                return f"{cmd[1]} {self.display_id:02x} NG01x".encode()
            if not self.stuck:
                self.values[cmd] = value
        if sid == 0:
            return None  # set ID 00 = broadcast: obeyed, never acknowledged
        return f"{cmd[1]} {self.display_id:02x} OK{self.values[cmd]:02x}x".encode()

    def refuse(self, frame: bytes) -> bytes | None:
        parsed = self._parse(frame)
        if parsed is None:
            return None
        return f"{parsed[0][1]} {self.display_id:02x} NG{self.ng_code:02x}x".encode()
