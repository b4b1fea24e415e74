"""An import's writes, apart from any window: BatchWriteItem on a worker with its progress
(count and rate), Stop between calls, and what was written when it ends or stops."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QThreadPool, Signal

from gui.workers import Op

if TYPE_CHECKING:
    from core.capacity import Capacity
    from core.dynamo import DynamoDB
    from core.items import Item


class TableImport(QObject):
    progress = Signal(int, float)  # items written so far, items a second
    finished = Signal(int, object, float)  # items written, Capacity, seconds
    failed = Signal(object)  # the error (WriteStopped after Stop: its `done` were written)

    def __init__(self, pool: QThreadPool, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pool = pool
        self.cancel = threading.Event()
        self.op: Op | None = None

    @property
    def running(self) -> bool:
        return self.op is not None and self.op.running

    def start(self, db: DynamoDB, table: str, items: Sequence[Item]) -> None:
        self.cancel = threading.Event()
        began = time.monotonic()
        cancel = self.cancel

        def work(report: Callable[[object], None]) -> tuple[int, Capacity, float]:
            def done_so_far(done: int) -> None:
                report((done, done / max(time.monotonic() - began, 1e-6)))

            written, used = db.batch_put(table, items, progress=done_so_far, cancel=cancel)
            return written, used, time.monotonic() - began

        self.op = Op(self.pool, work, reports=True, owner=self)
        self.op.on_progress(lambda p: self.progress.emit(*p))
        self.op.on_success(lambda result: self.finished.emit(*result))
        self.op.on_failure(self.failed.emit).start()

    def stop(self) -> None:
        """Stop between two BatchWriteItem calls; what was written stays written."""
        self.cancel.set()
