"""Headless Chromium opened the way Rolecall opens a role's console (its command line, its
user-data folder, the one-time redirect), against the sign-in and console stand-ins: two roles
side by side, each signed in with its own token and keeping its own cookies."""

from __future__ import annotations

import os
import subprocess
import threading
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from core import console
from core.browsers import Browser, Target, profile_folder
from core.console_standin import console_standin
from core.credentials import TemporaryCredentials
from tests.helpers import chromium

CHROMIUM = chromium.CHROMIUM
if not CHROMIUM and not os.environ.get("ROLECALL_REQUIRE_CHROMIUM"):
    pytest.skip(
        "Debian's chromium is not installed here (.ci/run installs it)", allow_module_level=True
    )

PROD = Target("prod-admin", "111111111111", "AdministratorAccess")
STAGING = Target("staging-readonly", "222222222222", "ReadOnly")


def session(key_id: str) -> TemporaryCredentials:
    return TemporaryCredentials(
        access_key_id=key_id,
        secret_access_key="s" * 40,
        session_token="t" * 40,
        expiration=datetime.now(timezone.utc) + timedelta(hours=1),
        profile="x",
    )


def command_lines_holding(token: str) -> list[str]:
    """Every process's command line (anyone may read them) that holds `token`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            continue
        if any(token.encode() in word for word in words):
            found.append(cmdline.parent.name)
    return found


def open_headless(url: str, target: Target, watch: str, secret: bool = True) -> str:
    """Open `url` as Rolecall does for `target`, headless; the DOM the browser ended on.
    While it runs, no process's command line may hold `watch`."""
    assert CHROMIUM, "chromium is required here (ROLECALL_REQUIRE_CHROMIUM) but not installed"
    seen: dict[str, str] = {}
    leaks: list[str] = []

    def launch(argv: list[str]) -> None:
        full = [argv[0], *chromium.HEADLESS, "--dump-dom", *argv[1:]]
        done = threading.Event()

        def watch_command_lines() -> None:
            while not done.is_set():
                leaks.extend(command_lines_holding(watch))
                done.wait(0.02)  # a look at every process's command line each 20 ms

        watcher = threading.Thread(target=watch_command_lines)
        watcher.start()
        try:
            result = subprocess.run(full, capture_output=True, text=True, timeout=90)
        finally:
            done.set()
            watcher.join()
        seen["dom"] = result.stdout
        seen["argv"] = " ".join(full)

    redirect = console.open_in(
        Browser("chromium", CHROMIUM), url, target, secret=secret, launch=launch
    )
    if redirect is not None:
        assert redirect.wait(0), "the browser never asked for the one-time page"
    assert watch not in seen["argv"]
    assert not leaks, f"the sign-in token was on the command line of process {leaks[0]}"
    return seen["dom"]


def test_two_roles_open_side_by_side_each_signed_in_in_a_folder_of_its_own(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    with console_standin() as standin:
        tokens = {}
        for target, key_id in ((PROD, "ASIAPRODPRODPRODPROD"), (STAGING, "ASIASTAGINGSTAGING00")):
            url = console.signin_url(
                session(key_id), federation_url=standin.federation, destination=standin.console
            )
            tokens[target.profile] = token = standin.token_for(key_id)
            dom = open_headless(url, target, watch=token)
            assert f"signed in as {token}" in dom
        prod, staging = tokens["prod-admin"], tokens["staging-readonly"]
        assert prod != staging
        # Each landed with its own cookie only: staging's browser never sent prod's.
        assert [visit.cookie for visit in standin.visits()] == [prod, staging]
        folders = [profile_folder(PROD), profile_folder(STAGING)]
        assert folders[0] != folders[1] and all(f.is_dir() for f in folders)
        assert all(f.is_relative_to(tmp_path / "data" / "rolecall") for f in folders)

        # Reopened, each role's folder still holds its own sign-in, and only that.
        assert f"signed in as {prod}" in open_headless(standin.console, PROD, prod, secret=False)
        again = open_headless(standin.console, STAGING, staging, secret=False)
        assert f"signed in as {staging}" in again

        # Close console: the role's own folder is signed out; the other stays signed in.
        open_headless(
            console.logout_url(federation_url=standin.federation), PROD, prod, secret=False
        )
        assert "signed in as nobody" in open_headless(standin.console, PROD, prod, secret=False)
        assert f"signed in as {staging}" in open_headless(
            standin.console, STAGING, staging, secret=False
        )
