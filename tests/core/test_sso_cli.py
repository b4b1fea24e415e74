"""`rolecall sso …` and SSO profiles from the command line, each run a process of its own,
against the stand-in portal and moto, with the real keyring holding the sign-in."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from core.profiles import load_config
from core.sso import Tokens, find_portal
from tests.conftest import ACCOUNT, ROOT, STANDARD_CONFIG, run_cli
from tests.helpers.portal import PROD, cli_sign_in, portal_config, start_portal


@pytest.fixture
def standin(aws, monkeypatch, real_keyring, tmp_path):
    server = start_portal(aws.endpoint)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO", server.url)
    monkeypatch.setenv("AWS_ENDPOINT_URL_SSO_OIDC", server.url)
    home = tmp_path / "home"
    (home / ".aws").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    aws.write_config(STANDARD_CONFIG + portal_config(server.url))
    portal = find_portal(load_config(), "corp")
    Tokens(real_keyring).delete(portal)
    for name in ("dev", "via-dev", "prod/Admin"):
        real_keyring.delete(f"session:{name}")
    yield server
    Tokens(real_keyring).delete(portal)
    server.stop()


def test_login_then_export_exec_credential_process_and_the_aws_cli(standin, aws, real_keyring):
    said = cli_sign_in(standin)
    assert "signed in to portal 'corp'" in said
    token = Tokens(real_keyring).get(find_portal(load_config(), "corp"))
    assert token is not None and token.refresh_token  # the sign-in is in the keyring
    exported = run_cli("export", "dev")
    assert exported.returncode == 0, exported.stderr
    assert "AWS_SESSION_TOKEN=" in exported.stdout
    ran = run_cli(
        "exec",
        "dev",
        "--",
        sys.executable,
        "-c",
        "import os; print(os.environ['AWS_ACCESS_KEY_ID'])",
    )
    assert ran.returncode == 0 and ran.stdout.strip(), ran.stderr
    process = run_cli("credential-process", "via-dev")
    assert process.returncode == 0, process.stderr
    assert json.loads(process.stdout)["Version"] == 1
    with aws.config.open("a") as f:
        f.write(
            f"\n[profile cli-dev]\ncredential_process = {sys.executable} -m core.cli "
            "credential-process dev\nregion = eu-west-1\n"
        )
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    who = subprocess.run(
        [
            str(Path(sys.executable).parent / "aws"),
            "sts",
            "get-caller-identity",
            "--profile",
            "cli-dev",
            "--output",
            "json",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
    )
    assert who.returncode == 0, who.stderr
    assert json.loads(who.stdout)["Account"] == ACCOUNT
    # no file under HOME holds a token or the client secret
    home = Path(os.environ["HOME"])
    for path in [p for p in home.rglob("*") if p.is_file()]:
        data = path.read_bytes()
        for secret in (token.access_token, token.refresh_token, token.client_secret):
            assert secret.encode() not in data, path


def test_accounts_and_sync_write_profiles_the_cli_and_rolecall_use(standin, aws):
    cli_sign_in(standin)
    listed = run_cli("sso", "accounts", "corp", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert {(r["account_id"], r["role_name"]) for r in rows} == {
        (PROD, "Admin"),
        (PROD, "ReadOnly"),
        (ACCOUNT, "Developer"),
        (ACCOUNT, "ReadOnly"),
    }
    assert next(r for r in rows if r["role_name"] == "Developer")["profile"] == "dev"
    table = run_cli("sso", "accounts", "corp")
    assert "prod" in table.stdout and "4 role(s) in 2 account(s)" in table.stderr
    dry = run_cli("sso", "sync", "corp", "--dry-run")
    before = aws.config.read_bytes()
    assert dry.returncode == 0 and "would add [profile prod/Admin]" in dry.stderr
    assert aws.config.read_bytes() == before
    synced = run_cli("sso", "sync", "corp")
    assert synced.returncode == 0, synced.stderr
    text = aws.config.read_text()
    assert "[profile prod/Admin]" in text and "rolecall_sso_sync = corp" in text
    assert text.startswith(before.decode())  # what was there stays, byte for byte
    exported = run_cli("export", "prod/Admin")
    assert exported.returncode == 0, exported.stderr
    again = run_cli("sso", "sync", "corp")
    assert "0 added, 0 updated, 0 removed" in again.stderr


def test_without_a_sign_in_the_commands_name_the_login(standin):
    result = run_cli("export", "dev")
    assert result.returncode == 2
    assert "rolecall: error: the sign-in to portal 'corp' is missing" in result.stderr
    assert "`rolecall sso login corp`" in result.stderr


def test_logout_removes_the_sign_in_and_its_sessions(standin, real_keyring):
    cli_sign_in(standin)
    assert run_cli("export", "dev").returncode == 0
    assert real_keyring.get("session:dev")
    out = run_cli("sso", "logout", "corp")
    assert out.returncode == 0, out.stderr
    assert "signed out of portal 'corp'" in out.stderr
    assert Tokens(real_keyring).get(find_portal(load_config(), "corp")) is None
    assert not real_keyring.get("session:dev")
    assert ("POST", "/logout") in standin.requests
    assert run_cli("export", "dev").returncode == 2


def test_an_unknown_portal_is_a_usage_sentence(standin):
    result = run_cli("sso", "login", "nope")
    assert result.returncode == 2
    assert "no IAM Identity Center portal 'nope'" in result.stderr and "corp" in result.stderr


def test_a_portal_added_from_the_command_line_signs_in_and_lists(standin, aws):
    aws.write_config(STANDARD_CONFIG)
    kept = aws.config.read_text()
    added = run_cli(
        "sso", "add", "corp", "--start-url", f"{standin.url}/start", "--region", "eu-west-1"
    )
    assert added.returncode == 0, added.stderr
    assert added.stderr == (
        f"rolecall: added portal 'corp' to {aws.config}; sign in with `rolecall sso login corp`\n"
    )
    assert aws.config.read_text().startswith(kept)
    assert "signed in to portal 'corp'" in cli_sign_in(standin)
    listed = run_cli("sso", "accounts", "corp", "--json")
    assert listed.returncode == 0, listed.stderr
    assert {r["role_name"] for r in json.loads(listed.stdout)} >= {"Admin", "ReadOnly"}
    again = run_cli(
        "sso", "add", "corp", "--start-url", "https://x.awsapps.com/start", "--region", "us-east-1"
    )
    assert (again.returncode, again.stderr) == (
        2,
        f"rolecall: error: a portal named 'corp' is already in {aws.config}\n",
    )
