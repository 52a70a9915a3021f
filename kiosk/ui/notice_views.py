"""The notice screens: the full-screen takeover, the emergency notice page, and the banner.

Each shows a ``core.views.notices.NoticeView``: the level in words and as a symbol (colour is
never the only signal), the category in Korean and English, the message as published, where
it applies, when it was issued and by whom, and the other notices in force beneath it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from kiosk.core.format import clock_text
from kiosk.core.models import Notice
from kiosk.core.views.notices import notice_view, summary_line
from kiosk.ui import theme
from kiosk.ui.notice_widgets import LEVEL_BG, TAKEOVER_BG, LevelMark, WrapText, level_fg
from kiosk.ui.pages.base import Page, PageContext
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, Panel, Text

MAX_OTHERS = 3  # notices listed beneath the lead; more are counted


class _Detail(QWidget):
    """A labelled fact: "적용 지역 · Where" over the Korean value over the English one."""

    def __init__(self, metrics: Metrics, label: str, parent: QWidget | None = None):
        super().__init__(parent)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        self.label = Text(metrics, theme.SMALL, True, theme.TEXT_DIM, label)
        self.value = BilingualText(metrics, theme.BODY, theme.SMALL)
        lay.addWidget(self.label)
        lay.addWidget(self.value)

    def set_value(self, pair: tuple[str, str]) -> None:
        self.value.set_texts(*pair)


class NoticeCard(QWidget):
    """One notice in full, with the others in force listed beneath; ``big`` for the takeover."""

    def __init__(self, metrics: Metrics, big: bool, parent: QWidget | None = None):
        super().__init__(parent)
        m = metrics
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(m.px(1.2))
        self.band = Panel(LEVEL_BG["critical"], 1.2, m)
        band = QHBoxLayout(self.band)
        pad = m.px(1.6)
        band.setContentsMargins(pad, m.px(0.8), pad, m.px(0.8))
        band.setSpacing(m.px(2))
        self.mark = LevelMark(m, "critical", 10.0 if big else 7.0)
        band.addWidget(self.mark)
        self.level = BilingualText(
            m, theme.FIGURE if big else theme.STATION, theme.TITLE if big else theme.BODY
        )
        band.addWidget(self.level, 3)
        self.clock = Text(m, theme.CLOCK, True, align=Qt.AlignmentFlag.AlignRight)
        self.clock.setMinimumWidth(
            QFontMetrics(m.font(theme.CLOCK, True)).horizontalAdvance("88:88")
        )
        self.clock.setVisible(big)  # the takeover covers the header's clock
        band.addWidget(self.clock, 0)
        lay.addWidget(self.band)
        self.category = Text(m, theme.STATION if big else theme.TITLE, True)
        lay.addWidget(self.category)
        # As large as the box allows (WrapText shrinks to fit): the message is what matters.
        self.message = WrapText(m, 9.0 if big else 7.4, theme.BODY, bold=True)
        lay.addWidget(self.message, 3)
        self.english = WrapText(m, 5.0 if big else theme.TITLE, theme.SMALL, False, theme.TEXT_DIM)
        lay.addWidget(self.english, 1)
        # Height a short message does not need goes here, under the English text (which then
        # reads as part of the message), not between the two (``_fit_texts``); nothing else
        # grows past what it needs.
        lay.addStretch(0)
        self.metrics = m
        facts = QGridLayout()
        facts.setHorizontalSpacing(m.px(3))
        facts.setVerticalSpacing(m.px(0.8))
        self.where = _Detail(m, "적용 지역 · Where")
        self.issued = _Detail(m, "발령 · Issued")
        self.issuer = _Detail(m, "발령 기관 · Issued by")
        facts.addWidget(self.where, 0, 0, 1, 2)
        facts.addWidget(self.issued, 1, 0)
        facts.addWidget(self.issuer, 1, 1)
        facts.setColumnStretch(0, 2)
        facts.setColumnStretch(1, 3)
        lay.addLayout(facts)
        self.others_box = Panel(theme.SURFACE, 1.0, m)
        box = QVBoxLayout(self.others_box)
        box.setContentsMargins(pad, m.px(0.6), pad, m.px(0.6))
        box.setSpacing(0)
        self.others_title = Text(
            m, theme.SMALL, True, theme.TEXT_DIM, "함께 발령 중 · Also in force"
        )
        box.addWidget(self.others_title)
        self.others = [Text(m, theme.SMALL, False) for _ in range(MAX_OTHERS)]
        for t in self.others:
            box.addWidget(t)
        self.more = Text(m, theme.SMALL, False, theme.TEXT_DIM)
        box.addWidget(self.more)
        lay.addWidget(self.others_box)
        for w in (self.band, self.category, self.where, self.issued, self.issuer, self.others_box):
            w.setSizePolicy(w.sizePolicy().horizontalPolicy(), QSizePolicy.Policy.Maximum)
        self.lead: Notice | None = None

    def show_notices(self, lead: Notice, others: Sequence[Notice], now: datetime) -> None:
        """Show ``lead`` in full and list ``others`` beneath it."""
        v = notice_view(lead, now)
        self.lead = lead
        bg, fg = LEVEL_BG[v.level], level_fg(v.level)
        self.band.set_bg(bg)
        self.mark.set_level(v.level, fg)
        self.level.set_colours(fg, fg)
        self.level.set_texts(*v.level_words)
        self.clock.set_colour(fg)
        self.category.set_text(f"{v.category[0]} · {v.category[1]}")
        self.message.set_text(v.text_ko)
        self.english.set_text(v.text_en)
        self.english.setVisible(bool(v.text_en))
        self.where.set_value(v.where)
        self.issuer.set_value(v.issuer)
        for t, n in zip(self.others, (*others, *([None] * MAX_OTHERS)), strict=False):
            t.set_text(summary_line(n) if n is not None else "")
            t.setVisible(n is not None)
        extra = len(others) - MAX_OTHERS
        self.more.set_text(f"외 {extra}건 · {extra} more" if extra > 0 else "")
        self.more.setVisible(extra > 0)
        self.others_box.setVisible(bool(others))
        self._fit_texts()
        self.tick(now)

    def _fit_texts(self) -> None:
        """Cap each text's box at what it needs at its largest size, so a short message keeps
        its English right beneath it; a long one still gets every spare line (and shrinks)."""
        width = self.width()
        if width <= 0:
            return
        for box in (self.message, self.english):
            font = self.metrics.font(box.units, box.bold)
            need = box.needed_height(font, box.full_text(), width) + 4
            if box.maximumHeight() != need:
                box.setMaximumHeight(need)

    def resizeEvent(self, event) -> None:  # noqa: N802 (Qt API)
        super().resizeEvent(event)
        self._fit_texts()

    def tick(self, now: datetime) -> None:
        """The clock and the issue time's age move on."""
        if self.lead is None:
            return
        self.clock.set_text(clock_text(now))
        self.issued.set_value(notice_view(self.lead, now).issued)


