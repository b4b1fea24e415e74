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


def test_a_failure_nobody_handles_is_said_and_logged_masked(qtbot, pool, caplog, monkeypatch):
    import logging

    from core import redact
    from core.errors import NoKeyringError
    from gui.workers import failures

    monkeypatch.setattr(logging, "_logRecordFactory", logging.getLogRecordFactory())
    redact.install_record_factory()  # as the app does at start
    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY"
    redact.register(secret)
    error = NoKeyringError(f"the keyring refused the delete of {secret}")

    def fail() -> None:
        raise error

    op = Op(pool, fail)
    with qtbot.waitSignal(failures.failed) as said:
        op.start()
    assert said.args[0].startswith("the keyring refused the delete of ")  # for the window
    assert secret not in said.args[0]
    assert [r.levelname for r in caplog.records if r.name == "gui.workers"] == ["WARNING"]
    assert secret not in caplog.text and "the keyring refused the delete" in caplog.text


def test_a_failure_handled_by_the_caller_is_not_said_twice(qtbot, pool):
    from gui.workers import failures

    handled = []
    op = Op(pool, lambda: 1 / 0).on_failure(handled.append)
    with qtbot.assertNotEmitted(failures.failed), qtbot.waitSignal(op.signals.outcome):
        op.start()
    assert len(handled) == 1
