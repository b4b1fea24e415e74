"""The app as a process: `rolecall --demo` comes up with its roles; quitting clears secrets."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from PySide6.QtGui import QGuiApplication

from tests.conftest import ACCOUNT, ROOT
from tests.helpers.windows import assume


def test_rolecall_demo_starts_and_shows_its_roles(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "gui.launcher", "--demo", "--exit-when-shown"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    from core.demo_seed import ROLES

    assert result.stdout.strip() == f"rolecall: shown, roles listed: {len(ROLES)}"
    assert "Traceback" not in result.stderr
    assert time.monotonic() - start < 60


def start_app(config: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """As the `rolecall` script starts it, on the person's own config (as the bench does)."""
    from tests.bench.bench import APP, quiet_env

    return subprocess.run(
        [sys.executable, "-c", APP, "--exit-when-shown"],
        capture_output=True,
        text=True,
        env=quiet_env(config, tmp_path),
        timeout=120,
    )


def test_the_app_lists_the_roles_of_the_config_it_read_while_qt_loaded(tmp_path):
    config = tmp_path / "config"
    lines = ["[profile base]", "region = eu-west-1"]
    for i in range(30):
        lines += [f"[profile r{i}]", f"role_arn = arn:aws:iam::{ACCOUNT}:role/R{i}"]
        lines += ["source_profile = base"]
    config.write_text("\n".join(lines) + "\n")
    result = start_app(config, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "rolecall: shown, roles listed: 30"


def test_a_config_the_app_cannot_parse_is_said_in_the_window(tmp_path):
    config = tmp_path / "config"
    config.write_text("[profile a\nrole_arn = x\n")
    result = start_app(config, tmp_path)
    assert result.returncode == 1
    assert "cannot parse the AWS config" in result.stdout
    assert "line 1" in result.stdout
    assert "Traceback" not in result.stderr


def test_closing_the_window_clears_the_clipboard_if_it_holds_our_keys(window, qtbot):
    assume(qtbot, window, "reader")
    window.copy_default()
    assert QGuiApplication.clipboard().text()
    window.close()
    assert QGuiApplication.clipboard().text() == ""


def test_closing_leaves_someone_elses_clipboard_alone(window, qtbot):
    assume(qtbot, window, "reader")
    window.copy_default()
    QGuiApplication.clipboard().setText("mine")
    window.close()
    assert QGuiApplication.clipboard().text() == "mine"


def test_in_the_demo_copied_exports_work_in_a_shell_as_that_role(
    demo_server, qtbot, pool, settings, monkeypatch
):
    """`make demo`'s promise: assume, copy, paste into a shell, and that shell is the role."""
    from core.vault import MemoryStore
    from gui.controller import Controller
    from gui.mainwindow import MainWindow
    from tests.helpers.windows import wait_any

    for name, value in demo_server.env.items():
        if name.startswith(("AWS_", "ROLECALL_")):
            monkeypatch.setenv(name, value)
    controller = Controller(pool, store_factory=MemoryStore)
    window = MainWindow(controller, settings, demo=True)
    qtbot.addWidget(window)
    controller.start()
    wait_any(qtbot, controller.configLoaded, controller.configFailed)
    assume(qtbot, window, "demo-readonly")
    window.copy_format("env")
    pasted = QGuiApplication.clipboard().text()
    shell = {"PATH": os.environ["PATH"], "HOME": demo_server.env.get("HOME", "/tmp")}
    code = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    result = subprocess.run(
        ["bash", "-c", pasted + f'\n{sys.executable} -c "{code}"'],
        capture_output=True,
        text=True,
        env=shell,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert ":assumed-role/DynamoDBReadOnly/" in result.stdout


def test_a_start_up_measured_without_the_read_ahead_ends_once_the_rows_are_painted(qtbot):
    """`--exit-when-shown` without a config read ahead in time says "shown" only after the
    roles' rows are on the screen, not when the config arrives."""
    from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem

    from gui.app import after_paint

    tree = QTreeWidget()
    qtbot.addWidget(tree)
    painted: list[int] = []
    after_paint(tree.viewport(), lambda: painted.append(tree.topLevelItemCount()))
    tree.addTopLevelItems([QTreeWidgetItem([f"role{i}"]) for i in range(3)])
    QGuiApplication.processEvents()
    assert painted == []  # not shown yet: nothing painted
    tree.show()
    qtbot.waitUntil(lambda: painted == [3], timeout=5000)
    again: list[bool] = []
    after_paint(tree.viewport(), lambda: again.append(True))
    tree.viewport().update()
    qtbot.waitUntil(lambda: again == [True], timeout=5000)  # painted again
    assert painted == [3]  # once
