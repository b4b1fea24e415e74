"""Quitting by signal is quitting: `rolecall serve` and `rolecall demo-server` take SIGTERM
(`kill`, systemd) and SIGHUP (a logout) as Ctrl-C, and clean up; checked from outside."""

from __future__ import annotations

import json
import os
import signal
import subprocess
from pathlib import Path

import pytest

from core.endpoint import ENV_TOKEN
from tests.conftest import ROLECALL, ROOT, demo_exports, run_cli, start_demo_server

SIGNALS = pytest.mark.parametrize(
    "quit_signal", [signal.SIGTERM, signal.SIGHUP, signal.SIGINT], ids=["TERM", "HUP", "INT"]
)


def start(args: list[str], env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*ROLECALL, *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
    )


@SIGNALS
def test_serve_ends_on_a_quit_signal_and_removes_its_runtime_file(aws, tmp_path, quit_signal):
    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    serve = start(["serve", "--profile", "reader"], aws.env(XDG_RUNTIME_DIR=str(run)))
    try:
        printed = ""
        while ENV_TOKEN not in printed:
            line = serve.stdout.readline()  # type: ignore[union-attr]
            assert line, serve.stderr.read()  # type: ignore[union-attr]
            printed += line
        assert (run / "rolecall" / "endpoint.json").exists()
        serve.send_signal(quit_signal)
        _, err = serve.communicate(timeout=30)
    finally:
        serve.kill()
    assert serve.returncode == 0, err
    assert err.splitlines()[-1] == "rolecall: endpoint stopped"
    assert not (run / "rolecall" / "endpoint.json").exists()


@SIGNALS
def test_demo_server_ends_on_a_quit_signal_and_removes_its_folder(quit_signal):
    _, server = start_demo_server()
    try:
        folder = Path(demo_exports(server)["AWS_CONFIG_FILE"]).parent
        assert (folder / "credentials").exists()
        server.send_signal(quit_signal)
        _, err = server.communicate(timeout=30)
    finally:
        server.kill()
    assert server.returncode == 0, err
    assert err.splitlines()[-1] == "rolecall: demo AWS stopped"
    assert not folder.exists()


def test_a_command_with_demo_runs_the_demo_aws_in_a_child_that_ends_with_it(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(PYTHONPATH=str(ROOT), TMPDIR=str(tmp_path))
    result = run_cli("--demo", "export", "demo-readonly", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["AccessKeyId"].startswith("ASIA")
    assert list(tmp_path.iterdir()) == []  # the demo's folder went with its process
