"""Light and dark looks: a Fusion palette plus the stylesheet in resources/, following the
system's colour scheme unless the person picked one."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtGui import QColor, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication

if TYPE_CHECKING:
    from PySide6.QtGui import QIcon

    from gui.settings import Settings

LIGHT = {
    "window": "#f6f7f9",
    "sidebar": "#eef0f3",
    "base": "#ffffff",
    "button": "#ffffff",
    "text": "#1d2026",
    "muted": "#6b7280",
    "border": "#d9dde3",
    "accent": "#2563eb",
    "ok": "#16a34a",
    "warning": "#d97706",
    "critical": "#dc2626",
    "criticalBg": "#fde8e8",
    "warningBg": "#fef3c7",
    "badge": "#e5e9f0",
    "selection": "#dbe6fd",
}
DARK = {
    "window": "#1b1d22",
    "sidebar": "#202329",
    "base": "#262a31",
    "button": "#2d3139",
    "text": "#e6e8eb",
    "muted": "#9aa1ac",
    "border": "#3a3f48",
    "accent": "#3b82f6",
    "ok": "#22c55e",
    "warning": "#f59e0b",
    "critical": "#f87171",
    "criticalBg": "#3b2024",
    "warningBg": "#3a3020",
    "badge": "#343a44",
    "selection": "#2b3a55",
}

current = dict(LIGHT)
_guess: bool | None = None  # the first frame's guess that the system is dark, to be confirmed
STYLE = "Fusion"  # the app is made with it (gui.app): setStyle would build QStyle's enums (~5 ms)


def _resource(name: str) -> Path:
    import resources

    return Path(resources.__file__).parent / name


def resource_text(name: str) -> str:
    return _resource(name).read_text(encoding="utf-8")


def icon(name: str) -> QIcon:
    from PySide6.QtGui import QIcon  # not in the first frame: its enums cost it ~2 ms

    return QIcon(str(_resource(name)))


def system_is_dark() -> bool:
    from PySide6.QtCore import Qt  # not at import, nor in the first frame: see gui.widgets

    return QGuiApplication.styleHints().colorScheme() == Qt.ColorScheme.Dark


def palette_is_dark() -> bool:
    """Whether the palette the desktop gave the app is dark: what its colour scheme makes it
    on the platforms that have one (Fusion's own turns dark with it), asked without the Qt
    namespace's enums. Only before `apply`, which sets the app's own."""
    return QGuiApplication.palette().color(QPalette.ColorRole.Window).lightness() < 128


def apply(app: QApplication, choice: str = "system", guess: bool = False) -> str:
    """Apply `light`, `dark` or the `system` scheme (palette and style sheet, over the STYLE the
    app has); returns the one applied. With `guess`, the system's scheme is read from its
    palette (the first frame's way); `confirm` checks it later."""
    global _guess
    system = choice == "system" and (palette_is_dark() if guess else system_is_dark())
    _guess = system if guess and choice == "system" else None
    dark = choice == "dark" or system
    colors = DARK if dark else LIGHT
    current.clear()
    current.update(colors)
    palette = QPalette()
    roles = {
        QPalette.ColorRole.Window: colors["window"],
        QPalette.ColorRole.WindowText: colors["text"],
        QPalette.ColorRole.Base: colors["base"],
        QPalette.ColorRole.AlternateBase: colors["sidebar"],
        QPalette.ColorRole.Text: colors["text"],
        QPalette.ColorRole.Button: colors["button"],
        QPalette.ColorRole.ButtonText: colors["text"],
        QPalette.ColorRole.Highlight: colors["selection"],
        QPalette.ColorRole.HighlightedText: colors["text"],
        QPalette.ColorRole.ToolTipBase: colors["base"],
        QPalette.ColorRole.ToolTipText: colors["text"],
        QPalette.ColorRole.PlaceholderText: colors["muted"],
        QPalette.ColorRole.Link: colors["accent"],
    }
    for role, value in roles.items():
        palette.setColor(role, QColor(value))
    palette.setColor(
        QPalette.ColorGroup.Disabled, QPalette.ColorRole.ButtonText, QColor(colors["muted"])
    )
    palette.setColor(QPalette.ColorGroup.Disabled, QPalette.ColorRole.Text, QColor(colors["muted"]))
    app.setPalette(palette)
    sheet = resource_text("style.qss")
    for name, value in colors.items():
        sheet = sheet.replace(f"@{name}@", value)
    app.setStyleSheet(sheet)
    return "dark" if dark else "light"


def confirm() -> None:
    """After the first frame: a guessed system scheme is checked against the colour scheme the
    desktop names, and the right one applied if they differ."""
    global _guess
    guess, _guess = _guess, None
    app = QApplication.instance()
    if guess is not None and isinstance(app, QApplication) and system_is_dark() != guess:
        apply(app, "system")


def follow(settings: Settings) -> None:
    """Apply the theme again whenever the preference is set (not now: the app applied it at
    start, or the one `--theme` asked for)."""
    settings.watch("theme", _apply_choice, now=False)


def _apply_choice(choice: str) -> None:
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply(app, choice)


def color(name: str) -> QColor:
    return QColor(current[name])
