"""NEC External Control simulator: power (C203D6 / 01D6) and the backlight parameter 0010."""

from __future__ import annotations

from functools import reduce

from tests.panel_sim.base import PtySimulator


def frame(monitor: int, msg_type: str, message: str) -> bytes:
    """``SOH '0' '0' <monitor> TYPE LEN STX MESSAGE ETX BCC CR``."""
    payload = b"\x02" + message.encode() + b"\x03"
    body = b"00" + bytes([monitor]) + msg_type.encode() + f"{len(payload):02X}".encode() + payload
    return b"\x01" + body + bytes([reduce(lambda a, b: a ^ b, body, 0), 0x0D])


class NecSimulator(PtySimulator):
    """State: power mode (1 on .. 4 off), backlight current/max."""

    def __init__(self, display_id: int = 1, link=None):
        super().__init__(display_id, link)
        self.power_mode = 1
        self.backlight = 80
        self.backlight_max = 100
        self.busy = False  # True: answer the NULL message, as a panel that is still booting

    @property
    def power(self) -> str:
        return "on" if self.power_mode == 1 else "off"

    @power.setter
    def power(self, state: str) -> None:
        self.power_mode = 1 if state == "on" else 4

    @property
    def monitor(self) -> int:
        return 0x40 + self.display_id

    def split(self, buf: bytes) -> tuple[list[bytes], bytes]:
        frames = []
        while True:
            i = buf.find(b"\x01")
            if i < 0:
                return frames, b""
            buf = buf[i:]
            if len(buf) < 7:
                return frames, buf
            total = 7 + int(buf[5:7], 16) + 2
            if len(buf) < total:
                return frames, buf
            frames.append(buf[:total])
            buf = buf[total:]

    def answer(self, req: bytes) -> bytes | None:
        if req[2] not in (self.monitor, ord("*")):
            return None
        if reduce(lambda a, b: a ^ b, req[1:-2], 0) != req[-2]:
            return None  # bad BCC: ignored
        if self.busy:
            return frame(self.monitor, "B", "BE")
        msg_type, message = chr(req[4]), req[8:-3].decode()
        if msg_type == "A" and message.startswith("C203D6"):
            mode = int(message[6:10], 16)
            if not self.stuck:
                self.power_mode = mode
            return frame(self.monitor, "B", f"00C203D6{mode:04X}")
        if msg_type == "A" and message == "01D6":
            return frame(self.monitor, "B", f"0200D6000004{self.power_mode:04X}")
        if msg_type == "C" and message == "0010":
            return frame(self.monitor, "D", self._param("00"))
        if msg_type == "E" and message.startswith("0010"):
            value = int(message[4:8], 16)
            if value > self.backlight_max:
                return frame(self.monitor, "F", self._param("01"))
            if not self.stuck:
                self.backlight = value
            return frame(self.monitor, "F", self._param("00"))
        return frame(self.monitor, "B", "BE")

    def _param(self, result: str) -> str:
        return f"{result}001000{self.backlight_max:04X}{self.backlight:04X}"

    def refuse(self, req: bytes) -> bytes | None:
        msg_type, message = chr(req[4]), req[8:-3].decode()
        if msg_type == "A" and message == "01D6":
            return frame(self.monitor, "B", "0201D60000000000")
        if msg_type == "A":
            return frame(self.monitor, "B", f"01{message}")
        return frame(self.monitor, "F" if msg_type == "E" else "D", self._param("01"))
