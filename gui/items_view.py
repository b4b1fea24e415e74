"""The items table's own view pieces: cells and row numbers that enter Python as seldom as
they can (each call from Qt into Python costs, and waits for the GIL while a worker reads)."""

from __future__ import annotations

from PySide6.QtCore import QLine, QModelIndex, QPointF, QSize, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPaintEvent, QPalette, QStaticText, QTransform
from PySide6.QtWidgets import (
    QHeaderView,
    QStyle,
    QStyleOptionFocusRect,
    QStyleOptionViewItem,
    QTableView,
    QWidget,
)

from gui.items_model import ItemsModel

_TEXT_MARGIN = QStyle.PixelMetric.PM_FocusFrameHMargin
_FOCUS = QStyle.PrimitiveElement.PE_FrameFocusRect
_GRID = QStyle.StyleHint.SH_Table_GridLineColor
_ELIDE = Qt.TextElideMode.ElideRight
_PLAIN = Qt.TextFormat.PlainText
_PRINTABLE = "".join(map(chr, range(32, 127)))
_NO_TRANSFORM = QTransform()
_TEXT = QPalette.ColorRole.Text
_PICKED_TEXT = QPalette.ColorRole.HighlightedText
_ALTERNATE = QPalette.ColorRole.AlternateBase
_PICKED = QPalette.ColorRole.Highlight
_WINDOW = QPalette.ColorRole.Window
_FOCUS_STATE = QStyle.StateFlag.State_KeyboardFocusChange | QStyle.StateFlag.State_Item
_HEADER_MARGIN = QStyle.PixelMetric.PM_HeaderMargin


