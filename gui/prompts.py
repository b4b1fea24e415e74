"""The questions the main window asks before it acts: the role form (add, edit, duplicate),
the portal and access-key forms, the delete confirmation, the credentials-file profile
name and the MFA code. Each answer goes to the controller."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

# gui.dialogs is imported where a question is asked: none is needed to show the roles, and
# start-up time is measured.

if TYPE_CHECKING:
    from collections.abc import Callable

    from PySide6.QtWidgets import QWidget

    from core.profiles import RoleProfile
    from gui.controller import Controller


class Prompts(QObject):
    """Asks about the role picked (`current`), parenting each dialog to `window`."""

    picked = Signal(str)  # the profile to show once the config is read again

    def __init__(
        self,
        controller: Controller,
        window: QWidget,
        current: Callable[[], str | None],
        duration: Callable[[], int | None],
    ) -> None:
        super().__init__(window)
        self.controller = controller
        self.window = window
        self.current = current
        self.duration = duration

    def _role(self) -> RoleProfile | None:
        profile, config = self.current(), self.controller.config
        return config.roles.get(profile) if profile and config is not None else None

    def add_role(self) -> None:
        config = self.controller.config
        if config is None:
            return
        from gui.dialogs import Ask

        answer = Ask.role(self.window, config, None)
        if answer:
            name, values = answer
            self.picked.emit(name)
            self.controller.save_role(name, values, new=True)

    def add_keys(self) -> None:
        config = self.controller.config
        if config is None:
            return
        from gui.dialogs import Ask

        if self.controller.store is None:  # asked first: typed keys are not to be lost
            self.controller.writeFailed.emit("The keyring is still opening: try in a moment")
            return
        answer = Ask.keys(self.window, config, self.controller.persistent)
        if answer is not None:
            self.controller.add_keys(*answer)

    def add_portal(self) -> None:
        config = self.controller.config
        if config is None:
            return
        from gui.dialogs import Ask

        portal = Ask.portal(self.window, config)
        if portal is not None:
            self.controller.portals.add(portal)

    def edit_role(self, duplicate: bool = False) -> None:
        role, config = self._role(), self.controller.config
        if role is None or config is None:
            return
        from gui.dialogs import Ask

        answer = Ask.role(self.window, config, role, duplicate)
        if not answer:
            return
        name, values = answer
        self.picked.emit(name)
        if duplicate:
            self.controller.save_role(name, values, new=True)
        else:
            self.controller.save_role(
                role.name, values, rename_to=name if name != role.name else None
            )

    def delete_role(self) -> None:
        role, config = self._role(), self.controller.config
        if role is None or config is None:
            return
        from gui.dialogs import Ask

        if Ask.confirm(
            self.window,
            "Delete role",
            f"Delete the profile '{role.name}' from {config.config_file}?\n"
            "Only that section is removed; a backup of the file is kept.",
        ):
            self.controller.delete_role(role.name)

    def write_credentials(self) -> None:
        profile, config = self.current(), self.controller.config
        if not profile or profile not in self.controller.sessions.sessions or not config:
            return
        from gui.dialogs import Ask

        name = Ask.text(
            self.window,
            "Write to credentials file",
            f"Write these temporary keys into {config.credentials_file} as the profile:",
            profile,
        )
        if name:
            self.controller.write_credentials(profile, name)

    def mfa_code(self, profile: str, message: str) -> None:
        """Ask for the code of the MFA device the role's chain uses, then assume with it."""
        config = self.controller.config
        role = config.roles.get(profile) if config else None
        if config is None or role is None:
            return
        mfa_role = next((config.roles[h] for h in role.hops if config.roles[h].mfa_serial), role)
        from gui.dialogs import Ask

        code = Ask.mfa_code(self.window, mfa_role, message)
        if code:
            self.controller.assume(
                profile,
                mfa_code=code,
                fresh=profile in self.controller.sessions.sessions,
                duration=self.duration(),
            )
