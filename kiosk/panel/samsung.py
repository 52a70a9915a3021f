"""Samsung MDC (Multiple Display Control), RS-232C or TCP 1515. Pure codec + driver.

request ``AA CMD ID LEN DATA CS``; reply ``AA FF ID LEN 'A'|'N' RCMD VAL... CS``;
CS = sum of the bytes after AA, mod 256. Get = LEN 0; set = LEN n plus data.
"""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import PanelNak, PanelProtocolError
from kiosk.panel.base import NotSupported, PanelHealth, Power, SerialDriver, check_level

HEADER = 0xAA
REPLY = 0xFF
ACK, NAK = 0x41, 0x4E

STATUS = 0x00  # get: power, volume, mute, input, aspect, n_time_nf, f_time_nf
ERROR_STATUS = 0x0D  # get: lamp, temp_err, brightness_sensor, no_sync, temperature, fan
POWER = 0x11  # 0 off, 1 on, 2 reboot
BRIGHTNESS = 0x25  # picture brightness 0..100
MANUAL_LAMP = 0x58  # backlight 0..100 (turns Auto Lamp off)
PANEL = 0xF9  # screen only, INVERTED: 0 = panel on, 1 = panel off

COMMANDS = {
    STATUS: "status",
    ERROR_STATUS: "error status",
    POWER: "power",
    BRIGHTNESS: "brightness",
    MANUAL_LAMP: "backlight",
    PANEL: "panel on/off",
}
PANEL_ON, PANEL_OFF = 0x00, 0x01
_ERROR_FIELDS = ("lamp", "temperature", "brightness sensor", "no signal", None, "fan")


def checksum(body: bytes) -> int:
    """Sum of every byte after the AA header, mod 256."""
    return sum(body) & 0xFF


def encode(cmd: int, display_id: int, data: bytes = b"") -> bytes:
    """A request frame; empty ``data`` makes it a get."""
    body = bytes([cmd, display_id, len(data)]) + data
    return bytes([HEADER]) + body + bytes([checksum(body)])


@dataclass(frozen=True)
class MdcReply:
    """A parsed ACK: the command it answers and its value bytes."""

    display_id: int
    cmd: int
    values: bytes


def parse_reply(buf: bytes, cmd: int, display_id: int) -> MdcReply | None:
    """The ACK for ``cmd`` in ``buf``; None if incomplete; NAK -> PanelNak; bad bytes -> protocol error."""
    pos = 0
    while True:
        i = buf.find(bytes([HEADER, REPLY]), pos)
        if i < 0 or len(buf) < i + 4:
            return None
        length = buf[i + 3]
        end = i + 4 + length + 1
        if len(buf) < end:
            return None
        frame = buf[i:end]
        if length < 2:
            raise PanelProtocolError(f"Samsung reply too short: {frame.hex(' ')}")
        if checksum(frame[1:-1]) != frame[-1]:
            raise PanelProtocolError(f"bad checksum in Samsung reply: {frame.hex(' ')}")
        pos = end
        if frame[2] != display_id or frame[5] != cmd:
            continue  # a late answer to an earlier request, or another display on the chain
        status = frame[4]
        if status == NAK:
            err = frame[6] if length >= 3 else None
            shown = f"0x{err:02X}" if err is not None else "no code"
            raise PanelNak(f"Samsung panel refused command 0x{cmd:02X} (NAK, error {shown})", err)
        if status != ACK:
            raise PanelProtocolError(f"Samsung reply is neither ACK nor NAK: {frame.hex(' ')}")
        return MdcReply(frame[2], frame[5], bytes(frame[6:-1]))


def parse_error_status(values: bytes) -> PanelHealth:
    """ERROR_STATUS values -> health (non-zero flag = fault; byte 4 is the temperature in °C)."""
    if len(values) < 5:
        raise PanelProtocolError(f"Samsung error status has {len(values)} bytes, expected 6")
    faults = tuple(
        name for name, v in zip(_ERROR_FIELDS, values, strict=False) if name is not None and v != 0
    )
    return PanelHealth(temperature_c=values[4], faults=faults)


class SamsungDriver(SerialDriver):
    """Samsung MDC; backlight = MANUAL_LAMP 0x58; power_mode panel uses 0xF9 (LAN stays up)."""

    name = "samsung"

    def _cmd(self, what: str, cmd: int, data: bytes = b"", want: int = 1) -> bytes:
        frame = encode(cmd, self.display_id, data)
        reply = self._request(what, frame, lambda b: parse_reply(b, cmd, self.display_id))
        if len(reply.values) < want:
            raise PanelProtocolError(f"{what}: Samsung reply carries {len(reply.values)} bytes")
        return reply.values

    def power(self, state: Power) -> None:
        """POWER 0x11 (or PANEL 0xF9, whose flag is inverted)."""
        if self.power_mode == "panel":
            flag = PANEL_ON if state == "on" else PANEL_OFF
            self._cmd(f"panel {state}", PANEL, bytes([flag]))
        else:
            self._cmd(f"power {state}", POWER, bytes([1 if state == "on" else 0]))

    def power_state(self) -> Power:
        """Read POWER (or PANEL in panel mode)."""
        if self.power_mode == "panel":
            return "on" if self._cmd("panel query", PANEL)[0] == PANEL_ON else "off"
        return "on" if self._cmd("power query", POWER)[0] == 1 else "off"

    def set_backlight(self, value: int) -> None:
        """MANUAL_LAMP := value."""
        self._cmd(f"backlight {value}", MANUAL_LAMP, bytes([check_level(value)]))

    def backlight(self) -> int:
        """Read MANUAL_LAMP."""
        value = self._cmd("backlight query", MANUAL_LAMP)[0]
        if value > 100:
            raise PanelProtocolError(f"backlight query: Samsung reported {value}, outside 0..100")
        return value

    def health(self) -> PanelHealth:
        """ERROR_STATUS: lamp, temperature, sensor, no-signal and fan flags plus temperature."""
        try:
            values = self._cmd("error status", ERROR_STATUS, want=5)
        except NotSupported:
            raise
        except PanelNak as e:
            # Not every model has 0x0D; the NAK codes are undocumented, so any NAK here means
            # the model lacks it (power and backlight were answered on the same link).
            raise NotSupported(e.one_line(), e.code) from None
        return parse_error_status(values)
