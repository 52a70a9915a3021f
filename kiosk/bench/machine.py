"""The machine a bench ran on, for the report: CPU model and cores (what the ratios travel to)."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_model(cpuinfo: Path = Path("/proc/cpuinfo")) -> str:
    """The CPU's model name from /proc/cpuinfo ("model name", or an ARM board's "Model" /
    "Hardware"), else what Python knows; never empty."""
    found: dict[str, str] = {}
    try:
        text = cpuinfo.read_text(encoding="utf-8", errors="replace")
    except OSError:
        text = ""
    for line in text.splitlines():
        name, sep, value = line.partition(":")
        name, value = name.strip().lower(), value.strip()
        if sep and value and name not in found:
            found[name] = value
    for key in ("model name", "model", "hardware", "cpu model", "processor"):
        value = found.get(key, "")
        if value and not value.isdigit():
            return value
    return platform.processor() or platform.machine() or "unknown CPU"


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def describe() -> dict[str, object]:
    """CPU model, cores and kernel, for the report's header and JSON."""
    return {"cpu": cpu_model(), "cores": cores(), "kernel": platform.release()}
