"""What an import will write, before it writes: the count, the first rows in a table with the
type of each value, the key attributes, and every row refused with its line."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from core.items import cell_text, typed_text

if TYPE_CHECKING:
    from core.dynamo import TableInfo
    from core.importer import ImportFile

PREVIEW_ROWS = 20
SHOWN_REFUSED = 500


class ImportPreview(QDialog):
    """Accepted: write the items. Each column's header names its type when every row shown
    agrees on it; otherwise each cell says its own."""

    def __init__(self, found: ImportFile, table: TableInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("importPreviewDialog")
        self.setWindowTitle(f"Import into {table.name}")
        self.resize(860, 520)
        layout = QVBoxLayout(self)
        count = len(found.items)
        heading = QLabel(
            f"<b>Write {count:,} item{'s' if count != 1 else ''} from "
            f"{html.escape(found.path.name)} into {html.escape(table.name)}?</b>"
        )
        heading.setObjectName("importHeading")
        layout.addWidget(heading)
        notes = ["Items with the key of an existing item replace it."]
        if found.repeated:
            notes.append(
                f"{found.repeated:,} row{'s repeat' if found.repeated != 1 else ' repeats'} the "
                "key of an earlier row: the later row is written."
            )
        self.notes = QLabel(" ".join(notes))
        self.notes.setObjectName("hint")
        self.notes.setWordWrap(True)
        layout.addWidget(self.notes)

        shown = min(PREVIEW_ROWS, count)
        layout.addWidget(QLabel(f"The first {shown:,} as they will be written:"))
        self.rows = QTableWidget()
        self.rows.setObjectName("importPreview")
        self.rows.setAccessibleName("Rows to import")
        self.rows.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.rows.setAlternatingRowColors(True)
        self.rows.verticalHeader().setDefaultSectionSize(24)
        self._fill(found, table, shown)
        layout.addWidget(self.rows, 1)

        refused = found.refused
        self.refused = QPlainTextEdit()
        self.refused.setObjectName("importRefused")
        self.refused.setAccessibleName("Rows refused")
        self.refused.setReadOnly(True)
        if refused:
            said = f"{len(refused):,} row{'s are' if len(refused) != 1 else ' is'} refused"
            layout.addWidget(QLabel(f"{said} and will not be written:"))
            lines = [r.describe() for r in refused[:SHOWN_REFUSED]]
            if len(refused) > SHOWN_REFUSED:
                lines.append(f"…and {len(refused) - SHOWN_REFUSED:,} more")
            self.refused.setPlainText("\n".join(lines))
            self.refused.setMaximumHeight(110)
            layout.addWidget(self.refused)
        else:
            self.refused.hide()

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.write_button = buttons.addButton(
            f"Write {count:,} item{'s' if count != 1 else ''}",
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.write_button.setObjectName("importWriteButton")
        self.write_button.setProperty("primary", True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def _fill(self, found: ImportFile, table: TableInfo, shown: int) -> None:
        items = [(found.lines[n], found.items[n]) for n in range(shown)]
        keys = [k.name for k in (table.partition_key, table.sort_key) if k]
        names = list(keys)
        for name in [*found.columns, *(n for _, item in items for n in item)]:
            if name not in names:
                names.append(name)
        types = {
            name: {next(iter(item[name])) for _, item in items if name in item} for name in names
        }
        headers = ["Line"]
        for name in names:
            uniform = next(iter(types[name])) if len(types[name]) == 1 else ""
            kind = found.columns.get(name) or uniform
            key = " · key" if name in keys else ""
            headers.append(f"{name} ({kind}){key}" if kind else f"{name}{key}")
        self.rows.setColumnCount(len(headers))
        self.rows.setRowCount(len(items))
        self.rows.setHorizontalHeaderLabels(headers)
        self.rows.verticalHeader().hide()
        for row, (line, item) in enumerate(items):
            self.rows.setItem(row, 0, QTableWidgetItem(f"{line:,}"))
            for column, name in enumerate(names, start=1):
                if name not in item:
                    continue
                value = item[name]
                text = cell_text(value)
                kind = "" if len(types[name]) == 1 else f"  ({next(iter(value))})"
                cell = QTableWidgetItem(text + kind)
                cell.setToolTip(typed_text(value, name))
                self.rows.setItem(row, column, cell)
        header = self.rows.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        self.rows.resizeColumnsToContents()
        for column in range(1, len(headers)):
            header.resizeSection(column, min(max(header.sectionSize(column), 90), 260))

    def cells(self) -> list[list[str]]:
        """The table as shown: the header, then each row's cells (tests, the note)."""
        model, columns = self.rows.model(), range(self.rows.columnCount())
        header = [str(model.headerData(c, Qt.Orientation.Horizontal)) for c in columns]
        rows = [
            [str(model.index(r, c).data() or "") for c in columns]
            for r in range(self.rows.rowCount())
        ]
        return [header, *rows]
