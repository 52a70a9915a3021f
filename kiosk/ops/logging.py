"""Logging for a kiosk that runs for months: one line per event, journald priorities, no
floods, no secrets.

``setup_logging(level, secrets)`` installs one stderr handler on the root logger:
- under systemd (``$JOURNAL_STREAM`` names our stderr) each line starts with ``<N>``, the
  syslog priority, which journald strips and stores (``journalctl -u kiosk -p warning``);
  journald stamps the time itself, so the line carries none;
- elsewhere: ``2025-11-26 08:14:02 KST WARNING kiosk.poller: ...`` (always KST, labelled,
  like every time the kiosk prints for an operator).
Flood control is per subject: the same warning/error about the same thing (logger, level,
subject, and the message with its numbers ignored) passes at most once per ``rate_limit_s``,
and passes again at once when that subject said something else in between (a state change:
down, recovered, down). The subject is the record's ``kiosk_subject`` (``extra=``) or its first
argument: ``log.warning("%s: %s: %s", source, status, error)`` is limited per source, so three
sources failing in the same minute give three lines. The next one that passes says how many
were held back. Configured secrets and key-shaped tokens are masked in messages, arguments and
tracebacks.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import IO, Any

from kiosk.core.timeutil import KST
from kiosk.ops.redact import Redactor
from kiosk.ops.status import ErrorEntry

# sd-daemon(3) priorities: <2> crit, <3> err, <4> warning, <6> info, <7> debug.
_PRIORITY = ((logging.CRITICAL, 2), (logging.ERROR, 3), (logging.WARNING, 4), (logging.INFO, 6))
# Chatty libraries: a poll every few seconds must not write a line each time.
QUIET_LOGGERS = ("urllib3", "requests_cache", "apscheduler")
_MARK = "_kiosk_ops_handler"


def syslog_priority(levelno: int) -> int:
    """The syslog priority for a logging level."""
    for threshold, prio in _PRIORITY:
        if levelno >= threshold:
            return prio
    return 7


def on_journal(stream: IO[str], environ: Mapping[str, str]) -> bool:
    """True if ``stream`` is the journald stream systemd passed us ($JOURNAL_STREAM=dev:ino)."""
    value = environ.get("JOURNAL_STREAM", "")
    try:
        dev, ino = (int(x) for x in value.split(":"))
        st = os.fstat(stream.fileno())
    except (ValueError, OSError, AttributeError):
        return False
    return (st.st_dev, st.st_ino) == (dev, ino)


def _repeat_note(record: logging.LogRecord) -> str:
    n = getattr(record, "kiosk_repeated", 0)
    return f" (repeated {n} more times since last logged)" if n else ""


class JournalFormatter(logging.Formatter):
    """``<N>logger: message``; every traceback line carries the same priority prefix."""

    def format(self, record: logging.LogRecord) -> str:
        prefix = f"<{syslog_priority(record.levelno)}>"
        first = f"{prefix}{record.name}: {_one_line(record.getMessage())}{_repeat_note(record)}"
        extra = self._extra(record)
        return "\n".join([first, *(prefix + line for line in extra)])

    def _extra(self, record: logging.LogRecord) -> list[str]:
        lines: list[str] = []
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            lines += record.exc_text.splitlines()
        if record.stack_info:
            lines += self.formatStack(record.stack_info).splitlines()
        return lines


class PlainFormatter(logging.Formatter):
    """``2025-11-26 08:14:02 KST WARNING logger: message`` for terminals and files."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        # KST whatever the machine's zone: the same clock as the screen, status and the APIs.
        return f"{datetime.fromtimestamp(record.created, KST):%Y-%m-%d %H:%M:%S} KST"

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (stdlib name)
        record.message = _one_line(record.message) + _repeat_note(record)
        return super().formatMessage(record)


def _one_line(text: str) -> str:
    return " | ".join(part for part in text.splitlines() if part.strip()) if "\n" in text else text


@dataclass
class _Seen:
    last_passed: float
    held: int = 0


_NUMBERS = re.compile(r"\d+")


def _subject(record: logging.LogRecord) -> str:
    """What a record is about: ``extra={"kiosk_subject": ...}``, else its first argument."""
    explicit = getattr(record, "kiosk_subject", None)
    if explicit is not None:
        return str(explicit)
    args = record.args
    if isinstance(args, tuple) and args and isinstance(args[0], str | int | os.PathLike):
        return _NUMBERS.sub("0", str(args[0]))
    return ""


