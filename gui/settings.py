"""Preferences in QSettings, and a signal when one changes. Never a secret here: keys live in
the keyring or in memory."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from PySide6.QtCore import QObject, QSettings, Signal

DEFAULTS: dict[str, Any] = {
    "clipboard_timeout": 30,
    "lock_minutes": 15,  # hide revealed secrets after this long without input; 0: never
    "copy_format": "env",
    "refresh_minutes": 10,
    "mfa_warn_minutes": 5,
    "session_duration": 0,  # 0: the role's own duration_seconds (or AWS's one hour)
    "start_in_tray": False,
    "theme": "system",
    "sso_device_code": False,  # sign in to portals with a code instead of the browser
    "sso_share_with_cli": False,  # also write the AWS CLI's ~/.aws/sso/cache (off: keyring only)
    "console_browser": "default",  # for roles without console_browser: default, firefox, …
    "console_template": "",  # the command for console_browser = template, with {url}
    "console_sign_out_on_end": False,  # End session also signs the role's console out
    "history_values": True,  # the browser's history keeps the values typed (keys, filters)
}
RECENT_SERVICES = 5
THEMES = ("system", "light", "dark")


class Settings(QObject):
    """The preferences, read with their defaults and checked; `changed` says each one set."""

    changed = Signal(str, object)  # the preference's name, and its value as get() reads it

    def __init__(self, qsettings: QSettings | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.q = qsettings or QSettings("Rolecall", "rolecall")
        self._watchers: dict[str, list[Callable[[Any], None]]] = {}
        self.changed.connect(self._tell_watchers)

    def watch(self, name: str, apply: Callable[[Any], None], now: bool = True) -> None:
        """Call `apply` with the preference `name` (now too, unless `now` is False) and again
        with its new value whenever it is set."""
        if name not in DEFAULTS:
            raise KeyError(name)
        self._watchers.setdefault(name, []).append(apply)
        if now:
            apply(self.get(name))

    def _tell_watchers(self, name: str, value: Any) -> None:
        for apply in self._watchers.get(name, ()):
            apply(value)

    def get(self, name: str) -> Any:
        default = DEFAULTS[name]
        value = self.q.value(name, default)
        if isinstance(default, bool):
            return value in (True, "true", "1", 1)
        if isinstance(default, int):
            try:
                return int(value) if isinstance(value, int | float | str | bytes) else default
            except ValueError:
                return default
        if name == "copy_format":
            from core.credentials import FORMATS  # not at import: see gui.mainwindow

            return value if value in FORMATS else default
        if name == "theme" and value not in THEMES:
            return default
        return str(value)

    def set(self, name: str, value: Any) -> None:
        if name not in DEFAULTS:
            raise KeyError(name)
        self.q.setValue(name, value)
        self.changed.emit(name, self.get(name))

    def auto_refresh(self, profile: str) -> bool:
        return self.q.value(f"auto_refresh/{profile}", True) in (True, "true", "1", 1)

    def set_auto_refresh(self, profile: str, on: bool) -> None:
        self.q.setValue(f"auto_refresh/{profile}", on)

    def recent_services(self, profile: str) -> list[str]:
        """The console services last opened for `profile`, the latest first."""
        value = self.q.value(f"console_services/{profile}", "")
        return [s for s in str(value or "").split(",") if s]

    def used_service(self, profile: str, service: str) -> None:
        recent = [service, *(s for s in self.recent_services(profile) if s != service)]
        self.q.setValue(f"console_services/{profile}", ",".join(recent[:RECENT_SERVICES]))

    def operations(self, profile: str, table: str) -> str:
        """The browser's history and saved operations of `profile` on `table` (core.history's
        Shelf as text)."""
        return str(self.q.value(_operations_key(profile, table), "") or "")

    def set_operations(self, profile: str, table: str, text: str) -> None:
        self.q.setValue(_operations_key(profile, table), text)


def _operations_key(profile: str, table: str) -> str:
    return f"operations/{quote(profile, safe='')}/{quote(table, safe='')}"
