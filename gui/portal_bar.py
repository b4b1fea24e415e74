"""The portals in the sidebar (sign in, list, save as profiles, sign out) and the sign-in
dialog that shows where to go and, for a device code, the code to type."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QMenu,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from gui import factory

if TYPE_CHECKING:
    from gui.portals import Portals, PortalState


class PortalBar(QWidget):
    """One line per portal: its name and state, and the one button that moves it on."""

    def __init__(self, portals: Portals, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.portals = portals
        self.setObjectName("portalBar")
        self.layout_ = QVBoxLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.layout_.setSpacing(4)
        self.rows: dict[str, PortalRow] = {}
        portals.changed.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        states = self.portals.states
        for name in [n for n in self.rows if n not in states]:
            self.rows.pop(name).deleteLater()
        for name, state in sorted(states.items()):
            row = self.rows.get(name)
            if row is None:
                row = self.rows[name] = PortalRow(self.portals, name, self)
                self.layout_.addWidget(row)
            row.show_state(state)
        self.setVisible(bool(states))


class PortalRow(QWidget):
    def __init__(self, portals: Portals, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.portals = portals
        self.name = name
        self.setObjectName("portalRow")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 6, 6, 6)
        layout.setSpacing(6)
        text = QVBoxLayout()
        text.setSpacing(0)
        self.title = factory.label(name, "portalName")
        self.state = factory.label("", "portalState", muted=True)
        text.addWidget(self.title)
        text.addWidget(self.state)
        layout.addLayout(text, 1)
        self.sign_in = factory.button("Sign in", "portalSignIn", f"Sign in to {name}", primary=True)
        self.sign_in.setAccessibleName(f"Sign in to {name}")
        self.sign_in.clicked.connect(lambda: portals.sign_in(name))
        layout.addWidget(self.sign_in)
        self.more = QToolButton()
        self.more.setObjectName("portalMore")
        self.more.setText("⋯")
        self.more.setAccessibleName(f"More for portal {name}")
        self.more.setToolTip("Sign in with a code, list again, save as profiles, sign out")
        self.more.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(self.more)
        self.device_action = menu.addAction("Sign in with a code…")
        self.device_action.triggered.connect(lambda: portals.sign_in(name, device=True))
        self.list_action = menu.addAction("List accounts again")
        self.list_action.triggered.connect(lambda: portals.list_roles(name))
        self.save_action = menu.addAction("Save as profiles")
        self.save_action.setToolTip("Write a [profile] for each role (rolecall sso sync)")
        self.save_action.triggered.connect(lambda: portals.save_profiles(name))
        menu.addSeparator()
        self.sign_out_action = menu.addAction("Sign out")
        self.sign_out_action.triggered.connect(lambda: portals.sign_out(name))
        self.more.setMenu(menu)
        layout.addWidget(self.more)

    def show_state(self, state: PortalState) -> None:
        if state.busy:
            text = state.busy
        elif state.problem:
            text = state.problem
        elif state.signed_in and state.roles is not None:
            accounts = len({r.account_id for r in state.roles})
            text = f"Signed in · {len(state.roles)} roles in {accounts} accounts"
        elif state.signed_in:
            text = "Signed in"
        else:
            text = "Identity Center · not signed in"
        self.state.setText(text)
        self.state.setWordWrap(bool(state.problem))
        self.state.setToolTip(state.portal.start_url)
        self.sign_in.setVisible(not state.signed_in)
        self.sign_in.setEnabled(not state.busy and not state.problem.startswith("portal '"))
        if self.sign_in.property("primary") != (not state.signed_in):
            self.sign_in.setProperty("primary", not state.signed_in)
            self.sign_in.style().unpolish(self.sign_in)
            self.sign_in.style().polish(self.sign_in)
        for action in (self.list_action, self.save_action, self.sign_out_action):
            action.setEnabled(state.signed_in and not state.busy)
        self.save_action.setEnabled(bool(state.roles) and not state.busy)


class SignInDialog(QDialog):
    """Where the sign-in goes on: the address (opened in the browser, and shown), and for a
    device code the code itself, large (the portal's page no longer fills it in)."""

    cancelled = Signal(str)

    def __init__(self, portal: str, url: str, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.portal = portal
        self.url = url
        self.setObjectName("signInDialog")
        self.setWindowTitle(f"Sign in to {portal}")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setSpacing(10)
        if code:
            intro = (
                f"Open the address below on any device, sign in to <b>{portal}</b> and enter "
                "this code:"
            )
        else:
            intro = (
                f"Your browser opened <b>{portal}</b>. Sign in there and allow Rolecall; this "
                "window closes by itself."
            )
        layout.addWidget(factory.label(intro, "signInIntro", wrap=True))
        self.code = factory.label(code, "signInCode", selectable=True, hidden=not code)
        self.code.setAlignment(Qt.AlignmentFlag.AlignCenter)
        font = self.code.font()
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        font.setLetterSpacing(font.SpacingType.AbsoluteSpacing, 3)
        self.code.setFont(font)
        self.code.setAccessibleName("Code to enter")
        layout.addWidget(self.code)
        self.address = factory.label(url, "signInUrl", muted=True, wrap=True, selectable=True)
        self.address.setAccessibleName("Sign-in address")
        self.address.setTextFormat(Qt.TextFormat.PlainText)
        layout.addWidget(self.address)
        self.waiting = factory.label("Waiting for the sign-in…", "signInWaiting", muted=True)
        layout.addWidget(self.waiting)
        buttons = QDialogButtonBox()
        self.open_button = factory.button("Open in browser", "signInOpen")
        self.copy_button = factory.button("Copy code" if code else "Copy address", "signInCopy")
        buttons.addButton(self.open_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        buttons.rejected.connect(self.reject)
        self.open_button.clicked.connect(self.open_browser)
        self.copy_button.clicked.connect(
            lambda: QGuiApplication.clipboard().setText(code or url)  # no secret: a code/URL
        )
        layout.addWidget(buttons)

    def open_browser(self) -> bool:
        return QDesktopServices.openUrl(QUrl(self.url))

    def reject(self) -> None:
        self.cancelled.emit(self.portal)
        super().reject()

    def failed(self, message: str) -> None:
        self.waiting.setText(message)
        self.waiting.setProperty("muted", False)
        self.waiting.setObjectName("signInError")
        self.waiting.setWordWrap(True)
