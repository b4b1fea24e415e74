"""Work off the GUI thread: one small helper, as Anki's QueryOp does.

`Op(pool, fn).on_success(...).on_failure(...).start()` runs `fn` on a QThreadPool; exactly one
outcome comes back to the GUI thread through one signal. Nothing else leaves the worker.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal


@dataclass(frozen=True)
class Outcome:
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class OpSignals(QObject):
    outcome = Signal(object)


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: OpSignals) -> None:
        super().__init__()
        self.fn = fn
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            outcome = Outcome(value=self.fn())
        except BaseException as exc:  # noqa: BLE001 - every failure goes back as an outcome
            outcome = Outcome(error=exc)
        self.signals.outcome.emit(outcome)


_alive: set[Op] = set()


class Op:
    """One piece of background work; its result is ignored once cancelled."""

    def __init__(self, pool: QThreadPool, fn: Callable[[], Any]) -> None:
        self.pool = pool
        self.fn = fn
        self.signals = OpSignals()
        self.signals.outcome.connect(self._deliver)
        self._success: Callable[[Any], None] = lambda value: None
        self._failure: Callable[[BaseException], None] = lambda error: None
        self.cancelled = False
        self.running = False

    def on_success(self, callback: Callable[[Any], None]) -> Op:
        self._success = callback
        return self

    def on_failure(self, callback: Callable[[BaseException], None]) -> Op:
        self._failure = callback
        return self

    def start(self) -> Op:
        _alive.add(self)  # kept until its outcome arrives
        self.running = True
        self.pool.start(_Task(self.fn, self.signals))
        return self

    def cancel(self) -> None:
        self.cancelled = True

    def _deliver(self, outcome: Outcome) -> None:
        _alive.discard(self)
        self.running = False
        if self.cancelled:
            return
        if outcome.ok:
            self._success(outcome.value)
        else:
            assert outcome.error is not None
            self._failure(outcome.error)
