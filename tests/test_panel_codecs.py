"""Byte-exact frames from shared/reference/panel-protocols.md for the LG, Samsung MDC and NEC codecs."""

from __future__ import annotations

import pytest

from kiosk.errors import PanelNak, PanelProtocolError
from kiosk.panel import lg, nec, samsung
from kiosk.panel.base import NotSupported, PanelBusy


def h(text: str) -> bytes:
    return bytes.fromhex(text)


# --- Samsung MDC (§1.4) -------------------------------------------------------------------

MDC_REQUESTS = [
    ("power on", samsung.POWER, 1, b"\x01", "AA 11 01 01 01 14"),
    ("power off", samsung.POWER, 1, b"\x00", "AA 11 01 01 00 13"),
    ("power status", samsung.POWER, 1, b"", "AA 11 01 00 12"),
    ("power on, id 0", samsung.POWER, 0, b"\x01", "AA 11 00 01 01 13"),
    ("power on broadcast", samsung.POWER, 0xFE, b"\x01", "AA 11 FE 01 01 11"),
    ("brightness 50", samsung.BRIGHTNESS, 1, b"\x32", "AA 25 01 01 32 59"),
    ("brightness get", samsung.BRIGHTNESS, 1, b"", "AA 25 01 00 26"),
    ("backlight 70", samsung.MANUAL_LAMP, 1, b"\x46", "AA 58 01 01 46 A0"),
    ("backlight get", samsung.MANUAL_LAMP, 1, b"", "AA 58 01 00 59"),
    ("panel off", samsung.PANEL, 1, b"\x01", "AA F9 01 01 01 FC"),
    ("panel on", samsung.PANEL, 1, b"\x00", "AA F9 01 01 00 FB"),
    ("panel get", samsung.PANEL, 1, b"", "AA F9 01 00 FA"),
    ("input hdmi1", 0x14, 1, b"\x21", "AA 14 01 01 21 37"),
    ("safety lock on", 0x5D, 1, b"\x01", "AA 5D 01 01 01 60"),
    ("all keys lock on", 0x77, 1, b"\x01", "AA 77 01 01 01 7A"),
    ("status get", samsung.STATUS, 1, b"", "AA 00 01 00 01"),
    ("error status get", samsung.ERROR_STATUS, 1, b"", "AA 0D 01 00 0E"),
    ("status get id 3", samsung.STATUS, 3, b"", "aa 00 03 00 03"),
    ("panel get id 0 (PlaceOS)", samsung.PANEL, 0, b"", "AA F9 00 00 F9"),
    ("volume 24 id 0 (PlaceOS)", 0x12, 0, b"\x18", "AA 12 00 01 18 2B"),
    ("auto lamp", 0x57, 1, h("07 00 01 64 07 00 00 28"), "AA 57 01 08 07 00 01 64 07 00 00 28 FB"),
]


@pytest.mark.parametrize(
    ("what", "cmd", "did", "data", "frame"), MDC_REQUESTS, ids=[r[0] for r in MDC_REQUESTS]
)
def test_mdc_request_frames_match_the_reference(what, cmd, did, data, frame):
    assert samsung.encode(cmd, did, data) == h(frame)


def test_mdc_spec_checksum_example_discards_the_carry():
    # "11+FE+01+01=111, discard the first digit"
    assert samsung.checksum(h("11 FE 01 01")) == 0x11


@pytest.mark.parametrize(
    ("reply", "cmd", "did", "values"),
    [
        ("AA FF 01 03 41 11 01 56", samsung.POWER, 1, "01"),
        ("AA FF 01 03 41 11 00 55", samsung.POWER, 1, "00"),
        ("AA FF 00 03 41 11 01 55", samsung.POWER, 0, "01"),
        ("AA FF 01 03 41 25 32 9B", samsung.BRIGHTNESS, 1, "32"),
        ("AA FF 01 03 41 58 46 E2", samsung.MANUAL_LAMP, 1, "46"),
        ("AA FF 01 03 41 F9 01 3E", samsung.PANEL, 1, "01"),
        ("AA FF 00 03 41 F9 00 3C", samsung.PANEL, 0, "00"),
        ("AA FF 01 09 41 00 01 28 00 21 10 00 00 A4", samsung.STATUS, 1, "01 28 00 21 10 00 00"),
        ("aa ff 03 09 41 00 00 28 00 25 01 00 00 9a", samsung.STATUS, 3, "00 28 00 25 01 00 00"),
        ("AA FF 00 09 41 00 01 06 00 14 00 00 00 64", samsung.STATUS, 0, "01 06 00 14 00 00 00"),
        ("AA FF 00 03 41 12 18 6D", 0x12, 0, "18"),
        ("AA FF 00 03 41 14 21 78", 0x14, 0, "21"),
    ],
)
def test_mdc_published_replies_parse(reply, cmd, did, values):
    parsed = samsung.parse_reply(h(reply), cmd, did)
    assert parsed == samsung.MdcReply(did, cmd, h(values))


