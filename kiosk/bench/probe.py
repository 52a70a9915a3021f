"""What `kiosk bench` measures inside a running window: page turns and page renders, ticks, fade
frames, pixel-shift steps, every frame of a rotation in real time, idle CPU and rotations, timed
around the same calls the app makes, plus the area Qt repaints.

The window is driven only through its public hooks (``show_index``, ``set_fade``, ``end_fade``,
``end_turn``, ``rotation_start``, ``clock``, ``monotonic``, ``rotating``, ``tick``, ``ticker``,
``turner``, ``scene``); the Qt-bound tools (paint meter, frame monitor, event loop) come from
``kiosk.ui.measure``, imported when a Probe is made, so this module imports with Qt blocked.
Every timing includes the paint: a call is followed by the repaint Qt would do.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from kiosk.core.pixelshift import Offset, orbit

if TYPE_CHECKING:
    from kiosk.ui.window import KioskWindow

READY_TIMEOUT_S = 10.0  # for the next page to be made ready, or a turn to end
# The probe's tick before a turn comes this long before it on the rotation clock: within the
# lead time (the next page is made ready), and close enough in wall time (which stays real)
# that the turn shows the moment the picture was made for (kiosk.ui.turns.SAME_TURN_S).
BEFORE_S = 1.0


class FakeClock:
    """Wall time the probe moves by hand, so a tick sees the second (or minute) it expects."""

    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now


def _showing(win: Any, index: int) -> Callable[[], bool]:
    """Whether ``win`` shows page ``index`` (what a held turn is waited for with)."""

    def shows() -> bool:
        return bool(win.index == index)

    return shows


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000.0


def cpu_seconds() -> float:
    """User + system CPU time of this process, every thread included."""
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class Probe:
    """Drives a shown KioskWindow (``kiosk.ui.window``) the way its own timer and rotation do."""

    def __init__(self, window: KioskWindow):
        from kiosk.ui.measure import FrameMonitor, GuiLoop, PaintMeter

        self.win = window
        self.loop = GuiLoop()
        self.meter = PaintMeter(window)
        self.frames = FrameMonitor()

    def process(self) -> None:
        """Deliver what is pending, the repaint of every dirty region included."""
        self.loop.process()

    def wait_for(self, ready: Callable[[], bool], timeout_s: float) -> bool:
        """Run the event loop until ``ready()`` or the timeout; whether it became ready."""
        return self.loop.wait_for(ready, timeout_s)

    def wait_exposed(self, timeout_s: float = 10.0) -> bool:
        """Until the platform has exposed the window (before that, a repaint paints nothing)."""
        return self.loop.wait_exposed(self.win, timeout_s)

    # --- a page rendered in full (what a page change cost before its picture was made) -------

    def page_render(self, page_id: str) -> float:
        """Show a page at once and repaint the window synchronously; milliseconds."""
        t = time.perf_counter()
        self.win.show_page(page_id)
        self.win.repaint()
        return _ms(t)

    def page_renders(self, rounds: int) -> dict[str, list[float]]:
        """Every page in layout order, ``rounds`` times; samples by page id."""
        out: dict[str, list[float]] = {p.page_id: [] for p in self.win.pages}
        for _ in range(rounds):
            for page in self.win.pages:
                out[page.page_id].append(self.page_render(page.page_id))
                self.process()
        return out

    def page_render_area(self) -> float:
        """The share of the window a full page render repaints."""
        page = self.win.pages[(self.win.index + 1) % len(self.win.pages)].page_id
        return self.meter.measure(lambda: self.page_render(page))

    # --- page turns: the rotation's, the next page made ready in the lead time ----------------

    @contextmanager
    def _rotation(self) -> Iterator[Callable[[float], None]]:
        """The rotation on a clock the probe sets (``to(elapsed)``); wall time stays real, so
        the data's ages stay what they are (the demo poller keeps publishing)."""
        win = self.win
        real = (win.monotonic, win.rotating, win.rotation_start)
        durations = [p.duration for p in win.setup.pages]
        elapsed = [sum(durations[: win.index]) + 0.5]
        win.rotation_start = 0.0
        win.monotonic, win.rotating = (lambda: elapsed[0]), True

        def to(at: float) -> None:
            elapsed[0] = at

        try:
            yield to
        finally:
            win.monotonic, win.rotating, win.rotation_start = real

    def _due(self, index: int) -> float:
        """When (on the rotation clock) page ``index`` is due in the cycle after now."""
        win = self.win
        durations = [p.duration for p in win.setup.pages]
        now = win.monotonic() - win.rotation_start
        total = sum(durations)
        due = (now // total) * total + sum(durations[:index])
        return due if due > now else due + total

    def page_turns(self, rounds: int) -> dict[str, Any]:
        """Every page's turn, ``rounds`` times round: a tick in the lead time before it (the
        next page is made ready, in the event loop), then the turn's tick and frame, timed; the
        fade and the hand-over then run in real time to their end. Samples by page id."""
        win = self.win
        turns: dict[str, list[float]] = {p.page_id: [] for p in win.pages}
        counts = win.turner.counts
        prepared0, unprepared0 = counts.prepared, counts.unprepared
        area, held = 0.0, 0
        with self._rotation() as to:
            for r in range(rounds):
                for _ in win.pages:
                    nxt = (win.index + 1) % len(win.pages)
                    due = self._due(nxt)
                    to(due - BEFORE_S)
                    win.tick()
                    self.wait_for(win.turner.ready, READY_TIMEOUT_S)
                    to(due + 0.5)
                    t = time.perf_counter()
                    if r == rounds - 1 and nxt == 0:
                        measured = self.meter.measure(self._tick_and_paint)
                    else:
                        measured = None
                        self._tick_and_paint()
                    ms = _ms(t)
                    if win.index == nxt:
                        turns[win.pages[nxt].page_id].append(ms)
                        if measured is not None:
                            area = measured
                    else:  # new data just before: the turn waits for its picture, untimed
                        held += 1
                        self.wait_for(_showing(win, nxt), READY_TIMEOUT_S)
                    self.wait_for(lambda: not win.turner.turning(), READY_TIMEOUT_S)
        return {
            "by_page": turns,
            "area": area,
            "held": held,
            "prepared": counts.prepared - prepared0,
            "unprepared": counts.unprepared - unprepared0,
        }

    def _tick_and_paint(self) -> None:
        self.win.tick()
        self.process()

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
        """Turn to the next page as the rotation does, then hold the animation: the probe sets
        the opacity itself; ms."""
        win = self.win
        nxt = (win.index + 1) % len(win.pages)
        t = time.perf_counter()
        win.show_index(nxt, animate=True)
        ms = _ms(t)
        win.fade.pause()  # hold the frame: the probe sets the opacity itself
        return ms

    def fade_frame(self, opacity: float) -> float:
        """One fade frame at ``opacity`` (only downwards: the old page is not kept), painted."""
        t = time.perf_counter()
        self.win.set_fade(opacity)
        self.process()
        return _ms(t)

    def transitions(self, count: int) -> dict[str, object]:
        """``count`` fades of pages not made ready before (the slow path): their start, and
        frames at falling opacities; ms samples."""
        win = self.win
        starts, frames = [], []
        area = 0.0
        for i in range(count):
            ms = self.start_fade()
            t = time.perf_counter()
            self.process()
            self.fade_frame(0.99)
            starts.append(ms + _ms(t))
            frames.append(self.fade_frame(0.5))
            frames.append(self.fade_frame(0.49))
            if i == count - 1:
                area = self.meter.measure(lambda: self.fade_frame(0.3))
            win.end_fade()
            win.end_turn()
            self.process()
        return {"start_ms": starts, "frame_ms": frames, "frame_area": area}

    # --- the pixel shift ------------------------------------------------------------------------

    def shift_steps(self, count: int) -> dict[str, Any] | None:
        """``count`` one-pixel steps of the scene (there and back), each painted: ms, and the
        share of the screen Qt repainted; None when the shift is off."""
        win = self.win
        path = orbit(win.setup.shift_pixels)
        if len(path) < 2:
            return None
        home = win.scene.offset
        there = path[(path.index(home) + 1) % len(path)] if home in path else path[1]
        samples, areas = [], []
        try:
            for i in range(count):
                to = there if i % 2 == 0 else home
                t = time.perf_counter()
                win.scene.shift_to(to)
                self.process()
                samples.append(_ms(t))
            for to in (there, home):

                def step(to: Offset = to) -> None:
                    win.scene.shift_to(to)
                    self.process()

                areas.append(self.meter.measure(step))
        finally:
            win.scene.shift_to(home)
            self.process()
        return {"ms": samples, "area": sum(areas) / len(areas)}

    # --- every frame of a rotation, in real time ------------------------------------------------

    def rotation_frames(self, seconds: float) -> dict[str, Any]:
        """The kiosk left to itself for ``seconds``: its 1 s timer, the rotation on the real
        clocks (the first turn due a few seconds in), the demo poller's snapshots, the status
        writes; every stretch of work of the GUI thread timed (kiosk.ui.measure.FrameMonitor)."""
        from kiosk.ui.turns import LEAD_S

        win = self.win
        durations = [p.duration for p in win.setup.pages]
        rotating = win.rotating
        counts = win.turner.counts
        prepared0, unprepared0 = counts.prepared, counts.unprepared
        # The page on screen now is due to end LEAD_S + 2 s from now: the first turn is a
        # prepared one, and ``seconds`` of one full rotation see every page's turn.
        win.rotation_start = win.monotonic() - sum(durations[: win.index + 1]) + LEAD_S + 2.0
        win.rotating = True
        win.start()
        try:
            with self.frames as monitor:
                self.loop.run(seconds)
        finally:
            win.ticker.stop()
            win.rotating = rotating
            self.wait_for(lambda: not win.turner.turning(), READY_TIMEOUT_S)
        spans = monitor.spans
        return {
            "frames_ms": [ms for ms, painted in spans if painted],
            "stalls_ms": [ms for ms, painted in spans if not painted],
            "slowest": monitor.slowest(),
            "seconds": seconds,
            "prepared": counts.prepared - prepared0,
            "unprepared": counts.unprepared - unprepared0,
        }

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

    def rotate(self, changes: int, finish_every: int = 10) -> dict[str, int]:
        """``changes`` page turns through the window's own rotation: a tick in the lead time
        before each (the next page made ready, at once), the turn's tick and a painted frame,
        the fade over. Every ``finish_every``-th turn hands the page back strip by strip in
        real time; the others end at once (the live page repainted), as a faster rotation
        would."""
        win = self.win
        counts = win.turner.counts
        prepared0, unprepared0 = counts.prepared, counts.unprepared
        with self._rotation() as to:
            for i in range(changes):
                due = self._due((win.index + 1) % len(win.pages))
                to(due - BEFORE_S)
                win.tick()
                win.turner.make_ready()
                to(due + 0.5)
                win.tick()
                self.process()
                win.end_fade()
                if (i + 1) % finish_every == 0:
                    self.wait_for(lambda: not win.turner.turning(), READY_TIMEOUT_S)
                else:
                    win.end_turn()
                    self.process()
        return {
            "prepared": counts.prepared - prepared0,
            "unprepared": counts.unprepared - unprepared0,
        }
