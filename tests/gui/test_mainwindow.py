"""The real window, driven as a person would: find a role, assume it, watch it, copy it."""

from __future__ import annotations

import stat
from datetime import datetime, timedelta, timezone

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QListView, QPushButton, QTreeView

from core.clock import format_remaining
from core.credentials import render
from gui.dialogs import Ask
from gui.models import PROFILE, ROLE
from tests.conftest import ACCOUNT
from tests.helpers.heartbeat import Heartbeat
from tests.helpers.windows import assume, wait_any


def visible_profiles(window) -> list[str]:
    """The roles the tree shows, as the view itself has them."""
    tree, model = window.roles.tree, window.model
    names = []
    for row in range(model.rowCount()):
        account = model.index(row, 0)
        if tree.isRowHidden(row, QModelIndex()) or not tree.isExpanded(account):
            continue
        names += [
            model.index(r, 0, account).data(PROFILE)
            for r in range(model.rowCount(account))
            if not tree.isRowHidden(r, account)
        ]
    return names


def test_the_models_pass_qt_model_tester(window, qtmodeltester):
    qtmodeltester.check(window.model)
    qtmodeltester.check(window.session_model)


def test_roles_are_grouped_by_account_with_their_parts_named(window):
    tree = window.findChild(QTreeView, "roleList")
    assert tree is window.roles.tree
    for name in ("roleSearch", "assumeButton", "sessionList", "expiryLabel", "copyMenu"):
        assert window.findChild(object, name) is not None, name
    account = window.model.index(0, 0)
    assert account.data(ROLE) is None and ACCOUNT in account.data()
    assert visible_profiles(window) == ["admin", "mfa", "partner", "reader"]
    assert window.current == "admin"  # the first role is selected, so Enter works at once


def test_search_filters_as_you_type(window, qtbot):
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert window.roles.search.hasFocus()
    qtbot.keyClicks(window.roles.search, "part")
    assert visible_profiles(window) == ["partner"]
    assert window.current == "partner"  # the role picked before is hidden: the first shown is
    window.roles.search.clear()
    assert visible_profiles(window) == ["admin", "mfa", "partner", "reader"]
    assert window.current == "partner"
    qtbot.keyClicks(window.roles.search, ACCOUNT[:6] + " secure")
    assert visible_profiles(window) == ["mfa"] and window.current == "mfa"
    window.roles.search.clear()
    qtbot.keyClicks(window.roles.search, "nothing-like-this")
    assert visible_profiles(window) == [] and window.current is None
    qtbot.keyClick(window.roles.tree, Qt.Key.Key_Down)  # nothing to move to
    assert window.current is None


def test_assume_shows_the_session_with_its_arn_and_countdown(window, qtbot, clock):
    which, _ = assume(qtbot, window, "reader")
    assert which == 0
    creds = window.sessions.get("reader")
    assert creds.assumed_role_arn.startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/")
    assert window.findChild(QLabel, "assumedArn").text().endswith(creds.assumed_role_arn)
    sessions = window.findChild(QListView, "sessionList")
    assert sessions.model().rowCount() == 1
    # moto's session ends an hour after the AssumeRole; the test clock started when the
    # window was made, a moment (more on a busy machine) before the assume
    left = creds.remaining(clock()).total_seconds()
    assert 3590 <= left <= 3630, left
    shown = format_remaining(creds.remaining(clock()))
    assert sessions.model().index(0).data() == f"reader  {shown}"
    assert window.findChild(QLabel, "expiryLabel").text() == shown
    assert window.card.secret_row.field.text() != creds.secret_access_key  # masked


def test_the_active_sessions_take_the_sidebar_only_when_there_are_some(window, qtbot):
    """No empty box under the roles: the sessions appear with the first one, one row high,
    and the role list has the height back when the last one ends."""
    window.show()
    qtbot.waitExposed(window)
    roles = window.roles
    sessions, title, tree = roles.session_list, roles.sessions_title, roles.tree
    assert sessions.isHidden() and title.isHidden()
    full = tree.height()
    which, _ = assume(qtbot, window, "reader")
    assert which == 0
    assert not sessions.isHidden() and not title.isHidden()
    row = sessions.sizeHintForRow(0)
    assert sessions.height() == row + 2 * sessions.frameWidth()
    qtbot.waitUntil(lambda: tree.height() < full)  # the roles gave up that much, no more
    assert full - tree.height() < 2 * row + title.height() + 20
    window.end_current()
    qtbot.waitUntil(sessions.isHidden)
    qtbot.waitUntil(lambda: tree.height() == full)


