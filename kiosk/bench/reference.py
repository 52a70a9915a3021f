"""The naive references of `kiosk bench`, measured in the measuring child beside the kiosk's
own window (kiosk/ui/naive.py has the pages): a full repaint of a plain page, a naive fade
frame, a clock label's minute. The child alternates blocks of the kiosk's samples with blocks
of these, so a machine that slows down meanwhile slows both.

Qt is imported only when a Reference is made (from kiosk.ui), so this module imports with Qt
blocked, like every module outside kiosk/ui.
"""

from __future__ import annotations

import time


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


class Reference:
    """The naive windows at ``size``, shown offscreen beside the kiosk's."""

    def __init__(self, size: tuple[int, int]):
        from kiosk.ui.measure import GuiLoop, PaintMeter
        from kiosk.ui.naive import NaiveFade, NaivePage

        self.loop = GuiLoop()
        self.page = NaivePage(size)
        self.fade = NaiveFade(size)
        self.page.show()
        self.fade.show()
        for w in (self.page, self.fade):
            if not self.loop.wait_exposed(w):
                raise RuntimeError("a reference window was never exposed")
        self.loop.process()
        self.meter = PaintMeter(self.page)
        self._opacity = 1.0

    def repaint(self) -> float:
        """The whole naive page repainted, synchronously; ms."""
        t = time.perf_counter()
        self.page.repaint()
        return _ms(t)

    def fade_frame(self) -> float:
        """One naive cross-fade frame (the top page's opacity moved on, Qt repaints); ms."""
        self._opacity = 0.5 if self._opacity != 0.5 else 0.49
        t = time.perf_counter()
        self.fade.set_opacity(self._opacity)
        self.loop.process()
        return _ms(t)

    def clock(self) -> float:
        """The naive page's clock label set to the next minute, and Qt's repaint; ms."""
        t = time.perf_counter()
        self.page.flip_clock()
        self.loop.process()
        return _ms(t)

    def samples(self, count: int) -> dict[str, list[float]]:
        """``count`` samples of each reference."""
        out: dict[str, list[float]] = {"repaint": [], "fade": [], "clock": []}
        for _ in range(count):
            out["repaint"].append(self.repaint())
            self.loop.process()
            out["fade"].append(self.fade_frame())
            out["clock"].append(self.clock())
        return out

    def clock_area(self) -> float:
        """The share of the naive page a clock flip repaints."""

        def flip() -> None:
            self.page.flip_clock()
            self.loop.process()

        return self.meter.measure(flip)

    def close(self) -> None:
        """Take the windows down (their memory goes before the kiosk's last readings)."""
        from kiosk.ui.naive import dispose

        dispose(self.page, self.fade)
        del self.page, self.fade, self.meter  # their pictures go with the last reference
        self.loop.process()
