"""The role list: the sidebar with the search box, the roles by account, their tools, and the
active sessions."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from gui import factory, theme
from gui.models import PROFILE, ROLE
from gui.widgets import SESSION_ROW, RoleDelegate, SessionDelegate

if TYPE_CHECKING:
    from collections.abc import Callable

    from core.profiles import RoleProfile
    from gui.models import RoleModel, SessionModel
    from gui.portals import Portals
    from gui.sessions import SessionManager

SESSION_ROWS = 5  # the active sessions shown before their list scrolls
# What a leading action takes of a QLineEdit's text width (QLineEditPrivate's side widget
# parameters): the style's small icon (16 in Fusion) + 6, and a quarter of the icon as margin.
SEARCH_ICON_PLACE = 16 + 6 + 16 // 4


class RoleList(QFrame):
    """Picks a role and asks for things by signal; what it shows lives in the role model."""

    currentRoleChanged = Signal(object)  # the profile picked, or None
    assumeRequested = Signal(str)  # Enter or a double-click on a role, Enter in the search
    addRequested = Signal()
    editRequested = Signal()
    duplicateRequested = Signal()
    deleteRequested = Signal()

    def __init__(
        self,
        model: RoleModel,
        sessions: SessionManager,
        parent: QWidget | None = None,
        session_model: SessionModel | None = None,
        portals: Portals | None = None,
    ) -> None:
        """The list of `model`'s roles; with `session_model`, whole (else `build_rest` adds
        what the first frame leaves out)."""
        super().__init__(parent)
        self.model = model
        self.sessions = sessions
        self.setObjectName("sidebar")  # a frame: the sheet paints its background and border
        self.setMinimumWidth(300)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 8, 8)
        layout.setSpacing(8)
        self.search = factory.line_edit(
            "roleSearch",
            "Search roles",
            "Filter the roles by profile, role name, account or region",
            placeholder="Search roles, profiles, accounts   Ctrl+F",
        )
        # The search icon comes with the rest (build_rest): QIcon's enums and the SVG plugin
        # cost the first frame ~4 ms. Its place is kept, so the placeholder does not move.
        self.search.setTextMargins(SEARCH_ICON_PLACE, 0, 0, 0)
        layout.addWidget(self.search)
        self.hidden: frozenset[int] = frozenset()  # the rows the search hides (row numbers)
        self._view: set[int] = set()  # the rows hidden in the view itself
        self._hiders: list[Callable[[bool], None]] | None = None
        self.tree = self._tree()
        layout.addWidget(self.tree, 3)
        tools = QHBoxLayout()
        tools.setSpacing(4)
        self.add_button = factory.tool("Add", "addRole", "Add a role profile (Ctrl+N)")
        self.edit_button = factory.tool("Edit", "editRole", "Edit the selected role (Ctrl+E)")
        self.dup_button = factory.tool("Duplicate", "duplicateRole", "Copy the selected role")
        self.delete_button = factory.tool("Delete", "deleteRole", "Delete the selected role")
        for button in (self.add_button, self.edit_button, self.dup_button, self.delete_button):
            tools.addWidget(button)
        tools.addStretch(1)
        layout.addLayout(tools)
        self._connect()
        if session_model is not None:
            self.build_rest(session_model, portals)

    def build_rest(self, session_model: SessionModel, portals: Portals | None = None) -> None:
        """What the first frame leaves out (see MainWindow): the active sessions under the
        tools (hidden while there is none, as there is none before the keyring opens), the
        portals' sign-in lines under the search box, and the search box's clear button (it
        shows once there is text)."""
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QListView

        layout = self.layout()
        assert isinstance(layout, QVBoxLayout)
        self.sessions_title = factory.label("ACTIVE SESSIONS", "sectionTitle")
        layout.addWidget(self.sessions_title)
        self.session_list = factory.named(
            QListView(), "sessionList", "Active sessions", "Every active session and its time left"
        )
        self.session_list.setModel(session_model)
        self.session_list.setItemDelegate(SessionDelegate(self.sessions, self.session_list))
        self.session_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.session_list)
        self._fit_sessions()
        self.session_list.clicked.connect(lambda index: self.select(index.data(PROFILE)))
        session_model.modelReset.connect(self._fit_sessions)
        self.search.setClearButtonEnabled(True)
        self.search.addAction(theme.icon("search.svg"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setTextMargins(0, 0, 0, 0)
        if portals is not None:
            from gui.portal_bar import PortalBar

            self.portal_bar = PortalBar(portals, self)
            layout.insertWidget(1, self.portal_bar)

    def _tree(self) -> QTreeView:
        tree = factory.named(
            QTreeView(), "roleList", "Roles", "Enter or double-click assumes the role"
        )
        tree.setModel(self.model)
        tree.setHeaderHidden(True)
        tree.setRootIsDecorated(False)
        tree.setIndentation(0)
        tree.setUniformRowHeights(False)
        tree.setItemsExpandable(False)
        tree.setExpandsOnDoubleClick(False)
        tree.setItemDelegate(RoleDelegate(self.sessions, tree))
        return tree

    def _connect(self) -> None:
        self.model.loaded.connect(self._loaded)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self.assume_first_match)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.tree.activated.connect(self._activated)
        self.add_button.clicked.connect(self.addRequested)
        self.edit_button.clicked.connect(self.editRequested)
        self.dup_button.clicked.connect(self.duplicateRequested)
        self.delete_button.clicked.connect(self.deleteRequested)
        # A row with a session paints its time left: repaint those rows as the clocks move.
        self.sessions.ticked.connect(self._repaint_sessions)
        # The viewport is looked up when a session changes: its first lookup in a process
        # takes PySide6 15-20 ms, which the first frame need not wait for.
        self.sessions.changed.connect(lambda *_: self.tree.viewport().update())

    def _fit_sessions(self) -> None:
        """The sessions take the height of their rows (up to SESSION_ROWS, then they scroll)
        and none when there is none: the roles have the rest of the sidebar."""
        count = self.session_list.model().rowCount()
        self.sessions_title.setVisible(count > 0)
        self.session_list.setVisible(count > 0)
        if count:
            frame = 2 * self.session_list.frameWidth()
            self.session_list.setFixedHeight(min(count, SESSION_ROWS) * SESSION_ROW + frame)

    def _repaint_sessions(self) -> None:
        """Only the rows of sessions show a moving time: those, not the whole list, every
        second (each row's paint is Python, and waits for the GIL while a worker runs)."""
        for profile in self.sessions.sessions:
            index = self.model.rows.get(profile)
            if index is not None:
                self.tree.update(index)

    def current_profile(self) -> str | None:
        """The profile of the role picked; None when none is."""
        index = self.tree.currentIndex()
        role = index.data(ROLE) if index.isValid() else None
        return role.name if role else None

    def _current_changed(self, index: QModelIndex, _previous: QModelIndex) -> None:
        role = index.data(ROLE) if index.isValid() else None
        self.currentRoleChanged.emit(role.name if role else None)

    def _activated(self, index: QModelIndex) -> None:
        role = index.data(ROLE)
        if role is not None:
            self.assumeRequested.emit(role.name)

    def set_role_tools(self, role: RoleProfile | None) -> None:
        """Edit, duplicate and delete act on the role picked: off while there is none. The
        role editor is for AssumeRole profiles; a portal's role no profile names yet has
        nothing to delete ("Save as profiles" writes one)."""
        assume_role = role is not None and not role.is_sso
        self.edit_button.setEnabled(assume_role)
        self.dup_button.setEnabled(assume_role)
        self.delete_button.setEnabled(role is not None and role.saved)

    def _loaded(self) -> None:
        """New roles: the view dropped its hidden rows with the old ones. Account rows are
        always open (expanding one by one: expandAll() would lay out every role again)."""
        self.hidden, self._view = frozenset(), set()
        self._hiders = None
        for row in range(self.model.rowCount()):
            self.tree.expand(self.model.index(row, 0))
        self.filter(self.search.text())

    def _row_hiders(self) -> list[Callable[[bool], None]]:
        """setRowHidden bound to each row (by row number), made at the first search after a
        load: a keystroke that shows or hides 2,000 rows then costs one call a row."""
        if self._hiders is None:
            hide, root, model = self.tree.setRowHidden, QModelIndex(), self.model
            roles: list[Callable[[bool], None]] = []
            accounts: list[Callable[[bool], None]] = []
            for account in range(model.rowCount()):
                parent = model.index(account, 0)
                accounts.append(partial(hide, account, root))
                roles += [partial(hide, row, parent) for row in range(model.rowCount(parent))]
            self._hiders = roles + accounts
        return self._hiders

    def filter(self, text: str) -> None:
        """Shows the roles `text` matches (RoleModel.hidden_rows). Only the rows that change
        go to the view, so a keystroke that changes little costs little."""
        hidden = self.model.hidden_rows(text)
        if hidden != self.hidden:
            # The view hides each hidden account, and the hidden roles of the accounts shown;
            # a role of a hidden account keeps the mark it has (its account hides it), so a
            # search that drops whole accounts costs a call an account, not a role.
            account = self.model.row_account
            view = {n for n in hidden if account[n] == n or account[n] not in hidden}
            view.update(n for n in self._view if account[n] != n and account[n] in hidden)
            hiders = self._row_hiders()
            for row in view - self._view:
                hiders[row](True)
            for row in self._view - view:
                hiders[row](False)
            self.hidden, self._view = hidden, view
        current = self.tree.currentIndex()
        if current.isValid() and self.is_hidden(current):
            if not self.select_first():
                self.tree.setCurrentIndex(QModelIndex())
        elif text and (not current.isValid() or current.data(ROLE) is None):
            self.select_first()

    def is_hidden(self, index: QModelIndex) -> bool:
        return self.model.row_number(index) in self.hidden

    def _first_role(self) -> QModelIndex:
        first = next((n for n in range(len(self.model.rows)) if n not in self.hidden), None)
        if first is None:
            return QModelIndex()
        account, row = self.model.row_place(first)
        return self.model.index(row, 0, self.model.index(account, 0))

    def select_first(self) -> bool:
        """Pick the first role shown; False when none is."""
        first = self._first_role()
        if first.isValid():
            self.tree.setCurrentIndex(first)
        return first.isValid()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def select(self, profile: str) -> None:
        """Pick `profile`, clearing the search if it hides it."""
        from PySide6.QtCore import QItemSelectionModel

        index = self.model.rows.get(profile)
        if index is None:
            return
        if self.is_hidden(index):
            self.search.clear()
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def assume_first_match(self) -> None:
        index = self.tree.currentIndex()
        if not index.isValid() or index.data(ROLE) is None:
            index = self._first_role()
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self._activated(index)
