"""A real small disk for tests: a tmpfs of a few hundred KiB, which can be filled to ENOSPC and
remounted read-only. Mounting needs root (or CAP_SYS_ADMIN); without it the test is skipped and
says why.

    with SmallDisk(tmp_path / "disk", kib=512) as disk:
        ...                      # disk.path is the mount point
        disk.fill()              # every free byte taken: writes fail with ENOSPC
        disk.free()              # the filler removed
        disk.read_only()         # mount -o remount,ro
"""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path

import pytest


class SmallDisk:
    """A tmpfs mounted at ``path`` for the length of a ``with`` block."""

    def __init__(self, path: Path, kib: int = 512):
        self.path = path
        self.kib = kib
        self._mounted = False

    def _mount(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30)

    def __enter__(self) -> SmallDisk:
        self.path.mkdir(parents=True, exist_ok=True)
        r = self._mount("-t", "tmpfs", "-o", f"size={self.kib}k,mode=0755", "tmpfs", str(self.path))
        if r.returncode != 0:
            pytest.skip(f"cannot mount a tmpfs (needs root): {r.stderr.strip()}")
        self._mounted = True
        return self

    def __exit__(self, *exc: object) -> None:
        if self._mounted:
            subprocess.run(["umount", "-l", str(self.path)], capture_output=True, timeout=30)
            self._mounted = False

    def fill(self, leave: int = 0) -> None:
        """Take every free byte (filler written until ENOSPC, in blocks, then byte by byte),
        then give back ``leave`` bytes (whole pages: tmpfs allocates 4 KiB at a time)."""
        with open(self.path / "filler", "ab", buffering=0) as f:
            for size in (65536, 4096, 1):
                block = b"\0" * size
                while True:
                    try:
                        f.write(block)
                    except OSError as e:
                        if e.errno != errno.ENOSPC:
                            raise
                        break
        assert os.statvfs(self.path).f_bavail == 0
        if leave:
            filler = self.path / "filler"
            os.truncate(filler, filler.stat().st_size - leave)

    def free(self) -> None:
        """Remove the filler."""
        (self.path / "filler").unlink(missing_ok=True)

    def read_only(self) -> None:
        """Remount read-only: nothing under ``path`` can be created or written, even by root."""
        r = self._mount("-o", "remount,ro", str(self.path))
        assert r.returncode == 0, r.stderr
