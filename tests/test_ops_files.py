"""Atomic file writes: the old version or the new one, synced to disk unless told otherwise."""

from __future__ import annotations

import os
import stat

import pytest

from kiosk.ops import files
from kiosk.ops.files import write_atomic


@pytest.mark.parametrize("durable", [True, False])
def test_a_file_is_replaced_whole_with_its_mode_and_synced_only_when_durable(
    tmp_path, monkeypatch, durable
):
    synced: list[int] = []
    real = os.fsync
    monkeypatch.setattr(files.os, "fsync", lambda fd: (synced.append(fd), real(fd))[1])
    path = tmp_path / "status.json"
    path.write_bytes(b"old")
    write_atomic(path, b"new contents", mode=0o644, durable=durable)
    assert path.read_bytes() == b"new contents"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]  # no temporary file left
    assert bool(synced) is durable


def test_a_failed_write_leaves_the_old_file_and_no_temporary_one(tmp_path, monkeypatch):
    path = tmp_path / "status.json"
    path.write_bytes(b"old")

    def fail(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(files.os, "replace", fail)
    with pytest.raises(OSError):
        write_atomic(path, b"new", durable=False)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]