class RateLimitFilter(logging.Filter):
    """Passes the same warning/error about the same subject at most once per ``interval_s``.

    "The same" ignores numbers (a timeout counter, a byte count), never the subject: one
    source's repeats never hold back another's. A subject that said something else since
    (any level: a recovery is info) has changed state, so its next warning passes at once.
    """

    def __init__(
        self,
        interval_s: float = 60.0,
        *,
        min_level: int = logging.WARNING,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 512,
    ) -> None:
        super().__init__()
        self.interval_s = interval_s
        self.min_level = min_level
        self.clock = clock
        self.max_keys = max_keys
        self._seen: OrderedDict[tuple[str, int, str, str], _Seen] = OrderedDict()
        self._last: OrderedDict[tuple[str, str], str] = OrderedDict()
        self._lock = threading.Lock()

    def filter(self, record: logging.LogRecord) -> bool:
        """False for a repeat inside the interval; else True, with the repeat count attached."""
        try:
            text = _NUMBERS.sub("0", record.getMessage())
        except Exception:  # a bad %-format: the redacting filter still logs what it can
            text = str(record.msg)
        subject = (record.name, _subject(record))
        with self._lock:
            changed = self._last.get(subject) != text
            self._remember(self._last, subject, text)
            if record.levelno < self.min_level:
                return True
            key = (record.name, record.levelno, subject[1], text)
            now = self.clock()
            seen = self._seen.get(key)
            if seen is not None and not changed and now - seen.last_passed < self.interval_s:
                seen.held += 1
                return False
            record.kiosk_repeated = seen.held if seen else 0
            self._remember(self._seen, key, _Seen(last_passed=now))
        return True

    def _remember(self, table: OrderedDict[Any, Any], key: Any, value: Any) -> None:
        table[key] = value
        table.move_to_end(key)
        # Bounded memory over months: forget what was not seen for longest.
        while len(table) > self.max_keys:
            table.popitem(last=False)


class RedactingFilter(logging.Filter):
    """Masks secrets in the message, its arguments and any traceback; never drops a record."""

    def __init__(self, redactor: Redactor) -> None:
        super().__init__()
        self.redactor = redactor

    def filter(self, record: logging.LogRecord) -> bool:
        """Replace msg/args with the redacted text (and the traceback text likewise)."""
        try:
            message = record.getMessage()
        except Exception:  # a bad %-format must not lose the event
            message = f"{record.msg!r} % {record.args!r}"
        record.msg, record.args = self.redactor(message), ()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redactor(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redactor(record.stack_info)
        return True


class RecentErrors(logging.Handler):
    """Keeps the last few warnings/errors (already redacted) for the status file."""

    def __init__(self, size: int = 10, level: int = logging.WARNING) -> None:
        super().__init__(level)
        self._entries: OrderedDict[tuple[str, str], ErrorEntry] = OrderedDict()
        self.size = size

    def emit(self, record: logging.LogRecord) -> None:
        """Record (or fold into an existing entry) one warning/error."""
        message = _one_line(record.getMessage())[:300]
        key = (record.name, message)
        at = datetime.fromtimestamp(record.created, KST)
        old = self._entries.pop(key, None)
        count = (old.count if old else 0) + 1
        self._entries[key] = ErrorEntry(at=at, where=record.name, message=message, count=count)
        while len(self._entries) > self.size:
            self._entries.popitem(last=False)

    def entries(self) -> tuple[ErrorEntry, ...]:
        """Oldest first, for ``StatusReport.errors``."""
        self.acquire()
        try:
            return tuple(self._entries.values())
        finally:
            self.release()


@dataclass(frozen=True)
class LogSetup:
    """What ``setup_logging`` installed; keep it to update secrets or read recent errors."""

    handler: logging.Handler
    redactor: Redactor
    recent: RecentErrors
    journal: bool

    def set_secrets(self, secrets: Iterable[str]) -> None:
        """Replace the masked secrets (call after a reload changed the keys)."""
        self.redactor.update(secrets)


def parse_level(level: str | int) -> int:
    """'info', 'WARNING', 20 -> a logging level; ValueError naming the bad value."""
    if isinstance(level, int):
        return level
    value = logging.getLevelName(str(level).strip().upper())
    if not isinstance(value, int):
        raise ValueError(f"unknown log level {level!r} (use debug, info, warning or error)")
    return value


def setup_logging(
    level: str | int = "INFO",
    secrets: Iterable[str] = (),
    *,
    stream: IO[str] | None = None,
    environ: Mapping[str, str] | None = None,
    rate_limit_s: float = 60.0,
    clock: Callable[[], float] = time.monotonic,
    journal: bool | None = None,
    redactor: Redactor | None = None,
) -> LogSetup:
    """Install the kiosk's handlers on the root logger (again on reload: it replaces its own).

    ``redactor``: the kiosk's one redactor (``secrets`` then only seed it); else one is made.
    """
    lvl = parse_level(level)
    stream = sys.stderr if stream is None else stream
    env = os.environ if environ is None else environ
    use_journal = on_journal(stream, env) if journal is None else journal
    if redactor is None:
        redactor = Redactor(secrets)

    handler = logging.StreamHandler(stream)
    handler.setFormatter(JournalFormatter() if use_journal else PlainFormatter())
    # Order matters: rate-limit on the message template before redaction formats it.
    handler.addFilter(RateLimitFilter(rate_limit_s, clock=clock))
    handler.addFilter(RedactingFilter(redactor))
    recent = RecentErrors()
    recent.addFilter(RedactingFilter(redactor))

    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, _MARK, False)]:
        root.removeHandler(old)
    for new in (handler, recent):
        setattr(new, _MARK, True)
        root.addHandler(new)
    root.setLevel(lvl)
    for name in QUIET_LOGGERS:
        logging.getLogger(name).setLevel(max(lvl, logging.WARNING))
    logging.captureWarnings(True)
    return LogSetup(handler=handler, redactor=redactor, recent=recent, journal=use_journal)
