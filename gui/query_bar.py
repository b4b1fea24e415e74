"""The browser's query bar: Scan or Query, table or index, the key condition, filters,
projection, page size and consistency, read into the ReadOptions of one read."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.dynamo import ReadOptions
from core.errors import ConfigError
from core.expressions import FILTER_OPERATORS, KEY_OPERATORS, FilterClause, key_condition
from core.items import ItemError, exact_number

if TYPE_CHECKING:
    from core.dynamo import TableInfo

VALUE_TYPES = ("S", "N", "B", "BOOL", "NULL")


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


def page_size_box(name: str, tip: str) -> QSpinBox:
    """Items per request (a read's Limit); 0 shows as DynamoDB's 1 MB pages."""
    box = QSpinBox(minimum=0, maximum=10000, singleStep=100)
    box.setObjectName(name)
    box.setSpecialValueText("page: 1 MB")
    box.setPrefix("page: ")
    box.setAccessibleName("Page size")
    box.setToolTip(tip)
    return box


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

    def state(self) -> list[Any]:
        return [
            self.attribute.text().strip(),
            self.operator.currentText(),
            self.value.text(),
            self.value2.text(),
            self.kind.currentText(),
        ]

    def set_state(self, state: list[Any]) -> None:
        attribute, op, value, value2, kind = (list(state) + [""] * 5)[:5]
        self.attribute.setText(str(attribute))
        if op in FILTER_OPERATORS:
            self.operator.setCurrentText(op)
        self.value.setText(str(value))
        self.value2.setText(str(value2))
        if kind in VALUE_TYPES:
            self.kind.setCurrentText(kind)

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


class QueryBar(QWidget):
    """What to read: `options()` gives it, or a ConfigError naming what is wrong in it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.table: TableInfo | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
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
        self.page_size = page_size_box(
            "pageSize", "Items per request (Limit); empty means DynamoDB's 1 MB pages"
        )
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

        self.mode.currentTextChanged.connect(self._mode_changed)
        self.index.currentIndexChanged.connect(self._index_changed)
        self.sk_operator.currentTextChanged.connect(self._mode_changed)
        self.add_filter.clicked.connect(self.new_filter)
        self._mode_changed()

    @property
    def edits(self) -> tuple[QLineEdit, ...]:
        """The text fields where Enter runs the read."""
        return (self.pk_value, self.sk_value, self.sk_value2, self.projection)

    def set_table(self, info: TableInfo) -> None:
        """The table picked: its indexes to choose from, its keys' names and types shown."""
        self.table = info
        self.index.blockSignals(True)
        self.index.clear()
        self.index.addItem(f"Table {info.name}", None)
        for index in info.indexes:
            self.index.addItem(f"{index.kind} {index.name}", index.name)
        self.index.blockSignals(False)
        self._index_changed()

    def set_reading(self, on: bool) -> None:
        self.run_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)

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

    # ---- the form as the history keeps it -------------------------------------------------
    def state(self) -> dict[str, Any]:
        """The form as plain JSON (core.history), to fill it again with `set_state`."""
        keys = self.table.keys_for(self.index.currentData()) if self.table else (None, None)
        return {
            "mode": self.mode.currentText(),
            "index": self.index.currentData(),
            "keys": [key.name if key else "" for key in keys],  # for the history's titles
            "pk": self.pk_value.text(),
            "sk_op": self.sk_operator.currentText(),
            "sk": self.sk_value.text(),
            "sk2": self.sk_value2.text(),
            "filters": [row.state() for row in self.filter_rows],
            "combine": self.combine.currentText(),
            "projection": self.projection.text().strip(),
            "page_size": self.page_size.value(),
            "consistent": self.consistent.isChecked(),
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Fill the form as `state()` gave it; ConfigError if the table has lost its index."""
        if self.table is None:
            raise ConfigError("pick a table first")
        op = str(state.get("sk_op") or "(any)")
        if op != "(any)" and op not in KEY_OPERATORS:
            raise ConfigError(f"this version has no sort key condition {op}")
        for clause in state.get("filters") or []:
            if clause[1:2] and clause[1] not in FILTER_OPERATORS:
                raise ConfigError(f"this version has no filter {clause[1]}")
            if clause[4:5] and clause[4] not in VALUE_TYPES:
                raise ConfigError(f"this version has no value type {clause[4]}")
        wanted = state.get("index")
        index = 0 if wanted is None else self.index.findData(wanted)
        if index < 0:
            raise ConfigError(f"{self.table.name} has no index {state.get('index')} any more")
        self.mode.setCurrentText("Query" if state.get("mode") == "Query" else "Scan")
        self.index.setCurrentIndex(index)
        self.pk_value.setText(str(state.get("pk", "")))
        self.sk_operator.setCurrentText(op)
        self.sk_value.setText(str(state.get("sk", "")))
        self.sk_value2.setText(str(state.get("sk2", "")))
        for row in list(self.filter_rows):
            self._remove_filter(row)
        for clause in state.get("filters") or []:
            self.new_filter().set_state(clause)
        self.combine.setCurrentText("OR" if state.get("combine") == "OR" else "AND")
        self.projection.setText(str(state.get("projection", "")))
        self.page_size.setValue(int(state.get("page_size") or 0))
        self.consistent.setChecked(bool(state.get("consistent")))
        self._mode_changed()

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
