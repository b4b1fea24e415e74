"""The browser's last operation as code to paste: boto3 (the low-level client), the AWS CLI
and the JavaScript SDK v3, with every expression attribute name and value and the paging
loop. The code names the profile, never a key: it runs with whatever the profile resolves to.

The request is the one the browser sends (`DynamoDB.read_request`, a Statement's `request`),
less what only the window needs (the growing first pages, ReturnConsumedCapacity)."""

from __future__ import annotations

import base64
import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

LANGUAGES = {"boto3": "boto3 (Python)", "cli": "AWS CLI", "javascript": "JavaScript SDK v3"}
_PAGED = {"scan": "LastEvaluatedKey", "query": "LastEvaluatedKey", "execute_statement": "NextToken"}
_START = {"LastEvaluatedKey": "ExclusiveStartKey", "NextToken": "NextToken"}


@dataclass(frozen=True)
class Operation:
    """One DynamoDB call: the client method (`scan`, `execute_statement`, ...) and its
    request as the low-level client takes it (AttributeValues, bytes for binary)."""

    method: str
    request: Mapping[str, Any]
    profile: str
    region: str | None = None
    what: str = ""  # "Scan of Orders", for the comment at the top

    @classmethod
    def of(
        cls, method: str, request: Mapping[str, Any], profile: str, region: str | None, what: str
    ) -> Operation:
        """The operation as code makes it: without what only the window wants to know."""
        kept = {k: v for k, v in request.items() if k != "ReturnConsumedCapacity"}
        return cls(method, kept, profile, region or None, what)

    @property
    def pages(self) -> str | None:
        """The answer's key to go on from, if the operation pages."""
        return _PAGED.get(self.method)


def code(operation: Operation, language: str) -> str:
    return {"boto3": boto3_code, "cli": cli_code, "javascript": javascript_code}[language](
        operation
    )


def _about(operation: Operation) -> str:
    return f"{operation.what or operation.method} as the profile {operation.profile}"


# ---- boto3 ----------------------------------------------------------------------------------
def _py(value: Any, pad: str = "") -> str:
    """A Python literal of the request, one key or member a line below the top level."""
    inner = pad + "    "
    flat = _py_flat(value)
    if len(flat) + len(pad) <= 76 or not isinstance(value, (Mapping, list, tuple)):
        return flat
    if isinstance(value, Mapping):
        parts = [f"{inner}{k!r}: {_py(v, inner)}," for k, v in value.items()]
        return "{\n" + "\n".join(parts) + f"\n{pad}}}"
    return "[\n" + "\n".join(f"{inner}{_py(v, inner)}," for v in value) + f"\n{pad}]"


