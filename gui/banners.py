"""The banners over the window: what the keyring (or the demo) means for sessions, and a
config that cannot be read."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QVBoxLayout, QWidget

from gui import factory


class Banners(QWidget):
    """The banners, each shown only while it has something to say."""

    signInRequested = Signal(str)  # the portal whose sign-in the banner asks for

    def __init__(self, demo: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.demo = demo
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        self.banner = factory.label(name="banner", wrap=True, hidden=True)
        layout.addWidget(self.banner)
        self.config_banner = factory.label(name="configBanner", wrap=True, hidden=True)
        layout.addWidget(self.config_banner)
        self.portal_banner = factory.named(QWidget(), "portalBanner")
        row = QHBoxLayout(self.portal_banner)
        row.setContentsMargins(0, 0, 12, 0)
        self.portal_text = factory.label(name="portalBannerText", wrap=True)
        row.addWidget(self.portal_text, 1)
        self.portal_button = factory.button("Sign in again", "portalBannerSignIn", primary=True)
        row.addWidget(self.portal_button)
        self.portal_banner.hide()
        self.portal_banner.setProperty("portal", "")
        self.portal_button.clicked.connect(
            lambda: self.signInRequested.emit(self.portal_banner.property("portal"))
        )
        layout.addWidget(self.portal_banner)

    def sign_in_needed(self, portal: str) -> None:
        self.portal_banner.setProperty("portal", portal)
        self.portal_text.setText(
            f"The sign-in to {portal} has ended. Sessions that are still valid go on; its "
            "roles wait for you to sign in again, and nothing open is lost."
        )
        self.portal_button.setAccessibleName(f"Sign in again to {portal}")
        self.portal_banner.show()

    def signed_in(self, portal: str) -> None:
        if self.portal_banner.property("portal") == portal:
            self.portal_banner.hide()

    def config_failed(self, message: str) -> None:
        self.config_banner.setText(
            f"{message}. Fix the file (Rolecall reloads it when it changes, or press Ctrl+R);"
            " your roles and sessions are kept."
        )
        self.config_banner.show()

    def store_ready(self, persistent: bool) -> None:
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

    def store_trouble(self, message: str, persistent: bool) -> None:
        """The keyring went away or locked while running ("" once it answers again)."""
        if message:
            self.banner.setText(
                f"{message[0].upper()}{message[1:]}. New sessions are kept in memory only "
                "until the keyring answers again; nothing was lost."
            )
            self.banner.show()
        elif persistent and not self.demo:
            self.banner.hide()
