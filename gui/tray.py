"""The tray icon: the active sessions with their time left, the roles to assume, show and quit."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon, QWidget

from core.clock import format_remaining
from gui import theme

if TYPE_CHECKING:
    from gui.models import RoleModel, SessionModel


class Tray(QSystemTrayIcon):
    """Its menu is filled each time it opens, from the role and session models."""

    sessionPicked = Signal(str)  # show this session's role
    assumeRequested = Signal(str)
    showRequested = Signal()

    def __init__(self, roles: RoleModel, session_model: SessionModel, window: QWidget) -> None:
        super().__init__(theme.icon("rolecall.svg"), window)
        self.roles = roles
        self.session_model = session_model
        self.setToolTip("Rolecall")
        menu = QMenu(window)
        menu.aboutToShow.connect(lambda: self._fill(menu))
        self.setContextMenu(menu)
        self.activated.connect(self._activated)

    def _activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason == QSystemTrayIcon.ActivationReason.Trigger:
            self.showRequested.emit()

    def _fill(self, menu: QMenu) -> None:
        menu.clear()
        sessions = self.session_model.sessions
        for profile in self.session_model.profiles:
            left = format_remaining(sessions.remaining(profile))
            menu.addAction(f"{profile} — {left}", partial(self.sessionPicked.emit, profile))
        if self.session_model.profiles:
            menu.addSeparator()
        assume = menu.addMenu("Assume")
        for profile in sorted(self.roles.rows):
            assume.addAction(profile, partial(self.assumeRequested.emit, profile))
        menu.addSeparator()
        menu.addAction("Show Rolecall", self.showRequested.emit)
        menu.addAction("Quit", QApplication.quit)


def make_tray(roles: RoleModel, session_model: SessionModel, window: QWidget) -> Tray | None:
    """The tray icon, shown; None where the desktop has no tray."""
    if not QSystemTrayIcon.isSystemTrayAvailable():
        return None
    tray = Tray(roles, session_model, window)
    tray.show()
    return tray
