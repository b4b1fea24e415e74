"""Items as JSON: the highlighter of the item panel and the editor of an item or one of
its attributes (plain JSON, exact; what cannot be stored exactly is refused)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QRegularExpression
from PySide6.QtGui import QSyntaxHighlighter, QTextCharFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from gui import theme


class JsonHighlighter(QSyntaxHighlighter):
    """Keys, strings, numbers, literals and Rolecall's $binary/$set tags in colour."""

    def __init__(self, document: Any) -> None:
        super().__init__(document)
        self.rules: list[tuple[QRegularExpression, QTextCharFormat]] = []
        # Later rules win: numbers and literals first, then strings over them, then keys.
        for pattern, color, bold in (
            (r"-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b", "warning", False),
            (r"\b(?:true|false|null)\b", "accent", True),
            (r'"(?:[^"\\]|\\.)*"', "ok", False),
            (r'"(?:[^"\\]|\\.)*"(?=\s*:)', "accent", False),
            (r'"\$(?:binary|set)"|"(?:S|N|B|SS|NS|BS|M|L|NULL|BOOL)"(?=\s*:)', "critical", True),
        ):
            fmt = QTextCharFormat()
            fmt.setForeground(theme.color(color))
            fmt.setFontWeight(700 if bold else 400)
            self.rules.append((QRegularExpression(pattern), fmt))

    def highlightBlock(self, text: str) -> None:  # noqa: N802
        for pattern, fmt in self.rules:
            matches = pattern.globalMatch(text)
            while matches.hasNext():
                m = matches.next()
                self.setFormat(m.capturedStart(), m.capturedLength(), fmt)


class JsonEditor(QDialog):
    """Edit an item or one attribute as plain JSON; what cannot be stored exactly is refused."""

    def __init__(self, title: str, text: str, hint: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.resize(620, 520)
        layout = QVBoxLayout(self)
        label = QLabel(hint)
        label.setWordWrap(True)
        label.setProperty("muted", True)
        layout.addWidget(label)
        self.edit = QPlainTextEdit(text)
        self.edit.setObjectName("jsonEditor")
        self.edit.setAccessibleName("JSON")
        self.highlighter = JsonHighlighter(self.edit.document())
        layout.addWidget(self.edit, 1)
        self.error = QLabel()
        self.error.setObjectName("errorLabel")
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def text(self) -> str:
        return self.edit.toPlainText()