def test_access_keys_added_in_the_window_go_to_the_keyring_and_a_role_assumes_with_them(
    window, qtbot, aws, store, monkeypatch
):
    from PySide6.QtWidgets import QDialog, QDialogButtonBox

    from gui.dialogs import KeysDialog

    secret = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYKEYINTHEWINDOW"
    shown = []

    def typed(dialog):  # the person types into the real dialog and presses Save
        shown.append(dialog)
        dialog.profile.setText("keyed")
        dialog.key_id.setText("AKIAIOSFODNN7EXAMPLE")
        dialog.secret.setText(secret)
        assert dialog.buttons.button(QDialogButtonBox.StandardButton.Save).isEnabled()
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(KeysDialog, "exec", typed)
    controller = window.controller
    with qtbot.waitSignal(controller.configLoaded, timeout=10000):
        window.prompts.add_keys()
        assert shown[0].secret.text() == ""  # out of the field once handed over
    assert "[profile keyed]" in aws.config.read_text()
    assert secret not in aws.config.read_text() + aws.credentials.read_text()
    assert secret in store.get("keys:keyed")
    assert window.statusBar().currentMessage() == (
        f"Saved the keys of 'keyed' in the keyring (memory only) and added [profile keyed] to"
        f" {aws.config}"
    )
    role = {"role_arn": f"arn:aws:iam::{ACCOUNT}:role/Reader", "source_profile": "keyed"}
    with qtbot.waitSignal(controller.configLoaded, timeout=10000):
        controller.save_role("via-keyed", role, new=True)
    assert window.config.roles["via-keyed"].valid
    which, args = assume(qtbot, window, "via-keyed")
    assert which == 0, args


def test_with_no_role_each_first_step_asks_its_question(make_window, aws, qtbot, monkeypatch):
    from gui.dialogs import Ask

    aws.write_config("[profile base]\nregion = eu-west-1\n")
    window = make_window()
    asked = []
    monkeypatch.setattr(Ask, "role", lambda *a: asked.append("role"))
    monkeypatch.setattr(Ask, "keys", lambda *a: asked.append("keys"))
    monkeypatch.setattr(Ask, "portal", lambda *a: asked.append("portal"))
    for name in ("addFirstRole", "addFirstKeys", "addFirstPortal"):
        button = window.findChild(QPushButton, name)
        assert button.isVisible(), name
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert asked == ["role", "keys", "portal"]
    aws.write_config(
        aws.config.read_text()
        + "[profile r]\nrole_arn = arn:aws:iam::123456789012:role/R\nsource_profile = base\n"
    )
    with qtbot.waitSignal(window.controller.configLoaded, timeout=10000):
        window.controller.reload()
    assert not window.findChild(QPushButton, "addFirstRole").isVisible()  # a role: no first steps


def test_access_keys_are_not_asked_for_before_the_keyring_is_open(window, qtbot, monkeypatch):
    from gui.dialogs import Ask

    monkeypatch.setattr(Ask, "keys", lambda *_: pytest.fail("asked while the keyring opens"))
    monkeypatch.setattr(window.controller, "store", None)
    with qtbot.waitSignal(window.controller.writeFailed) as said:
        window.prompts.add_keys()
    assert said.args == ["The keyring is still opening: try in a moment"]


def test_enter_in_the_search_assumes_the_first_match(window, qtbot):
    qtbot.keyClicks(window.roles.search, "partner")
    qtbot.keyClick(window.roles.search, Qt.Key.Key_Return)
    which, _ = wait_any(qtbot, window.controller.assumed, window.controller.assumeFailed)
    assert which == 0 and "partner" in window.sessions.sessions


