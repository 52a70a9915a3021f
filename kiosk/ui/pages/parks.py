"""Parks and walking trails: a list nearest first, and a schematic with the station at the centre."""

from __future__ import annotations

import math
from datetime import datetime

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QVBoxLayout, QWidget

from kiosk.core.format import distance_text, readable_on
from kiosk.core.nodata import TITLES, worst
from kiosk.core.views.common import DataState
from kiosk.core.views.parks import ParksView, PlaceRow, parks_view
from kiosk.ui import theme
from kiosk.ui.layer import LayerPanel
from kiosk.ui.pages.base import Page, PageContext
from kiosk.ui.theme import Metrics
from kiosk.ui.widgets import BilingualText, NoDataCard, Panel, Text

PARK_COLOUR = "#5CC77A"
TRAIL_COLOUR = "#F5A742"
_RING_STEPS_M = (250, 500, 1000, 2000, 3000, 5000, 10000)


def _scale(distance_m: float, outer_m: float) -> float:
    """Square-root radial scale: nearby places spread out, far ones still fit."""
    return math.sqrt(min(distance_m, outer_m) / outer_m)


def _spread(points: list[QPointF], centre: QPointF, min_gap: float, min_r: float) -> list[QPointF]:
    """Nudge markers apart (and off the station) so numbers never overlap; positions stay close."""
    pts = [QPointF(p) for p in points]
    for _ in range(40):
        moved = False
        for i, a in enumerate(pts):
            d = a - centre
            dist = math.hypot(d.x(), d.y())
            if dist < min_r:
                ang = math.atan2(d.y(), d.x()) if dist > 0.5 else -math.pi / 4 + i
                pts[i] = a = QPointF(
                    centre.x() + min_r * math.cos(ang), centre.y() + min_r * math.sin(ang)
                )
                moved = True
            for j in range(i + 1, len(pts)):
                b = pts[j]
                dx, dy = b.x() - a.x(), b.y() - a.y()
                gap = math.hypot(dx, dy)
                if gap < min_gap:
                    if gap < 0.5:
                        dx, dy, gap = 1.0, 0.0, 1.0
                    push = (min_gap - gap) / 2
                    ux, uy = dx / gap * push, dy / gap * push
                    pts[i] = a = QPointF(a.x() - ux, a.y() - uy)
                    pts[j] = QPointF(b.x() + ux, b.y() + uy)
                    moved = True
        if not moved:
            break
    return pts


def _free_angle(points: list[QPointF], centre: QPointF) -> float:
    """The direction (radians from north) farthest from every marker, for the ring labels."""
    candidates = [math.radians(a) for a in (135, 225, 45, 315)]  # diagonals keep labels apart
    if not points:
        return candidates[0]
    bearings = [math.atan2(p.x() - centre.x(), centre.y() - p.y()) for p in points]

    def clearance(a: float) -> float:
        return min(abs(math.remainder(a - b, 2 * math.pi)) for b in bearings)

    return max(candidates, key=clearance)


