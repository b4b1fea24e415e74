"""The real main window for tests: its fixtures (own thread pool, settings in tmp_path, a clock
and a 1-second timer moved by hand, a clean clipboard) and the steps tests take in it."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QThreadPool
from PySide6.QtGui import QGuiApplication

from core.vault import MemoryStore
from tests.helpers.stubs import FakeClock, FakeTimer

if TYPE_CHECKING:
    from gui.browser import BrowserWindow
    from gui.mainwindow import MainWindow


def wait_any(qtbot, *signals, timeout: int = 20000) -> tuple[int, tuple[Any, ...]]:
    """Wait for whichever outcome signal comes first; returns (index, arguments)."""
    got: list = []
    slots = []
    for number, signal in enumerate(signals):
        slot = (lambda n: lambda *args: got.append((n, args)))(number)
        signal.connect(slot)
        slots.append((signal, slot))
    try:
        qtbot.waitUntil(lambda: bool(got), timeout=timeout)
    finally:
        for signal, slot in slots:
            signal.disconnect(slot)
    return got[0]


def assume(qtbot, window: MainWindow, profile: str) -> tuple[int, tuple[Any, ...]]:
    """Pick the role and click Assume, as a person would; the first outcome signal."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    window.select(profile)
    controller = window.controller
    qtbot.mouseClick(window.findChild(QPushButton, "assumeButton"), Qt.MouseButton.LeftButton)
    return wait_any(qtbot, controller.assumed, controller.assumeFailed, controller.mfaNeeded)


def open_table(qtbot, window: MainWindow, table: str) -> BrowserWindow:
    """Open the DynamoDB browser of the selected role's session and pick a table (described)."""
    from PySide6.QtCore import Qt

    browser = window.browse()
    assert browser is not None
    qtbot.addWidget(browser)
    qtbot.waitUntil(
        lambda: bool(browser.tables.list.findItems(table, Qt.MatchFlag.MatchExactly)), timeout=20000
    )
    with qtbot.waitSignal(browser.tableDescribed, timeout=20000):
        browser.tables.list.setCurrentItem(
            browser.tables.list.findItems(table, Qt.MatchFlag.MatchExactly)[0]
        )
    return browser


@pytest.fixture(autouse=True)
def clean_clipboard(qapp):
    QGuiApplication.clipboard().clear()
    yield
    QGuiApplication.clipboard().clear()


@pytest.fixture
def pool():
    pool = QThreadPool()
    yield pool
    assert pool.waitForDone(30000)


@pytest.fixture
def clock():
    return FakeClock()


@pytest.fixture
def timer():
    """The sessions' 1-second tick: fired by the test, never by itself."""
    return FakeTimer()


@pytest.fixture
def settings(tmp_path):
    from gui.settings import Settings

    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def store():
    """In-memory keyring, named as such: the real Secret Service is covered in tests/core."""
    return MemoryStore()


@pytest.fixture(autouse=True)
def private_runtime_dir(tmp_path, monkeypatch):
    """Where the endpoint tells terminals how to reach it: this test's own folder."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    return run


@pytest.fixture
def make_window(qtbot, aws, pool, clock, timer, settings, store):
    from gui.controller import Controller
    from gui.mainwindow import MainWindow

    def make(start: bool = True, store_factory=lambda: store) -> MainWindow:
        controller = Controller(pool, clock=clock, store_factory=store_factory, timer=timer)
        window = MainWindow(controller, settings)
        qtbot.addWidget(window)
        window.show()
        if start:
            controller.start()
            which, args = wait_any(qtbot, controller.configLoaded, controller.configFailed)
            assert which == 0, args
            qtbot.waitUntil(lambda: controller.store is not None, timeout=20000)
        return window

    return make


@pytest.fixture
def window(make_window) -> MainWindow:
    return make_window()
