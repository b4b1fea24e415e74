"""Active sessions and their clocks: what is left, what colour, when to refresh."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from core.clock import Clock, utc_now

if TYPE_CHECKING:
    from core.credentials import TemporaryCredentials
    from gui.settings import Settings

WARNING = timedelta(minutes=15)
CRITICAL = timedelta(minutes=5)
RETRY_AFTER = timedelta(minutes=1)  # after a failed refresh; the old session stays meanwhile


def level(left: timedelta) -> str:
    """ok, warning (15 min or less), critical (5 min or less) or expired."""
    if left <= timedelta(0):
        return "expired"
    if left <= CRITICAL:
        return "critical"
    if left <= WARNING:
        return "warning"
    return "ok"


class SessionManager(QObject):
    """Holds every active session; a one-second tick drives countdowns and auto-refresh."""

    changed = Signal()  # sessions added, replaced or removed
    ticked = Signal()
    refreshDue = Signal(str)  # a role without MFA should be re-assumed now
    mfaRefreshDue = Signal(str)  # a role with MFA is about to expire: ask once

    def __init__(
        self,
        clock: Clock = utc_now,
        refresh_before: timedelta = timedelta(minutes=10),
        mfa_warn_before: timedelta = CRITICAL,
        parent: QObject | None = None,
        timer: QTimer | None = None,
    ) -> None:
        super().__init__(parent)
        self.clock = clock
        self.refresh_before = refresh_before
        self.mfa_warn_before = mfa_warn_before
        self.sessions: dict[str, TemporaryCredentials] = {}
        self.needs_mfa: dict[str, bool] = {}
        self.lengths: dict[str, timedelta] = {}
        self.auto_refresh: dict[str, bool] = {}
        self._asked: set[str] = set()
        self._due: set[str] = set()
        self._retry_at: dict[str, datetime] = {}
        self.timer = timer if timer is not None else QTimer(self)  # tests fire one by hand
        self.timer.setInterval(1000)
        self.timer.timeout.connect(self.tick)

    def start(self) -> None:
        self.timer.start()

    def follow(self, settings: Settings) -> None:
        """Take when to refresh and when to ask for MFA from the preferences, now and whenever
        they are set."""
        settings.watch("refresh_minutes", self._set_refresh_minutes)
        settings.watch("mfa_warn_minutes", self._set_mfa_warn_minutes)

    def _set_refresh_minutes(self, minutes: int) -> None:
        self.refresh_before = timedelta(minutes=minutes)

    def _set_mfa_warn_minutes(self, minutes: int) -> None:
        self.mfa_warn_before = timedelta(minutes=minutes)

    def put(self, creds: TemporaryCredentials, needs_mfa: bool, length: timedelta) -> None:
        """Add or replace a session; `length` is how long the role's sessions last."""
        self.sessions[creds.profile] = creds
        self.lengths[creds.profile] = max(length, creds.remaining(self.clock()))
        self.needs_mfa[creds.profile] = needs_mfa
        self._asked.discard(creds.profile)
        self._due.discard(creds.profile)
        self._retry_at.pop(creds.profile, None)
        self.changed.emit()

    def remove(self, profile: str) -> None:
        if self.sessions.pop(profile, None) is not None:
            self.changed.emit()

    def get(self, profile: str) -> TemporaryCredentials | None:
        return self.sessions.get(profile)

    def remaining(self, profile: str) -> timedelta:
        creds = self.sessions.get(profile)
        return creds.remaining(self.clock()) if creds else timedelta(0)

    def fraction_left(self, profile: str) -> float:
        creds = self.sessions.get(profile)
        if creds is None:
            return 0.0
        total = self.lengths.get(profile) or timedelta(hours=1)
        return max(0.0, min(1.0, creds.remaining(self.clock()) / total))

    def level(self, profile: str) -> str:
        return level(self.remaining(profile))

    def set_auto_refresh(self, profile: str, on: bool) -> None:
        self.auto_refresh[profile] = on

    def refresh_failed(self, profile: str) -> None:
        """Try again in a minute: a failed refresh must not stop future ones, nor hammer AWS."""
        self._due.discard(profile)
        self._retry_at[profile] = self.clock() + RETRY_AFTER

    def tick(self) -> None:
        for profile, creds in list(self.sessions.items()):
            left = creds.remaining(self.clock())
            if left <= timedelta(0) or not self.auto_refresh.get(profile, True):
                continue
            if self.needs_mfa.get(profile):
                if left <= self.mfa_warn_before and profile not in self._asked:
                    self._asked.add(profile)
                    self.mfaRefreshDue.emit(profile)
            elif (
                left <= self.refresh_before
                and profile not in self._due
                and self._retry_at.get(profile, self.clock()) <= self.clock()
            ):
                self._due.add(profile)
                self.refreshDue.emit(profile)
        self.ticked.emit()
