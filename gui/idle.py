"""Lock after a quiet spell, as password managers do: revealed secrets are hidden again and
our clipboard is cleared once nobody has touched Rolecall for a while."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Signal

_INPUT = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class IdleLock(QObject):
    """Watches input to the whole app; `check()` (called each second) locks once idle."""

    locked = Signal(int)  # minutes idle

    def __init__(
        self,
        minutes: int,
        now: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.minutes = minutes  # 0: never
        self.now = now
        self.last_input = now()
        self.is_locked = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() in _INPUT:
            self.last_input = self.now()
            self.is_locked = False
        return False

    def check(self) -> None:
        if self.minutes <= 0 or self.is_locked:
            return
        if self.now() - self.last_input >= self.minutes * 60:
            self.is_locked = True
            self.locked.emit(self.minutes)
