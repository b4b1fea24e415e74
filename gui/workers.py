"""Work off the GUI thread: one small helper, as Anki's QueryOp does.

`Op(pool, fn).on_success(...).on_failure(...).start()` runs `fn` on a QThreadPool; exactly one
outcome comes back to the GUI thread through one signal. Nothing else leaves the worker. A
failure nobody handles is still said: logged (masked) and sent to `failures.failed`, which
the window shows; a caller opts out with its own `on_failure`.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from typing import Any, NamedTuple

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from core import redact
from core.errors import RolecallError

log = logging.getLogger(__name__)


GIL_TURN = 0.0005  # seconds


def share_the_gil() -> None:
    """Workers hand the GIL back every 0.5 ms instead of Python's 5 ms. The GUI thread paints
    through many short Python calls (delegates, models), and each must win the GIL back from a
    busy worker (botocore building a client, a page being decoded): at 5 ms a turn one paint
    waited 40-50 ms, at 0.5 ms it waits under 20 (tests/gui/test_mainwindow.py's heartbeat).
    Only threads that contend pay for the shorter turns."""
    sys.setswitchinterval(GIL_TURN)


def sentence(error: BaseException) -> str:
    """Every failure as one readable sentence (never a traceback)."""
    if isinstance(error, RolecallError):
        return str(error)
    log.debug("unexpected failure", exc_info=error)
    return f"Unexpected {type(error).__name__}: {error}"


class FailureReporter(QObject):
    failed = Signal(str)  # the sentence of a failure no caller handled


failures = FailureReporter()


def report_failure(error: BaseException) -> None:
    """The default for an Op's failure: a masked log line and a sentence for the window."""
    message = redact.redact(sentence(error))
    log.warning("%s", message)
    failures.failed.emit(message)


class Outcome(NamedTuple):  # not a dataclass: one costs the first frame ~1 ms to make
    value: Any = None
    error: BaseException | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class OpSignals(QObject):
    outcome = Signal(object)
    progress = Signal(object)  # optional partial results (pages), before the outcome


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], signals: OpSignals) -> None:
        super().__init__()
        self.fn = fn  # already bound to its progress reporter when it wants one
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

    def __init__(
        self,
        pool: QThreadPool,
        fn: Callable[..., Any],
        reports: bool = False,
        owner: QObject | None = None,
    ) -> None:
        """`reports=True`: fn takes one argument, a function it calls with partial results.
        `owner`: a widget whose closing makes the result moot (it is then dropped)."""
        self.pool = pool
        self.owner = owner
        self.signals = OpSignals()
        self.fn = (lambda: fn(self.signals.progress.emit)) if reports else fn
        self.signals.outcome.connect(self._deliver)
        self.signals.progress.connect(self._report)
        self._progress: Callable[[Any], None] = lambda part: None
        self._success: Callable[[Any], None] = lambda value: None
        self._failure: Callable[[BaseException], None] = report_failure
        self.cancelled = False
        self.running = False

    def on_success(self, callback: Callable[[Any], None]) -> Op:
        self._success = callback
        return self

    def on_progress(self, callback: Callable[[Any], None]) -> Op:
        self._progress = callback
        return self

    def _wanted(self) -> bool:
        return not self.cancelled and (self.owner is None or shiboken6.isValid(self.owner))

    def _report(self, part: Any) -> None:
        if self._wanted():
            self._progress(part)

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
        if not self._wanted():
            return
        if outcome.ok:
            self._success(outcome.value)
        else:
            assert outcome.error is not None
            self._failure(outcome.error)
