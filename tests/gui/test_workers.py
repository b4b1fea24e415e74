"""The background helper: one outcome, success or failure, back on the GUI thread."""

from __future__ import annotations

import threading

from PySide6.QtCore import QThread

from gui.workers import Op


def test_success_comes_back_on_the_gui_thread(qtbot, pool):
    seen = []
    op = Op(pool, lambda: threading.current_thread().name)
    op.on_success(lambda value: seen.append((value, QThread.currentThread().isMainThread())))
    with qtbot.waitSignal(op.signals.outcome):
        op.start()
    assert seen and seen[0][0] != threading.main_thread().name and seen[0][1] is True


def test_a_failure_is_an_outcome_not_a_crash(qtbot, pool):
    failures = []
    op = Op(pool, lambda: 1 / 0).on_failure(failures.append)
    op.on_success(lambda v: failures.append("success?"))
    with qtbot.waitSignal(op.signals.outcome):
        op.start()
    assert len(failures) == 1 and isinstance(failures[0], ZeroDivisionError)


def test_a_cancelled_op_delivers_nothing(qtbot, pool):
    got = []
    gate = threading.Event()
    op = Op(pool, lambda: gate.wait(5)).on_success(got.append).on_failure(got.append)
    op.start()
    op.cancel()
    with qtbot.waitSignal(op.signals.outcome):
        gate.set()
    assert got == []
