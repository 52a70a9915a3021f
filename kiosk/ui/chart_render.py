"""Draw the 24-hour trend chart (pyqtgraph) in a short-lived process of its own.

    python -m kiosk.ui.chart_render < request.json > chart.qpic

The request is one JSON object: ``size`` [w, h] in pixels, ``screen`` [w, h] (the window the
chart sits in, for the type sizes) and ``series`` (a ``TrendSeries``). The answer, on stdout
with exit 0, is the drawing as a ``QPicture`` (Qt's recorded paint commands, as
``QPicture.save`` writes them) whose bounding rect is exactly ``size`` (``read_picture`` checks
both, here and in the kiosk): ~9 KB where the same chart as pixels is 10.6 MB at 4K, and the
kiosk replays it pixel for pixel (``kiosk.ui.chart_view``). A bad request or a failed
drawing ends with one line on stderr and exit 2.

Why a process: pyqtgraph and numpy make up ~43 MB of the kiosk's resident memory (measured
with `kiosk bench`), kept for months to draw 24 points twice an hour. Here they live for the
second the drawing takes, and the kiosk replays the picture (``kiosk.ui.chart_view``). The chart
only changes when a reading arrives or an hour passes (``TrendSeries`` is anchored to the
hour), so this runs about twice an hour: when the hour turns and when its reading arrives.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import asdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from kiosk.core.views.air import TrendSeries

if TYPE_CHECKING:
    from PySide6.QtGui import QPicture

STATS_TAG = "chart-stats "
# Qt settings that would make the picture a different size from the one asked for.
SCALE_VARIABLES = (
    "QT_SCALE_FACTOR",
    "QT_SCREEN_SCALE_FACTORS",
    "QT_ENABLE_HIGHDPI_SCALING",
    "QT_AUTO_SCREEN_SCALE_FACTOR",
    "QT_FONT_DPI",
)
# How a QPicture's data begins (checked first: Qt warns on stderr otherwise).
PICTURE_MAGIC = b"QPIC"


def request_bytes(series: TrendSeries, size: tuple[int, int], screen: tuple[int, int]) -> bytes:
    """The JSON request for ``series`` drawn at ``size`` in a ``screen``-sized window."""
    data = asdict(series)
    data["end"] = series.end.isoformat() if series.end is not None else None
    return json.dumps({"size": list(size), "screen": list(screen), "series": data}).encode()


def read_picture(data: bytes, size: tuple[int, int]) -> QPicture | None:
    """The drawing's answer as a picture of ``size``, or None if it is not one."""
    from PySide6.QtCore import QRect
    from PySide6.QtGui import QPicture

    if not data.startswith(PICTURE_MAGIC):
        return None
    picture = QPicture()
    picture.setData(data)
    return picture if picture.boundingRect() == QRect(0, 0, *size) else None


def _pair(value: Any, what: str) -> tuple[int, int]:
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and 0 < v <= 16384 for v in value)
    ):
        raise ValueError(f"{what}: expected [width, height] in pixels, got {value!r}")
    return value[0], value[1]


def _numbers(value: Any, what: str, optional: bool) -> tuple[Any, ...]:
    ok = isinstance(value, list) and all(
        (v is None and optional) or (isinstance(v, int | float) and not isinstance(v, bool))
        for v in value
    )
    if not ok:
        raise ValueError(f"series.{what}: expected a list of numbers, got {value!r:.60}")
    return tuple(None if v is None else float(v) for v in value)


def parse_request(raw: bytes) -> tuple[tuple[int, int], tuple[int, int], TrendSeries]:
    """(size, screen, series) from the request; ValueError naming what is wrong."""
    try:
        req = json.loads(raw)
    except ValueError as e:
        raise ValueError(f"request is not JSON: {e}") from None
    if not isinstance(req, dict) or not isinstance(req.get("series"), dict):
        raise ValueError("request: expected an object with size, screen and series")
    s = req["series"]
    x = _numbers(s.get("x_hours"), "x_hours", optional=False)
    pm10 = _numbers(s.get("pm10"), "pm10", optional=True)
    pm25 = _numbers(s.get("pm25"), "pm25", optional=True)
    if not len(x) == len(pm10) == len(pm25):
        raise ValueError("series: x_hours, pm10 and pm25 differ in length")
    ticks = s.get("ticks", [])
    if not isinstance(ticks, list) or not all(
        isinstance(t, list)
        and len(t) == 2
        and isinstance(t[0], int | float)
        and isinstance(t[1], str)
        for t in ticks
    ):
        raise ValueError("series.ticks: expected a list of [x, label]")
    end = s.get("end")
    series = TrendSeries(
        x,
        pm10,
        pm25,
        datetime.fromisoformat(end) if isinstance(end, str) else None,
        tuple((float(t[0]), t[1]) for t in ticks),
    )
    return _pair(req.get("size"), "size"), _pair(req.get("screen"), "screen"), series


def draw(size: tuple[int, int], screen: tuple[int, int], series: TrendSeries) -> bytes:
    """The chart as a ``QPicture``'s bytes, ``size`` in its bounding rect (needs a QApplication)."""
    from PySide6.QtCore import QBuffer, QIODevice, Qt
    from PySide6.QtGui import QPainter, QPicture

    from kiosk.ui import theme
    from kiosk.ui.chart import TrendChart

    theme.load_fonts()
    chart = TrendChart(theme.Metrics(*screen))
    chart.set_series(series)
    chart.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    chart.resize(*size)
    chart.show()
    picture = QPicture()
    painter = QPainter(picture)
    chart.render(painter)  # what chart.grab() would paint, as commands rather than pixels
    painter.end()
    chart.close()
    buf = QBuffer()
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    data = bytes(buf.data().data()) if picture.save(buf) else b""
    if read_picture(data, size) is None:  # the answer the kiosk will read, read as it will
        raise RuntimeError(f"could not draw the chart at {size[0]}x{size[1]}")
    return data


def main() -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # never a window, whatever the kiosk uses
    for name in SCALE_VARIABLES:
        os.environ.pop(name, None)  # the picture must be exactly the size asked for
    try:
        size, screen, series = parse_request(sys.stdin.buffer.read())
        from kiosk.ui.qtapp import application

        application(["kiosk-chart"])
        picture = draw(size, screen, series)
    except Exception as e:  # one line for the kiosk's log, never a traceback
        print(f"chart: {' '.join(str(e).split()) or e.__class__.__name__}", file=sys.stderr)
        return 2
    try:
        sys.stdout.buffer.write(picture)
        sys.stdout.buffer.flush()
    except OSError as e:  # the kiosk went away (broken pipe): nobody to answer
        print(f"chart: could not hand the picture back: {e}", file=sys.stderr)
        return 2
    print(STATS_TAG + json.dumps(_own_cost()), file=sys.stderr, flush=True)
    return 0


def _own_cost() -> dict[str, float]:
    """This process's CPU time and peak RSS (VmHWM: since exec, not the parent's pages)."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    peak_kb = 0
    try:
        with open("/proc/self/status") as f:
            peak_kb = next((int(ln.split()[1]) for ln in f if ln.startswith("VmHWM:")), 0)
    except OSError:
        pass
    return {"cpu_s": ru.ru_utime + ru.ru_stime, "peak_rss_mb": peak_kb / 1024}


if __name__ == "__main__":
    sys.exit(main())
