"""The items table paints its cells itself (one pass of Python a repaint): it must look exactly
as Qt's own table view with Qt's own delegate, pixel for pixel, whatever the person did to it."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QTableView

from core.pages import ScanPage
from gui import theme
from gui.items_model import ItemsModel, ItemsSorter, prepared
from gui.items_view import ItemsView, RowNumbers

ROWS = 200


def orders() -> list[dict]:
    return [
        {
            "customer_id": {"S": f"C{i % 60:04d}"},
            "order_id": {"S": f"O{i:06d}"},
            "total": {"N": f"{i * 1.5}"},
            "status": {"S": ""} if i % 3 == 0 else {"S": "SHIPPED"},
            "note": {"NULL": True} if i % 4 == 0 else {"S": "a note longer than its column " * 3},
            "paid": {"BOOL": i % 2 == 0},
            **({"tags": {"SS": ["gift", "express"]}} if i % 5 == 0 else {}),
        }
        for i in range(ROWS)
    ]


def table(view: QTableView) -> QTableView:
    """The browser's table set-up, on `view`, with the same rows loaded."""
    model = ItemsModel(view)
    sorter = ItemsSorter(view)
    sorter.setSourceModel(model)
    view.setModel(sorter)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setVerticalHeader(RowNumbers(view))
    view.verticalHeader().setDefaultSectionSize(24)
    view.horizontalHeader().setDefaultSectionSize(140)
    view.horizontalHeader().setSectionsMovable(True)
    model.reset(("customer_id", "order_id"))
    model.add_page(prepared(ScanPage(orders(), None, ROWS, ROWS)))
    view.resize(1100, 520)
    view.show()
    return view


def select(view: QTableView, row: int, column: int) -> None:
    view.setFocus()
    view.selectionModel().setCurrentIndex(
        view.model().index(row, column),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows,
    )


STATES: dict[str, Callable[[QTableView], None]] = {
    "as loaded": lambda view: None,
    "a row picked, the keyboard on a cell": lambda view: select(view, 2, 3),
    "several rows picked": lambda view: [
        select(view, 1, 0),
        view.selectionModel().select(
            view.model().index(4, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        ),
    ],
    "sorted by total, descending": lambda view: view.model().sort(2, Qt.SortOrder.DescendingOrder),
    "a column hidden, one moved, one narrowed": lambda view: [
        view.horizontalHeader().hideSection(1),
        view.horizontalHeader().moveSection(4, 0),
        view.horizontalHeader().resizeSection(3, 60),
    ],
    "scrolled down and right": lambda view: [
        view.verticalScrollBar().setValue(120),
        view.horizontalScrollBar().setValue(200),
    ],
}


@pytest.fixture(params=["light", "dark"])
def look(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    theme.apply(qapp, request.param)
    yield request.param
    theme.apply(qapp, "light")


@pytest.mark.parametrize("state", list(STATES))
def test_the_table_looks_exactly_as_qts_own_view_and_delegate(qtbot, look, state, tmp_path):
    pictures: list[QImage] = []
    for view in (ItemsView(), QTableView()):  # one at a time, each with the keyboard
        qtbot.addWidget(view)
        table(view)
        qtbot.waitExposed(view)
        view.activateWindow()
        view.setFocus()
        qtbot.waitUntil(view.hasFocus)
        STATES[state](view)
        QApplication.processEvents()
        pictures.append(view.viewport().grab().toImage())
        view.close()
    ours, qts = pictures
    assert ours.size() == qts.size()
    if ours != qts:
        ours.save(str(tmp_path / "ours.png"))  # to look at what differs
        qts.save(str(tmp_path / "qt.png"))
    assert ours == qts, f"{state} ({look}): the table differs from Qt's own drawing"


def test_an_empty_table_still_paints_as_qt_does(qtbot):
    view = ItemsView()
    qtbot.addWidget(view)
    view.setModel(ItemsSorter(view))
    view.model().setSourceModel(ItemsModel(view))
    view.show()
    qtbot.waitExposed(view)
    assert not view.viewport().grab().isNull()


def test_laid_out_texts_are_kept_while_on_screen_and_cut_to_their_column(qtbot):
    view = table(ItemsView())
    qtbot.addWidget(view)
    qtbot.waitExposed(view)
    view.viewport().grab()
    kept = dict(view._texts)
    assert kept, "the texts on screen were laid out and kept"
    view.viewport().grab()
    assert view._texts == kept, "a second repaint lays nothing out again"
    long_note = next(t for (text, _), t in kept.items() if text.startswith("a note"))
    assert long_note.text().endswith("…")
    assert long_note.size().width() <= view.columnWidth(4)
