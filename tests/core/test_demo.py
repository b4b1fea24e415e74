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
