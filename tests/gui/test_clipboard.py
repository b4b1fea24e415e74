"""The secret clipboard on its own: marked secret, cleared on time and at quit, and only ever
what Rolecall put there. Its 1-second timer is a stub the test fires."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication

from gui.clipboard import SecretClipboard


@pytest.fixture
def clipboard(qapp, timer):
    return SecretClipboard(3, timer=timer)


@pytest.fixture
def countdown(clipboard):
    seen: list[int] = []
    clipboard.countdown.connect(seen.append)
    return seen


def system_text() -> str:
    return QGuiApplication.clipboard().text()


def test_copy_puts_the_text_on_the_clipboard_marked_secret(clipboard, timer):
    clipboard.copy("the secret")
    assert system_text() == "the secret"
    mime = QGuiApplication.clipboard().mimeData()
    assert bytes(mime.data("x-kde-passwordManagerHint")) == b"secret"
    assert clipboard.holds_ours() and timer.isActive() and timer.interval() == 1000


def test_it_clears_after_the_timeout_counting_down_each_second(clipboard, timer, countdown):
    cleared: list[bool] = []
    clipboard.cleared.connect(lambda: cleared.append(True))
    clipboard.copy("the secret")
    timer.fire()
    timer.fire()
    assert system_text() == "the secret" and countdown == [3, 2, 1]
    timer.fire()
    assert system_text() == "" and countdown == [3, 2, 1, 0]
    assert cleared == [True] and not timer.isActive() and not clipboard.holds_ours()


def test_a_later_copy_starts_the_countdown_again(clipboard, timer, countdown):
    clipboard.copy("first")
    timer.fire()
    clipboard.copy("second")
    timer.fire()
    timer.fire()
    assert system_text() == "second"
    timer.fire()
    assert system_text() == "" and countdown == [3, 2, 3, 2, 1, 0]


def test_it_leaves_alone_what_someone_else_copied_since(clipboard, timer, countdown):
    clipboard.copy("the secret")
    QGuiApplication.clipboard().setText("the person's own text")
    timer.fire()  # not ours any more: forgotten, not cleared
    assert system_text() == "the person's own text"
    assert countdown == [3, 0] and not timer.isActive() and not clipboard.holds_ours()


def test_clear_at_quit_empties_the_clipboard_only_if_it_holds_ours(clipboard, countdown):
    clipboard.copy("the secret")
    clipboard.clear()
    assert system_text() == "" and countdown == [3, 0]
    clipboard.copy("the secret")
    QGuiApplication.clipboard().setText("mine")
    clipboard.clear()
    assert system_text() == "mine"


def test_the_timeout_follows_the_preference(clipboard, settings):
    clipboard.follow(settings)
    assert clipboard.timeout == 30  # the default
    settings.set("clipboard_timeout", 45)
    assert clipboard.timeout == 45
    settings.set("copy_format", "fish")  # another preference: no change
    assert clipboard.timeout == 45
