"""The embedded demo AWS, used from another process exactly as a person would."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import run_cli


def python(demo, code: str, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code), *args],
        capture_output=True,
        text=True,
        env=demo.env,
        timeout=120,
    )


def test_demo_server_prints_lines_that_point_elsewhere_than_the_real_config(demo_server):
    env = demo_server.env
    assert env["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert "rolecall-demo-" in env["AWS_CONFIG_FILE"]
    assert env["ROLECALL_SESSION_STORE"] == "memory"


def test_the_cli_lists_the_demo_roles(demo_server):
    result = run_cli("list", "--json", env=demo_server.env)
    assert result.returncode == 0, result.stderr
    rows = {r["profile"]: r for r in json.loads(result.stdout)}
    assert sorted(rows) == [
        "demo-admin",
        "demo-chained",
        "demo-mfa",
        "demo-nodata",
        "demo-partner",
        "demo-readonly",
    ]
    assert rows["demo-mfa"]["mfa"] and rows["demo-partner"]["external_id"]
    assert rows["demo-chained"]["chained"]


def test_every_demo_role_can_be_assumed_from_the_cli(demo_server):
    for profile in ("demo-readonly", "demo-admin", "demo-partner", "demo-chained", "demo-nodata"):
        result = run_cli("export", profile, "--format", "json", env=demo_server.env)
        assert result.returncode == 0, result.stderr
    mfa = run_cli("export", "demo-mfa", "--mfa-code", "123456", env=demo_server.env)
    assert mfa.returncode == 0, mfa.stderr


READ_AS = """
    import subprocess, sys, json, os
    from core.engine import Engine
    engine = Engine()
    creds = engine.credentials(sys.argv[1], mfa_code=lambda r: "123456")
    db = engine.dynamodb(creds)
"""


def test_the_seeded_tables_hold_every_dynamodb_type(demo_server):
    result = python(
        demo_server,
        READ_AS
        + """
    from core.items import to_plain_json
    items = [i for p in db.scan("Orders") for i in p.items]
    kinds = {k for i in items for v in i.values() for k in v}
    print(json.dumps({"count": len(items), "kinds": sorted(kinds),
                      "tables": sorted(db.list_tables()),
                      "item": db.get("MyTable", {"id": {"S": "123"}}),
                      "big": any(v.get("N") == "12345678901234567890123456789012345678"
                                 for i in items for v in i.values()),
                      "empty": any(i.get("gift_note") == {"S": ""} for i in items),
                      "null": any(i.get("gift_note") == {"NULL": True} for i in items),
                      "missing": any("gift_note" not in i for i in items)}))
    """,
        "demo-readonly",
    )
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert seen["count"] == 3000
    assert seen["kinds"] == ["B", "BOOL", "BS", "L", "M", "N", "NS", "NULL", "S", "SS"]
    assert seen["tables"] == ["Customers", "MyTable", "Orders"]
    assert seen["item"]["id"] == {"S": "123"}
    assert seen["big"] and seen["empty"] and seen["null"] and seen["missing"]


def test_the_read_only_role_really_gets_access_denied_on_a_write(demo_server):
    code = (
        READ_AS
        + """
    from core.errors import AwsError
    try:
        db.put("MyTable", {"id": {"S": "written-by-" + sys.argv[1]}})
        print("written")
    except AwsError as exc:
        print(exc.code, exc)
    """
    )
    readonly = python(demo_server, code, "demo-readonly")
    assert readonly.stdout.startswith("AccessDenied"), readonly.stderr
    assert "not authorized to perform: dynamodb:PutItem" in readonly.stdout
    admin = python(demo_server, code, "demo-admin")
    assert admin.stdout.strip() == "written", admin.stderr


def test_the_partner_role_refuses_a_wrong_external_id(demo_server, tmp_path):
    # moto checks the trust policy's sts:ExternalId when one is sent (not when it is left out).
    config = Path(demo_server.env["AWS_CONFIG_FILE"]).read_text()
    (tmp_path / "config").write_text(config.replace("= rolecall-demo-partner", "= guessed-id"))
    env = {**demo_server.env, "AWS_CONFIG_FILE": str(tmp_path / "config")}
    result = run_cli("export", "demo-partner", env=env)
    assert result.returncode == 1
    assert "AccessDenied" in result.stderr and "sts:AssumeRole" in result.stderr


def test_quitting_while_the_demo_aws_starts_leaves_no_process_and_no_folder(tmp_path, monkeypatch):
    import tempfile

    from core import demo

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    starting = demo.spawn()
    assert starting.folder.parent == tmp_path and starting.process.poll() is None
    demo.deactivate()  # as the app does when it quits before the demo is ready
    assert starting.process.poll() is not None
    assert list(tmp_path.iterdir()) == []


def start_page(portal: str) -> tuple[int, str]:
    """What a browser gets at the portal's start address."""
    import http.client
    import urllib.parse

    connection = http.client.HTTPConnection(urllib.parse.urlsplit(portal).netloc, timeout=10)
    try:
        connection.request("GET", "/start")
        answer = connection.getresponse()
        return answer.status, answer.read().decode()
    finally:
        connection.close()


