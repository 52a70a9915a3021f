"""Functions of the C library, looked up once by name (glibc tuning, prctl, inotify).

Standard library only and free of Qt: the bench's measuring child calls it before it imports
Qt, and the UI's heap tuning calls it too (the one exception to "kiosk.ui imports only
kiosk.core", named in pyproject.toml's import-linter contract).
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Callable
from functools import cache
from typing import Any


@cache
def _libc() -> ctypes.CDLL | None:
    path = ctypes.util.find_library("c")
    try:
        # use_errno: a failed call's errno is kept for ctypes.get_errno() (inotify's callers
        # name the reason); the calls that ignore it are unchanged.
        return ctypes.CDLL(path, use_errno=True) if path else None
    except OSError:
        return None


def libc_function(name: str) -> Callable[..., Any] | None:
    """``name`` from the C library, or None where there is no such function (not glibc)."""
    lib = _libc()
    return getattr(lib, name, None) if lib is not None else None
