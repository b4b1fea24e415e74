"""A 10 ms timer on the GUI thread, recording how long each beat really waited."""

from __future__ import annotations

import gc
import time

from PySide6.QtCore import QTimer


class Heartbeat:
    """`settle=True` (in-process tests) collects and freezes what earlier tests left, so the
    window's own work is measured; the app's own start path measures as it is."""

    def __init__(self, settle: bool = True) -> None:
        self.settle = settle
        self.gaps: list[float] = []

    def __enter__(self) -> Heartbeat:
        if self.settle:
            gc.collect()
            gc.freeze()
        self._last = time.perf_counter()
        self._timer = QTimer()
        self._timer.setInterval(10)
        self._timer.timeout.connect(self._beat)
        self._timer.start()
        return self

    def _beat(self) -> None:
        now = time.perf_counter()
        self.gaps.append(now - self._last)
        self._last = now

    def __exit__(self, *exc: object) -> None:
        self._timer.stop()
        if self.settle:
            gc.unfreeze()

    @property
    def worst_ms(self) -> float:
        return max(self.gaps, default=0.0) * 1000
