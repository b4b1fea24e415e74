"""Item models: roles grouped by account (with each role's busy and failure marks), and the
active sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel

from core.clock import format_remaining

if TYPE_CHECKING:
    from core.profiles import AwsConfig, RoleProfile
    from gui.sessions import SessionManager

# Qt's data roles as numbers: the first frame fills these models, and the first touch of the Qt
# namespace makes all its enums (see gui.widgets).
DISPLAY, TOOL_TIP, ACCESSIBLE_TEXT, USER = 0, 3, 11, 256  # Qt.ItemDataRole's
ROLE = USER + 1  # the RoleProfile of a role row (None on account rows)
PROFILE = USER + 3
ACCOUNT = USER + 4
BUSY = USER + 5  # True while the role is being assumed
ERROR = USER + 6  # why the last assume failed ("" if it did not)

Index = QModelIndex | QPersistentModelIndex


def _row(text: str, selectable: bool) -> QStandardItem:
    """An item enabled, and selectable or not; nothing else (setFlags takes the Qt namespace's
    enums, these setters bools)."""
    item = QStandardItem(text)
    item.setSelectable(selectable)
    item.setEditable(False)
    item.setDragEnabled(False)
    item.setDropEnabled(False)
    return item


def _describe(item: QStandardItem, role: RoleProfile) -> None:
    """A role row's tooltip and what a screen reader says of it."""
    item.setToolTip(f"{role.role_arn}\nprofile {role.name}")
    item.setAccessibleText(f"Role {role.role_name}, profile {role.name}")


