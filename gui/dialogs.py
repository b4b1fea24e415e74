"""Small dialogs: the MFA code, the role form, preferences, confirmations, and about."""

from __future__ import annotations

import re
import urllib.parse
from typing import TYPE_CHECKING

from PySide6.QtCore import QRegularExpression, Qt
from PySide6.QtGui import QRegularExpressionValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from core.browsers import Browser
from core.credentials import FORMATS, StaticCredentials
from core.errors import ConfigError
from core.profiles import CREDENTIAL_SOURCES, AwsConfig, RoleProfile, build_role
from core.profiles import validate_profile_name as check_name
from gui import factory
from gui.settings import THEMES, Settings

if TYPE_CHECKING:
    from core.sso import Portal


class Ask:
    """Every question the app asks, in one place so tests can answer them."""

    @classmethod
    def confirm(cls, parent: QWidget, title: str, text: str) -> bool:
        answer = QMessageBox.question(parent, title, text)
        return answer == QMessageBox.StandardButton.Yes

    @classmethod
    def text(cls, parent: QWidget, title: str, label: str, value: str = "") -> str | None:
        text, ok = QInputDialog.getText(parent, title, label, text=value)
        return text.strip() if ok and text.strip() else None

    @classmethod
    def mfa_code(cls, parent: QWidget, role: RoleProfile, message: str = "") -> str | None:
        dialog = MfaDialog(role, message, parent)
        return dialog.code() if dialog.exec() == QDialog.DialogCode.Accepted else None

    @classmethod
    def role(
        cls, parent: QWidget, config: AwsConfig, role: RoleProfile | None, duplicate: bool = False
    ) -> tuple[str, dict[str, str | None]] | None:
        dialog = RoleDialog(config, role, duplicate, parent)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            return dialog.name(), dialog.values()
        return None

    @classmethod
    def portal(cls, parent: QWidget, config: AwsConfig) -> Portal | None:
        dialog = PortalDialog(config, parent)
        try:
            return dialog.portal() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.deleteLater()

    @classmethod
    def keys(
        cls, parent: QWidget, config: AwsConfig, persistent: bool
    ) -> tuple[str, StaticCredentials] | None:
        dialog = KeysDialog(config, persistent, parent)
        try:
            return dialog.answer() if dialog.exec() == QDialog.DialogCode.Accepted else None
        finally:
            dialog.forget()
            dialog.deleteLater()


def checked_ending(dialog: QDialog, layout: QVBoxLayout) -> tuple[QLabel, QDialogButtonBox]:
    """The end of a form checked as you type: the line of its problems, then Save (which its
    check turns on and off) and Cancel."""
    problems = factory.label(name="errorLabel", wrap=True)
    layout.addWidget(problems)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
    )
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout.addWidget(buttons)
    return problems, buttons


class MfaDialog(QDialog):
    """Six digits, Enter submits; AWS's message from a failed try is shown above the field."""

    def __init__(self, role: RoleProfile, message: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"MFA code for {role.name}")
        layout = QVBoxLayout(self)
        intro = factory.label(
            f"Enter the 6-digit code from your MFA device\n{role.mfa_serial or ''}", wrap=True
        )
        layout.addWidget(intro)
        self.error = factory.label(message, "errorLabel", wrap=True, hidden=not message)
        layout.addWidget(self.error)
        self.field = factory.line_edit(
            "mfaCode", "MFA code", "The 6-digit code your MFA device shows now", "123456"
        )
        # digits only, up to six; a pasted "123 456" or "123-456" (as apps show it) is fine
        self.field.setValidator(
            QRegularExpressionValidator(QRegularExpression(r"([0-9][ -]?){0,5}[0-9]?"))
        )
        self.field.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setMinimumWidth(400)
        layout.addWidget(self.field)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Assume")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout.addWidget(self.buttons)
        self.field.textChanged.connect(self._changed)
        self._changed("")
        self.field.setFocus()

    def _changed(self, text: str) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(len(self.code()) == 6)

    def accept(self) -> None:
        if len(self.code()) == 6:
            super().accept()

    def code(self) -> str:
        return "".join(c for c in self.field.text() if c in "0123456789")


