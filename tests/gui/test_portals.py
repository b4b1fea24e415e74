"""IAM Identity Center in the window: sign in from the sidebar, the portal's accounts and roles
in the role list, a click gives a session, and a sign-in that ends is asked for once, with
everything open kept."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from tests.conftest import ACCOUNT, STANDARD_CONFIG
from tests.helpers import browser
from tests.helpers.dynamo import create_table, dynamodb_client
from tests.helpers.portal import portal_config, start_portal
from tests.helpers.windows import assume, open_table


@pytest.fixture
def standin(aws, monkeypatch):
    from gui.portal_bar import SignInDialog

    server = start_portal(aws.endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", server.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", server.url)
    aws.write_config(STANDARD_CONFIG + portal_config(server.url))
    opened: list[str] = []

    def open_browser(dialog: SignInDialog) -> bool:  # a browser that presses Allow
        opened.append(dialog.url)
        threading.Thread(target=browser.allow, args=(dialog.url,), daemon=True).start()
        return True

    monkeypatch.setattr(SignInDialog, "open_browser", open_browser)
    monkeypatch.setenv("BROWSER", "true")  # a browser can be opened here (no display needed)
    server.opened = opened
    yield server
    server.stop()


def sign_in(qtbot, window, name: str = "corp") -> None:
    portals = window.controller.portals
    row = window.roles.portal_bar.rows[name]
    assert row.sign_in.isVisible() and "not signed in" in row.state.text()
    with qtbot.waitSignal(portals.signedIn, timeout=30000):
        qtbot.mouseClick(row.sign_in, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: portals.states[name].roles is not None, timeout=30000)
    qtbot.waitUntil(lambda: "prod/Admin" in window.model.rows, timeout=10000)


def test_signing_in_lists_every_account_and_role_and_a_click_assumes(
    standin, make_window, qtbot, tmp_path
):
    window = make_window()
    assert "prod/Admin" not in window.model.rows  # nothing of the portal before the sign-in
    sign_in(qtbot, window)
    row = window.roles.portal_bar.rows["corp"]
    assert row.state.text() == "Signed in · 4 roles in 2 accounts"
    assert not row.sign_in.isVisible()
    assert standin.opened and standin.opened[0].startswith(f"{standin.url}/authorize?")
    # the saved profile stays as it is; the three roles no profile names join, by account
    assert {"prod/Admin", "prod/ReadOnly", "dev/ReadOnly", "dev"} <= set(window.model.rows)
    accounts = {window.model.item(r).text() for r in range(window.model.rowCount())}
    assert "111111111111 · prod" in accounts and f"{ACCOUNT} · dev" in accounts
    which, args = assume(qtbot, window, "prod/Admin")
    assert which == 0, args
    creds = window.controller.sessions.get("prod/Admin")
    assert creds is not None and creds.access_key_id
    assert window.card.isVisible()
    window.grab().save(str(tmp_path / "portal-window.png"))


def test_an_ended_sign_in_is_asked_once_and_the_open_browser_keeps_its_rows(
    standin, make_window, qtbot
):
    window = make_window()
    sign_in(qtbot, window)
    create_table(dynamodb_client(), "Portal-Orders", {"id": "S"})
    client = dynamodb_client()
    for i in range(30):
        client.put_item(TableName="Portal-Orders", Item={"id": {"S": f"o{i:02}"}})
    assert assume(qtbot, window, "dev")[0] == 0
    browser_window = open_table(qtbot, window, "Portal-Orders")
    with qtbot.waitSignal(browser_window.readFinished, timeout=20000):
        browser_window.run()
    rows = len(browser_window.model.items)
    assert rows == 30
    kept = window.controller.sessions.get("dev")
    standin.expire_tokens()
    standin.revoke_refresh()
    portals = window.controller.portals
    with qtbot.waitSignal(portals.signInNeeded, timeout=20000):
        window.select("dev")
        window.renew_current()
        window.select("prod/Admin")
        window.assume_current()  # a second role of the portal: still one question
    qtbot.waitUntil(lambda: not window.controller.busy("prod/Admin"), timeout=20000)
    banner = window.banners.portal_banner
    assert (
        banner.isVisible() and "The sign-in to corp has ended" in window.banners.portal_text.text()
    )
    assert window.controller.sessions.get("dev") is kept  # still valid: still counting down
    assert len(browser_window.model.items) == rows and browser_window.isVisible()
    with qtbot.waitSignal(window.controller.assumed, timeout=30000):
        qtbot.mouseClick(window.banners.portal_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not banner.isVisible(), timeout=10000)
    qtbot.waitUntil(
        lambda: (
            window.controller.sessions.get("dev") is not kept
            and window.controller.sessions.get("prod/Admin") is not None
        ),
        timeout=30000,
    )
    assert len(browser_window.model.items) == rows  # the browser's rows were never lost


def test_the_device_code_setting_shows_the_code_and_signs_in_when_it_is_entered(
    standin, make_window, qtbot, settings, monkeypatch
):
    monkeypatch.delenv("BROWSER")  # no browser here: the code is typed on another device
    settings.set("sso_device_code", True)
    window = make_window()
    portals = window.controller.portals
    row = window.roles.portal_bar.rows["corp"]
    with qtbot.waitSignal(portals.signInStarted, timeout=30000) as started:
        qtbot.mouseClick(row.sign_in, Qt.MouseButton.LeftButton)
    portal, url, code = started.args
    assert portal == "corp"
    dialog = window.sign_in_dialogs["corp"]
    assert dialog.isVisible() and dialog.code.text() == code and code
    assert url.startswith(f"{standin.url}/device")
    assert row.state.text() == "Signing in…" and not row.sign_in.isEnabled()
    with qtbot.waitSignal(portals.signedIn, timeout=30000):
        standin.approve_device(code)  # the person types the code on another device
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=10000)
    qtbot.waitUntil(lambda: "prod/Admin" in window.model.rows, timeout=30000)


def test_cancelling_a_sign_in_leaves_the_portal_as_it_was(
    standin, make_window, qtbot, settings, monkeypatch
):
    monkeypatch.delenv("BROWSER")
    settings.set("sso_device_code", True)
    window = make_window()
    portals = window.controller.portals
    row = window.roles.portal_bar.rows["corp"]
    with qtbot.waitSignal(portals.signInStarted, timeout=30000):
        qtbot.mouseClick(row.sign_in, Qt.MouseButton.LeftButton)
    window.sign_in_dialogs["corp"].reject()  # Cancel
    qtbot.waitUntil(lambda: not portals.states["corp"].busy, timeout=20000)
    assert row.sign_in.isVisible() and row.sign_in.isEnabled()
    assert "not signed in" in row.state.text() and not portals.states["corp"].problem


def test_two_portal_roles_of_different_accounts_open_consoles_side_by_side(
    standin, make_window, qtbot, settings, monkeypatch, tmp_path
):
    """Open console on a role of each account: Chromium, as Rolecall starts it, lands each in
    a profile of its own, signed in with its own session."""
    from core import console
    from core.browsers import Target, profile_folder
    from core.console_standin import console_standin
    from tests.helpers import chromium

    chromium.require()
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    pages: dict[str, str] = {}  # the role's --user-data-dir: the page its Chromium shows
    monkeypatch.setattr(
        console, "_start", lambda argv: pages.update({argv[1]: chromium.dump_dom(argv)})
    )
    settings.set("console_browser", "chromium")
    with console_standin() as consoles:
        monkeypatch.setenv("ROLECALL_FEDERATION_URL", consoles.federation)
        monkeypatch.setenv("ROLECALL_CONSOLE_URL", consoles.base)
        window = make_window()
        sign_in(qtbot, window)
        signed_in = {}
        for profile in ("prod/Admin", "dev"):
            which, args = assume(qtbot, window, profile)
            assert which == 0, args
            with qtbot.waitSignal(window.controller.consoleOpened, timeout=60000) as opened:
                window.open_console()
            assert opened.args == [profile, "home", f"Chromium, in its own profile for '{profile}'"]
            creds = window.controller.sessions.get(profile)
            signed_in[profile] = consoles.token_for(creds.access_key_id)
        for profile in signed_in:
            role = window.controller.config.roles[profile]
            folder = profile_folder(Target(profile, role.account_id, role.role_name))
            assert folder.parent == tmp_path / "data" / "rolecall" / "browser-profiles"
            assert f"signed in as {signed_in[profile]}" in pages[f"--user-data-dir={folder}"]
        assert len(pages) == 2
        roles = {window.controller.config.roles[p].account_id for p in signed_in}
        assert roles == {"111111111111", ACCOUNT}


def test_a_first_start_without_roles_adds_a_portal_and_signs_in_to_it(
    standin, make_window, qtbot, aws, monkeypatch, tmp_path
):
    """A newcomer's path: no role in the config; "Add an Identity Center portal…" under the
    line that says so; the form's portal is written as `[sso-session NAME]`, its row comes
    up with Sign in, and signing in lists its roles."""
    from core.sso import Portal
    from gui.dialogs import Ask

    aws.write_config("[profile base]\nregion = eu-west-1\n")
    kept = aws.config.read_text()
    window = make_window()
    detail = window.detail
    assert detail.empty.text() == "No roles in the AWS config yet."
    assert detail.first_steps is not None and detail.first_steps.isVisible()
    assert not window.roles.edit_button.isEnabled() and not window.roles.delete_button.isEnabled()
    asked = []

    def answer(parent, config):
        asked.append(config.config_file)
        return Portal("corp", f"{standin.url}/start", "eu-west-1")

    monkeypatch.setattr(Ask, "portal", answer)
    with qtbot.waitSignal(window.controller.configLoaded, timeout=10000):
        qtbot.mouseClick(window.findChild(QPushButton, "addFirstPortal"), Qt.MouseButton.LeftButton)
    assert asked == [aws.config]
    text = aws.config.read_text()
    assert text.startswith(kept) and text.endswith(
        f"[sso-session corp]\nsso_start_url = {standin.url}/start\nsso_region = eu-west-1\n"
        "sso_registration_scopes = sso:account:access\n"
    )
    assert "Added the portal corp" in window.statusBar().currentMessage()
    assert not detail.first_steps.isVisible()  # a portal to sign in to: no more first steps
    assert detail.empty.text().startswith("Sign in to a portal on the left")
    sign_in(qtbot, window)
    assert window.roles.portal_bar.rows["corp"].state.text().startswith("Signed in")
    window.grab().save(str(tmp_path / "first-portal.png"))


def test_adding_a_portal_of_a_name_already_there_changes_nothing_and_says_so(
    standin, make_window, qtbot, aws, monkeypatch
):
    from core.sso import Portal
    from gui.dialogs import Ask

    window = make_window()
    before = aws.config.read_text()
    monkeypatch.setattr(
        Ask, "portal", lambda *_: Portal("corp", "https://x.awsapps.com/start", "us-east-1")
    )
    with qtbot.waitSignal(window.controller.portals.failed, timeout=10000) as failed:
        window.prompts.add_portal()
    assert failed.args == [f"a portal named 'corp' is already in {aws.config}"]
    assert aws.config.read_text() == before
