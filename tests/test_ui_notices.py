"""The takeover, the notice page and the banner: legible at three sizes, and on the rotation clock.

The legibility rules are those of tests/test_ui_legibility.py (text >= 2.5 % of the screen's
short side, the level words >= 6 %, contrast >= 4.5:1, nothing clipped or pushed off screen),
applied to every text of the notice screens, with the feed's longest message (~90 characters)
shown in full.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication

from kiosk.core.format import contrast_ratio
from kiosk.ops.notice_feed import NoticeFeed
from kiosk.ops.notice_spool import NoticeSpool, write_notice
from kiosk.ui.notice_widgets import LevelMark, WrapText
from kiosk.ui.qtapp import application
from kiosk.ui.widgets import Text, background_of
from tests import ui_notices as N
from tests.conftest import EXAMPLES
from tests.ui_data import NOW
from tests.ui_windows import SIZES, FakeClock, station_window


@pytest.fixture(scope="module")
def app():
    return application()


def _texts(root):
    """Every visible text under ``root``: one-line Texts and wrapping WrapTexts."""
    out = [t for t in root.findChildren(Text) if t.isVisibleTo(root) and t.text().strip()]
    out += [t for t in root.findChildren(WrapText) if t.isVisibleTo(root) and t.text().strip()]
    return out


def _check_legible(win, root, size, where):
    short = min(size)
    checked = 0
    for t in _texts(root):
        label = f"{where}: {t.text()[:30]!r}"
        assert t.font().pixelSize() >= 0.025 * short, f"{label} is {t.font().pixelSize()}px"
        ratio = contrast_ratio(t.fg, background_of(t))
        assert ratio >= 4.5, f"{label} {t.fg} on {background_of(t)} = {ratio:.2f}"
        top_left = t.mapTo(win, t.rect().topLeft())
        bottom_right = t.mapTo(win, t.rect().bottomRight())
        assert top_left.x() >= 0 and top_left.y() >= 0, label
        assert bottom_right.x() <= size[0] and bottom_right.y() <= size[1], label
        if isinstance(t, WrapText):
            assert t.fits(), label
        else:
            assert QFontMetrics(t.font()).horizontalAdvance(t.text()) <= t.width() + 1, label
        checked += 1
    return checked


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("lead", ["alert", "operator"])
def test_the_takeover_is_legible_and_shows_the_longest_message_in_full(app, size, lead):
    win = station_window(EXAMPLES[0], size)
    first = N.CRITICAL if lead == "alert" else N.OPERATOR
    win.set_notices([first, N.EMERGENCY, N.ADVISORY])
    QApplication.processEvents()
    takeover = win.notice_layer.takeover
    assert takeover is not None and takeover.isVisible() and takeover.geometry() == win.scene.rect()
    card = takeover.card
    assert card.message.text() == card.message.full_text() == first.text_ko  # not shortened
    assert _check_legible(win, takeover, size, "takeover") >= 12
    short = min(size)
    assert card.level.ko.font().pixelSize() >= 0.06 * short  # the primary words
    assert card.message.font().pixelSize() >= 0.04 * short
    # Level and category in Korean and English; where, when and who; the others beneath.
    assert (card.level.ko.text(), card.level.en.text()) == ("위급재난", "Extreme emergency")
    texts = [t.text() for t in _texts(takeover)]
    if lead == "alert":
        assert "지진 · Earthquake" in texts
        assert "서울특별시 영등포구, 서울특별시 동작구" in texts and "행정안전부" in texts
        assert "08:03 발령 · 11분 전" in texts and not card.english.isVisibleTo(win)
    else:
        assert "운영 안내 · Station notice" in texts and "운영실" in texts
        assert card.english.text() == N.OPERATOR.text_en
    assert sum(t.isVisibleTo(win) for t in card.others) == 2
    win.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("level", ["emergency", "advisory"])
def test_the_banner_fits_on_every_page_with_the_whole_message(app, size, level):
    win = station_window(EXAMPLES[0], size)
    lead = N.EMERGENCY if level == "emergency" else N.ADVISORY
    win.set_notices([lead, N.ADVISORY] if level == "emergency" else [lead])
    banner = win.notice_layer.banner
    for page in win.pages:
        win.show_page(page.page_id)
        QApplication.processEvents()
        assert banner is not None and banner.isVisibleTo(win)
        need, room = win.scene.layout().minimumSize(), win.scene.size()
        assert need.height() <= room.height() and need.width() <= room.width(), (page.page_id, need)
        assert banner.message.text() == lead.text_ko  # in full, not "…"
        assert _check_legible(win, win, size, page.page_id) > 10
    assert (banner.more.text() if level == "emergency" else "") == (
        "외 1건 · 1 more" if level == "emergency" else ""
    )
    win.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_notice_page_is_legible(app, size):
    win = station_window(EXAMPLES[0], size)
    win.set_notices([N.EMERGENCY, N.ADVISORY])
    win.notice_layer.show_notice_page(NOW)
    QApplication.processEvents()
    page = win.notice_layer.page
    assert page is not None and win.stack.currentWidget() is page
    assert not win.notice_layer.banner.isVisibleTo(win)  # the page itself says it all
    assert page.card.message.text() == N.EMERGENCY.text_ko
    assert win.scene.layout().minimumSize().height() <= win.scene.height()
    assert _check_legible(win, win, size, "notice page") > 10
    win.close()


@pytest.mark.parametrize("level", ["critical", "emergency", "advisory"])
def test_colour_is_never_the_only_signal(app, level):
    win = station_window(EXAMPLES[0], (1920, 1080))
    notice = {"critical": N.CRITICAL, "emergency": N.EMERGENCY, "advisory": N.ADVISORY}[level]
    win.set_notices([notice])
    layer = win.notice_layer
    if level == "critical":
        root, words = layer.takeover, layer.takeover.card.level.ko.text()
    else:
        root, words = layer.banner, layer.banner.heading.text()
    marks = [w for w in root.findChildren(LevelMark) if w.isVisibleTo(win)]
    assert marks and marks[0].level == level  # a symbol: triangle "!!", "!" or an "i" disc
    assert words.startswith(
        {"critical": "위급재난", "emergency": "긴급재난", "advisory": "안전안내"}[level]
    )
    win.close()


# --- on the rotation clock ---------------------------------------------------------------------


@pytest.fixture
def rotating(app):
    clock = FakeClock()
    win = station_window(EXAMPLES[0], (1920, 1080))
    win.clock = lambda: clock.now
    win.monotonic = lambda: clock.mono
    win.rotation_start = clock.mono
    win.rotating = True
    win.show_page("arrivals")
    yield win, clock
    win.close()


def _run(win, clock, seconds, each=None):
    """Tick once a second (``each`` first: what reads the notices); the slot shown after each
    tick ("N" is the notice page)."""
    shown = []
    for _ in range(seconds):
        clock.advance(1)
        if each is not None:
            each()
        win.tick()
        current = win.stack.currentWidget()
        if win.notice_layer.takeover is not None and win.notice_layer.takeover.isVisible():
            shown.append("T")
        else:
            shown.append("N" if current is win.notice_layer.page else current.page_id)
    return shown


def _changes(seq):
    out = []
    for s in seq:
        if not out or out[-1] != s:
            out.append(s)
    return out


def test_a_window_that_never_had_a_notice_builds_nothing_for_it(rotating):
    win, clock = rotating
    _run(win, clock, 25)
    layer = win.notice_layer
    assert layer.takeover is None and layer.page is None and layer.banner is None


def test_critical_takes_over_at_once_stops_the_rotation_and_gives_it_back(rotating):
    win, clock = rotating
    changed = []
    win.page_changed.connect(changed.append)
    win.set_notices([N.operator("critical", "역사 내 화재, 즉시 대피", minutes=10)])
    assert win.notice_layer.takeover.isVisible()  # no tick needed
    assert _changes(_run(win, clock, 300)) == ["T"] and changed == []
    win.set_notices(())  # cleared
    assert not win.notice_layer.takeover.isVisible()
    after = _changes(_run(win, clock, 21))
    assert after[0] == "buses"  # resumes with the next page, from its start
    assert after == ["buses", "air"]


def test_a_critical_notice_goes_when_it_expires(rotating):
    win, clock = rotating
    notice = N.operator("critical", "역사 내 화재, 즉시 대피", minutes=5)
    win.set_notices([notice])
    left = int((notice.until - clock.now).total_seconds())
    seq = _run(win, clock, left + 2)
    assert seq[left - 2] == "T" and seq[-1] != "T"


def test_emergency_takes_every_other_slot_with_the_banner_between(rotating):
    win, clock = rotating
    win.notice_layer.page_seconds = 10
    win.set_notices([N.EMERGENCY])
    assert win.stack.currentWidget() is win.notice_layer.page  # at once
    seq = _run(win, clock, 10 + 20 + 10 + 12 + 10 + 12 + 10 + 20 + 2)
    # yeouido: arrivals 20, buses 20, air 12, parks 12, arrivals-again 20 ...; the page after
    # arrivals first.
    assert _changes(seq) == ["N", "buses", "N", "air", "N", "parks", "N", "arrivals-again", "N"]
    banner = win.notice_layer.banner
    assert not banner.isVisible()  # on the notice page
    _run(win, clock, 10)
    assert banner.isVisible() and win.current_page().page_id == "bikes"


def test_advisory_leaves_the_rotation_alone_with_a_banner_on_every_page(rotating):
    win, clock = rotating
    win.set_notices([N.ADVISORY])
    seq = _run(win, clock, 20 + 20 + 12 + 12 + 20 + 2)
    assert _changes(seq) == ["arrivals", "buses", "air", "parks", "arrivals-again", "bikes"]
    assert win.notice_layer.banner.isVisible()
    assert not any(p.title.isVisible() for p in win.pages)  # the banner has their place
    win.set_notices(())
    assert not win.notice_layer.banner.isVisible() and win.current_page().title.isVisible()


def test_an_operator_notice_reaches_the_screen_within_two_seconds_and_a_bad_file_never(
    rotating, tmp_path
):
    win, clock = rotating
    (tmp_path / "garbled.json").write_text('{"format": 1, "id": "garbled", "level": "critical"')
    feed = NoticeFeed(NoticeSpool(tmp_path), N.RULES)

    def poll() -> None:  # what the kiosk's notice wake-ups do (kiosk/ops/notice_wake.py)
        notices = feed.changed(clock.now)
        if notices is not None:
            win.set_notices(notices)

    _run(win, clock, 3, poll)
    assert win.notice_layer.takeover is None  # the garbled file changed nothing
    write_notice(
        tmp_path,
        N.operator_notice_at(clock.now, "critical", "5호선 운행 중단, 1번 출구로 대피하세요"),
    )
    seq = _run(win, clock, 2, poll)
    assert seq[-1] == "T"
    restarted = NoticeFeed(NoticeSpool(tmp_path), N.RULES)  # a restart: still there
    assert [n.level for n in restarted.changed(clock.now) or ()] == ["critical"]
    for p in tmp_path.glob("op-*.json"):
        p.unlink()  # `kiosk notice clear`
    assert _run(win, clock, 2, poll)[-1] != "T"
    assert clock.now - NOW < timedelta(minutes=1)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_banner_is_as_high_as_its_message_and_its_heading_is_whole(app, size):
    win = station_window(EXAMPLES[0], size)
    win.set_notices([N.EMERGENCY, N.ADVISORY])  # the longest message, and one more
    win.show_page("bikes")
    QApplication.processEvents()
    banner = win.notice_layer.banner
    assert banner is not None
    long_h = banner.height()
    assert "…" not in banner.heading.text() and "…" not in banner.message.text()
    win.set_notices([N.ADVISORY])  # one line of text: no empty line beneath it
    QApplication.processEvents()
    assert banner.height() < long_h
    assert banner.message.fits() and banner.message.text() == N.ADVISORY.text_ko
    # The card lines up with the pages' cards (the pages' side margins), not the screen edge.
    page = win.current_page()
    left = page.mapTo(win, QPoint(page.layout().contentsMargins().left(), 0)).x()
    assert abs(banner.mapTo(win, banner.rect().topLeft()).x() + banner._inset - left) <= 1
    win.close()


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_a_short_takeover_message_keeps_its_english_right_beneath_it(app, size):
    win = station_window(EXAMPLES[0], size)
    short = N.operator("critical", "3번 출구로 대피하세요", "Leave by Exit 3")
    win.set_notices([short])
    QApplication.processEvents()
    card = win.notice_layer.takeover.card
    gap = card.english.y() - (card.message.y() + card.message.height())
    assert 0 <= gap <= win.metrics.px(2), gap
    assert card.message.fits() and card.english.fits()
    win.close()
