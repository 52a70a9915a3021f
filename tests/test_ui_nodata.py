"""No-data cards: one wording and layout on every page, words for commuters, demo said as such."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from PySide6.QtWidgets import QApplication

from kiosk.app import demo_snapshots, window_setup
from kiosk.config import load_all
from kiosk.core.models import FeedStatus, Snapshot
from kiosk.core.nodata import TITLES, no_data_reason, no_data_text
from kiosk.ui.qtapp import application
from kiosk.ui.widgets import NoDataCard, Text
from kiosk.ui.window import KioskWindow
from tests.conftest import REPO, track
from tests.ui_data import NOW, failed

SOURCES = ("subway", "air", "parks", "trails", "bikes", "events", "bus")


@pytest.fixture(scope="module")
def app():
    return application()


def _window(config: Path, size, snaps) -> KioskWindow:
    cfg, layout = load_all(config)
    win = track(KioskWindow(window_setup(cfg, layout), size, lambda: NOW, monotonic=lambda: 0.0))
    win.setFixedSize(*size)
    win.apply_snapshots(snaps)
    win.rotating = False
    win.show()
    return win


def _cards(win: KioskWindow, page) -> list[NoDataCard]:
    win.show_page(page.page_id)
    QApplication.processEvents()
    return [c for c in page.findChildren(NoDataCard) if c.isVisibleTo(win)]


def _texts(card: NoDataCard) -> list[str]:
    return [t.full_text() for t in card.findChildren(Text) if t.isVisibleTo(card)]


def test_a_missing_or_rejected_key_is_not_connected_to_commuters():
    for error in ("no API key: set SEOUL_API_KEY or sources.api_key_file", "INFO-100 key"):
        snap = Snapshot("air", (), None, FeedStatus.UNAUTHORIZED, error)
        assert no_data_reason(snap) == ("연결 안 됨", "Not connected")
    assert set(TITLES) == {"arrivals", "buses", "air_quality", "parks", "bikes", "events"}
    assert no_data_text("bikes", None).reason == "수신 안 됨 · Not received"


@pytest.mark.parametrize("size", [(1920, 1080), (2160, 3840)], ids=["landscape", "portrait"])
def test_every_page_gives_a_title_and_a_reason_and_the_card_fills_the_page(app, size):
    win = _window(REPO / "config.example.yaml", size, [failed(s) for s in SOURCES])
    for page in win.pages:
        cards = _cards(win, page)
        assert cards, f"{page.page_id}: no no-data card"
        for card in cards:
            title_ko, title_en = TITLES[page.kind]
            assert _texts(card) == [title_ko, title_en, "수신 안 됨 · Not received"], page.page_id
            # The card takes the space the data would (in portrait it sat in the lower half).
            host = card.parentWidget()
            top = card.mapTo(host, card.rect().topLeft()).y()
            assert top < 0.25 * host.height(), (page.page_id, top, host.height())
            assert card.height() > 0.6 * host.height(), (page.page_id, card.height())
    win.close()


def test_a_missing_key_shows_not_connected_and_never_the_key(app):
    snaps = [
        Snapshot(s, (), None, FeedStatus.UNAUTHORIZED, "no API key: set SEOUL_API_KEY")
        for s in SOURCES
    ]
    win = _window(REPO / "config.example.yaml", (1920, 1080), snaps)
    for page in win.pages:
        for card in _cards(win, page):
            shown = " ".join(_texts(card))
            assert "연결 안 됨 · Not connected" in shown, page.page_id
            assert "key" not in shown.lower() and "인증키" not in shown
    win.close()


def test_a_station_without_demo_recordings_says_so_on_every_page(app, tmp_path):
    cfg = yaml.safe_load((REPO / "config.example.yaml").read_text(encoding="utf-8"))
    cfg["station"].update(
        name={"ko": "시청", "en": "City Hall"},
        subway_station="시청",
        lines=["1001", "1002"],
        district="중구",
        location={"lat": 37.5657, "lon": 126.9769},
    )
    cfg["layout"] = str(REPO / "layouts" / "yeouido.yaml")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    loaded, layout = load_all(path)
    win = _window(path, (1920, 1080), demo_snapshots(loaded, layout, NOW))
    assert win.header.demo_mark is not None and win.header.demo_mark.isVisibleTo(win)
    for page in win.pages:
        cards = _cards(win, page)
        assert cards
        for card in cards:
            assert _texts(card)[-1] == "이 역의 시연 데이터 없음 · No demo data for this station"
    win.close()


def test_live_data_carries_no_demo_mark(app, tmp_path):
    cfg = yaml.safe_load((REPO / "config.example.yaml").read_text(encoding="utf-8"))
    cfg["sources"]["demo"] = False
    cfg["layout"] = str(REPO / "layouts" / "yeouido.yaml")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(cfg, allow_unicode=True), encoding="utf-8")
    win = _window(path, (1920, 1080), [failed(s) for s in SOURCES])
    assert win.header.demo_mark is None
    assert not [t for t in win.findChildren(Text) if "DEMO" in t.full_text()]
    win.close()