FIELDS = [
    ("role_arn", "Role ARN", "arn:aws:iam::123456789012:role/NAME"),
    ("source_profile", "Source profile", "the profile whose credentials assume this role"),
    ("credential_source", "Or credential source", ""),
    ("mfa_serial", "MFA device", "arn:aws:iam::123456789012:mfa/NAME (optional)"),
    ("external_id", "External ID", "optional"),
    ("duration_seconds", "Duration (s)", "900 to 43200 (optional)"),
    ("role_session_name", "Session name", "optional"),
    ("region", "Region", "e.g. eu-west-1 (optional)"),
    ("account_alias", "Account alias", "a name for the account (optional)"),
]


class RoleDialog(QDialog):
    """Add, edit or duplicate a role; checked with the AWS rules as you type."""

    def __init__(
        self,
        config: AwsConfig,
        role: RoleProfile | None,
        duplicate: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.original = None if duplicate or role is None else role.name
        self.setWindowTitle("Edit role" if self.original else "Add role")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.fields: dict[str, QLineEdit | QComboBox] = {}
        self.profile = factory.line_edit(
            "field_profile",
            "Profile name",
            "The name of the [profile …] section in the AWS config",
        )
        form.addRow("Profile name", self.profile)
        for key, label, hint in FIELDS:
            self.fields[key] = self._field(key, label, hint)
            form.addRow(label, self.fields[key])
        layout.addLayout(form)
        self.problems, self.buttons = checked_ending(self, layout)
        self.profile.textChanged.connect(self.validate)
        if role is not None:
            settings = config.profiles.get(role.name, {})
            self.profile.setText(f"{role.name}-copy" if duplicate else role.name)
            for key, widget in self.fields.items():
                self._set(widget, settings.get(key, ""))
        self.validate()

    def _field(self, key: str, label: str, hint: str) -> QLineEdit | QComboBox:
        if key not in ("source_profile", "credential_source"):
            line = factory.line_edit(f"field_{key}", label, hint or label, hint)
            line.textChanged.connect(self.validate)
            return line
        combo = factory.named(QComboBox(), f"field_{key}", label, hint or label)
        combo.setEditable(key == "source_profile")
        sources = sorted(self.config.profiles) if key == "source_profile" else CREDENTIAL_SOURCES
        combo.addItems(["", *sources])
        combo.currentTextChanged.connect(self.validate)
        return combo

    @staticmethod
    def _set(widget: QLineEdit | QComboBox, value: str) -> None:
        if isinstance(widget, QComboBox):
            if widget.findText(value) < 0:
                widget.addItem(value)
            widget.setCurrentText(value)
        else:
            widget.setText(value)

    @staticmethod
    def _get(widget: QLineEdit | QComboBox) -> str:
        return (widget.currentText() if isinstance(widget, QComboBox) else widget.text()).strip()

    def name(self) -> str:
        return self.profile.text().strip()

    def values(self) -> dict[str, str | None]:
        return {key: (self._get(w) or None) for key, w in self.fields.items()}

    def check(self) -> list[str]:
        """The problems with what is typed now, each naming its field."""
        problems: list[str] = []
        name = self.name()
        try:
            check_name(name)
        except ConfigError as exc:
            problems.append(f"profile name: {exc}")
        if name != self.original and name in self.config.profiles:
            problems.append(f"profile name: a profile named '{name}' already exists")
        settings = {k: v for k, v in self.values().items() if v is not None}
        trial = AwsConfig(
            self.config.config_file,
            self.config.credentials_file,
            {**self.config.profiles, name or "?": settings},
            self.config.static_key_profiles,
        )
        role = build_role(name or "?", trial)
        problems += [f"{p.field}: {p.message}" for p in role.problems]
        problems += list(role.notes)
        for key, widget in self.fields.items():
            widget.setProperty("invalid", any(p.field == key for p in role.problems))
            widget.style().unpolish(widget)
            widget.style().polish(widget)
        return problems

    def validate(self, *args: object) -> None:
        problems = self.check()
        errors = [p for p in problems if "capped at" not in p]
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not errors)