def test_an_mfa_role_asks_for_the_code_once(window, qtbot, monkeypatch):
    asked = []
    monkeypatch.setattr(
        Ask,
        "mfa_code",
        classmethod(
            lambda cls, parent, role, message="": asked.append((role.name, message)) or "123456"
        ),
    )
    which, args = assume(qtbot, window, "mfa")
    assert which == 2 and args == ("mfa", "")
    which, _ = wait_any(qtbot, window.controller.assumed, window.controller.assumeFailed)
    assert which == 0 and asked == [("mfa", "")]
    assert "mfa" in window.sessions.sessions


def test_the_countdown_changes_colour_and_expires(window, qtbot, clock, timer):
    assume(qtbot, window, "reader")
    label = window.findChild(QLabel, "expiryLabel")
    window.settings.set_auto_refresh("reader", False)
    window.sessions.set_auto_refresh("reader", False)
    left = window.sessions.remaining("reader")
    clock.advance(seconds=(left - timedelta(minutes=14, seconds=59)).total_seconds())
    timer.fire()
    assert label.property("level") == "warning" and label.text().startswith("14:")
    clock.advance(minutes=10)
    timer.fire()
    assert label.property("level") == "critical" and label.text().startswith("04:")
    clock.advance(minutes=6)
    timer.fire()
    assert label.text() == "expired"
    assert window.findChild(QPushButton, "renewButton").isVisible()
    assert not window.findChild(QPushButton, "copyButton").isEnabled()


def test_a_role_without_mfa_refreshes_itself_at_ten_minutes(window, qtbot, clock, timer):
    assume(qtbot, window, "reader")
    first = window.sessions.get("reader")
    clock.advance(seconds=(first.remaining(clock()) - timedelta(minutes=11)).total_seconds())
    timer.fire()
    assert window.sessions.get("reader") is first
    clock.advance(minutes=1, seconds=1)
    with qtbot.waitSignal(window.controller.busyChanged):
        timer.fire()
    which, _ = wait_any(qtbot, window.controller.assumed, window.controller.assumeFailed)
    assert which == 0
    assert window.sessions.get("reader").access_key_id != first.access_key_id


def test_a_role_with_mfa_prompts_once_at_five_minutes(window, qtbot, clock, timer, monkeypatch):
    codes = iter(["111111", "222222"])
    asked = []
    monkeypatch.setattr(
        Ask,
        "mfa_code",
        classmethod(lambda cls, parent, role, message="": asked.append(role.name) or next(codes)),
    )
    assume(qtbot, window, "mfa")
    wait_any(qtbot, window.controller.assumed, window.controller.assumeFailed)
    first = window.sessions.get("mfa")
    clock.advance(seconds=(first.remaining(clock()) - timedelta(minutes=6)).total_seconds())
    timer.fire()
    assert asked == ["mfa"]
    clock.advance(minutes=1, seconds=1)
    timer.fire()
    wait_any(qtbot, window.controller.assumed, window.controller.assumeFailed)
    clock.now = datetime.now(timezone.utc)  # the renewed session ends an hour from real now
    timer.fire()
    assert asked == ["mfa", "mfa"]
    assert window.sessions.get("mfa").access_key_id != first.access_key_id


def test_copy_as_bash_is_marked_secret_and_cleared_on_time(window, qtbot):
    assume(qtbot, window, "reader")
    creds = window.sessions.get("reader")
    window.findChild(object, "copy_env").trigger()
    clipboard = QGuiApplication.clipboard()
    assert clipboard.text() == render(creds, "env")
    assert bytes(clipboard.mimeData().data("x-kde-passwordManagerHint")) == b"secret"
    assert window.clipboard_label.text() == "Clipboard clears in 30 s"
    for _ in range(29):
        window.clipboard.tick()
    assert clipboard.text() == render(creds, "env")
    window.clipboard.tick()
    assert clipboard.text() == ""
    assert window.clipboard_label.text() == ""


def test_the_clipboard_is_left_alone_when_something_else_was_copied(window, qtbot):
    assume(qtbot, window, "reader")
    window.card.secret_row.copy.click()
    QGuiApplication.clipboard().setText("the person's own text")
    for _ in range(31):
        window.clipboard.tick()
    assert QGuiApplication.clipboard().text() == "the person's own text"


