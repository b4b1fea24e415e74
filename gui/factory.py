"""The widget factory: labels, buttons and fields made with their object and accessible names.

Object names are what the style sheet, the tests and automation find widgets by, and
accessible names what screen readers say: both are part of the interface, set here once."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtWidgets import QCheckBox, QLabel, QLineEdit, QPushButton, QToolButton, QWidget

W = TypeVar("W", bound=QWidget)


def named(widget: W, name: str = "", accessible: str = "", tip: str = "") -> W:
    """Any widget (a list, a combo box, a text area), given its names and tooltip."""
    if name:
        widget.setObjectName(name)
    if accessible:
        widget.setAccessibleName(accessible)
    if tip:
        widget.setToolTip(tip)
    return widget


def label(
    text: str = "",
    name: str = "",
    *,
    muted: bool = False,
    wrap: bool = False,
    selectable: bool = False,
    hidden: bool = False,
) -> QLabel:
    widget = QLabel(text)
    if name:
        widget.setObjectName(name)
    if muted:
        widget.setProperty("muted", True)
    if wrap:
        widget.setWordWrap(True)
    if selectable:
        from PySide6.QtCore import Qt  # not at import: see gui.widgets

        widget.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if hidden:
        widget.hide()
    return widget


def button(text: str, name: str = "", tip: str = "", primary: bool = False) -> QPushButton:
    """A push button; its accessible name is its text without the mnemonic's '&'."""
    widget = QPushButton(text)
    if name:
        widget.setObjectName(name)
    if tip:
        widget.setToolTip(tip)
    widget.setAccessibleName(text.replace("&", ""))
    if primary:
        widget.setProperty("primary", True)
    return widget


def tool(text: str, name: str, tip: str, accessible: str = "") -> QToolButton:
    widget = QToolButton()
    widget.setText(text)
    widget.setObjectName(name)
    widget.setToolTip(tip)
    widget.setAccessibleName(accessible or text)
    return widget


def check(text: str, name: str, tip: str, accessible: str = "") -> QCheckBox:
    widget = QCheckBox(text)
    widget.setObjectName(name)
    widget.setToolTip(tip)
    widget.setAccessibleName(accessible or text)
    return widget


def line_edit(name: str, accessible: str, tip: str, placeholder: str = "") -> QLineEdit:
    widget = QLineEdit()
    widget.setObjectName(name)
    widget.setAccessibleName(accessible)
    widget.setToolTip(tip)
    if placeholder:
        widget.setPlaceholderText(placeholder)
    return widget
