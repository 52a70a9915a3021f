"""Where the metrics go: ``/metrics`` over HTTP (``metrics.listen``) and a textfile for
node_exporter (``metrics.textfile``), both from one registry, each in its own thread.

    sink, exporter = start_metrics(cfg.metrics, station, version, now_fn)
    ...                      # runner calls sink.page_changed(), sink.snapshot(...), ...
    exporter.stop()          # at shutdown: the last textfile says kiosk_up 0

The textfile is written whole to a temporary file in the same folder and renamed over the old
one, so node_exporter never reads half a file; it is world-readable (0644, whatever the
unit's UMask) because node_exporter runs as another user, and it holds no secret. A failure
to listen or to write is logged once and never stops the kiosk: the screen matters more.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.ops.files import write_atomic
from kiosk.ops.metrics_settings import MetricsConfig, parse_listen
from kiosk.ops.metrics_sink import MetricsSink, NullMetrics

if TYPE_CHECKING:
    from kiosk.ops.metrics import KioskMetrics

log = logging.getLogger(__name__)


class MetricsExporter:
    """Serves and writes one registry's exposition until ``stop()``."""

    def __init__(
        self,
        metrics: KioskMetrics,
        *,
        listen: tuple[str, int] | None = None,
        textfile: Path | None = None,
        interval_s: float = 15.0,
    ):
        self.metrics = metrics
        self.listen = listen
        self.textfile = textfile
        self.interval_s = interval_s
        self._server: Any = None
        self._stop = threading.Event()
        self._writer: threading.Thread | None = None
        self._write_problem: str | None = None

    @property
    def address(self) -> tuple[str, int] | None:
        """Where /metrics is served (the real port when 0 was asked), or None."""
        if self._server is None:
            return None
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        """Start serving and writing (whichever is configured); returns at once."""
        if self.listen is not None:
            from prometheus_client import start_http_server

            host, port = self.listen
            try:
                self._server, _ = start_http_server(port, host, self.metrics.registry)
            except OSError as e:
                log.error(
                    "metrics: cannot listen on %s:%s (%s); /metrics is off",
                    host,
                    port,
                    e.strerror or e.__class__.__name__,
                )
            else:
                log.info("metrics: serving http://%s:%s/metrics", *self.address_for_log())
        if self.textfile is not None:
            self.write_textfile()
            self._writer = threading.Thread(
                target=self._write_loop, name="metrics-textfile", daemon=True
            )
            self._writer.start()

    def address_for_log(self) -> tuple[str, int]:
        """The served address, IPv6 in brackets."""
        host, port = self.address or ("?", 0)
        return (f"[{host}]" if ":" in host else host), port

    def _write_loop(self) -> None:
        while not self._stop.wait(self.interval_s):
            self.write_textfile()

    def write_textfile(self) -> bool:
        """Write the exposition to the textfile now (atomically); False if it failed."""
        from prometheus_client import generate_latest

        assert self.textfile is not None
        path = self.textfile
        try:
            write_atomic(path, generate_latest(self.metrics.registry), mode=0o644)
        except OSError as e:
            problem = e.strerror or e.__class__.__name__
            if problem != self._write_problem:
                log.warning("metrics: cannot write %s (%s); trying again", path, problem)
                self._write_problem = problem
            return False
        if self._write_problem is not None:
            log.info("metrics: writing %s again", path)
            self._write_problem = None
        return True

    def stop(self) -> None:
        """Stop serving and writing; the last textfile says ``kiosk_up 0``."""
        self._stop.set()
        if self._writer is not None:
            self._writer.join(timeout=5)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self.textfile is not None:
            self.metrics.stopping()
            self.write_textfile()


def start_metrics(
    cfg: MetricsConfig, station: str, version: str, now_fn: Callable[[], datetime]
) -> tuple[MetricsSink, MetricsExporter | None]:
    """The sink for the runner and its started exporter; ``NullMetrics`` when both are off."""
    if cfg.listen is None and cfg.textfile is None:
        return NullMetrics(), None
    from kiosk.ops.metrics import KioskMetrics

    metrics = KioskMetrics(station, version, now_fn)
    exporter = MetricsExporter(
        metrics,
        listen=parse_listen(cfg.listen) if cfg.listen else None,
        textfile=cfg.textfile,
        interval_s=float(cfg.textfile_interval),
    )
    exporter.start()
    return metrics, exporter
