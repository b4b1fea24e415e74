"""The tray menu, filled from the role and session models each time it opens; its entries
ask for things by signal."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QWidget

from core.credentials import TemporaryCredentials
from core.profiles import load_config
from gui.models import RoleModel, SessionModel
from gui.sessions import SessionManager
from gui.tray import Tray
from tests.helpers.stubs import FakeClock, FakeTimer


def test_the_menu_lists_sessions_and_roles_and_asks_by_signal(qtbot, tmp_path):
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\n"
        + "".join(
            f"[profile {name}]\nrole_arn = arn:aws:iam::123456789012:role/{name}\n"
            "source_profile = base\n"
            for name in ("writer", "reader")
        )
    )
    roles = RoleModel()
    roles.load(
        load_config(
            {"AWS_CONFIG_FILE": str(config), "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none")}
        )
    )
    clock = FakeClock()
    sessions = SessionManager(clock, timer=FakeTimer())
    session_model = SessionModel(sessions)
    sessions.put(
        TemporaryCredentials(
            "ASIAEXAMPLE", "s" * 40, "t" * 64, clock() + timedelta(minutes=42), profile="reader"
        ),
        False,
        timedelta(hours=1),
    )
    window = QWidget()
    qtbot.addWidget(window)
    tray = Tray(roles, session_model, window)
    menu = tray.contextMenu()
    menu.aboutToShow.emit()
    entries = [a.text() for a in menu.actions() if not a.isSeparator()]
    assert entries == ["reader — 42:00", "Assume", "Show Rolecall", "Quit"]
    assume = next(a.menu() for a in menu.actions() if a.text() == "Assume")
    assert [a.text() for a in assume.actions()] == ["reader", "writer"]
    with qtbot.waitSignal(tray.sessionPicked) as picked:
        menu.actions()[0].trigger()
    assert picked.args == ["reader"]
    with qtbot.waitSignal(tray.assumeRequested) as asked:
        assume.actions()[1].trigger()
    assert asked.args == ["writer"]
    with qtbot.waitSignal(tray.showRequested):
        next(a for a in menu.actions() if a.text() == "Show Rolecall").trigger()