class Schematic(LayerPanel):
    """Station at the centre, north up; places by bearing and straight-line distance. Drawn once
    per change into a layer (kiosk/ui/layer.py): a strip of it repaints the same pixels."""

    def __init__(self, m: Metrics, station_ko: str, parent: QWidget | None = None):
        super().__init__(theme.SURFACE, 1.4, m, parent)
        self.m = m
        self.station_ko = station_ko
        self.places: tuple[tuple[PlaceRow, str], ...] = ()
        self.font_small = m.font(theme.SMALL, bold=True)

    def set_places(self, places: tuple[tuple[PlaceRow, str], ...]) -> None:
        if places != self.places:
            self.places = places
            self.invalidate()

    def draw(self, p: QPainter) -> None:
        m = self.m
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(self.rect())
        c = rect.center()
        radius = min(rect.width(), rect.height()) / 2 - m.px(4.5)
        far = max((pl.straight_m for pl, _ in self.places), default=1000.0)
        outer = next((r for r in _RING_STEPS_M if r >= far * 1.1), _RING_STEPS_M[-1])
        rings = [r for r in _RING_STEPS_M if r < outer][-2:] + [outer]
        p.setFont(self.font_small)
        mr = m.px(2.4)
        sr = m.px(3.2)
        points = _spread(
            [
                QPointF(
                    c.x()
                    + radius * _scale(pl.straight_m, outer) * math.sin(math.radians(pl.bearing)),
                    c.y()
                    - radius * _scale(pl.straight_m, outer) * math.cos(math.radians(pl.bearing)),
                )
                for pl, _ in self.places
            ],
            c,
            2.2 * mr,
            sr + mr,
        )
        label_angle = _free_angle(points, c)
        labelled_at = math.inf  # radius of the last ring labelled, outermost first
        for r_m in reversed(rings):
            r = radius * _scale(r_m, outer)
            pen = QPen(QColor(theme.TEXT_DIM))
            pen.setWidth(max(1, m.px(0.12)))
            # Long flat dashes: a third of the segments Qt's DashLine makes, which it strokes
            # one by one (antialiased rings were ~3 ms of a 4K page change, now ~1 ms).
            pen.setDashPattern([5.0, 4.0])
            pen.setCapStyle(Qt.PenCapStyle.FlatCap)
            p.setPen(pen)
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.drawEllipse(c, r, r)
            at = QPointF(c.x() + r * math.sin(label_angle), c.y() - r * math.cos(label_angle))
            label = distance_text(r_m)
            w = p.fontMetrics().horizontalAdvance(label) + m.px(1.0)
            box = QRectF(at.x() - w / 2, at.y() - m.px(1.9), w, m.px(3.8))
            # A small schematic (a QR code beside it) has no room for every label: an inner
            # ring's label that would touch the one outside it or a place marker is left out;
            # the outermost ring is always labelled and gives the scale.
            hidden = labelled_at - r < m.px(4.0) or any(
                box.intersects(QRectF(pt.x() - mr, pt.y() - mr, 2 * mr, 2 * mr)) for pt in points
            )
            if labelled_at != math.inf and hidden:
                continue
            labelled_at = r
            # A halo in the card colour, so the dashed ring never runs through the digits.
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(theme.SURFACE))
            p.drawRoundedRect(box, m.px(0.6), m.px(0.6))
            p.setPen(QColor(theme.TEXT_DIM))
            p.drawText(box, Qt.AlignmentFlag.AlignCenter, label)
        # North marker
        p.setPen(QColor(theme.TEXT))
        p.drawText(
            QRectF(c.x() - m.px(8), rect.top() + m.px(0.4), m.px(16), m.px(4)),
            Qt.AlignmentFlag.AlignCenter,
            "▲ 북 N",
        )
        # Legend: what the colours and rings mean, in words (colour is never the only signal).
        legend_h = m.px(3.6)
        y = rect.bottom() - m.px(0.8) - 2 * legend_h
        x = rect.left() + m.px(1.6)
        for colour, text in ((PARK_COLOUR, "공원 Park"), (TRAIL_COLOUR, "산책로 Trail")):
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(QColor(colour))
            p.drawEllipse(QPointF(x + m.px(1.0), y + legend_h / 2), m.px(1.0), m.px(1.0))
            p.setPen(QColor(theme.TEXT_DIM))
            p.drawText(
                QRectF(x + m.px(2.8), y, m.px(30), legend_h),
                Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft,
                text,
            )
            y += legend_h
        p.drawText(
            QRectF(
                rect.right() - m.px(31.6), rect.bottom() - m.px(0.8) - legend_h, m.px(30), legend_h
            ),
            Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight,
            "직선거리 Straight line",
        )
        # Station
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(theme.TEXT))
        p.drawEllipse(c, sr, sr)
        p.setPen(QColor(theme.DARK_TEXT))
        p.drawText(
            QRectF(c.x() - sr, c.y() - sr, 2 * sr, 2 * sr), Qt.AlignmentFlag.AlignCenter, "역"
        )
        # Places
        for (place, colour), pt in zip(self.places, points, strict=True):
            p.setPen(QPen(QColor(theme.SURFACE), max(1, m.px(0.25))))
            p.setBrush(QColor(colour))
            p.drawEllipse(pt, mr, mr)
            p.setPen(QColor(readable_on(colour, theme.TEXT, theme.DARK_TEXT)))
            p.drawText(
                QRectF(pt.x() - mr, pt.y() - mr, 2 * mr, 2 * mr),
                Qt.AlignmentFlag.AlignCenter,
                str(place.number),
            )


class PlaceItem(Panel):
    """A numbered row: name (ko/en), walking time and distance, facilities or trail length."""

    def __init__(self, m: Metrics, colour: str, parent: QWidget | None = None):
        super().__init__(theme.SURFACE_ALT, 1.0, m, parent)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(m.px(1.4), m.px(0.8), m.px(1.4), m.px(0.8))
        lay.setSpacing(m.px(1.4))
        self.number = Text(
            m,
            theme.TITLE,
            True,
            readable_on(colour, theme.TEXT, theme.DARK_TEXT),
            align=Qt.AlignmentFlag.AlignCenter,
        )
        self.marker = Panel(colour, 2.4, m)
        ml = QVBoxLayout(self.marker)
        ml.setContentsMargins(0, 0, 0, 0)
        ml.addWidget(self.number)
        self.marker.setFixedSize(m.px(4.8), m.px(4.8))
        lay.addWidget(self.marker, 0, Qt.AlignmentFlag.AlignVCenter)
        mid = QVBoxLayout()
        mid.setSpacing(0)
        self.name = BilingualText(m, theme.BODY, theme.SMALL)
        self.detail = Text(m, theme.SMALL, False, theme.TEXT_DIM)
        mid.addWidget(self.name)
        mid.addWidget(self.detail)
        lay.addLayout(mid, 3)
        self.walk = BilingualText(m, theme.TITLE, theme.SMALL, align=Qt.AlignmentFlag.AlignRight)
        self.walk.setMinimumWidth(m.px(22))
        lay.addWidget(self.walk, 0)

    def show_place(self, row: PlaceRow) -> None:
        self.number.set_text(str(row.number))
        self.name.set_texts(row.name_ko, row.name_en)
        detail = " · ".join(x for x in (row.detail_ko, row.detail_en) if x)
        self.detail.set_text(detail)
        self.detail.setVisible(bool(detail))
        self.walk.set_texts(
            f"도보 {row.walk_min}분", f"{row.walk_min} min · {distance_text(row.walk_m)}"
        )


