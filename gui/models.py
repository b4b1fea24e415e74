"""Item models: roles grouped by account (with each role's busy and failure marks), and the
active sessions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRegularExpression,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel

from core.credentials import format_remaining

if TYPE_CHECKING:
    from core.profiles import AwsConfig, RoleProfile
    from gui.sessions import SessionManager

ROLE = Qt.ItemDataRole.UserRole + 1  # the RoleProfile of a role row (None on account rows)
SEARCH = Qt.ItemDataRole.UserRole + 2  # the text the search box matches
PROFILE = Qt.ItemDataRole.UserRole + 3
ACCOUNT = Qt.ItemDataRole.UserRole + 4
BUSY = Qt.ItemDataRole.UserRole + 5  # True while the role is being assumed
ERROR = Qt.ItemDataRole.UserRole + 6  # why the last assume failed ("" if it did not)

Index = QModelIndex | QPersistentModelIndex


class RoleModel(QStandardItemModel):
    """Account rows, each holding its roles (profile name order)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, QModelIndex] = {}

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
        headers = [self._account(account, by_account[account]) for account in sorted(by_account)]
        # One insertion: the filter and the view take in every account at once.
        self.invisibleRootItem().appendRows(headers)
        for header in headers:
            for row in range(header.rowCount()):
                index = self.indexFromItem(header.child(row))
                self.rows[index.data(PROFILE)] = index
        for profile, (busy, error) in marks.items():
            if profile in self.rows and (busy or error):
                item = self.itemFromIndex(self.rows[profile])
                item.setData(busy, BUSY)
                item.setData(error, ERROR)

    def _account(self, account: str, roles: list[RoleProfile]) -> QStandardItem:
        roles = sorted(roles, key=lambda r: r.name.lower())
        alias = next((r.account_alias for r in roles if r.account_alias), None)
        header = QStandardItem(f"{account} · {alias}" if alias else account)
        header.setData(None, ROLE)
        header.setData(account, ACCOUNT)
        header.setData(f"{account} {alias or ''}", SEARCH)
        header.setFlags(Qt.ItemFlag.ItemIsEnabled)
        header.setAccessibleText(f"Account {account}")
        role_flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        items = []
        for role in roles:
            name, role_name = role.name, role.role_name
            item = QStandardItem(role_name)
            item.setData(role, ROLE)
            item.setData(name, PROFILE)
            item.setData(account, ACCOUNT)
            item.setData(
                " ".join([name, role_name, account, alias or "", role.region or ""]), SEARCH
            )
            item.setToolTip(f"{role.role_arn}\nprofile {name}")
            item.setAccessibleText(f"Role {role_name}, profile {name}")
            item.setFlags(role_flags)
            # Never unset: an unset role reads as None, and PySide6 6.12 then drops a None ref.
            item.setData(False, BUSY)
            item.setData("", ERROR)
            items.append(item)
        header.appendRows(items)
        return header

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


class RoleFilter(QSortFilterProxyModel):
    """Filters as you type on profile, role, account, alias and region; every word must match.

    The match is Qt's own (a regular expression on each row's SEARCH text, one lookahead a
    word), so a keystroke never calls into Python once per row: with 2,000 roles a Python
    filterAcceptsRow was 36 ms of each keystroke on a slow machine. A role's text holds its
    account and alias, so a word that names the account keeps the role; an account row shows
    when its own text or any of its roles matches, and all its roles when its text does."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self.setFilterRole(SEARCH)

    def set_text(self, text: str) -> None:
        words = [QRegularExpression.escape(w) for w in text.split()]
        # Every word in any order; one word is a plain search, a third faster than a lookahead.
        lookaheads = "^" + "".join(f"(?=.*{w})" for w in words)
        pattern = lookaheads if len(words) > 1 else "".join(words)
        self.setFilterRegularExpression(
            QRegularExpression(pattern, QRegularExpression.PatternOption.CaseInsensitiveOption)
        )


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

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.profiles):
            return None
        profile = self.profiles[index.row()]
        if role == PROFILE:
            return profile
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.AccessibleTextRole):
            left = self.sessions.remaining(profile)
            state = (
                "expired" if self.sessions.level(profile) == "expired" else format_remaining(left)
            )
            return f"{profile}  {state}"
        if role == Qt.ItemDataRole.ToolTipRole:
            creds = self.sessions.get(profile)
            return creds.assumed_role_arn if creds else None
        return None
