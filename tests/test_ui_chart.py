"""The 24-hour chart: drawn by pyqtgraph in a process of its own, shown as a recorded picture.

Real processes throughout: the real `python -m kiosk.ui.chart_render`, and small stand-in
scripts for a drawing that fails or hangs.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QColor, QImage, QPainter, QRegion

from kiosk.core.models import AirReading
from kiosk.core.views.air import trend
from kiosk.ui import chart_view, theme
from kiosk.ui.chart_render import read_picture, request_bytes
from kiosk.ui.chart_view import TrendImage
from kiosk.ui.measure import GuiLoop
from kiosk.ui.qtapp import application
from tests.conftest import EXAMPLES
from tests.ui_data import NOW
from tests.ui_windows import station_window

DISTRICT = "영등포구"


def _history(now, hours=30):
    top = now.replace(minute=0, second=0, microsecond=0)
    return [
        AirReading(DISTRICT, "서남권", top - timedelta(hours=h), 30.0 + 7 * (h % 5), 10.0 + h % 7)
        for h in range(hours)
    ]


SERIES = trend(_history(NOW), DISTRICT, NOW)


def _render(raw: bytes) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kiosk.ui.chart_render"], input=raw, capture_output=True, timeout=60
    )


@pytest.fixture(scope="module")
def app():
    return application()


def test_the_trend_is_one_picture_per_hour_on_a_clock_hour_axis():
    start = NOW.replace(minute=0, second=1)
    first = trend(_history(NOW), DISTRICT, start)
    assert first == trend(_history(NOW), DISTRICT, NOW.replace(minute=59, second=59))
    assert first.end == start.replace(second=0) + timedelta(hours=1)
    assert all(-24 <= x <= 0 for x in first.x_hours) and len(first.x_hours) == 24
    assert [label for _, label in first.ticks] == ["12:00", "18:00", "00:00", "06:00"]
    for x, label in first.ticks:  # each tick sits at its clock hour
        assert f"{first.end + timedelta(hours=x):%H:00}" == label
    next_hour = trend(_history(NOW), DISTRICT, start + timedelta(hours=1))
    assert next_hour.end == first.end + timedelta(hours=1)  # the same readings, the next hour:
    assert next_hour.x_hours == tuple(x - 1 for x in first.x_hours[1:])  # one dropped, all moved


def _replayed(data: bytes, size: tuple[int, int]) -> QImage:
    picture = read_picture(data, size)
    assert picture is not None, data[:16]
    image = QImage(*size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(QColor("red"))  # the picture paints every pixel: none of this may show
    p = QPainter(image)
    p.drawPicture(0, 0, picture)
    p.end()
    return image


def test_the_drawing_process_answers_with_a_picture_of_the_asked_size(app):
    done = _render(request_bytes(SERIES, (640, 360), (1920, 1080)))
    assert done.returncode == 0, done.stderr
    assert len(done.stdout) < 64_000  # commands, not 640 x 360 x 4 bytes of pixels
    assert read_picture(done.stdout, (641, 360)) is None  # its size is part of it
    image = _replayed(done.stdout, (640, 360))
    colours = {image.pixelColor(x, y).name() for x in range(0, 640, 4) for y in range(0, 360, 4)}
    assert QColor(theme.SURFACE).name() in colours  # the card's background
    assert QColor(theme.PM10_COLOUR).name() in colours  # and the PM10 line on it
    assert QColor("red").name() not in colours


def test_the_replayed_picture_is_the_chart_pixel_for_pixel(app):
    """No loss of quality: what the kiosk paints is what pyqtgraph's own widget paints."""
    from kiosk.ui.chart import TrendChart

    size = (1280, 560)  # the air page's chart at 3840x2160 is about this shape
    done = _render(request_bytes(SERIES, size, (3840, 2160)))
    assert done.returncode == 0, done.stderr
    theme.load_fonts()
    chart = TrendChart(theme.Metrics(3840, 2160))
    chart.set_series(SERIES)
    chart.resize(*size)
    grabbed = chart.grab().toImage().convertToFormat(QImage.Format.Format_ARGB32_Premultiplied)
    chart.deleteLater()
    assert _replayed(done.stdout, size) == grabbed


