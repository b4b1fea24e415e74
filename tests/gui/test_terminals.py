"""Terminals follow the window: the endpoint serves the role picked here."""

from __future__ import annotations

import json
import subprocess
import sys

from PySide6.QtGui import QGuiApplication

from core.endpoint import ENV_TOKEN, ENV_URI
from tests.helpers.windows import assume


def caller(aws, url, token) -> str:
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            ENV_URI: url,
            ENV_TOKEN: token,
            "AWS_ENDPOINT_URL": aws.endpoint,
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        }
    )
    code = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_picking_a_role_in_the_window_switches_the_terminals(
    window, qtbot, aws, private_runtime_dir
):
    endpoint = window.controller.endpoint
    assert endpoint is not None and endpoint.current is None
    runtime = private_runtime_dir / "rolecall" / "endpoint.json"
    qtbot.waitUntil(runtime.exists)  # written off the GUI thread
    published = json.loads(runtime.read_text())
    assert published["url"] == endpoint.base_url
    assume(qtbot, window, "reader")
    assert endpoint.current == "reader"
    assert window.endpoint_label.text() == "Terminals: reader"
    assert ":assumed-role/Reader/" in caller(aws, endpoint.url(), endpoint.token)
    assume(qtbot, window, "partner")
    assert ":assumed-role/Partner/" in caller(aws, endpoint.url(), endpoint.token)
    window.select("reader")  # picking a role that has a session switches back
    assert ":assumed-role/Reader/" in caller(aws, endpoint.url(), endpoint.token)


def test_the_panel_masks_the_token_copies_the_lines_and_turns_off(window, qtbot):
    assume(qtbot, window, "reader")
    dialog = window.terminals()
    qtbot.addWidget(dialog)
    token = window.controller.endpoint.token
    assert token not in dialog.lines.toPlainText()
    assert f"export {ENV_URI}=" in dialog.lines.toPlainText()
    assert "reader" in dialog.current.text()
    dialog.copy.click()
    assert token in QGuiApplication.clipboard().text()
    dialog.enabled.setChecked(False)
    assert window.controller.endpoint is None and dialog.lines.toPlainText() == ""
    assert window.endpoint_label.text() == "Terminals: off"
    dialog.enabled.setChecked(True)
    assert window.controller.endpoint.current == "reader"