def test_mdc_reply_incomplete_until_the_checksum_byte_arrives():
    full = h("AA FF 01 03 41 11 01 56")
    for n in range(len(full)):
        assert samsung.parse_reply(full[:n], samsung.POWER, 1) is None


def test_mdc_nak_carries_the_error_code():
    with pytest.raises(PanelNak) as exc:
        samsung.parse_reply(h("AA FF 01 03 4E 11 01 63"), samsung.POWER, 1)
    assert exc.value.code == 1
    assert "NAK, error 0x01" in str(exc.value)


def test_mdc_bad_checksum_is_a_protocol_error():
    with pytest.raises(PanelProtocolError, match="bad checksum"):
        samsung.parse_reply(h("AA FF 01 03 41 11 01 57"), samsung.POWER, 1)


def test_mdc_skips_junk_and_a_late_reply_to_another_command():
    late_power = h("AA FF 01 03 41 11 01 56")
    lamp = h("AA FF 01 03 41 58 46 E2")
    parsed = samsung.parse_reply(b"\x00\x13" + late_power + lamp, samsung.MANUAL_LAMP, 1)
    assert parsed is not None and parsed.values == b"\x46"


def test_mdc_error_status_becomes_health():
    health = samsung.parse_error_status(bytes([0, 1, 0, 1, 67, 0]))
    assert health.faults == ("temperature", "no signal")
    assert health.temperature_c == 67
    assert not health.ok
    assert samsung.parse_error_status(bytes([0, 0, 0, 0, 40, 0])).describe() == "ok, 40 °C"


# --- LG (§2.4) -------------------------------------------------------------------------------

LG_REQUESTS = [
    ("ka", 1, 1, b"ka 01 01\r"),
    ("ka", 1, 0, b"ka 01 00\r"),
    ("ka", 1, "ff", b"ka 01 ff\r"),
    ("kh", 1, 50, b"kh 01 32\r"),
    ("kh", 1, "ff", b"kh 01 ff\r"),
    ("mg", 1, 70, b"mg 01 46\r"),
    ("mg", 1, "ff", b"mg 01 ff\r"),
    ("kd", 1, 1, b"kd 01 01\r"),
    ("ka", 10, 1, b"ka 0a 01\r"),
    ("mg", 1, 5, b"mg 01 05\r"),  # zero-padded, unlike openHAB's "5"
]


@pytest.mark.parametrize(("cmd", "sid", "data", "frame"), LG_REQUESTS)
def test_lg_request_frames_match_the_reference(cmd, sid, data, frame):
    assert lg.encode(cmd, sid, data) == frame


def test_lg_power_on_frame_hex_matches_the_reference():
    assert lg.encode("ka", 1, 1) == h("6B 61 20 30 31 20 30 31 0D")


@pytest.mark.parametrize(
    ("buf", "cmd", "sid", "data"),
    [
        (b"a 01 OK01x", "ka", 1, "01"),
        (b"a 01 OK00x", "ka", 1, "00"),
        (b"h 01 OK32x", "kh", 1, "32"),
        (b"g 01 OK46x", "mg", 1, "46"),
        (b"d 01 OK01x", "kd", 1, "01"),
        (b"a 0a OK01x", "ka", 10, "01"),
        (b"a 0A OK01x", "ka", 10, "01"),  # PlaceOS sends uppercase; accept both cases
        (b"b 01 OKA0x", "xb", 1, "a0"),
        (b"ka 01 01\ra 01 OK01x", "ka", 1, "01"),  # command echo skipped
        (b"x 01 OK01x", "dx", 1, "01"),  # the reply that starts with the terminator
    ],
)
def test_lg_replies_parse(buf, cmd, sid, data):
    assert lg.parse_reply(buf, cmd, sid) == lg.LgReply(cmd[1], sid, data)


def test_lg_reply_incomplete_until_the_x_terminator():
    full = b"a 01 OK01x"
    for n in range(len(full)):
        assert lg.parse_reply(full[:n], "ka", 1) is None


def test_lg_dx_reply_starting_with_x_is_not_cut_at_its_first_byte():
    assert lg.parse_reply(b"x", "dx", 1) is None
    assert lg.parse_reply(b"x 01 OK0", "dx", 1) is None


