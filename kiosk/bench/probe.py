"""What `kiosk bench` measures inside a running window: page changes, ticks, fade frames,
idle CPU and rotations, timed around the same calls the app makes, plus the area Qt repaints.

The window is driven only through its public hooks (``show_index``, ``set_fade``, ``end_fade``,
``rotation_start``, ``clock``, ``monotonic``, ``rotating``, ``tick``); the Qt-bound tools (paint
meter, event loop) come from ``kiosk.ui.measure``, imported when a Probe is made, so this module
imports with Qt blocked. Every timing includes the paint: a call is followed by the repaint Qt
would do.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kiosk.ui.window import KioskWindow


class FakeClock:
    """Wall time the probe moves by hand, so a tick sees the second (or minute) it expects."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


def cpu_seconds() -> float:
    """User + system CPU time of this process, every thread included."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class Probe:
    """Drives a shown KioskWindow (``kiosk.ui.window``) the way its own timer and rotation do."""

    def __init__(self, window: KioskWindow):
        from kiosk.ui.measure import GuiLoop, PaintMeter

        self.win = window
        self.loop = GuiLoop()
        self.meter = PaintMeter(window)

    def process(self) -> None:
        """Deliver what is pending, the repaint of every dirty region included."""
        self.loop.process()

    def wait_for(self, ready: Callable[[], bool], timeout_s: float) -> bool:
        """Run the event loop until ``ready()`` or the timeout; whether it became ready."""
        return self.loop.wait_for(ready, timeout_s)

    def wait_exposed(self, timeout_s: float = 10.0) -> bool:
        """Until the platform has exposed the window (before that, a repaint paints nothing)."""
        return self.loop.wait_exposed(self.win, timeout_s)

    # --- page changes -----------------------------------------------------------------------

    def page_change(self, page_id: str) -> float:
        """Show a page and repaint the window synchronously; milliseconds."""
        t = time.perf_counter()
        self.win.show_page(page_id)
        self.win.repaint()
        return _ms(t)

    def page_changes(self, rounds: int) -> dict[str, list[float]]:
        """Every page in layout order, ``rounds`` times; samples by page id."""
        out: dict[str, list[float]] = {p.page_id: [] for p in self.win.pages}
        for _ in range(rounds):
            for page in self.win.pages:
                out[page.page_id].append(self.page_change(page.page_id))
                self.process()
        return out

    def page_change_area(self) -> float:
        """The share of the window one page change repaints."""
        page = self.win.pages[(self.win.index + 1) % len(self.win.pages)].page_id
        return self.meter.measure(lambda: self.page_change(page))

    # --- the one-second tick --------------------------------------------------------------------

    def _timed_tick(self) -> float:
        t = time.perf_counter()
        self.win.tick()
        self.process()
        return _ms(t)

    def ticks(self, seconds: int, minutes: int, start: datetime) -> dict[str, object]:
        """Ticks as the timer runs them (tick, then Qt repaints what changed), on a moved clock.

        ``seconds`` plain seconds (hh:mm:01 .. :30: the clock text stays, a countdown may
        flip) and ``minutes`` minute flips (:59 -> :00: clock, countdowns and data ages
        change). Returns the samples and, from a second pass with the paint meter on, the
        share of the screen each tick repainted.
        """
        win = self.win
        real_clock, rotating = win.clock, win.rotating
        base = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
        clock = FakeClock(base)
        win.clock, win.rotating = clock, False
        out: dict[str, list[float]] = {k: [] for k in ("second_ms", "minute_ms")}
        areas: dict[str, list[float]] = {k: [] for k in ("second_area", "minute_area")}
        try:
            for timed in (True, False):
                clock.now = base
                self._timed_tick()
                for i in range(seconds):
                    step = self._step(clock, base + timedelta(seconds=1 + i % 30))
                    if timed:
                        out["second_ms"].append(step())
                    else:
                        areas["second_area"].append(self.meter.measure(step))
                for _ in range(minutes):
                    self._step(clock, base + timedelta(seconds=59))()
                    step = self._step(clock, base + timedelta(seconds=60))
                    if timed:
                        out["minute_ms"].append(step())
                    else:
                        areas["minute_area"].append(self.meter.measure(step))
        finally:
            win.clock, win.rotating = real_clock, rotating
            win.tick()
            self.process()
        return {
            **out,
            **{k: sum(v) / len(v) for k, v in areas.items() if v},
            **{k.replace("area", "area_max"): max(v) for k, v in areas.items() if v},
        }

    def _step(self, clock: FakeClock, to: datetime) -> Callable[[], float]:
        def step() -> float:
            clock.now = to
            return self._timed_tick()

        return step

    # --- the cross-fade -------------------------------------------------------------------------

    def start_fade(self) -> float:
        """Rotate to the next page as ``tick()`` does (grab of the old page, overlay up), then
        hold the animation: the probe sets the opacity itself; ms."""
        win = self.win
        nxt = (win.index + 1) % len(win.pages)
        t = time.perf_counter()
        win.show_index(nxt, animate=True)
        ms = _ms(t)
        win.fade.pause()  # hold the frame: the probe sets the opacity itself
        return ms

    def fade_frame(self, opacity: float) -> float:
        """One fade frame at ``opacity``, painted; ms."""
        t = time.perf_counter()
        self.win.set_fade(opacity)
        self.process()
        return _ms(t)

    def transitions(self, count: int) -> dict[str, object]:
        """``count`` fades: their start, and two frames at mid opacity each; ms samples."""
        win = self.win
        starts, frames = [], []
        area = 0.0
        for i in range(count):
            # The start: the rotation's own work, the first frame (opacity 1) and the first
            # step below it, each as the animation would paint them; whatever the window
            # prepares for the fade (page grabs) falls in here.
            ms = self.start_fade()
            t = time.perf_counter()
            self.process()
            self.fade_frame(0.99)
            starts.append(ms + _ms(t))
            frames.append(self.fade_frame(0.5))
            frames.append(self.fade_frame(0.49))
            if i == count - 1:  # (a fade only goes forwards: the old page is not kept)
                area = self.meter.measure(lambda: self.fade_frame(0.3))
            win.end_fade()
            self.process()
        return {"start_ms": starts, "frame_ms": frames, "frame_area": area}

    # --- idle CPU and rotations ----------------------------------------------------------------

    def idle_cpu(self, seconds: float) -> tuple[float, float]:
        """One page on screen, the real 1 s timer ticking, the real event loop: (cpu_s, wall_s)."""
        win = self.win
        rotating = win.rotating
        win.rotating = False
        win.start()
        try:
            self.process()
            c0, t0 = cpu_seconds(), time.monotonic()
            self.loop.run(seconds)
            return cpu_seconds() - c0, time.monotonic() - t0
        finally:
            win.rotating = rotating

    def rotate(self, changes: int, finish_every: int = 10) -> None:
        """``changes`` page changes through the window's own rotation (``tick()`` with the
        rotation clock moved on by the page's duration): grab, cross-fade start, new page, a
        painted frame. Every ``finish_every``-th fade runs to its end (overlay hidden, pixmap
        freed); the others are cut short by the next change, as a fast rotation would."""
        win = self.win
        durations = [p.duration for p in win.setup.pages]
        real_mono, rotating = win.monotonic, win.rotating
        elapsed = [sum(durations[: win.index]) + 0.5]
        win.monotonic = lambda: win.rotation_start + elapsed[0]
        win.rotating = True
        try:
            for i in range(changes):
                elapsed[0] += durations[win.index]
                win.tick()
                self.process()
                if (i + 1) % finish_every == 0:
                    win.fade.setCurrentTime(win.fade.duration())
                    self.process()
            win.fade.setCurrentTime(win.fade.duration())
            self.wait_for(lambda: not win.turner.turning(), 5.0)  # the hand-over, to its end
        finally:
            win.monotonic, win.rotating = real_mono, rotating
