"""Resident memory of a process from /proc: RSS, and USS (the pages only it holds)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Memory:
    """Megabytes (MiB): RSS counts shared library pages too; USS is what exiting would free."""

    rss_mb: float
    uss_mb: float


def read_memory(pid: int | str = "self", proc: Path = Path("/proc")) -> Memory:
    """RSS and USS (Private_Clean + Private_Dirty) from ``/proc/<pid>/smaps_rollup``."""
    fields: dict[str, int] = {}
    text = (proc / str(pid) / "smaps_rollup").read_text(encoding="ascii", errors="replace")
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if len(parts) == 2 and parts[1] == "kB" and parts[0].isdigit():
            fields[name.strip()] = int(parts[0])
    if "Rss" not in fields:
        raise OSError(f"no Rss line in {proc / str(pid) / 'smaps_rollup'}")
    uss_kb = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return Memory(fields["Rss"] / 1024.0, uss_kb / 1024.0)
