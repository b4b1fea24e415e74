"""Stand-ins for time, named as such: a clock moved by hand and a timer fired by hand (as
qutebrowser's tests/helpers/stubs.py has), so tests never sleep nor race a real timer."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import QObject, Signal


class FakeClock:
    """Starts at the real time (moto's sessions end an hour from now) and moves when told."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class FakeTimer(QObject):
    """A QTimer's face without its clock: `fire()` times out once, only while started."""

    timeout = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._interval = 0
        self._active = False

    def setInterval(self, msec: int) -> None:  # noqa: N802 - QTimer's name
        self._interval = msec

    def interval(self) -> int:
        return self._interval

    def start(self, msec: int | None = None) -> None:
        if msec is not None:
            self._interval = msec
        self._active = True

    def stop(self) -> None:
        self._active = False

    def isActive(self) -> bool:  # noqa: N802 - QTimer's name
        return self._active

    def fire(self) -> None:
        if not self._active:
            raise AssertionError("a stopped timer does not fire")
        self.timeout.emit()
