"""Files that are either the old version or the new one, never half of either."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def identity(path: Path) -> tuple[int, int] | None:
    """What ``path`` names (through symlinks) as (device, inode), to notice it moved aside or
    replaced by another process; None if absent."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


def write_atomic(
    path: Path | str,
    data: bytes,
    mode: int | None = None,
    sync_dir: bool = False,
    durable: bool = True,
) -> None:
    """Write ``data`` to ``path`` atomically: a temporary file beside it, fsync, rename.

    A power cut leaves the old file or the new one. ``durable=False`` skips the fsync: readers
    still see the old file or the new one, never half of either (the rename is atomic), but
    after a power cut the file may be empty or gone: for a file that describes a running
    process and is worthless after one (the status file in the runtime dir).

    The temporary file's name starts with a dot and has no suffix, so readers of a folder (the
    notice spool, node_exporter's ``*.prom``) never pick it up. ``mode`` sets the permissions
    explicitly (the unit's UMask would apply otherwise); ``sync_dir`` also makes the rename
    itself durable (fsync of the folder).
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        if mode is not None:
            os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            if durable:
                os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    if sync_dir:
        fsync_dir(path.parent)


def fsync_dir(path: Path | str) -> None:
    """Make a rename or unlink in ``path`` durable (the folder itself on disk); never raises."""
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
