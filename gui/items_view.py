"""The items table's own view pieces: cells and row numbers that ask Python as little as
they can (each call from Qt into Python costs, and waits for the GIL while a worker reads)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from gui.items_model import CELL

Index = QModelIndex | QPersistentModelIndex
_CELL_ALIGNMENT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
_HEADER_MARGIN = QStyle.PixelMetric.PM_HeaderMargin


class CellDelegate(QStyledItemDelegate):
    """Item cells: the text and its colour are all a cell shows, asked for in one call.

    Qt's own delegate asks the model for ten roles a cell, each a call into Python (and
    through the sorter, twice more to check the index): a page's repaint held the GUI thread
    for tens of milliseconds while a worker was reading."""

    def initStyleOption(self, option: QStyleOptionViewItem, index: Index) -> None:  # noqa: N802
        cell = index.data(CELL)
        if cell is None:
            return
        text, color = cell
        option.features |= QStyleOptionViewItem.ViewItemFeature.HasDisplay
        option.text = text
        option.displayAlignment = _CELL_ALIGNMENT
        if color is not None:
            option.palette.setColor(QPalette.ColorRole.Text, color)


class RowNumbers(QHeaderView):
    """The numbers beside the rows, as wide as the largest one needs.

    Qt's own size hint asks the model for the header data of up to 200 rows, several roles
    each, every call one into Python, each time rows arrive: on a slow machine that held the
    GUI thread 30-70 ms per page while a worker was reading."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self._margin: int | None = None

    def sizeHint(self) -> QSize:  # noqa: N802
        digits = len(str(max(1, self.count())))
        if self._margin is None:
            self._margin = self.style().pixelMetric(_HEADER_MARGIN, None, self)
        width = self.fontMetrics().horizontalAdvance("9" * digits) + 2 * self._margin + 8
        return QSize(width, self.defaultSectionSize())
