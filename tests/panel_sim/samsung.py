"""Samsung MDC simulator: ``AA 11 01 01 01 14`` -> ``AA FF 01 03 41 11 01 56``; NAK on refusal."""

from __future__ import annotations

from tests.panel_sim.base import PtySimulator


def _cs(body: bytes) -> int:
    return sum(body) & 0xFF


def reply(display_id: int, cmd: int, values: bytes, ack: int = 0x41) -> bytes:
    """``AA FF ID LEN ACK RCMD VAL... CS``."""
    body = bytes([0xFF, display_id, 2 + len(values), ack, cmd]) + values
    return b"\xaa" + body + bytes([_cs(body)])


class SamsungSimulator(PtySimulator):
    """State: power (0x11), panel flag (0xF9, 0 = on), manual lamp, brightness, error status."""

    def __init__(self, display_id: int = 1, link=None):
        super().__init__(display_id, link)
        self.values = {0x11: 1, 0xF9: 0x00, 0x58: 80, 0x25: 50}
        self.error_status = bytes([0, 0, 0, 0, 41, 0])  # lamp, temp, sensor, no-sync, 41 °C, fan
        self.nak_code = 0x01
        self.bad_frames: list[bytes] = []

    @property
    def power(self) -> str:
        return "on" if self.values[0x11] == 1 else "off"

    @power.setter
    def power(self, state: str) -> None:
        self.values[0x11] = 1 if state == "on" else 0

    def split(self, buf: bytes) -> tuple[list[bytes], bytes]:
        frames = []
        while True:
            i = buf.find(b"\xaa")
            if i < 0:
                return frames, b""
            buf = buf[i:]
            if len(buf) < 4 or len(buf) < 5 + buf[3]:
                return frames, buf
            frame, buf = buf[: 5 + buf[3]], buf[5 + buf[3] :]
            if _cs(frame[1:-1]) != frame[-1]:
                self.bad_frames.append(frame)  # a real display ignores a bad checksum
                continue
            frames.append(frame)

    def answer(self, frame: bytes) -> bytes | None:
        cmd, did, length, data = frame[1], frame[2], frame[3], frame[4:-1]
        if did not in (self.display_id, 0xFE):
            return None
        if cmd == 0x0D and length == 0:
            values = self.error_status
        elif cmd == 0x00 and length == 0:
            values = bytes([self.values[0x11], 40, 0, 0x21, 0x10, 0, 0])
        elif cmd in self.values:
            if length == 1:
                if cmd in (0x58, 0x25) and data[0] > 100:
                    return reply(did, cmd, bytes([self.nak_code]), ack=0x4E)
                if not self.stuck:
                    self.values[cmd] = data[0]
            values = bytes([self.values[cmd]])
        else:
            return reply(did, cmd, bytes([self.nak_code]), ack=0x4E)
        if did == 0xFE:
            return None  # broadcast: every SET is obeyed, none is acknowledged
        return reply(did, cmd, values)

    def refuse(self, frame: bytes) -> bytes | None:
        return reply(frame[2], frame[1], bytes([self.nak_code]), ack=0x4E)
