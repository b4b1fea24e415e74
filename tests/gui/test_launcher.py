"""The launcher: the `rolecall` command hands the window's start to the CLI, and reads the
config ahead in a child process while Qt loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from core.errors import ConfigError, RolecallError
from core.profiles import load_config
from gui import launcher
from tests.conftest import ACCOUNT

READ_AHEAD = """
import json, sys
from core.profiles import load_config
from gui.launcher import read_ahead
from core.errors import ConfigError, RolecallError
first = read_ahead()
try:
    config = first()
except ConfigError as exc:
    print(json.dumps({"error": str(exc)}))
    sys.exit()
parsed_here = "botocore.configloader" in sys.modules
print(json.dumps({
    "same": config == load_config(),
    "parsed_here": parsed_here,
    "roles": sorted(config.roles),
    "problems": [str(p) for p in config.problems],
    "settings": sorted({k for s in config.profiles.values() for k in s}),
    "static": sorted(config.static_key_profiles),
}))
"""


def read_ahead_in_a_process() -> dict:
    """As the app does it: first thing in a fresh, single-threaded process (the `aws`
    fixture's environment names the files)."""
    out = subprocess.run(
        [sys.executable, "-c", READ_AHEAD], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_reading_ahead_gives_what_load_config_gives_parsed_in_another_process(aws):
    aws.write_config(
        f"""
        [profile base]
        region = eu-west-1

        [profile reader]
        role_arn = arn:aws:iam::{ACCOUNT}:role/Reader
        source_profile = base

        [profile broken]
        role_arn = arn:aws:iam::{ACCOUNT}:role/Broken
        source_profile = nowhere
        duration_seconds = 99
        """
    )
    got = read_ahead_in_a_process()
    assert got["same"] is True
    assert got["parsed_here"] is False  # botocore parsed it in the child process
    assert got["roles"] == ["broken", "reader"]
    assert any("nowhere" in p for p in got["problems"])
    # The credentials file's secret does not cross the pipe; that the profile has keys does.
    assert got["static"] == ["base"]
    assert "aws_secret_access_key" not in got["settings"]


def test_reading_ahead_a_broken_config_raises_the_same_sentence(aws):
    aws.config.write_bytes(b"[profile a\nrole_arn = x\n")
    with pytest.raises(ConfigError) as expected:
        load_config()
    assert read_ahead_in_a_process() == {"error": str(expected.value)}


@pytest.mark.parametrize(
    "argv",
    [[], ["--exit-when-shown"], ["--theme", "dark"], ["--theme=light", "--exit-when-shown"]],
)
def test_a_plain_window_start_skips_the_cli_and_reads_as_the_cli_would(monkeypatch, argv):
    from core import cli

    started = []
    monkeypatch.setattr(launcher, "start_window", lambda **how: started.append(how) or 0)
    monkeypatch.setattr(cli, "build_parser", lambda: pytest.fail("the CLI read it"))
    assert launcher.main(argv) == 0
    monkeypatch.undo()
    assert cli.main(argv, start_window=lambda **how: started.append(how) or 0) == 0
    assert started[0] == started[1]


@pytest.mark.parametrize(
    "argv", [["--demo"], ["-v"], ["--theme", "pink"], ["--theme"], ["list"], ["--help"]]
)
def test_anything_else_goes_to_the_cli(monkeypatch, argv):
    from core import cli

    monkeypatch.setattr(cli, "main", lambda argv, start_window: ("cli", argv))
    assert launcher.main(argv) == ("cli", argv)


def test_a_plain_window_start_that_fails_says_so_as_the_cli_does(monkeypatch, capsys):
    def broken(**how):
        raise RolecallError("the desktop app cannot start: no Qt")

    monkeypatch.setattr(launcher, "start_window", broken)
    assert launcher.main([]) == 1
    assert capsys.readouterr().err == "rolecall: error: the desktop app cannot start: no Qt\n"


FIRST_FRAME = """
import json, os, sys, time
from gui.launcher import read_ahead
first = read_ahead()
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication
app = QApplication([])
from gui.controller import Controller
from gui.mainwindow import MainWindow, show_later
from gui.settings import Settings
deadline = time.monotonic() + 20
while not first.done() and time.monotonic() < deadline:
    time.sleep(0.01)
controller = Controller(QThreadPool.globalInstance(), first_config=first)
window = MainWindow(controller, Settings())
show_later(window, False)  # no event has run yet: this is the window's first frame
print(json.dumps({
    "visible": window.isVisible(),
    "roles": sorted(window.model.rows),
    "workers": QThreadPool.globalInstance().activeThreadCount(),
    "status": window.config_label.text(),
}))
os._exit(0)
"""


TWO_ROLES = f"""
    [profile base]
    region = eu-west-1

    [profile reader]
    role_arn = arn:aws:iam::{ACCOUNT}:role/Reader
    source_profile = base

    [profile writer]
    role_arn = arn:aws:iam::{ACCOUNT}:role/Writer
    source_profile = base
    """


def test_a_config_read_ahead_is_in_the_window_s_first_frame(aws, tmp_path):
    aws.write_config(TWO_ROLES)
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME], capture_output=True, text=True, env=env, check=True
    )
    got = json.loads(out.stdout)
    assert got["visible"] is True
    assert got["roles"] == ["reader", "writer"]
    assert got["workers"] == 0  # nothing was waited for on a worker
    assert got["status"].endswith("2 roles")


