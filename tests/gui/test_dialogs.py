"""The dialogs: the MFA code field, the role and portal forms' checks as you type,
preferences."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLineEdit

from gui.dialogs import KeysDialog, MfaDialog, PortalDialog, PreferencesDialog, RoleDialog
from tests.helpers.roles import CONFIG, ROLE


def test_mfa_field_takes_six_digits_only_and_enter_submits(qtbot):
    dialog = MfaDialog(ROLE)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.field.hasFocus() or dialog.focusWidget() is dialog.field
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    qtbot.keyClicks(dialog.field, "12ab3")
    assert dialog.field.text() == "123" and not ok.isEnabled()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert dialog.result() != QDialog.DialogCode.Accepted
    qtbot.keyClicks(dialog.field, "4567")
    assert dialog.field.text() == "123456" and ok.isEnabled()
    qtbot.keyClick(dialog.field, Qt.Key.Key_Return)
    assert dialog.result() == QDialog.DialogCode.Accepted and dialog.code() == "123456"


def test_mfa_dialog_shows_aws_answer_on_retry(qtbot):
    dialog = MfaDialog(ROLE, "AccessDenied: MultiFactorAuthentication failed")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.error.isVisible() and "MultiFactorAuthentication" in dialog.error.text()


def test_role_form_checks_every_field_as_you_type(qtbot):
    dialog = RoleDialog(CONFIG, None)
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled()
    qtbot.keyClicks(dialog.profile, "deployer")
    qtbot.keyClicks(dialog.fields["role_arn"], "arn:aws:iam::123:role/D")
    assert "role_arn:" in dialog.problems.text() and not save.isEnabled()
    assert dialog.fields["role_arn"].property("invalid") is True
    dialog.fields["role_arn"].setText("arn:aws:iam::123456789012:role/Deployer")
    dialog.fields["source_profile"].setCurrentText("base")
    assert save.isEnabled(), dialog.problems.text()
    dialog.fields["duration_seconds"].setText("60")
    assert (
        "duration_seconds: '60' must be a whole number from 900 to 43200" in dialog.problems.text()
    )
    dialog.fields["duration_seconds"].setText("")
    dialog.profile.setText("secure")
    assert "a profile named 'secure' already exists" in dialog.problems.text()
    dialog.profile.setText("deployer")
    assert dialog.values()["role_arn"] == "arn:aws:iam::123456789012:role/Deployer"
    assert dialog.values()["external_id"] is None  # empty fields are removed from the section


def test_editing_keeps_the_name_and_duplicating_proposes_a_copy(qtbot):
    edit = RoleDialog(CONFIG, ROLE)
    qtbot.addWidget(edit)
    assert (
        edit.name() == "secure"
        and edit.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()
    )
    copy = RoleDialog(CONFIG, ROLE, duplicate=True)
    qtbot.addWidget(copy)
    assert copy.name() == "secure-copy"
    assert copy.fields["mfa_serial"].text() == ROLE.mfa_serial


def test_portal_form_is_named_after_its_url_and_checked_as_you_type(qtbot, tmp_path):
    from dataclasses import replace

    config = replace(
        CONFIG, sso_sessions={"corp": {"sso_start_url": "https://corp.awsapps.com/start"}}
    )
    dialog = PortalDialog(config)
    qtbot.addWidget(dialog)
    dialog.show()
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert not save.isEnabled()
    qtbot.keyClicks(dialog.start_url, "http://my-company.awsapps.com/start")
    assert dialog.name.text() == "my-company"
    assert "must be an https:// address" in dialog.problems.text() and not save.isEnabled()
    dialog.start_url.setText("https://my-company.awsapps.com/start")
    qtbot.keyClicks(dialog.region, "moon-1")
    assert dialog.problems.text() == "sso_region 'moon-1' is not a region code such as eu-west-1"
    dialog.region.setText("eu-west-1")
    assert save.isEnabled() and dialog.problems.isHidden()
    dialog.grab().save(str(tmp_path / "portal-form.png"))
    dialog.name.clear()
    qtbot.keyClicks(dialog.name, "corp")  # typed: the URL no longer names it
    assert "a portal named 'corp' already exists" in dialog.problems.text()
    assert not save.isEnabled()
    dialog.start_url.setText("https://other.awsapps.com/start")
    assert dialog.name.text() == "corp"
    dialog.name.setText("team a")
    assert "not a usable profile name" in dialog.problems.text()
    dialog.name.setText("team-a")
    portal = dialog.portal()
    assert (portal.name, portal.start_url, portal.region) == (
        "team-a",
        "https://other.awsapps.com/start",
        "eu-west-1",
    )
    assert portal.section() == {
        "sso_start_url": "https://other.awsapps.com/start",
        "sso_region": "eu-west-1",
        "sso_registration_scopes": "sso:account:access",
    }


def test_keys_form_checks_the_keys_hides_the_secret_and_forgets_it(qtbot):
    from dataclasses import replace

    profiles = {
        **CONFIG.profiles,
        "plain": {"region": "eu-west-1"},
        "corp-sso": {"sso_session": "corp"},
    }
    dialog = KeysDialog(replace(CONFIG, profiles=profiles))
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    assert dialog.secret.echoMode() == QLineEdit.EchoMode.Password
    assert dialog.profile.text() == "default" and not save.isEnabled()
    qtbot.keyClicks(dialog.key_id, "akia")
    assert "16 or more capital letters and digits" in dialog.problems.text()
    dialog.key_id.setText("AKIAIOSFODNN7EXAMPLE")
    qtbot.keyClicks(dialog.secret, "short")
    assert dialog.problems.text() == "the secret access key should be 40 characters with no spaces"
    dialog.secret.setText("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    assert save.isEnabled() and dialog.problems.isHidden()
    dialog.profile.setText(ROLE.name)  # a role's keys would never be used
    assert "profile 'secure' is a role; keys belong to its source profile" in (
        dialog.problems.text()
    )
    dialog.profile.setText("base")  # its keys in the credentials file would win
    assert "has keys in /nonexistent/credentials, so keys in the keyring would not be used" in (
        dialog.problems.text()
    )
    assert not save.isEnabled()
    dialog.profile.setText("corp-sso")  # an Identity Center profile never reads them either
    assert "signs in through IAM Identity Center" in dialog.problems.text()
    dialog.profile.setText("plain")  # there, with no credentials: any it had are replaced
    assert save.isEnabled() and dialog.problems.isHidden()
    assert dialog.replacing.text() == "Any keys Rolecall keeps for 'plain' are replaced."
    assert not dialog.replacing.isHidden()
    dialog.profile.setText("person")
    assert save.isEnabled() and dialog.problems.isHidden() and dialog.replacing.isHidden()
    name, creds = dialog.answer()
    assert (name, creds.access_key_id) == ("person", "AKIAIOSFODNN7EXAMPLE")
    dialog.forget()
    assert dialog.secret.text() == "" and dialog.key_id.text() == ""


def test_preferences_are_saved(qtbot, settings):
    dialog = PreferencesDialog(settings)
    qtbot.addWidget(dialog)
    dialog.timeout.setValue(45)
    dialog.format.setCurrentText("powershell")
    dialog.theme.setCurrentText("dark")
    dialog.accept()
    assert settings.get("clipboard_timeout") == 45
    assert settings.get("copy_format") == "powershell"
    assert settings.get("theme") == "dark"
