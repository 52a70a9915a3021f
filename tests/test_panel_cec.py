"""CEC driver against fake cec-ctl / cec-client first on PATH, printing what the real tools print."""

from __future__ import annotations

import pytest

from kiosk.errors import PanelTimeout, PortUnavailable
from kiosk.panel.base import PanelUnsupported
from kiosk.panel.cec import CecDriver
from tests.panel_sim.cec import FakeCec


@pytest.fixture
def fake(tmp_path, monkeypatch) -> FakeCec:
    cec = FakeCec(tmp_path)
    for key, value in cec.env().items():
        if key in ("PATH", "FAKE_CEC_STATE"):
            monkeypatch.setenv(key, value)
    return cec


def only(fake: FakeCec, tool: str, monkeypatch) -> None:
    """Leave just one of the two tools installed."""
    other = "cec-client" if tool == "cec-ctl" else "cec-ctl"
    (fake.bin / other).unlink()
    monkeypatch.setenv("PATH", str(fake.bin))


def test_cec_ctl_power_on_and_status(fake):
    driver = CecDriver("/dev/cec0", timeout=2)
    assert driver.power_state() == "off"
    driver.power("on")
    assert fake.read()["power"] == "on"
    assert driver.power_state() == "on"
    assert fake.calls[1].startswith("cec-ctl -d /dev/cec0 -s --timeout 2000 --to 0 --image-view-on")


def test_cec_ctl_unconfigured_adapter_is_configured_once_then_used(fake):
    fake.write(configured=False)
    assert CecDriver("/dev/cec0", timeout=2).power_state() == "off"
    assert "--playback" not in fake.calls[0] and "--playback" in fake.calls[1]
    assert fake.read()["configured"] is True


def test_cec_ctl_exit_0_without_a_report_is_no_answer(fake):
    fake.write(mode="no-reply")
    with pytest.raises(PanelTimeout, match="no answer from the TV"):
        CecDriver("/dev/cec0", timeout=2).power_state()


def test_cec_ctl_not_acknowledged_is_no_answer(fake):
    fake.write(mode="nack")
    with pytest.raises(PanelTimeout, match="Not Acknowledged"):
        CecDriver("/dev/cec0", timeout=2).power("on")
    assert fake.read()["power"] == "standby"


def test_cec_ctl_cannot_open_device_falls_back_to_cec_client(fake):
    fake.write(ctl_mode="open-fail")
    assert CecDriver("/dev/cec0", timeout=2).power_state() == "off"
    assert [c.split()[0] for c in fake.calls] == ["cec-ctl", "cec-client"]


def test_both_tools_failing_to_open_is_port_unavailable(fake):
    fake.write(mode="open-fail")
    with pytest.raises(PortUnavailable, match="cec-client cannot use /dev/cec0"):
        CecDriver("/dev/cec0", timeout=2).power_state()


def test_cec_ctl_chosen_explicitly_does_not_fall_back(fake):
    fake.write(ctl_mode="open-fail")
    with pytest.raises(PortUnavailable, match="cec-ctl cannot use /dev/cec0: Failed to open"):
        CecDriver("/dev/cec0", timeout=2, tool="cec-ctl").power_state()
    assert len(fake.calls) == 1


def test_cec_client_when_cec_ctl_is_missing(fake, monkeypatch):
    only(fake, "cec-client", monkeypatch)
    driver = CecDriver("/dev/cec0", timeout=2)
    assert driver.power_state() == "off"
    driver.power("on")
    assert driver.power_state() == "on"
    assert fake.calls[1] == "cec-client -s -d 1 /dev/cec0 <<< on 0"


def test_cec_client_power_status_unknown_is_no_answer(fake, monkeypatch):
    only(fake, "cec-client", monkeypatch)
    fake.write(mode="no-reply")
    with pytest.raises(PanelTimeout, match="power status: unknown"):
        CecDriver("/dev/cec0", timeout=2).power_state()


def test_cec_client_autodetect_failed_is_port_unavailable(fake, monkeypatch):
    only(fake, "cec-client", monkeypatch)
    fake.write(mode="autodetect-fail")
    with pytest.raises(PortUnavailable, match="autodetect FAILED"):
        CecDriver("RPI", timeout=2).power_state()


def test_no_cec_tool_installed(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(PortUnavailable, match="neither cec-ctl .* nor cec-client"):
        CecDriver("/dev/cec0", timeout=2).power_state()


def test_cec_has_no_brightness_and_says_so(fake):
    driver = CecDriver("/dev/cec0", timeout=2)
    assert not driver.supports_backlight
    with pytest.raises(PanelUnsupported, match="HDMI-CEC has no brightness"):
        driver.set_backlight(50)
    assert fake.calls == []  # nothing was even attempted
