"""Quitting by signal is quitting: SIGTERM (`kill`, systemd) and SIGHUP (a logout) end a
long-running command the way Ctrl-C does, so its clean-up runs."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

QUIT_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


@contextmanager
def on_quit_signals(handler: Callable[[], None]) -> Iterator[None]:
    """Call `handler()` on the main thread for each quit signal, until the block ends (the
    previous handlers are put back)."""
    previous: dict[int, Any] = {}
    for number in QUIT_SIGNALS:
        previous[number] = signal.signal(number, lambda _number, _frame: handler())
    try:
        yield
    finally:
        for number, old in previous.items():
            signal.signal(number, old)