def test_lg_ng_is_a_nak_with_its_code_and_ng03_is_busy():
    with pytest.raises(PanelNak) as exc:
        lg.parse_reply(b"a 01 NG01x", "ka", 1)
    assert exc.value.code == 1 and "illegal code" in str(exc.value)
    assert not isinstance(exc.value, NotSupported)
    with pytest.raises(PanelBusy):
        lg.parse_reply(b"g 01 NG03x", "mg", 1)
    with pytest.raises(NotSupported, match="function not supported"):  # NG02: this model lacks it
        lg.parse_reply(b"g 01 NG02x", "mg", 1)


def test_lg_ignores_replies_for_another_command_or_set():
    assert lg.parse_reply(b"a 01 OK01x", "mg", 1) is None
    assert lg.parse_reply(b"g 02 OK46x", "mg", 1) is None


# --- NEC (§3.3) ---------------------------------------------------------------------------------

NEC_REQUESTS = [
    ("A", 1, "C203D60001", b"\x010A0A0C\x02C203D60001\x03s\r"),
    ("A", 1, "C203D60004", b"\x010A0A0C\x02C203D60004\x03v\r"),
    ("A", 1, "01D6", b"\x010A0A06\x0201D6\x03t\r"),
    ("C", 1, "0010", b"\x010A0C06\x020010\x03\x04\r"),
    ("E", 1, "00100032", b"\x010A0E0A\x0200100032\x03t\r"),
    ("A", 1, "0C", b"\x010A0A04\x020C\x03v\r"),
]


@pytest.mark.parametrize(("typ", "mid", "msg", "frame"), NEC_REQUESTS)
def test_nec_request_frames_match_the_reference(typ, mid, msg, frame):
    assert nec.encode(typ, mid, msg) == frame


def test_nec_broadcast_power_status_matches_placeos():
    frame = b"\x010*0A06\x0201D6\x03\x1f\r"
    assert nec.bcc(frame[1:-2]) == 0x1F


def test_nec_replies_parse():
    on = nec.parse_reply(b"\x0100AB0E\x0200C203D60001\x03v\r", 1, nec.COMMAND)
    assert on == nec.NecReply("B", "00C203D60001")
    assert nec.parse_message(on.message, nec.POWER_REPLY) == (1,)
    status = nec.parse_reply(b"\x0100AB12\x020200D60000040001\x03t\r", 1, nec.COMMAND)
    assert nec.parse_message(status.message, nec.POWER_STATUS) == (1,)
    param = nec.parse_parameter("0000100000640032", "0010")
    assert (param.maximum, param.current) == (100, 50)


def test_nec_one_message_parser_checks_shape_result_and_fixed_text():
    with pytest.raises(PanelProtocolError, match="power status reply not understood"):
        nec.parse_message("0300D6000004000", nec.POWER_STATUS)  # too short
    with pytest.raises(PanelProtocolError, match="power reply not understood"):
        nec.parse_message("00C203D70001", nec.POWER_REPLY)  # another opcode
    with pytest.raises(PanelProtocolError, match="parameter 0010 reply not understood"):
        nec.parse_parameter("0000200000640032", "0010")
    with pytest.raises(PanelNak, match=r"refused the power request \(result 02\)") as exc:
        nec.parse_message("02C203D60001", nec.POWER_REPLY)
    assert exc.value.code == 2 and not isinstance(exc.value, NotSupported)


def test_nec_null_message_is_busy():
    with pytest.raises(PanelBusy):
        nec.parse_reply(b"\x0100AB04\x02BE\x03\x01\r", 1, nec.COMMAND)


def test_nec_bad_bcc_and_wrong_reply_type_are_protocol_errors():
    with pytest.raises(PanelProtocolError, match="BCC"):
        nec.parse_reply(b"\x0100AB0E\x0200C203D60001\x03w\r", 1, nec.COMMAND)
    with pytest.raises(PanelProtocolError, match="type"):
        nec.parse_reply(b"\x0100AB0E\x0200C203D60001\x03v\r", 1, nec.GET)


def test_nec_non_zero_result_is_a_nak_and_01_is_unsupported():
    with pytest.raises(NotSupported) as exc:  # 01: "unsupported operation with this monitor"
        nec.parse_parameter("0100100000640032", "0010")
    assert exc.value.code == 1 and isinstance(exc.value, PanelNak)


def test_nec_reply_from_another_monitor_is_skipped():
    other = b"\x0100BB0E\x0200C203D60001\x03u\r"
    assert nec.bcc(other[1:-2]) == other[-2]
    assert nec.parse_reply(other, 1, nec.COMMAND) is None
