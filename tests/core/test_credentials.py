"""Temporary credentials: their clock, their secrecy, and every paste format parsed back."""

from __future__ import annotations

import configparser
import json
import subprocess
from datetime import datetime, timedelta, timezone

import pytest

from core.clock import format_remaining
from core.credentials import TemporaryCredentials, environment, render
from tests.helpers.shells import parse_cmd, parse_fish, parse_powershell

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=timezone.utc)
# A secret with every character a shell cares about, to prove the quoting.
CREDS = TemporaryCredentials(
    access_key_id="ASIAEXAMPLEEXAMPLE12",
    secret_access_key="s3cr$t'\"`\\ with; $(rm -rf) spaces",
    session_token="FwoGZXIvYXdzEXAMPLETOKEN+/=",
    expiration=NOW + timedelta(minutes=59, seconds=5),
    assumed_role_arn="arn:aws:sts::123456789012:assumed-role/Reader/alice",
    profile="reader",
    region="eu-west-1",
)


def test_repr_never_shows_the_secret_or_token():
    text = repr(CREDS) + str(CREDS)
    assert CREDS.access_key_id in text
    assert CREDS.secret_access_key not in text and CREDS.session_token not in text


def test_remaining_and_expired_follow_the_injected_clock():
    assert CREDS.remaining(NOW) == timedelta(minutes=59, seconds=5)
    assert not CREDS.expired(NOW)
    assert CREDS.expired(NOW + timedelta(hours=1))
    assert CREDS.remaining(NOW + timedelta(hours=2)) == timedelta(0)


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(0, "00:00"), (59, "00:59"), (3599, "59:59"), (3600, "1:00:00"), (43199, "11:59:59")],
)
def test_countdown_text(seconds, shown):
    assert format_remaining(timedelta(seconds=seconds)) == shown


def test_naive_expiry_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        TemporaryCredentials("A", "B", "C", datetime(2026, 1, 1))


def test_env_format_runs_in_bash_and_sets_exactly_the_values():
    script = (
        render(CREDS, "env") + 'printf "%s\\0" "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" '
        '"$AWS_SESSION_TOKEN" "$AWS_CREDENTIAL_EXPIRATION" "$AWS_REGION" "$AWS_DEFAULT_REGION"'
    )
    out = subprocess.run(["bash", "-c", script], capture_output=True, text=True, check=True)
    assert out.stdout.split("\0")[:-1] == [
        CREDS.access_key_id,
        CREDS.secret_access_key,
        CREDS.session_token,
        "2026-11-28T12:59:05Z",
        "eu-west-1",
        "eu-west-1",
    ]


@pytest.mark.parametrize(("fmt", "parse"), [("fish", parse_fish), ("powershell", parse_powershell)])
def test_fish_and_powershell_lines_parse_back_to_the_values(fmt, parse):
    assert parse(render(CREDS, fmt)) == environment(CREDS)


def test_cmd_lines_parse_back_and_unsafe_values_are_refused():
    plain = TemporaryCredentials("ASIAX", "abc+/=", "tok+/=", NOW, profile="p")
    assert parse_cmd(render(plain, "cmd")) == environment(plain)
    with pytest.raises(ValueError, match=r"cmd\.exe"):
        render(CREDS, "cmd")


def test_ini_block_is_a_credentials_file_section():
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(render(CREDS, "ini"))
    section = parser["reader"]
    assert section["aws_access_key_id"] == CREDS.access_key_id
    assert section["aws_secret_access_key"] == CREDS.secret_access_key
    assert section["aws_session_token"] == CREDS.session_token


def test_json_is_the_credential_process_object():
    data = json.loads(render(CREDS, "json"))
    assert data == {
        "Version": 1,
        "AccessKeyId": CREDS.access_key_id,
        "SecretAccessKey": CREDS.secret_access_key,
        "SessionToken": CREDS.session_token,
        "Expiration": "2026-11-28T12:59:05Z",
    }


def test_cache_serialisation_round_trips():
    assert TemporaryCredentials.from_json(CREDS.to_json()) == CREDS