class RoleModel(QStandardItemModel):
    """Account rows, each holding its roles (profile name order)."""

    loaded = Signal()  # the roles of a new config are in (the search applies anew)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Whether rows get their tooltips and accessible texts as they load: not in a staged
        # window's first frame (no one hovers it yet), which calls `describe` after it.
        self.described = True
        self.rows: dict[str, QModelIndex] = {}
        # The search's view of the rows. Each has a number: the roles 0..n-1 in order, then
        # the accounts n, n+1, ...; an account's roles are a run of numbers.
        self._texts: list[str] = []  # each role's text, folded
        self._owner: list[int] = []  # each role's account row
        self._account_texts: list[str] = []
        self._account_roles: list[range] = []
        self._every_row: frozenset[int] = frozenset()
        self.row_account: list[int] = []  # each row number's account's (an account's own)

    def load(self, config: AwsConfig) -> None:
        """The roles of `config`; a role's busy and failure marks outlive the reload."""
        marks = {
            profile: (index.data(BUSY), index.data(ERROR)) for profile, index in self.rows.items()
        }
        self.clear()
        self.setColumnCount(1)  # not while the rows go in: that would be a change within one
        self.rows.clear()
        by_account: dict[str, list[RoleProfile]] = {}
        for role in config.roles.values():
            by_account.setdefault(role.account_id or "unknown account", []).append(role)
        accounts = [self._account(account, by_account[account]) for account in sorted(by_account)]
        # One insertion: the view takes in every account at once.
        self.invisibleRootItem().appendRows([header for header, _, _ in accounts])
        self._texts, self._owner, self._account_texts, self._account_roles = [], [], [], []
        for account_row, (header, account_text, roles) in enumerate(accounts):
            start = len(self._texts)
            for row, (name, text) in enumerate(roles):
                self.rows[name] = self.indexFromItem(header.child(row))
                self._texts.append(text)
            self._owner += [account_row] * len(roles)
            self._account_texts.append(account_text)
            self._account_roles.append(range(start, len(self._texts)))
        self._every_row = frozenset(range(len(self._texts) + len(accounts)))
        self.row_account = [len(self._texts) + a for a in self._owner]
        self.row_account += range(len(self._texts), len(self._every_row))
        for profile, (busy, error) in marks.items():
            if profile in self.rows and (busy or error):
                item = self.itemFromIndex(self.rows[profile])
                item.setData(busy, BUSY)
                item.setData(error, ERROR)
        self.loaded.emit()

    def describe(self) -> None:
        """The rows loaded without them get their tooltips and accessible texts (views ask for
        these when they need them: no change is signalled)."""
        if self.described:
            return
        self.described = True
        blocked = self.blockSignals(True)
        try:
            root = self.invisibleRootItem()
            for account_row in range(root.rowCount()):
                header = root.child(account_row)
                header.setAccessibleText(f"Account {header.data(ACCOUNT)}")
                for row in range(header.rowCount()):
                    item = header.child(row)
                    _describe(item, item.data(ROLE))
        finally:
            self.blockSignals(blocked)

    def hidden_rows(self, text: str) -> frozenset[int]:
        """The numbers of the rows a search for `text` hides (see `row_number`). Every word must
        match, in any order and any case, as literal text. A role's text holds its account and
        alias, so a word naming the account keeps the role; an account shows when its own text
        matches (with all its roles) or any of its roles does.

        Plain Python over texts folded once at load: each word is one pass over the roles still
        in (with 2,000 roles, a fraction of a millisecond), where Qt's filter proxy re-filtered
        and re-signalled every row of the tree on each keystroke (4-28 ms)."""
        words = text.casefold().split()
        if not words:
            return frozenset()
        texts, owner = self._texts, self._owner
        first, *rest = words
        kept = [i for i, role_text in enumerate(texts) if first in role_text]
        for word in rest:
            kept = [i for i in kept if word in texts[i]]
        if len(kept) == len(texts):
            return frozenset()  # every role, so every account
        shown = set(kept)
        accounts = set(map(owner.__getitem__, kept))
        for account, account_text in enumerate(self._account_texts):
            if all(word in account_text for word in words):
                shown.update(self._account_roles[account])
                accounts.add(account)
        shown.update(len(texts) + account for account in accounts)
        return self._every_row.difference(shown)

    def row_number(self, index: QModelIndex) -> int:
        """The number `hidden_rows` gives the row at `index`."""
        parent = index.parent()
        if parent.isValid():
            return self._account_roles[parent.row()][index.row()]
        return len(self._texts) + index.row()

    def row_place(self, number: int) -> tuple[int, int]:
        """Where row `number` is: (account row, role row), the role row -1 for an account."""
        roles = len(self._texts)
        if number >= roles:
            return number - roles, -1
        account = self._owner[number]
        return account, number - self._account_roles[account].start

    def _account(
        self, account: str, roles: list[RoleProfile]
    ) -> tuple[QStandardItem, str, list[tuple[str, str]]]:
        """The account's row with its roles, the text a search matches on it, and each role's
        profile name and text, folded."""
        roles = sorted(roles, key=lambda r: r.name.lower())
        alias = next((r.account_alias for r in roles if r.account_alias), None)
        header = _row(f"{account} · {alias}" if alias else account, selectable=False)
        header.setData(None, ROLE)
        header.setData(account, ACCOUNT)
        if self.described:
            header.setAccessibleText(f"Account {account}")
        # What the account's role rows share, set once and cloned (a third of the calls).
        # BUSY and ERROR are never unset: an unset role reads as None, and PySide6 6.12 then
        # drops a None ref.
        shared = _row("", selectable=True)
        shared.setData(account, ACCOUNT)
        shared.setData(False, BUSY)
        shared.setData("", ERROR)
        items, found = [], []
        for role in roles:
            name, role_name = role.name, role.role_name
            item = shared.clone()
            item.setText(role_name)
            item.setData(role, ROLE)
            item.setData(name, PROFILE)
            text = " ".join([name, role_name, account, alias or "", role.region or ""])
            found.append((name, text.casefold()))
            if self.described:
                _describe(item, role)
            items.append(item)
        header.appendRows(items)
        return header, f"{account} {alias or ''}".casefold(), found

    def _item(self, profile: str) -> QStandardItem | None:
        index = self.rows.get(profile)
        return self.itemFromIndex(index) if index is not None else None

    def set_busy(self, profile: str, busy: bool) -> None:
        """Mark the role as being assumed (which drops its last failure), or not any more."""
        item = self._item(profile)
        if item is not None:
            item.setData(busy, BUSY)
            if busy:
                item.setData("", ERROR)

    def set_error(self, profile: str, message: str | None) -> None:
        item = self._item(profile)
        if item is not None:
            item.setData(message or "", ERROR)

    def busy(self, profile: str) -> bool:
        index = self.rows.get(profile)
        return index is not None and bool(index.data(BUSY))

    def error(self, profile: str) -> str | None:
        index = self.rows.get(profile)
        return (index.data(ERROR) or None) if index is not None else None


class SessionModel(QAbstractListModel):
    """The active sessions, soonest to expire first, with their time left."""

    def __init__(self, sessions: SessionManager, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sessions = sessions
        self.profiles: list[str] = []
        sessions.changed.connect(self.refresh)
        sessions.ticked.connect(self._tick)

    def refresh(self) -> None:
        self.beginResetModel()
        live = self.sessions.sessions
        self.profiles = sorted(live, key=lambda p: live[p].expiration)
        self.endResetModel()

    def _tick(self) -> None:
        if self.profiles:
            self.dataChanged.emit(self.index(0), self.index(len(self.profiles) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.profiles)

    def data(self, index: Index, role: int = DISPLAY) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.profiles):
            return None
        profile = self.profiles[index.row()]
        if role == PROFILE:
            return profile
        if role in (DISPLAY, ACCESSIBLE_TEXT):
            left = self.sessions.remaining(profile)
            state = (
                "expired" if self.sessions.level(profile) == "expired" else format_remaining(left)
            )
            return f"{profile}  {state}"
        if role == TOOL_TIP:
            creds = self.sessions.get(profile)
            return creds.assumed_role_arn if creds else None
        return None
