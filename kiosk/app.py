"""The composition root: every part of a running kiosk is built here, from typed options.

    opts = RunOptions(config_path, windowed=True, size=(1920, 1080))
    run_kiosk(opts, cfg, layout)        # `kiosk run`: until SIGTERM
    kiosk = build_kiosk(opts, cfg, layout)   # the same kiosk, for `kiosk bench`
    snapshot_pages(cfg, layout, size, out_dir, page_ids)   # `kiosk snapshot`

config -> poller (session, coordinators, ledgers) -> panel -> Qt runtime (window, bridge) ->
the running ``kiosk.runner.Kiosk``. This is the only place that reads the clock (``now_kst``)
and the only module that knows how the parts fit; the window gets plain values only.
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import Config, FeedbackSpec, Layout, PageSpec, QrSpec
from kiosk.core.models import Snapshot
from kiosk.core.pages import sources_of
from kiosk.core.timeutil import KST, now_kst
from kiosk.errors import KioskError, SourceError
from kiosk.sources.registry import SOURCES, polled_sources

if TYPE_CHECKING:
    from kiosk.ops.redact import Redactor
    from kiosk.panel.service import PanelService
    from kiosk.poller.service import PollerService
    from kiosk.runner import Kiosk, Metrics
    from kiosk.ui.window_setup import PageSetup, WindowSetup

log = logging.getLogger("kiosk")


@dataclass(frozen=True)
class RunOptions:
    """How `kiosk run` was asked to run (the command line, typed)."""

    config_path: Path
    windowed: bool = False
    size: tuple[int, int] | None = None  # with ``windowed``; full screen takes the screen's
    screen: int | None = None  # overrides ``display.screen``


def window_setup(cfg: Config, layout: Layout) -> WindowSetup:
    """Plain values for the window, from config, layout and the source registry."""
    from kiosk.core.urltemplate import station_slug
    from kiosk.core.views.buses import StopSpec
    from kiosk.ui.window_setup import WindowSetup

    st = cfg.station
    shift = cfg.display.pixel_shift
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
        pages=tuple(_page_setup(p, layout) for p in layout.pages),
        transition_ms=layout.transition.duration_ms if layout.transition.kind == "fade" else 0,
        freshness={
            name: (p.stale_after_s, p.unavailable_after_s)
            for name in SOURCES
            for p in (cfg.sources.policy(name),)
        },
        labels={name: (s.label_ko, s.label_en) for name, s in SOURCES.items()},
        station_slug=station_slug(st.name.en),
        shift_pixels=shift.pixels,
        shift_every_s=shift.every,
        demo=cfg.sources.demo,
        demo_recorded=not cfg.sources.demo or _has_demo_recording(st.subway_station),
        bus_stops=stops,
        notice_seconds=cfg.notices.page_seconds,
    )


def _page_setup(page: PageSpec, layout: Layout) -> PageSetup:
    """A page's plain values; the page the layout names for the feedback code shows it."""
    from kiosk.ui.window_setup import PageSetup

    code: QrSpec | FeedbackSpec | None = page.qr
    if code is None and layout.feedback is not None and layout.feedback_page() == page.id:
        code = layout.feedback
    if code is None:
        return PageSetup(page.id, page.kind, page.duration, page.max_items)
    return PageSetup(
        page.id,
        page.kind,
        page.duration,
        page.max_items,
        qr_url=code.url,
        qr_ko=code.label.ko,
        qr_en=code.label.en,
    )


def _has_demo_recording(station: str) -> bool:
    from kiosk.sources.demo import station_key

    try:
        station_key(station)
    except SourceError:
        return False
    return True


def needed_sources(layout: Layout) -> tuple[str, ...]:
    """Every snapshot the layout's pages show, in page order (a source's kept history after
    it)."""
    out: list[str] = []
    for name in sources_of(p.kind for p in layout.pages):
        out += [n for n in (name, SOURCES[name].history) if n and n not in out]
    return tuple(out)


def demo_snapshots(cfg: Config, layout: Layout, now: datetime) -> list[Snapshot[Any]]:
    """The layout's snapshots from the bundled recordings, through the same poller as live data."""
    from kiosk.poller.service import fetch_once

    demo = cfg.model_copy(update={"sources": cfg.sources.model_copy(update={"demo": True})})
    return fetch_once(demo, needed_sources(layout), now)


