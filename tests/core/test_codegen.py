"""Copy as code: the generated boto3 and AWS CLI code is run as a person would run it (a new
process, the profile's own credentials, against moto) and must give the same items as the
read it was made from."""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import uuid
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from core.codegen import Operation, code
from core.dynamo import DynamoDB, ReadOptions, read_request
from core.expressions import FilterClause, key_condition
from core.partiql import Statement
from tests.conftest import BASE_KEY_ID, BASE_SECRET
from tests.helpers.dynamo import create_table, dynamodb_client

BIN = Path(sys.executable).parent


@pytest.fixture
def table(aws):
    client = dynamodb_client()
    name = create_table(client, f"Code-{uuid.uuid4().hex[:8]}", {"pk": "S", "sk": "N"})
    for i in range(60):
        item = {
            "pk": {"S": f"c{i % 3}"},
            "sk": {"N": str(i)},
            "status": {"S": "open" if i % 4 else "closed"},
            "total": {"N": f"{i}.10"},
            "blob": {"B": bytes([i, 0, 255])},
        }
        client.put_item(TableName=name, Item=item)
    return name


def wire(items) -> list[dict]:
    """Items as the generated code prints them: DynamoDB JSON, binary as base64."""
    return [
        json.loads(json.dumps(dict(i), default=lambda b: base64.b64encode(b).decode()))
        for i in items
    ]


def run_code(path: Path, command: list[str], aws) -> str:
    done = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        env=aws.env(PATH=f"{BIN}:/usr/bin:/bin"),
        cwd=path.parent,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert BASE_SECRET not in path.read_text() and BASE_KEY_ID not in path.read_text()
    return done.stdout


def read(table: str, options: ReadOptions, key=None) -> list[dict]:
    db = DynamoDB(dynamodb_client())
    pages = db.query(table, key, options) if key is not None else db.scan(table, options)
    return wire(item for page in pages for item in page.items)


READS = {
    "filtered scan, small pages": (
        ReadOptions(
            page_size=7,
            filters=[FilterClause("status", "=", "open"), FilterClause("total", ">", Decimal("9"))],
            projection=["pk", "sk", "status", "blob"],
        ),
        None,
    ),
    "query with a sort-key range": (
        ReadOptions(page_size=5, consistent=True),
        key_condition("pk", "c1", "sk", "between", Decimal(10), Decimal(40)),
    ),
}


@pytest.mark.parametrize("case", READS)
def test_generated_boto3_code_reads_the_same_items(table, aws, tmp_path, case):
    options, key = READS[case]
    expected = read(table, options, key)
    request = read_request(table, replace(options, return_capacity=False), key)
    op = Operation.of("query" if key else "scan", request, "reader", "eu-west-1", "it")
    script = tmp_path / "read.py"
    script.write_text(code(op, "boto3"))
    out = run_code(script, [str(BIN / "python"), str(script)], aws)
    assert [json.loads(line) for line in out.splitlines()] == expected
    assert len(expected) > options.page_size  # the paging loop was needed


@pytest.mark.parametrize("case", READS)
def test_generated_cli_code_reads_the_same_items(table, aws, tmp_path, case):
    options, key = READS[case]
    if options.projection:
        options = replace(options, projection=["pk", "sk", "status"])
    expected = read(table, options, key)
    request = read_request(table, replace(options, return_capacity=False), key)
    op = Operation.of("query" if key else "scan", request, "reader", "eu-west-1", "it")
    script = tmp_path / "read.sh"
    script.write_text(code(op, "cli"))
    assert json.loads(run_code(script, ["bash", str(script)], aws)) == expected


