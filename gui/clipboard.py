"""The clipboard, held to KeePassXC's standard: marked secret, cleared on time, only if ours."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import QMimeData, QObject, QTimer, Signal
from PySide6.QtGui import QClipboard, QGuiApplication

if TYPE_CHECKING:
    from gui.settings import Settings


def secret_mime(text: str) -> QMimeData:
    """Text marked so that clipboard managers do not keep it in their history."""
    mime = QMimeData()
    mime.setText(text)
    if sys.platform == "darwin":
        mime.setData("application/x-nspasteboard-concealed-type", b"secret")
    elif sys.platform == "win32":
        mime.setData("ExcludeClipboardContentFromMonitorProcessing", b"1")
    else:
        mime.setData("x-kde-passwordManagerHint", b"secret")
    return mime


class SecretClipboard(QObject):
    """Copies secrets and wipes them after `timeout` seconds (and at quit) if still there."""

    countdown = Signal(int)  # seconds until the clipboard is cleared; 0 when done
    cleared = Signal()

    def __init__(
        self, timeout: int = 30, parent: QObject | None = None, timer: QTimer | None = None
    ) -> None:
        super().__init__(parent)
        self.timeout = timeout
        self._ours: str | None = None
        self._left = 0
        self._timer = timer if timer is not None else QTimer(self)  # tests fire one by hand
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self.tick)

    def follow(self, settings: Settings) -> None:
        """Take the timeout from the preferences, now and whenever it is set."""
        settings.watch("clipboard_timeout", self._set_timeout)

    def _set_timeout(self, seconds: int) -> None:
        self.timeout = seconds

    @property
    def clipboard(self) -> QClipboard:
        return QGuiApplication.clipboard()

    def copy(self, text: str) -> None:
        self.clipboard.setMimeData(secret_mime(text))
        self._ours = text
        self._left = self.timeout
        self.countdown.emit(self._left)
        self._timer.start()

    def holds_ours(self) -> bool:
        return self._ours is not None and self.clipboard.text() == self._ours

    def tick(self) -> None:
        """Once a second: count down, and clear when the time is up."""
        if self._ours is None:
            self._timer.stop()
            return
        if not self.holds_ours():  # something else was copied: leave it alone
            self._forget()
            return
        self._left -= 1
        if self._left <= 0:
            self.clear()
        else:
            self.countdown.emit(self._left)

    def clear(self) -> None:
        """Clear now, if the clipboard still holds what Rolecall put there."""
        if self.holds_ours():
            self.clipboard.clear()
            self.cleared.emit()
        self._forget()

    def _forget(self) -> None:
        self._ours = None
        self._left = 0
        self._timer.stop()
        self.countdown.emit(0)
