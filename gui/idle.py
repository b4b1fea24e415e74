"""Lock after a quiet spell, as password managers do: revealed secrets are hidden again and
our clipboard is cleared once nobody has touched Rolecall for a while.

Input is only watched while there is something to hide (a revealed secret, our keys on the
clipboard): an app-wide event filter runs Python for every event Qt delivers, which would
slow every repaint and scroll for nothing the rest of the time."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from PySide6.QtCore import QEvent

    from gui.settings import Settings

# Filled on first use: QEvent and its Type enum (some 180 members) take a millisecond to
# build, and start-up has no use for them.
_INPUT: set[QEvent.Type] = set()


def _input_events() -> set[QEvent.Type]:
    if not _INPUT:
        from PySide6.QtCore import QEvent

        T = QEvent.Type  # noqa: N806
        _INPUT.update({T.KeyPress, T.MouseButtonPress, T.MouseMove, T.Wheel, T.TouchBegin})
    return _INPUT


class IdleLock(QObject):
    """`arm()` when a secret is out; `check()` (each second) locks once idle, or disarms when
    nothing is out any more."""

    locked = Signal(int)  # minutes idle

    def __init__(
        self,
        minutes: int,
        exposed: Callable[[], bool],
        now: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.minutes = minutes  # 0: never
        self.exposed = exposed
        self.now = now
        self.last_input = now()
        self.armed = False

    def follow(self, settings: Settings) -> None:
        """Take the idle time from the preferences, now and whenever it is set."""
        settings.watch("lock_minutes", self._set_minutes)

    def _set_minutes(self, minutes: int) -> None:
        self.minutes = minutes

    def arm(self) -> None:
        self.last_input = self.now()
        app = QApplication.instance()
        if not self.armed and self.minutes > 0 and app is not None:
            _input_events()
            app.installEventFilter(self)
            self.armed = True

    def disarm(self) -> None:
        app = QApplication.instance()
        if self.armed and app is not None:
            app.removeEventFilter(self)
        self.armed = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _INPUT:
            self.last_input = self.now()
        return False

    def check(self) -> None:
        if not self.armed:
            return
        if not self.exposed():
            self.disarm()
        elif self.now() - self.last_input >= self.minutes * 60:
            self.disarm()
            self.locked.emit(self.minutes)