BROKEN_FIRST_FRAME = FIRST_FRAME.replace(
    "show_later(window, False)",
    "failed = []\n"
    "controller.configFailed.connect(failed.append)\n"
    "show_later(window, False)\n"
    "shown_roles = len(window.model.rows)\n"
    "deadline = time.monotonic() + 20\n"
    "while not controller._settled and time.monotonic() < deadline:\n"
    "    app.processEvents()\n"
    "    time.sleep(0.01)\n"
    "QThreadPool.globalInstance().waitForDone(5000)\n"
    "deadline = time.monotonic() + 0.5  # what a second load would say, delivered\n"
    "while time.monotonic() < deadline:\n"
    "    app.processEvents()\n"
    "    time.sleep(0.01)\n"
    "print(json.dumps({'failed': failed, 'shown_roles': shown_roles}))\n"
    "os._exit(0)",
)


def test_a_broken_config_read_ahead_is_said_once_when_the_window_starts(aws, tmp_path):
    aws.config.write_bytes(b"[profile a\nrole_arn = x\n")
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path), "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", BROKEN_FIRST_FRAME],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    got = json.loads(out.stdout)
    assert got["shown_roles"] == 0
    with pytest.raises(ConfigError) as expected:
        load_config()
    assert got["failed"] == [str(expected.value)]


STAGED_START = """
import json, os, sys, time
from gui.launcher import read_ahead
first = read_ahead()
from PySide6 import QtCore, QtGui, QtWidgets
from PySide6.QtCore import QThreadPool
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0], "-style", "Fusion"])  # as gui.app makes it
from gui import theme
theme.apply(app, "system", guess=True)
from gui.controller import Controller
from gui.mainwindow import MainWindow, show_later
from gui.settings import Settings
deadline = time.monotonic() + 20
while not first.done() and time.monotonic() < deadline:
    time.sleep(0.01)
controller = Controller(QThreadPool.globalInstance(), first_config=first)
window = MainWindow(controller, Settings(), staged=True)
seen = {}
build_rest = window.finish
def finish():
    seen["painted"] = window._place._painted is None  # by its paint, not by the fallback
    seen["qstyle"] = "QStyle" in QtWidgets.__dict__
    seen["qt"] = "Qt" in QtCore.__dict__
    seen["qicon"] = "QIcon" in QtGui.__dict__
    before = window.roles.search.grab().toImage()
    build_rest()
    after = window.roles.search.grab().toImage()
    from gui.role_list import SEARCH_ICON_PLACE as place
    w, h = before.width(), before.height()
    seen["search"] = {
        "icon_came": before.copy(0, 0, place, h) != after.copy(0, 0, place, h),
        "text_stayed": before.copy(place, 0, w - place, h) == after.copy(place, 0, w - place, h),
    }
window.finish = finish
show_later(window, False)
seen["first"] = {
    "visible": window.isVisible(),
    "roles": sorted(window.model.rows),
    "current": window.roles.current_profile(),
    "finished": window.finished,
    "tooltip": window.model.rows["reader"].data(3),  # Qt's ToolTipRole
}
deadline = time.monotonic() + 20
while controller.store is None and time.monotonic() < deadline:
    app.processEvents()
    time.sleep(0.01)
seen["then"] = {
    "current": window.current,
    "title": window.detail.title.text(),
    "detail": window.detail.isVisible(),
    "menus": [a.text() for a in window.menuBar().actions()],
    "status": window.config_label.text(),
    "keyring": window.keyring_label.text(),
    "tooltip": window.model.rows["reader"].data(3),
    "said": window.model.rows["reader"].data(11),  # AccessibleTextRole
}
print(json.dumps(seen))
os._exit(0)
"""


