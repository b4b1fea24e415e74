"""The installed Qt binding itself: a broken release must fail here, not crash the app later."""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget


class _Emitter(QObject):
    fired = Signal(str)


def test_qt_calls_that_return_nothing_keep_none_alive(qtbot) -> None:
    # PySide6 6.12.0 on Python 3.11 dropped a reference to None on each such call and to True
    # on each emit: the app aborted with "deallocating None" after a few minutes of use.
    widget = QWidget()
    qtbot.addWidget(widget)
    emitter = _Emitter()
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(1_000):
        widget.update()
        emitter.fired.emit("tick")
    assert sys.getrefcount(None) >= none_before - 100
    assert sys.getrefcount(True) >= true_before - 100
