"""Browse DynamoDB as one assumed role: tables, schema, scan and query, items, edits, export."""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Callable, Iterator
from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QRegularExpression, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut, QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.credentials import format_remaining
from core.dynamo import DynamoDB, KeyAttribute, ReadOptions, TableInfo
from core.errors import AwsError, Cancelled, ConfigError
from core.export import export
from core.expressions import FILTER_OPERATORS, KEY_OPERATORS, FilterClause, key_condition
from core.items import (
    Item,
    ItemError,
    exact_number,
    from_plain_json,
    item_key,
    to_dynamodb_json,
    to_plain_json,
)
from core.pages import ScanPage
from gui import theme
from gui.controller import Controller
from gui.dialogs import Ask
from gui.items_model import ItemsModel, ItemsSorter, prepared
from gui.items_view import ItemsView, RowNumbers
from gui.workers import Op, sentence

if TYPE_CHECKING:
    from core.credentials import TemporaryCredentials
    from core.engine import Engine

VALUE_TYPES = ("S", "N", "B", "BOOL", "NULL")
MIN_FIRST_PAGE = 25  # rows a new read asks for at least, before its pages grow


def typed_value(text: str, kind: str, what: str) -> Any:
    """What the person typed, as the DynamoDB type they chose (numbers stay exact)."""
    if kind == "N":
        try:
            return Decimal(exact_number(text.strip()))
        except ItemError as exc:
            raise ConfigError(f"{what}: {exc}") from None
    if kind == "B":
        try:
            return base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise ConfigError(f"{what}: '{text}' is not base64") from None
    if kind == "BOOL":
        if text.strip().lower() not in ("true", "false"):
            raise ConfigError(f"{what}: type true or false")
        return text.strip().lower() == "true"
    if kind == "NULL":
        return None
    return text


class JsonHighlighter(QSyntaxHighlighter):
    """Keys, strings, numbers, literals and Rolecall's $binary/$set tags in colour."""

    def __init__(self, document: Any) -> None:
        super().__init__(document)
        self.rules: list[tuple[QRegularExpression, QTextCharFormat]] = []
        # Later rules win: numbers and literals first, then strings over them, then keys.
        for pattern, color, bold in (
            (r"-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b", "warning", False),
            (r"\b(?:true|false|null)\b", "accent", True),
            (r'"(?:[^"\\]|\\.)*"', "ok", False),
            (r'"(?:[^"\\]|\\.)*"(?=\s*:)', "accent", False),
            (r'"\$(?:binary|set)"|"(?:S|N|B|SS|NS|BS|M|L|NULL|BOOL)"(?=\s*:)', "critical", True),
        ):
            fmt = QTextCharFormat()
            fmt.setForeground(theme.color(color))
            fmt.setFontWeight(700 if bold else 400)
            self.rules.append((QRegularExpression(pattern), fmt))

    def highlightBlock(self, text: str) -> None:  # noqa: N802
        for pattern, fmt in self.rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                m = matches.next()
                self.setFormat(m.capturedStart(), m.capturedLength(), fmt)


