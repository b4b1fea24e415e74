"""The browser's History menu: the operations saved by name and the last ones run on the table
shown (core.history), one click to fill the form and run it again, kept in the settings."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QMenu, QWidget

from core.history import Entry, Shelf

if TYPE_CHECKING:
    from gui.settings import Settings

SHOWN_RECENT = 15  # the menu's recent operations; the older ones are one submenu away


class OperationStore:
    """One role's shelves, a shelf per table, in the settings (in memory without them)."""

    def __init__(self, settings: Settings | None, profile: str) -> None:
        self.settings = settings
        self.profile = profile
        self._memory: dict[str, str] = {}

    @property
    def keep_values(self) -> bool:
        return self.settings.get("history_values") if self.settings else True

    def shelf(self, table: str) -> Shelf:
        if self.settings is None:
            return Shelf.loads(self._memory.get(table, ""))
        return Shelf.loads(self.settings.operations(self.profile, table))

    def put(self, table: str, shelf: Shelf) -> None:
        if self.settings is None:
            self._memory[table] = shelf.dumps()
        else:
            self.settings.set_operations(self.profile, table, shelf.dumps())

    def ran(self, entry: Entry) -> Entry | None:
        shelf = self.shelf(entry.table)
        kept = shelf.ran(entry, self.keep_values)
        if kept is not None:
            self.put(entry.table, shelf)
        return kept

    def save(self, entry: Entry, name: str) -> Entry | None:
        shelf = self.shelf(entry.table)
        kept = shelf.save(entry, name, self.keep_values)
        if kept is not None:
            self.put(entry.table, shelf)
        return kept

    def forget(self, entry: Entry) -> None:
        shelf = self.shelf(entry.table)
        shelf.forget(entry)
        self.put(entry.table, shelf)

    def clear(self, table: str) -> None:
        shelf = self.shelf(table)
        shelf.recent = []
        self.put(table, shelf)


def forget_values(settings: Settings) -> None:
    """Values turned off: every role's kept operations, on every table, lose theirs now."""
    for key in settings.q.allKeys():
        if key.startswith("operations/"):
            shelf = Shelf.loads(str(settings.q.value(key, "") or ""))
            settings.q.setValue(key, shelf.without_values().dumps())


def _when(at: float) -> str:
    then, now = time.localtime(at), time.localtime()
    same_day = then[:3] == now[:3]
    return time.strftime("%H:%M" if same_day else "%d %b %H:%M", then)


def _label(text: str) -> str:
    return text.replace("&", "&&")  # a menu would take & for a shortcut


class HistoryMenu(QMenu):
    """Rebuilt each time it opens, for the table the window shows."""

    chosen = Signal(object)  # an Entry: fill the form and run it
    saveRequested = Signal()

    def __init__(self, store: OperationStore, table: Callable[[], str], parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("historyMenu")
        self.store = store
        self.table = table
        self.aboutToShow.connect(self.fill)

    def fill(self) -> None:
        for menu in self.findChildren(QMenu):  # clear() leaves the submenus it made
            menu.deleteLater()
        self.clear()
        table = self.table()
        shelf = self.store.shelf(table)
        save = self.addAction("Save this operation…", self.saveRequested.emit)
        save.setEnabled(bool(table))
        if shelf.saved:
            self.addSection("Saved")
            forget = QMenu("Remove a saved operation", self)
            for entry in shelf.saved:
                self._entry(self, _label(entry.name), entry)
                forget.addAction(_label(entry.name), partial(self.store.forget, entry))
        self.addSection(f"Recent on {table}" if table else "Recent")
        if not shelf.recent:
            self.addAction("Nothing run on this table yet").setEnabled(False)
        for entry in shelf.recent[:SHOWN_RECENT]:
            self._entry(self, self._recent_label(entry), entry)
        if len(shelf.recent) > SHOWN_RECENT:
            older = self.addMenu(f"Older ({len(shelf.recent) - SHOWN_RECENT})")
            for entry in shelf.recent[SHOWN_RECENT:]:
                self._entry(older, self._recent_label(entry), entry)
        self.addSeparator()
        if shelf.saved:
            self.addMenu(forget)
        keep = self.addAction("Keep the values typed")
        keep.setCheckable(True)
        keep.setChecked(self.store.keep_values)
        keep.setEnabled(self.store.settings is not None)
        keep.setToolTip("Off: the history keeps no key, filter or parameter value")
        if self.store.settings is not None:
            settings = self.store.settings
            keep.toggled.connect(lambda on: settings.set("history_values", on))
        clear = self.addAction(f"Clear the history of {table}", lambda: self.store.clear(table))
        clear.setEnabled(bool(shelf.recent))

    def _recent_label(self, entry: Entry) -> str:
        blank = " (values not kept)" if entry.blank else ""
        return _label(f"{entry.title}{blank}   {_when(entry.at)}")

    def _entry(self, menu: QMenu, text: str, entry: Entry) -> None:
        action = menu.addAction(text, lambda: self.chosen.emit(entry))
        action.setToolTip(entry.title)
        action.setData(entry)
