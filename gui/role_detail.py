"""The role detail: the role picked, what it is made of, what is wrong with it, assume and
cancel, and its session card."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui import factory
from gui.session_card import SessionCard
from gui.widgets import badges_for

if TYPE_CHECKING:
    from core.profiles import RoleProfile
    from gui.models import RoleModel
    from gui.sessions import SessionManager

SOURCE_NAMES = {
    "static": "keys in the credentials file",
    "keyring": "keys in Rolecall's keyring",
    "sso": "IAM Identity Center",
    "process": "credential_process",
    "Environment": "environment variables",
    "Ec2InstanceMetadata": "EC2 instance role",
    "EcsContainer": "ECS task role",
}
FIELDS = (
    ("role_arn", "Role ARN"),
    ("chain", "Source"),
    ("mfa", "MFA device"),
    ("external_id", "External ID"),
    ("duration", "Duration"),
    ("session_name", "Session name"),
)
PICK_A_ROLE = "Pick a role on the left, or add one."
NO_ROLES = "No roles in the AWS config yet."
SIGN_IN_FOR_ROLES = "Sign in to a portal on the left to see the roles it gives you."
DEMO_STARTING = (
    "Starting the demo AWS on this computer: a moto server with sample roles and "
    "tables.\nThe roles appear here in a few seconds."
)


class RoleDetail(QStackedWidget):
    """The role shown (or a line saying there is none); its busy and failure marks come from
    the role model, its session from the session manager."""

    assumeRequested = Signal()
    cancelRequested = Signal()
    addRoleRequested = Signal()
    addPortalRequested = Signal()
    addKeysRequested = Signal()
    autoRefreshToggled = Signal(bool)

    def __init__(
        self,
        model: RoleModel,
        sessions: SessionManager,
        demo: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.model = model
        self.sessions = sessions
        self.role: RoleProfile | None = None
        self.blank = QWidget()  # no role shown: a line saying why (and, with no role at all,
        self.addWidget(self.blank)  # the ways to add one, made when first needed)
        blank = QVBoxLayout(self.blank)
        blank.addStretch(1)
        self.empty = factory.label(DEMO_STARTING if demo else PICK_A_ROLE, "emptyLabel", muted=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        blank.addWidget(self.empty)
        blank.addStretch(1)
        self.first_steps: QWidget | None = None
        self.page = QWidget()
        self.addWidget(self.page)
        layout = QVBoxLayout(self.page)
        layout.setContentsMargins(28, 22, 28, 18)
        layout.setSpacing(12)
        self.title = factory.label(name="roleTitle")
        self.subtitle = factory.label(name="roleSubtitle", selectable=True)
        layout.addWidget(self.title)
        layout.addWidget(self.subtitle)
        self.error = factory.label(name="errorLabel", wrap=True, selectable=True, hidden=True)
        layout.addWidget(self.error)
        self.note = factory.label(name="noteLabel", wrap=True, hidden=True)
        layout.addWidget(self.note)
        layout.addWidget(self._details())
        layout.addLayout(self._actions())
        self.card = SessionCard(sessions, self.page)
        layout.addWidget(self.card)
        layout.addStretch(1)

    def _details(self) -> QFrame:
        details = QFrame()
        details.setObjectName("card")
        form = QFormLayout(details)
        form.setContentsMargins(16, 14, 16, 14)
        form.setHorizontalSpacing(18)
        self.fields: dict[str, QLabel] = {}
        for key, label in FIELDS:
            value = factory.label(name=f"detail_{key}", wrap=True, selectable=True)
            form.addRow(factory.label(label, muted=True), value)
            self.fields[key] = value
        return details

    def _actions(self) -> QHBoxLayout:
        actions = QHBoxLayout()
        self.assume_button = factory.button(
            "&Assume", "assumeButton", "Assume this role (Enter in the list)", primary=True
        )
        self.cancel_button = factory.button(
            "Cancel", "cancelButton", "Stop waiting for this assume"
        )
        self.cancel_button.hide()
        self.auto_refresh = factory.check(
            "Refresh automatically",
            "autoRefresh",
            "Re-assume before the session ends (asks for MFA once)",
        )
        actions.addWidget(self.assume_button)
        actions.addWidget(self.cancel_button)
        actions.addSpacing(12)
        actions.addWidget(self.auto_refresh)
        actions.addStretch(1)
        self.assume_button.clicked.connect(self.assumeRequested)
        self.cancel_button.clicked.connect(self.cancelRequested)
        self.auto_refresh.toggled.connect(self.autoRefreshToggled)
        return actions

    def offer_first_steps(self, shown: bool) -> None:
        """With no role in the config: the ways to get some, under the line."""
        if self.first_steps is None:
            if not shown:
                return
            self.first_steps = QWidget()
            row = QHBoxLayout(self.first_steps)
            row.addStretch(1)
            for text, name, tip, signal in (
                (
                    "Add an Identity Center portal…",
                    "addFirstPortal",
                    "Sign in to IAM Identity Center and use the roles it gives you",
                    self.addPortalRequested,
                ),
                (
                    "Add access keys…",
                    "addFirstKeys",
                    "An IAM user's access key, kept in the keyring: the source of roles",
                    self.addKeysRequested,
                ),
                ("Add a role…", "addFirstRole", "An AssumeRole profile", self.addRoleRequested),
            ):
                button = factory.button(text, name, tip, primary=name == "addFirstPortal")
                button.clicked.connect(signal)
                row.addWidget(button)
            row.addStretch(1)
            layout = self.blank.layout()
            assert isinstance(layout, QVBoxLayout)
            layout.insertWidget(2, self.first_steps)
        self.first_steps.setVisible(shown)

    def show_role(self, role: RoleProfile | None) -> None:
        self.role = role
        self.refresh()

    def refresh(self) -> None:
        """Everything shown again from the role, the role model and the sessions."""
        role = self.role
        if role is None:
            self.setCurrentWidget(self.blank)
            return
        self.setCurrentWidget(self.page)
        self.title.setText(role.role_name)
        account = role.account_id + (f" ({role.account_alias})" if role.account_alias else "")
        parts = [f"profile {role.name}", f"account {account}", role.region or "no region"]
        badges = badges_for(role)
        self.subtitle.setText(" · ".join(parts + (["  " + " · ".join(badges)] if badges else [])))
        self._show_fields(role)
        problems = [str(p) for p in role.problems]
        message = self.model.error(role.name)
        shown = problems or ([message] if message else [])
        self.error.setText("\n".join(shown))
        self.error.setVisible(bool(shown))
        self.note.setText("\n".join(role.notes))
        self.note.setVisible(bool(role.notes))
        busy = self.model.busy(role.name)
        self.assume_button.setEnabled(role.valid and not busy)
        self.assume_button.setText("Assuming…" if busy else "&Assume")
        self.cancel_button.setVisible(busy)
        self.auto_refresh.blockSignals(True)
        self.auto_refresh.setChecked(self.sessions.auto_refresh.get(role.name, True))
        self.auto_refresh.blockSignals(False)
        self.card.show_session(role.name)

    def _show_fields(self, role: RoleProfile) -> None:
        f = self.fields
        f["role_arn"].setText(role.role_arn)
        source = SOURCE_NAMES.get(role.base_kind, role.base_kind or "unknown")
        if role.is_sso:
            source = f"IAM Identity Center, portal {role.sso_portal}"
            if not role.saved:
                source += " (not saved as a profile)"
        chain = " → ".join(dict.fromkeys(role.chain))
        f["chain"].setText(f"{chain}  ({source})" if chain else source)
        f["mfa"].setText(role.mfa_serial or "none")
        f["external_id"].setText(role.external_id or "none")
        f["duration"].setText(
            f"{role.duration_seconds} s" if role.duration_seconds else "AWS default (1 hour)"
        )
        f["session_name"].setText(role.role_session_name or "rolecall-<user>")
        if role.is_sso:  # Identity Center decides these, not the profile
            f["duration"].setText("the permission set's session duration")
            f["session_name"].setText("your portal user name")

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(True)
