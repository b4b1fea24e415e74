"""The console from the window: the session card's console menu lands on a service, signed in
as the role, in the browser the role's setting names, and signs it out again."""

from __future__ import annotations

import sys

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
        with qtbot.waitSignal(window.controller.consoleOpened, timeout=20000) as opened:
            menu_action(window, "console_dynamodb").trigger()
        assert opened.args == ["reader", "Command template"]
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

        with qtbot.waitSignal(window.controller.consoleClosed, timeout=20000):
            menu_action(window, "consoleClose").trigger()
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


def test_the_choice_of_browser_is_kept_in_the_profile_for_the_cli_too(window, qtbot, aws):
    assume(qtbot, window, "reader")
    with qtbot.waitSignal(window.controller.wrote, timeout=20000):
        window.choose_console_browser("firefox")
    assert "console_browser = firefox" in aws.config.read_text()
