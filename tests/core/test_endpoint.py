"""The terminals' credential endpoint: real SDK clients in other processes, and every refusal."""

from __future__ import annotations

import http.client
import json
import os
import shlex
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest

from core.clock import utc_now
from core.credentials import TemporaryCredentials
from core.endpoint import ENV_TOKEN, ENV_URI, CredentialEndpoint, shell_lines
from core.engine import Engine
from core.vault import MemoryStore, SessionCache
from tests.conftest import ACCOUNT, ROLECALL, run_cli


@pytest.fixture
def endpoint(aws):
    engine = Engine(cache=SessionCache(MemoryStore()))
    server = CredentialEndpoint(lambda profile: engine.credentials(profile)).start()
    yield server
    server.stop()


def get(server, path="/role", token: str | None = "same", host=None, method="GET"):  # noqa: S107
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    headers = {"Host": host or f"127.0.0.1:{server.port}"}
    if token is not None:
        headers["Authorization"] = server.token if token == "same" else token
    connection.request(method, path, headers=headers)
    answer = connection.getresponse()
    body = json.loads(answer.read() or b"{}")
    connection.close()
    return answer.status, body


def sdk_env(aws, url, token):
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        {
            ENV_URI: url,
            ENV_TOKEN: token,
            "AWS_ENDPOINT_URL": aws.endpoint,
            "AWS_REGION": "eu-west-1",
            "AWS_DEFAULT_REGION": "eu-west-1",
            "AWS_CONFIG_FILE": "/nonexistent",
            "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
        }
    )
    return env


def boto3_caller(aws, url, token) -> str:
    code = "import boto3; print(boto3.client('sts').get_caller_identity()['Arn'])"
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=sdk_env(aws, url, token),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_boto3_in_another_process_follows_the_current_role(aws, endpoint):
    endpoint.use("reader")
    assert ":assumed-role/Reader/" in boto3_caller(aws, endpoint.url(), endpoint.token)
    endpoint.use("partner")  # the same call the window makes when a role is picked
    assert ":assumed-role/Partner/" in boto3_caller(aws, endpoint.url(), endpoint.token)
    assert endpoint.served == {"reader": 1, "partner": 1}


