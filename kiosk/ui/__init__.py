"""Qt views. The only package that imports PySide6 or pyqtgraph; of the project it imports
kiosk.core only (and kiosk.libc for the heap tuning: the contracts in pyproject.toml).

Importing this package first makes PySide6's import hook stop keeping module sources in memory
(see ``_lean_feature_check``).
"""

from __future__ import annotations

import sys


def _lean_feature_check() -> bool:
    """Make shiboken's per-import check read files instead of filling ``linecache``.

    PySide6 (shibokensupport.feature) decides, for every module imported after it (and every
    module imported before it), whether the module uses PySide6 by reading its source with
    ``inspect.getsource``, which leaves every source file's lines in ``linecache`` for the life
    of the process: ~9 million characters, ~20 MB of RSS in the running kiosk that nothing
    reads (tracebacks reload lines on demand). The same answer comes from reading the file's
    bytes once. Modules without a ``.py`` file go to PySide6's own check. Returns whether the
    check was replaced (False on a PySide6 without it: nothing changes there).
    """
    import shiboken6  # noqa: F401 (installs shibokensupport, before PySide6 scans sys.modules)

    feature = sys.modules.get("shibokensupport.feature")
    original = getattr(feature, "_mod_uses_pyside", None)
    if original is None or getattr(original, "_kiosk_lean", False):
        return False

    def _mod_uses_pyside(module) -> bool:
        path = getattr(module, "__file__", None)
        if isinstance(path, str) and path.endswith(".py"):
            try:
                with open(path, "rb") as f:
                    return b"PySide6" in f.read()
            except OSError:
                pass
        return original(module)

    _mod_uses_pyside._kiosk_lean = True  # type: ignore[attr-defined]
    feature._mod_uses_pyside = _mod_uses_pyside  # type: ignore[union-attr]
    return True


LEAN_FEATURE_CHECK = _lean_feature_check()