class ItemsView(QTableView):
    """The items table, its cells painted in one pass of Python per repaint.

    Qt's own view calls the delegate once a cell, each call a way from C++ into Python that
    must take the GIL again; while a worker is busy, each of those waits for it to let go
    (up to the switch interval). A screenful of 200 cells took 19 ms idle and 80-100 ms beside
    a busy thread with the delegate; painted here, 4 ms and 10-17 ms. A repaint enters Python
    once and draws every visible cell itself: the row backgrounds, the selection, the text
    (laid out once with QStaticText and kept while it is on screen), the grid and the focus
    frame, exactly as Qt's view, delegate and style draw them (tests/gui/test_items_view.py
    compares the two pixel for pixel). The model is the sorter over an ItemsModel, which
    hands out each cell's text and colour directly."""

    _KEEP = 4000  # laid-out texts kept (a screenful is a few hundred)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._texts: dict[tuple[str, int], QStaticText] = {}
        self._rehearse()

    def _rehearse(self) -> None:
        """Paint once into a scrap image, as the table is built: the first rows a read brings
        then find the font's glyphs drawn and PySide's lazy types made (both once per process,
        about 10 ms of the first repaint otherwise)."""
        scrap = QImage(1, 1, QImage.Format.Format_ARGB32_Premultiplied)
        painter = QPainter(scrap)
        painter.fillRect(0, 0, 1, 1, self.palette().color(_ALTERNATE))
        painter.drawLines([QLine(0, 0, 1, 1)])
        painter.drawStaticText(QPointF(0, 0), self._laid_out(_PRINTABLE, 1 << 20))
        painter.end()
        self._texts.clear()

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802
        proxy = self.model()
        source = proxy.sourceModel() if isinstance(proxy, QSortFilterProxyModel) else None
        rows = self.verticalHeader()
        area = event.rect()
        top = rows.visualIndexAt(area.top())
        shown = self._columns_in(area.left(), area.right())
        if (
            not isinstance(proxy, QSortFilterProxyModel)
            or not isinstance(source, ItemsModel)
            or top < 0
            or not shown
        ):
            super().paintEvent(event)
            return
        bottom = rows.visualIndexAt(area.bottom())
        bottom = proxy.rowCount() - 1 if bottom < 0 else bottom
        left, right = shown[0][1], max(x + w for _, x, w in shown)
        palette = self.palette()
        text_color = palette.color(_TEXT)
        picked_color = palette.color(_PICKED_TEXT)
        alternate = palette.color(_ALTERNATE) if self.alternatingRowColors() else None
        picked_fill = palette.color(_PICKED)
        picked = self._picked_rows(top, bottom)
        gap = 1 if self.showGrid() else 0  # a cell is its section less the grid line
        margin = self.style().pixelMetric(_TEXT_MARGIN, None, self) + 1
        text_height = self.fontMetrics().height()
        sorted_rows = proxy.sortColumn() >= 0
        if len(self._texts) >= self._KEEP:
            self._texts.clear()
        painter = QPainter(self.viewport())
        lines: list[QLine] = []
        pen = None
        y = height = 0
        for row in range(top, bottom + 1):
            y, height = rows.sectionViewportPosition(row), rows.sectionSize(row)
            if row in picked:
                painter.fillRect(left, y, right - left, height, picked_fill)
            elif alternate is not None and row % 2:
                painter.fillRect(left, y, right - left, height, alternate)
            lines.append(QLine(left, y + height - 1, right - 1, y + height - 1))
            at = proxy.mapToSource(proxy.index(row, 0)).row() if sorted_rows else row
            text_y = y + (height - gap - text_height) / 2 - 1  # where Qt's delegate puts it
            for col, x, width in shown:
                text, color = source.cell(at, col)
                if not text:
                    continue
                color = picked_color if row in picked else color or text_color
                if color is not pen:
                    painter.setPen(color)
                    pen = color
                laid = self._laid_out(text, width - gap - 2 * margin)
                painter.drawStaticText(QPointF(x + margin, text_y), laid)
        if gap:
            y_top = rows.sectionViewportPosition(top)
            lines += [QLine(x + w - 1, y_top, x + w - 1, y + height - 1) for _, x, w in shown]
            painter.setPen(self._grid_color())
            painter.drawLines(lines)
        self._paint_focus(painter, top, bottom)
        painter.end()

    def _columns_in(self, left: int, right: int) -> list[tuple[int, int, int]]:
        """(column, x, width) of each column shown between `left` and `right`, in order."""
        cols = self.horizontalHeader()
        first, last = cols.visualIndexAt(left), cols.visualIndexAt(right)
        last = cols.count() - 1 if last < 0 else last
        shown = []
        for visual in range(max(first, 0), last + 1):
            col = cols.logicalIndex(visual)
            if not cols.isSectionHidden(col):
                shown.append((col, cols.sectionViewportPosition(col), cols.sectionSize(col)))
        return shown

    def _picked_rows(self, top: int, bottom: int) -> set[int]:
        """The selected rows between `top` and `bottom`, from the selection's few ranges."""
        picked: set[int] = set()
        selection = self.selectionModel().selection()
        for span in (selection.at(i) for i in range(selection.count())):
            picked.update(range(max(span.top(), top), min(span.bottom(), bottom) + 1))
        return picked

    def _laid_out(self, text: str, room: int) -> QStaticText:
        """`text` laid out once, cut with an ellipsis where it is wider than `room`."""
        laid = self._texts.get((text, room))
        if laid is None:
            laid = QStaticText(text)
            laid.setTextFormat(_PLAIN)
            laid.prepare(_NO_TRANSFORM, self.font())
            if laid.size().width() > room:  # measured by the layout itself: one pass, not two
                laid = QStaticText(self.fontMetrics().elidedText(text, _ELIDE, room))
                laid.setTextFormat(_PLAIN)
                laid.prepare(_NO_TRANSFORM, self.font())
            self._texts[(text, room)] = laid
        return laid

    def _grid_color(self) -> QColor:
        option = QStyleOptionViewItem()
        option.initFrom(self)
        return QColor.fromRgba(self.style().styleHint(_GRID, option, self) & 0xFFFFFFFF)

    def _paint_focus(self, painter: QPainter, top: int, bottom: int) -> None:
        """The focus frame on the current cell, where the keyboard is, as Qt's style draws it
        for an item (QCommonStyle's CE_ItemViewItem)."""
        current = self.currentIndex()
        if self.hasFocus() and current.isValid() and top <= current.row() <= bottom:
            focus = QStyleOptionFocusRect()
            focus.initFrom(self)
            focus.state |= _FOCUS_STATE
            focus.rect = self.visualRect(current)
            picked = self.selectionModel().isRowSelected(current.row(), QModelIndex())
            focus.backgroundColor = self.palette().color(_PICKED if picked else _WINDOW)
            self.style().drawPrimitive(_FOCUS, focus, painter, self)


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