class ParksPage(Page):
    kind = "parks"
    title_ko = "가까운 공원과 산책로"
    title_en = "Parks and walking trails nearby"

    def __init__(
        self, metrics: Metrics, page_id: str, ctx: PageContext, parent: QWidget | None = None
    ):
        super().__init__(metrics, page_id, ctx, parent)
        m = metrics
        self.content = QWidget()  # hidden as a whole: the no-data card then fills the page
        row = QBoxLayout(
            QBoxLayout.Direction.TopToBottom if m.portrait else QBoxLayout.Direction.LeftToRight,
            self.content,
        )
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(m.px(1.6))
        self.schematic = Schematic(m, ctx.station_ko)
        if m.portrait:
            self.schematic.setMinimumHeight(m.px(56))
            # Portrait has no height to spare for a row of its own: the code goes beside the
            # schematic, which is round and never needed the full width.
            top = QHBoxLayout()
            top.setSpacing(m.px(1.6))
            top.addWidget(self.schematic, 1)
            self.dock_qr(top, column=True)
            row.addLayout(top, 2)
        elif self.qr is not None:
            # A column of its own would squeeze the list (long English names get cut): the
            # code goes under the schematic instead, which gets less tall and stays round.
            left = QVBoxLayout()
            left.setSpacing(m.px(1.6))
            left.addWidget(self.schematic, 1)
            self.dock_qr(left, column=False)
            row.addLayout(left, 2)
        else:
            row.addWidget(self.schematic, 2)
        right = QVBoxLayout()
        right.setSpacing(m.px(1.0))
        self.max_parks = ctx.max_items or (4 if m.portrait else 3)
        self.park_label = Text(m, theme.SMALL, True, theme.TEXT_DIM, "공원 Parks")
        right.addWidget(self.park_label)
        self.park_items = [PlaceItem(m, PARK_COLOUR) for _ in range(self.max_parks)]
        for it in self.park_items:
            right.addWidget(it, 1)
        self.trail_label = Text(m, theme.SMALL, True, theme.TEXT_DIM, "산책로 Walking trails")
        right.addWidget(self.trail_label)
        self.trail_items = [PlaceItem(m, TRAIL_COLOUR) for _ in range(2)]
        for it in self.trail_items:
            right.addWidget(it, 1)
        right.addStretch(0)
        row.addLayout(right, 3)
        self.body.addWidget(self.content, 1)
        self.no_data = NoDataCard(m, *TITLES["parks"])
        self.no_data.setVisible(False)
        self.body.addWidget(self.no_data, 1)
        self.view: ParksView | None = None

    def refresh(self, now: datetime) -> None:
        s_parks, s_trails = self.state("parks"), self.state("trails")
        parks = self.snapshots.get("parks")
        trails = self.snapshots.get("trails")
        v = parks_view(
            parks.items if parks else (),
            trails.items if trails else (),
            self.ctx.lat,
            self.ctx.lon,
            s_parks,
            s_trails,
            max_parks=self.max_parks,
        )
        self.view = v
        # The notice speaks for the worse of the two feeds (no data > stale > fresh).
        rank = {DataState.FRESH: 0, DataState.STALE: 1, DataState.NO_DATA: 2}
        worse_is_trails = rank[s_trails] > rank[s_parks]
        self.show_notice(
            s_trails if worse_is_trails else s_parks, trails if worse_is_trails else parks, now
        )
        for item, r in zip(self.park_items, v.parks + (None,) * len(self.park_items), strict=False):
            item.setVisible(r is not None)
            if r is not None:
                item.show_place(r)
        for item, r in zip(
            self.trail_items, v.trails + (None,) * len(self.trail_items), strict=False
        ):
            item.setVisible(r is not None)
            if r is not None:
                item.show_place(r)
        # A feed that failed says so in its own section instead of silently disappearing.
        self.park_label.set_text("공원 Parks" if v.parks else "공원 Parks · 정보 없음 No data")
        self.trail_label.set_text(
            "산책로 Walking trails" if v.trails else "산책로 Walking trails · 정보 없음 No data"
        )
        nothing = not v.parks and not v.trails
        self.content.setVisible(not nothing)
        self.no_data.setVisible(nothing)
        if nothing:
            self.no_data.show_text(self.card_text(worst(parks, trails)))
        self.schematic.set_places(
            tuple((r, PARK_COLOUR) for r in v.parks) + tuple((r, TRAIL_COLOUR) for r in v.trails)
        )

    def left_screen(self) -> None:
        self.schematic.let_go()

    def qr_values(self) -> dict[str, str]:
        """{park}: the nearest park on the page (the first row), once there is one."""
        view = getattr(self, "view", None)  # called once before __init__ has built the view
        if view is None or not view.parks or not view.parks[0].item_id:
            return {}
        return {"park": view.parks[0].item_id}
