"""The running kiosk: reacts to signals, panel reports and page changes; reports its status.

The composition root (``kiosk.app``) builds every part and hands them in; this module builds
nothing itself and never imports ``kiosk.app``. Threads: the GUI thread runs Qt; APScheduler
workers poll sources and drive the panel and hand results over through the runtime's
thread-safe ``publish``/``publish_panel``. Everything here runs on the GUI thread (timers,
signal dispatch, reload), so a frozen GUI stops the watchdog pings and systemd restarts it.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.config import Config, Layout, load_all
from kiosk.core.health import health
from kiosk.core.pages import PAGE_KINDS
from kiosk.core.screen_text import lines_of
from kiosk.errors import ConfigError
from kiosk.ops import notice_feed
from kiosk.ops.logging import LogSetup
from kiosk.ops.metrics_feed import feed_ledgers, feed_notices, feed_panel, feed_sources
from kiosk.ops.metrics_sink import MetricsSink
from kiosk.ops.notice_wake import NoticeWake
from kiosk.ops.notice_watch import NoticeWatch
from kiosk.ops.page_log import PageLog
from kiosk.ops.redact import Redactor
from kiosk.ops.screenlog import ScreenLog
from kiosk.ops.sdnotify import Notifier
from kiosk.ops.signals import SignalRouter
from kiosk.ops.status import (
    PanelStatus,
    SourceStatus,
    StatusReport,
    remove_status,
    versions,
    write_status,
)
from kiosk.poller.pending import PendingPoller

if TYPE_CHECKING:
    from kiosk.ops.metrics_export import MetricsExporter
    from kiosk.ops.notice_feed import NoticeFeed
    from kiosk.panel.service import PanelService
    from kiosk.poller.service import PollerService
    from kiosk.ui.runtime import KioskRuntime

log = logging.getLogger("kiosk.run")

STATUS_EVERY_MS = 5_000

# The metrics sink the runner feeds and the exporter serving it (None with metrics off).
Metrics = tuple[MetricsSink, "MetricsExporter | None"]


@dataclass(frozen=True)
class Services:
    """How the running kiosk (re)builds what depends on the config: given by the composition root."""

    start_poller: Callable[[Config, Layout, Callable[[Any], None]], PollerService]
    start_panel: Callable[[Config, Callable[[Any], None]], PanelService | None]
    window_setup: Callable[[Config, Layout], Any]  # -> kiosk.ui.window.WindowSetup
    secrets: Callable[[Config], tuple[str, ...]]
    now: Callable[[], datetime]
    stop_scheduler: Callable[[], None]
    notice_feed: Callable[[Config], NoticeFeed]  # the operator's spool + the alert feed
    start_metrics: Callable[[Config], Metrics]  # on a reload that changes `metrics:`


class Kiosk:
    """The running kiosk: owns the services and reacts to signals, panel and page changes."""

    def __init__(
        self,
        config_path: Path,
        cfg: Config,
        layout: Layout,
        *,
        runtime: KioskRuntime,
        services: Services,
        logs: LogSetup,
        redactor: Redactor,
        notifier: Notifier,
        screenlog: ScreenLog,
        status_file: Path,
        qt: str,
        metrics: Metrics,
    ):
        self.config_path = config_path
        self.cfg, self.layout = cfg, layout
        self.rt = runtime
        self.services = services
        self.now = services.now
        self.logs = logs
        self.redactor = redactor  # the one redactor: logs, status file and HTTP cache share it
        self.notifier = notifier
        self.screenlog = screenlog
        self.page_log = PageLog(screenlog, runtime.later)
        self.status_file = status_file
        self.qt = qt
        self.started_at = self.now()
        self.state = "starting"
        self.page: str | None = None
        self.page_since: datetime | None = None
        self.metrics, self.exporter = metrics
        # Signals first: a SIGTERM while the services start is kept until the loop runs, then
        # stops the kiosk cleanly (and no READY=1 follows its STOPPING=1).
        self.router = SignalRouter(
            {
                signal.SIGHUP: lambda _s: self.reload(),
                signal.SIGTERM: lambda _s: self.stop(),
                signal.SIGINT: lambda _s: self.stop(),
            }
        )
        self.rt.watch_fd(self.router.fileno(), self.router.dispatch_pending)
        self.rt.on_page_changed(self._page_changed)
        self.rt.on_panel(self._panel_report)
        self.panel: PanelService | None = None
        self.notices = NoticeWatch(
            services.notice_feed(cfg),
            show=self.rt.set_notices,
            record=self.page_log.record,
            page_now=self._page_now,
            changed=self._notices_changed,
            panel=lambda: self.panel,
            wake_panel=cfg.notices.wake_panel,
        )
        # Read when the spool or the alerts change and at a notice's start or end, also while
        # the panel sleeps; the first time from the event loop (the status needs the poller).
        self.notice_wake = NoticeWake(self.notices, self.now, self.rt.alarm, self.rt.watch_fd)
        self.rt.later(0, self.notice_wake.check)
        self.rt.on_frame(lambda seconds: self.metrics.frame_painted(seconds))
        # The poller starts once the first frame is on screen (kiosk/poller/pending.py).
        self.poller: PollerService | PendingPoller = PendingPoller()
        self.panel = services.start_panel(cfg, self.rt.publish_panel)
        self.rt.on_first_frame(self._first_frame)
        period = self.notifier.watchdog_period()
        if period:
            self.rt.every(max(100, int(period * 1000)), self.notifier.watchdog)
        self.rt.every(STATUS_EVERY_MS, self.write_status)

    # --- events (GUI thread) ----------------------------------------------------------------

    def _start_polling(self) -> None:
        """After the first frame: the poller starts (paused if the panel is off by now)."""
        if self.state == "stopping" or not isinstance(self.poller, PendingPoller):
            return  # stopping, or a reload started it already
        self._start_poller(self.cfg, self.layout)
        feed_ledgers(self.metrics, self.poller.ledgers.values())
        self.write_status()  # its feeds, at once: not 5 s of a status that lists none

    def _start_poller(self, cfg: Config, layout: Layout) -> None:
        """A poller for ``cfg`` in place of the one there (stopped first), paused while the
        panel is scheduled off."""
        self.poller.stop()
        self.poller = self.services.start_poller(cfg, layout, self._publish)
        if self.rt.asleep:
            self.poller.pause()

    def _first_frame(self) -> None:
        if self.state == "stopping":  # SIGTERM came first: READY=1 must not follow STOPPING=1
            return
        self._page_changed(self.rt.current_page_id())
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
        self.rt.later(0, self._start_polling)  # from the event loop, after this frame

    def _publish(self, snap: Any) -> None:
        """From a poller thread: the alert feed's snapshots go to the notices (no page shows
        them), every other one to the window."""
        if snap.source == notice_feed.SOURCE:
            self.notices.feed.set_alerts(snap.items)
            self.rt.call_soon(self.notice_wake.check)
        else:
            self.rt.publish(snap)

    def _page_changed(self, page_id: str) -> None:
        now = self.now()
        if self.page is not None:  # the first frame's page is shown, not changed to
            self.metrics.page_changed()
        self.page, self.page_since = page_id, now
        kind = next((p.kind for p in self.layout.pages if p.id == page_id), None)
        self.page_log.page_changed(
            page_id,
            now,
            self.poller.snapshots(),
            PAGE_KINDS.get(kind or "", ()),
            self.rt.page_view(),
            self.notices.log_fields(),
        )

    def _page_now(self) -> tuple[str, list[str]]:
        """The regular page on screen and its text (a notice's end in the screen log)."""
        return self.rt.current_page_id(), lines_of(self.rt.page_view())

    def _notices_changed(self) -> None:
        """The notices on screen changed: the status file and the metrics say so at once."""
        feed_notices(self.metrics, self.notices.notices)
        self.write_status()

    def _panel_report(self, report: Any) -> None:
        self.notices.keep_awake()  # a critical notice holds the panel on, also a new panel
        feed_panel(self.metrics, report)
        off = bool(getattr(report, "scheduled_off", False))
        if off != self.rt.asleep and self.state != "stopping":
            log.info(
                "panel %s: %s rendering and polling",
                "scheduled off" if off else "scheduled on",
                "pausing" if off else "resuming",
            )
            self.rt.set_asleep(off)
            if off:
                self.poller.pause()
                self.state = "sleeping"
            else:
                self.poller.resume()
                self.state = "running"
            self.write_status()

    def reload(self) -> None:
        """SIGHUP: re-read config and layouts; a bad file, or any failure, keeps what runs."""
        if self.state == "stopping":
            return
        self.notifier.reloading()
        self.state = "reloading"
        try:
            cfg, layout = load_all(self.config_path)
            secrets = self.services.secrets(cfg)
            setup = self.services.window_setup(cfg, layout)
        except ConfigError as e:
            # One line (the rate limiter folds repeats of a template, so not one call per problem).
            log.error("reload rejected, keeping the running config: %s", "; ".join(e.problems))
            self._reloaded()
            return
        except Exception as e:  # MemoryError, RecursionError, a bug: never stuck in "reloading"
            log.error(
                "reload failed, keeping the running config: %s: %s",
                e.__class__.__name__,
                " ".join(str(e).split())[:200],
            )
            self._reloaded()
            return
        try:
            self._apply(cfg, layout, secrets, setup)
        except Exception:
            log.exception("reload failed while applying %s; running on", self.config_path)
        self._reloaded()

    def _reloaded(self) -> None:
        self.state = "sleeping" if self.rt.asleep else "running"
        self.write_status()
        self.notifier.ready(self.status_line())

    def _apply(self, cfg: Config, layout: Layout, secrets: tuple[str, ...], setup: Any) -> None:
        """Put a loaded config in place of the running one."""
        self.redactor.update(secrets)  # a replaced key is forgotten
        self.rt.reconfigure(setup)
        self.notices.feed.reconfigure(
            cfg.notices.spool_path, cfg.notices.rules(cfg.station.district)
        )
        self.notices.wake_panel = cfg.notices.wake_panel
        self.notice_wake.retarget()
        polled = {p.kind for p in layout.pages} != {p.kind for p in self.layout.pages}
        if cfg.sources != self.cfg.sources or cfg.station != self.cfg.station or polled:
            self._start_poller(cfg, layout)
        if cfg.metrics != self.cfg.metrics or cfg.station.name != self.cfg.station.name:
            self._restart_metrics(cfg)
        feed_ledgers(self.metrics, self.poller.ledgers.values())
        if self.panel is not None:
            self.panel.reload(cfg)
        elif cfg.panel.driver != "none":
            self.panel = self.services.start_panel(cfg, self.rt.publish_panel)
        self.cfg, self.layout = cfg, layout
        log.info("reloaded %s", self.config_path)

    def _restart_metrics(self, cfg: Config) -> None:
        """`metrics:` (or the station's name, a label) changed: the old exporter goes, a new one
        starts (or none, with both ways off)."""
        if self.exporter is not None:
            self.exporter.stop()
        self.metrics, self.exporter = self.services.start_metrics(cfg)
        feed_ledgers(self.metrics, self.poller.ledgers.values())
        feed_notices(self.metrics, self.notices.notices)
        if self.panel is not None:
            feed_panel(self.metrics, self.panel.report)

    def stop(self) -> None:
        """SIGTERM/SIGINT: stop cleanly within a few seconds."""
        if self.state == "stopping":
            return
        self.state = "stopping"
        self.notifier.stopping("stopping")
        log.info("stopping")
        self.rt.quit(0)

    def shutdown(self) -> bool:
        """After the event loop: stop services, close files, remove the status file. False when
        a request still waits on the network after a few seconds (never joined: see app.py)."""
        self.page_log.flush()  # the last page changes' lines, not left behind
        self.poller.stop()
        if self.panel is not None:
            self.panel.stop()
        self.services.stop_scheduler()
        closed = self.poller.wait_closed(5.0)
        if self.exporter is not None:  # the last textfile says kiosk_up 0
            self.exporter.stop()
        remove_status(self.status_file)
        self.notice_wake.close()
        self.router.close()
        return closed

    # --- status ------------------------------------------------------------------------------

    def _sources(self) -> list[SourceStatus]:
        now = self.now()
        out = []
        for name, s in sorted(self.poller.snapshots().items()):
            policy = self.poller.policy(name)
            if policy is None:  # the kept history: as published
                out.append(SourceStatus(name, s.status.value, s.fetched_at, s.error))
                continue
            h = health(s, policy, now)
            out.append(SourceStatus(name, h.status.value, s.fetched_at, h.reason))
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
            holds=tuple(d["holds"]),
        )

    def status_line(self, sources: Sequence[SourceStatus] | None = None) -> str:
        """One line for systemd's STATUS=: page, feeds, panel (``sources``: judged already)."""
        srcs = self._sources() if sources is None else sources
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
        now = self.now()
        sources = self._sources()
        # The metrics say what the status says (the kept history is not a polled source).
        feed_sources(self.metrics, (s for s in sources if self.poller.policy(s.name) is not None))
        report = StatusReport(
            pid=os.getpid(),
            started_at=self.started_at,
            now=now,
            state=self.state,
            page=self.page,
            page_since=self.page_since,
            sources=tuple(sources),
            panel=self._panel_status(),
            errors=self.logs.recent.entries(),
            versions=versions(qt=self.qt),
            config=str(self.config_path),
            demo=self.cfg.sources.demo,
            notice=self.notices.status(),
        )
        try:
            write_status(report, self.status_file, self.redactor)
        except OSError as e:
            log.warning("cannot write status file %s: %s", self.status_file, e)
        self.notifier.status(self.status_line(sources))
