"""GUI fixtures: a real window on the offscreen platform, its own thread pool, settings in
tmp_path, a clock the test moves by hand, and a clean clipboard."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings, QThreadPool  # noqa: E402
from PySide6.QtGui import QGuiApplication  # noqa: E402

from core.vault import MemoryStore  # noqa: E402
from gui.controller import Controller  # noqa: E402
from gui.mainwindow import MainWindow  # noqa: E402
from gui.settings import Settings  # noqa: E402


class FakeClock:
    """Starts at the real time (moto's sessions end an hour from now) and moves when told."""

    def __init__(self) -> None:
        self.now = datetime.now(timezone.utc)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


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
def settings(tmp_path):
    return Settings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def store():
    """In-memory keyring, named as such: the real Secret Service is covered in tests/core."""
    return MemoryStore()


def wait_any(qtbot, *signals, timeout: int = 20000):
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


@pytest.fixture(autouse=True)
def private_runtime_dir(tmp_path, monkeypatch):
    """Where the endpoint tells terminals how to reach it: this test's own folder."""
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(run))
    return run


@pytest.fixture
def make_window(qtbot, aws, pool, clock, settings, store):
    def make(start: bool = True, store_factory=lambda: store) -> MainWindow:
        controller = Controller(pool, clock=clock, store_factory=store_factory)
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


def open_table(qtbot, window, table: str):
    """Open the DynamoDB browser of the selected role's session and pick a table (described)."""
    from PySide6.QtCore import Qt

    browser = window.browse()
    qtbot.addWidget(browser)
    qtbot.waitUntil(
        lambda: bool(browser.table_list.findItems(table, Qt.MatchFlag.MatchExactly)), timeout=20000
    )
    with qtbot.waitSignal(browser.tableDescribed, timeout=20000):
        browser.table_list.setCurrentItem(
            browser.table_list.findItems(table, Qt.MatchFlag.MatchExactly)[0]
        )
    return browser
