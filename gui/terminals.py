"""'Use in terminals': the lines that make every AWS tool follow the role picked here."""

from __future__ import annotations

import os
from typing import Any

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
)

from core.endpoint import ENV_TOKEN, shell_lines

MASKED = "•" * 16


class TerminalsDialog(QDialog):
    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.controller = window.controller
        self.setWindowTitle("Use in terminals")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        intro = QLabel(
            "Paste these lines into a terminal once. From then on the AWS CLI, boto3 "
            "and the other SDKs there get the credentials of the role picked in "
            "Rolecall, and follow when you pick another."
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.enabled = QCheckBox("Serve credentials to terminals (127.0.0.1 only)")
        self.enabled.setObjectName("endpointSwitch")
        self.enabled.setToolTip("Turn the local credential endpoint on or off")
        self.enabled.setAccessibleName("Serve credentials to terminals")
        layout.addWidget(self.enabled)
        self.current = QLabel()
        self.current.setObjectName("endpointCurrent")
        layout.addWidget(self.current)
        row = QHBoxLayout()
        self.format = QComboBox()
        self.format.addItems(["env", "fish", "powershell"])
        self.format.setAccessibleName("Shell")
        self.format.setToolTip("The shell the lines are for")
        self.reveal = QPushButton("Reveal token")
        self.reveal.setCheckable(True)
        self.reveal.setToolTip("Show the endpoint's token in the lines")
        self.copy = QPushButton("Copy")
        self.copy.setObjectName("copyShellLines")
        self.copy.setProperty("primary", True)
        self.copy.setToolTip("Copy the lines (cleared from the clipboard later)")
        row.addWidget(QLabel("Shell"))
        row.addWidget(self.format)
        row.addStretch(1)
        row.addWidget(self.reveal)
        row.addWidget(self.copy)
        layout.addLayout(row)
        self.lines = QPlainTextEdit()
        self.lines.setObjectName("shellLines")
        self.lines.setReadOnly(True)
        self.lines.setAccessibleName("Shell lines")
        self.lines.setMinimumHeight(150)
        layout.addWidget(self.lines)
        self.served = QLabel()
        self.served.setObjectName("endpointServed")
        self.served.setProperty("muted", True)
        layout.addWidget(self.served)
        self.enabled.toggled.connect(self._toggle)
        self.format.currentTextChanged.connect(lambda *_: self.refresh())
        self.reveal.toggled.connect(lambda *_: self.refresh())
        self.copy.clicked.connect(self._copy)
        self.controller.endpointChanged.connect(self.refresh)
        self.controller.sessions.ticked.connect(self.refresh)
        self.refresh()

    def text(self, masked: bool) -> str:
        endpoint = self.controller.endpoint
        if endpoint is None:
            return ""
        token = MASKED if masked else endpoint.token
        local = os.environ.get("AWS_ENDPOINT_URL") if self.window_.demo else None
        return shell_lines(endpoint.url(), token, self.format.currentText(), local)

    def refresh(self) -> None:
        endpoint = self.controller.endpoint
        self.enabled.blockSignals(True)
        self.enabled.setChecked(endpoint is not None)
        self.enabled.blockSignals(False)
        self.copy.setEnabled(endpoint is not None)
        if endpoint is None:
            self.current.setText("The endpoint is off.")
            self.lines.setPlainText("")
            self.served.setText("")
            return
        self.current.setText(
            f"Terminals now get: <b>{endpoint.current or 'no role yet'}</b> · {endpoint.url()}"
        )
        self.lines.setPlainText(self.text(masked=not self.reveal.isChecked()))
        counts = ", ".join(f"{p}: {n}" for p, n in sorted(endpoint.served.items()))
        self.served.setText(f"Requests served: {counts or 'none yet'}")

    def _toggle(self, on: bool) -> None:
        if on:
            self.controller.start_endpoint()
            self.controller.use_in_terminals(self.window_.current_session_profile())
        else:
            self.controller.stop_endpoint()

    def _copy(self) -> None:
        self.window_.copy_text(self.text(masked=False), f"shell lines ({ENV_TOKEN} included)")
