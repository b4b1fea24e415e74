"""The reference Lambda handler against the demo AWS (IAM policies enforced), and its zip."""

from __future__ import annotations

import configparser
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

READER = "arn:aws:iam::123456789012:role/DynamoDBReadOnly"
NO_DATA = "arn:aws:iam::123456789012:role/NoDataAccess"
PARTNER = "arn:aws:iam::123456789012:role/PartnerAuditor"


@pytest.fixture
def lambda_env(demo_server, monkeypatch):
    """The function's own identity is the demo user, as a Lambda's execution role would be."""
    creds = configparser.ConfigParser()
    creds.read(demo_server.env["AWS_SHARED_CREDENTIALS_FILE"])
    for name in [n for n in list(__import__("os").environ) if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", creds["demo-user"]["aws_access_key_id"])
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", creds["demo-user"]["aws_secret_access_key"])
    monkeypatch.setenv("AWS_ENDPOINT_URL", demo_server.env["AWS_ENDPOINT_URL"])
    monkeypatch.setenv("AWS_REGION", "eu-west-1")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("ROLE_ARN", READER)
    monkeypatch.setenv("TABLE_NAME", "MyTable")
    from core import lambda_handler

    lambda_handler._cache.forget_all()
    return lambda_handler


def call(handler, event):
    answer = handler.lambda_handler(event, None)
    return answer["statusCode"], json.loads(answer["body"])


def test_reads_the_item_with_the_assumed_role(lambda_env):
    status, body = call(lambda_env, {"key": {"id": "123"}})
    assert status == 200
    assert body["id"] == "123" and body["name"] == "Example item"


def test_a_missing_item_is_404(lambda_env):
    status, body = call(lambda_env, {"key": {"id": "does-not-exist"}})
    assert status == 404 and "does-not-exist" in body["message"]


@pytest.mark.parametrize(
    "event",
    [None, {}, {"key": "123"}, {"key": {}}, {"key": {"id": {"$set": []}}}, ["key"]],
)
def test_a_malformed_event_is_400(lambda_env, event):
    status, body = call(lambda_env, event)
    assert status == 400 and body["message"]


def test_a_key_of_the_wrong_shape_is_400(lambda_env):
    status, body = call(lambda_env, {"key": {"wrong": "123"}})
    assert status == 400 and "ValidationException" in body["message"]


def test_access_denied_by_dynamodb_is_403_with_the_action(lambda_env, monkeypatch):
    monkeypatch.setenv("ROLE_ARN", NO_DATA)
    status, body = call(lambda_env, {"key": {"id": "123"}})
    assert status == 403 and body["action"] == "dynamodb:GetItem"


def test_access_denied_by_sts_is_403_with_the_action(lambda_env, monkeypatch):
    monkeypatch.setenv("ROLE_ARN", PARTNER)
    monkeypatch.setenv("EXTERNAL_ID", "guessed-id")
    status, body = call(lambda_env, {"key": {"id": "123"}})
    assert status == 403 and body["action"] == "sts:AssumeRole"


@pytest.mark.parametrize("missing", ["ROLE_ARN", "TABLE_NAME"])
def test_missing_configuration_is_500(lambda_env, monkeypatch, missing):
    monkeypatch.delenv(missing)
    status, body = call(lambda_env, {"key": {"id": "123"}})
    assert status == 500 and missing in body["message"]


def test_warm_invocations_reuse_the_session(lambda_env):
    call(lambda_env, {"key": {"id": "123"}})
    first = lambda_env._cache.get("lambda")
    call(lambda_env, {"key": {"id": "123"}})
    assert lambda_env._cache.get("lambda").access_key_id == first.access_key_id


def test_nothing_secret_is_logged(lambda_env, caplog, monkeypatch):
    caplog.set_level("DEBUG")
    call(lambda_env, {"key": {"id": "123"}})
    monkeypatch.setenv("ROLE_ARN", NO_DATA)
    lambda_env._cache.forget_all()
    call(lambda_env, {"key": {"id": "123"}})
    session = lambda_env._cache.get("lambda")
    text = caplog.text
    import os

    assert os.environ["AWS_SECRET_ACCESS_KEY"] not in text
    assert session.secret_access_key not in text and session.session_token not in text


def test_the_zip_holds_core_only_and_the_handler_imports_from_it(tmp_path):
    out = tmp_path / "lambda.zip"
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build_lambda_zip.py"), str(out)],
        check=True,
        capture_output=True,
    )
    names = zipfile.ZipFile(out).namelist()
    assert "core/lambda_handler.py" in names
    assert all(n.startswith("core/") and n.endswith(".py") for n in names)
    assert not any(n in names for n in ("core/cli.py", "core/demo.py"))
    extracted = tmp_path / "task"
    zipfile.ZipFile(out).extractall(extracted)
    code = (
        "import sys, core.lambda_handler as h\n"
        "print(h.__file__)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('PySide6', 'gui', 'keyring', 'moto', 'tests')))\n"
        "print(h.lambda_handler({'key': {'id': '1'}}, None)['statusCode'])"
    )
    # A fresh process that sees only the zip's files (and the runtime's boto3), as Lambda does.
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        cwd=extracted,
        env={"PYTHONPATH": str(extracted), "PATH": "/usr/bin"},
        check=True,
    )
    file, modules, status = result.stdout.splitlines()
    assert Path(file).is_relative_to(extracted)
    assert modules == "[]"
    assert status == "500"  # no ROLE_ARN in that environment: the handler says so
