"""Browse DynamoDB as one assumed role: tables, schema, scan, query and PartiQL, items, edits,
export."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.capacity import Capacity
from core.clock import format_remaining
from core.codegen import LANGUAGES, Operation, code
from core.dynamo import (
    DynamoDB,
    ItemChanged,
    TableInfo,
    put_request,
    read_request,
    save_request,
)
from core.errors import AwsError, ConfigError
from core.export import export
from core.history import Entry
from core.importer import ImportFile, Refused, read_import
from core.items import (
    Item,
    ItemError,
    diff,
    from_plain_json,
    from_plain_value,
    item_key,
    to_dynamodb_json,
    to_plain_json,
    to_plain_value,
)
from core.pages import ScanPage
from core.partiql import Statement, StatementAnswer
from gui import theme
from gui.controller import Controller
from gui.dialogs import Ask
from gui.import_preview import ImportPreview
from gui.item_editor import JsonEditor, JsonHighlighter
from gui.items_model import ItemsModel, ItemsSorter
from gui.items_view import ItemsView, RowNumbers
from gui.operations import HistoryMenu, OperationStore
from gui.partiql_bar import PartiqlBar
from gui.query_bar import QueryBar
from gui.table_import import TableImport
from gui.table_list import TablePane
from gui.table_reader import TableReader
from gui.workers import Op, sentence

if TYPE_CHECKING:
    from core.credentials import TemporaryCredentials
    from core.engine import Engine
    from gui.settings import Settings

MIN_FIRST_PAGE = 25  # rows a new read asks for at least, before its pages grow


class BrowserAsk(Ask):
    """The browser's questions, answerable by tests."""

    @classmethod
    def edit_json(cls, parent: QWidget, title: str, text: str, hint: str) -> str | None:
        dialog = JsonEditor(title, text, hint, parent)
        return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def save_path(cls, parent: QWidget, title: str, suggested: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(
            parent, title, suggested, "CSV (*.csv);;JSON Lines (*.jsonl)"
        )
        return path or None

    @classmethod
    def import_preview(cls, parent: QWidget, found: ImportFile, table: TableInfo) -> bool:
        """What the import will write, shown before it writes; True: write it."""
        return ImportPreview(found, table, parent).exec() == QDialog.DialogCode.Accepted

    @classmethod
    def open_path(cls, parent: QWidget, title: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(
            parent, title, "", "CSV or JSON Lines (*.csv *.jsonl *.json);;All files (*)"
        )
        return path or None


class ReadTabs(QTabWidget):
    """Scan / Query and PartiQL: as tall as the page shown, not as the tallest page."""

    def _fit(self, size: QSize, page: QSize) -> QSize:
        return QSize(size.width(), self.tabBar().sizeHint().height() + page.height())

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        page = self.currentWidget()
        return self._fit(super().sizeHint(), page.sizeHint()) if page else super().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        page = self.currentWidget()
        hint = super().minimumSizeHint()
        return self._fit(hint, page.minimumSizeHint()) if page else hint


class BrowserWindow(QMainWindow):
    """One window per session, titled with the role, account and region."""

    tablesLoaded = Signal(list)
    tableDescribed = Signal(object)
    pageLoaded = Signal(int)  # rows loaded so far
    readFinished = Signal()  # the read stopped: done, cancelled or failed
    failed = Signal(str)
    wrote = Signal(str)
    exported = Signal(int)
    imported = Signal(int)  # items written by an import that ran to its end

    def __init__(
        self, controller: Controller, profile: str, settings: Settings | None = None
    ) -> None:
        super().__init__()
        self.controller = controller
        self.profile = profile
        self.operations = OperationStore(settings, profile)  # history and saved operations
        self.pool = controller.pool
        self.creds = controller.sessions.get(profile)
        self.table: TableInfo | None = None
        self.resume_pending = False
        role = controller.config.roles.get(profile) if controller.config else None
        account = role.account_id if role else ""
        region = (self.creds.region if self.creds else None) or (role.region if role else "")
        self.region = region or None
        self.operation: Operation | None = None  # the last read or write, for "Copy as code"
        self._import_refused: list[Refused] = []  # the rows of the import under way left out
        self.rows_table: str | None = None  # the table the rows shown were read from
        self.setWindowTitle(
            f"DynamoDB — {role.role_name if role else profile} · {account} · "
            f"{region or 'default region'}"
        )
        self.setWindowIcon(theme.icon("rolecall.svg"))
        self.resize(1280, 800)
        self._build()
        self._connect()
        self._connect_client()
        self.tick()

    # ---- building -------------------------------------------------------------------------
    def _build(self) -> None:
        root = QWidget()
        outer = QVBoxLayout(root)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        top = QWidget()
        top.setObjectName("browserTop")
        bar = QHBoxLayout(top)
        bar.setContentsMargins(14, 8, 14, 8)
        self.role_label = QLabel(self.windowTitle().removeprefix("DynamoDB — "))
        self.role_label.setObjectName("browserRole")
        self.countdown = QLabel()
        self.countdown.setObjectName("browserCountdown")
        self.countdown.setAccessibleName("Session time left")
        self.read_only = QToolButton()
        self.read_only.setObjectName("readOnlyToggle")
        self.read_only.setText("Read-only")
        self.read_only.setCheckable(True)
        self.read_only.setChecked(True)
        self.read_only.setToolTip("While on, nothing can be changed from this window")
        self.read_only.setAccessibleName("Read-only")
        bar.addWidget(self.role_label)
        bar.addStretch(1)
        bar.addWidget(self.countdown)
        bar.addSpacing(12)
        bar.addWidget(self.read_only)
        outer.addWidget(top)

        self.expired_bar = QFrame()
        self.expired_bar.setObjectName("banner")
        expired = QHBoxLayout(self.expired_bar)
        expired.setContentsMargins(14, 6, 14, 6)
        self.expired_label = QLabel(
            "The session has expired. The loaded rows stay; renew to go on from the same page."
        )
        self.renew_button = QPushButton("Renew session")
        self.renew_button.setObjectName("browserRenew")
        self.renew_button.setProperty("primary", True)
        expired.addWidget(self.expired_label, 1)
        expired.addWidget(self.renew_button)
        self.expired_bar.hide()
        outer.addWidget(self.expired_bar)
        self.message = QLabel()
        self.message.setObjectName("errorLabel")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.go_on_button = QPushButton("Go on from here")
        self.go_on_button.setObjectName("goOnButton")
        self.go_on_button.setToolTip("Read the next page again, after the last one that arrived")
        self.go_on_button.hide()
        failed_row = QHBoxLayout()
        failed_row.setContentsMargins(12, 4, 12, 4)
        failed_row.addWidget(self.message, 1)
        failed_row.addWidget(self.go_on_button, 0, Qt.AlignmentFlag.AlignTop)
        outer.addLayout(failed_row)

        split = QSplitter()
        split.setHandleWidth(1)
        self.tables = TablePane(split)
        split.addWidget(self.tables)
        split.addWidget(self._build_main())
        split.setSizes([280, 1000])
        split.setStretchFactor(1, 1)
        outer.addWidget(split, 1)
        self.setCentralWidget(root)
        self.status = QLabel("Loading tables…")
        self.status.setObjectName("browserStatus")
        self.statusBar().addWidget(self.status, 1)
        self.import_progress = QProgressBar()
        self.import_progress.setObjectName("importProgress")
        self.import_progress.setAccessibleName("Import progress")
        self.import_progress.setMaximumWidth(360)
        self.import_progress.hide()
        self.statusBar().addPermanentWidget(self.import_progress)

    def _build_main(self) -> QWidget:
        main = QWidget()
        layout = QVBoxLayout(main)
        layout.setContentsMargins(12, 10, 12, 6)
        self.reads = ReadTabs(main)
        self.reads.setObjectName("readTabs")
        self.reads.setDocumentMode(True)
        self.query = QueryBar()
        self.partiql = PartiqlBar()
        self.reads.addTab(self.query, "Scan / Query")
        self.reads.addTab(self.partiql, "PartiQL")
        self.reads.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.reads.currentChanged.connect(lambda *_: self.reads.updateGeometry())
        self.history_button = QToolButton()
        self.history_button.setObjectName("historyButton")
        self.history_button.setText("History ▾")
        self.history_button.setAccessibleName("History and saved operations")
        self.history_button.setToolTip(
            "Run again one of the last operations on this table, or one saved by name"
        )
        self.history_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.history = HistoryMenu(
            self.operations, lambda: self.table.name if self.table else "", self.history_button
        )
        self.history_button.setMenu(self.history)
        self.reads.setCornerWidget(self.history_button)
        layout.addWidget(self.reads)

        split = QSplitter(Qt.Orientation.Vertical)
        self.model = ItemsModel(self)
        self.importer = TableImport(self.pool, self)
        self.reader = TableReader(self.pool, self.model, lambda: self._rows_on_screen() * 2, self)
        self.sorter = ItemsSorter(self)
        self.sorter.setSourceModel(self.model)
        self.view = ItemsView()
        self.view.setObjectName("itemsView")
        self.view.setAccessibleName("Items")
        self.view.setModel(self.sorter)
        self.view.setSortingEnabled(False)
        self.view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(False)
        self.view.setVerticalHeader(RowNumbers(self.view))
        self.view.verticalHeader().setDefaultSectionSize(24)
        header = self.view.horizontalHeader()
        header.setSectionsMovable(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setDefaultSectionSize(140)
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.setSortIndicatorShown(True)
        split.addWidget(self.view)

        panel = QWidget()
        panel_layout = QVBoxLayout(panel)
        panel_layout.setContentsMargins(0, 4, 0, 0)
        tools = QHBoxLayout()
        self.load_all = QPushButton("Load all")
        self.load_all.setObjectName("loadAllButton")
        self.load_all.setToolTip("Read every remaining page (Stop ends it)")
        self.export_button = QPushButton("Export…")
        self.export_button.setObjectName("exportButton")
        export_menu = QMenu(self.export_button)
        export_menu.addAction("Loaded rows as CSV…", lambda: self.export_rows("csv"))
        export_menu.addAction("Loaded rows as JSON Lines…", lambda: self.export_rows("jsonl"))
        export_menu.addAction("Whole result as CSV…", lambda: self.export_all("csv"))
        export_menu.addAction("Whole result as JSON Lines…", lambda: self.export_all("jsonl"))
        self.export_button.setMenu(export_menu)
        self.code_button = QPushButton("Copy as code")
        self.code_button.setObjectName("copyCodeButton")
        self.code_button.setToolTip(
            "The last scan, query, statement or edit as code to paste (it names the profile, "
            "no keys)"
        )
        code_menu = QMenu(self.code_button)
        for language, label in LANGUAGES.items():
            code_menu.addAction(label, partial(self.copy_code, language))
        self.code_button.setMenu(code_menu)
        self.import_button = QPushButton("Import…")
        self.import_button.setObjectName("importButton")
        self.import_button.setToolTip(
            "Write the items of a CSV or JSON Lines file into the table (Read-only off)"
        )
        self.new_button = QPushButton("New item…")
        self.new_button.setObjectName("newItemButton")
        self.edit_button = QPushButton("Edit item…")
        self.edit_button.setObjectName("editItemButton")
        self.delete_button = QPushButton("Delete…")
        self.delete_button.setObjectName("deleteItemsButton")
        self.dynamodb_json = QCheckBox("DynamoDB JSON")
        self.dynamodb_json.setObjectName("dynamodbJsonToggle")
        self.dynamodb_json.setToolTip("Show the exact DynamoDB JSON instead of plain JSON")
        self.copy_item = QPushButton("Copy")
        self.copy_item.setObjectName("copyItemButton")
        for part in (
            self.load_all,
            self.export_button,
            self.code_button,
            self.import_button,
            self.new_button,
            self.edit_button,
            self.delete_button,
        ):
            tools.addWidget(part)
        tools.addStretch(1)
        tools.addWidget(self.dynamodb_json)
        tools.addWidget(self.copy_item)
        panel_layout.addLayout(tools)
        self.item_view = QPlainTextEdit()
        self.item_view.setObjectName("itemView")
        self.item_view.setAccessibleName("Selected item")
        self.item_view.setReadOnly(True)
        self.item_view.setPlaceholderText("Select a row to see the whole item.")
        self.highlighter = JsonHighlighter(self.item_view.document())
        panel_layout.addWidget(self.item_view, 1)
        split.addWidget(panel)
        split.setSizes([480, 220])
        layout.addWidget(split, 1)
        return main

    def _connect(self) -> None:
        self.tables.list.currentTextChanged.connect(self.describe)
        self.query.run_button.clicked.connect(self.run)
        for edit in self.query.edits:
            edit.returnPressed.connect(self.run)
        self.query.cancel_button.clicked.connect(self.stop)
        self.partiql.run_button.clicked.connect(self.run_statements)
        self.partiql.cancel_button.clicked.connect(self.stop)
        self.history.chosen.connect(self.run_entry)
        self.history.saveRequested.connect(self.save_operation)
        self.load_all.clicked.connect(self.reader.fetch_all)
        self.model.fetchRequested.connect(self.reader.fetch_next)
        self.reader.readingChanged.connect(self._set_reading)
        self.reader.pageLoaded.connect(self._page_loaded)
        self.reader.done.connect(self._read_done)
        self.reader.stopped.connect(self._read_stopped)
        self.reader.failed.connect(self._read_failed)
        # The item's text is laid out on the next turn of the event loop: after a page, the
        # table's first paint and the JSON's layout would otherwise hold the GUI thread at once.
        self._show_later = QTimer(self, singleShot=True, interval=0)
        self._show_later.timeout.connect(self.show_item)
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_later.start())
        self.view.doubleClicked.connect(self.edit_cell)
        self.view.horizontalHeader().customContextMenuRequested.connect(self._header_menu)
        self.view.horizontalHeader().sortIndicatorChanged.connect(self._sorted)
        self.dynamodb_json.toggled.connect(lambda *_: self.show_item())
        self.copy_item.clicked.connect(self._copy_item)
        self.read_only.toggled.connect(lambda *_: self._update_buttons())
        self.new_button.clicked.connect(self.new_item)
        self.import_button.clicked.connect(self.import_file)
        self.importer.progress.connect(self._import_progress)
        self.importer.finished.connect(self._import_finished)
        self.importer.failed.connect(self._import_failed)
        self.edit_button.clicked.connect(self.edit_item)
        self.delete_button.clicked.connect(self.delete_items)
        self.renew_button.clicked.connect(lambda: self.controller.assume(self.profile, fresh=True))
        self.go_on_button.clicked.connect(self.go_on)
        self.controller.sessions.ticked.connect(self.tick)
        self.controller.sessions.changed.connect(self._session_changed)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.run)
        self.code_button.setEnabled(False)
        self._update_buttons()

    # ---- client, tables and schema ---------------------------------------------------------
    def _connect_client(self) -> None:
        creds = self.creds
        engine = self.controller.engine
        if creds is None or engine is None:
            self.show_message("There is no active session for this role: assume it first.")
            return
        Op(self.pool, lambda: _open(engine, creds), owner=self).on_success(
            self._client_ready
        ).on_failure(self._failed).start()

    @property
    def db(self) -> DynamoDB | None:
        return self.reader.db

    def _client_ready(self, result: tuple[DynamoDB, list[str]]) -> None:
        self.reader.db, tables = result
        self.status.setText(f"{len(tables)} tables")
        self.tables.set_tables(tables)
        self.tablesLoaded.emit(tables)
        if self.resume_pending:
            self.resume_pending = False
            self._resume()

    def describe(self, table: str) -> None:
        if not table or self.db is None:
            return
        db = self.db
        Op(self.pool, lambda: db.describe(table), owner=self).on_success(
            self._described
        ).on_failure(self._failed).start()

    def _described(self, info: TableInfo) -> None:
        self.table = info
        self.query.set_table(info)
        self.partiql.set_table(info.name)
        self.tables.show_schema(info)
        self.model.reset(info.key_names)
        self.item_view.clear()
        self.status.setText(f"{info.name}: about {info.item_count:,} items. Run a scan or a query.")
        self.tableDescribed.emit(info)

    def run(self) -> None:
        if self.reads.currentWidget() is self.partiql:
            self.run_statements()
            return
        if self.db is None or self.table is None:
            return
        try:
            options, key = self.query.options()
        except ConfigError as exc:
            self.show_message(str(exc))
            return
        self.operations.ran(self._entry())
        self._remember(
            "query" if key is not None else "scan",
            read_request(self.table.name, replace(options, return_capacity=False), key),
            f"{'Query' if key is not None else 'Scan'} of {self.table.name}",
        )
        self._start_read(self.table.name, self.table.key_names, options, key)

    def _start_read(self, table: str, key_names: tuple[str, ...], options: Any, key: Any) -> None:
        self.reader.drop()
        self.hide_message()
        self.model.reset(key_names)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.sorter.sort(-1)
        self.item_view.clear()
        self.rows_table = table
        self.reader.start(table, options, key)

    def _statement_keys(self, statement: Statement) -> tuple[str, ...]:
        """The key attributes to show first: the shown table's, if the statement reads it."""
        named, shown = statement.table or "", self.table.name if self.table else None
        if shown and (named == shown or named.startswith(shown + ".")):
            return self.table.key_names if self.table else ()
        return ()

    def run_statements(self) -> None:
        """The PartiQL tab's statements: one SELECT pages into the table like a scan; writes
        (only with Read-only off, confirmed first) and several statements run in one call."""
        if self.db is None:
            return
        try:
            found = self.partiql.statements()
        except ConfigError as exc:
            self.show_message(str(exc))
            return
        options = self.partiql.options()
        if len(found) == 1:
            request = found[0].request()
            if options.page_size and not found[0].writes:
                request["Limit"] = options.page_size
            if options.consistent and not found[0].writes:
                request["ConsistentRead"] = True
            self._remember("execute_statement", request, f"PartiQL {found[0].kind}")
        elif self.partiql.transaction.isChecked():
            requests = [one.request() for one in found]
            self._remember("execute_transaction", {"TransactStatements": requests}, "Transaction")
        else:
            requests = [one.request() for one in found]
            self._remember("batch_execute_statement", {"Statements": requests}, "PartiQL batch")
        if len(found) == 1 and not found[0].writes:
            one = found[0]
            self.operations.ran(self._entry())
            self._start_read(one.table or "", self._statement_keys(one), options, one)
            return
        writes = [one for one in found if one.writes]
        if len(found) > 1 and 0 < len(writes) < len(found):
            self.show_message(
                "DynamoDB runs several statements together only if all read or all write: "
                "run the SELECT statements apart from the others"
            )
            return
        if writes and self.read_only.isChecked():
            self.show_message(
                f"{writes[0].kind} changes the table: switch Read-only off to run write statements"
            )
            return
        if writes:
            tables = sorted({one.table or "?" for one in writes})
            listing = "\n".join(f"{n}. {one.text}" for n, one in enumerate(found, start=1))
            how = (
                "as one transaction (all or none)"
                if self.partiql.transaction.isChecked() and len(found) > 1
                else "each on its own"
            )
            if not BrowserAsk.confirm(
                self,
                "Run write statements",
                f"Run {len(found)} statement{'s' if len(found) != 1 else ''} {how}? "
                f"{len(writes)} of them change{'s' if len(writes) == 1 else ''} "
                f"{', '.join(tables)}; this cannot be undone.\n\n{listing}",
            ):
                return
        db, transaction = self.db, self.partiql.transaction.isChecked()
        self.operations.ran(self._entry())  # what runs: not what Read-only or the person stopped
        self.hide_message()
        if len(found) == 1:
            one = found[0]

            def work() -> Capacity:
                used = Capacity()
                for page in db.statement(one):
                    used += page.capacity
                return used

            self._write(work, lambda used: self._written(f"{one.kind} done on {one.table}", used))
            return
        self._write(lambda: db.statements(found, transaction), self._statements_done)

    def _statements_done(self, result: tuple[list[StatementAnswer], Capacity]) -> None:
        answers, used = result
        items = [answer.item for answer in answers if answer.item is not None]
        errors = [f"statement {a.number}: {a.error}" for a in answers if a.error]
        self.reader.drop()
        self.reader.read = None
        self.rows_table = None  # rows of several statements: not edited from here
        self.model.reset(())
        self.model.add_page(ScanPage(items, None, len(items), 0, used))
        self.item_view.clear()
        ok = len(answers) - len(errors)
        self._written(f"{ok} of {len(answers)} statements done", used)
        if errors:
            self.show_message("; ".join(errors))

    # ---- history and saved operations ------------------------------------------------------
    def _entry(self) -> Entry:
        """The operation the tab shown holds, for the history of the table shown (of the
        table a statement reads, when none is)."""
        shown = self.table.name if self.table else ""
        if self.reads.currentWidget() is self.partiql:
            if not shown:
                with suppress(ConfigError):
                    shown = self.partiql.statements()[0].table or ""
            return Entry("partiql", shown, self.partiql.state())
        state = self.query.state()
        return Entry("query" if state["mode"] == "Query" else "scan", shown, state)

    def run_entry(self, entry: Entry) -> None:
        """Fill the form with a saved or past operation and run it; one kept without its
        values is filled for the person to type them."""
        try:
            if entry.kind == "partiql":
                self.reads.setCurrentWidget(self.partiql)
                self.partiql.set_state(entry.form)
            else:
                self.reads.setCurrentWidget(self.query)
                self.query.set_state(entry.form)
        except ConfigError as exc:
            self.show_message(str(exc))
            return
        if entry.blank:
            self.hide_message()
            self.status.setText("The history kept no values for this one: type them, then Run.")
            return
        self.run()

    def save_operation(self) -> None:
        if self.table is None:
            return
        entry = self._entry()
        name = BrowserAsk.text(self, "Save operation", f"A name for {entry.title}:")
        if name and self.operations.save(entry, name) is None:
            self.show_message(
                "This operation cannot be saved without its values: its quotes cannot be told "
                "apart (is a ' left open?), or the statement is longer than 8,000 characters"
            )
        elif name:
            blank = "" if self.operations.keep_values else " (without its values)"
            self.status.setText(f"Saved as “{name}”{blank} in the History menu.")

    def _rows_on_screen(self) -> int:
        row = max(1, self.view.verticalHeader().defaultSectionSize())
        return max(MIN_FIRST_PAGE, self.view.viewport().height() // row + 1)

    def _resume(self) -> None:
        """Go on from the last page read, with the renewed session's client."""
        if self.reader.read is not None and self.model.more:
            self.hide_message()
            self.reader.resume()

    def go_on(self) -> None:
        """After a read failed (network, throttling): read again from the page that failed;
        the rows already loaded stay."""
        self.hide_message()
        self.reader.go_on()

    def fetch_next(self) -> None:
        self.reader.fetch_next()

    def fetch_all(self) -> None:
        self.reader.fetch_all()

    def _page_loaded(self, rows: int) -> None:
        self._update_status()
        self.pageLoaded.emit(rows)

    def _read_done(self) -> None:
        self._update_status()
        self.readFinished.emit()
        if self.model.items and not self.view.currentIndex().isValid():
            self.view.selectionModel().setCurrentIndex(
                self.sorter.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _read_stopped(self) -> None:
        self._update_status("stopped")
        self.readFinished.emit()

    def _read_failed(self, error: BaseException) -> None:
        self._failed(error)
        if self.model.more and self.reader.read is not None:
            kept = len(self.model.items)
            self.message.setText(
                f"{self.message.text()}. The {kept:,} rows loaded are kept."
                if kept
                else self.message.text()
            )
            self.go_on_button.setVisible(not self.expired_bar.isVisible())  # renew goes on
        self.readFinished.emit()

    def stop(self) -> None:
        self.reader.stop()
        self.importer.stop()

    def _set_reading(self, on: bool) -> None:
        self.query.set_reading(on)
        self.partiql.set_reading(on)
        self._stop_enabled()
        self.load_all.setEnabled(not on and self.model.more)

    def _update_status(self, extra: str = "") -> None:
        m = self.model
        more = "more to load" if m.more else "all loaded"
        if m.loading:
            more = "loading…"
        statement = self.reader.read is not None and isinstance(self.reader.read[2], Statement)
        parts = [
            f"{len(m.items):,} items loaded",
            *([] if statement else [f"{m.scanned:,} scanned"]),  # PartiQL does not say
            f"{m.pages} page{'s' if m.pages != 1 else ''}",
            m.capacity.describe("RCU"),
            extra or more,
        ]
        if self.sorter.sortColumn() >= 0:
            parts.append("sorted: the loaded rows only")
        self.status.setText(" · ".join(parts))
        self.load_all.setEnabled(m.more and not m.loading)

    def _sorted(self, column: int, order: Qt.SortOrder) -> None:
        self.sorter.sort(column, order)
        self._update_status()

    def _header_menu(self, pos: Any) -> None:
        header = self.view.horizontalHeader()
        menu = QMenu(self)
        for col, name in enumerate(self.model.columns):
            action = menu.addAction(name)
            action.setCheckable(True)
            action.setChecked(not header.isSectionHidden(col))
            action.toggled.connect(lambda on, c=col: header.setSectionHidden(c, not on))
        menu.exec(header.mapToGlobal(pos))

    # ---- the item panel -------------------------------------------------------------------
    def selected_rows(self) -> list[int]:
        rows = {self.sorter.mapToSource(i).row() for i in self.view.selectionModel().selectedRows()}
        current = self.view.currentIndex()
        if not rows and current.isValid():
            rows.add(self.sorter.mapToSource(current).row())
        return sorted(rows)

    def current_row(self) -> int | None:
        index = self.view.currentIndex()
        return self.sorter.mapToSource(index).row() if index.isValid() else None

    def show_item(self) -> None:
        row = self.current_row()
        if row is None or row >= len(self.model.items):
            self.item_view.clear()
            return
        item = self.model.items[row]
        if self.dynamodb_json.isChecked():
            self.item_view.setPlainText(to_dynamodb_json(item, indent=2))
            return
        try:
            self.item_view.setPlainText(to_plain_json(item, indent=2))
        except ItemError as exc:
            self.item_view.setPlainText(f"// {exc}\n" + to_dynamodb_json(item, indent=2))
        self._update_buttons()

    def _copy_item(self) -> None:
        from PySide6.QtGui import QGuiApplication

        QGuiApplication.clipboard().setText(self.item_view.toPlainText())

    # ---- writing --------------------------------------------------------------------------
    def _update_buttons(self) -> None:
        writable = not self.read_only.isChecked() and self.table is not None
        # Rows are edited and deleted in the table they came from, and only that one.
        has_row = self.current_row() is not None and self._rows_editable()
        self.new_button.setEnabled(writable)
        self.import_button.setEnabled(writable and not self.importer.running)
        self.edit_button.setEnabled(writable and has_row)
        self.delete_button.setEnabled(writable and has_row)
        self.read_only.setText("Read-only" if self.read_only.isChecked() else "Editing on")

    def _rows_editable(self) -> bool:
        return self.table is not None and self.rows_table == self.table.name

    def _row_refused(self) -> bool:
        """True (and says why) when the rows shown cannot be edited in the table picked."""
        if self._rows_editable():
            return False
        self.show_message(
            "These rows were not read from the table picked: edit them after a scan or query "
            "of their table, or with a PartiQL statement"
        )
        return True

    def _write(self, work: Callable[[], Any], done: Callable[[Any], None]) -> None:
        def ok(result: Any) -> None:
            self.hide_message()
            done(result)

        Op(self.pool, work, owner=self).on_success(ok).on_failure(self._failed).start()

    def new_item(self) -> None:
        if self.read_only.isChecked() or self.table is None or self.db is None:
            return
        template = "{\n" + ",\n".join(f'  "{k}": ""' for k in self.table.key_names) + "\n}"
        text = BrowserAsk.edit_json(
            self,
            f"New item in {self.table.name}",
            template,
            'The item as plain JSON. Binary: {"$binary": "base64"}; '
            'sets: {"$set": [...]}. It is not written over an '
            "existing item with the same key.",
        )
        if text is None:
            return
        try:
            item = from_plain_json(text)
            item_key(item, self.table.key_names)
        except ItemError as exc:
            self.show_message(str(exc))
            return
        db, table, keys = self.db, self.table.name, list(self.table.key_names)

        def added(used: Capacity) -> None:
            self.model.insert(item)
            self._written("Added the item", used)

        self._remember("put_item", put_request(table, item, keys), f"New item in {table}")
        self._write(lambda: db.put(table, item, only_if_new=keys), added)

    def edit_item(self) -> None:
        row = self.current_row()
        if self.read_only.isChecked() or row is None or self.table is None or self.db is None:
            return
        if self._row_refused():
            return
        item = self.model.items[row]
        try:
            text = to_plain_json(item, indent=2)
        except ItemError as exc:
            self.show_message(str(exc))
            return
        answer = BrowserAsk.edit_json(
            self,
            f"Edit item in {self.table.name}",
            text,
            "The whole item as plain JSON; the key cannot change.",
        )
        if answer is None:
            return
        try:
            new = from_plain_json(answer)
            if item_key(new, self.table.key_names) != item_key(item, self.table.key_names):
                raise ItemError("the key cannot change here: add a new item instead")
        except ItemError as exc:
            self.show_message(str(exc))
            return
        changes = diff(item, new)
        if not changes:
            self.statusBar().showMessage("Nothing changed: nothing was written", 6000)
            return
        count = len(changes)
        if not BrowserAsk.confirm(
            self,
            "Save the item",
            f"Save {count} change{'s' if count != 1 else ''} to the item? It is written only if "
            "nobody changed it since it was loaded.\n\n"
            + "\n".join(change.describe() for change in changes),
        ):
            return
        self._save(row, item, new, "Saved the item")

    def _save(self, row: int, loaded: Item, edited: Item, text: str) -> None:
        """Write an edit only if the item is as it was loaded; if it changed, show both and
        put the item as it is now in the row."""
        assert self.db is not None and self.table is not None
        db, table, keys = self.db, self.table.name, self.table.key_names
        request = save_request(table, keys, loaded, edited)
        self._remember("update_item", request, f"Edit of an item in {table}")

        def refused(error: BaseException) -> None:
            if isinstance(error, ItemChanged) and error.now is not None:
                self.model.replace(row, error.now)
                self.show_item()
            self._failed(error)

        def saved(result: tuple[Item, Capacity]) -> None:
            now, used = result
            self.hide_message()
            self.model.replace(row, now)
            self._written(text, used)

        work = partial(db.save_if_unchanged, table, keys, loaded, edited)
        Op(self.pool, work, owner=self).on_success(saved).on_failure(refused).start()

    def edit_cell(self, index: Any) -> None:
        if self.read_only.isChecked() or self.table is None or self.db is None:
            return
        if self._row_refused():
            return
        source = self.sorter.mapToSource(index)
        row, name = source.row(), self.model.columns[source.column()]
        if name in self.table.key_names:
            self.show_message(
                f"{name} is part of the key: edit the whole item to see it, or add a new item"
            )
            return
        item = self.model.items[row]
        current = item.get(name)
        try:
            text = "" if current is None else to_plain_value(current, name, indent=2)
        except ItemError as exc:
            self.show_message(str(exc))
            return
        answer = BrowserAsk.edit_json(
            self,
            f"Edit {name}",
            text,
            "The value as plain JSON. Leave it empty to remove the attribute.",
        )
        if answer is None:
            return
        try:
            value = from_plain_value(answer, name) if answer.strip() else None
        except ItemError as exc:
            self.show_message(str(exc))
            return
        edited = {k: v for k, v in item.items() if k != name}
        if value is not None:
            edited[name] = value
        if not diff(item, edited):
            self.statusBar().showMessage("Nothing changed: nothing was written", 6000)
            return
        self._save(row, dict(item), edited, f"Saved {name}")

    def delete_items(self) -> None:
        rows = self.selected_rows()
        if self.read_only.isChecked() or not rows or self.table is None or self.db is None:
            return
        if self._row_refused():
            return
        count = len(rows)
        if not BrowserAsk.confirm(
            self,
            "Delete items",
            f"Delete {count} item{'s' if count != 1 else ''} from the "
            f"table {self.table.name}? This cannot be undone.",
        ):
            return
        keys = [item_key(self.model.items[r], self.table.key_names) for r in rows]
        db, table = self.db, self.table.name

        def deleted(result: tuple[int, Capacity]) -> None:
            n, used = result
            self.model.remove_rows(rows)
            self.item_view.clear()
            self._written(f"Deleted {n} item{'s' if n != 1 else ''}", used)

        deletes = [{"DeleteRequest": {"Key": key}} for key in keys]
        self._remember("batch_write_item", {"RequestItems": {table: deletes}}, f"Delete in {table}")
        self._write(lambda: db.batch_delete(table, keys), deleted)

    # ---- import ---------------------------------------------------------------------------
    def import_file(self, path: str | None = None) -> None:
        """Read a CSV or JSON Lines file (on a worker), show what it will write, and write it
        after the person agrees."""
        if self.read_only.isChecked() or self.table is None or self.db is None:
            return
        path = path or BrowserAsk.open_path(self, f"Import into {self.table.name}")
        if not path:
            return
        info = self.table
        key_types = {info.partition_key.name: info.partition_key.type}
        if info.sort_key:
            key_types[info.sort_key.name] = info.sort_key.type
        self.statusBar().showMessage(f"Reading {Path(path).name}…")
        Op(self.pool, lambda: read_import(Path(path), key_types), owner=self).on_success(
            partial(self._import_read, table=info.name)
        ).on_failure(self._failed).start()

    def _import_read(self, found: ImportFile, table: str) -> None:
        self.statusBar().clearMessage()
        if self.table is None or self.db is None:
            return
        if self.table.name != table:  # its rows were checked against that table's keys
            self.show_message(
                f"{found.path.name} was read for {table}, and {self.table.name} is picked now: "
                "nothing was written; import it again into the table you want"
            )
            return
        refused = found.refused
        if not found.items:
            self.show_message(
                f"{found.path.name} has no item that can be written: "
                + "; ".join(r.describe() for r in refused[:20])
            )
            return
        if not BrowserAsk.import_preview(self, found, self.table):
            return
        self._import_refused = refused
        self.import_progress.setRange(0, len(found.items))
        self.import_progress.setValue(0)
        self.import_progress.setFormat(f"%v of %m items · {found.path.name}")
        self.import_progress.show()
        self.hide_message()
        self.importer.start(self.db, self.table.name, found.items)
        self._stop_enabled()
        self._update_buttons()

    def _stop_enabled(self, exporting: bool = False) -> None:
        """Stop is on while anything it stops is under way: a read, an import, an export."""
        on = self.model.loading or self.importer.running or exporting
        self.query.cancel_button.setEnabled(on)
        self.partiql.cancel_button.setEnabled(on)

    def _import_progress(self, done: int, rate: float) -> None:
        self.import_progress.setValue(done)
        self.import_progress.setFormat(f"%v of %m items · {rate:,.0f}/s")

    def _import_ended(self) -> None:
        self.import_progress.hide()
        self._stop_enabled()
        self._update_buttons()

    def _import_finished(self, written: int, used: Capacity, seconds: float) -> None:
        self._import_ended()
        rate = written / max(seconds, 1e-6)
        self.statusBar().showMessage(
            f"Imported {written:,} items in {seconds:,.1f} s ({rate:,.0f}/s) · "
            f"{used.describe('WCU')}",
            15000,
        )
        refused = self._import_refused
        if refused:
            self.show_message(
                f"{len(refused):,} row{'s were' if len(refused) != 1 else ' was'} not imported: "
                + "; ".join(r.describe() for r in refused[:20])
                + (f"; and {len(refused) - 20:,} more" if len(refused) > 20 else "")
            )
        self.imported.emit(written)

    def _import_failed(self, error: BaseException) -> None:
        self._import_ended()
        self._failed(error)

    # ---- copy as code ---------------------------------------------------------------------
    def _remember(self, method: str, request: dict[str, Any], what: str) -> None:
        self.operation = Operation.of(method, request, self.profile, self.region, what)
        self.code_button.setEnabled(True)

    def copy_code(self, language: str) -> str:
        """The last operation as code in `language`, on the clipboard (no secret in it)."""
        if self.operation is None:
            return ""
        from PySide6.QtGui import QGuiApplication

        text = code(self.operation, language)
        QGuiApplication.clipboard().setText(text)
        self.statusBar().showMessage(
            f"Copied {self.operation.what} as {LANGUAGES[language]} code", 6000
        )
        return text

    def _written(self, text: str, used: Capacity) -> None:
        self.statusBar().showMessage(f"{text} · {used.describe('WCU')}", 6000)
        self.show_item()
        self.wrote.emit(text)

    # ---- export ---------------------------------------------------------------------------
    def export_rows(self, fmt: str) -> None:
        if self.table is None:
            return
        path = BrowserAsk.save_path(self, "Export loaded rows", f"{self.table.name}.{fmt}")
        if not path:
            return
        items, keys = self.model.items.snapshot(), self.table.key_names  # decoded off-thread
        self._export(lambda report: export([items], Path(path), fmt, keys, progress=report), path)

    def export_all(self, fmt: str) -> None:
        if self.table is None or self.db is None or self.reader.read is None:
            self.show_message("Run a scan or query first: the export repeats it to the end.")
            return
        path = BrowserAsk.save_path(self, "Export the whole result", f"{self.table.name}.{fmt}")
        if not path:
            return
        keys, result = self.table.key_names, self.reader.whole_result()
        cancel = self.reader.cancel_event
        pages = (p.items for p in result)
        self._stop_enabled(exporting=True)
        self._export(
            lambda report: export(pages, Path(path), fmt, keys, progress=report, cancel=cancel),
            path,
        )

    def _export(self, work: Any, path: str) -> None:
        def done(count: int) -> None:
            self._stop_enabled()
            self.statusBar().showMessage(f"Exported {count:,} items to {path}", 8000)
            self.exported.emit(count)

        def failed(error: BaseException) -> None:
            self._stop_enabled()
            self._failed(error)

        Op(self.pool, work, reports=True, owner=self).on_progress(
            lambda n: self.statusBar().showMessage(f"Exporting… {n:,} items")
        ).on_success(done).on_failure(failed).start()

    # ---- session --------------------------------------------------------------------------
    def tick(self) -> None:
        sessions = self.controller.sessions
        if self.profile not in sessions.sessions:
            self.countdown.setText("no session")
            return
        level = sessions.level(self.profile)
        left = sessions.remaining(self.profile)
        self.countdown.setText(
            "expired" if level == "expired" else f"session {format_remaining(left)}"
        )
        if self.countdown.property("level") != level:
            self.countdown.setProperty("level", level)
            self.countdown.style().unpolish(self.countdown)
            self.countdown.style().polish(self.countdown)
        self.expired_bar.setVisible(level == "expired")

    def _session_changed(self) -> None:
        creds = self.controller.sessions.get(self.profile)
        if creds is not None and creds is not self.creds:
            self.creds = creds
            self.expired_bar.hide()
            self.resume_pending = self.reader.read is not None and self.model.more
            self._connect_client()
        self.tick()

    # ---- messages -------------------------------------------------------------------------
    def _failed(self, error: BaseException) -> None:
        message = sentence(error)
        if isinstance(error, AwsError) and error.code in ("ExpiredTokenException", "ExpiredToken"):
            self.expired_bar.show()
        self.show_message(message)
        self.failed.emit(message)

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.reader.drop()  # a "Load all" under way stops with the window
        self.importer.stop()  # and so does an import, between two calls
        super().closeEvent(event)

    def show_message(self, text: str) -> None:
        self.message.setText(text[:1].upper() + text[1:])
        self.message.show()

    def hide_message(self) -> None:
        self.message.hide()
        self.go_on_button.hide()


def _open(engine: Engine, creds: TemporaryCredentials) -> tuple[DynamoDB, list[str]]:
    db = engine.dynamodb(creds, encoded_pages=True)
    return db, db.list_tables()
