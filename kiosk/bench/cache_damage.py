"""The soak's damaged HTTP cache: a real SQLite file with its pages overwritten after the header,
in place before the kiosk starts, and put in place of the live file mid-run (as a technician's
copy or another process would), so that the kiosk meets damage at open and while it runs."""

from __future__ import annotations

import os
import random
import sqlite3
from pathlib import Path

_ROWS = 60  # enough pages that damage after the first one hits the tree


def damaged_copy(path: Path, seed: int = 11) -> None:
    """Write a damaged SQLite cache file at ``path`` (a valid header, garbage pages after it)."""
    tmp = path.with_name(path.name + ".soak-new")
    tmp.unlink(missing_ok=True)
    db = sqlite3.connect(tmp)
    try:
        with db:
            db.execute("CREATE TABLE responses (key TEXT PRIMARY KEY, value BLOB, expires INTEGER)")
            db.executemany(
                "INSERT INTO responses VALUES (?, ?, NULL)",
                [(f"soak-{i}", os.urandom(3000)) for i in range(_ROWS)],
            )
    finally:
        db.close()
    size = tmp.stat().st_size
    rnd = random.Random(seed)
    with open(tmp, "r+b") as f:
        f.seek(4096)
        f.write(bytes(rnd.randrange(256) for _ in range(size - 4096)))
    os.replace(tmp, path)  # a new file at the path: the running kiosk sees it is not its own
    # As whoever restores a file over a live SQLite database must: without its log (a log left
    # beside it would be replayed into the new file, which then reads as the old one).
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def moved_aside(folder: Path) -> int:
    """How many damaged copies the kiosk moved aside in ``folder``."""
    return sum(1 for p in folder.glob("*.corrupt*") if not p.name.endswith("-wal"))