class PortalDialog(QDialog):
    """Add an IAM Identity Center portal by its start URL and region; named after the URL
    until a name is typed, checked with the AWS rules as you type."""

    def __init__(self, config: AwsConfig, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.config = config
        self.setWindowTitle("Add IAM Identity Center portal")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        layout.addWidget(
            factory.label(
                "The AWS access portal URL and the region of IAM Identity Center, as the"
                " portal's administrator gives them (or the IAM Identity Center console shows"
                " them under Settings).",
                muted=True,
                wrap=True,
            )
        )
        form = QFormLayout()
        self.start_url = factory.line_edit(
            "field_sso_start_url",
            "Start URL",
            "The AWS access portal URL",
            "https://my-company.awsapps.com/start",
        )
        self.region = factory.line_edit(
            "field_sso_region", "Region", "The region of IAM Identity Center", "eu-west-1"
        )
        self.name = factory.line_edit(
            "field_portal_name", "Portal name", "The name of the [sso-session …] section"
        )
        form.addRow("Start URL", self.start_url)
        form.addRow("Region", self.region)
        form.addRow("Portal name", self.name)
        layout.addLayout(form)
        self.problems, self.buttons = checked_ending(self, layout)
        self.named = False  # the name follows the URL until one is typed
        self.name.textEdited.connect(self._named)
        self.start_url.textChanged.connect(self._url_changed)
        self.region.textChanged.connect(self.validate)
        self.name.textChanged.connect(self.validate)
        self.validate()

    def _named(self, text: str) -> None:
        self.named = bool(text)

    def _url_changed(self, url: str) -> None:
        if not self.named:  # https://my-company.awsapps.com/start -> my-company
            host = urllib.parse.urlsplit(url.strip()).hostname or ""
            self.name.setText(re.sub(r"[^A-Za-z0-9+=,.@:/_-]", "", host.split(".")[0]))
        self.validate()

    def portal(self) -> Portal:
        from core.sso import Portal

        return Portal(
            self.name.text().strip(), self.start_url.text().strip(), self.region.text().strip()
        )

    def check(self) -> list[str]:
        """The problems with what is typed now, each as a sentence."""
        from core.sso import portals

        portal, problems = self.portal(), []
        try:
            check_name(portal.name)
        except ConfigError as exc:
            problems.append(f"portal name: {exc}")
        if portal.name in portals(self.config):
            problems.append(f"portal name: a portal named '{portal.name}' already exists")
        return problems + portal.problems()

    def validate(self, *args: object) -> None:
        problems = self.check()
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problems)


