"""Drivers against pty simulators: byte-for-byte requests, and every way a panel misbehaves."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator

import pytest

from kiosk.errors import PanelError, PanelNak, PanelProtocolError, PanelTimeout, PortUnavailable
from kiosk.panel.base import NotSupported
from kiosk.panel.lg import LgDriver
from kiosk.panel.nec import NecDriver
from kiosk.panel.samsung import SamsungDriver
from kiosk.panel.transport import PanelCancelled, Transport
from tests.panel_sim import LgSimulator, NecSimulator, PtySimulator, SamsungSimulator

TIMEOUT = 0.3
VENDORS = {
    "lg": (LgSimulator, LgDriver),
    "samsung": (SamsungSimulator, SamsungDriver),
    "nec": (NecSimulator, NecDriver),
}


@pytest.fixture(params=sorted(VENDORS))
def rig(request, tmp_path) -> Iterator[tuple[PtySimulator, object]]:
    sim_cls, drv_cls = VENDORS[request.param]
    sim = sim_cls(link=tmp_path / "ttyPANEL").start()
    driver = drv_cls(Transport(sim.url), 1, TIMEOUT, retries=1)
    yield sim, driver
    driver.close()
    sim.stop()


def test_power_and_backlight_round_trip(rig):
    sim, driver = rig
    assert driver.power_state() == "on"
    driver.power("off")
    assert sim.power == "off"
    assert driver.power_state() == "off"
    driver.power("on")
    driver.set_backlight(35)
    assert driver.backlight() == 35


def test_requests_are_the_reference_bytes(tmp_path):
    cases = [
        (LgSimulator, LgDriver, b"ka 01 01\r", 70, b"mg 01 46\r"),
        (
            SamsungSimulator,
            SamsungDriver,
            bytes.fromhex("AA 11 01 01 01 14"),
            70,
            bytes.fromhex("AA 58 01 01 46 A0"),
        ),
        (
            NecSimulator,
            NecDriver,
            b"\x010A0A0C\x02C203D60001\x03s\r",
            50,
            b"\x010A0E0A\x0200100032\x03t\r",
        ),
    ]
    for sim_cls, drv_cls, power_on, level, set_level in cases:
        sim = sim_cls().start()
        driver = drv_cls(Transport(sim.url), 1, TIMEOUT)
        try:
            driver.power("on")
            driver.set_backlight(level)
            assert sim.received == [power_on, set_level]
        finally:
            driver.close()
            sim.stop()


def test_a_silent_panel_times_out_within_the_timeout_times_tries(rig):
    sim, driver = rig
    sim.behave("silent")
    start = time.monotonic()
    with pytest.raises(PanelTimeout, match=r"no answer .* within 0.3 s \(2 tries\)"):
        driver.power_state()
    assert time.monotonic() - start < 2 * TIMEOUT + 0.5
    assert len(sim.received) == 2  # one retry, no more


def test_one_silent_request_is_retried_and_succeeds(rig):
    sim, driver = rig
    sim.behave("silent", times=1)
    assert driver.power_state() == "on"


def test_a_late_answer_is_a_timeout_and_is_not_taken_for_the_next_answer(rig):
    sim, driver = rig
    driver.retries = 0
    sim.late_by = TIMEOUT + 0.15
    sim.behave("late", times=1)
    with pytest.raises(PanelTimeout):
        driver.power_state()
    # The late "power is on" answer lands in the port's buffer meanwhile.
    assert sim.late_sent.wait(TIMEOUT + 2)
    sim.power = "off"
    assert driver.power_state() == "off"  # the fresh answer, not the stale one


def test_an_echoing_panel_is_understood(rig):
    sim, driver = rig
    sim.behave("echo")
    driver.power("off")
    assert driver.power_state() == "off"


def test_a_nak_is_not_retried_and_carries_its_code(rig):
    sim, driver = rig
    sim.behave("nak")
    with pytest.raises(PanelNak) as exc:
        driver.set_backlight(40)
    assert exc.value.code == 1
    assert str(exc.value).startswith("backlight 40:")
    assert len(sim.received) == 1


def test_garbled_answers_are_a_protocol_error_after_retrying(rig):
    sim, driver = rig
    sim.behave("garble")
    with pytest.raises(PanelProtocolError, match="power query"):
        driver.power_state()
    sim.behave("garble", times=1)
    assert driver.power_state() == "on"


def test_unplugged_adapter_is_reported_then_reopened_when_it_comes_back(rig):
    sim, driver = rig
    assert driver.power_state() == "on"
    sim.vanish()
    with pytest.raises(PortUnavailable, match="not found"):
        driver.power_state()
    sim.revive()  # a new pty behind the same path, as udev would recreate /dev/ttyUSB0
    assert driver.power_state() == "on"


def test_missing_port_is_port_unavailable(tmp_path):
    driver = LgDriver(Transport(str(tmp_path / "ttyUSB9")), 1, TIMEOUT)
    with pytest.raises(PortUnavailable, match=r"ttyUSB9 not found"):
        driver.power_state()


def test_permission_denied_and_busy_ports_say_what_to_do():
    """Root ignores file modes, so the open error is raised the way pyserial raises it."""
    import errno

    import serial

    def opener(code: int):
        def open_(url: str, **kw: object) -> None:
            raise serial.SerialException(code, f"could not open port {url}: [Errno {code}] ...")

        return open_

    denied = LgDriver(Transport("/dev/ttyUSB0", opener=opener(errno.EACCES)), 1, TIMEOUT)
    with pytest.raises(
        PortUnavailable,
        match=r"permission denied on /dev/ttyUSB0 \(add the kiosk user to the dialout group\)",
    ):
        denied.power_state()
    busy = LgDriver(Transport("/dev/ttyUSB1", opener=opener(errno.EBUSY)), 1, TIMEOUT)
    with pytest.raises(PortUnavailable, match="in use by another program"):
        busy.power_state()


def test_backlight_outside_0_100_is_refused_before_sending(rig):
    sim, driver = rig
    with pytest.raises(ValueError, match="0..100"):
        driver.set_backlight(101)
    assert sim.received == []


def test_samsung_panel_mode_uses_the_inverted_f9_flag():
    sim = SamsungSimulator().start()
    driver = SamsungDriver(Transport(sim.url), 1, TIMEOUT, power_mode="panel")
    try:
        driver.power("off")
        assert sim.received[-1] == bytes.fromhex("AA F9 01 01 01 FC")
        assert sim.values[0xF9] == 0x01 and sim.power == "on"  # electronics stay up
        assert driver.power_state() == "off"
        driver.power("on")
        assert sim.received[-1] == bytes.fromhex("AA F9 01 01 00 FB")
        assert driver.power_state() == "on"
    finally:
        driver.close()
        sim.stop()


def test_samsung_health_reports_temperature_and_faults():
    sim = SamsungSimulator().start()
    driver = SamsungDriver(Transport(sim.url), 1, TIMEOUT)
    try:
        assert driver.health().describe() == "ok, 41 °C"
        sim.error_status = bytes([0, 0, 0, 0, 72, 1])
        health = driver.health()
        assert health.faults == ("fan",) and health.temperature_c == 72
    finally:
        driver.close()
        sim.stop()


def test_samsung_without_the_error_status_query_says_not_supported():
    sim = SamsungSimulator().start()
    driver = SamsungDriver(Transport(sim.url), 1, TIMEOUT, retries=1)
    sim.refuse_when = lambda frame: frame[1] == 0x0D  # a model without 0x0D NAKs it
    try:
        with pytest.raises(NotSupported, match=r"error status: .* 0x0D \(NAK, error 0x01\)"):
            driver.health()
        assert sum(1 for f in sim.received if f[1] == 0x0D) == 1  # a NAK is not retried
        assert driver.power_state() == "on" and driver.backlight() == 80  # the rest works
    finally:
        driver.close()
        sim.stop()


def test_lg_ng02_and_nec_result_01_are_not_supported_not_just_refused():
    lg_sim = LgSimulator().start()
    nec_sim = NecSimulator().start()
    lg_sim.ng_code = 2
    lg_sim.refuse_when = lambda frame: frame.startswith(b"mg ")
    nec_sim.refuse_when = lambda frame: b"0010" in frame
    lg_drv = LgDriver(Transport(lg_sim.url), 1, TIMEOUT)
    nec_drv = NecDriver(Transport(nec_sim.url), 1, TIMEOUT)
    try:
        with pytest.raises(NotSupported, match="backlight query: LG panel answered NG02"):
            lg_drv.backlight()
        with pytest.raises(NotSupported, match=r"backlight query: .*result 01"):
            nec_drv.backlight()
        lg_sim.ng_code = 1  # NG01 (illegal code) is a refusal, not "this model lacks it"
        with pytest.raises(PanelNak) as exc:
            lg_drv.backlight()
        assert not isinstance(exc.value, NotSupported)
    finally:
        lg_drv.close()
        nec_drv.close()
        lg_sim.stop()
        nec_sim.stop()


def test_cancel_abandons_an_exchange_with_a_silent_panel_at_once():
    sim = SamsungSimulator().start()
    sim.behave("silent")
    driver = SamsungDriver(Transport(sim.url), 1, timeout=30, retries=5)
    failed: list[BaseException] = []
    done = threading.Event()

    def query() -> None:
        try:
            driver.power_state()
        except PanelError as e:
            failed.append(e)
        done.set()

    worker = threading.Thread(target=query)
    try:
        worker.start()
        assert sim.wait_received(1)  # the request is out; the panel stays silent
        started = time.monotonic()
        driver.cancel()
        assert done.wait(5)
        assert time.monotonic() - started < 2  # not 30 s x 6 tries
        assert isinstance(failed[0], PanelCancelled) and "stopping" in str(failed[0])
        with pytest.raises(PanelCancelled):  # and nothing more is sent after it
            driver.power_state()
    finally:
        worker.join(5)
        driver.close()
        sim.stop()


def test_nec_busy_null_message_is_retried_then_reported():
    sim = NecSimulator().start()
    driver = NecDriver(Transport(sim.url), 1, TIMEOUT, retries=1)
    try:
        sim.busy = True
        with pytest.raises(PanelNak, match="NULL message"):
            driver.power_state()
        assert len(sim.received) == 2
    finally:
        driver.close()
        sim.stop()


def test_nec_backlight_is_scaled_to_the_reported_maximum():
    sim = NecSimulator().start()
    sim.backlight_max, sim.backlight = 200, 100
    driver = NecDriver(Transport(sim.url), 1, TIMEOUT)
    try:
        assert driver.backlight() == 50
        driver.set_backlight(30)
        assert sim.backlight == 60
    finally:
        driver.close()
        sim.stop()


def test_socket_url_reaches_a_tcp_panel(tmp_path):
    """LAN control: the same codec over socket:// (LG TCP 9761 style)."""
    import socket
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)
    port = server.getsockname()[1]

    def serve() -> None:
        conn, _ = server.accept()
        with conn:
            data = b""
            while not data.endswith(b"\r"):
                data += conn.recv(64)
            assert data == b"ka 01 ff\r"
            conn.sendall(b"a 01 OK01x")
            conn.recv(64)

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    driver = LgDriver(Transport(f"socket://127.0.0.1:{port}"), 1, TIMEOUT)
    try:
        assert driver.power_state() == "on"
    finally:
        driver.close()
        t.join(2)
        server.close()


def test_the_port_opening_at_every_check_is_logged_once_and_again_after_a_failure(tmp_path, caplog):
    sim = LgSimulator(link=tmp_path / "ttyPANEL").start()
    driver = LgDriver(Transport(sim.url), 1, TIMEOUT, retries=0)

    def opened() -> list[str]:
        return [r.levelname for r in caplog.records if "open" in r.getMessage()]

    try:
        with caplog.at_level(logging.DEBUG, logger="kiosk.panel.transport"):
            for _ in range(3):  # three checks, each opens and releases the port
                driver.power_state()
                driver.close()
            assert opened() == ["INFO", "DEBUG", "DEBUG"]
            sim.vanish()
            with pytest.raises(PortUnavailable):
                driver.power_state()
            sim.revive()
            caplog.clear()
            driver.power_state()
            assert opened() == ["INFO"]  # working again: said once more
    finally:
        driver.close()
        sim.stop()