@pytest.mark.parametrize(
    "raw, says",
    [
        (b"not json", "request is not JSON"),
        (b'{"size": [1, 2]}', "expected an object with size, screen and series"),
        (
            json.dumps(
                {
                    "size": [0, 5],
                    "screen": [1920, 1080],
                    "series": {"x_hours": [], "pm10": [], "pm25": []},
                }
            ).encode(),
            "size: expected [width, height]",
        ),
        (
            json.dumps(
                {
                    "size": [9, 9],
                    "screen": [9, 9],
                    "series": {"x_hours": [1], "pm10": [], "pm25": []},
                }
            ).encode(),
            "differ in length",
        ),
    ],
)
def test_a_bad_request_gets_one_line_and_exit_2(raw, says):
    done = _render(raw)
    err = done.stderr.decode()
    assert done.returncode == 2 and done.stdout == b""
    assert err.count("\n") == 1 and err.startswith("chart: ") and says in err, err


def test_the_kiosk_never_loads_pyqtgraph_or_numpy(tmp_path):
    code = (
        "import sys; from kiosk.cli import main; "
        f"rc = main(['snapshot', '--config', {str(EXAMPLES[0])!r}, '--out', {str(tmp_path)!r},"
        " '--page', 'air', '--size', '1280x720']); "
        "print(rc, 'pyqtgraph' in sys.modules, 'numpy' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert done.stdout.split()[-3:] == ["0", "False", "False"], done.stderr
    shot = QImage(str(tmp_path / "air.png"))
    assert (shot.width(), shot.height()) == (1280, 720)


def test_the_picture_fits_the_widget_and_is_redrawn_only_on_change(app):
    w = TrendImage((1920, 1080))
    w.resize(600, 300)
    w.set_series(SERIES)
    assert not w.busy() and w.renders == 0  # nothing before activate (after the first frame)
    w.activate()
    assert w.wait(60) and w.renders == 1
    assert _drawn(w) == (600, 300)
    assert 0 < w.last_cost["cpu_s"] < 30 and 20 < w.last_cost["peak_rss_mb"] < 1000  # its own
    w.set_series(trend(_history(NOW), DISTRICT, NOW + timedelta(seconds=30)))  # same hour
    assert not w.busy() and w.wait(1) and w.renders == 1
    w.resize(700, 320)
    assert w.wait(60) and w.renders == 2 and _drawn(w) == (700, 320)
    w.deleteLater()


def _drawn(w: TrendImage) -> tuple[int, int]:
    assert w.picture is not None
    return w.picture.boundingRect().size().toTuple()


def test_the_picture_arrives_from_the_event_loop_and_paints_the_widget(app):
    w = TrendImage((1920, 1080))
    w.resize(600, 300)
    w.set_series(SERIES)
    changed: list[bool] = []
    w.changed.connect(lambda: changed.append(True))
    w.activate()
    assert GuiLoop().wait_for(lambda: bool(changed), 60)  # the event loop only, no wait()
    assert w.renders == 1 and w.problem() is None
    shown = w.grab().toImage()
    assert shown.pixelColor(2, 2).name() == QColor(theme.SURFACE).name()
    w.resize(300, 150)  # a new size, its drawing not here yet: the old one, stretched
    stretched = w.grab().toImage()
    assert stretched.size().toTuple() == (300, 150)
    assert stretched.pixelColor(298, 148).name() == QColor(theme.SURFACE).name()
    w.deleteLater()


@pytest.mark.parametrize(
    "body",
    [
        "sys.stdout.buffer.write(b'not a picture at all'); sys.exit(0)",
        "sys.stdout.buffer.write(b'QPIC' + bytes(40)); sys.exit(0)",  # its magic, then nonsense
    ],
)
def test_a_drawing_that_is_not_a_picture_is_a_failure(app, tmp_path, monkeypatch, body):
    monkeypatch.setattr(TrendImage, "command", _stand_in(tmp_path, body))
    w = TrendImage((1920, 1080))
    w.resize(600, 300)
    w.set_series(SERIES)
    w.activate()
    assert not w.wait(30)
    assert w.picture is None and w.error == "chart: the drawing is not a picture"
    assert w.problem() == "chart: the drawing is not a picture" and not w.busy()
    w.deleteLater()


def test_a_picture_of_another_size_is_a_failure(app, tmp_path, monkeypatch):
    wrong = _render(request_bytes(SERIES, (500, 300), (1920, 1080)))
    assert wrong.returncode == 0, wrong.stderr
    (tmp_path / "wrong.qpic").write_bytes(wrong.stdout)
    body = f"sys.stdout.buffer.write(open({str(tmp_path / 'wrong.qpic')!r}, 'rb').read())"
    monkeypatch.setattr(TrendImage, "command", _stand_in(tmp_path, body))
    w = TrendImage((1920, 1080))
    w.resize(600, 300)
    w.set_series(SERIES)
    w.activate()
    assert not w.wait(30) and w.picture is None
    assert w.error == "chart: the drawing is not a picture"
    w.deleteLater()


def _stand_in(tmp_path, body: str) -> tuple[str, ...]:
    script = tmp_path / "drawing.py"
    script.write_text("import sys, time\nsys.stdin.read()\n" + body)
    return (sys.executable, str(script))


def test_a_failed_drawing_is_logged_once_and_the_page_says_the_chart_is_unavailable(
    app, tmp_path, monkeypatch, caplog
):
    monkeypatch.setattr(
        TrendImage,
        "command",
        _stand_in(tmp_path, "print('chart: no font today', file=sys.stderr); sys.exit(2)"),
    )
    win = station_window(EXAMPLES[0], (1920, 1080))
    page = next(p for p in win.pages if p.page_id == "air")
    win.show_page("air")
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.chart_view"):
        win.finish_building()
        win.settle(30)
        page.chart.set_series(trend(_history(NOW), DISTRICT, NOW + timedelta(hours=2)))
        win.settle(30)
    assert page.chart.picture is None and page.chart.error == "chart: no font today"
    assert [r.getMessage() for r in caplog.records] == ["chart: no font today"]
    assert page.chart.isHidden() and not page.chart_empty.isHidden()
    assert page.chart_empty.text.ko.text() == "차트를 그리지 못함"
    assert not win.settle(30)  # a failed drawing is not a chart that is ready
    assert win.unsettled() == ["air: chart: no font today"]  # and it says why (the bench)
    win.stop()
    assert not page.chart.busy()
    win.close()


def test_a_hung_drawing_is_stopped_and_reported(app, tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(TrendImage, "command", _stand_in(tmp_path, "time.sleep(60)"))
    monkeypatch.setattr(chart_view, "TIMEOUT_MS", 300)
    w = TrendImage((1920, 1080))
    w.resize(600, 300)
    w.set_series(SERIES)
    started = time.monotonic()
    with caplog.at_level(logging.WARNING, logger="kiosk.ui.chart_view"):
        w.activate()
        assert GuiLoop().wait_for(lambda: not w.busy(), 10)
    assert time.monotonic() - started < 5
    assert w.error == "chart: drawing took over 0.3 s, stopped"
    assert [r.getMessage() for r in caplog.records] == [w.error]
    w.deleteLater()


def _air_page(win):
    return next(p for p in win.pages if p.page_id == "air")


def test_the_chart_is_drawn_before_its_page_shows_at_the_size_it_will_have(app):
    win = station_window(EXAMPLES[0], (1920, 1080))
    page = _air_page(win)
    assert not page.isVisible()
    assert win.unsettled() == [
        "air: chart: drawing not started (the page was never built or shown)"
    ]
    win.finish_building()  # what the runner does after the first frame
    assert win.settle(60) and win.unsettled() == []
    drawn = _drawn(page.chart)
    win.show_page("air")
    app.processEvents()
    assert page.chart.size().toTuple() == drawn  # no second drawing when the page shows
    assert not page.chart.busy() and page.chart.renders == 1
    win.close()


def test_the_chart_is_replayed_once_per_stay_on_screen_and_strips_copy_its_pixels(app):
    win = station_window(EXAMPLES[0], (1920, 1080))
    page = _air_page(win)
    win.finish_building()
    assert win.settle(60)
    chart = page.chart
    win.show_page("air")
    app.processEvents()
    whole = QImage(page.size(), QImage.Format.Format_RGB32)
    page.render(whole)
    assert chart.replays == 1 and chart.pixels is not None
    strips = QImage(page.size(), QImage.Format.Format_RGB32)
    h = page.height()
    for i in range(8):  # the hand-over's strips, each across part of the chart
        r = QRect(0, i * h // 8, page.width(), (i + 1) * h // 8 - i * h // 8)
        page.render(strips, r.topLeft(), QRegion(r))
    assert strips == whole and chart.replays == 1  # copied, not replayed again
    direct = QImage(chart.size(), QImage.Format.Format_RGB32)
    p = QPainter(direct)
    assert chart.picture is not None
    p.drawPicture(0, 0, chart.picture)
    p.end()
    assert chart.grab().toImage().convertToFormat(QImage.Format.Format_RGB32) == direct
    win.show_page("arrivals")  # the page leaves the screen: its pixels at the next tick
    app.processEvents()
    assert chart.pixels is not None
    win.tick()
    assert chart.pixels is None and chart.picture is not None  # the commands stay
    win.show_page("air")
    app.processEvents()
    page.render(whole)
    assert chart.replays == 2 and strips == whole  # replayed again, the same pixels
    win.close()


def test_a_reloaded_window_draws_its_chart(app):
    from kiosk.app import window_setup
    from kiosk.config import load_all
    from kiosk.ui.runtime import KioskRuntime

    cfg, layout = load_all(EXAMPLES[0])
    setup = window_setup(cfg, layout)
    rt = KioskRuntime(setup, (1280, 720), True, 0, False, lambda: NOW)
    rt.window.apply_snapshots(_window_snapshots())
    rt.reconfigure(window_setup(*load_all(EXAMPLES[0])))  # SIGHUP: a new window
    rt.window.rotating = False  # the air page never shows: only finish_building can draw it
    page = _air_page(rt.window)
    assert GuiLoop().wait_for(lambda: page.chart.picture is not None, 30)
    assert page.chart.error is None
    assert not page.isVisible()
    rt.window.stop()
    rt.window.close()


def _window_snapshots():
    from tests.ui_data import station_snapshots

    cfg = __import__("kiosk.config", fromlist=["load_all"]).load_all(EXAMPLES[0])[0]
    st = cfg.station
    return station_snapshots(tuple(st.lines), st.district, st.location.lat, st.location.lon)


def test_an_old_picture_is_not_shown_as_the_last_24_hours_when_drawing_keeps_failing(
    app, tmp_path, monkeypatch
):
    win = station_window(EXAMPLES[0], (1280, 720))
    page = _air_page(win)
    win.finish_building()
    assert win.settle(60) and page.chart.isVisibleTo(page)  # a good picture first
    monkeypatch.setattr(
        TrendImage,
        "command",
        _stand_in(tmp_path, "print('chart: broken', file=sys.stderr); sys.exit(2)"),
    )
    later = NOW + timedelta(hours=1)
    page.chart.set_series(trend(_history(later), DISTRICT, later))
    win.settle(30)
    page._show_trend()
    assert page.chart.error == "chart: broken"
    assert page.chart.picture is not None  # an hour behind: the old picture may stay
    two_later = NOW + timedelta(hours=2)
    page.view = replace(page.view, trend=trend(_history(two_later), DISTRICT, two_later))
    page._show_trend()
    win.settle(30)
    page._show_trend()
    assert page.chart.isHidden() and not page.chart_empty.isHidden()  # two hours: not any more
    win.stop()
    win.close()


def test_a_qt_scale_factor_does_not_change_the_picture_size(app, monkeypatch):
    monkeypatch.setenv("QT_SCALE_FACTOR", "2")
    w = TrendImage((1920, 1080))
    w.resize(400, 200)
    w.set_series(SERIES)
    w.activate()
    assert w.wait(60), w.error
    assert _drawn(w) == (400, 200)
    w.deleteLater()
