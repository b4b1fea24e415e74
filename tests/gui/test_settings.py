"""Preferences: kept in QSettings, said by `Settings.changed`, and followed by each part of the
window that uses one, with no one pushing values by hand."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtWidgets import QApplication

from gui import theme
from gui.dialogs import PreferencesDialog


def test_setting_a_preference_says_which_and_its_value(settings):
    said: list[tuple[str, object]] = []
    settings.changed.connect(lambda name, value: said.append((name, value)))
    settings.set("refresh_minutes", 7)
    settings.set("theme", "no-such-theme")  # read back as the default, and said so
    assert said == [("refresh_minutes", 7), ("theme", "system")]
    assert settings.get("refresh_minutes") == 7


def test_a_watcher_gets_its_preference_now_and_each_time_it_is_set_and_no_other(settings):
    heard: list[object] = []
    settings.watch("lock_minutes", heard.append)
    settings.set("refresh_minutes", 7)
    settings.set("lock_minutes", 4)
    assert heard == [15, 4]
    later: list[object] = []
    settings.watch("theme", later.append, now=False)
    settings.set("theme", "dark")
    assert later == ["dark"]


def test_the_window_follows_the_preferences_dialog(window, qtbot):
    dialog = PreferencesDialog(window.settings, window)
    qtbot.addWidget(dialog)
    dialog.timeout.setValue(45)
    dialog.lock.setValue(3)
    dialog.refresh.setValue(12)
    dialog.warn.setValue(8)
    dialog.theme.setCurrentText("dark")
    app = QApplication.instance()
    look = (app.style().name(), app.palette(), app.styleSheet(), dict(theme.current))
    try:
        dialog.accept()
        assert window.clipboard.timeout == 45
        assert window.idle.minutes == 3
        assert window.sessions.refresh_before == timedelta(minutes=12)
        assert window.sessions.mfa_warn_before == timedelta(minutes=8)
        assert theme.current == theme.DARK and "#1b1d22" in app.styleSheet()
    finally:  # the other tests run in the look they had
        app.setStyle(look[0])
        app.setPalette(look[1])
        app.setStyleSheet(look[2])
        theme.current.clear()
        theme.current.update(look[3])
