"""Logging: journald priorities, plain format, rate limiting of repeats, redaction of secrets."""

from __future__ import annotations

import logging
import os
import re
import warnings

import pytest

from kiosk.ops.logging import QUIET_LOGGERS as QUIET
from kiosk.ops.logging import RateLimitFilter, parse_level, setup_logging, syslog_priority

KEY = "4d46796d7366726f3833774a774955"


class FakeClock:
    def __init__(self) -> None:
        self.t = 1000.0

    def __call__(self) -> float:
        return self.t


@pytest.fixture(autouse=True)
def restore_logging():
    """setup_logging changes process-wide state: put all of it back for the other tests."""
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    quiet = {name: logging.getLogger(name).level for name in QUIET}
    yield
    root.handlers[:] = saved[0]
    root.setLevel(saved[1])
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)
    logging.captureWarnings(False)


@pytest.fixture
def journal_file(tmp_path):
    """A real file standing in for the journald stream, and the JOURNAL_STREAM naming it."""
    f = open(tmp_path / "stderr.txt", "w+", encoding="utf-8")  # noqa: SIM115
    st = os.fstat(f.fileno())
    yield f, {"JOURNAL_STREAM": f"{st.st_dev}:{st.st_ino}"}
    f.close()


def lines(f) -> list[str]:
    f.flush()
    f.seek(0)
    return f.read().splitlines()


def test_under_journald_each_line_carries_its_syslog_priority(journal_file):
    f, env = journal_file
    setup = setup_logging("debug", stream=f, environ=env)
    assert setup.journal
    log = logging.getLogger("kiosk.test")
    log.debug("d %s", 1)
    log.info("i")
    log.warning("w")
    log.error("e")
    log.critical("c")
    assert lines(f) == [
        "<7>kiosk.test: d 1",
        "<6>kiosk.test: i",
        "<4>kiosk.test: w",
        "<3>kiosk.test: e",
        "<2>kiosk.test: c",
    ]


def test_traceback_lines_keep_the_error_priority_and_the_message_stays_on_one_line(journal_file):
    f, env = journal_file
    setup_logging("info", stream=f, environ=env)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        logging.getLogger("kiosk.test").exception("refresh failed\nfor subway")
    out = lines(f)
    assert out[0] == "<3>kiosk.test: refresh failed | for subway"
    assert len(out) > 2 and all(line.startswith("<3>") for line in out)
    assert out[-1] == "<3>RuntimeError: boom"


def test_journal_stream_naming_another_file_means_plain_format(tmp_path, journal_file):
    _f, env = journal_file
    with open(tmp_path / "other.txt", "w+", encoding="utf-8") as other:
        setup = setup_logging("info", stream=other, environ=env)
        assert not setup.journal
        logging.getLogger("kiosk.test").warning("plain %s", "line")
        (line,) = lines(other)
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d KST WARNING kiosk\.test: plain line", line)


def test_repeated_error_passes_once_per_interval_then_reports_the_count(journal_file):
    f, env = journal_file
    clock = FakeClock()
    setup_logging("info", stream=f, environ=env, rate_limit_s=60, clock=clock)
    log = logging.getLogger("kiosk.poller")
    for i in range(5):  # same template, different args: the same error
        log.error("subway refresh failed: %s", f"timeout #{i}")
        clock.t += 10
    log.error("air refresh failed: %s", "timeout")  # another template passes
    log.info("poll %s", 1)  # info is never limited
    log.info("poll %s", 1)
    clock.t += 20  # 70 s after the first: the next one passes with the count
    log.error("subway refresh failed: %s", "timeout #5")
    clock.t += 1
    log.error("subway refresh failed: %s", "timeout #6")
    assert lines(f) == [
        "<3>kiosk.poller: subway refresh failed: timeout #0",
        "<3>kiosk.poller: air refresh failed: timeout",
        "<6>kiosk.poller: poll 1",
        "<6>kiosk.poller: poll 1",
        "<3>kiosk.poller: subway refresh failed: timeout #5 (repeated 4 more times since last logged)",
    ]


def test_same_message_from_another_logger_is_not_held_back():
    clock = FakeClock()
    flt = RateLimitFilter(60, clock=clock)
    rec = lambda name: logging.LogRecord(name, logging.WARNING, __file__, 1, "gone", (), None)  # noqa: E731
    assert flt.filter(rec("kiosk.a")) and flt.filter(rec("kiosk.b"))
    assert not flt.filter(rec("kiosk.a"))


def test_rate_limiter_memory_is_bounded():
    flt = RateLimitFilter(60, clock=FakeClock(), max_keys=10)
    for i in range(1000):
        flt.filter(
            logging.LogRecord("kiosk", logging.ERROR, __file__, 1, "%s down", ("x" * i,), None)
        )
    assert len(flt._seen) == 10 and len(flt._last) == 10


