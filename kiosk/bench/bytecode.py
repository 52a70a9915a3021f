"""The kiosk's modules compiled to bytecode before its starts are timed, as an installed kiosk's
are: `pip install` compiles a package's modules when it installs it (scripts/install.sh), but a
checkout installed for development (``pip install -e``) is compiled only as it is imported, and
with ``PYTHONDONTWRITEBYTECODE=1`` (the unit's, and this machine's) never kept, so every start
would compile ~110 modules again (about 0.15 s of the first frame on the 2-core machine)."""

from __future__ import annotations

import compileall
import contextlib
import io
from pathlib import Path

import kiosk

PACKAGE = Path(kiosk.__file__).resolve().parent


def compile_package(package: Path = PACKAGE) -> bool:
    """Write the package's missing or outdated ``__pycache__`` files (a no-op when they are
    current, as pip leaves an installed package); False where the folder cannot be written,
    and the starts then compile as they go."""
    with contextlib.redirect_stdout(io.StringIO()):  # compileall prints what fails to stdout
        return bool(compileall.compile_dir(package, quiet=2, force=False))