class JsonEditor(QDialog):
    """Edit an item or one attribute as plain JSON; what cannot be stored exactly is refused."""

    def __init__(self, title: str, text: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(620, 520)
        layout = QVBoxLayout(self)
        label = QLabel(hint)
        label.setWordWrap(True)
        label.setProperty("muted", True)
        layout.addWidget(label)
        self.edit = QPlainTextEdit(text)
        self.edit.setObjectName("jsonEditor")
        self.edit.setAccessibleName("JSON")
        self.highlighter = JsonHighlighter(self.edit.document())
        layout.addWidget(self.edit, 1)
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.edit.toPlainText()


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


class FilterRow(QWidget):
    removed = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.attribute = QLineEdit()
        self.attribute.setPlaceholderText("attribute")
        self.attribute.setAccessibleName("Filter attribute")
        self.operator = QComboBox()
        self.operator.addItems(FILTER_OPERATORS)
        self.operator.setAccessibleName("Filter operator")
        self.value = QLineEdit()
        self.value.setPlaceholderText("value")
        self.value.setAccessibleName("Filter value")
        self.value2 = QLineEdit()
        self.value2.setPlaceholderText("and")
        self.value2.setAccessibleName("Second filter value")
        self.kind = QComboBox()
        self.kind.addItems(VALUE_TYPES)
        self.kind.setAccessibleName("Filter value type")
        self.kind.setToolTip("The DynamoDB type of the value")
        remove = QToolButton()
        remove.setText("✕")
        remove.setToolTip("Remove this filter")
        remove.setAccessibleName("Remove filter")
        remove.clicked.connect(lambda: self.removed.emit(self))
        for widget in (self.attribute, self.operator, self.value, self.value2, self.kind, remove):
            layout.addWidget(widget)
        self.operator.currentTextChanged.connect(self._operator_changed)
        self._operator_changed(self.operator.currentText())

    def _operator_changed(self, op: str) -> None:
        self.value2.setVisible(op == "between")
        needs_value = op not in ("attribute_exists", "attribute_not_exists")
        self.value.setVisible(needs_value)
        self.kind.setVisible(needs_value and op != "attribute_type")

    def clause(self) -> FilterClause:
        op = self.operator.currentText()
        name = self.attribute.text().strip()
        if not name:
            raise ConfigError("a filter needs an attribute name")
        if op in ("attribute_exists", "attribute_not_exists"):
            return FilterClause(name, op)
        if op == "attribute_type":
            return FilterClause(name, op, self.value.text().strip())
        kind = self.kind.currentText()
        value = typed_value(self.value.text(), kind, f"filter on {name}")
        value2 = (
            typed_value(self.value2.text(), kind, f"filter on {name}") if op == "between" else None
        )
        return FilterClause(name, op, value, value2)


class BrowserWindow(QMainWindow):
    """One window per session, titled with the role, account and region."""

    tablesLoaded = Signal(list)
    tableDescribed = Signal(object)
    pageLoaded = Signal(int)  # rows loaded so far
    readFinished = Signal()  # the read stopped: done, cancelled or failed
    failed = Signal(str)
    wrote = Signal(str)
    exported = Signal(int)

    def __init__(self, controller: Controller, profile: str) -> None:
        super().__init__()
        self.controller = controller
        self.profile = profile
        self.pool = controller.pool
        self.db: DynamoDB | None = None
        self.creds = controller.sessions.get(profile)
        self.table: TableInfo | None = None
        self.pages: Iterator[ScanPage] | None = None
        self.read_op: Op | None = None
        self.stopped = False  # by Stop: the next read goes on from the last page
        self.cancel_event: threading.Event | None = None
        self.last_read: tuple[str, ReadOptions, Any] | None = None
        self.resume_pending = False
        self.loading_all = False
        role = controller.config.roles.get(profile) if controller.config else None
        account = role.account_id if role else ""
        region = (self.creds.region if self.creds else None) or (role.region if role else "")
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
        split.addWidget(self._build_tables())
        split.addWidget(self._build_main())
        split.setSizes([280, 1000])
        split.setStretchFactor(1, 1)
        outer.addWidget(split, 1)
        self.setCentralWidget(root)
        self.status = QLabel("Loading tables…")
        self.status.setObjectName("browserStatus")
        self.statusBar().addWidget(self.status, 1)

    def _build_tables(self) -> QWidget:
        side = QWidget()
        side.setObjectName("sidebar")
        layout = QVBoxLayout(side)
        layout.setContentsMargins(12, 12, 8, 8)
        self.table_filter = QLineEdit()
        self.table_filter.setObjectName("tableFilter")
        self.table_filter.setPlaceholderText("Filter tables")
        self.table_filter.setAccessibleName("Filter tables")
        self.table_filter.setClearButtonEnabled(True)
        layout.addWidget(self.table_filter)
        self.table_list = QListWidget()
        self.table_list.setObjectName("tableList")
        self.table_list.setAccessibleName("Tables")
        layout.addWidget(self.table_list, 2)
        title = QLabel("SCHEMA")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        self.schema = QLabel("Pick a table.")
        self.schema.setObjectName("tableSchema")
        self.schema.setWordWrap(True)
        self.schema.setTextFormat(Qt.TextFormat.RichText)
        self.schema.setAlignment(Qt.AlignmentFlag.AlignTop)
        self.schema.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.schema, 3)
        return side

    def _build_main(self) -> QWidget:
        main = QWidget()
        layout = QVBoxLayout(main)
        layout.setContentsMargins(12, 10, 12, 6)
        row1 = QHBoxLayout()
        self.mode = QComboBox()
        self.mode.setObjectName("queryMode")
        self.mode.addItems(["Scan", "Query"])
        self.mode.setAccessibleName("Scan or query")
        self.index = QComboBox()
        self.index.setObjectName("indexCombo")
        self.index.setAccessibleName("Table or index")
        self.index.setMinimumWidth(200)
        self.pk_value = QLineEdit()
        self.pk_value.setObjectName("pkValue")
        self.pk_value.setAccessibleName("Partition key value")
        self.sk_operator = QComboBox()
        self.sk_operator.setObjectName("skOperator")
        self.sk_operator.addItems(["(any)", *KEY_OPERATORS])
        self.sk_operator.setAccessibleName("Sort key condition")
        self.sk_value = QLineEdit()
        self.sk_value.setObjectName("skValue")
        self.sk_value.setAccessibleName("Sort key value")
        self.sk_value2 = QLineEdit()
        self.sk_value2.setObjectName("skValue2")
        self.sk_value2.setPlaceholderText("and")
        self.sk_value2.setAccessibleName("Second sort key value")
        self.mode.setFixedWidth(110)
        self.index.setMaximumWidth(320)
        for widget in (
            self.mode,
            self.index,
            self.pk_value,
            self.sk_operator,
            self.sk_value,
            self.sk_value2,
        ):
            row1.addWidget(widget)
        row1.addStretch(1)
        layout.addLayout(row1)

        self.filters_box = QVBoxLayout()
        layout.addLayout(self.filters_box)
        self.filter_rows: list[FilterRow] = []

        row2 = QHBoxLayout()
        self.add_filter = QToolButton()
        self.add_filter.setText("+ Filter")
        self.add_filter.setObjectName("addFilter")
        self.add_filter.setToolTip("Add a filter (applied by DynamoDB after reading)")
        self.combine = QComboBox()
        self.combine.addItems(["AND", "OR"])
        self.combine.setObjectName("filterCombine")
        self.combine.setAccessibleName("Combine filters with")
        self.projection = QLineEdit()
        self.projection.setObjectName("projection")
        self.projection.setPlaceholderText("attributes to return (comma-separated, optional)")
        self.projection.setAccessibleName("Projection")
        self.page_size = QSpinBox(minimum=0, maximum=10000, singleStep=100)
        self.page_size.setObjectName("pageSize")
        self.page_size.setSpecialValueText("page: 1 MB")
        self.page_size.setPrefix("page: ")
        self.page_size.setAccessibleName("Page size")
        self.page_size.setToolTip("Items per request (Limit); empty means DynamoDB's 1 MB pages")
        self.consistent = QCheckBox("Consistent read")
        self.consistent.setObjectName("consistentRead")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("runQueryButton")
        self.run_button.setProperty("primary", True)
        self.run_button.setToolTip("Run the scan or query (Enter)")
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.setObjectName("stopButton")
        self.cancel_button.setToolTip("Stop between pages; what is loaded stays")
        self.cancel_button.setEnabled(False)
        for control in (
            self.add_filter,
            self.combine,
            self.projection,
            self.page_size,
            self.consistent,
            self.run_button,
            self.cancel_button,
        ):
            row2.addWidget(control)
        row2.setStretch(2, 1)
        layout.addLayout(row2)

        split = QSplitter(Qt.Orientation.Vertical)
        self.model = ItemsModel(self)
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
        self.table_filter.textChanged.connect(self._filter_tables)
        self.table_list.currentTextChanged.connect(self.describe)
        self.mode.currentTextChanged.connect(self._mode_changed)
        self.index.currentIndexChanged.connect(self._index_changed)
        self.sk_operator.currentTextChanged.connect(self._mode_changed)
        self.add_filter.clicked.connect(self.new_filter)
        self.run_button.clicked.connect(self.run)
        for edit in (self.pk_value, self.sk_value, self.sk_value2, self.projection):
            edit.returnPressed.connect(self.run)
        self.cancel_button.clicked.connect(self.stop)
        self.load_all.clicked.connect(self.fetch_all)
        self.model.fetchRequested.connect(self.fetch_next)
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
        self.edit_button.clicked.connect(self.edit_item)
        self.delete_button.clicked.connect(self.delete_items)
        self.renew_button.clicked.connect(lambda: self.controller.assume(self.profile, fresh=True))
        self.go_on_button.clicked.connect(self.go_on)
        self.controller.sessions.ticked.connect(self.tick)
        self.controller.sessions.changed.connect(self._session_changed)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.run)
        self._mode_changed()
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

    def _client_ready(self, result: tuple[DynamoDB, list[str]]) -> None:
        self.db, tables = result
        self.status.setText(f"{len(tables)} tables")
        current = self.table_list.currentItem().text() if self.table_list.currentItem() else None
        self.table_list.blockSignals(True)
        self.table_list.clear()
        self.table_list.addItems(sorted(tables))
        self.table_list.blockSignals(False)
        self._filter_tables(self.table_filter.text())
        if current:
            found = self.table_list.findItems(current, Qt.MatchFlag.MatchExactly)
            if found:
                self.table_list.blockSignals(True)
                self.table_list.setCurrentItem(found[0])
                self.table_list.blockSignals(False)
        self.tablesLoaded.emit(tables)
        if self.resume_pending:
            self.resume_pending = False
            self._resume()

    def _filter_tables(self, text: str) -> None:
        words = text.lower().split()
        for row in range(self.table_list.count()):
            item = self.table_list.item(row)
            item.setHidden(not all(w in item.text().lower() for w in words))

    def describe(self, table: str) -> None:
        if not table or self.db is None:
            return
        db = self.db
        Op(self.pool, lambda: db.describe(table), owner=self).on_success(
            self._described
        ).on_failure(self._failed).start()

    def _described(self, info: TableInfo) -> None:
        self.table = info
        self.index.blockSignals(True)
        self.index.clear()
        self.index.addItem(f"Table {info.name}", None)
        for index in info.indexes:
            self.index.addItem(f"{index.kind} {index.name}", index.name)
        self.index.blockSignals(False)
        self.schema.setText(_schema_html(info))
        self._index_changed()
        self.model.reset(info.key_names)
        self.item_view.clear()
        self.status.setText(f"{info.name}: about {info.item_count:,} items. Run a scan or a query.")
        self.tableDescribed.emit(info)

    def _index_changed(self, *args: Any) -> None:
        if self.table is None:
            return
        pk, sk = self.table.keys_for(self.index.currentData())
        self.pk_value.setPlaceholderText(f"{pk.name} ({pk.type}) equals")
        self.sk_value.setPlaceholderText(f"{sk.name} ({sk.type})" if sk else "no sort key")
        self.sk_operator.setEnabled(sk is not None and self.mode.currentText() == "Query")
        self._mode_changed()

    def _mode_changed(self, *args: Any) -> None:
        query = self.mode.currentText() == "Query"
        sk = self.table.keys_for(self.index.currentData())[1] if self.table else None
        self.pk_value.setVisible(query)
        self.sk_operator.setVisible(query and sk is not None)
        op = self.sk_operator.currentText()
        self.sk_value.setVisible(query and sk is not None and op != "(any)")
        self.sk_value2.setVisible(query and sk is not None and op == "between")

    def new_filter(self) -> FilterRow:
        row = FilterRow()
        row.removed.connect(self._remove_filter)
        self.filter_rows.append(row)
        self.filters_box.addWidget(row)
        return row

    def _remove_filter(self, row: FilterRow) -> None:
        self.filter_rows.remove(row)
        row.setParent(None)
        row.deleteLater()

    # ---- reading --------------------------------------------------------------------------
    def options(self) -> tuple[ReadOptions, Any]:
        """The read the query bar describes; ConfigError names what is wrong in it."""
        if self.table is None:
            raise ConfigError("pick a table first")
        index_name = self.index.currentData()
        projection = [p.strip() for p in self.projection.text().split(",") if p.strip()]
        options = ReadOptions(
            index=index_name,
            page_size=self.page_size.value() or None,
            consistent=self.consistent.isChecked(),
            projection=projection,
            filters=[row.clause() for row in self.filter_rows],
            combine=self.combine.currentText(),
        )
        if self.mode.currentText() == "Scan":
            return options, None
        pk, sk = self.table.keys_for(index_name)
        if not self.pk_value.text().strip():
            raise ConfigError(f"a query needs a value for the partition key {pk.name}")
        pk_value = typed_value(self.pk_value.text(), pk.type, pk.name)
        op = self.sk_operator.currentText()
        if sk is None or op == "(any)":
            return options, key_condition(pk.name, pk_value)
        value = typed_value(self.sk_value.text(), sk.type, sk.name)
        value2 = typed_value(self.sk_value2.text(), sk.type, sk.name) if op == "between" else None
        return options, key_condition(pk.name, pk_value, sk.name, op, value, value2)

    def run(self) -> None:
        if self.db is None or self.table is None:
            return
        try:
            options, key = self.options()
        except ConfigError as exc:
            self.show_message(str(exc))
            return
        self._drop_read()
        self.hide_message()
        self.model.reset(self.table.key_names)
        self.view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)
        self.sorter.sort(-1)
        self.item_view.clear()
        self.last_read = (self.table.name, options, key)
        self._start_read(None)

    def _open_pages(self, start_key: Item | None) -> None:
        """A page iterator for the last read, from `start_key`. A new read's first page asks
        for about two screens of rows; a read that goes on asks for full pages."""
        assert self.db is not None and self.last_read is not None
        table, options, key = self.last_read
        self.cancel_event = threading.Event()
        first = None if start_key is not None else self._rows_on_screen() * 2
        read = replace(options, start_key=start_key, cancel=self.cancel_event, first_page=first)
        db = self.db
        self.pages = db.query(table, key, read) if key is not None else db.scan(table, read)
        self.stopped = False

    def _rows_on_screen(self) -> int:
        row = max(1, self.view.verticalHeader().defaultSectionSize())
        return max(MIN_FIRST_PAGE, self.view.viewport().height() // row + 1)

    def _start_read(self, start_key: Item | None) -> None:
        self._open_pages(start_key)
        self.model.more = True
        self.fetch_next()

    def _resume(self) -> None:
        """Go on from the last page read, with the renewed session's client."""
        if self.last_read is not None and self.model.more:
            self._drop_read()  # a page still on its way would come twice
            self.hide_message()
            self._start_read(self.model.last_key)

    def go_on(self) -> None:
        """After a read failed (network, throttling): read again from the page that failed;
        the rows already loaded stay."""
        self.hide_message()
        if self.db is not None and self.pages is None and not self.model.loading:
            self._resume()

    def _pages_to_read(self) -> Iterator[ScanPage] | None:
        """The read under way, or after Stop one going on from the last page that arrived
        (after a failure, only "Go on" or a renewal reads again)."""
        if self.stopped and self.db is not None and self.last_read and self.model.more:
            self._open_pages(self.model.last_key)
        return self.pages

    def fetch_next(self) -> None:
        """One more page, on a worker (the view calls this as the person scrolls)."""
        pages = None if self.model.loading else self._pages_to_read()
        if pages is None:
            return
        self.model.loading = True
        self._set_reading(True)
        self.read_op = Op(self.pool, lambda: prepared(next(pages, None)), owner=self)
        self.read_op.on_success(self._page).on_failure(self._read_failed).start()

    def fetch_all(self) -> None:
        pages = None if self.model.loading or not self.model.more else self._pages_to_read()
        if pages is None:
            return
        self.model.loading = True
        self.loading_all = True
        self._set_reading(True)

        def work(report: Callable[[object], None]) -> None:
            for page in pages:
                report(prepared(page))

        self.read_op = Op(self.pool, work, reports=True, owner=self)
        self.read_op.on_progress(self._add_page).on_success(lambda _: self._read_done())
        self.read_op.on_failure(self._read_failed).start()

    def _add_page(self, page: ScanPage) -> None:
        self.model.add_page(page)
        self._update_status()
        self.pageLoaded.emit(len(self.model.items))

    def _page(self, page: ScanPage | None) -> None:
        if page is None:
            self.model.more = False
        else:
            self._add_page(page)
        self._read_done()

    def _read_done(self) -> None:
        self.model.loading = False
        self.loading_all = False
        self._set_reading(False)
        self._update_status()
        self.readFinished.emit()
        if self.model.items and not self.view.currentIndex().isValid():
            self.view.selectionModel().setCurrentIndex(
                self.sorter.index(0, 0),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )

    def _read_failed(self, error: BaseException) -> None:
        self.model.loading = False
        self.loading_all = False
        self._set_reading(False)
        self.pages = None  # a read that raised is over; go_on starts again from last_key
        if isinstance(error, Cancelled):
            self._update_status("stopped")
        else:
            self._failed(error)
            if self.model.more and self.last_read is not None:
                kept = len(self.model.items)
                self.message.setText(
                    f"{self.message.text()}. The {kept:,} rows loaded are kept."
                    if kept
                    else self.message.text()
                )
                self.go_on_button.setVisible(not self.expired_bar.isVisible())  # renew goes on
        self.readFinished.emit()

    def _drop_read(self) -> bool:
        """Cancel the read under way: a page still on its way is dropped (the worker may be
        waiting for it) and the next read goes on from the last page that arrived."""
        if self.cancel_event is not None:
            self.cancel_event.set()
        op, self.read_op = self.read_op, None
        if op is None or not op.running:
            return False
        op.cancel()
        self.pages = None
        self.model.loading = False
        self.loading_all = False
        return True

    def stop(self) -> None:
        if self._drop_read():
            self.stopped = True
            self._set_reading(False)
            self._update_status("stopped")
            self.readFinished.emit()

    def _set_reading(self, on: bool) -> None:
        self.run_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)
        self.load_all.setEnabled(not on and self.model.more)

    def _update_status(self, extra: str = "") -> None:
        m = self.model
        more = "more to load" if m.more else "all loaded"
        if m.loading:
            more = "loading…"
        parts = [
            f"{len(m.items):,} items loaded",
            f"{m.scanned:,} scanned",
            f"{m.pages} page{'s' if m.pages != 1 else ''}",
            f"{m.capacity:g} capacity units",
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
        has_row = self.current_row() is not None
        self.new_button.setEnabled(writable)
        self.edit_button.setEnabled(writable and has_row)
        self.delete_button.setEnabled(writable and has_row)
        self.read_only.setText("Read-only" if self.read_only.isChecked() else "Editing on")

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

        def added(_: object) -> None:
            self.model.insert(item)
            self._written("Added the item")

        self._write(lambda: db.put(table, item, only_if_new=keys), added)

    def edit_item(self) -> None:
        row = self.current_row()
        if self.read_only.isChecked() or row is None or self.table is None or self.db is None:
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
        db, table = self.db, self.table.name

        def saved(_: object) -> None:
            self.model.replace(row, new)
            self._written("Saved the item")

        self._write(lambda: db.put(table, new), saved)

    def edit_cell(self, index: Any) -> None:
        if self.read_only.isChecked() or self.table is None or self.db is None:
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
        text = ""
        if current is not None:
            text = to_plain_json({name: current}, indent=2)
            text = text[text.index(":") + 1 : text.rindex("}")].strip()
        answer = BrowserAsk.edit_json(
            self,
            f"Edit {name}",
            text,
            "The value as plain JSON. Leave it empty to remove the attribute.",
        )
        if answer is None:
            return
        key = item_key(item, self.table.key_names)
        db, table = self.db, self.table.name
        try:
            value = from_plain_json('{"v": ' + answer + "}")["v"] if answer.strip() else None
        except ItemError as exc:
            self.show_message(str(exc).replace("v: ", "").replace("v.", f"{name}."))
            return

        def work() -> Item:
            if value is None:
                return db.update(table, key, remove=[name])
            return db.update(table, key, {name: value})

        def saved(new: Item) -> None:
            self.model.replace(row, new)
            self._written(f"Saved {name}")

        self._write(work, saved)

    def delete_items(self) -> None:
        rows = self.selected_rows()
        if self.read_only.isChecked() or not rows or self.table is None or self.db is None:
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

        def deleted(n: int) -> None:
            self.model.remove_rows(rows)
            self.item_view.clear()
            self._written(f"Deleted {n} item{'s' if n != 1 else ''}")

        self._write(lambda: db.batch_delete(table, keys), deleted)

    def _written(self, text: str) -> None:
        self.statusBar().showMessage(text, 6000)
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
        if self.table is None or self.db is None or self.last_read is None:
            self.show_message("Run a scan or query first: the export repeats it to the end.")
            return
        path = BrowserAsk.save_path(self, "Export the whole result", f"{self.table.name}.{fmt}")
        if not path:
            return
        table, options, key = self.last_read
        self.cancel_event = threading.Event()
        read = replace(options, start_key=None, cancel=self.cancel_event)
        db, keys, cancel = self.db, self.table.key_names, self.cancel_event
        pages = (
            p.items
            for p in (db.query(table, key, read) if key is not None else db.scan(table, read))
        )
        self.cancel_button.setEnabled(True)
        self._export(
            lambda report: export(pages, Path(path), fmt, keys, progress=report, cancel=cancel),
            path,
        )

    def _export(self, work: Any, path: str) -> None:
        def done(count: int) -> None:
            self.cancel_button.setEnabled(False)
            self.statusBar().showMessage(f"Exported {count:,} items to {path}", 8000)
            self.exported.emit(count)

        def failed(error: BaseException) -> None:
            self.cancel_button.setEnabled(False)
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
            self.resume_pending = self.last_read is not None and self.model.more
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
        self._drop_read()  # a "Load all" under way stops with the window
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


def _schema_html(info: TableInfo) -> str:
    def key(k: KeyAttribute) -> str:
        return f"<b>{k.name}</b> <span style='color:{theme.current['muted']}'>({k.type})</span>"

    rows = [
        f"<b style='font-size:12pt'>{info.name}</b>",
        f"Partition key: {key(info.partition_key)}",
    ]
    if info.sort_key:
        rows.append(f"Sort key: {key(info.sort_key)}")
    rows.append(
        f"About {info.item_count:,} items · {_size(info.size_bytes)} · "
        f"{info.billing_mode.replace('_', ' ').lower()}"
    )
    if info.stream:
        rows.append(f"Stream: {info.stream}")
    if info.ttl_attribute:
        rows.append(f"TTL: {info.ttl_attribute} ({(info.ttl_status or '').lower()})")
    for index in info.indexes:
        keys = key(index.partition_key) + (" + " + key(index.sort_key) if index.sort_key else "")
        projected = (
            f" ({', '.join(index.projected_attributes)})" if index.projected_attributes else ""
        )
        rows.append(
            f"<br><b>{index.kind}</b> {index.name}<br>&nbsp;&nbsp;{keys}<br>"
            f"&nbsp;&nbsp;projects {index.projection.lower()}{projected}"
        )
    return "<br>".join(rows)


def _size(n: int) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:,.0f} {unit}" if unit == "bytes" else f"{n:,.1f} {unit}"
        n /= 1024  # type: ignore[assignment]
    return ""
