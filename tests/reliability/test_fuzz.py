"""Fuzzing with hypothesis: every paste format, parsed back by the real shell (bash, zsh, fish)
or parser, gives exactly the credentials; the config writer keeps every byte it did not mean to
change through any sequence of edits. (DynamoDB's plain-JSON and DynamoDB-JSON round trips are
fuzzed in tests/core/test_items.py.)"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.configfile import delete_profile, set_profile
from core.credentials import TemporaryCredentials, environment, render
from tests.helpers.shells import parse_cmd, parse_powershell

# What AWS hands out: key ids are upper-case letters and digits; secret keys and session
# tokens are base64 (letters, digits, + / =). The "hostile" alphabet adds what shells care
# about (quotes, $, backticks, backslashes, spaces, any script), to prove the quoting does not
# depend on AWS's restraint.
KEY_ID = st.from_regex(r"ASIA[A-Z0-9]{16}", fullmatch=True)
BASE64 = st.text("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=", min_size=1)
HOSTILE = st.text(
    st.characters(
        min_codepoint=32,
        max_codepoint=0x2FFF,
        # no control characters or line separators: a pasted line ends there in any shell
        blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
    ),
    min_size=1,
    max_size=60,
)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)


def creds(key_id: str, secret: str, token: str) -> TemporaryCredentials:
    return TemporaryCredentials(
        key_id, secret, token, NOW + timedelta(hours=1), profile="fuzz", region="eu-west-1"
    )


SHELLS = {
    "env": ["bash", "-c"],
    "zsh": ["zsh", "-f", "-c"],
    "fish": ["fish", "--no-config", "-c"],
}
PRINT = {
    "env": 'printf "%s\\0" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"',
    "zsh": 'printf "%s\\0" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"',
    "fish": 'printf "%s\\0" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$AWS_SESSION_TOKEN"',
}


def shell(name: str) -> list[str]:
    command = SHELLS[name]
    if shutil.which(command[0]) is None:
        if os.environ.get("ROLECALL_REQUIRE_KEYRING"):  # CI installs every shell
            pytest.fail(f"{command[0]} is not installed")
        pytest.skip(f"{command[0]} is not installed")
    return command


@pytest.mark.parametrize("name", ["env", "zsh", "fish"])
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(key_id=KEY_ID, secret=BASE64 | HOSTILE, token=BASE64 | HOSTILE)
def test_the_shell_reads_back_exactly_the_keys(name, key_id, secret, token):
    command = shell(name)
    c = creds(key_id, secret, token)
    fmt = "fish" if name == "fish" else "env"  # zsh pastes the bash lines
    out = subprocess.run(
        [*command, render(c, fmt) + PRINT[name]], capture_output=True, check=True, timeout=30
    )
    assert out.stdout.decode("utf-8").split("\0")[:-1] == [key_id, secret, token]


@settings(max_examples=200, deadline=None)
@given(key_id=KEY_ID, secret=BASE64 | HOSTILE, token=BASE64 | HOSTILE)
def test_powershell_ini_and_json_read_back_exactly_the_keys(key_id, secret, token):
    c = creds(key_id, secret, token)
    assert parse_powershell(render(c, "powershell")) == environment(c)
    data = json.loads(render(c, "json"))
    assert (data["AccessKeyId"], data["SecretAccessKey"], data["SessionToken"]) == (
        key_id,
        secret,
        token,
    )
    if secret.strip() == secret and token.strip() == token and "\n" not in secret + token:
        parser = configparser.RawConfigParser()
        parser.read_string(render(c, "ini"))
        assert parser["fuzz"]["aws_secret_access_key"] == secret
        assert parser["fuzz"]["aws_session_token"] == token


@settings(max_examples=200, deadline=None)
@given(key_id=KEY_ID, secret=BASE64, token=BASE64)
def test_cmd_reads_back_what_aws_hands_out(key_id, secret, token):
    c = creds(key_id, secret, token)
    assert parse_cmd(render(c, "cmd")) == environment(c)


# ---- the config writer: any sequence of edits --------------------------------------------
NAMES = st.sampled_from(["dev", "prod", "ops", "qa", "sandbox"])
VALUES = st.from_regex(r"[A-Za-z0-9:/._-]{1,16}", fullmatch=True)
EDITS = st.lists(
    st.one_of(
        st.tuples(st.just("set"), NAMES, st.sampled_from(["region", "output", "role_arn"]), VALUES),
        st.tuples(st.just("unset"), NAMES, st.sampled_from(["region", "output"]), st.none()),
        st.tuples(st.just("delete"), NAMES, st.none(), st.none()),
    ),
    min_size=1,
    max_size=12,
)
LEADS = st.sampled_from(["", "# a comment\n", "; tool note\n", "\n", "  \n"])


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lead=LEADS,
    foreign=st.lists(
        st.tuples(NAMES.map(lambda n: "x-" + n), VALUES), max_size=3, unique_by=lambda t: t[0]
    ),
    crlf=st.booleans(),
    edits=EDITS,
)
def test_any_edits_keep_every_other_byte_and_a_parseable_file(
    tmp_path_factory, lead, foreign, crlf, edits
):
    """Sections Rolecall never touches ([sso-session], [services], comments) stay byte for byte;
    the profiles end up as a dict model says they should."""
    path = tmp_path_factory.mktemp("edits") / "config"
    untouched = lead + "".join(
        f"[sso-session {name}]\nsso_region = {value}\n\n" for name, value in foreign
    )
    nl = "\r\n" if crlf else "\n"
    path.write_bytes(untouched.replace("\n", nl).encode())
    model: dict[str, dict[str, str]] = {}
    for op, name, key, value in edits:
        if op == "set":
            set_profile(path, name, {key: value})
            model.setdefault(name, {})[key] = value
        elif op == "unset" and name in model:
            set_profile(path, name, {key: None})
            model[name].pop(key, None)
        elif op == "delete" and name in model:
            delete_profile(path, name)
            del model[name]
    data = path.read_bytes().decode()
    assert data.startswith(untouched.replace("\n", nl).rstrip("\r\n ")) or not untouched.strip()
    if crlf and "\n" in untouched:  # (an empty file shows no line ending to follow)
        assert "\n" not in data.replace("\r\n", "")
    parser = configparser.RawConfigParser()
    parser.read_string(data)
    profiles = {
        s.removeprefix("profile "): dict(parser[s])
        for s in parser.sections()
        if s.startswith("profile ")
    }
    assert profiles == model
    for name, value in foreign:
        assert parser[f"sso-session {name}"]["sso_region"] == value
