"""Assuming roles against a moto server over HTTP: sources, MFA, external id, chains, cache."""

from __future__ import annotations

import http.server
import threading
import time
from datetime import timedelta

import pytest

from core.clients import ClientFactory
from core.clock import utc_now
from core.credentials import StaticCredentials
from core.engine import Engine
from core.errors import AwsError, ConfigError, MfaRequired
from core.vault import KeyStore, MemoryStore, SessionCache
from tests.conftest import ACCOUNT, assume_role_calls


@pytest.fixture
def sent(monkeypatch):
    """The AssumeRole parameters each client really sent, read from botocore's own events."""
    calls: list[dict] = []
    original = ClientFactory.client

    def client(self, service, profile, creds, region):
        c = original(self, service, profile, creds, region)
        c.meta.events.register(
            "before-call.sts.AssumeRole", lambda params, **_: calls.append(dict(params["body"]))
        )
        return c

    monkeypatch.setattr(ClientFactory, "client", client)
    return calls


def caller_arn(engine: Engine, creds) -> str:
    sts = engine.factory.client("sts", creds.profile, creds, creds.region or "us-east-1")
    return sts.get_caller_identity()["Arn"]


def test_assume_a_role_from_static_keys(aws):
    engine = Engine()
    creds = engine.credentials("reader")
    assert creds.assumed_role_arn.startswith(f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/")
    assert caller_arn(engine, creds) == creds.assumed_role_arn
    assert creds.profile == "reader" and creds.region == "eu-west-1"
    assert timedelta(minutes=55) < creds.remaining() <= timedelta(hours=1)


def test_external_id_and_session_name_are_sent(aws, sent):
    Engine().credentials("partner")
    assert sent[-1]["ExternalId"] == "partner-4711"
    assert sent[-1]["RoleSessionName"] == "alice"


def test_mfa_code_is_asked_once_and_sent_with_the_serial(aws, sent):
    asked = []
    engine = Engine(cache=SessionCache(MemoryStore()))
    engine.credentials("mfa", mfa_code=lambda role: asked.append(role.name) or "123456")
    engine.credentials("mfa", mfa_code=lambda role: asked.append(role.name) or "123456")
    assert asked == ["mfa"]
    assert sent[-1]["SerialNumber"] == f"arn:aws:iam::{ACCOUNT}:mfa/alice"
    assert sent[-1]["TokenCode"] == "123456"


def test_an_mfa_role_without_a_code_source_says_it_needs_one(aws):
    with pytest.raises(MfaRequired, match="needs an MFA code from arn:aws:iam::"):
        Engine().credentials("mfa")


@pytest.mark.parametrize("code", ["", "12345", "1234567", "12a456"])
def test_a_malformed_mfa_code_is_refused_before_calling_aws(aws, code):
    before = len(assume_role_calls())
    with pytest.raises(ConfigError, match="exactly 6 digits"):
        Engine().credentials("mfa", mfa_code=lambda role: code)
    assert len(assume_role_calls()) == before


def test_chaining_assumes_each_role_in_turn_and_caps_the_duration(aws, sent):
    creds = Engine().credentials("admin")
    assert [c["RoleArn"].rsplit("/", 1)[1] for c in sent[-2:]] == ["Reader", "Admin"]
    assert sent[-1]["DurationSeconds"] == 3600
    assert creds.assumed_role_arn.split("/")[1] == "Admin"


def test_a_chain_loop_fails_before_any_call(aws):
    aws.write_config(f"""
        [profile a]
        role_arn = arn:aws:iam::{ACCOUNT}:role/A
        source_profile = b
        [profile b]
        role_arn = arn:aws:iam::{ACCOUNT}:role/B
        source_profile = a
    """)
    with pytest.raises(ConfigError, match="loop: a -> b -> a"):
        Engine().credentials("a")


def test_the_cache_returns_the_same_session_without_a_new_assume_role(aws):
    engine = Engine(cache=SessionCache(MemoryStore()))
    first = engine.credentials("reader")
    calls = len(assume_role_calls())
    second = engine.credentials("reader")
    assert second.access_key_id == first.access_key_id
    assert len(assume_role_calls()) == calls


def test_past_the_threshold_the_session_is_assumed_again(aws):
    now = [utc_now()]
    cache = SessionCache(MemoryStore(), clock=lambda: now[0])
    engine = Engine(cache=cache)
    first = engine.credentials("reader")
    now[0] = first.expiration - timedelta(minutes=6)
    assert engine.credentials("reader").access_key_id == first.access_key_id
    now[0] = first.expiration - timedelta(minutes=4)
    refreshed = engine.credentials("reader")
    assert refreshed.access_key_id != first.access_key_id
    now[0] = utc_now()
    assert cache.get("reader").access_key_id == refreshed.access_key_id


def test_no_cache_always_assumes(aws):
    engine = Engine(cache=SessionCache(MemoryStore()))
    a = engine.credentials("reader", use_cache=False)
    b = engine.credentials("reader", use_cache=False)
    assert a.access_key_id != b.access_key_id


def test_duration_option_is_checked(aws):
    with pytest.raises(ConfigError, match="900 to 43200"):
        Engine().credentials("reader", duration=60)


def test_keys_kept_in_the_keyring_store_are_the_source(aws):
    aws.write_config(f"""
        [profile person]
        [profile r]
        role_arn = arn:aws:iam::{ACCOUNT}:role/R
        source_profile = person
    """)
    keys = KeyStore(MemoryStore())
    with pytest.raises(ConfigError, match="run `rolecall add-keys person`"):
        Engine(keys=keys).credentials("r")
    keys.set("person", StaticCredentials("AKIAIOSFODNN7EXAMPLE", "x" * 40))
    assert Engine(keys=keys).credentials("r").assumed_role_arn.split("/")[1] == "R"


def test_environment_credential_source(aws, monkeypatch):
    aws.write_config(f"""
        [profile r]
        role_arn = arn:aws:iam::{ACCOUNT}:role/FromEnv
        credential_source = Environment
    """)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAIOSFODNN7EXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "y" * 40)
    assert Engine().credentials("r").assumed_role_arn.split("/")[1] == "FromEnv"


