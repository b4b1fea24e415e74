"""A 10 ms timer on the GUI thread, recording how long each beat really waited.

A beat's wait is the app's own when the GUI thread was working, waiting on a lock, a pipe
or the GIL; it is the machine's when the thread was ready to run and the kernel ran
something else (on a 2-core machine shared with a moto server and a keyring daemon, that
can be tens of milliseconds). Linux counts the latter per thread (`run_delay`, the second
field of /proc/self/task/TID/schedstat), so `worst_ms` is the longest wait minus what the
thread spent queued for a CPU in it; `worst_raw_ms` is the wall-clock gap as it was."""

from __future__ import annotations

import gc
import os
import threading
import time

from PySide6.QtCore import QTimer


def _schedstat() -> int | None:
    """The calling thread's scheduler counters, open; None where the kernel has none."""
    try:
        return os.open(f"/proc/self/task/{threading.get_native_id()}/schedstat", os.O_RDONLY)
    except OSError:
        return None


class Heartbeat:
    """`settle=True` (in-process tests) collects and freezes what earlier tests left, so the
    window's own work is measured; the app's own start path measures as it is."""

    def __init__(self, settle: bool = True) -> None:
        self.settle = settle
        self.gaps: list[float] = []  # wall clock between beats, s
        self.queued: list[float] = []  # of which the thread waited for a CPU, s

    def _run_delay(self) -> float:
        if self._fd is None:
            return 0.0
        return int(os.pread(self._fd, 128, 0).split()[1]) / 1e9

    def __enter__(self) -> Heartbeat:
        if self.settle:
            gc.collect()
            gc.freeze()
        self._fd = _schedstat()
        self._last = time.perf_counter()
        self._last_delay = self._run_delay()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._beat)
        self._timer.start()
        return self

    def _beat(self) -> None:
        now, delay = time.perf_counter(), self._run_delay()
        self.gaps.append(now - self._last)
        self.queued.append(delay - self._last_delay)
        self._last, self._last_delay = now, delay

    def __exit__(self, *exc: object) -> None:
        self._timer.stop()
        if self._fd is not None:
            os.close(self._fd)
        if self.settle:
            gc.unfreeze()

    @property
    def worst_ms(self) -> float:
        """The longest wait that was the app's: the gap less the time queued for a CPU."""
        return max((g - q for g, q in zip(self.gaps, self.queued, strict=True)), default=0.0) * 1000

    @property
    def worst_raw_ms(self) -> float:
        return max(self.gaps, default=0.0) * 1000

    def __str__(self) -> str:
        return f"{self.worst_ms:.0f} ms ({self.worst_raw_ms:.0f} ms on the clock)"
