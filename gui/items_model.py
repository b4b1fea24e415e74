"""Loaded DynamoDB items as a table model: raw items kept, cells rendered only when drawn."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)

from core.capacity import Capacity
from core.compact import CompactItems, EncodedItems
from core.items import AttributeValue, Item, cell_text, columns
from core.pages import ScanPage
from gui import theme

if TYPE_CHECKING:
    from PySide6.QtGui import QColor

Index = QModelIndex | QPersistentModelIndex
SORT = Qt.ItemDataRole.UserRole + 10
RAW = Qt.ItemDataRole.UserRole + 11
TYPE_NAMES = {
    "S": "string",
    "N": "number",
    "B": "binary",
    "BOOL": "boolean",
    "NULL": "NULL",
    "SS": "string set",
    "NS": "number set",
    "BS": "binary set",
    "M": "map",
    "L": "list",
}
_CACHE_LIMIT = 200_000


def display_text(value: AttributeValue | None) -> str:
    """Like cell_text, but NULL and "" are told apart from a missing attribute on screen."""
    if value is None:
        return ""
    if value == {"S": ""}:
        return '""'
    if "NULL" in value:
        return "NULL"
    return cell_text(value)


def sort_key(value: AttributeValue | None) -> tuple[int, Any]:
    """Numbers sort as numbers, everything else as text; missing values sort last."""
    if value is None:
        return (3, "")
    if "N" in value:
        return (0, Decimal(value["N"]))
    if "S" in value:
        return (1, value["S"])
    return (2, cell_text(value))


class ItemsModel(QAbstractTableModel):
    """Rows are the raw items as DynamoDB sent them; columns grow as pages bring attributes."""

    fetchRequested = Signal()

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.items = CompactItems()
        self.columns: list[str] = []
        self.key_names: tuple[str, ...] = ()
        self.more = False
        self.loading = False
        self.pages = 0
        self.scanned = 0
        self.capacity = Capacity()
        self.last_key: Item | None = None
        self._cells: dict[tuple[int, int], str] = {}
        self._sort_keys: dict[int, list[tuple[int, Any]]] = {}

    def reset(self, key_names: tuple[str, ...]) -> None:
        self.beginResetModel()
        self.items, self.columns, self.key_names = CompactItems(), list(key_names), key_names
        self._sort_keys.clear()
        self.more, self.loading, self.pages, self.scanned = False, False, 0, 0
        self.capacity = Capacity()
        self.last_key = None
        self._cells.clear()
        self.endResetModel()

    def add_page(self, page: ScanPage) -> None:
        """Append a page's items; new attributes become new columns at the end."""
        self.pages += 1
        self.scanned += page.scanned_count
        self.capacity += page.capacity
        self.more = page.more
        self.last_key = page.last_evaluated_key
        if page.items:
            if isinstance(page.items, EncodedItems):  # attribute names known: no decoding
                wanted = columns([page.items.names], self.key_names, self.columns)
            else:
                wanted = columns(page.items, self.key_names, self.columns)
            if len(wanted) > len(self.columns):
                self.beginInsertColumns(QModelIndex(), len(self.columns), len(wanted) - 1)
                self.columns = wanted
                self.endInsertColumns()
            start = len(self.items)
            self.beginInsertRows(QModelIndex(), start, start + len(page.items) - 1)
            self.items.extend(page.items)
            self._sort_keys.clear()
            self.endInsertRows()

    def replace(self, row: int, item: Item) -> None:
        self.items[row] = item
        wanted = columns([item], self.key_names, self.columns)
        if len(wanted) > len(self.columns):
            self.beginInsertColumns(QModelIndex(), len(self.columns), len(wanted) - 1)
            self.columns = wanted
            self.endInsertColumns()
        for col in range(len(self.columns)):
            self._cells.pop((row, col), None)
        self._sort_keys.clear()
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    def insert(self, item: Item) -> None:
        self.add_page(ScanPage([item], self.last_key, 1, 0))
        self.pages -= 1

    def remove_rows(self, rows: list[int]) -> None:
        for row in sorted(rows, reverse=True):
            self.beginRemoveRows(QModelIndex(), row, row)
            del self.items[row]
            self.endRemoveRows()
        self._cells.clear()
        self._sort_keys.clear()

    def memory_bytes(self) -> int:
        """What the loaded rows cost: their storage plus the rendered-cell cache."""
        from sys import getsizeof

        cells = getsizeof(self._cells) + sum(getsizeof(t) for t in self._cells.values())
        return self.items.memory_bytes() + cells

    def sort_keys(self, col: int) -> list[tuple[int, Any]]:
        """Every row's sort key for a column, decoded once per sort rather than per comparison."""
        keys = self._sort_keys.get(col)
        if keys is None:
            name = self.columns[col]
            keys = [sort_key(item.get(name)) for item in self.items]
            self._sort_keys[col] = keys
        return keys

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.columns)

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: N802, B008
        return not parent.isValid() and self.more and not self.loading

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: N802, B008
        if self.canFetchMore(parent):
            self.fetchRequested.emit()

    def headerData(  # noqa: N802
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal:
            if 0 <= section < len(self.columns):
                name = self.columns[section]
                if name in self.key_names:
                    return f"{name} · {'PK' if name == self.key_names[0] else 'SK'}"
                return name
            return None
        return section + 1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if row >= len(self.items) or col >= len(self.columns):
            return None
        if role == SORT:
            return self.sort_keys(col)[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._cell_text(row, col)
        if role not in (RAW, Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.ForegroundRole):
            return None
        value = self.items[row].get(self.columns[col])
        if role == RAW:
            return value
        if role == Qt.ItemDataRole.ToolTipRole and value is not None:
            kind = next(iter(value))
            return f"{TYPE_NAMES.get(kind, kind)}: {display_text(value)[:500]}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return self._muted(value)
        return None

    def cell(self, row: int, col: int) -> tuple[str, QColor | None]:
        """What the view paints in a cell: its text, and its colour if not the usual one."""
        return self._cell_text(row, col), self._muted(self.items[row].get(self.columns[col]))

    def _muted(self, value: AttributeValue | None) -> QColor | None:
        """NULL and the empty string are shown muted, so they read apart from text."""
        if value is not None and ("NULL" in value or value == {"S": ""}):
            return theme.color("muted")
        return None

    def _cell_text(self, row: int, col: int) -> str:
        """The cell's text, rendered once and kept (long values cut for the table)."""
        key = (row, col)
        text = self._cells.get(key)
        if text is None:
            value = self.items[row].get(self.columns[col])
            if len(self._cells) > _CACHE_LIMIT:
                self._cells.clear()
            text = display_text(value)
            if len(text) > 200:
                text = text[:199] + "…"
            self._cells[key] = text
        return text


class ItemsSorter(QSortFilterProxyModel):
    """Sorts the loaded rows by value (numbers as numbers); it never asks DynamoDB again."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setSortRole(SORT)

    def lessThan(self, left: Index, right: Index) -> bool:  # noqa: N802
        a, b = left.data(SORT), right.data(SORT)
        try:
            return bool(a < b)
        except TypeError:
            return str(a) < str(b)


def prepared(page: ScanPage | None) -> ScanPage | None:
    """The page with its items encoded for the model: call it on the worker thread."""
    if page is not None and page.items and not isinstance(page.items, EncodedItems):
        page.items = EncodedItems(page.items)
    return page