def test_secrets_are_masked_in_message_args_and_traceback(journal_file):
    f, env = journal_file
    setup = setup_logging(
        "info", secrets=["s3cret-subway-key", "ab+cd/ef==1234"], stream=f, environ=env
    )
    log = logging.getLogger("kiosk.sources")
    log.warning(
        "GET %s",
        f"http://swopenapi.seoul.go.kr/api/subway/{KEY}/json/realtimeStationArrival/0/5/여의도",
    )
    log.warning("key %s rejected", "s3cret-subway-key")
    log.warning("encoded: %s now", "ab%2Bcd%2Fef%3D%3D1234")  # quote("ab+cd/ef==1234")
    try:
        raise ValueError("bad key s3cret-subway-key")
    except ValueError:
        log.exception("refresh failed")
    urllib3_style = logging.getLogger("urllib3.connectionpool")
    urllib3_style.warning('"GET /1234/json/x?serviceKey=abc%2Bdef%3D%3D HTTP/1.1" 200')
    text = "\n".join(lines(f))
    assert "s3cret-subway-key" not in text and KEY not in text and "abc%2Bdef" not in text
    assert "/api/subway/****/json/realtimeStationArrival/0/5/여의도" in text
    assert "encoded: **** now" in text
    assert "key **** rejected" in text and "ValueError: bad key ****" in text
    assert "serviceKey=**** HTTP/1.1" in text
    # Recent errors for the status file are redacted too.
    assert all("s3cret" not in e.message for e in setup.recent.entries())
    # After a reload with a new key, the new one is masked.
    setup.set_secrets(["n3w-key-value"])
    log.warning("now %s", "n3w-key-value")
    assert lines(f)[-1] == "<4>kiosk.sources: now ****"


def test_recent_errors_fold_repeats_and_keep_the_last_few(journal_file):
    f, env = journal_file
    setup = setup_logging("info", stream=f, environ=env, clock=FakeClock())
    log = logging.getLogger("kiosk.panel")
    log.info("not an error")
    for _ in range(3):
        log.warning("panel timeout")  # held back on stderr, but counted here
    log.error("error %d", 0)
    log.warning("panel timeout")
    entries = setup.recent.entries()
    assert [(e.message, e.count) for e in entries] == [("error 0", 1), ("panel timeout", 4)]
    for i in range(1, 12):
        log.error("error %d", i)
    entries = setup.recent.entries()
    assert len(entries) == 10
    assert entries[-1].message == "error 11" and entries[0].message == "error 2"


def test_setting_up_again_replaces_instead_of_duplicating(journal_file):
    f, env = journal_file
    setup_logging("info", stream=f, environ=env)
    setup_logging("warning", stream=f, environ=env)
    logging.getLogger("kiosk").warning("once")
    logging.getLogger("kiosk").info("filtered")
    assert lines(f) == ["<4>kiosk: once"]
    assert logging.getLogger("urllib3").level == logging.WARNING


def test_python_warnings_go_to_the_log(journal_file):
    f, env = journal_file
    setup_logging("info", stream=f, environ=env)
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.warn("deprecated thing", DeprecationWarning, stacklevel=1)
    assert any(
        line.startswith("<4>py.warnings:") and "deprecated thing" in line for line in lines(f)
    )


def test_levels():
    assert parse_level("debug") == logging.DEBUG and parse_level(" WARNING ") == logging.WARNING
    assert parse_level(15) == 15
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        parse_level("loud")
    assert [syslog_priority(lv) for lv in (5, 10, 20, 30, 40, 50)] == [7, 7, 6, 4, 3, 2]


# --- an outage names every source, and every time reads KST (issue 12) -----------------------


def test_several_sources_failing_within_a_minute_each_get_their_line(journal_file):
    """Three real coordinators go down in the same minute: journalctl -p warning names all."""
    from datetime import datetime, timedelta

    from kiosk.core.freshness import FreshnessPolicy
    from kiosk.core.timeutil import KST
    from kiosk.errors import TransportError
    from kiosk.poller.coordinator import Coordinator
    from kiosk.poller.pacing import IntervalPacer

    f, env = journal_file
    clock = FakeClock()
    setup_logging("info", stream=f, environ=env, rate_limit_s=60, clock=clock)

    def down(now):
        raise TransportError("no answer from 127.0.0.1:8088 within 10 s (timeout)")

    t0 = datetime(2026, 12, 1, 21, 56, tzinfo=KST)
    policy = FreshnessPolicy(stale_after_s=180, unavailable_after_s=900)
    for i, source in enumerate(("subway", "air", "bikes")):
        Coordinator(source, down, policy, IntervalPacer(60)).tick(t0 + timedelta(seconds=i))
        clock.t += 5
    warnings = [line for line in lines(f) if line.startswith("<4>")]
    assert [w.split(": ")[1] for w in warnings] == ["subway", "air", "bikes"], warnings


