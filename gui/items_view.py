"""The items table's own view pieces: cells and row numbers that ask Python as little as
they can (each call from Qt into Python costs, and waits for the GIL while a worker reads)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QSize, Qt
from PySide6.QtGui import QPainter, QPalette, QStaticText, QTransform
from PySide6.QtWidgets import (
    QApplication,
    QHeaderView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from gui.items_model import CELL

Index = QModelIndex | QPersistentModelIndex
_PANEL = QStyle.PrimitiveElement.PE_PanelItemViewItem
_TEXT_MARGIN = QStyle.PixelMetric.PM_FocusFrameHMargin
_SELECTED = QStyle.StateFlag.State_Selected
_FOCUSED = QStyle.StateFlag.State_HasFocus
_FOCUS = QStyle.PrimitiveElement.PE_FrameFocusRect
_ELIDE = Qt.TextElideMode.ElideRight
_HEADER_MARGIN = QStyle.PixelMetric.PM_HeaderMargin


class CellDelegate(QStyledItemDelegate):
    """Item cells: the text and its colour are all a cell shows, asked for in one call, and
    the text laid out once (QStaticText) for as long as it is on screen.

    Qt's own delegate asks the model for ten roles a cell, each a call into Python (and
    through the sorter, twice more to check the index), and shapes every cell's text again
    at every repaint: each page that arrived repainted the same cells, holding the GUI thread
    20-30 ms while a worker was reading. Laid out once, the repaint takes half that."""

    _KEEP = 4000  # laid-out texts kept (a screenful is a few hundred)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts: dict[tuple[str, int, int], tuple[QStaticText, float]] = {}
        self._margin: int | None = None

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        cell = index.data(CELL)
        if cell is None:
            return
        text, color = cell
        widget = option.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawPrimitive(_PANEL, option, painter, widget)  # selection and hover
        rect = option.rect
        if self._margin is None:
            self._margin = style.pixelMetric(_TEXT_MARGIN, None, widget) + 1
        key = (text, rect.width(), rect.height())
        laid = self._texts.get(key)
        if laid is None:
            if len(self._texts) >= self._KEEP:
                self._texts.clear()
            metrics = option.fontMetrics
            shown = metrics.elidedText(text, _ELIDE, rect.width() - 2 * self._margin)
            static = QStaticText(shown)
            static.setTextFormat(Qt.TextFormat.PlainText)
            static.prepare(QTransform(), option.font)
            laid = self._texts[key] = (static, (rect.height() - metrics.height()) / 2)
        palette = option.palette
        painter.save()
        if option.state & _SELECTED:
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        else:
            painter.setPen(color if color is not None else palette.color(QPalette.ColorRole.Text))
        painter.drawStaticText(QPointF(rect.x() + self._margin, rect.y() + laid[1]), laid[0])
        painter.restore()
        if option.state & _FOCUSED:  # where the keyboard is, as Qt's own delegate shows it
            style.drawPrimitive(_FOCUS, option, painter, widget)


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
