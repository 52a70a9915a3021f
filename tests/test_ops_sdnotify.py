"""sd_notify client against a real AF_UNIX datagram socket owned by the test."""

from __future__ import annotations

import os
import socket
import time

import pytest

from kiosk.ops.sdnotify import CHILD_ENV, Notifier
from tests.notify_listener import NotifyListener


@pytest.fixture
def listener(tmp_path):
    with NotifyListener(tmp_path / "notify.sock") as nl:
        yield nl


def test_ready_status_and_watchdog_arrive_as_systemd_reads_them(listener):
    n = Notifier.from_environ(listener.environ())
    assert n.enabled
    assert n.ready("showing arrivals\nsecond line")
    assert n.watchdog()
    assert n.status("arrivals; subway ok 12 s")
    ready = listener.wait_for("READY", "1")
    assert ready.fields["STATUS"] == "showing arrivals second line"  # one line, no injection
    assert ready.pid == os.getpid()  # what NotifyAccess=main checks
    listener.wait_for("WATCHDOG", "1")
    assert (
        listener.wait_for("STATUS", "arrivals; subway ok 12 s").raw
        == "STATUS=arrivals; subway ok 12 s"
    )


def test_abstract_socket_address_is_supported():
    with NotifyListener.abstract() as nl:
        assert nl.address.startswith("@")
        n = Notifier.from_environ(nl.environ())
        assert n.stopping("bye")
        msg = nl.wait_for("STOPPING", "1")
        assert msg.fields["STATUS"] == "bye"


def test_reloading_carries_monotonic_usec_for_systemd_253(listener):
    n = Notifier.from_environ(listener.environ())
    assert n.reloading(monotonic_usec=123_456_789)
    assert listener.wait_for("RELOADING", "1").fields["MONOTONIC_USEC"] == "123456789"
    # Default: CLOCK_MONOTONIC in microseconds, the clock systemd compares it with.
    before = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    assert n.reloading()
    after = time.clock_gettime_ns(time.CLOCK_MONOTONIC) // 1000
    usec = int(listener.wait_for("RELOADING", count=2).fields["MONOTONIC_USEC"])
    assert before <= usec <= after


def test_korean_status_is_sent_as_utf8(listener):
    n = Notifier.from_environ(listener.environ())
    n.status("여의도: 5호선 방화행 2분")
    assert listener.wait_for("STATUS").fields["STATUS"] == "여의도: 5호선 방화행 2분"


def test_no_notify_socket_is_a_silent_no_op():
    n = Notifier.from_environ({})
    assert not n.enabled
    assert not n.ready() and not n.watchdog() and not n.stopping()
    assert n.watchdog_period() is None


def test_unsupported_or_relative_socket_disables_instead_of_raising():
    for value in ("vsock:2:1234", "relative/path", ""):
        n = Notifier.from_environ({"NOTIFY_SOCKET": value})
        assert not n.enabled and not n.ready()


def test_gone_socket_returns_false_and_logs_once(tmp_path, caplog):
    n = Notifier.from_environ({"NOTIFY_SOCKET": str(tmp_path / "nobody-listens.sock")})
    assert n.enabled
    caplog.set_level("WARNING", logger="kiosk.ops.sdnotify")
    assert not n.watchdog()
    assert not n.watchdog()
    assert len([r for r in caplog.records if "cannot notify" in r.getMessage()]) == 1


def test_socket_that_is_not_a_datagram_socket_never_raises(tmp_path):
    path = tmp_path / "stream.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.bind(str(path))
        s.listen()
        assert Notifier.from_environ({"NOTIFY_SOCKET": str(path)}).ready() is False


@pytest.mark.parametrize(
    ("env", "period"),
    [
        ({"WATCHDOG_USEC": "30000000"}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "{me}"}, 15.0),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}, None),  # meant for another process
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1", CHILD_ENV: "1"}, 15.0),
        ({"WATCHDOG_USEC": "0"}, None),
        ({"WATCHDOG_USEC": "soon"}, None),
        ({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "x"}, None),
        ({}, None),
    ],
)
def test_watchdog_period_is_half_the_interval_when_meant_for_us(tmp_path, env, period):
    env = {k: v.format(me=os.getpid()) for k, v in env.items()}
    env["NOTIFY_SOCKET"] = str(tmp_path / "n.sock")
    assert Notifier.from_environ(env).watchdog_period() == period


def test_watchdog_period_is_none_without_a_socket():
    assert Notifier.from_environ({"WATCHDOG_USEC": "30000000"}).watchdog_period() is None


def test_a_stalled_receiver_never_blocks_the_sender(tmp_path):
    """systemd not reading (queue full): the ping is dropped at once, the GUI thread goes on."""
    path = str(tmp_path / "stalled.sock")
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(path)
    filler = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    filler.setblocking(False)
    try:
        while True:  # fill the receiver's queue
            filler.sendto(b"WATCHDOG=1", path)
    except BlockingIOError:
        pass
    n = Notifier(path)
    t0 = time.monotonic()
    assert n.send("WATCHDOG=1") is False
    assert time.monotonic() - t0 < 0.5
    receiver.recv(100)  # room again: the next ping goes through
    assert n.send("WATCHDOG=1") is True
    receiver.close()
    filler.close()