def test_the_demo_server_announces_its_identity_center_portal(demo_server):
    import configparser

    env = demo_server.env
    portal = env["AWS_ENDPOINT_URL_SSO"]
    assert portal.startswith("http://127.0.0.1:") and portal != env["AWS_ENDPOINT_URL"]
    assert env["AWS_ENDPOINT_URL_SSO_OIDC"] == portal
    config = configparser.ConfigParser()
    config.read(env["AWS_CONFIG_FILE"])
    assert dict(config["sso-session demo-portal"]) == {
        "sso_start_url": f"{portal}/start",
        "sso_region": "eu-west-1",
        "sso_registration_scopes": "sso:account:access",
    }
    status, page = start_page(portal)
    assert status == 200 and "Rolecall demo portal" in page


def test_a_spawned_demo_tells_its_parent_where_the_portal_is(tmp_path, monkeypatch):
    import tempfile

    from core import demo

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    try:
        running = demo.spawn().wait_ready()
        assert running.portal.startswith("http://127.0.0.1:")
        assert running.environment["AWS_ENDPOINT_URL_SSO"] == running.portal
        assert running.environment["AWS_ENDPOINT_URL_SSO_OIDC"] == running.portal
        assert start_page(running.portal)[0] == 200
    finally:
        demo.deactivate()
    assert list(tmp_path.iterdir()) == []


SIGN_IN_TO_THE_PORTAL = """
    import http.client, json, os, urllib.parse
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    # No endpoint_url: botocore finds the stand-in through AWS_ENDPOINT_URL_SSO(_OIDC).
    boto3.setup_default_session(region_name=os.environ["AWS_REGION"])
    unsigned = Config(signature_version=UNSIGNED)
    oidc = boto3.client("sso-oidc", config=unsigned)
    sso = boto3.client("sso", config=unsigned)
    client = oidc.register_client(clientName="demo-test", clientType="public",
                                  scopes=["sso:account:access"])
    device = oidc.start_device_authorization(
        clientId=client["clientId"], clientSecret=client["clientSecret"],
        startUrl=os.environ["AWS_ENDPOINT_URL_SSO"] + "/start")
    # The person's part: type the code on the portal's /device page and press Allow.
    page = http.client.HTTPConnection(urllib.parse.urlsplit(device["verificationUri"]).netloc)
    page.request("POST", "/device/allow", urllib.parse.urlencode({"user_code": device["userCode"]}),
                 {"Content-Type": "application/x-www-form-urlencoded"})
    assert page.getresponse().status == 200
    token = oidc.create_token(
        grantType="urn:ietf:params:oauth:grant-type:device_code", deviceCode=device["deviceCode"],
        clientId=client["clientId"], clientSecret=client["clientSecret"])["accessToken"]
    seen = {}
    for account in sso.list_accounts(accessToken=token)["accountList"]:
        roles = sso.list_account_roles(accessToken=token, accountId=account["accountId"])
        for role in roles["roleList"]:
            c = sso.get_role_credentials(accessToken=token, accountId=account["accountId"],
                                         roleName=role["roleName"])["roleCredentials"]
            keys = dict(aws_access_key_id=c["accessKeyId"],
                        aws_secret_access_key=c["secretAccessKey"],
                        aws_session_token=c["sessionToken"])
            db = boto3.client("dynamodb", **keys)
            tables = db.list_tables()["TableNames"]
            row = {"tables": sorted(tables),
                   "arn": boto3.client("sts", **keys).get_caller_identity()["Arn"],
                   "items": {t: db.scan(TableName=t, Select="COUNT")["Count"] for t in tables
                             if t != "Orders"}}
            if role["roleName"] == "ReadOnly":
                try:
                    db.put_item(TableName=tables[0], Item={"id": {"S": "x"}})
                    row["write"] = "written"
                except db.exceptions.ClientError as exc:
                    # moto answers DynamoDB's denial in XML: botocore sees only the status.
                    status = exc.response["ResponseMetadata"]["HTTPStatusCode"]
                    row["write"] = f"{status} {exc}"
            seen[account["accountName"] + "/" + role["roleName"]] = row
    print(json.dumps(seen))
"""


def test_the_portals_roles_read_the_tables_of_their_own_account(demo_server):
    result = python(demo_server, SIGN_IN_TO_THE_PORTAL)
    assert result.returncode == 0, result.stderr
    seen = json.loads(result.stdout)
    assert sorted(seen) == [
        "demo-main/Admin",
        "demo-main/ReadOnly",
        "demo-sandbox/Developer",
        "demo-sandbox/ReadOnly",
    ]
    for name in ("demo-main/Admin", "demo-main/ReadOnly"):
        assert seen[name]["tables"] == ["Customers", "MyTable", "Orders"]
    for name in ("demo-sandbox/Developer", "demo-sandbox/ReadOnly"):
        assert seen[name]["tables"] == ["Experiments"]
        assert seen[name]["items"] == {"Experiments": 20}
    assert seen["demo-sandbox/Developer"]["arn"] == (
        "arn:aws:sts::210987654321:assumed-role/Developer/demo-person"
    )
    assert seen["demo-main/ReadOnly"]["arn"] == (
        "arn:aws:sts::123456789012:assumed-role/ReadOnly/demo-person"
    )
    for name in ("demo-main/ReadOnly", "demo-sandbox/ReadOnly"):
        assert seen[name]["write"].startswith("403"), seen[name]
        assert "<Code>AccessDenied</Code>" in seen[name]["write"]
        assert "not authorized to perform: dynamodb:PutItem" in seen[name]["write"]
