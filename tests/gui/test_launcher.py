"""The launcher: the `rolecall` command hands the window's start to the CLI, and reads the
config ahead in a forked child while Qt loads."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from core.errors import ConfigError
from core.profiles import load_config
from gui import launcher
from tests.conftest import ACCOUNT

READ_AHEAD = """
import json, sys
from core.profiles import load_config
from gui.launcher import read_ahead
from core.errors import ConfigError
first = read_ahead()
try:
    config = first()
except ConfigError as exc:
    print(json.dumps({"error": str(exc)}))
    sys.exit()
parsed_here = "botocore.configloader" in sys.modules
print(json.dumps({
    "same": config == load_config(),
    "parsed_here": parsed_here,
    "roles": sorted(config.roles),
    "problems": [str(p) for p in config.problems],
    "settings": sorted({k for s in config.profiles.values() for k in s}),
    "static": sorted(config.static_key_profiles),
}))
"""


def read_ahead_in_a_process() -> dict:
    """As the app does it: first thing in a fresh, single-threaded process (the `aws`
    fixture's environment names the files)."""
    out = subprocess.run(
        [sys.executable, "-c", READ_AHEAD], capture_output=True, text=True, check=True
    )
    return json.loads(out.stdout)


def test_reading_ahead_gives_what_load_config_gives_parsed_in_another_process(aws):
    aws.write_config(
        f"""
        [profile base]
        region = eu-west-1

        [profile reader]
        role_arn = arn:aws:iam::{ACCOUNT}:role/Reader
        source_profile = base

        [profile broken]
        role_arn = arn:aws:iam::{ACCOUNT}:role/Broken
        source_profile = nowhere
        duration_seconds = 99
        """
    )
    got = read_ahead_in_a_process()
    assert got["same"] is True
    assert got["parsed_here"] is False  # botocore parsed it in the forked child
    assert got["roles"] == ["broken", "reader"]
    assert any("nowhere" in p for p in got["problems"])
    # The credentials file's secret does not cross the pipe; that the profile has keys does.
    assert got["static"] == ["base"]
    assert "aws_secret_access_key" not in got["settings"]


def test_reading_ahead_a_broken_config_raises_the_same_sentence(aws):
    aws.config.write_bytes(b"[profile a\nrole_arn = x\n")
    with pytest.raises(ConfigError) as expected:
        load_config()
    assert read_ahead_in_a_process() == {"error": str(expected.value)}


def test_the_launcher_hands_the_window_start_to_the_cli(monkeypatch):
    started = []
    monkeypatch.setattr(launcher, "start_window", lambda **how: started.append(how) or 0)
    assert launcher.main(["--exit-when-shown"]) == 0
    assert started == [{"demo": False, "exit_when_shown": True, "theme": None}]
