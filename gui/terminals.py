"""'Use in terminals': the lines that make every AWS tool follow the role picked here."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QComboBox, QDialog, QHBoxLayout, QPlainTextEdit, QVBoxLayout

from core.endpoint import ENV_TOKEN, shell_lines
from gui import factory

if TYPE_CHECKING:
    from gui.mainwindow import MainWindow

MASKED = "•" * 16


# The demo's private AWS files: code copied from its browser names its profiles.
DEMO_FILES = ("AWS_CONFIG_FILE", "AWS_SHARED_CREDENTIALS_FILE")


class TerminalsDialog(QDialog):
    """The endpoint switch, the role terminals get now, and the lines to paste (token masked
    until revealed)."""

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.controller = window.controller
        self.setWindowTitle("Use in terminals")
        self.setMinimumWidth(620)
        layout = QVBoxLayout(self)
        intro = factory.label(
            "Paste these lines into a terminal once. From then on the AWS CLI, boto3 "
            "and the other SDKs there get the credentials of the role picked in "
            "Rolecall, and follow when you pick another.",
            wrap=True,
        )
        layout.addWidget(intro)
        self.enabled = factory.check(
            "Serve credentials to terminals (127.0.0.1 only)",
            "endpointSwitch",
            "Turn the local credential endpoint on or off",
            accessible="Serve credentials to terminals",
        )
        layout.addWidget(self.enabled)
        self.current = factory.label(name="endpointCurrent")
        layout.addWidget(self.current)
        row = QHBoxLayout()
        self.format = factory.named(QComboBox(), "", "Shell", "The shell the lines are for")
        self.format.addItems(["env", "fish", "powershell"])
        self.reveal = factory.button("Reveal token", tip="Show the endpoint's token in the lines")
        self.reveal.setCheckable(True)
        self.copy = factory.button(
            "Copy",
            "copyShellLines",
            "Copy the lines (cleared from the clipboard later)",
            primary=True,
        )
        row.addWidget(factory.label("Shell"))
        row.addWidget(self.format)
        row.addStretch(1)
        row.addWidget(self.reveal)
        row.addWidget(self.copy)
        layout.addLayout(row)
        self.lines = factory.named(QPlainTextEdit(), "shellLines", "Shell lines")
        self.lines.setReadOnly(True)
        self.lines.setMinimumHeight(150)
        layout.addWidget(self.lines)
        self.served = factory.label(name="endpointServed", muted=True)
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
        files = (
            {k: os.environ[k] for k in DEMO_FILES if k in os.environ} if self.window_.demo else {}
        )
        return shell_lines(endpoint.url(), token, self.format.currentText(), local, files)

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
