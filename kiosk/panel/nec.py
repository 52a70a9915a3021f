"""NEC large-format displays, "External Control" (RS-232C or TCP 7142). Pure codec + driver.

``SOH '0' DEST '0' TYPE LEN[2] STX MESSAGE ETX BCC CR``; BCC = XOR of every byte after SOH up
to and including ETX; LEN = bytes from STX to ETX as two hex digits; numbers inside MESSAGE
are uppercase ASCII hex. Replies come back as ``SOH '0' '0' <monitor> TYPE ...``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce
from typing import TypeVar

from kiosk.errors import PanelNak, PanelProtocolError
from kiosk.panel.base import NotSupported, PanelBusy, Power, SerialDriver, check_level
from kiosk.panel.transport import Transport

T = TypeVar("T")

SOH, STX, ETX, CR = 0x01, 0x02, 0x03, 0x0D
# message types: command / get parameter / set parameter, and the reply type for each
COMMAND, GET, SET = "A", "C", "E"
REPLY_TYPE = {COMMAND: "B", GET: "D", SET: "F"}

POWER_SET = "C203D6"  # + mode: 0001 on, 0002 standby, 0003 suspend, 0004 off
POWER_READ = "01D6"
BACKLIGHT_OP = "0010"  # "Picture|Brightness": the backlight on NEC LCDs
POWER_MODES = {1: "on", 2: "standby", 3: "suspend", 4: "off"}
NULL_MESSAGE = "BE"  # busy, or the command is not supported
# The manual asks for more than 600 ms between packets.
MIN_GAP_S = 0.6


def bcc(data: bytes) -> int:
    """XOR of ``data`` (pass the bytes after SOH, through ETX)."""
    return reduce(lambda a, b: a ^ b, data, 0)


def address(display_id: int) -> int:
    """Monitor ID 1 -> 'A' (0x41), 2 -> 'B', ..."""
    return 0x40 + display_id


def encode(msg_type: str, display_id: int, message: str) -> bytes:
    """A complete request frame."""
    payload = bytes([STX]) + message.encode("ascii") + bytes([ETX])
    head = b"0" + bytes([address(display_id)]) + b"0" + msg_type.encode("ascii")
    body = head + f"{len(payload):02X}".encode("ascii") + payload
    return bytes([SOH]) + body + bytes([bcc(body), CR])


@dataclass(frozen=True)
class NecReply:
    """A reply frame: its type letter and its MESSAGE text."""

    msg_type: str
    message: str


def parse_frame(buf: bytes, display_id: int) -> NecReply | None:
    """The first complete reply frame from ``display_id`` in ``buf``; None if incomplete."""
    pos = 0
    while True:
        i = buf.find(bytes([SOH]), pos)
        if i < 0 or len(buf) < i + 7:
            return None
        try:
            length = int(buf[i + 5 : i + 7].decode("ascii"), 16)
        except (UnicodeDecodeError, ValueError):
            raise PanelProtocolError(f"bad NEC length field: {buf[i : i + 7].hex(' ')}") from None
        end = i + 7 + length + 2
        if len(buf) < end:
            return None
        frame = buf[i:end]
        body, payload = frame[1:-2], frame[7:-2]
        if payload[:1] != bytes([STX]) or payload[-1:] != bytes([ETX]) or frame[-1] != CR:
            raise PanelProtocolError(f"bad NEC frame: {frame.hex(' ')}")
        if bcc(body) != frame[-2]:
            raise PanelProtocolError(f"bad BCC in NEC reply: {frame.hex(' ')}")
        pos = end
        if frame[3] != address(display_id):
            continue  # another monitor on the daisy chain
        try:
            message = payload[1:-1].decode("ascii")
        except UnicodeDecodeError:
            raise PanelProtocolError(f"NEC message is not ASCII: {frame.hex(' ')}") from None
        return NecReply(chr(frame[4]), message)


def _hex(message: str, start: int, end: int, what: str) -> int:
    try:
        return int(message[start:end], 16)
    except ValueError:
        raise PanelProtocolError(f"NEC {what}: bad reply {message!r}") from None


def parse_reply(buf: bytes, display_id: int, request_type: str) -> NecReply | None:
    """A reply of the type that answers ``request_type``; the NULL message -> PanelBusy."""
    reply = parse_frame(buf, display_id)
    if reply is None:
        return None
    if reply.message == NULL_MESSAGE:
        raise PanelBusy("NEC panel sent the NULL message (busy, or command not supported)", "BE")
    if reply.msg_type != REPLY_TYPE[request_type]:
        raise PanelProtocolError(
            f"NEC reply type {reply.msg_type!r}, expected {REPLY_TYPE[request_type]!r}"
        )
    return reply


@dataclass(frozen=True)
class Layout:
    """Where a reply MESSAGE keeps its result code, its fixed text and its hex values.

    Spans are (start, end) character offsets; ``fixed`` spans must read exactly as given.
    """

    what: str
    size: int
    result: tuple[int, int]
    fixed: tuple[tuple[int, int, str], ...]
    values: tuple[tuple[int, int], ...]


# "02 00 D6 00 MMMM CCCC": reply to the power status read (max mode, current mode)
POWER_STATUS = Layout("power status", 16, (2, 4), ((0, 2, "02"), (4, 6, "D6")), ((12, 16),))
# "00 C203D6 MMMM": reply to the power command (the mode it accepted)
POWER_REPLY = Layout("power", 12, (0, 2), ((2, 8, POWER_SET),), ((8, 12),))


def parameter_layout(opcode: str) -> Layout:
    """ "RR OOOO TT MMMM CCCC": a get/set parameter reply (result, opcode, type, max, current)."""
    return Layout(f"parameter {opcode}", 16, (0, 2), ((2, 6, opcode),), ((8, 12), (12, 16)))


def parse_message(message: str, layout: Layout) -> tuple[int, ...]:
    """The hex values of a reply MESSAGE; a non-zero result is the panel refusing (01: unsupported)."""
    shape_ok = len(message) >= layout.size and all(
        message[a:b].upper() == text for a, b, text in layout.fixed
    )
    if not shape_ok:
        raise PanelProtocolError(f"NEC {layout.what} reply not understood: {message!r}")
    result = _hex(message, *layout.result, layout.what)
    if result != 0:
        # 01 is "unsupported operation with this monitor or in its current condition".
        exc = NotSupported if result == 1 else PanelNak
        raise exc(f"NEC panel refused the {layout.what} request (result {result:02X})", result)
    return tuple(_hex(message, a, b, layout.what) for a, b in layout.values)


@dataclass(frozen=True)
class Parameter:
    """A get/set parameter reply: its opcode, maximum and current value."""

    opcode: str
    maximum: int
    current: int


def parse_parameter(message: str, opcode: str) -> Parameter:
    """Decode a 'D'/'F' reply message for ``opcode``."""
    maximum, current = parse_message(message, parameter_layout(opcode))
    return Parameter(opcode, maximum, current)


def _power_status(message: str) -> int:
    return parse_message(message, POWER_STATUS)[0]


def _power_reply(message: str) -> int:
    return parse_message(message, POWER_REPLY)[0]


def _backlight_param(message: str) -> Parameter:
    return parse_parameter(message, BACKLIGHT_OP)


class NecDriver(SerialDriver):
    """NEC LFD; backlight = opcode 0x0010, scaled to the panel's reported maximum."""

    name = "nec"

    def __init__(self, transport: Transport, display_id: int, timeout: float, retries: int = 1):
        super().__init__(transport, display_id, timeout, retries)
        self._max = 100  # refreshed from every parameter reply

    def _send(self, what: str, msg_type: str, message: str, decode: Callable[[str], T]) -> T:
        frame = encode(msg_type, self.display_id, message)
        reply = self._request(what, frame, lambda b: parse_reply(b, self.display_id, msg_type))
        try:
            return decode(reply.message)
        except PanelNak as e:
            raise type(e)(f"{what}: {e}", e.code) from None
        except PanelProtocolError as e:
            raise PanelProtocolError(f"{what}: {e}") from None

    def power(self, state: Power) -> None:
        """Power control C203D6 with mode 0001 (on) or 0004 (off)."""
        mode = 1 if state == "on" else 4
        self._send(f"power {state}", COMMAND, f"{POWER_SET}{mode:04X}", _power_reply)

    def power_state(self) -> Power:
        """Power status read 01D6: only mode 1 counts as on (standby/suspend are off)."""
        mode = self._send("power query", COMMAND, POWER_READ, _power_status)
        return "on" if mode == 1 else "off"

    def set_backlight(self, value: int) -> None:
        """Set opcode 0010 to ``value`` percent of the panel's maximum."""
        raw = round(check_level(value) * self._max / 100)
        param = self._send(f"backlight {value}", SET, f"{BACKLIGHT_OP}{raw:04X}", _backlight_param)
        if param.maximum and param.maximum != self._max:  # now we know the real scale
            self._max = param.maximum
            self.set_backlight(value)

    def backlight(self) -> int:
        """Read opcode 0010, as a percentage of its maximum."""
        param = self._send("backlight query", GET, BACKLIGHT_OP, _backlight_param)
        if param.maximum <= 0 or param.current > param.maximum:
            raise PanelProtocolError(
                f"backlight query: NEC reported {param.current} of {param.maximum}"
            )
        self._max = param.maximum
        return round(param.current * 100 / param.maximum)
