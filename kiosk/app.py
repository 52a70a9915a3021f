"""Composition root: config -> data sources -> (panel) -> UI. The only place that reads the clock."""

from __future__ import annotations

import argparse
import logging
from datetime import datetime
from pathlib import Path

from kiosk.config import Config, Layout
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.timeutil import now_kst
from kiosk.errors import SourceError

log = logging.getLogger("kiosk")

PAGE_SOURCES = {
    "arrivals": ("subway",),
    "air_quality": ("air", "air_history"),
    "parks": ("parks", "trails"),
    "bikes": ("bikes",),
    "events": ("events",),
    "buses": ("bus",),
}


def window_setup(cfg: Config, layout: Layout):  # -> kiosk.ui.window.WindowSetup
    """Plain values for the window, from config and layout."""
    from kiosk.core.views.buses import StopSpec
    from kiosk.ui.window import PageSetup, WindowSetup

    st = cfg.station
    stops = tuple(
        StopSpec(s.ars_id, s.name.ko if s.name else "", s.name.en if s.name else "", s.routes or ())
        for s in st.bus_stops
    )
    return WindowSetup(
        station_ko=st.name.ko,
        station_en=st.name.en,
        lines=tuple(st.lines),
        district=st.district,
        lat=st.location.lat,
        lon=st.location.lon,
        pages=tuple(PageSetup(p.id, p.kind, p.duration, p.max_items) for p in layout.pages),
        transition_ms=layout.transition.duration_ms if layout.transition.kind == "fade" else 0,
        freshness={
            k: (float(v.stale_after), float(v.unavailable_after))
            for k, v in cfg.sources.freshness.items()
        },
        bus_stops=stops,
    )


def needed_sources(layout: Layout) -> tuple[str, ...]:
    """Every source the layout's pages show, in page order."""
    out: list[str] = []
    for p in layout.pages:
        out += [s for s in PAGE_SOURCES[p.kind] if s not in out]
    return tuple(out)


def demo_snapshots(cfg: Config, layout: Layout, now: datetime) -> list[Snapshot]:
    """Bundled recordings replayed through the real parsers, shifted to ``now``."""
    from kiosk.sources.demo import load_demo

    snaps: list[Snapshot] = []
    for source in needed_sources(layout):
        try:
            items = load_demo(source, cfg.station.subway_station, now)
        except SourceError as e:
            snaps.append(Snapshot(source, (), None, FeedStatus.ERROR, e.one_line()))
            continue
        if source == "subway":
            items = tuple(a for a in items if a.line_id in cfg.station.lines)
        snaps.append(Snapshot(source, tuple(items), now, FeedStatus.OK))
    return snaps


def snapshot_pages(cfg: Config, layout: Layout, args: argparse.Namespace) -> int:
    """`kiosk snapshot`: render pages offscreen to PNG files."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.ui.runtime import render_pages

    now = now_kst()
    if cfg.sources.demo:
        snaps = demo_snapshots(cfg, layout, now)
    else:
        snaps = _fetch_once(cfg, layout, now)
    files = render_pages(
        window_setup(cfg, layout), tuple(args.size), snaps, now_kst, Path(args.out), args.page
    )
    for f in files:
        print(f)
    return 0


def _fetch_once(cfg: Config, layout: Layout, now: datetime) -> list[Snapshot]:
    """One poll of every source the layout shows (live data for `kiosk snapshot`)."""
    from kiosk.poller.service import fetch_once

    return fetch_once(cfg, needed_sources(layout), now)


def run_kiosk(cfg: Config, layout: Layout, args: argparse.Namespace) -> int:
    """`kiosk run`: the full-screen kiosk until SIGTERM."""
    from kiosk.config import resolve_config_path
    from kiosk.runner import run

    return run(resolve_config_path(args.config), cfg, layout, args)