def test_ctrl_shift_c_copies_the_default_format(window, qtbot):
    window.settings.set("copy_format", "fish")
    assume(qtbot, window, "reader")
    qtbot.keyClick(
        window,
        Qt.Key.Key_C,
        Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier,
    )
    assert QGuiApplication.clipboard().text().startswith("set -gx AWS_ACCESS_KEY_ID ")


def test_reveal_shows_the_secret_only_while_asked(window, qtbot):
    assume(qtbot, window, "reader")
    creds = window.sessions.get("reader")
    assert creds.secret_access_key not in window.card.secret_row.field.text()
    window.card.reveal_button.setChecked(True)
    assert window.card.secret_row.field.text() == creds.secret_access_key
    window.card.reveal_button.setChecked(False)
    assert window.card.secret_row.field.text() != creds.secret_access_key


def test_an_unreachable_endpoint_is_a_message_on_the_role_and_the_app_goes_on(
    window, qtbot, monkeypatch, aws
):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    which, args = assume(qtbot, window, "reader")
    assert which == 1 and "no answer from http://127.0.0.1:9" in args[1]
    error = window.findChild(QLabel, "errorLabel")
    assert error.isVisible() and "no answer from" in error.text()
    assert window.findChild(QPushButton, "assumeButton").isEnabled()
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws.endpoint)  # the network is back
    which, _ = assume(qtbot, window, "reader")
    assert which == 0 and not error.isVisible() and "reader" in window.sessions.sessions


def test_an_invalid_role_shows_its_problem_and_cannot_be_assumed(make_window, aws):
    aws.config.write_text(
        aws.config.read_text() + "\n[profile broken]\nrole_arn = nope\nsource_profile = base\n"
    )
    window = make_window()
    window.select("broken")
    assert "profile 'broken': role_arn:" in window.findChild(QLabel, "errorLabel").text()
    assert not window.findChild(QPushButton, "assumeButton").isEnabled()


def test_a_config_that_cannot_be_parsed_shows_a_banner(make_window, aws, qtbot):
    aws.config.write_text("[profile broken\n")
    window = make_window(start=False)
    window.controller.start()
    which, _ = wait_any(qtbot, window.controller.configLoaded, window.controller.configFailed)
    assert which == 1
    banner = window.banners.config_banner
    assert banner.isVisible() and "cannot parse the AWS config" in banner.text()


def test_without_a_keyring_a_banner_says_sessions_stay_in_memory(make_window, monkeypatch):
    from core import vault

    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.null.Keyring")
    import keyring.core

    keyring.core.init_backend()
    vault.reset_probe()
    try:
        window = make_window(store_factory=None)
    finally:
        monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
        keyring.core.init_backend()
        vault.reset_probe()
    assert window.banners.banner.isVisible() and "memory only" in window.banners.banner.text()
    assert window.keyring_label.text() == "Keyring: memory only"


def test_cached_sessions_show_as_active_at_start(make_window, store, qtbot, clock):
    from core.engine import Engine
    from core.vault import SessionCache

    Engine(cache=SessionCache(store)).credentials("partner")
    window = make_window()
    assert list(window.sessions.sessions) == ["partner"]
    assert window.session_model.rowCount() == 1


def test_add_edit_duplicate_and_delete_a_role(window, qtbot, aws, monkeypatch):
    answers = iter(
        [
            (
                "writer",
                {
                    "role_arn": f"arn:aws:iam::{ACCOUNT}:role/Writer",
                    "source_profile": "base",
                    "region": "eu-west-1",
                },
            ),
            (
                "writer",
                {
                    "role_arn": f"arn:aws:iam::{ACCOUNT}:role/Writer",
                    "source_profile": "base",
                    "region": "us-east-2",
                    "external_id": None,
                },
            ),
        ]
    )
    monkeypatch.setattr(Ask, "role", classmethod(lambda cls, *a, **k: next(answers)))
    monkeypatch.setattr(Ask, "confirm", classmethod(lambda cls, *a: True))
    before = aws.config.read_text()
    with qtbot.waitSignal(window.controller.configLoaded, timeout=20000):
        window.roles.add_button.click()
    assert "writer" in visible_profiles(window)
    assert aws.config.read_text().startswith(before)
    window.select("writer")
    window.roles.edit_button.click()
    # the file watch's reload of the added role may come first: wait for the edited one
    qtbot.waitUntil(lambda: window.config.roles["writer"].region == "us-east-2", timeout=20000)
    window.select("writer")
    window.roles.delete_button.click()
    qtbot.waitUntil(lambda: "writer" not in visible_profiles(window), timeout=20000)
    assert aws.config.read_text() == before


