"""Signal routing through a wakeup socket: real signals sent to this process with os.kill."""

from __future__ import annotations

import logging
import os
import signal

import pytest

from kiosk.ops.signals import SignalRouter


@pytest.fixture
def calls():
    return []


def test_signal_becomes_a_callback_when_the_socket_is_read(calls):
    with SignalRouter({signal.SIGHUP: calls.append, signal.SIGTERM: calls.append}) as router:
        os.kill(os.getpid(), signal.SIGHUP)
        assert calls == []  # nothing runs behind the event loop's back
        assert router.wait(timeout=5) == 1
        assert calls == [signal.SIGHUP]
        os.kill(os.getpid(), signal.SIGTERM)  # would kill the test run without the router
        assert router.wait(timeout=5) == 1
        assert calls == [signal.SIGHUP, signal.SIGTERM]


def test_fileno_is_readable_only_after_a_signal(calls):
    import select

    with SignalRouter({signal.SIGHUP: calls.append}) as router:
        assert select.select([router.fileno()], [], [], 0)[0] == []
        assert router.dispatch_pending() == 0
        os.kill(os.getpid(), signal.SIGHUP)
        assert select.select([router.fileno()], [], [], 5)[0] == [router.fileno()]
        # A QSocketNotifier passes arguments; they are ignored.
        assert router.dispatch_pending(object(), "Read") == 1
        assert calls == [signal.SIGHUP]


def test_repeats_in_one_batch_run_once_in_arrival_order(calls):
    with SignalRouter({signal.SIGHUP: calls.append, signal.SIGINT: calls.append}) as router:
        os.kill(os.getpid(), signal.SIGHUP)
        os.kill(os.getpid(), signal.SIGINT)
        os.kill(os.getpid(), signal.SIGHUP)
        assert router.wait(timeout=5) == 2
        assert calls == [signal.SIGHUP, signal.SIGINT]


def test_a_failing_handler_is_logged_and_the_others_still_run(calls, caplog):
    def broken(_sig: int) -> None:
        raise RuntimeError("reload blew up")

    with SignalRouter({signal.SIGHUP: broken, signal.SIGTERM: calls.append}) as router:
        caplog.set_level(logging.ERROR, logger="kiosk.ops.signals")
        os.kill(os.getpid(), signal.SIGHUP)
        os.kill(os.getpid(), signal.SIGTERM)
        assert router.wait(timeout=5) == 2
    assert calls == [signal.SIGTERM]
    assert "handler for SIGHUP failed" in caplog.text


def test_close_restores_previous_handlers_and_wakeup_fd():
    def previous(_s, _f):
        return None

    old = signal.signal(signal.SIGHUP, previous)
    wakeup_before = signal.set_wakeup_fd(-1)
    signal.set_wakeup_fd(wakeup_before)  # only read it
    try:
        router = SignalRouter({signal.SIGHUP: lambda _s: None})
        ours = router._wsock.fileno()
        assert signal.getsignal(signal.SIGHUP) is not previous
        assert signal.set_wakeup_fd(ours) == ours
        router.close()
        router.close()  # idempotent
        assert signal.getsignal(signal.SIGHUP) is previous
        assert signal.set_wakeup_fd(wakeup_before) == wakeup_before  # ours is gone
    finally:
        signal.signal(signal.SIGHUP, old)


def test_empty_handler_map_is_refused():
    with pytest.raises(ValueError, match="at least one"):
        SignalRouter({})
