"""Page-sized pictures for the page turn: each in its own memory map, faulted in off the GUI
thread, and handed back to the system the moment the turn is over.

A 4K page picture is 25 MB. Allocated the usual way (malloc, which at that size maps fresh
memory) its first touch costs ~6,400 page faults, 15-20 ms on the GUI thread at the moment
the picture is first drawn into; kept for reuse it would stay in the kiosk's RSS forever. A
``Picture`` maps its own memory, asks for transparent huge pages where the kernel offers them
(2 MB pages: 13 faults instead of 6,400) and has a worker thread touch every page while the
GUI thread goes on (a read from /dev/zero into the map: the kernel does the faulting, with the
GIL released). ``release`` unmaps it, off the GUI thread as well (6 ms for 25 MB of small
pages): the memory leaves the process within milliseconds.
"""

from __future__ import annotations

import contextlib
import mmap
import threading

from PySide6.QtCore import QSize
from PySide6.QtGui import QImage

FORMAT = QImage.Format.Format_RGB32  # the raster backing store's own format: opaque, 4 bytes


def _populate(buffer: mmap.mmap, done: threading.Event) -> None:
    try:
        with open("/dev/zero", "rb", buffering=0) as zero:
            view = memoryview(buffer)
            try:
                filled = 0
                while filled < len(view):
                    n = zero.readinto(view[filled:])
                    if not n:
                        break
                    filled += n
            finally:
                view.release()
    except OSError:
        pass  # no /dev/zero: the pages fault in when the picture is first drawn into
    finally:
        done.set()


class Picture:
    """An opaque image (``image``) of ``size`` (logical pixels; ``dpr`` device pixels each) in
    memory of its own; ``ready`` once its memory is in."""

    def __init__(self, size: QSize, dpr: float = 1.0, populate: bool = True):
        self.size = QSize(max(1, size.width()), max(1, size.height()))
        w, h = round(self.size.width() * dpr), round(self.size.height() * dpr)
        self._map: mmap.mmap | None = mmap.mmap(-1, w * h * 4)
        advise = getattr(self._map, "madvise", None)
        huge = getattr(mmap, "MADV_HUGEPAGE", None)
        if advise is not None and huge is not None:
            with contextlib.suppress(OSError):  # none here: 4 KB pages, still off the GUI thread
                advise(huge)
        self.image: QImage | None = QImage(memoryview(self._map), w, h, w * 4, FORMAT)
        self.image.setDevicePixelRatio(dpr)
        self._done = threading.Event()
        if populate:
            threading.Thread(
                target=_populate, args=(self._map, self._done), name="picture", daemon=True
            ).start()
        else:
            self._done.set()

    @property
    def ready(self) -> bool:
        """Whether its memory is in (drawing into it costs no page faults)."""
        return self._done.is_set()

    def wait(self, timeout_s: float) -> bool:
        """Wait for the memory to be in; whether it is."""
        return self._done.wait(timeout_s)

    def release(self) -> None:
        """Give the memory back (the image must not be drawn from any more)."""
        self.image = None  # the one QImage on the map: it lets go of its buffer
        buffer, self._map = self._map, None
        if buffer is not None:
            threading.Thread(
                target=_unmap, args=(buffer, self._done), name="picture", daemon=True
            ).start()


def _unmap(buffer: mmap.mmap, populated: threading.Event) -> None:
    populated.wait(5.0)  # never unmap under the populating thread
    with contextlib.suppress(BufferError):  # still pointed into: the collector unmaps it
        buffer.close()
