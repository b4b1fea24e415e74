"""The DynamoDB browser's reads, apart from any window: one Scan, Query or PartiQL statement
at a time, paged into an ItemsModel on workers, with Stop, "go on" after a failure and a resume
with a renewed session's client."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from core.errors import Cancelled
from core.partiql import Statement
from gui.items_model import ItemsModel, prepared
from gui.workers import Op

if TYPE_CHECKING:
    from core.dynamo import DynamoDB, ReadOptions
    from core.pages import ScanPage


class TableReader(QObject):
    """Reads the last Scan or Query (`read`) into `model`, a page on each `fetch_next` (the
    view asks as the person scrolls) or every page on `fetch_all`.

    A new read's first request asks for `first_page()` items (rows on screen quickly); a
    read that goes on asks for full pages. After Stop, the next fetch goes on from the last
    page that arrived; after a failure only `go_on` (or `resume`, with a new client) reads
    again, so a failing read is never repeated by scrolling."""

    pageLoaded = Signal(int)  # rows loaded so far
    done = Signal()  # the read reached its end, or the page asked for arrived
    stopped = Signal()  # Stop, or a cancel between pages: what is loaded stays
    failed = Signal(object)  # the exception of a read that failed
    readingChanged = Signal(bool)  # a worker is reading, or no longer

    def __init__(
        self,
        pool: QThreadPool,
        model: ItemsModel,
        first_page: Callable[[], int],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.pool = pool
        self.model = model
        self.first_page = first_page
        self.db: DynamoDB | None = None
        self.read: tuple[str, ReadOptions, Any] | None = None  # table, options, key condition
        self.pages: Iterator[ScanPage] | None = None
        self.op: Op | None = None
        self.cancel_event: threading.Event | None = None
        self.after_stop = False  # the next fetch goes on from the last page
        self.loading_all = False

    # ---- starting -------------------------------------------------------------------------
    def start(self, table: str, options: ReadOptions, key: Any = None) -> None:
        """A new read (key: a query's key condition, a PartiQL Statement, or None for a scan)
        into the reset model."""
        self.drop()
        self.read = (table, options, key)
        self._start_from(None)

    def _open_pages(self, start_key: Any) -> None:
        assert self.db is not None and self.read is not None
        options = self.read[1]
        self.cancel_event = threading.Event()
        first = None if start_key is not None else self.first_page()
        read = replace(options, start_key=start_key, cancel=self.cancel_event, first_page=first)
        self.pages = self._read_pages(read)
        self.after_stop = False

    def _read_pages(self, options: ReadOptions) -> Iterator[ScanPage]:
        assert self.db is not None and self.read is not None
        table, _, key = self.read
        if isinstance(key, Statement):
            return self.db.statement(key, options)
        return (
            self.db.query(table, key, options) if key is not None else self.db.scan(table, options)
        )

    def _start_from(self, start_key: Any) -> None:
        self._open_pages(start_key)
        self.model.more = True
        self.fetch_next()

    def resume(self) -> None:
        """Go on from the last page read, with the renewed session's client (`db`)."""
        if self.read is not None and self.model.more:
            self.drop()  # a page still on its way would come twice
            self._start_from(self.model.last_key)

    def go_on(self) -> None:
        """After a failure (network, throttling): the page that failed, read again; the rows
        already loaded stay."""
        if self.db is not None and self.pages is None and not self.model.loading:
            self.resume()

    def whole_result(self) -> Iterator[ScanPage]:
        """The last read again from its first page, for an export; Stop ends it too."""
        assert self.db is not None and self.read is not None
        self.cancel_event = threading.Event()
        return self._read_pages(replace(self.read[1], start_key=None, cancel=self.cancel_event))

    # ---- reading --------------------------------------------------------------------------
    def _pages_to_read(self) -> Iterator[ScanPage] | None:
        if self.after_stop and self.db is not None and self.read and self.model.more:
            self._open_pages(self.model.last_key)
        return self.pages

    def fetch_next(self) -> None:
        """One more page, on a worker (none once the read reached its end)."""
        pages = None if self.model.loading or not self.model.more else self._pages_to_read()
        if pages is None:
            return
        self._reading(True)
        self.op = Op(self.pool, lambda: prepared(next(pages, None)), owner=self)
        self.op.on_success(self._page).on_failure(self._failed).start()

    def fetch_all(self) -> None:
        """Every remaining page, on one worker, each into the model as it arrives."""
        pages = None if self.model.loading or not self.model.more else self._pages_to_read()
        if pages is None:
            return
        self.loading_all = True
        self._reading(True)

        def work(report: Callable[[object], None]) -> None:
            for page in pages:
                report(prepared(page))

        self.op = Op(self.pool, work, reports=True, owner=self)
        self.op.on_progress(self._add_page).on_success(lambda _: self._finish(self.done))
        self.op.on_failure(self._failed).start()

    def _reading(self, on: bool) -> None:
        self.model.loading = on
        if not on:
            self.loading_all = False
        self.readingChanged.emit(on)

    def _add_page(self, page: ScanPage) -> None:
        self.model.add_page(page)
        self.pageLoaded.emit(len(self.model.items))

    def _page(self, page: ScanPage | None) -> None:
        if page is None:
            self.model.more = False
        else:
            self._add_page(page)
        self._finish(self.done)

    def _finish(self, outcome: Any) -> None:
        self._reading(False)
        outcome.emit()

    def _failed(self, error: BaseException) -> None:
        self.pages = None  # a read that raised is over; go_on starts again from the last key
        if isinstance(error, Cancelled):
            self._finish(self.stopped)
            return
        self._reading(False)
        self.failed.emit(error)

    # ---- stopping -------------------------------------------------------------------------
    def drop(self) -> bool:
        """Cancel the read under way: a page still on its way is dropped (the worker may be
        waiting for it), and the next read goes on from the last page that arrived. True if
        a read was under way."""
        if self.cancel_event is not None:
            self.cancel_event.set()
        op, self.op = self.op, None
        if op is None or not op.running:
            return False
        op.cancel()
        self.pages = None
        self.model.loading = False
        self.loading_all = False
        return True

    def stop(self) -> None:
        """Stop, as the person asks: between pages; the next fetch goes on from here."""
        if self.drop():
            self.after_stop = True
            self._finish(self.stopped)