def test_the_desktop_start_paints_the_roles_first_and_then_builds_the_rest(aws, tmp_path):
    aws.write_config(TWO_ROLES)
    env = {
        **os.environ,
        "XDG_CONFIG_HOME": str(tmp_path),
        "QT_QPA_PLATFORM": "offscreen",
        "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring",
    }
    out = subprocess.run(
        [sys.executable, "-c", STAGED_START], capture_output=True, text=True, env=env, check=True
    )
    got = json.loads(out.stdout)
    # The first frame: the roles, the first one picked, and nothing else built yet.
    assert got["first"] == {
        "visible": True,
        "roles": ["reader", "writer"],
        "current": "reader",
        "finished": False,
        "tooltip": None,  # rows are described after the first frame
    }
    # The rest came once that frame was painted, and the frame, its rows' paint included,
    # needed neither the Qt namespace's enums (12-30 ms) nor QStyle's (5 ms).
    assert got["painted"] is True
    assert got["qt"] is False
    assert got["qstyle"] is False
    assert got["qicon"] is False  # icons (QIcon, the SVG plugin) come with the rest
    # and the search box's icon arrives beside its placeholder without moving it
    assert got["search"] == {"icon_came": True, "text_stayed": True}
    then = got["then"]
    assert then["current"] == "reader"
    assert then["title"] == "Reader"
    assert then["detail"] is True
    assert then["menus"] == ["&File", "&Session", "&Help"]
    assert then["status"].endswith("2 roles")
    assert then["keyring"].startswith("Keyring:")  # the controller started after the rest
    assert then["tooltip"] == f"arn:aws:iam::{ACCOUNT}:role/Reader\nprofile reader"
    assert then["said"] == "Role Reader, profile reader"


def test_the_bundle_s_read_ahead_command_sends_the_config_without_its_secrets(aws):
    """A desktop bundle has no `python -c`: its child is `rolecall --read-config-ahead`."""
    import marshal

    aws.write_config(TWO_ROLES)
    secret = aws.credentials.read_text().partition("aws_secret_access_key")[2].split()[1]
    out = subprocess.run(
        [sys.executable, "-c", "from gui.launcher import main; main(['--read-config-ahead'])"],
        capture_output=True,
        check=True,
    )
    assert secret.encode() not in out.stdout
    profiles, static, _portals = marshal.loads(out.stdout)  # noqa: S302 - our own child
    assert {"reader", "writer"} <= set(profiles)
    assert "base" in static  # that it has keys crosses the pipe


WITHOUT_FEATURES = """
import json, sys
from gui.launcher import without_pyside_features
without_pyside_features()
import gui.app  # the window's modules, imported after PySide6
import email.mime.text  # and one no one imported before
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication([])
checked = sys.modules["PySide6.support.feature"].pyside_feature_dict
print(json.dumps({"checked": sorted(n for n in checked if n.startswith(("gui", "email"))),
                  "label": QLabel("works").text()}))
"""


def test_modules_imported_after_pyside6_are_not_read_for_its_feature_switch():
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run(
        [sys.executable, "-c", WITHOUT_FEATURES],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert json.loads(out.stdout) == {"checked": [], "label": "works"}
