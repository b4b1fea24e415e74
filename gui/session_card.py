"""The session card: a role's session with its time left, its keys (masked until revealed) and
what can be done with them."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from core.clock import format_remaining
from gui import factory
from gui.widgets import ExpiryRing

if TYPE_CHECKING:
    from core.credentials import TemporaryCredentials
    from gui.sessions import SessionManager

FORMAT_NAMES = {
    "env": "bash / zsh exports",
    "fish": "fish",
    "powershell": "PowerShell",
    "cmd": "cmd.exe",
    "ini": "Credentials-file block",
    "json": "JSON (credential_process)",
}
MASK = "•" * 24


class SecretRow(QWidget):
    """One credential value: masked unless revealed, with a copy button."""

    copyRequested = Signal(str, str)  # the value, and what it is ("secret access key")

    def __init__(self, label: str, name: str, secret: bool) -> None:
        super().__init__()
        self.secret = secret
        self.value = ""
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.field = factory.line_edit(
            name, label, f"{label} (masked until revealed)" if secret else label
        )
        self.field.setReadOnly(True)
        self.field.setProperty("secret", True)
        layout.addWidget(self.field, 1)
        self.copy = factory.tool(
            "Copy",
            f"{name}Copy",
            f"Copy the {label.lower()} (cleared from the clipboard later)",
            accessible=f"Copy {label.lower()}",
        )
        self.copy.clicked.connect(lambda: self.copyRequested.emit(self.value, label.lower()))
        layout.addWidget(self.copy)

    def show_value(self, value: str, revealed: bool) -> None:
        self.value = value
        self.field.setText(value if (revealed or not self.secret) else MASK)


class SessionCard(QFrame):
    """The session of the role shown: countdown and ring, renew and end, the keys, and the
    ways to use them. Each button says what it wants by a signal."""

    renewRequested = Signal()
    endRequested = Signal()
    copyRequested = Signal(str, str)  # the text, and what it is (for the status bar)
    formatRequested = Signal(str)  # copy the keys in this format (a FORMAT_NAMES key)
    consoleRequested = Signal()
    serviceRequested = Signal(str)  # open the console on this service (a console.SERVICES key)
    consoleCloseRequested = Signal()  # sign the role's console out
    consoleBrowserChosen = Signal(str)  # where this role's console opens (a browsers key)
    writeRequested = Signal()
    browseRequested = Signal()
    secretsShown = Signal()  # the secret and the token were revealed

    def __init__(self, sessions: SessionManager, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sessions = sessions
        self.profile: str | None = None
        self.revealed = False
        self.setObjectName("card")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(10)
        top = QHBoxLayout()
        self.ring = ExpiryRing()
        top.addWidget(self.ring)
        timing = QVBoxLayout()
        timing.setSpacing(0)
        self.expiry_label = factory.label(name="expiryLabel")
        self.expiry_label.setAccessibleName("Time left")
        self.expires_at = factory.label(muted=True)
        timing.addWidget(self.expiry_label)
        timing.addWidget(self.expires_at)
        top.addLayout(timing, 1)
        self.renew_button = factory.button("&Renew", "renewButton", "Assume the role again now")
        self.end_button = factory.button(
            "End session", "endButton", "Forget this session here and in the keyring"
        )
        top.addWidget(self.renew_button, 0, Qt.AlignmentFlag.AlignTop)
        top.addWidget(self.end_button, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(top)
        self.assumed_arn = factory.label(name="assumedArn", muted=True, selectable=True)
        layout.addWidget(self.assumed_arn)
        layout.addLayout(self._key_rows())
        layout.addLayout(self._buttons())
        self._connect()

    def _key_rows(self) -> QFormLayout:
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        self.key_row = SecretRow("Access key ID", "accessKeyId", False)
        self.secret_row = SecretRow("Secret access key", "secretAccessKey", True)
        self.token_row = SecretRow("Session token", "sessionToken", True)
        form.addRow("Access key ID", self.key_row)
        form.addRow("Secret", self.secret_row)
        form.addRow("Token", self.token_row)
        return form

    def _buttons(self) -> QHBoxLayout:
        buttons = QHBoxLayout()
        self.reveal_button = factory.button(
            "Reveal", "revealButton", "Show the secret and token (hold, or click to toggle)"
        )
        self.reveal_button.setCheckable(True)
        self.copy_button = factory.button(
            "Copy as…", "copyButton", "Copy the keys for a shell or file (Ctrl+Shift+C: default)"
        )
        self.copy_menu = QMenu(self.copy_button)
        self.copy_menu.setObjectName("copyMenu")
        for fmt, name in FORMAT_NAMES.items():
            action = self.copy_menu.addAction(name)
            action.setObjectName(f"copy_{fmt}")
            action.triggered.connect(lambda _=False, f=fmt: self.formatRequested.emit(f))
        self.copy_button.setMenu(self.copy_menu)
        self.console_button = factory.button(
            "Open console",
            "consoleButton",
            "Sign in to the AWS console as this role, in its own browser container or profile. "
            "The console stays signed in as long as the session (at most 12 hours); a chained "
            "role's console at most one hour, as AWS allows.",
        )
        self.console_more = QToolButton()
        self.console_more.setObjectName("consoleMore")
        self.console_more.setText("▾")
        self.console_more.setAccessibleName("Console options")
        self.console_more.setToolTip("Land on a service, choose the browser, or sign out")
        self.console_more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.console_menu = QMenu(self.console_more)
        self.console_menu.setObjectName("consoleMenu")
        self.console_more.setMenu(self.console_menu)
        # Set by the window: () -> (recent services, [(browser key, name)], the role's key)
        self.console_choices: Callable[[], tuple[list[str], list[tuple[str, str]], str]] = lambda: (
            [],
            [],
            "default",
        )
        self.browser_menu = QMenu("Open consoles of this role in", self.console_menu)
        self.browser_menu.setObjectName("consoleBrowserMenu")
        self.console_menu.aboutToShow.connect(self._fill_console_menu)
        self.write_button = factory.button(
            "Write to credentials file…",
            "writeButton",
            "Write these keys into the shared credentials file",
        )
        self.browse_button = factory.button(
            "Browse DynamoDB",
            "browseButton",
            "Open a DynamoDB browser that acts as this role (Ctrl+D)",
        )
        for button in (
            self.reveal_button,
            self.copy_button,
            self.console_button,
            self.console_more,
            self.write_button,
            self.browse_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        return buttons

    def _fill_console_menu(self) -> None:
        from core.console import SERVICE_NAMES

        menu = self.console_menu
        menu.clear()
        recent, found, current = self.console_choices()
        shown = list(dict.fromkeys([*recent, "home", "dynamodb", "s3", "ec2", "iam", "logs"]))
        for service in shown:
            action = menu.addAction(SERVICE_NAMES.get(service, service))
            action.setObjectName(f"console_{service}")
            action.triggered.connect(lambda _=False, s=service: self.serviceRequested.emit(s))
        menu.addSeparator()
        where = self.browser_menu
        where.clear()
        if found:
            menu.addMenu(where)
        for key, name in found:
            action = where.addAction(name)
            action.setObjectName(f"consoleBrowser_{key}")
            action.setCheckable(True)
            action.setChecked(key == current)
            action.triggered.connect(lambda _=False, k=key: self.consoleBrowserChosen.emit(k))
        close = menu.addAction("Close console (sign out)")
        close.setObjectName("consoleClose")
        close.triggered.connect(self.consoleCloseRequested)

    def _connect(self) -> None:
        for row in (self.key_row, self.secret_row, self.token_row):
            row.copyRequested.connect(self.copyRequested)
        self.renew_button.clicked.connect(self.renewRequested)
        self.end_button.clicked.connect(self.endRequested)
        self.reveal_button.pressed.connect(lambda: self.set_revealed(True))
        self.reveal_button.released.connect(
            lambda: self.set_revealed(self.reveal_button.isChecked())
        )
        self.reveal_button.toggled.connect(self.set_revealed)
        self.console_button.clicked.connect(self.consoleRequested)
        self.write_button.clicked.connect(self.writeRequested)
        self.browse_button.clicked.connect(self.browseRequested)
        self.sessions.ticked.connect(self.tick)

    def show_session(self, profile: str | None) -> None:
        """Show the session of `profile`; the card hides when it has none."""
        self.profile = profile
        creds = self.sessions.get(profile) if profile else None
        self.setVisible(creds is not None)
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
            self.secretsShown.emit()
        creds = self.sessions.get(self.profile) if self.profile else None
        if creds is not None:
            self._show_keys(creds)

    def hide_secrets(self) -> None:
        self.reveal_button.setChecked(False)
        self.set_revealed(False)

    def tick(self) -> None:
        """Every second: the countdown, its colour and ring, and what an expired session
        can no longer do."""
        profile = self.profile
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
            self.console_more,
            self.write_button,
            self.browse_button,
        ):
            widget.setEnabled(level != "expired")
