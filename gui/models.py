"""Item models: roles grouped by account, and the active sessions."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QStandardItem, QStandardItemModel

from core.credentials import format_remaining
from core.profiles import AwsConfig, RoleProfile
from gui.sessions import SessionManager

ROLE = Qt.ItemDataRole.UserRole + 1  # the RoleProfile of a role row (None on account rows)
SEARCH = Qt.ItemDataRole.UserRole + 2  # the text the search box matches
PROFILE = Qt.ItemDataRole.UserRole + 3
ACCOUNT = Qt.ItemDataRole.UserRole + 4

Index = QModelIndex | QPersistentModelIndex


class RoleModel(QStandardItemModel):
    """Account rows, each holding its roles (profile name order)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.rows: dict[str, QModelIndex] = {}

    def load(self, config: AwsConfig) -> None:
        self.clear()
        self.rows.clear()
        by_account: dict[str, list[RoleProfile]] = {}
        for role in config.roles.values():
            by_account.setdefault(role.account_id or "unknown account", []).append(role)
        role_flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        headers = []
        for account in sorted(by_account):
            roles = sorted(by_account[account], key=lambda r: r.name.lower())
            alias = next((r.account_alias for r in roles if r.account_alias), None)
            header = QStandardItem(f"{account} · {alias}" if alias else account)
            header.setData(None, ROLE)
            header.setData(account, ACCOUNT)
            header.setData(f"{account} {alias or ''}", SEARCH)
            header.setFlags(Qt.ItemFlag.ItemIsEnabled)
            header.setAccessibleText(f"Account {account}")
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
                items.append(item)
            header.appendRows(items)
            headers.append(header)
        # One insertion: the filter and the view take in every account at once.
        self.invisibleRootItem().appendRows(headers)
        for header in headers:
            for row in range(header.rowCount()):
                index = self.indexFromItem(header.child(row))
                self.rows[index.data(PROFILE)] = index


class RoleFilter(QSortFilterProxyModel):
    """Filters as you type on profile, role, account, alias and region; every word must match."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)
        self._words: list[str] = []

    def set_text(self, text: str) -> None:
        if hasattr(self, "beginFilterChange"):  # Qt 6.10 and later
            self.beginFilterChange()
            self._words = text.lower().split()
            self.endFilterChange(QSortFilterProxyModel.Direction.Rows)
        else:
            self._words = text.lower().split()
            self.invalidateRowsFilter()

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        if not self._words:
            return True
        index = self.sourceModel().index(source_row, 0, source_parent)
        haystack = str(index.data(SEARCH) or "").lower()
        if index.data(ROLE) is None:  # an account row matches only by its own text
            return all(w in haystack for w in self._words)
        parent_text = str(source_parent.data(SEARCH) or "").lower()
        return all(w in haystack or w in parent_text for w in self._words)


class SessionModel(QAbstractListModel):
    """The active sessions, soonest to expire first, with their time left."""

    def __init__(self, sessions: SessionManager, parent: Any = None) -> None:
        super().__init__(parent)
        self.sessions = sessions
        self.profiles: list[str] = []
        sessions.changed.connect(self.refresh)
        sessions.ticked.connect(self._tick)

    def refresh(self) -> None:
        self.beginResetModel()
        self.profiles = sorted(
            self.sessions.sessions, key=lambda p: self.sessions.get(p).expiration
        )  # type: ignore[union-attr]
        self.endResetModel()

    def _tick(self) -> None:
        if self.profiles:
            self.dataChanged.emit(self.index(0), self.index(len(self.profiles) - 1))

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008
        return 0 if parent.isValid() else len(self.profiles)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
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