def test_credential_process_source(aws, tmp_path):
    script = tmp_path / "creds.sh"
    script.write_text(
        '#!/bin/sh\necho \'{"Version": 1, "AccessKeyId": "AKIAIOSFODNN7EXAMPLE", '
        '"SecretAccessKey": "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz"}\'\n'
    )
    script.chmod(0o755)
    aws.write_config(f"""
        [profile proc]
        credential_process = {script}
        [profile r]
        role_arn = arn:aws:iam::{ACCOUNT}:role/ViaProcess
        source_profile = proc
    """)
    assert Engine().credentials("r").assumed_role_arn.split("/")[1] == "ViaProcess"


def test_an_sso_source_without_a_sign_in_says_to_sign_in_to_its_portal(aws, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    aws.write_config(f"""
        [profile sso]
        sso_session = corp
        sso_account_id = {ACCOUNT}
        sso_role_name = Dev
        [sso-session corp]
        sso_start_url = https://corp.awsapps.com/start
        sso_region = eu-west-1
        [profile r]
        role_arn = arn:aws:iam::{ACCOUNT}:role/A
        source_profile = sso
    """)
    with pytest.raises(AwsError, match=r"portal 'corp' is missing: run `rolecall sso login corp`"):
        Engine().credentials("r")


def test_an_endpoint_that_does_not_answer_fails_quickly_with_a_sentence(aws, monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{port}")
    start = time.monotonic()
    with pytest.raises(AwsError) as err:
        Engine().credentials("reader")
    assert time.monotonic() - start < 15
    assert str(err.value) == (
        f"assuming the role of profile 'reader' failed: no answer from http://127.0.0.1:{port}/: "
        "check the network, or AWS_ENDPOINT_URL if you set one"
    )


class _DenyingSts(http.server.BaseHTTPRequestHandler):
    """A real HTTP endpoint answering like STS does when the trust policy says no."""

    def do_POST(self):
        self.rfile.read(int(self.headers["Content-Length"]))
        body = (
            b'<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error>'
            b"<Type>Sender</Type><Code>AccessDenied</Code><Message>User: arn:aws:iam::"
            b"123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: "
            b"arn:aws:iam::123456789012:role/Reader</Message></Error></ErrorResponse>"
        )
        self.send_response(403)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_access_denied_is_aws_message_with_a_hint(aws, monkeypatch):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _DenyingSts)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{server.server_port}")
    try:
        with pytest.raises(AwsError) as err:
            Engine().credentials("reader")
    finally:
        server.shutdown()
        server.server_close()
    assert err.value.code == "AccessDenied"
    assert str(err.value) == (
        "assuming the role of profile 'reader' failed: AccessDenied: User: arn:aws:iam::"
        "123456789012:user/alice is not authorized to perform: sts:AssumeRole on resource: "
        "arn:aws:iam::123456789012:role/Reader (check the role's trust policy and that the "
        "source credentials may assume it)"
    )


def test_profile_endpoint_url_is_honoured(aws, monkeypatch):
    monkeypatch.delenv("AWS_ENDPOINT_URL")
    aws.config.write_text(
        aws.config.read_text().replace(
            "[profile reader]\n", f"[profile reader]\nendpoint_url = {aws.endpoint}\n"
        )
    )
    assert Engine().credentials("reader").assumed_role_arn.split("/")[1] == "Reader"
