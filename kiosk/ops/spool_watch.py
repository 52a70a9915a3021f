"""Told by the kernel when the notice spool changes (inotify), so the kiosk need not look.

``SpoolWatch(path)`` opens one inotify descriptor; the runner hands ``fileno()`` to the event
loop and calls ``drain()`` when it is readable, then reads the spool again. It watches the
spool directory for a file put there, renamed, written and closed, chmod'ed or removed; the
directory's own removal or rename is noticed and the watch put back when it comes again.
While the directory does not exist (yet) the nearest directory above it that does is watched
for its creation, one level at a time.

Linux only, standard library only (ctypes): where inotify is missing, or the per-user watch
limit is reached, ``available`` is False and the caller reads the spool on a timer instead.
The watch is a wake-up, not the record: whatever the events say, the spool is read as it is.
"""

from __future__ import annotations

import ctypes
import errno
import logging
import os
import struct
from pathlib import Path

from kiosk.libc import libc_function
from kiosk.ops.files import identity

log = logging.getLogger("kiosk.notices")

IN_MODIFY = 0x002
IN_ATTRIB = 0x004
IN_CLOSE_WRITE = 0x008
IN_MOVED_FROM = 0x040
IN_MOVED_TO = 0x080
IN_CREATE = 0x100
IN_DELETE = 0x200
IN_DELETE_SELF = 0x400
IN_MOVE_SELF = 0x800
IN_Q_OVERFLOW = 0x4000
IN_IGNORED = 0x8000
IN_ONLYDIR = 0x01000000
IN_NONBLOCK = os.O_NONBLOCK
IN_CLOEXEC = os.O_CLOEXEC

# A file written in place wakes the kiosk once it is closed (IN_CLOSE_WRITE), not when it is
# made (IN_CREATE: still empty) nor at each write: half a file read would be refused and
# logged, then read again. `kiosk notice show` renames a finished file in (IN_MOVED_TO).
SPOOL_EVENTS = (
    IN_CLOSE_WRITE
    | IN_ATTRIB
    | IN_MOVED_FROM
    | IN_MOVED_TO
    | IN_DELETE
    | IN_DELETE_SELF
    | IN_MOVE_SELF
)
PARENT_EVENTS = IN_CREATE | IN_MOVED_TO | IN_DELETE_SELF | IN_MOVE_SELF
_GONE = IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED
_HEADER = struct.Struct("iIII")  # struct inotify_event: wd, mask, cookie, len (then the name)
_ARM_TRIES = 8  # a spool made level by level while it is being armed: look again, this often


class SpoolWatch:
    """One inotify descriptor on the spool directory (or, while it is missing, an ancestor)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._fd = -1
        self._wd: int | None = None
        self.watching: Path | None = None  # the spool itself, or the ancestor it waits in
        self._ident: tuple[int, int] | None = None  # (st_dev, st_ino) of what is watched
        self._failed: str | None = None  # why no watch could be set (logged once per reason)
        init = libc_function("inotify_init1")
        self._add = libc_function("inotify_add_watch")
        self._rm = libc_function("inotify_rm_watch")
        if init is None or self._add is None or self._rm is None:
            log.info("notice spool: no inotify here, the spool is read once a second")
            return
        fd = init(IN_NONBLOCK | IN_CLOEXEC)
        if fd < 0:
            log.warning(
                "notice spool: cannot watch %s (%s): read once a second",
                self.path,
                os.strerror(ctypes.get_errno()),
            )
            return
        self._fd = fd
        self.watch(self.path)

    @property
    def available(self) -> bool:
        """Whether the kernel reports the spool's changes (else: read it on a timer)."""
        return self._fd >= 0 and self.watching is not None

    def fileno(self) -> int:
        return self._fd

    def watch(self, path: Path) -> None:
        """Watch ``path`` from now on (a reloaded config may move the spool)."""
        self.path = Path(path)
        self._arm()

    def _arm(self) -> None:
        """Watch the spool, or the nearest directory above it that exists; the new watch is
        added before the old one goes, so no change falls between the two."""
        if self._fd < 0:
            return
        assert self._add is not None and self._rm is not None
        old = self._wd
        for _ in range(_ARM_TRIES):
            target, mask = self.path, SPOOL_EVENTS
            while True:
                wd = self._add(self._fd, os.fsencode(target), mask | IN_ONLYDIR)
                if wd >= 0:
                    break
                err = ctypes.get_errno()
                if err in (errno.ENOENT, errno.ENOTDIR) and target.parent != target:
                    target, mask = target.parent, PARENT_EVENTS  # wait for it to be made
                    continue
                self._give_up(target, os.strerror(err), old)
                return
            if old is not None and old != wd:
                self._rm(self._fd, old)  # EINVAL if the kernel dropped it already: fine
            self._wd, self.watching, self._ident, old = wd, target, identity(target), wd
            self._failed = None
            if target == self.path or not _next_level(target, self.path).exists():
                return
            # The next level was made between the failed add and this one: go on down.
        log.warning("notice spool: %s keeps changing while it is watched", self.path)

    def _give_up(self, target: Path, reason: str, old: int | None) -> None:
        if old is not None:
            assert self._rm is not None
            self._rm(self._fd, old)
        self._wd, self.watching, self._ident = None, None, None
        if self._failed != reason:  # once per reason: verify() tries again at every read
            log.warning("notice spool: cannot watch %s (%s): read once a second", target, reason)
            self._failed = reason

    def verify(self) -> None:
        """Watch again where what is watched is not what should be: the directory replaced
        or renamed above the spool, a symlinked spool pointed elsewhere, the spool made in a
        moment no event covered, or a watch that could not be set (limit reached)."""
        if self._fd < 0:
            return
        want = _nearest(self.path)
        if self.watching != want or self._ident != identity(want):
            self._arm()

    def drain(self) -> bool:
        """Read every pending event; True if one of them may have changed the spool. Re-arms
        where the directory went, or, while waiting in an ancestor, when the next level of the
        spool's path was made there."""
        if self._fd < 0:
            return False
        got, rearm = False, False
        while True:
            try:
                buf = os.read(self._fd, 65536)
            except BlockingIOError:
                break
            except OSError as e:
                log.warning("notice spool: inotify read failed (%s)", e.strerror)
                break
            if not buf:
                break
            offset = 0
            watching = self.watching
            waiting = watching is not None and watching != self.path
            step = _next_level(watching, self.path).name if watching and waiting else ""
            while offset + _HEADER.size <= len(buf):
                wd, mask, _cookie, length = _HEADER.unpack_from(buf, offset)
                start = offset + _HEADER.size
                offset = start + length
                if mask & IN_Q_OVERFLOW:  # events were lost: read the spool, watch afresh
                    got = rearm = True
                elif wd != self._wd:  # the IN_IGNORED of a watch given up in _arm
                    continue
                elif mask & _GONE:
                    got = rearm = True
                elif not waiting:
                    got = True
                elif os.fsdecode(buf[start:offset].rstrip(b"\0")) == step:
                    got = rearm = True  # the next level of the spool's path was made
        if rearm:
            self._arm()
        return got

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)
            self._fd, self._wd, self.watching, self._ident = -1, None, None, None


def _nearest(path: Path) -> Path:
    """``path`` if it exists, else the nearest directory above it that does."""
    while not path.exists() and path.parent != path:
        path = path.parent
    return path


def _next_level(ancestor: Path, path: Path) -> Path:
    """The directory one level below ``ancestor`` on the way to ``path``."""
    return ancestor / path.relative_to(ancestor).parts[0]
