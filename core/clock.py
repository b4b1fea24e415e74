"""The clock sessions are timed by, and the time-left text the countdowns show. Apart from
core.credentials, whose classes the window's first frame does not need (see gui.mainwindow)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def format_remaining(left: timedelta) -> str:
    """`mm:ss` under an hour, `h:mm:ss` above, as the countdowns show it."""
    seconds = max(int(left.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"