class Takeover(Panel):
    """The whole screen for a critical notice: nothing else is shown until it ends."""

    def __init__(self, metrics: Metrics, parent: QWidget | None = None):
        super().__init__(TAKEOVER_BG, parent=parent)
        m = metrics
        lay = QVBoxLayout(self)
        lay.setContentsMargins(m.px(3), m.px(2.5), m.px(3), m.px(2.5))
        self.card = NoticeCard(m, big=True)
        lay.addWidget(self.card)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)  # nothing shows through
        self.hide()


class NoticePage(Page):
    """The emergency notice page: it takes every other slot of the rotation."""

    kind = "notice"
    title_ko = "긴급 안내"
    title_en = "Emergency notice"

    def __init__(self, metrics: Metrics, ctx: PageContext, parent: QWidget | None = None):
        super().__init__(metrics, "notice", ctx, parent)
        self.card = NoticeCard(metrics, big=False)
        self.body.addWidget(self.card, 1)

    def tick(self, now: datetime) -> None:
        self.card.tick(now)


class NoticeBanner(Panel):
    """A notice on the regular pages: the level, category and time, the message in full.

    It takes the place of the pages' title rows (``NoticeLayer`` hides them meanwhile): the
    pages have no other height to spare in landscape.
    """

    def __init__(self, metrics: Metrics, parent: QWidget | None = None):
        super().__init__(LEVEL_BG["advisory"], 1.0, metrics, parent=parent)
        m = metrics
        self.metrics = m
        # A rounded card in the pages' own margins (px(3) at the sides), so that its edges line
        # up with the cards below it and the pixel shift never shows as a lopsided full bleed.
        # Vertically it keeps the height it had: landscape pages have none to spare.
        self._inset, pad = m.px(3), m.px(1.4)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(self._inset + pad, m.px(0.2), self._inset + pad, m.px(0.2))
        lay.setSpacing(m.px(1.6))
        self.mark = LevelMark(m, "advisory", 4.6)
        lay.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignTop)
        col = QVBoxLayout()
        col.setSpacing(0)
        self.heading = Text(m, theme.SMALL, True)
        col.addWidget(self.heading)
        self.message = WrapText(m, theme.BODY, theme.SMALL, bold=False)
        # Room for the feed's longest messages (~90 characters) at the floor size: two lines
        # across a landscape screen, four on a portrait one (which has height to spare).
        lines = 4 if m.portrait else 2
        self._max_h = QFontMetrics(m.font(theme.SMALL)).lineSpacing() * lines + 4
        self.message.setFixedHeight(self._max_h)
        # The message's own width is known only once the layout has placed it.
        self.message.on_resize = self._fit_height
        col.addWidget(self.message)
        lay.addLayout(col, 1)
        # Landscape: the time and the count in a column at the right. Portrait: beneath the
        # message, so that the heading and the message have the whole width.
        side = Qt.AlignmentFlag.AlignLeft if m.portrait else Qt.AlignmentFlag.AlignRight
        self.when = Text(m, theme.SMALL, True, align=side)
        self.more = Text(m, theme.SMALL, True, align=side)
        fm = QFontMetrics(m.font(theme.SMALL, True))
        extra = QHBoxLayout() if m.portrait else QVBoxLayout()
        extra.setSpacing(m.px(2) if m.portrait else 0)
        for t, longest in (
            (self.when, "88:88 발령 · Issued 88:88"),
            (self.more, "외 99건 · 99 more"),
        ):
            t.setMinimumWidth(fm.horizontalAdvance(longest) + 2)
            extra.addWidget(t)
        extra.addStretch(1)
        if m.portrait:
            col.addLayout(extra)
        else:
            lay.addLayout(extra)
        self.notice: Notice | None = None
        # Never taller than its text needs (portrait screens have height to spare).
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.hide()

    def show_notice(self, notice: Notice, more: int, now: datetime) -> None:
        """Show ``notice``; ``more`` other notices are in force."""
        self.notice = notice
        v = notice_view(notice, now)
        fg = level_fg(notice.level)
        self.set_bg(LEVEL_BG[notice.level])
        self.mark.set_level(notice.level, fg)
        for t in (self.heading, self.when, self.more):
            t.set_colour(fg)
        self.message.set_colour(fg)
        self.heading.set_text(
            f"{v.level_words[0]} {v.level_words[1]} · {v.category[0]} {v.category[1]}"
        )
        at = clock_text(notice.issued_at)
        self.when.set_text(f"{at} 발령 · Issued {at}")
        self.message.set_text(notice.text_ko)
        self.more.set_text(f"외 {more}건 · {more} more" if more else "")
        self.more.setVisible(bool(more))
        self._fit_height()

    def _fit_height(self) -> None:
        """As high as the message needs (a short one leaves no empty line), at most the room
        the feed's longest messages take at the floor size."""
        width = self.message.width()
        if width <= 0 or self.notice is None:
            return
        font = self.metrics.font(theme.BODY)
        need = self.message.needed_height(font, self.notice.text_ko, width) + 4
        height = min(self._max_h, need)
        if self.message.height() != height:
            self.message.setFixedHeight(height)
            # At once, not at the next event-loop pass: no frame with the old height.
            for w in (self, self.parentWidget()):
                lay = w.layout() if w is not None else None
                if lay is not None:
                    lay.activate()

    def paintEvent(self, event) -> None:  # noqa: N802 (Qt API)
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(self.bg))
        card = QRectF(self.rect().adjusted(self._inset, 0, -self._inset, 0))
        radius = self.metrics.px(1.0)
        p.drawRoundedRect(card, radius, radius)
