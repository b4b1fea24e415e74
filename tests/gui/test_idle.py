"""The idle lock on its own, with a clock the test moves: it locks after the idle time only
while a secret is out, input starts the time again, and 0 minutes never locks."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QWidget

from gui.idle import IdleLock


class Exposure:
    """Whether a secret is out (revealed, or our keys on the clipboard): the test says."""

    def __init__(self) -> None:
        self.out = True

    def __call__(self) -> bool:
        return self.out


@pytest.fixture
def now():
    return [1000.0]


@pytest.fixture
def exposed():
    return Exposure()


@pytest.fixture
def locks():
    return []


def make_lock(minutes: int, exposed: Exposure, now: list[float], locks: list[int]) -> IdleLock:
    lock = IdleLock(minutes, exposed, now=lambda: now[0])
    lock.locked.connect(locks.append)
    return lock


def test_it_locks_after_the_idle_time_once(qapp, exposed, now, locks):
    lock = make_lock(15, exposed, now, locks)
    lock.arm()
    now[0] += 15 * 60 - 1
    lock.check()
    assert locks == [] and lock.armed
    now[0] += 1
    lock.check()
    assert locks == [15] and not lock.armed  # input is no longer watched
    now[0] += 60
    lock.check()
    assert locks == [15]


def test_input_starts_the_idle_time_again(qtbot, exposed, now, locks):
    widget = QWidget()
    qtbot.addWidget(widget)
    widget.show()
    lock = make_lock(15, exposed, now, locks)
    lock.arm()
    now[0] += 10 * 60
    qtbot.mouseMove(widget, QPoint(5, 5))
    qtbot.mouseMove(widget, QPoint(9, 9))
    now[0] += 14 * 60
    lock.check()
    assert locks == []
    now[0] += 60
    lock.check()
    assert locks == [15]


def test_arming_again_starts_the_idle_time_again(qapp, exposed, now, locks):
    lock = make_lock(5, exposed, now, locks)
    lock.arm()
    now[0] += 4 * 60
    lock.arm()  # another copy, another reveal
    now[0] += 4 * 60
    lock.check()
    assert locks == []
    now[0] += 60
    lock.check()
    assert locks == [5]


def test_zero_minutes_never_locks_nor_watches(qapp, exposed, now, locks):
    lock = make_lock(0, exposed, now, locks)
    lock.arm()
    assert not lock.armed
    now[0] += 24 * 3600
    lock.check()
    assert locks == []


def test_nothing_out_means_no_lock_and_no_watching(qapp, exposed, now, locks):
    lock = make_lock(15, exposed, now, locks)
    lock.arm()
    exposed.out = False  # the secret was hidden again, the clipboard cleared
    now[0] += 60 * 60
    lock.check()
    assert locks == [] and not lock.armed


def test_the_idle_time_follows_the_preference(qapp, settings, exposed, now, locks):
    lock = make_lock(15, exposed, now, locks)
    lock.follow(settings)
    settings.set("lock_minutes", 2)
    lock.arm()
    now[0] += 2 * 60
    lock.check()
    assert locks == [2]