def test_writing_keys_to_the_credentials_file_only_when_asked(window, qtbot, aws, monkeypatch):
    monkeypatch.setattr(Ask, "text", classmethod(lambda cls, *a: "reader-session"))
    assume(qtbot, window, "reader")
    creds = window.sessions.get("reader")
    before = aws.credentials.read_text()
    assert creds.secret_access_key not in before
    with qtbot.waitSignal(window.controller.wrote, timeout=20000):
        window.card.write_button.click()
    text = aws.credentials.read_text()
    assert text.startswith(before)
    assert f"[reader-session]\naws_access_key_id = {creds.access_key_id}\n" in text
    assert stat.S_IMODE(aws.credentials.stat().st_mode) == 0o600


def test_end_session_forgets_it_here_and_in_the_cache(window, qtbot, store):
    assume(qtbot, window, "reader")
    assert store.get("session:reader")
    with qtbot.waitSignal(window.controller.ended, timeout=20000):
        window.findChild(QPushButton, "endButton").click()
    assert "reader" not in window.sessions.sessions
    assert store.get("session:reader") is None


def test_end_session_that_the_keyring_refuses_is_said_and_the_session_stays(
    window, qtbot, store, monkeypatch
):
    from core.errors import NoKeyringError

    assume(qtbot, window, "reader")

    def refuse(key: str) -> None:
        raise NoKeyringError("the keyring refused to delete 'session:reader' (it is locked)")

    monkeypatch.setattr(store, "delete", refuse)
    with qtbot.waitSignal(window.controller.endFailed, timeout=20000) as failed:
        window.findChild(QPushButton, "endButton").click()
    assert failed.args == [
        "reader",
        "The session of 'reader' was not ended: the keyring refused to delete "
        "'session:reader' (it is locked)",
    ]
    assert "reader" in window.sessions.sessions
    assert window.detail.error.isVisible() and "was not ended" in window.detail.error.text()
    assert "was not ended" in window.statusBar().currentMessage()


@pytest.fixture
def slow_sts(monkeypatch):
    """An endpoint that takes a second to answer, to prove the GUI thread never waits."""
    import http.server
    import threading

    release = threading.Event()

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            release.wait(1.0)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{server.server_port}")
    yield release
    release.set()
    server.shutdown()
    server.server_close()


def test_heartbeat_never_waits_more_than_50_ms_during_an_assume(window, qtbot, slow_sts, pool):
    # Start-up's own background work (keyring, model warm-up) is done first: this measures
    # the assume, and only the assume.
    assert pool.waitForDone(20000)
    with Heartbeat() as heart:
        which, _ = assume(qtbot, window, "reader")
    assert which == 1  # the slow endpoint finally answers 503, after about a second or more
    assert len(heart.gaps) > 50
    assert heart.worst_ms <= 50, f"the GUI thread stalled {heart}"


def test_cancel_stops_waiting_and_ignores_the_late_answer(window, qtbot, slow_sts):
    window.select("reader")
    window.detail.assume_button.click()
    assert window.detail.cancel_button.isVisible() and not window.detail.assume_button.isEnabled()
    late = window.controller._ops["reader"]
    window.detail.cancel_button.click()
    assert not window.detail.cancel_button.isVisible() and window.detail.assume_button.isEnabled()
    with qtbot.waitSignal(late.signals.outcome, timeout=20000):
        slow_sts.set()  # the late outcome arrives, and must change nothing
    assert window.model.error("reader") is None and "reader" not in window.sessions.sessions


