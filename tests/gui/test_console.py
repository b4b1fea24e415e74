"""The console from the window: the session card's console menu lands on a service, signed in
as the role, in the browser the role's setting names, and signs it out again."""

from __future__ import annotations

import sys
import urllib.parse
import urllib.request

from PySide6.QtGui import QAction

from core.console_standin import console_standin
from tests.helpers.windows import assume

OPENER = """
import sys, urllib.request
open(sys.argv[1], "a").write(" ".join(sys.argv[2:]) + "\\n")
try:
    urllib.request.urlopen(sys.argv[-1], timeout=10).read()
except Exception:
    pass
"""


def outcome_of(qtbot, good, bad, act) -> list:
    """Connect to both outcomes, act, wait for either; the good one's arguments."""
    got: list = []
    slots = [(good, lambda *a: got.append((True, a))), (bad, lambda *a: got.append((False, a)))]
    for signal, slot in slots:
        signal.connect(slot)
    try:
        act()
        qtbot.waitUntil(lambda: bool(got), timeout=30000)
    finally:
        for signal, slot in slots:
            signal.disconnect(slot)
    assert got[0][0], got[0][1]
    return list(got[0][1])


def outcome(qtbot, window, act, done: str = "consoleOpened") -> list:
    """Act, then wait for the console's outcome either way."""
    c = window.controller
    return outcome_of(qtbot, getattr(c, done), c.consoleFailed, act)


def menu_action(window, name: str) -> QAction:
    menu = window.card.console_menu
    menu.aboutToShow.emit()  # the window fills it as it opens
    found = [a for a in menu.findChildren(QAction) if a.objectName() == name]
    assert found, [a.objectName() for a in menu.findChildren(QAction)]
    return found[0]


def test_the_console_menu_lands_signed_in_on_a_service_and_signs_out(
    window, qtbot, settings, monkeypatch, tmp_path
):
    opener, argv_file = tmp_path / "opener.py", tmp_path / "argv.txt"
    opener.write_text(OPENER)
    with console_standin() as standin:
        monkeypatch.setenv("ROLECALL_FEDERATION_URL", standin.federation)
        monkeypatch.setenv("ROLECALL_CONSOLE_URL", standin.base)
        settings.set("console_browser", "template")
        settings.set(
            "console_template", f"{sys.executable} {opener} {argv_file} {{profile}} {{url}}"
        )
        assume(qtbot, window, "reader")
        creds = window.sessions.get("reader")
        opened = outcome(qtbot, window, menu_action(window, "console_dynamodb").trigger)
        assert opened == ["reader", "dynamodb", "Command template"]
        token = standin.token_for(creds.access_key_id)
        qtbot.waitUntil(
            lambda: any(r.path == "/dynamodbv2/home" for r in standin.requests), timeout=20000
        )
        login = next(r for r in standin.requests if r.query.get("Action") == ["login"])
        asked = next(r for r in standin.requests if r.query.get("Action") == ["getSigninToken"])
        assert login.query["SigninToken"] == [token]
        assert login.query["Destination"] == [f"{standin.base}/dynamodbv2/home?region=eu-west-1"]
        assert 3500 <= int(asked.query["SessionDuration"][0]) <= 3601  # as long as the session
        assert token not in argv_file.read_text()
        assert argv_file.read_text().startswith("reader http://127.0.0.1:")
        assert settings.recent_services("reader")[0] == "dynamodb"

        outcome(qtbot, window, menu_action(window, "consoleClose").trigger, "consoleClosed")
        qtbot.waitUntil(lambda: any(r.path == "/oauth" for r in standin.requests), timeout=20000)
        logout = next(r for r in standin.requests if r.path == "/oauth")
        assert logout.query == {"Action": ["logout"], "redirect_uri": [standin.base]}


def test_a_browser_that_is_not_there_is_a_sentence_in_the_window(
    window, qtbot, settings, monkeypatch
):
    settings.set("console_browser", "template")
    settings.set("console_template", "/no/such/browser {url}")
    with console_standin() as standin:
        monkeypatch.setenv("ROLECALL_FEDERATION_URL", standin.federation)
        assume(qtbot, window, "reader")
        with qtbot.waitSignal(window.controller.consoleFailed, timeout=20000) as failed:
            window.card.console_button.click()
    assert failed.args == ["the browser command was not found: /no/such/browser"]


def test_the_choice_of_browser_is_kept_in_the_profile_for_the_cli_too(window, qtbot, aws, settings):
    assume(qtbot, window, "reader")
    c = window.controller
    outcome_of(qtbot, c.wrote, c.writeFailed, lambda: window.choose_console_browser("firefox"))
    assert "console_browser = firefox" in aws.config.read_text()
    settings.set("console_template", "my-browser --profile {profile} {url}")
    outcome_of(qtbot, c.wrote, c.writeFailed, lambda: window.choose_console_browser("template"))
    text = aws.config.read_text()
    assert "console_browser = template" in text
    assert "console_template = my-browser --profile {profile} {url}" in text


def test_the_system_browser_is_given_the_one_time_page_never_the_sign_in_url(
    window, qtbot, monkeypatch
):
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    with console_standin() as standin:
        monkeypatch.setenv("ROLECALL_FEDERATION_URL", standin.federation)
        monkeypatch.setenv("ROLECALL_CONSOLE_URL", standin.base)
        assume(qtbot, window, "reader")
        assert outcome(qtbot, window, window.card.console_button.click)[2] == (
            "System default browser"
        )
        qtbot.waitUntil(lambda: bool(opened))
        token = standin.token_for(window.sessions.get("reader").access_key_id)
        assert opened[0].startswith("http://127.0.0.1:") and token not in opened[0]
        # the browser, following it (the address was checked to be http on 127.0.0.1)
        urllib.request.urlopen(opened[0], timeout=10).close()  # noqa: S310
        login = next(r for r in standin.requests if r.query.get("Action") == ["login"])
        assert login.query["SigninToken"] == [token]


def test_end_session_also_signs_the_console_out_when_chosen(window, qtbot, settings, monkeypatch):
    from PySide6.QtGui import QDesktopServices

    opened: list[str] = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url.toString()))
    with console_standin() as standin:
        monkeypatch.setenv("ROLECALL_FEDERATION_URL", standin.federation)
        assume(qtbot, window, "reader")
        settings.set("console_sign_out_on_end", True)
        with qtbot.waitSignals([window.controller.consoleClosed, window.controller.ended]):
            window.card.end_button.click()
    assert opened == [
        f"{standin.base}/oauth?Action=logout&redirect_uri="
        + urllib.parse.quote("https://console.aws.amazon.com/", safe="")
    ]
