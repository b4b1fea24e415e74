"""The browser's PartiQL editor: one or more statements, their `?` parameters typed as
DynamoDB values, page size, consistency, and whether several statements are one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.dynamo import ReadOptions
from core.errors import ConfigError
from core.items import AttributeValue, ItemError, from_plain_value, to_attribute_value
from core.partiql import Statement, statements
from gui.query_bar import VALUE_TYPES, page_size_box, typed_value

PARAMETER_TYPES = (*VALUE_TYPES, "JSON")  # JSON: a list, map or set as the plain-JSON view has it


class ParameterRow(QWidget):
    """One `?` parameter: its DynamoDB type and its value."""

    removed = Signal(object)

    def __init__(self, number: int) -> None:
        super().__init__()
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel(f"? {number}")
        self.label.setMinimumWidth(34)
        self.kind = QComboBox()
        self.kind.addItems(PARAMETER_TYPES)
        self.kind.setAccessibleName(f"Parameter {number} type")
        self.kind.setToolTip(
            'The DynamoDB type of the value; JSON for a list, a map or a set ({"$set": [...]})'
        )
        self.value = QLineEdit()
        self.value.setPlaceholderText("value")
        self.value.setAccessibleName(f"Parameter {number} value")
        remove = QToolButton()
        remove.setText("✕")
        remove.setToolTip("Remove this parameter")
        remove.setAccessibleName(f"Remove parameter {number}")
        remove.clicked.connect(lambda: self.removed.emit(self))
        layout.addWidget(self.label)
        layout.addWidget(self.kind)
        layout.addWidget(self.value, 1)
        layout.addWidget(remove)

    def renumber(self, number: int) -> None:
        self.label.setText(f"? {number}")
        self.kind.setAccessibleName(f"Parameter {number} type")
        self.value.setAccessibleName(f"Parameter {number} value")

    def attribute_value(self, number: int) -> AttributeValue:
        what = f"parameter {number}"
        if self.kind.currentText() == "JSON":
            try:
                return from_plain_value(self.value.text(), what)
            except ItemError as exc:
                raise ConfigError(str(exc)) from None
        return to_attribute_value(typed_value(self.value.text(), self.kind.currentText(), what))


class PartiqlBar(QWidget):
    """What to run: `statements()` gives it, or a ConfigError naming what is wrong in it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.editor = QPlainTextEdit()
        self.editor.setObjectName("partiqlStatement")
        self.editor.setAccessibleName("PartiQL statement")
        self.editor.setPlaceholderText('SELECT * FROM "Table" WHERE "key" = ?')
        self.editor.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.editor.setTabChangesFocus(True)
        self.editor.setFixedHeight(84)
        layout.addWidget(self.editor)
        self.parameters_box = QVBoxLayout()
        layout.addLayout(self.parameters_box)
        self.parameter_rows: list[ParameterRow] = []

        row = QHBoxLayout()
        self.add_parameter = QToolButton()
        self.add_parameter.setText("+ Parameter")
        self.add_parameter.setObjectName("addParameter")
        self.add_parameter.setToolTip("A value for the next ? in the statements, in order")
        self.hint = QLabel("Several statements, separated by ;, run as one batch")
        self.hint.setObjectName("hint")
        self.transaction = QCheckBox("As one transaction")
        self.transaction.setObjectName("partiqlTransaction")
        self.transaction.setToolTip(
            "Several statements: all or none (ExecuteTransaction) instead of each on its own"
        )
        self.page_size = page_size_box(
            "partiqlPageSize", "Items evaluated per request (Limit); empty: 1 MB pages"
        )
        self.consistent = QCheckBox("Consistent read")
        self.consistent.setObjectName("partiqlConsistent")
        self.run_button = QPushButton("Run")
        self.run_button.setObjectName("runStatementButton")
        self.run_button.setProperty("primary", True)
        self.run_button.setToolTip("Run the statements (Ctrl+Enter)")
        self.cancel_button = QPushButton("Stop")
        self.cancel_button.setObjectName("stopStatementButton")
        self.cancel_button.setToolTip("Stop between pages; what is loaded stays")
        self.cancel_button.setEnabled(False)
        for control in (
            self.add_parameter,
            self.hint,
            self.transaction,
            self.page_size,
            self.consistent,
            self.run_button,
            self.cancel_button,
        ):
            row.addWidget(control)
        row.setStretch(1, 1)
        layout.addLayout(row)
        self.add_parameter.clicked.connect(self.new_parameter)

    def set_table(self, name: str) -> None:
        self.editor.setPlaceholderText(f'SELECT * FROM "{name}" WHERE "key" = ?')  # noqa: S608

    def set_reading(self, on: bool) -> None:
        self.run_button.setEnabled(not on)
        self.cancel_button.setEnabled(on)

    def new_parameter(self) -> ParameterRow:
        row = ParameterRow(len(self.parameter_rows) + 1)
        row.removed.connect(self._remove_parameter)
        self.parameter_rows.append(row)
        self.parameters_box.addWidget(row)
        return row

    def _remove_parameter(self, row: ParameterRow) -> None:
        self.parameter_rows.remove(row)
        row.setParent(None)
        row.deleteLater()
        for number, other in enumerate(self.parameter_rows, start=1):
            other.renumber(number)

    def statements(self) -> list[Statement]:
        """The editor's statements with their parameters; ConfigError names what is wrong."""
        values = [row.attribute_value(n) for n, row in enumerate(self.parameter_rows, start=1)]
        return statements(self.editor.toPlainText(), values)

    def options(self) -> ReadOptions:
        return ReadOptions(
            page_size=self.page_size.value() or None, consistent=self.consistent.isChecked()
        )

    def state(self) -> dict[str, Any]:
        """The editor as plain JSON (core.history), to fill it again with `set_state`."""
        return {
            "text": self.editor.toPlainText(),
            "parameters": [[r.kind.currentText(), r.value.text()] for r in self.parameter_rows],
            "page_size": self.page_size.value(),
            "consistent": self.consistent.isChecked(),
            "transaction": self.transaction.isChecked(),
        }

    def set_state(self, state: Mapping[str, Any]) -> None:
        """Fill the editor as `state()` gave it; ConfigError for a type this version lacks."""
        parameters = [(str(kind), str(value)) for kind, value in state.get("parameters") or []]
        for kind, _value in parameters:
            if kind not in PARAMETER_TYPES:
                raise ConfigError(f"this version has no parameter type {kind}")
        self.set_statement(str(state.get("text", "")), parameters)
        self.page_size.setValue(int(state.get("page_size") or 0))
        self.consistent.setChecked(bool(state.get("consistent")))
        self.transaction.setChecked(bool(state.get("transaction")))

    def set_statement(self, text: str, parameters: list[tuple[str, str]] | None = None) -> None:
        """Fill the editor (saved operations, tests): the text and (type, value) parameters."""
        self.editor.setPlainText(text)
        for row in list(self.parameter_rows):
            self._remove_parameter(row)
        for kind, value in parameters or []:
            row = self.new_parameter()
            row.kind.setCurrentText(kind)
            row.value.setText(value)