def test_a_reload_that_read_the_files_first_is_not_shown_over_a_later_one(
    window, qtbot, monkeypatch
):
    import threading

    import core.engine
    import core.profiles

    first_read, release = threading.Event(), threading.Event()
    real = core.profiles.load_config

    def load_config():
        if not first_read.is_set():  # the first reload reads the files, then stalls
            config = real()
            first_read.set()
            release.wait(20)
            return config
        return real()

    monkeypatch.setattr(core.profiles, "load_config", load_config)
    monkeypatch.setattr(core.engine, "load_config", load_config)
    window.controller.reload()
    assert first_read.wait(20)
    with open(window.config.config_file, "a") as config:
        config.write(
            f"\n[profile later]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/Later\n"
            "source_profile = base\n"
        )
    with qtbot.waitSignal(window.controller.configLoaded, timeout=20000):
        window.controller.reload()  # reads the files after the change
    assert "later" in visible_profiles(window)
    done = []
    window.controller.configLoaded.connect(done.append)
    release.set()  # the first read arrives last: the window and the engine keep the later one
    assert window.controller.pool.waitForDone(20000)
    QGuiApplication.processEvents()  # its result, queued to the GUI thread
    assert "later" in visible_profiles(window)
    assert "later" in window.controller.engine.config.roles
    assert all("later" in config.roles for config in done)  # (the file watch's reload)


def test_a_config_changed_by_another_program_is_reloaded(window, qtbot, aws):
    with aws.config.open("a") as config:
        config.write(
            f"\n[profile added-elsewhere]\nrole_arn = arn:aws:iam::{ACCOUNT}:role/X\n"
            "source_profile = base\n"
        )
    qtbot.waitUntil(lambda: "added-elsewhere" in visible_profiles(window), timeout=10000)
    aws.config.write_text("[profile broken\n")  # a half-saved file: said, and nothing lost
    qtbot.waitUntil(window.banners.config_banner.isVisible, timeout=10000)
    assert "cannot parse the AWS config" in window.banners.config_banner.text()
    assert "added-elsewhere" in visible_profiles(window)
    aws.write_config("[profile base]\n")  # fixed: the banner goes, the list follows the file
    qtbot.waitUntil(lambda: not window.banners.config_banner.isVisible(), timeout=10000)
    assert visible_profiles(window) == []


def test_secrets_are_hidden_after_the_idle_time(window, qtbot, timer, monkeypatch):
    now = [1000.0]
    window.idle.now = lambda: now[0]
    window.idle.minutes = 15
    assume(qtbot, window, "reader")
    creds = window.sessions.get("reader")
    window.card.reveal_button.click()
    window.findChild(object, "copy_env").trigger()
    assert window.card.secret_row.field.text() == creds.secret_access_key
    assert window.idle.armed  # input is watched only while a secret is out
    now[0] += 10 * 60
    qtbot.mouseMove(window.roles.tree.viewport(), QPoint(5, 5))  # input: the idle time starts again
    qtbot.mouseMove(window.roles.tree.viewport(), QPoint(9, 9))
    now[0] += 14 * 60
    timer.fire()
    assert window.card.secret_row.field.text() == creds.secret_access_key  # not yet
    now[0] += 60
    timer.fire()
    assert window.card.secret_row.field.text() != creds.secret_access_key
    assert not window.card.reveal_button.isChecked()
    assert QGuiApplication.clipboard().text() == ""
    assert window.statusBar().currentMessage().startswith("Secrets hidden after 15 min")
    assert not window.idle.armed
    window.card.reveal_button.click()  # using it again shows them again, on request
    assert window.card.secret_row.field.text() == creds.secret_access_key
    window.card.reveal_button.click()
    timer.fire()
    assert not window.idle.armed  # nothing out any more: no watching


def test_assume_before_the_keyring_is_open_goes_on_once_it_is(make_window, qtbot, store):
    import threading

    opening = threading.Event()
    window = make_window(start=False, store_factory=lambda: (opening.wait(20), store)[1])
    with qtbot.waitSignal(window.controller.configLoaded, timeout=20000):
        window.controller.start()
    assert window.controller.engine is None  # the roles are listed, the keyring still opening
    window.select("reader")
    window.detail.assume_button.click()
    opening.set()
    which, _ = wait_any(qtbot, window.controller.assumed, window.controller.assumeFailed)
    assert which == 0 and window.sessions.get("reader") is not None
