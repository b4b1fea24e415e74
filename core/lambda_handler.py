"""Reference AWS Lambda handler: assume a role that may read DynamoDB, then read one item.

The function's own role needs only sts:AssumeRole; the role it assumes (ROLE_ARN) holds the
DynamoDB permission. Handler string: `core.lambda_handler.lambda_handler`.

Environment: ROLE_ARN, TABLE_NAME, and optionally EXTERNAL_ID and ROLE_SESSION_NAME
(default LambdaSession). Event: {"key": {"id": "123"}} (the key as plain JSON), or an API
Gateway / function URL event whose body is that JSON.
"""

from __future__ import annotations

import json
import logging
import os
import re
import threading
from datetime import timedelta
from typing import Any

from core import redact
from core.clients import ClientFactory
from core.credentials import TemporaryCredentials
from core.dynamo import connect
from core.errors import AwsError, RolecallError
from core.items import ItemError, plain_to_item, to_plain_json
from core.profiles import ROLE_ARN, RoleProfile
from core.providers import AssumeRoleProvider, CachedSessionProvider, DefaultChainProvider
from core.vault import MemoryStore, SessionCache

log = logging.getLogger()
log.setLevel(logging.INFO)
redact.quiet_aws_loggers()
redact.redact_handlers()  # the Lambda runtime's own handler on the root logger

_lock = threading.Lock()
# Warm invocations reuse the session until 5 minutes before it expires (memory only).
_cache = SessionCache(MemoryStore(), min_remaining=timedelta(minutes=5))
_factory = ClientFactory()
_DENIED_ACTION = re.compile(r"not authorized to perform: ([\w-]+:\w+)")


def _response(status: int, body: Any) -> dict[str, Any]:
    text = body if isinstance(body, str) else json.dumps(body)
    return {"statusCode": status, "headers": {"Content-Type": "application/json"}, "body": text}


def _settings() -> tuple[RoleProfile, str]:
    missing = [n for n in ("ROLE_ARN", "TABLE_NAME") if not os.environ.get(n)]
    if missing:
        raise LookupError(f"missing configuration: set {' and '.join(missing)}")
    role_arn = os.environ["ROLE_ARN"]
    if not ROLE_ARN.match(role_arn):
        raise LookupError(f"ROLE_ARN '{role_arn}' is not a role ARN")
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    role = RoleProfile(
        name="lambda",
        role_arn=role_arn,
        external_id=os.environ.get("EXTERNAL_ID") or None,
        role_session_name=os.environ.get("ROLE_SESSION_NAME") or "LambdaSession",
        region=region,
    )
    return role, os.environ["TABLE_NAME"]


def _credentials(role: RoleProfile) -> TemporaryCredentials:
    provider = CachedSessionProvider(
        _cache, AssumeRoleProvider(role, DefaultChainProvider(), _factory)
    )
    with _lock:
        return provider.retrieve()


def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
    try:
        role, table = _settings()
    except LookupError as exc:
        log.error("configuration error: %s", exc)
        return _response(500, {"message": str(exc)})
    if isinstance(event, dict) and isinstance(event.get("body"), str) and "key" not in event:
        try:  # behind API Gateway or a function URL: the key comes in the JSON body
            event = json.loads(event["body"])
        except ValueError:
            return _response(400, {"message": 'the body is not JSON: send {"key": {...}}'})
    if not isinstance(event, dict) or not isinstance(event.get("key"), dict) or not event["key"]:
        return _response(400, {"message": 'the event needs a key, e.g. {"key": {"id": "123"}}'})
    try:
        key = plain_to_item(event["key"])
    except ItemError as exc:
        return _response(400, {"message": f"the key is not valid: {exc}"})

    step = "sts:AssumeRole"
    try:
        creds = _credentials(role)
        step = "dynamodb:GetItem"
        db = connect(_factory, creds, role.region or "us-east-1")
        item = db.get(table, key)
    except AwsError as exc:
        if exc.code in ("AccessDenied", "AccessDeniedException"):
            found = _DENIED_ACTION.search(str(exc))
            action = found[1] if found else step
            log.warning("access denied: %s", action)
            return _response(403, {"message": f"access denied: {action}", "action": action})
        if exc.code == "ValidationException":
            return _response(400, {"message": str(exc)})
        if exc.code == "ResourceNotFoundException":  # the function's TABLE_NAME is wrong
            log.error("configuration error: %s", exc)
            return _response(500, {"message": str(exc)})
        log.error("AWS failure at %s: %s", step, exc)
        return _response(502, {"message": str(exc)})
    except RolecallError as exc:
        log.error("failure at %s: %s", step, exc)
        return _response(500, {"message": str(exc)})
    if item is None:
        return _response(404, {"message": f"no item with key {json.dumps(event['key'])}"})
    return _response(200, to_plain_json(item))
