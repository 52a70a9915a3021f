"""glibc tuning for a process that grabs big pixmaps: mmap threshold and heap trimming."""

from __future__ import annotations

import sys

from kiosk.libc import libc_function

M_MMAP_THRESHOLD = -3  # glibc mallopt(3)
BIG_BUFFER_BYTES = 1 << 20


def return_big_buffers_to_the_system() -> None:
    """Allocate every buffer of 1 MiB or more with mmap, so that freeing it unmaps it.

    A cross-fade grabs the old page into a pixmap (26 MB at 3840x2160) and frees it 600 ms
    later. glibc raises its mmap threshold to the size of a freed mmapped block, so from the
    second fade on these pixmaps came from the heap, which keeps freed memory: RSS rose by
    ~80 MB over the first hundred page changes. A fixed threshold keeps RSS flat.
    """
    mallopt = libc_function("mallopt")
    if mallopt is not None and sys.platform.startswith("linux"):
        mallopt(M_MMAP_THRESHOLD, BIG_BUFFER_BYTES)


def trim_heap() -> None:
    """Give freed heap memory back to the system (glibc keeps small freed blocks)."""
    trim = libc_function("malloc_trim")
    if trim is not None:
        trim(0)