def test_the_same_subject_repeating_is_held_but_a_state_change_passes_at_once(journal_file):
    f, env = journal_file
    clock = FakeClock()
    setup_logging("info", stream=f, environ=env, rate_limit_s=60, clock=clock)
    log = logging.getLogger("kiosk.poller.coordinator")
    log.warning("%s: %s: %s", "subway", "error", "timeout after 10 s")
    clock.t += 5
    log.warning("%s: %s: %s", "subway", "error", "timeout after 12 s")  # a repeat: held
    clock.t += 5
    log.info("%s: recovered after %d failed attempt(s)", "subway", 2)
    clock.t += 5
    log.warning("%s: %s: %s", "subway", "error", "timeout after 10 s")  # down again: passes
    clock.t += 5
    log.warning("%s: %s: %s", "subway", "unauthorized", "key rejected")  # another state
    assert lines(f) == [
        "<4>kiosk.poller.coordinator: subway: error: timeout after 10 s",
        "<6>kiosk.poller.coordinator: subway: recovered after 2 failed attempt(s)",
        "<4>kiosk.poller.coordinator: subway: error: timeout after 10 s"
        " (repeated 1 more times since last logged)",
        "<4>kiosk.poller.coordinator: subway: unauthorized: key rejected",
    ]


def test_an_explicit_subject_is_limited_on_its_own(journal_file):
    f, env = journal_file
    setup_logging("info", stream=f, environ=env, clock=FakeClock())
    log = logging.getLogger("kiosk.panel")
    for port in ("/dev/ttyUSB0", "/dev/ttyUSB0", "socket://10.0.0.5:9761"):
        log.warning("panel port gone", extra={"kiosk_subject": port})
    assert lines(f) == ["<4>kiosk.panel: panel port gone", "<4>kiosk.panel: panel port gone"]


def test_plain_lines_and_recent_errors_read_kst_whatever_the_machines_zone(tmp_path, monkeypatch):
    import time as time_mod
    from datetime import timedelta

    monkeypatch.setenv("TZ", "UTC")
    time_mod.tzset()
    try:
        with open(tmp_path / "plain.txt", "w+", encoding="utf-8") as out:
            setup = setup_logging("info", stream=out, environ={})
            record_time = time_mod.time()
            logging.getLogger("kiosk.test").warning("air: %s", "timeout")
            (line,) = lines(out)
        (entry,) = setup.recent.entries()
    finally:
        monkeypatch.delenv("TZ")
        time_mod.tzset()
    assert entry.at.utcoffset() == timedelta(hours=9) and entry.at.tzname() == "KST"
    from datetime import datetime

    from kiosk.core.timeutil import KST

    stamp = datetime.fromtimestamp(record_time, KST).strftime("%Y-%m-%d %H:%M")
    assert line.startswith(stamp) and " KST WARNING kiosk.test: air: timeout" in line


def test_a_missing_panel_port_is_a_warning_and_reaches_the_status_errors(tmp_path, journal_file):
    """The real reconciler and LG driver on a port that is not there (an unplugged adapter)."""
    from datetime import datetime

    from kiosk.core.timeutil import KST
    from kiosk.panel.lg import LgDriver
    from kiosk.panel.reconciler import PORT_UNAVAILABLE, Reconciler
    from kiosk.panel.settings import ScheduleEntry
    from kiosk.panel.transport import Transport

    class Seoul:
        lat, lon = 37.5665, 126.9780

    f, env = journal_file
    setup = setup_logging("info", stream=f, environ=env, clock=FakeClock())
    port = "/dev/ttyUSB97"  # not there (a short path: the redactor masks long key-like names)
    assert not os.path.exists(port)
    schedule = (ScheduleEntry.model_validate({"at": "05:00", "power": "on"}),)
    rec = Reconciler(LgDriver(Transport(port), 1, 0.25, retries=0), schedule, Seoul(), frozenset())
    report = rec.tick(datetime(2026, 12, 1, 12, 0, tzinfo=KST))
    assert report.state == PORT_UNAVAILABLE
    (line,) = [x for x in lines(f) if "port unavailable" in x]
    assert line.startswith(f"<4>kiosk.panel.reconciler: panel {port}: port unavailable")
    assert [e.where for e in setup.recent.entries()] == ["kiosk.panel.reconciler"]