class KeysDialog(QDialog):
    """A profile's long-term access keys, for the keyring (as `rolecall add-keys NAME`); the
    secret is typed into a password field and leaves the dialog only for the keyring."""

    def __init__(
        self, config: AwsConfig, persistent: bool = True, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.setWindowTitle("Add access keys")
        self.setMinimumWidth(520)
        layout = QVBoxLayout(self)
        kept = (
            "kept in the system keyring (never in a file)"
            if persistent
            else "kept in memory only: there is no keyring, so they are gone when Rolecall"
            " closes (the profile stays in the config)"
        )
        layout.addWidget(
            factory.label(
                f"An IAM user's access key, {kept}. Roles name this profile as their source"
                " profile.",
                muted=True,
                wrap=True,
            )
        )
        form = QFormLayout()
        names = [n for n in config.profiles if n not in config.roles]
        self.profile = factory.line_edit(
            "field_keys_profile", "Profile name", "The profile these keys sign in as"
        )
        self.profile.setText("default" if "default" not in config.profiles else "")
        self.key_id = factory.line_edit(
            "field_access_key_id", "Access key ID", "The access key ID", "AKIA…"
        )
        self.secret = factory.line_edit(
            "field_secret_access_key", "Secret access key", "The secret access key"
        )
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        form.addRow("Profile name", self.profile)
        form.addRow("Access key ID", self.key_id)
        form.addRow("Secret access key", self.secret)
        layout.addLayout(form)
        self.problems, self.buttons = checked_ending(self, layout)
        self.replacing = factory.label(name="noteLabel", wrap=True, muted=True)
        layout.insertWidget(layout.indexOf(self.buttons), self.replacing)
        self.existing = set(names)
        for field in (self.profile, self.key_id, self.secret):
            field.textChanged.connect(self.validate)
        self.validate()

    def check(self) -> list[str]:
        """The problems with what is typed now (never quoting the secret)."""
        from core.vault import check_keys, check_keys_profile

        problems, name = [], self.profile.text().strip()
        try:
            check_keys_profile(self.config, name)
        except ConfigError as exc:
            problems.append(str(exc))
        try:
            check_keys(self.key_id.text().strip(), self.secret.text().strip())
        except ConfigError as exc:
            problems.append(str(exc))
        return problems

    def validate(self, *args: object) -> None:
        problems = self.check()
        name = self.profile.text().strip()
        self.problems.setText("\n".join(problems))
        self.problems.setVisible(bool(problems))
        self.replacing.setVisible(not problems and name in self.existing)
        self.replacing.setText(f"Any keys Rolecall keeps for '{name}' are replaced.")
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setEnabled(not problems)

    def answer(self) -> tuple[str, StaticCredentials]:
        creds = StaticCredentials(self.key_id.text().strip(), self.secret.text().strip())
        return self.profile.text().strip(), creds

    def forget(self) -> None:
        """The secret out of the field once it was handed over (or not)."""
        self.secret.clear()
        self.key_id.clear()


class PreferencesDialog(QDialog):
    """Every preference; Save sets them, and each part of the window follows."""

    def __init__(
        self,
        settings: Settings,
        parent: QWidget | None = None,
        browsers: list[Browser] | None = None,  # where consoles may open (found by a worker)
    ) -> None:
        super().__init__(parent)
        self.settings = settings
        self.setWindowTitle("Preferences")
        form = QFormLayout(self)
        self.timeout = QSpinBox(minimum=5, maximum=600, suffix=" s")
        self.timeout.setValue(settings.get("clipboard_timeout"))
        self.format = QComboBox()
        self.format.addItems(FORMATS)
        self.format.setCurrentText(settings.get("copy_format"))
        self.refresh = QSpinBox(minimum=1, maximum=60, suffix=" min")
        self.refresh.setValue(settings.get("refresh_minutes"))
        self.warn = QSpinBox(minimum=1, maximum=60, suffix=" min")
        self.warn.setValue(settings.get("mfa_warn_minutes"))
        self.duration = QSpinBox(minimum=0, maximum=43200, singleStep=900, suffix=" s")
        self.duration.setSpecialValueText("the role's own")
        self.duration.setValue(settings.get("session_duration"))
        self.lock = QSpinBox(minimum=0, maximum=240, suffix=" min")
        self.lock.setSpecialValueText("never")
        self.lock.setValue(settings.get("lock_minutes"))
        self.tray = QCheckBox("Start minimised to the tray")
        self.tray.setChecked(settings.get("start_in_tray"))
        self.theme = QComboBox()
        self.theme.addItems(THEMES)
        self.theme.setCurrentText(settings.get("theme"))
        self.device_code = QCheckBox("Sign in to portals with a code, not in this browser")
        self.device_code.setChecked(settings.get("sso_device_code"))
        self.share = QCheckBox("Share sign-in with the AWS CLI")
        self.share.setToolTip(
            "Also write each portal's sign-in to ~/.aws/sso/cache, where the AWS CLI and SDKs "
            "read it (a file readable by your user). Off: it stays in the keyring only."
        )
        self.share.setChecked(settings.get("sso_share_with_cli"))
        self.console = QComboBox()
        self.console.addItem("System default browser", "default")
        for browser in browsers or []:
            self.console.addItem(browser.name, browser.kind)
        self.console.addItem("Command template", "template")
        at = self.console.findData(settings.get("console_browser"))
        self.console.setCurrentIndex(max(0, at))
        self.console.setToolTip(
            "Firefox opens each role in a container of its own (install the add-on "
            "“Open external links in a container”); Chromium, Chrome, Edge and Brave in a "
            "browser profile of its own. A profile's console_browser key decides for that role."
        )
        self.template = QLineEdit(settings.get("console_template"))
        self.template.setPlaceholderText("e.g. my-browser --profile {profile} {url}")
        self.sign_out = QCheckBox("End session also signs its console out")
        self.sign_out.setChecked(settings.get("console_sign_out_on_end"))
        self.history_values = QCheckBox("Keep the values typed in the browser's history")
        self.history_values.setToolTip(
            "Off: the history of scans, queries and statements keeps their shape but no key, "
            "filter or parameter value, and no literal of a statement"
        )
        self.history_values.setChecked(settings.get("history_values"))
        rows: list[tuple[str, QWidget, str]] = [
            ("Clear the clipboard after", self.timeout, "clipboard_timeout"),
            ("Default copy format", self.format, "copy_format"),
            ("Refresh sessions with", self.refresh, "refresh_minutes"),
            ("Ask for MFA with", self.warn, "mfa_warn_minutes"),
            ("Session duration", self.duration, "session_duration"),
            ("Hide secrets when idle for", self.lock, "lock_minutes"),
            ("", self.tray, "start_in_tray"),
            ("Theme", self.theme, "theme"),
            ("Identity Center", self.device_code, "sso_device_code"),
            ("", self.share, "sso_share_with_cli"),
            ("Open consoles in", self.console, "console_browser"),
            ("Console command", self.template, "console_template"),
            ("", self.sign_out, "console_sign_out_on_end"),
            ("DynamoDB", self.history_values, "history_values"),
        ]
        for label, widget, name in rows:
            said = widget.text() if isinstance(widget, QCheckBox) else label
            form.addRow(label, factory.named(widget, f"pref_{name}", said, said))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def accept(self) -> None:
        s = self.settings
        s.set("clipboard_timeout", self.timeout.value())
        s.set("copy_format", self.format.currentText())
        s.set("refresh_minutes", self.refresh.value())
        s.set("mfa_warn_minutes", self.warn.value())
        s.set("session_duration", self.duration.value())
        s.set("lock_minutes", self.lock.value())
        s.set("start_in_tray", self.tray.isChecked())
        s.set("theme", self.theme.currentText())
        s.set("sso_device_code", self.device_code.isChecked())
        s.set("sso_share_with_cli", self.share.isChecked())
        s.set("console_browser", self.console.currentData())
        s.set("console_template", self.template.text().strip())
        s.set("console_sign_out_on_end", self.sign_out.isChecked())
        s.set("history_values", self.history_values.isChecked())
        super().accept()


def about(parent: QWidget) -> None:
    """Rolecall's version and the versions of what it runs on."""
    from importlib.metadata import version

    from PySide6 import __version__ as pyside
    from PySide6.QtCore import qVersion

    from core import __version__

    QMessageBox.about(
        parent,
        "About Rolecall",
        f"<b>Rolecall {__version__}</b><br>AWS roles, sessions and DynamoDB."
        f"<br><br>Qt {qVersion()} · PySide6 {pyside} · boto3 {version('boto3')}"
        f" · keyring {version('keyring')}",
    )
