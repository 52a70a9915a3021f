"""Colours, type scale and fonts. Every size is a multiple of one unit: 1 % of the short side."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtGui import QFont, QFontDatabase

BG = "#0B1320"  # page background
SURFACE = "#16223A"  # cards
SURFACE_ALT = "#1E2D4A"  # rows inside cards
TEXT = "#FFFFFF"
TEXT_DIM = "#C3CEDF"  # secondary text (English lines, labels): 9:1 on SURFACE
STALE = "#FFC857"  # stale-data marks: amber, always with words
ACCENT = "#7FD1FF"
EXPRESS = "#FF8A80"  # express tag background (dark text on it)
LAST_TRAIN = "#FFD54F"  # last-train tag background (dark text on it)
DARK_TEXT = "#0B1320"

# Air-quality grade colours: light enough for dark text (>= 7:1); the grade is always written too.
GRADE_COLOURS = {
    "good": "#5AB4F0",
    "moderate": "#5CC77A",
    "bad": "#F5A742",
    "very_bad": "#F0635A",
}
NO_GRADE_COLOUR = "#8A94A6"
# The 24-hour trend's lines (chart and legend); told apart by line style as well.
PM10_COLOUR = "#FFFFFF"
PM25_COLOUR = "#7FD1FF"

# Type scale in units (1 unit = 1 % of the short side: 21.6 px at 3840x2160).
# Nothing is smaller than SMALL (2.6 % > the 2.5 % floor); primary figures are FIGURE (>= 6 %).
SMALL = 2.6
BODY = 3.0
TITLE = 3.6
STATION = 5.0
CLOCK = 5.6
FIGURE = 7.4
HERO = 10.0

FONT_FAMILY = "NanumSquare"
_FONTS_LOADED = False


def assets_dir() -> Path:
    """The assets folder: $KIOSK_ASSETS, the source tree's, or the installed copy."""
    env = os.environ.get("KIOSK_ASSETS")
    candidates = [Path(env)] if env else []
    candidates += [
        Path(__file__).resolve().parents[2] / "assets",
        Path("/opt/kiosk/assets"),
        Path("/usr/share/kiosk/assets"),
    ]
    for c in candidates:
        if (c / "fonts").is_dir():
            return c
    return candidates[0]


def load_fonts() -> str:
    """Register the bundled Korean font once; returns the family name to use."""
    global _FONTS_LOADED, FONT_FAMILY
    if not _FONTS_LOADED:
        families: list[str] = []
        for f in sorted((assets_dir() / "fonts").glob("*.ttf")):
            fid = QFontDatabase.addApplicationFont(str(f))
            if fid >= 0:
                families += QFontDatabase.applicationFontFamilies(fid)
        if families:
            FONT_FAMILY = families[0]
        _FONTS_LOADED = True
    return FONT_FAMILY


def flush_glyph_caches() -> bool:
    """Drop every rendered glyph and font engine Qt keeps; True if it could.

    Qt keeps each glyph it has drawn, once per size and weight, for as long as a label uses
    that font: Korean text that changes for months (event titles, places, destinations)
    reaches thousands of syllables. With every common syllable shown (2,350, random event
    titles at 3840x2160, scripts in docs/benchmark.md) RSS grew by 67 MB and stayed there;
    after this call it was back to +8 MB. Qt has no public call for its font cache, but it
    clears it whenever the application fonts change: registering the bundled font once more
    and removing it again does exactly that, and the page is redrawn as before (tested pixel
    for pixel). Costs ~8 ms, and the next frames draw their glyphs afresh; the window calls
    it about once an hour, never mid-fade (``KioskWindow.tick``).
    """
    fonts = sorted((assets_dir() / "fonts").glob("*.ttf"))
    if not fonts:
        return False
    fid = QFontDatabase.addApplicationFont(str(fonts[0]))
    if fid < 0:
        return False
    QFontDatabase.removeApplicationFont(fid)
    from kiosk.ui.heap import trim_heap

    trim_heap()  # glibc keeps the small freed glyph blocks otherwise
    return True


@dataclass(frozen=True)
class Metrics:
    """Pixel sizes for one screen size."""

    width: int
    height: int

    @property
    def unit(self) -> float:
        return min(self.width, self.height) / 100.0

    @property
    def portrait(self) -> bool:
        return self.height > self.width

    def px(self, units: float) -> int:
        """Units -> whole pixels (rounded up, so a size never drops under its floor)."""
        return max(1, int(-(-units * self.unit // 1)))

    def font(self, units: float, bold: bool = False) -> QFont:
        f = QFont(FONT_FAMILY)
        f.setPixelSize(self.px(units))
        f.setWeight(QFont.Weight.ExtraBold if bold else QFont.Weight.Normal)
        f.setHintingPreference(QFont.HintingPreference.PreferNoHinting)
        return f