def test_generated_partiql_code_pages_and_reads_the_same_items(table, aws, tmp_path):
    statement = Statement(
        f'SELECT pk, sk, total FROM "{table}" WHERE pk = ? AND status = ?',
        ({"S": "c2"}, {"S": "open"}),
    )
    expected = read_select(statement)
    op = Operation.of("execute_statement", statement.request(), "reader", "eu-west-1", "it")
    boto3_script = tmp_path / "statement.py"
    boto3_script.write_text(code(op, "boto3"))
    out = run_code(boto3_script, [str(BIN / "python"), str(boto3_script)], aws)
    assert sorted_items([json.loads(line) for line in out.splitlines()]) == expected
    if shutil.which("jq") is None:
        pytest.fail("jq is needed for the CLI's PartiQL paging loop (install it)")
    cli_script = tmp_path / "statement.sh"
    cli_script.write_text(code(op, "cli"))
    out = run_code(cli_script, ["bash", str(cli_script)], aws)
    assert sorted_items([json.loads(line) for line in out.splitlines()]) == expected


def read_select(statement: Statement) -> list[dict]:
    db = DynamoDB(dynamodb_client())
    found = sorted_items(wire(item for page in db.statement(statement) for item in page.items))
    assert len(found) == 15
    return found


def sorted_items(items: list[dict]) -> list[dict]:
    return sorted(items, key=lambda i: int(i["sk"]["N"]))


def test_generated_write_code_changes_the_item(table, aws, tmp_path):
    from core.dynamo import update_request

    key = {"pk": {"S": "c0"}, "sk": {"N": "0"}}
    request = update_request(table, key, {"note": {"S": "from the code"}, "n": {"N": "1.50"}})
    op = Operation.of("update_item", request, "reader", "eu-west-1", "Update")
    script = tmp_path / "update.py"
    script.write_text(code(op, "boto3"))
    answer = json.loads(run_code(script, [str(BIN / "python"), str(script)], aws))
    assert answer["Attributes"]["note"] == {"S": "from the code"}
    stored = dynamodb_client().get_item(TableName=table, Key=key)["Item"]
    assert stored["n"] == {"N": "1.5"} or stored["n"] == {"N": "1.50"}


def test_the_javascript_code_is_valid_and_names_the_profile(table, tmp_path):
    node = shutil.which("node")
    options, key = READS["filtered scan, small pages"]
    request = read_request(table, replace(options, return_capacity=False), key)
    for method, req in (
        ("scan", request),
        ("execute_statement", Statement(f'SELECT * FROM "{table}"').request()),
        ("put_item", {"TableName": table, "Item": {"pk": {"S": "x"}, "b": {"B": b"\x00"}}}),
    ):
        text = code(Operation.of(method, req, "reader", "eu-west-1", "it"), "javascript")
        assert 'profile: "reader"' in text and "accessKeyId" not in text
        script = tmp_path / f"{method}.mjs"
        script.write_text(text)
        if node is None:
            pytest.fail("node is needed to check the generated JavaScript (install nodejs)")
        checked = subprocess.run([node, "--check", str(script)], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stderr


def test_a_delete_of_more_than_25_items_is_sent_25_at_a_time(table, aws, tmp_path):
    keys = [{"pk": {"S": f"c{i % 3}"}, "sk": {"N": str(i)}} for i in range(30)]
    deletes = [{"DeleteRequest": {"Key": key}} for key in keys]
    op = Operation.of(
        "batch_write_item", {"RequestItems": {table: deletes}}, "reader", "eu-west-1", "Delete"
    )
    script = tmp_path / "delete.py"
    script.write_text(code(op, "boto3"))
    run_code(script, [str(BIN / "python"), str(script)], aws)
    assert len(dynamodb_client().scan(TableName=table)["Items"]) == 30
    for i in range(30):
        dynamodb_client().put_item(TableName=table, Item=keys[i])
    shell = tmp_path / "delete.sh"
    shell.write_text(code(op, "cli"))
    assert shell.read_text().count("aws dynamodb batch-write-item") == 2
    run_code(shell, ["bash", str(shell)], aws)
    assert len(dynamodb_client().scan(TableName=table)["Items"]) == 30
