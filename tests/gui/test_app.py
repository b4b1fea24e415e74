"""The app as a process: `rolecall --demo` comes up with its roles; quitting clears secrets."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from PySide6.QtGui import QGuiApplication

from tests.conftest import ROOT
from tests.gui.test_mainwindow import assume


def test_rolecall_demo_starts_and_shows_its_roles(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path), PYTHONPATH=str(ROOT))
    start = time.monotonic()
    result = subprocess.run(
        [sys.executable, "-m", "core.cli", "--demo", "--exit-when-shown"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "rolecall: shown"
    assert "Traceback" not in result.stderr
    assert time.monotonic() - start < 60


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
