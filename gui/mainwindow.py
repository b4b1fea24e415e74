"""The main window: roles on the left, the chosen role and its session on the right."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QMainWindow,
    QMenu,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QSystemTrayIcon,
    QToolButton,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from core.credentials import TemporaryCredentials, format_remaining, render
from core.profiles import AwsConfig, RoleProfile
from gui import theme
from gui.clipboard import SecretClipboard
from gui.controller import Controller
from gui.idle import IdleLock
from gui.models import PROFILE, ROLE, RoleFilter, RoleModel, SessionModel
from gui.settings import Settings
from gui.widgets import ExpiryRing, RoleDelegate, SessionDelegate, badges_for
from gui.workers import failures

# gui.dialogs (and the browser, the terminals panel), and the Qt classes only a slot uses,
# are imported where they are used: none is needed to show the roles, and start-up time is
# measured (tests/bench; each Qt class costs its enums the first time it is touched).

FORMAT_NAMES = {
    "env": "bash / zsh exports",
    "fish": "fish",
    "powershell": "PowerShell",
    "cmd": "cmd.exe",
    "ini": "Credentials-file block",
    "json": "JSON (credential_process)",
}
MASK = "•" * 24
SOURCE_NAMES = {
    "static": "keys in the credentials file",
    "keyring": "keys in Rolecall's keyring",
    "sso": "AWS SSO",
    "process": "credential_process",
    "Environment": "environment variables",
    "Ec2InstanceMetadata": "EC2 instance role",
    "EcsContainer": "ECS task role",
}


def _button(text: str, name: str, tip: str, primary: bool = False) -> QPushButton:
    button = QPushButton(text)
    button.setObjectName(name)
    button.setToolTip(tip)
    button.setAccessibleName(text.replace("&", ""))
    if primary:
        button.setProperty("primary", True)
    return button


class SecretRow(QWidget):
    """One credential value: masked unless revealed, with a copy button."""

    def __init__(self, label: str, name: str, secret: bool, window: MainWindow) -> None:
        super().__init__()
        self.secret = secret
        self.value = ""
        self.revealed = False
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field = QLineEdit()
        self.field.setObjectName(name)
        self.field.setReadOnly(True)
        self.field.setProperty("secret", True)
        self.field.setAccessibleName(label)
        self.field.setToolTip(f"{label} (masked until revealed)" if secret else label)
        layout.addWidget(self.field, 1)
        self.copy = QToolButton()
        self.copy.setText("Copy")
        self.copy.setObjectName(f"{name}Copy")
        self.copy.setToolTip(f"Copy the {label.lower()} (cleared from the clipboard later)")
        self.copy.setAccessibleName(f"Copy {label.lower()}")
        self.copy.clicked.connect(lambda: window.copy_text(self.value, label.lower()))
        layout.addWidget(self.copy)

    def show_value(self, value: str, revealed: bool) -> None:
        self.value = value
        self.revealed = revealed
        self.field.setText(value if (revealed or not self.secret) else MASK)


class MainWindow(QMainWindow):
    selectedChanged = Signal(str)

    def __init__(self, controller: Controller, settings: Settings, demo: bool = False) -> None:
        super().__init__()
        self.controller = controller
        self.settings = settings
        self.demo = demo
        self.config: AwsConfig | None = None
        self.current: str | None = None
        self.revealed = False
        self.browsers: dict[str, Any] = {}
        self.setWindowTitle("Rolecall — demo" if demo else "Rolecall")
        self.resize(1180, 760)
        self.sessions = controller.sessions
        self.sessions.refresh_before = timedelta(minutes=settings.get("refresh_minutes"))
        self.sessions.mfa_warn_before = timedelta(minutes=settings.get("mfa_warn_minutes"))
        self.clipboard = SecretClipboard(settings.get("clipboard_timeout"), self)
        self.idle = IdleLock(
            settings.get("lock_minutes"),
            lambda: self.revealed or self.clipboard.holds_ours(),
            parent=self,
        )
        self._build()
        self._connect()
        self.tray = self._make_tray()

    # ---- building -------------------------------------------------------------------------
    def _build(self) -> None:
        # Top down: each widget is made inside the window, so the style sheet styles it once
        # (adding a finished subtree to a parent styles the whole subtree again).
        root = QWidget()
        self.setCentralWidget(root)
        outer = QVBoxLayout(root)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(0)
        self.banner = QLabel()
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        outer.addWidget(self.banner)
        self.config_banner = QLabel()
        self.config_banner.setObjectName("configBanner")
        self.config_banner.setWordWrap(True)
        self.config_banner.hide()
        outer.addWidget(self.config_banner)
        splitter = QSplitter()
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(1)
        outer.addWidget(splitter, 1)
        self._build_sidebar(splitter)
        self._build_detail(splitter)
        splitter.setSizes([360, 820])
        splitter.setStretchFactor(1, 1)

        self.config_label = QLabel(
            "Starting the demo AWS…" if self.demo else "Loading the AWS config…"
        )
        self.keyring_label = QLabel("")
        self.endpoint_label = QLabel("")
        self.endpoint_label.setObjectName("endpointLabel")
        self.clipboard_label = QLabel("")
        self.clipboard_label.setObjectName("clipboardLabel")
        for label in (self.config_label, self.keyring_label):
            self.statusBar().addWidget(label)
        self.statusBar().addPermanentWidget(self.endpoint_label)
        self.statusBar().addPermanentWidget(self.clipboard_label)
        self._build_menus()

    def _build_sidebar(self, splitter: QSplitter) -> None:
        side = QWidget()
        splitter.addWidget(side)
        side.setObjectName("sidebar")
        side.setMinimumWidth(300)
        layout = QVBoxLayout(side)
        layout.setContentsMargins(12, 12, 8, 8)
        layout.setSpacing(8)
        self.search = QLineEdit()
        self.search.setObjectName("roleSearch")
        self.search.setPlaceholderText("Search roles, profiles, accounts   Ctrl+F")
        self.search.setAccessibleName("Search roles")
        self.search.setToolTip("Filter the roles by profile, role name, account or region")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(theme.icon("search.svg"), QLineEdit.ActionPosition.LeadingPosition)
        layout.addWidget(self.search)

        self.model = RoleModel(self)
        self.proxy = RoleFilter(self)
        self.proxy.setSourceModel(self.model)
        self.tree = QTreeView()
        self.tree.setObjectName("roleList")
        self.tree.setAccessibleName("Roles")
        self.tree.setToolTip("Enter or double-click assumes the role")
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setRootIsDecorated(False)
        self.tree.setIndentation(0)
        self.tree.setUniformRowHeights(False)
        self.tree.setItemsExpandable(False)
        self.tree.setExpandsOnDoubleClick(False)
        self.delegate = RoleDelegate(self.sessions, self.tree)
        self.tree.setItemDelegate(self.delegate)
        # Account rows are always open; expanding only those that (re)appear keeps each
        # keystroke cheap, where expandAll() would walk every role again.
        self.proxy.rowsInserted.connect(self._expand_accounts)
        self.proxy.layoutChanged.connect(lambda *_: self._expand_accounts())
        self.proxy.modelReset.connect(self._expand_accounts)
        layout.addWidget(self.tree, 3)

        tools = QHBoxLayout()
        tools.setSpacing(4)
        self.add_button = self._tool("Add", "addRole", "Add a role profile (Ctrl+N)")
        self.edit_button = self._tool("Edit", "editRole", "Edit the selected role (Ctrl+E)")
        self.dup_button = self._tool("Duplicate", "duplicateRole", "Copy the selected role")
        self.delete_button = self._tool("Delete", "deleteRole", "Delete the selected role")
        for button in (self.add_button, self.edit_button, self.dup_button, self.delete_button):
            tools.addWidget(button)
        tools.addStretch(1)
        layout.addLayout(tools)

        title = QLabel("ACTIVE SESSIONS")
        title.setObjectName("sectionTitle")
        layout.addWidget(title)
        self.session_model = SessionModel(self.sessions, self)
        self.session_list = QListView()
        self.session_list.setObjectName("sessionList")
        self.session_list.setAccessibleName("Active sessions")
        self.session_list.setToolTip("Every active session and its time left")
        self.session_list.setModel(self.session_model)
        self.session_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.session_list.setItemDelegate(SessionDelegate(self.sessions, self.session_list))
        layout.addWidget(self.session_list, 1)

    def _tool(self, text: str, name: str, tip: str) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setObjectName(name)
        button.setToolTip(tip)
        button.setAccessibleName(text)
        return button

    def _build_detail(self, splitter: QSplitter) -> None:
        self.stack = QStackedWidget()
        splitter.addWidget(self.stack)
        empty = QLabel(
            "Starting the demo AWS on this computer: a moto server with sample roles and "
            "tables.\nThe roles appear here in a few seconds."
            if self.demo
            else "Pick a role on the left, or add one."
        )
        empty.setObjectName("emptyLabel")
        empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        empty.setProperty("muted", True)
        self.empty = empty
        self.stack.addWidget(empty)

        page = QWidget()
        self.stack.addWidget(page)
        self.page = page
        layout = QVBoxLayout(page)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(12)
        self.title = QLabel()
        self.title.setObjectName("roleTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("roleSubtitle")
        self.subtitle.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error.hide()
        layout.addWidget(self.error)
        self.note = QLabel()
        self.note.setObjectName("noteLabel")
        self.note.setWordWrap(True)
        self.note.hide()
        layout.addWidget(self.note)

        details = QFrame()
        details.setObjectName("card")
        form = QFormLayout(details)
        form.setContentsMargins(16, 14, 16, 14)
        form.setHorizontalSpacing(18)
        self.detail_fields: dict[str, QLabel] = {}
        for key, label in (
            ("role_arn", "Role ARN"),
            ("chain", "Source"),
            ("mfa", "MFA device"),
            ("external_id", "External ID"),
            ("duration", "Duration"),
            ("session_name", "Session name"),
        ):
            value = QLabel()
            value.setObjectName(f"detail_{key}")
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
            name = QLabel(label)
            name.setProperty("muted", True)
            form.addRow(name, value)
            self.detail_fields[key] = value
        layout.addWidget(details)

        actions = QHBoxLayout()
        self.assume_button = _button(
            "&Assume", "assumeButton", "Assume this role (Enter in the list)", primary=True
        )
        self.cancel_button = _button("Cancel", "cancelButton", "Stop waiting for this assume")
        self.cancel_button.hide()
        self.auto_refresh = QCheckBox("Refresh automatically")
        self.auto_refresh.setObjectName("autoRefresh")
        self.auto_refresh.setToolTip("Re-assume before the session ends (asks for MFA once)")
        self.auto_refresh.setAccessibleName("Refresh automatically")
        actions.addWidget(self.assume_button)
        actions.addWidget(self.cancel_button)
        actions.addSpacing(12)
        actions.addWidget(self.auto_refresh)
        actions.addStretch(1)
        layout.addLayout(actions)

        self._build_session_card(layout)
        layout.addStretch(1)

    def _build_session_card(self, parent: QVBoxLayout) -> None:
        card = QFrame()
        parent.addWidget(card)
        card.setObjectName("card")
        self.session_card = card
        layout = QVBoxLayout(card)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        top = QHBoxLayout()
        self.ring = ExpiryRing()
        top.addWidget(self.ring)
        timing = QVBoxLayout()
        timing.setSpacing(0)
        self.expiry_label = QLabel()
        self.expiry_label.setObjectName("expiryLabel")
        self.expiry_label.setAccessibleName("Time left")
        self.expires_at = QLabel()
        self.expires_at.setProperty("muted", True)
        timing.addWidget(self.expiry_label)
        timing.addWidget(self.expires_at)
        top.addLayout(timing, 1)
        self.renew_button = _button("&Renew", "renewButton", "Assume the role again now")
        self.end_button = _button(
            "End session", "endButton", "Forget this session here and in the keyring"
        )
        top.addWidget(self.renew_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.end_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)

        self.assumed_arn = QLabel()
        self.assumed_arn.setObjectName("assumedArn")
        self.assumed_arn.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.assumed_arn.setProperty("muted", True)
        layout.addWidget(self.assumed_arn)

        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.key_row = SecretRow("Access key ID", "accessKeyId", False, self)
        self.secret_row = SecretRow("Secret access key", "secretAccessKey", True, self)
        self.token_row = SecretRow("Session token", "sessionToken", True, self)
        form.addRow("Access key ID", self.key_row)
        form.addRow("Secret", self.secret_row)
        form.addRow("Token", self.token_row)
        layout.addLayout(form)

        buttons = QHBoxLayout()
        self.reveal_button = _button(
            "Reveal", "revealButton", "Show the secret and token (hold, or click to toggle)"
        )
        self.reveal_button.setCheckable(True)
        self.copy_button = _button(
            "Copy as…", "copyButton", "Copy the keys for a shell or file (Ctrl+Shift+C: default)"
        )
        self.copy_menu = QMenu(self.copy_button)
        self.copy_menu.setObjectName("copyMenu")
        for fmt, name in FORMAT_NAMES.items():
            action = self.copy_menu.addAction(name)
            action.setObjectName(f"copy_{fmt}")
            action.triggered.connect(lambda _=False, f=fmt: self.copy_format(f))
        self.copy_button.setMenu(self.copy_menu)
        self.console_button = _button(
            "Open console", "consoleButton", "Sign in to the AWS console as this role"
        )
        self.write_button = _button(
            "Write to credentials file…",
            "writeButton",
            "Write these keys into the shared credentials file",
        )
        self.browse_button = _button(
            "Browse DynamoDB",
            "browseButton",
            "Open a DynamoDB browser that acts as this role (Ctrl+D)",
        )
        for button in (
            self.reveal_button,
            self.copy_button,
            self.console_button,
            self.write_button,
            self.browse_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file = bar.addMenu("&File")
        self.add_action = self._action(file, "&Add role…", "Ctrl+N", self.add_role)
        self._action(file, "&Edit role…", "Ctrl+E", self.edit_role)
        self._action(file, "&Reload config", "Ctrl+R", self.controller.reload)
        self._action(file, "&Preferences…", "Ctrl+,", self.preferences)
        file.addSeparator()
        self._action(file, "&Quit", QKeySequence.StandardKey.Quit, self.close)
        session = bar.addMenu("&Session")
        self._action(session, "&Assume", "Ctrl+Return", self.assume_current)
        self._action(session, "&Renew", "Ctrl+Shift+R", self.renew_current)
        self._action(session, "&Copy (default format)", "Ctrl+Shift+C", self.copy_default)
        self._action(session, "Open &console", "Ctrl+Shift+O", self.open_console)
        self._action(session, "Browse &DynamoDB", "Ctrl+D", self.browse)
        self._action(session, "Use in &terminals…", "Ctrl+T", self.terminals)
        self._action(session, "&End session", "Ctrl+Shift+W", self.end_current)
        help_menu = bar.addMenu("&Help")
        self._action(help_menu, "&About Rolecall", None, self.about)
        QShortcut(QKeySequence("Ctrl+F"), self, activated=self.focus_search)

    def _action(self, menu: QMenu, text: str, shortcut: Any, slot: Any) -> QAction:
        action = menu.addAction(text)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return action

    def _make_tray(self) -> QSystemTrayIcon | None:
        if not QSystemTrayIcon.isSystemTrayAvailable():
            return None
        tray = QSystemTrayIcon(theme.icon("rolecall.svg"), self)
        tray.setToolTip("Rolecall")
        menu = QMenu(self)
        menu.aboutToShow.connect(lambda: self._fill_tray_menu(menu))
        tray.setContextMenu(menu)
        tray.activated.connect(
            lambda reason: (
                self.showNormal() if reason == QSystemTrayIcon.ActivationReason.Trigger else None
            )
        )
        tray.show()
        return tray

    def _fill_tray_menu(self, menu: QMenu) -> None:
        menu.clear()
        for profile in self.session_model.profiles:
            left = format_remaining(self.sessions.remaining(profile))
            menu.addAction(f"{profile} — {left}", lambda p=profile: self.select(p))
        if self.session_model.profiles:
            menu.addSeparator()
        roles = menu.addMenu("Assume")
        for profile in sorted(self.config.roles if self.config else []):
            roles.addAction(profile, lambda p=profile: self.controller.assume(p))
        menu.addSeparator()
        menu.addAction("Show Rolecall", self.showNormal)
        menu.addAction("Quit", QApplication.quit)

    # ---- wiring ---------------------------------------------------------------------------
    def _connect(self) -> None:
        c = self.controller
        c.configLoaded.connect(self.load_config)
        c.configFailed.connect(self.config_failed)
        c.storeReady.connect(self.store_ready)
        c.storeTrouble.connect(self.store_trouble)
        c.busyChanged.connect(self.busy_changed)
        c.assumed.connect(self.assumed)
        c.assumeFailed.connect(self.assume_failed)
        c.ended.connect(lambda p: self.statusBar().showMessage(f"Ended the session of {p}", 5000))
        c.endFailed.connect(lambda _profile, message: self.show_error(message))
        failures.failed.connect(self.show_failure)
        c.mfaNeeded.connect(self.ask_mfa)
        c.wrote.connect(lambda text: self.statusBar().showMessage(text, 8000))
        c.writeFailed.connect(self.show_error)
        c.consoleReady.connect(self._open_url)
        c.consoleFailed.connect(self.show_error)
        c.endpointChanged.connect(self._endpoint_changed)
        self.sessions.ticked.connect(self.tick)
        self.sessions.ticked.connect(self.idle.check)
        self.idle.locked.connect(self.lock)
        self.sessions.changed.connect(self.refresh_detail)
        self.sessions.refreshDue.connect(
            lambda p: c.assume(p, fresh=True, duration=self._duration())
        )
        self.sessions.mfaRefreshDue.connect(self.mfa_refresh_due)
        self.search.textChanged.connect(self.filter)
        self.search.returnPressed.connect(self.assume_first_match)
        self.tree.selectionModel().currentChanged.connect(self._current_changed)
        self.tree.activated.connect(lambda index: self.assume_index(index))
        self.session_list.clicked.connect(lambda index: self.select(index.data(PROFILE)))
        self.assume_button.clicked.connect(self.assume_current)
        self.cancel_button.clicked.connect(lambda: self.current and c.cancel(self.current))
        self.renew_button.clicked.connect(self.renew_current)
        self.end_button.clicked.connect(self.end_current)
        self.reveal_button.pressed.connect(lambda: self.set_revealed(True))
        self.reveal_button.released.connect(
            lambda: self.set_revealed(self.reveal_button.isChecked())
        )
        self.reveal_button.toggled.connect(self.set_revealed)
        self.console_button.clicked.connect(self.open_console)
        self.write_button.clicked.connect(self.write_credentials)
        self.browse_button.clicked.connect(self.browse)
        self.auto_refresh.toggled.connect(self._auto_refresh_toggled)
        self.add_button.clicked.connect(self.add_role)
        self.edit_button.clicked.connect(self.edit_role)
        self.dup_button.clicked.connect(lambda: self.edit_role(duplicate=True))
        self.delete_button.clicked.connect(self.delete_role)
        self.clipboard.countdown.connect(self._clipboard_countdown)

    # ---- config and selection -------------------------------------------------------------
    def load_config(self, config: AwsConfig) -> None:
        self.config_banner.hide()
        self.empty.setText("Pick a role on the left, or add one.")
        keep = self.current
        self.config = config
        self.model.load(config)
        self._expand_accounts()
        for profile in config.roles:
            self.sessions.set_auto_refresh(profile, self.settings.auto_refresh(profile))
        count = len(config.roles)
        invalid = sum(1 for r in config.roles.values() if r.problems)
        text = f"Config: {config.config_file} · {count} role{'s' if count != 1 else ''}"
        self.config_label.setText(text + (f" · {invalid} with problems" if invalid else ""))
        if keep and keep in config.roles:
            self.select(keep)
        else:
            self.current = None
            first = self._first_role()
            if first.isValid():
                self.tree.setCurrentIndex(first)
            else:
                self.stack.setCurrentWidget(self.empty)
        self.filter(self.search.text())

    def config_failed(self, message: str) -> None:
        self.config_label.setText("Config could not be read")
        self.config_banner.setText(
            f"{message}. Fix the file (Rolecall reloads it when it changes, or press Ctrl+R);"
            " your roles and sessions are kept."
        )
        self.config_banner.show()

    def store_ready(self, name: str, persistent: bool) -> None:
        self.keyring_label.setText(f"Keyring: {name}")
        if self.demo:
            self.banner.setText(
                "Demo mode: an embedded AWS on this computer, with sample roles "
                "and tables. Your own AWS config and keychain are not touched."
            )
            self.banner.show()
        elif not persistent:
            self.banner.setText(
                "No keyring is available (install or start a Secret Service such "
                "as gnome-keyring or KWallet): sessions are kept in memory only "
                "and will not be kept after Rolecall closes."
            )
            self.banner.show()

    def store_trouble(self, message: str) -> None:
        """The keyring went away or locked while running: sessions go on, in memory only."""
        if message:
            self.banner.setText(
                f"{message[0].upper()}{message[1:]}. New sessions are kept in memory only "
                "until the keyring answers again; nothing was lost."
            )
            self.banner.show()
        elif self.controller.persistent and not self.demo:
            self.banner.hide()

    def filter(self, text: str) -> None:
        self.proxy.set_text(text)
        current = self.tree.currentIndex()
        if text and (not current.isValid() or current.data(ROLE) is None):
            first = self._first_role()
            if first.isValid():
                self.tree.setCurrentIndex(first)

    def _expand_accounts(self, parent: QModelIndex | None = None, *_: Any) -> None:
        if parent is not None and parent.isValid():
            return
        for row in range(self.proxy.rowCount()):
            index = self.proxy.index(row, 0)
            if not self.tree.isExpanded(index):
                self.tree.expand(index)

    def _first_role(self) -> QModelIndex:
        for row in range(self.proxy.rowCount()):
            account = self.proxy.index(row, 0)
            if self.proxy.rowCount(account):
                return self.proxy.index(0, 0, account)
        return QModelIndex()

    def focus_search(self) -> None:
        self.search.setFocus()
        self.search.selectAll()

    def select(self, profile: str) -> None:
        from PySide6.QtCore import QItemSelectionModel

        source = self.model.rows.get(profile)
        if source is None:
            return
        index = self.proxy.mapFromSource(source)
        if not index.isValid():
            self.search.clear()
            index = self.proxy.mapFromSource(self.model.rows[profile])
        self.tree.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
        )

    def _current_changed(self, index: QModelIndex, _previous: QModelIndex) -> None:
        role = index.data(ROLE) if index.isValid() else None
        self.current = role.name if role else None
        self.revealed = False
        self.reveal_button.setChecked(False)
        self.refresh_detail()
        if self.current:
            if self.current in self.sessions.sessions:
                self.controller.use_in_terminals(self.current)
            self.selectedChanged.emit(self.current)

    def role(self) -> RoleProfile | None:
        if not self.current or self.config is None:
            return None
        return self.config.roles.get(self.current)

    def refresh_detail(self) -> None:
        role = self.role()
        has = role is not None
        self.edit_button.setEnabled(has)
        self.dup_button.setEnabled(has)
        self.delete_button.setEnabled(has)
        if role is None:
            self.stack.setCurrentWidget(self.empty)
            return
        self.stack.setCurrentWidget(self.page)
        self.title.setText(role.role_name)
        account = role.account_id + (f" ({role.account_alias})" if role.account_alias else "")
        parts = [f"profile {role.name}", f"account {account}", role.region or "no region"]
        badges = badges_for(role)
        self.subtitle.setText(" · ".join(parts + (["  " + " · ".join(badges)] if badges else [])))
        f = self.detail_fields
        f["role_arn"].setText(role.role_arn)
        source = SOURCE_NAMES.get(role.base_kind, role.base_kind or "unknown")
        chain = " → ".join(dict.fromkeys(role.chain))
        f["chain"].setText(f"{chain}  ({source})" if chain else source)
        f["mfa"].setText(role.mfa_serial or "none")
        f["external_id"].setText(role.external_id or "none")
        f["duration"].setText(
            f"{role.duration_seconds} s" if role.duration_seconds else "AWS default (1 hour)"
        )
        f["session_name"].setText(role.role_session_name or "rolecall-<user>")
        problems = [str(p) for p in role.problems]
        message = self.delegate.errors.get(role.name)
        shown = problems or ([message] if message else [])
        self.error.setText("\n".join(shown))
        self.error.setVisible(bool(shown))
        self.note.setText("\n".join(role.notes))
        self.note.setVisible(bool(role.notes))
        busy = self.controller.busy(role.name)
        self.assume_button.setEnabled(role.valid and not busy)
        self.assume_button.setText("Assuming…" if busy else "&Assume")
        self.cancel_button.setVisible(busy)
        self.auto_refresh.blockSignals(True)
        self.auto_refresh.setChecked(self.sessions.auto_refresh.get(role.name, True))
        self.auto_refresh.blockSignals(False)
        creds = self.sessions.get(role.name)
        self.session_card.setVisible(creds is not None)
        if creds is not None:
            self.assumed_arn.setText(f"Signed in as {creds.assumed_role_arn}")
            expires = creds.expiration.astimezone()
            self.expires_at.setText(f"expires at {expires:%H:%M:%S} ({expires:%Z})")
            self._show_keys(creds)
            self.tick()

    def _show_keys(self, creds: TemporaryCredentials) -> None:
        self.key_row.show_value(creds.access_key_id, True)
        self.secret_row.show_value(creds.secret_access_key, self.revealed)
        self.token_row.show_value(creds.session_token, self.revealed)

    def set_revealed(self, on: bool) -> None:
        self.revealed = on
        if on:
            self.idle.arm()
        creds = self.sessions.get(self.current) if self.current else None
        if creds is not None:
            self._show_keys(creds)

    def lock(self, minutes: int) -> None:
        """Nobody has used Rolecall for a while: hide what was revealed, clear our clipboard."""
        self.reveal_button.setChecked(False)
        self.set_revealed(False)
        self.clipboard.clear()
        self.statusBar().showMessage(
            f"Secrets hidden after {minutes} min without use (Preferences)", 0
        )

    def tick(self) -> None:
        """Every second: the countdown, its colour and ring; the list repaints its own times."""
        self.tree.viewport().update()
        profile = self.current
        if not profile or profile not in self.sessions.sessions:
            return
        level = self.sessions.level(profile)
        left = self.sessions.remaining(profile)
        self.expiry_label.setText("expired" if level == "expired" else format_remaining(left))
        if self.expiry_label.property("level") != level:
            self.expiry_label.setProperty("level", level)
            self.expiry_label.style().unpolish(self.expiry_label)
            self.expiry_label.style().polish(self.expiry_label)
        self.ring.set_state(self.sessions.fraction_left(profile), level)
        self.renew_button.setProperty("primary", level == "expired")
        self.renew_button.style().polish(self.renew_button)
        for widget in (
            self.copy_button,
            self.console_button,
            self.write_button,
            self.browse_button,
        ):
            widget.setEnabled(level != "expired")

    # ---- assuming -------------------------------------------------------------------------
    def _duration(self) -> int | None:
        return self.settings.get("session_duration") or None

    def assume_index(self, index: QModelIndex) -> None:
        role = index.data(ROLE)
        if role is not None:
            self.controller.assume(role.name, duration=self._duration())

    def assume_current(self) -> None:
        role = self.role()
        if role is not None and role.valid:
            self.controller.assume(role.name, duration=self._duration())

    def assume_first_match(self) -> None:
        index = self.tree.currentIndex()
        if not index.isValid() or index.data(ROLE) is None:
            index = self._first_role()
        if index.isValid():
            self.tree.setCurrentIndex(index)
            self.assume_index(index)

    def renew_current(self) -> None:
        if self.current:
            self.controller.assume(self.current, fresh=True, duration=self._duration())

    def end_current(self) -> None:
        if self.current:
            self.controller.forget(self.current)

    def busy_changed(self, profile: str, busy: bool) -> None:
        if busy:
            self.delegate.busy.add(profile)
            self.delegate.errors.pop(profile, None)
        else:
            self.delegate.busy.discard(profile)
        self.tree.viewport().update()
        if profile == self.current:
            self.refresh_detail()

    def assumed(self, profile: str) -> None:
        self.delegate.errors.pop(profile, None)
        if profile == self.current:
            self.controller.use_in_terminals(profile)
        self.statusBar().showMessage(f"Assumed {profile}", 5000)
        if profile == self.current:
            self.refresh_detail()

    def assume_failed(self, profile: str, message: str) -> None:
        self.delegate.errors[profile] = message
        self.tree.viewport().update()
        if profile == self.current:
            self.refresh_detail()
        else:
            self.statusBar().showMessage(f"{profile}: {message}", 10000)

    def ask_mfa(self, profile: str, message: str) -> None:
        role = self.config.roles.get(profile) if self.config else None
        if role is None:
            return
        mfa_role = next(
            (
                self.config.roles[h]
                for h in role.hops  # type: ignore[union-attr]
                if self.config.roles[h].mfa_serial
            ),
            role,
        )  # type: ignore[union-attr]
        from gui.dialogs import Ask

        code = Ask.mfa_code(self, mfa_role, message)
        if code:
            self.controller.assume(
                profile,
                mfa_code=code,
                fresh=profile in self.sessions.sessions,
                duration=self._duration(),
            )

    def mfa_refresh_due(self, profile: str) -> None:
        left = format_remaining(self.sessions.remaining(profile))
        self.notify(f"{profile} expires in {left}", "Enter an MFA code to renew the session.")
        self.ask_mfa(profile, "")

    def notify(self, title: str, text: str) -> None:
        if self.tray is not None and self.tray.supportsMessages():
            self.tray.showMessage(title, text, QSystemTrayIcon.MessageIcon.Information, 10000)
        self.statusBar().showMessage(f"{title}. {text}", 15000)

    def _auto_refresh_toggled(self, on: bool) -> None:
        if self.current:
            self.settings.set_auto_refresh(self.current, on)
            self.sessions.set_auto_refresh(self.current, on)

    # ---- copying --------------------------------------------------------------------------
    def copy_text(self, text: str, what: str) -> None:
        if not text:
            return
        self.clipboard.copy(text)
        self.idle.arm()
        self.statusBar().showMessage(f"Copied the {what}", 3000)

    def copy_format(self, fmt: str) -> None:
        creds = self.sessions.get(self.current) if self.current else None
        if creds is None:
            return
        # In the demo (or with a local AWS) the pasted shell must reach the same endpoint.
        endpoint = os.environ.get("AWS_ENDPOINT_URL") if self.demo else None
        try:
            self.copy_text(render(creds, fmt, endpoint), FORMAT_NAMES[fmt])
        except ValueError as exc:
            self.show_error(str(exc))

    def copy_default(self) -> None:
        self.copy_format(self.settings.get("copy_format"))

    def _clipboard_countdown(self, seconds: int) -> None:
        self.clipboard_label.setText(f"Clipboard clears in {seconds} s" if seconds else "")

    def _open_url(self, url: str) -> None:
        from PySide6.QtCore import QUrl
        from PySide6.QtGui import QDesktopServices

        QDesktopServices.openUrl(QUrl(url))

    def open_console(self) -> None:
        if self.current and self.current in self.sessions.sessions:
            self.controller.open_console(self.current)

    def current_session_profile(self) -> str | None:
        return self.current if self.current in self.sessions.sessions else None

    def terminals(self) -> Any:
        from gui.terminals import TerminalsDialog

        dialog = TerminalsDialog(self)
        dialog.show()
        return dialog

    def _endpoint_changed(self) -> None:
        endpoint = self.controller.endpoint
        if endpoint is None:
            self.endpoint_label.setText("Terminals: off")
        else:
            self.endpoint_label.setText(f"Terminals: {endpoint.current or 'no role yet'}")

    def browse(self) -> Any:
        """Open (or raise) the DynamoDB browser for the selected role's session."""
        from gui.browser import BrowserWindow

        if not self.current or self.current not in self.sessions.sessions:
            return None
        browser = self.browsers.get(self.current)
        if browser is None:
            browser = BrowserWindow(self.controller, self.current)
            self.browsers[self.current] = browser
        browser.show()
        browser.raise_()
        browser.activateWindow()
        return browser

    def write_credentials(self) -> None:
        if not self.current or self.current not in self.sessions.sessions or not self.config:
            return
        from gui.dialogs import Ask

        name = Ask.text(
            self,
            "Write to credentials file",
            f"Write these temporary keys into {self.config.credentials_file} as the profile:",
            self.current,
        )
        if name:
            self.controller.write_credentials(self.current, name)

    # ---- roles ----------------------------------------------------------------------------
    def add_role(self) -> None:
        if self.config is None:
            return
        from gui.dialogs import Ask

        answer = Ask.role(self, self.config, None)
        if answer:
            name, values = answer
            self.current = name
            self.controller.save_role(name, values, new=True)

    def edit_role(self, duplicate: bool = False) -> None:
        role = self.role()
        if role is None or self.config is None:
            return
        from gui.dialogs import Ask

        answer = Ask.role(self, self.config, role, duplicate)
        if not answer:
            return
        name, values = answer
        if duplicate:
            self.current = name
            self.controller.save_role(name, values, new=True)
        else:
            self.current = name
            self.controller.save_role(
                role.name, values, rename_to=name if name != role.name else None
            )

    def delete_role(self) -> None:
        role = self.role()
        if role is None or self.config is None:
            return
        from gui.dialogs import Ask

        if Ask.confirm(
            self,
            "Delete role",
            f"Delete the profile '{role.name}' from {self.config.config_file}?\n"
            "Only that section is removed; a backup of the file is kept.",
        ):
            self.controller.delete_role(role.name)

    def show_failure(self, message: str) -> None:
        """A failure no part handled itself: said in the status bar, never dropped."""
        self.statusBar().showMessage(message, 15000)

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
        self.statusBar().showMessage(message, 10000)

    def preferences(self) -> None:
        from gui.dialogs import PreferencesDialog

        dialog = PreferencesDialog(self.settings, self)
        if dialog.exec():
            self.clipboard.timeout = self.settings.get("clipboard_timeout")
            self.idle.minutes = self.settings.get("lock_minutes")
            self.sessions.refresh_before = timedelta(minutes=self.settings.get("refresh_minutes"))
            self.sessions.mfa_warn_before = timedelta(minutes=self.settings.get("mfa_warn_minutes"))
            app = QApplication.instance()
            if isinstance(app, QApplication):
                theme.apply(app, self.settings.get("theme"))

    def about(self) -> None:
        from importlib.metadata import version

        from PySide6 import __version__ as pyside
        from PySide6.QtCore import qVersion
        from PySide6.QtWidgets import QMessageBox

        from core import __version__

        QMessageBox.about(
            self,
            "About Rolecall",
            f"<b>Rolecall {__version__}</b><br>AWS roles, sessions and DynamoDB."
            f"<br><br>Qt {qVersion()} · PySide6 {pyside} · boto3 {version('boto3')}"
            f" · keyring {version('keyring')}",
        )

    def closeEvent(self, event: Any) -> None:  # noqa: N802
        self.clipboard.clear()
        for browser in self.browsers.values():
            browser.close()
        self.controller.stop_endpoint()
        super().closeEvent(event)


def show_later(window: MainWindow, start_hidden: bool) -> None:
    if not start_hidden or window.tray is None:
        window.show()
    QTimer.singleShot(0, window.controller.start)
