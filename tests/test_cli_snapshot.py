"""End to end: `kiosk snapshot` renders every page of each station's demo to PNG; `kiosk run` without
a display explains itself instead of crashing."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from PySide6.QtGui import QImage

from tests.conftest import EXAMPLES, REPO


def _kiosk(
    *args: str, env_extra: dict | None = None, timeout: int = 120
) -> subprocess.CompletedProcess:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", **(env_extra or {}))
    return subprocess.run(
        [sys.executable, "-m", "kiosk", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
        cwd=REPO,
    )


def _distinct_colours(img: QImage, step: int = 40) -> int:
    return len(
        {img.pixel(x, y) for x in range(0, img.width(), step) for y in range(0, img.height(), step)}
    )


@pytest.mark.parametrize("config", EXAMPLES, ids=lambda p: p.stem)
def test_snapshot_renders_every_page_of_the_demo(tmp_path, config):
    r = _kiosk("snapshot", "--config", str(config), "--size", "1920x1080", "--out", str(tmp_path))
    assert r.returncode == 0, r.stderr
    files = sorted(p.name for p in tmp_path.glob("*.png"))
    assert files == [
        "air.png",
        "arrivals-again.png",
        "arrivals.png",
        "bikes.png",
        "buses.png",
        "events.png",
        "parks.png",
    ]
    for name in files:
        img = QImage(str(tmp_path / name))
        assert (img.width(), img.height()) == (1920, 1080)
        assert _distinct_colours(img) > 8, f"{name} looks blank"


def test_snapshot_one_page_at_4k(tmp_path):
    r = _kiosk("snapshot", "--config", str(EXAMPLES[0]), "--out", str(tmp_path), "--page", "air")
    assert r.returncode == 0, r.stderr
    assert [p.name for p in tmp_path.glob("*.png")] == ["air.png"]
    img = QImage(str(tmp_path / "air.png"))
    assert (img.width(), img.height()) == (3840, 2160)


def test_a_one_page_snapshot_reads_every_source_its_footer_shows(tmp_path, monkeypatch):
    import kiosk.poller.service as service
    from kiosk import app
    from kiosk.config import load_all

    asked: list[tuple[str, ...]] = []
    real = service.fetch_once

    def spy(cfg, sources, now, env=None):
        asked.append(tuple(sources))
        return real(cfg, sources, now, env)

    monkeypatch.setattr(service, "fetch_once", spy)
    cfg, layout = load_all(EXAMPLES[0])
    assert app.snapshot_pages(cfg, layout, (1280, 720), tmp_path, ["parks"])
    # Not only parks' own: the footer says how old the trains, air, bikes... are.
    assert asked == [app.needed_sources(layout)] and "air" in asked[0]


def test_snapshot_unknown_page_is_a_usage_error(tmp_path):
    r = _kiosk(
        "snapshot", "--config", str(EXAMPLES[0]), "--out", str(tmp_path), "--page", "weather"
    )
    assert r.returncode == 2
    assert (
        r.stderr.strip()
        == "--page: unknown page id 'weather' (layout has: air, arrivals, arrivals-again, bikes, buses, events, parks)"
    )


def test_bad_size_is_a_usage_error():
    r = _kiosk("snapshot", "--config", str(EXAMPLES[0]), "--size", "big")
    assert r.returncode == 2 and "expected WIDTHxHEIGHT" in r.stderr and "Traceback" not in r.stderr


def test_run_without_a_display_says_what_to_do_instead():
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")
    }
    r = subprocess.run(
        [sys.executable, "-m", "kiosk", "run", "--config", str(EXAMPLES[0])],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        cwd=REPO,
    )
    assert r.returncode == 1
    assert "no display" in r.stderr and "kiosk snapshot" in r.stderr and "--windowed" in r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_run_on_a_screen_that_is_not_there_is_one_clear_line():
    # The UI raises its own DisplayProblem (it imports kiosk.core only); the runner maps it.
    r = _kiosk("run", "--config", str(EXAMPLES[0]), "--screen", "5", timeout=60)
    assert r.returncode == 1
    assert r.stderr.strip() == "kiosk run: screen 5: only 1 screen(s) found"
