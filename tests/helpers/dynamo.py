"""DynamoDB tables on moto for tests and benchmarks, made directly (not through Rolecall)."""

from __future__ import annotations

from typing import Any

FAKE_KEY_ID = "AKIAIOSFODNN7EXAMPLE"


def dynamodb_client(endpoint: str | None = None, **config: Any) -> Any:
    """A low-level client with moto's fake keys; AWS_ENDPOINT_URL unless `endpoint` is given."""
    import boto3

    return boto3.client(
        "dynamodb",
        region_name="eu-west-1",
        endpoint_url=endpoint,
        aws_access_key_id=FAKE_KEY_ID,
        aws_secret_access_key="x" * 40,
        **config,
    )


def create_table(
    client: Any,
    name: str,
    key: dict[str, str],
    attributes: dict[str, str] | None = None,
    **extra: Any,
) -> str:
    """An on-demand table; `key` maps the partition (then sort) key to its type (S, N, B),
    `attributes` types the other attributes that indexes use."""
    types = {**key, **(attributes or {})}
    client.create_table(
        TableName=name,
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": t} for n, t in types.items()],
        KeySchema=[
            {"AttributeName": n, "KeyType": kind}
            for n, kind in zip(key, ("HASH", "RANGE")[: len(key)], strict=True)
        ],
        **extra,
    )
    return name


def count_items(table: str, client: Any = None) -> int:
    """How many items a table holds, by Scan with Select=COUNT through every page."""
    client = client or dynamodb_client()
    total, params = 0, {"TableName": table, "Select": "COUNT"}
    while True:
        page = client.scan(**params)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return total
        params["ExclusiveStartKey"] = page["LastEvaluatedKey"]
