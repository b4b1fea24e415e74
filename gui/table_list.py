"""The browser's side pane: the role's tables, filtered as you type, and the picked
table's schema (keys, indexes, size, billing, stream, TTL)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QLineEdit, QListWidget, QVBoxLayout, QWidget

from core.dynamo import KeyAttribute, TableInfo
from gui import theme


class TablePane(QWidget):
    """`list` holds the table names; picking one is its currentTextChanged."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("sidebar")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)  # its colour, from the QSS
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 8, 8)
        self.filter = QLineEdit()
        self.filter.setObjectName("tableFilter")
        self.filter.setPlaceholderText("Filter tables")
        self.filter.setAccessibleName("Filter tables")
        self.filter.setClearButtonEnabled(True)
        layout.addWidget(self.filter)
        self.list = QListWidget()
        self.list.setObjectName("tableList")
        self.list.setAccessibleName("Tables")
        layout.addWidget(self.list, 2)
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
        self.filter.textChanged.connect(self._filter)

    def set_tables(self, names: list[str]) -> None:
        """The tables listed, sorted; the one picked stays picked (without describing it
        again) if it is still there."""
        current = self.list.currentItem().text() if self.list.currentItem() else None
        self.list.blockSignals(True)
        self.list.clear()
        self.list.addItems(sorted(names))
        self.list.blockSignals(False)
        self._filter(self.filter.text())
        if current:
            found = self.list.findItems(current, Qt.MatchFlag.MatchExactly)
            if found:
                self.list.blockSignals(True)
                self.list.setCurrentItem(found[0])
                self.list.blockSignals(False)

    def show_schema(self, info: TableInfo) -> None:
        self.schema.setText(_schema_html(info))

    def _filter(self, text: str) -> None:
        words = text.lower().split()
        for row in range(self.list.count()):
            item = self.list.item(row)
            item.setHidden(not all(w in item.text().lower() for w in words))


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