def _py_flat(value: Any) -> str:
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k!r}: {_py_flat(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_py_flat(v) for v in value) + "]"
    return repr(bytes(value) if isinstance(value, bytearray) else value)


def boto3_code(operation: Operation) -> str:
    region = f", region_name={operation.region!r}" if operation.region else ""
    params = _py(operation.request)
    lines = [
        f'"""{_about(operation)} (Rolecall\'s copy as code)."""',
        "import base64",
        "import json",
        "",
        "import boto3",
        "",
        f"session = boto3.Session(profile_name={operation.profile!r}{region})",
        'dynamodb = session.client("dynamodb")',
        f"params = {params}",
    ]
    done = "print(json.dumps(item, default=lambda b: base64.b64encode(b).decode()))"
    answer = operation.pages
    if operation.method == "batch_write_item":
        ((table, requests),) = operation.request["RequestItems"].items()
        lines[-1] = f"table = {table!r}"
        lines += [
            f"requests = {_py(list(requests))}",
            "for start in range(0, len(requests), 25):  # at most 25 a call",
            "    pending = {table: requests[start : start + 25]}",
            "    while pending:  # what DynamoDB could not write yet is sent again",
            "        answer = dynamodb.batch_write_item(RequestItems=pending)",
            '        pending = answer.get("UnprocessedItems") or {}',
            'print(len(requests), "requests done")',
        ]
    elif answer:
        lines += [
            "items = []",
            "while True:",
            f"    page = dynamodb.{operation.method}(**params)",
            '    items.extend(page["Items"])',
            f'    if "{answer}" not in page:',
            "        break",
            f'    params["{_START[answer]}"] = page["{answer}"]',
            "for item in items:",
            f"    {done}",
        ]
    else:
        lines += [
            f"answer = dynamodb.{operation.method}(**params)",
            'answer.pop("ResponseMetadata", None)',
            done.replace("item", "answer"),
        ]
    return "\n".join(lines) + "\n"


# ---- the AWS CLI ----------------------------------------------------------------------------
def _wire(value: Any) -> Any:
    """JSON as the CLI (v2) and the wire take it: binary as base64."""
    if isinstance(value, (bytes, bytearray)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, Mapping):
        return {k: _wire(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_wire(v) for v in value]
    return value


def _has_binary(value: Any) -> bool:
    if isinstance(value, (bytes, bytearray)):
        return True
    if isinstance(value, Mapping):
        return any(_has_binary(v) for v in value.values())
    if isinstance(value, (list, tuple, set)):
        return any(_has_binary(v) for v in value)
    return False


def _option(name: str) -> str:
    return "--" + re.sub(r"(?<!^)(?=[A-Z])", "-", name).lower()


def cli_code(operation: Operation) -> str:
    command = operation.method.replace("_", "-")
    if operation.method == "batch_write_item":
        return _cli_batches(operation)
    args = [f"--profile {shlex.quote(operation.profile)}"]
    if operation.region:
        args.append(f"--region {shlex.quote(operation.region)}")
    for name, value in operation.request.items():
        if name == "ConsistentRead":
            args.append("--consistent-read" if value else "--no-consistent-read")
        elif name == "Limit" and operation.method in ("scan", "query"):
            args.append(f"--page-size {int(value)}")  # the CLI still reads every page
        elif isinstance(value, (Mapping, list, tuple)):
            args.append(f"{_option(name)} {shlex.quote(json.dumps(_wire(value)))}")
        else:
            args.append(f"{_option(name)} {shlex.quote(str(value))}")
    head = [f"# {_about(operation)} (Rolecall's copy as code)."]
    if _has_binary(operation.request):
        head.append("# Binary values are base64, as AWS CLI v2 takes them (v1 stores the text).")
    if operation.method in ("scan", "query"):
        head.append("# The CLI reads every page itself; the items are printed as one JSON list.")
        body = [f"aws dynamodb {command}", *args, "--query Items --output json"]
        return "\n".join(head) + "\n" + " \\\n    ".join(body) + "\n"
    if operation.method == "execute_statement":
        head.append("# One JSON item a line; each page goes on from the last one's NextToken (jq).")
        call = " \\\n        ".join(
            [f"aws dynamodb {command}", *args, '${token:+--next-token "$token"}', "--output json"]
        )
        loop = [
            'token=""',
            "while :; do",
            f"    page=$({call}) || exit 1",
            "    printf '%s\\n' \"$page\" | jq -c '.Items[]'",
            "    token=$(printf '%s\\n' \"$page\" | jq -r '.NextToken // empty')",
            '    [ -n "$token" ] || break',
            "done",
        ]
        return "\n".join(head + loop) + "\n"
    body = [f"aws dynamodb {command}", *args, "--output json"]
    return "\n".join(head) + "\n" + " \\\n    ".join(body) + "\n"


def _cli_batches(operation: Operation) -> str:
    """BatchWriteItem takes at most 25 requests: one call for each 25 (UnprocessedItems in an
    answer would have to be sent again)."""
    ((table, requests),) = operation.request["RequestItems"].items()
    where = f"--profile {shlex.quote(operation.profile)}"
    if operation.region:
        where += f" --region {shlex.quote(operation.region)}"
    lines = [
        f"# {_about(operation)} (Rolecall's copy as code).",
        "# At most 25 requests a call; an answer's UnprocessedItems must be sent again.",
    ]
    for start in range(0, len(requests), 25):
        chunk = json.dumps({table: _wire(list(requests[start : start + 25]))})
        lines.append(
            f"aws dynamodb batch-write-item {where} \\\n    --request-items {shlex.quote(chunk)}"
        )
    return "\n".join(lines) + "\n"


# ---- the JavaScript SDK v3 ------------------------------------------------------------------
def _js(value: Any, pad: str = "") -> str:
    inner = pad + "  "
    if isinstance(value, (bytes, bytearray)):
        return f'Buffer.from({json.dumps(base64.b64encode(bytes(value)).decode())}, "base64")'
    if isinstance(value, Mapping):
        if not value:
            return "{}"
        parts = [f"{inner}{json.dumps(str(k))}: {_js(v, inner)}" for k, v in value.items()]
        return "{\n" + ",\n".join(parts) + f"\n{pad}}}"
    if isinstance(value, (list, tuple, set)):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(f"{inner}{_js(v, inner)}" for v in value) + f"\n{pad}]"
    return json.dumps(value)


_COMMANDS = {
    "scan": "ScanCommand",
    "query": "QueryCommand",
    "execute_statement": "ExecuteStatementCommand",
    "batch_execute_statement": "BatchExecuteStatementCommand",
    "execute_transaction": "ExecuteTransactionCommand",
    "put_item": "PutItemCommand",
    "update_item": "UpdateItemCommand",
    "delete_item": "DeleteItemCommand",
    "batch_write_item": "BatchWriteItemCommand",
}


def javascript_code(operation: Operation) -> str:
    command = _COMMANDS[operation.method]
    region = f", region: {json.dumps(operation.region)}" if operation.region else ""
    lines = [
        f"// {_about(operation)} (Rolecall's copy as code).",
        "// npm install @aws-sdk/client-dynamodb; run as an ES module (file.mjs).",
    ]
    if operation.method in ("scan", "query"):
        paginate = "paginate" + command.removesuffix("Command")
        lines += [
            f'import {{ DynamoDBClient, {paginate} }} from "@aws-sdk/client-dynamodb";',
            "",
            f"const client = new DynamoDBClient({{ profile: {json.dumps(operation.profile)}"
            f"{region} }});",
            f"const input = {_js(operation.request)};",
            "const items = [];",
            f"for await (const page of {paginate}({{ client }}, input)) {{",
            "  items.push(...(page.Items ?? []));",
            "}",
            "for (const item of items) console.log(JSON.stringify(item));",
        ]
    elif operation.method == "execute_statement":
        lines += [
            f'import {{ DynamoDBClient, {command} }} from "@aws-sdk/client-dynamodb";',
            "",
            f"const client = new DynamoDBClient({{ profile: {json.dumps(operation.profile)}"
            f"{region} }});",
            f"const input = {_js(operation.request)};",
            "const items = [];",
            "let NextToken;",
            "do {",
            f"  const page = await client.send(new {command}({{ ...input, NextToken }}));",
            "  items.push(...(page.Items ?? []));",
            "  NextToken = page.NextToken;",
            "} while (NextToken);",
            "for (const item of items) console.log(JSON.stringify(item));",
        ]
    elif operation.method == "batch_write_item":
        ((table, requests),) = operation.request["RequestItems"].items()
        lines += [
            f'import {{ DynamoDBClient, {command} }} from "@aws-sdk/client-dynamodb";',
            "",
            f"const client = new DynamoDBClient({{ profile: {json.dumps(operation.profile)}"
            f"{region} }});",
            f"const table = {json.dumps(table)};",
            f"const requests = {_js(list(requests))};",
            "for (let start = 0; start < requests.length; start += 25) {  // at most 25 a call",
            "  let pending = { [table]: requests.slice(start, start + 25) };",
            "  while (pending && Object.keys(pending).length) {",
            f"    const answer = await client.send(new {command}({{ RequestItems: pending }}));",
            "    pending = answer.UnprocessedItems;",
            "  }",
            "}",
            'console.log(requests.length, "requests done");',
        ]
    else:
        lines += [
            f'import {{ DynamoDBClient, {command} }} from "@aws-sdk/client-dynamodb";',
            "",
            f"const client = new DynamoDBClient({{ profile: {json.dumps(operation.profile)}"
            f"{region} }});",
            f"const answer = await client.send(new {command}({_js(operation.request)}));",
            "console.log(JSON.stringify(answer, null, 2));",
        ]
    return "\n".join(lines) + "\n"