def snapshot_pages(
    cfg: Config, layout: Layout, size: tuple[int, int], out_dir: Path, page_ids: Sequence[str]
) -> list[Path]:
    """`kiosk snapshot`: one poll of what the layout shows, every page rendered to PNG."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from kiosk.errors import ConfigError
    from kiosk.poller.service import fetch_once
    from kiosk.ui.offscreen import render_pages
    from kiosk.ui.problems import DisplayProblem, UnknownPages

    known = [p.id for p in layout.pages]
    unknown = [p for p in page_ids if p not in known]
    if unknown:
        raise ConfigError(
            [
                f"--page: unknown page id {u!r} (layout has: {', '.join(sorted(known))})"
                for u in unknown
            ]
        )
    # Every source the layout shows, whichever pages are drawn: the footer gives every one's age.
    snaps = fetch_once(cfg, needed_sources(layout), now_kst())
    try:
        return render_pages(window_setup(cfg, layout), size, snaps, now_kst, out_dir, page_ids)
    except UnknownPages as e:  # the UI's own problems, mapped at this boundary
        raise ConfigError(e.problems) from None
    except DisplayProblem as e:
        raise KioskError(str(e)) from None


def build_kiosk(
    opts: RunOptions, cfg: Config, layout: Layout, now: Callable[[], datetime] = now_kst
) -> Kiosk:
    """Every part of the running kiosk, wired: the one place that decides how they fit."""
    from apscheduler.schedulers.background import BackgroundScheduler

    from kiosk.ops.logging import setup_logging
    from kiosk.ops.notice_feed import NoticeFeed
    from kiosk.ops.notice_spool import NoticeSpool
    from kiosk.ops.redact import Redactor, install_log_redaction
    from kiosk.ops.screenlog import ScreenLog, default_path
    from kiosk.ops.sdnotify import Notifier
    from kiosk.ops.status import status_path
    from kiosk.runner import Kiosk, Services
    from kiosk.ui.problems import DisplayProblem
    from kiosk.ui.qtapp import qt_version
    from kiosk.ui.runtime import KioskRuntime

    redactor = Redactor(_secrets(cfg))
    install_log_redaction(redactor)
    logs = setup_logging(os.environ.get("KIOSK_LOG_LEVEL", "INFO"), redactor=redactor)
    try:
        runtime = KioskRuntime(
            window_setup(cfg, layout),
            opts.size,
            opts.windowed,
            opts.screen if opts.screen is not None else cfg.display.screen,
            cfg.display.hide_cursor,
            now,
        )
    except DisplayProblem as e:  # the UI's own problem, mapped at this boundary
        raise KioskError(str(e)) from None
    # Panel jobs (schedule, read-back) run in their own scheduler's worker threads.
    scheduler = BackgroundScheduler(
        timezone=KST, job_defaults={"coalesce": True, "max_instances": 1}
    )
    scheduler.start()

    services = Services(
        start_poller=lambda c, lay, publish: _start_poller(c, lay, publish, now, redactor),
        start_panel=lambda c, listener: _start_panel(c, scheduler, listener),
        window_setup=window_setup,
        secrets=_secrets,
        now=now,
        stop_scheduler=lambda: scheduler.shutdown(wait=False),
        notice_feed=lambda c: NoticeFeed(
            NoticeSpool(c.notices.spool_path), c.notices.rules(c.station.district)
        ),
        start_metrics=lambda c: _start_metrics(c, now),
    )
    return Kiosk(
        opts.config_path,
        cfg,
        layout,
        runtime=runtime,
        services=services,
        logs=logs,
        redactor=redactor,
        notifier=Notifier.from_environ(),
        screenlog=ScreenLog(default_path()),
        status_file=status_path(),
        qt=qt_version(),
        metrics=_start_metrics(cfg, now),
    )


def run_kiosk(opts: RunOptions, cfg: Config, layout: Layout) -> int:
    """`kiosk run`: the full-screen kiosk until SIGTERM; returns the exit code."""
    from kiosk.ui.qtapp import NO_DISPLAY_HELP, display_available

    if not display_available():
        raise KioskError(NO_DISPLAY_HELP)
    kiosk = build_kiosk(opts, cfg, layout)
    try:
        code = kiosk.rt.exec()
    finally:
        idle = kiosk.shutdown()
    if not idle:
        # A worker still waits on the network (a server dribbling bytes, a DNS lookup): the
        # interpreter would join it at exit, past the unit's TimeoutStopSec. Everything of ours
        # is closed; leave without it.
        log.warning("stopping without waiting for a request still in flight")
        logging.shutdown()
        for stream in (sys.stdout, sys.stderr):
            stream.flush()
        os._exit(code)
    return code


def _secrets(cfg: Config) -> tuple[str, ...]:
    """What the one redactor masks: the API keys and the station Redis's password."""
    from kiosk.poller.keys import load_keys
    from kiosk.poller.redis_target import target_secrets

    src = cfg.sources
    if src.demo:
        return ()
    return (*load_keys(src).secrets(), *target_secrets(src.cache_url, src.cache_password_file))


def _start_metrics(cfg: Config, now: Callable[[], datetime]) -> Metrics:
    """Prometheus metrics as `metrics:` asks (both ways off: a sink that does nothing)."""
    from kiosk import __version__
    from kiosk.buildinfo import commit
    from kiosk.ops.metrics_export import start_metrics

    # kiosk_info{version="0.1.0+7657bca1f2e3"}: which release and which commit.
    return start_metrics(cfg.metrics, cfg.station.name.en, f"{__version__}+{commit()}", now)


def _start_poller(
    cfg: Config,
    layout: Layout,
    publish: Callable[[Any], None],
    now: Callable[[], datetime],
    redactor: Redactor,
) -> PollerService:
    """Poll what the layout's pages show (a source no page shows costs no calls), and the
    sources polled always (the alert feed); demo mode replays only what it has recordings of."""
    from kiosk.poller.rc_import import import_requests_cache

    import_requests_cache(with_redis=cfg.sources.cache_url is not None)
    from kiosk.poller.service import PollerService

    polled = polled_sources((p.kind for p in layout.pages), cfg.sources.demo)
    poller = PollerService(cfg, now, publish, redactor=redactor, sources=polled)
    poller.start()
    return poller


def _start_panel(
    cfg: Config, scheduler: object, listener: Callable[[Any], None]
) -> PanelService | None:
    from kiosk.panel.service import PanelService

    panel = PanelService.from_config(cfg, scheduler)
    if panel is not None:
        panel.add_listener(listener)  # before start: the first report must not be missed
        panel.start()
    return panel
