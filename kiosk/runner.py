"""`kiosk run`: wire config, poller, panel, systemd and the Qt window into one running kiosk.

Threads: the GUI thread runs Qt; APScheduler workers poll sources and drive the panel and hand
results over through the runtime's thread-safe ``publish``/``publish_panel``. Everything else
here runs on the GUI thread (timers, signal dispatch, reload), so a frozen GUI stops the
watchdog pings and systemd restarts the kiosk.
"""

from __future__ import annotations

import logging
import os
import signal
from datetime import datetime
from pathlib import Path
from typing import Any

from kiosk.config import Config, Layout, load_all
from kiosk.core.models import FeedStatus
from kiosk.core.timeutil import now_kst
from kiosk.errors import ConfigError, KioskError
from kiosk.ops.logging import setup_logging
from kiosk.ops.screenlog import ScreenLog, default_path, screen_entry
from kiosk.ops.sdnotify import Notifier
from kiosk.ops.signals import SignalRouter
from kiosk.ops.status import (
    PanelStatus,
    SourceStatus,
    StatusReport,
    remove_status,
    status_path,
    versions,
    write_status,
)

log = logging.getLogger("kiosk.run")

STATUS_EVERY_MS = 5_000


class Kiosk:
    """The running kiosk: owns the services and reacts to signals, panel and page changes."""

    def __init__(self, config_path: Path, cfg: Config, layout: Layout, args: Any):
        from kiosk.app import window_setup
        from kiosk.poller.keys import load_keys
        from kiosk.ui.runtime import KioskRuntime, qt_version

        self.config_path = config_path
        self.cfg, self.layout = cfg, layout
        self.started_at = now_kst()
        self.state = "starting"
        self.page: str | None = None
        self.page_since: datetime | None = None
        self.secrets = load_keys(cfg.sources).secrets() if not cfg.sources.demo else ()
        self.logs = setup_logging(os.environ.get("KIOSK_LOG_LEVEL", "INFO"), self.secrets)
        self.notifier = Notifier.from_environ()
        self.status_file = status_path()
        self.screenlog = ScreenLog(default_path())
        screen = args.screen if args.screen is not None else cfg.display.screen
        self.rt = KioskRuntime(
            window_setup(cfg, layout),
            tuple(args.size) if args.size else None,
            args.windowed,
            screen,
            cfg.display.hide_cursor,
            now_kst,
        )
        self.qt = qt_version()
        self.rt.on_page_changed(self._page_changed)
        self.rt.on_panel(self._panel_report)
        self.poller = self._start_poller(cfg)
        self.scheduler = self._start_scheduler()
        self.panel = self._start_panel(cfg)
        self.router = SignalRouter(
            {
                signal.SIGHUP: lambda _s: self.reload(),
                signal.SIGTERM: lambda _s: self.stop(),
                signal.SIGINT: lambda _s: self.stop(),
            }
        )
        self.rt.watch_fd(self.router.fileno(), self.router.dispatch_pending)
        self.rt.on_first_frame(self._first_frame)
        period = self.notifier.watchdog_period()
        if period:
            self.rt.every(max(100, int(period * 1000)), self.notifier.watchdog)
        self.rt.every(STATUS_EVERY_MS, self.write_status)

    # --- services ------------------------------------------------------------------------

    def _start_poller(self, cfg: Config):
        from kiosk.poller.service import PollerService

        poller = PollerService(cfg, now_kst, self.rt.publish)
        poller.start()
        return poller

    def _start_scheduler(self):
        from apscheduler.schedulers.background import BackgroundScheduler

        from kiosk.core.timeutil import KST

        sched = BackgroundScheduler(
            timezone=KST, job_defaults={"coalesce": True, "max_instances": 1}
        )
        sched.start()
        return sched

    def _start_panel(self, cfg: Config):
        from kiosk.panel.service import PanelService

        panel = PanelService.from_config(cfg, self.scheduler)
        if panel is not None:
            panel.add_listener(self.rt.publish_panel)
            panel.start()
        return panel

    # --- events (GUI thread) ----------------------------------------------------------------

    def _first_frame(self) -> None:
        self._page_changed(self.rt.window.current_page().page_id)
        if self.state == "starting":  # the panel may already have put the kiosk to sleep
            self.state = "running"
        self.write_status()
        self.notifier.ready(self.status_line())
        log.info(
            "kiosk running: %s, %d pages, %s",
            self.cfg.station.name.en,
            len(self.layout.pages),
            "demo data" if self.cfg.sources.demo else "live data",
        )

    def _page_changed(self, page_id: str) -> None:
        now = now_kst()
        self.page, self.page_since = page_id, now
        snaps = self.rt.window.snapshots
        sources = {
            name: {"fetched_at": s.fetched_at, "status": s.status.value}
            for name, s in snaps.items()
            if name
            in {src for p in self.rt.window.pages if p.page_id == page_id for src in p.sources}
        }
        self.screenlog.record(screen_entry(page_id, now, sources, self.rt.page_lines()))

    def _panel_report(self, report: Any) -> None:
        off = bool(getattr(report, "scheduled_off", False))
        if off != self.rt.asleep:
            log.info(
                "panel %s: %s rendering and polling",
                "scheduled off" if off else "scheduled on",
                "pausing" if off else "resuming",
            )
            self.rt.sleep(off)
            if off:
                self.poller.pause()
                self.state = "sleeping"
            else:
                self.poller.resume()
                self.state = "running"
            self.write_status()

    def reload(self) -> None:
        """SIGHUP: re-read config and layouts; a bad file keeps the running config."""
        from kiosk.app import window_setup
        from kiosk.poller.keys import load_keys

        self.notifier.reloading()
        self.state = "reloading"
        try:
            cfg, layout = load_all(self.config_path)
        except ConfigError as e:
            # One line (the rate limiter folds repeats of a template, so not one call per problem).
            log.error("reload rejected, keeping the running config: %s", "; ".join(e.problems))
            self.state = "sleeping" if self.rt.asleep else "running"
            self.notifier.ready(self.status_line())
            return
        self.secrets = load_keys(cfg.sources).secrets() if not cfg.sources.demo else ()
        self.logs.set_secrets(self.secrets)
        self.rt.reconfigure(window_setup(cfg, layout))
        if cfg.sources != self.cfg.sources or cfg.station != self.cfg.station:
            self.poller.stop()
            self.poller = self._start_poller(cfg)
            if self.rt.asleep:
                self.poller.pause()
        if self.panel is not None:
            self.panel.reload(cfg)
        elif cfg.panel.driver != "none":
            self.panel = self._start_panel(cfg)
        self.cfg, self.layout = cfg, layout
        self.state = "sleeping" if self.rt.asleep else "running"
        self.write_status()
        self.notifier.ready(self.status_line())
        log.info("reloaded %s", self.config_path)

    def stop(self) -> None:
        """SIGTERM/SIGINT: stop cleanly within a few seconds."""
        if self.state == "stopping":
            return
        self.state = "stopping"
        self.notifier.stopping("stopping")
        log.info("stopping")
        self.rt.quit(0)

    def shutdown(self) -> None:
        """After the event loop: stop services, close files, remove the status file."""
        self.poller.stop()
        if self.panel is not None:
            self.panel.stop()
        self.scheduler.shutdown(wait=False)
        self.poller.wait_closed(5.0)
        remove_status(self.status_file)
        self.router.close()

    # --- status ------------------------------------------------------------------------------

    def _sources(self) -> list[SourceStatus]:
        states = self.rt.data_states()
        shown = set(self.rt.window.sources)
        out = []
        for name, s in sorted(self.rt.window.snapshots.items()):
            status = s.status.value
            if status == FeedStatus.OK.value and name in shown and states.get(name) == "stale":
                status = "stale"
            out.append(SourceStatus(name, status, s.fetched_at, s.error))
        return out

    def _panel_status(self) -> PanelStatus | None:
        if self.panel is None:
            return None
        r = self.panel.report
        d = r.to_dict()
        return PanelStatus(
            driver=f"{r.driver} on {r.port}",
            desired={
                "power": d["desired_power"],
                "backlight": d["desired_backlight"],
                "by": d["source"],
            },
            actual={
                "power": d["actual_power"],
                "backlight": d["actual_backlight"],
                "state": d["state"],
            },
            checked_at=r.last_check,
            error=r.last_error,
        )

    def status_line(self) -> str:
        """One line for systemd's STATUS=: page, feeds, panel."""
        srcs = self._sources()
        ok = sum(1 for s in srcs if s.status in ("ok", "empty"))
        bad = [s.name for s in srcs if s.status not in ("ok", "empty")]
        panel = "" if self.panel is None else f"; panel {self.panel.report.state}"
        if self.rt.asleep:
            panel += " (not drawing, not polling)"
        return (
            f"page {self.page or '-'}; feeds {ok}/{len(srcs)} ok"
            + (f" ({', '.join(bad)} not ok)" if bad else "")
            + panel
        )

    def write_status(self) -> None:
        now = now_kst()
        report = StatusReport(
            pid=os.getpid(),
            started_at=self.started_at,
            now=now,
            state=self.state,
            page=self.page,
            page_since=self.page_since,
            sources=tuple(self._sources()),
            panel=self._panel_status(),
            errors=self.logs.recent.entries(),
            versions=versions(qt=self.qt),
            config=str(self.config_path),
            demo=self.cfg.sources.demo,
        )
        try:
            write_status(report, self.status_file, self.secrets)
        except OSError as e:
            log.warning("cannot write status file %s: %s", self.status_file, e)
        self.notifier.status(self.status_line())


def run(config_path: Path, cfg: Config, layout: Layout, args: Any) -> int:
    """Run the kiosk until SIGTERM; returns the exit code."""
    from kiosk.ui.runtime import NO_DISPLAY_HELP, display_available

    if not display_available():
        raise KioskError(NO_DISPLAY_HELP)
    kiosk = Kiosk(config_path, cfg, layout, args)
    try:
        return kiosk.rt.exec()
    finally:
        kiosk.shutdown()