def test_the_aws_cli_gets_the_role_too(aws, endpoint):
    endpoint.use("reader")
    aws_cli = Path(sys.executable).parent / "aws"
    result = subprocess.run(
        [str(aws_cli), "sts", "get-caller-identity", "--output", "json"],
        capture_output=True,
        text=True,
        timeout=120,
        env=sdk_env(aws, endpoint.url(), endpoint.token),
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["Arn"].startswith(
        f"arn:aws:sts::{ACCOUNT}:assumed-role/Reader/"
    )


def test_a_profile_url_stays_on_its_role(aws, endpoint):
    endpoint.use("reader")
    arn = boto3_caller(aws, endpoint.url("partner"), endpoint.token)
    assert ":assumed-role/Partner/" in arn


@pytest.mark.parametrize(
    ("kwargs", "status", "code"),
    [
        ({"token": None}, 401, "MissingToken"),
        ({"token": "not-the-token"}, 403, "BadToken"),
        ({"host": "evil.example.com"}, 403, "BadHost"),
        ({"host": "127.0.0.1:1"}, 403, "BadHost"),
        ({"method": "POST"}, 405, "MethodNotAllowed"),
        ({"method": "PUT"}, 405, "MethodNotAllowed"),
        ({"path": "/role/ghost"}, 404, "UnknownProfile"),
        ({"path": "/role/mfa"}, 503, "MfaRequired"),
        ({"path": "/role"}, 503, "NoCurrentRole"),
        ({"path": "/elsewhere"}, 404, "NotFound"),
        ({"path": "/control/use/admin"}, 403, "BadToken"),
    ],
)
def test_every_refusal_gives_its_status_and_no_credentials(endpoint, kwargs, status, code):
    got_status, body = get(endpoint, **kwargs)
    assert (got_status, body["code"]) == (status, code)
    assert "AccessKeyId" not in body and "SecretAccessKey" not in body
    assert endpoint.current is None


def test_the_reported_expiry_makes_running_sdks_come_back_within_a_minute(aws, endpoint):
    endpoint.use("reader")
    status, body = get(endpoint)
    assert status == 200 and body["RoleArn"].split("/")[1] == "Reader"
    reported = TemporaryCredentials("x", "y", "z", utc_now()).expiration.__class__.fromisoformat(
        body["Expiration"].replace("Z", "+00:00")
    )
    left = reported - utc_now()
    assert timedelta(minutes=15) < left <= timedelta(minutes=16, seconds=1)


def test_a_running_boto3_session_follows_a_switch(aws):
    """botocore asks again when the reported expiry comes within its refresh window; one
    clock, moved by hand, drives both the endpoint's report and botocore's check."""
    import botocore.session

    now = [utc_now()]
    engine = Engine(cache=SessionCache(MemoryStore()))
    server = CredentialEndpoint(
        lambda p: engine.credentials(p), clock=lambda: now[0], current="reader"
    ).start()
    try:
        os.environ[ENV_URI], os.environ[ENV_TOKEN] = server.url(), server.token
        session = botocore.session.Session()
        session.set_config_variable("credentials_file", "/nonexistent")
        session.set_config_variable("config_file", "/nonexistent")
        sts = session.create_client("sts", region_name="eu-west-1")
        assert "/Reader/" in sts.get_caller_identity()["Arn"]
        # the client's credentials tell the time by botocore's clock: ours, for this test
        session.get_credentials()._time_fetcher = lambda: now[0]
        server.use("partner")
        now[0] += timedelta(seconds=30)
        assert "/Reader/" in sts.get_caller_identity()["Arn"]  # not yet: no request per call
        now[0] += server.follow  # follow_seconds after the switch, the next call follows
        assert "/Partner/" in sts.get_caller_identity()["Arn"]
    finally:
        os.environ.pop(ENV_URI, None)
        os.environ.pop(ENV_TOKEN, None)
        server.stop()


def test_never_serves_an_expired_session_and_refreshes_before_expiry(aws):
    now = [utc_now()]
    engine = Engine(cache=SessionCache(MemoryStore(), clock=lambda: now[0]))
    server = CredentialEndpoint(
        lambda p: engine.credentials(p), clock=lambda: now[0], current="reader"
    ).start()
    try:
        first = get(server)[1]
        now[0] += timedelta(minutes=54)  # 6 minutes left: still the same session
        assert get(server)[1]["AccessKeyId"] == first["AccessKeyId"]
        now[0] += timedelta(minutes=2)  # 4 left: refreshed before it runs out
        assert get(server)[1]["AccessKeyId"] != first["AccessKeyId"]
    finally:
        server.stop()
    stale = TemporaryCredentials(
        "ASIASTALE", "s", "t", utc_now() - timedelta(seconds=1), profile="reader"
    )
    server = CredentialEndpoint(lambda p: stale, current="reader").start()
    try:
        status, body = get(server)
        assert (status, body["code"]) == (503, "Expired") and "AccessKeyId" not in body
    finally:
        server.stop()


def test_two_hundred_concurrent_requests_are_all_answered(aws, endpoint, capsys):
    endpoint.use("reader")
    get(endpoint)  # the first one assumes the role; the rest come from the cache

    def one(_):
        start = time.perf_counter()
        status, body = get(endpoint)
        return status, body.get("AccessKeyId"), time.perf_counter() - start

    with ThreadPoolExecutor(max_workers=200) as pool:
        results = list(pool.map(one, range(200)))
    assert all(status == 200 for status, _, _ in results)
    assert len({key for _, key, _ in results}) == 1
    latencies = sorted(t for _, _, t in results)
    assert latencies[-1] < 2.0  # a refused connection backlog shows up here as 1 s or more
    with capsys.disabled():
        print(
            f"\nendpoint: 200 concurrent requests, median {statistics.median(latencies) * 1000:.1f}"
            f" ms, worst {latencies[-1] * 1000:.1f} ms"
        )


def test_shell_lines_unset_what_would_win_over_the_endpoint():
    lines = shell_lines("http://127.0.0.1:5/role", "tok", "env")
    assert lines.startswith("unset AWS_PROFILE ") and f"export {ENV_TOKEN}='tok'" in lines
    assert "set -gx AWS_CONTAINER_CREDENTIALS_FULL_URI 'http://127.0.0.1:5/role';" in shell_lines(
        "http://127.0.0.1:5/role", "tok", "fish"
    )
    assert "$Env:AWS_CONTAINER_AUTHORIZATION_TOKEN = 'tok'" in shell_lines(
        "http://127.0.0.1:5/role", "tok", "powershell"
    )


def test_serve_shell_env_and_use_from_terminals(aws, tmp_path):
    import signal

    run = tmp_path / "run"
    run.mkdir(mode=0o700)
    env = aws.env(XDG_RUNTIME_DIR=str(run))
    serve = subprocess.Popen(
        [*ROLECALL, "serve", "--profile", "reader"],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        printed = ""
        while ENV_TOKEN not in printed:
            printed += serve.stdout.readline()
        info = json.loads((run / "rolecall" / "endpoint.json").read_text())
        assert oct((run / "rolecall" / "endpoint.json").stat().st_mode & 0o777) == "0o600"
        lines = run_cli("shell-env", env=env)
        assert lines.returncode == 0 and lines.stdout == printed
        exported = {
            name: shlex.split(value)[0]
            for name, value in (
                line.removeprefix("export ").split("=", 1)
                for line in lines.stdout.splitlines()
                if line.startswith("export")
            )
        }
        assert exported[ENV_URI] == info["url"] + "/role"
        assert "/Reader/" in boto3_caller(aws, exported[ENV_URI], exported[ENV_TOKEN])
        switched = run_cli("use", "partner", env=env)
        assert switched.returncode == 0, switched.stderr
        assert "/Partner/" in boto3_caller(aws, exported[ENV_URI], exported[ENV_TOKEN])
        unknown = run_cli("use", "ghost", env=env)
        assert unknown.returncode == 2 and "unknown profile 'ghost'" in unknown.stderr
    finally:
        serve.send_signal(signal.SIGINT)
        assert serve.wait(timeout=30) == 0
        serve.stdout.close()
        serve.stderr.close()
    assert not (run / "rolecall" / "endpoint.json").exists()
    gone = run_cli("shell-env", env=env)
    assert gone.returncode == 1 and "no Rolecall endpoint is running" in gone.stderr


def test_a_runtime_folder_that_does_not_exist_leaves_the_endpoint_in_the_keyring(
    tmp_path, monkeypatch
):
    """XDG_RUNTIME_DIR set to a folder that is not there (after `su`, in a container): the
    endpoint is published where it is published without one, not lost in an error."""
    import types

    from core import endpoint as module
    from core import vault

    store = MemoryStore()
    monkeypatch.setattr(vault, "open_keyring", lambda: store)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "not-there"))
    served = types.SimpleNamespace(base_url="http://127.0.0.1:5", token="t", control_token="c")
    assert module.runtime_file() is None
    theirs = tmp_path / "run-of-another-user"  # after `su`: the variable still names theirs
    theirs.mkdir(mode=0o700)
    if os.getuid() == 0:
        os.chown(theirs, 12345, 12345)
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(theirs))
        assert module.runtime_file() is None
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))  # one's own: used
    assert module.runtime_file() == tmp_path / "rolecall" / "endpoint.json"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "not-there"))
    assert module.publish(served) is None  # type: ignore[arg-type]
    assert module.find_running()["url"] == "http://127.0.0.1:5"
    assert not (tmp_path / "not-there").exists()
    module.unpublish()
    assert store.get("endpoint") is None
