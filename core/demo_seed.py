"""What the demo AWS holds: its user, its roles (one per way a role can be set up), tables of
sample items using every DynamoDB type, what its Identity Center portal grants (two accounts,
a few roles each), and the config files that point at them."""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from core.items import Item

ACCOUNT = "123456789012"
REGION = "eu-west-1"
USER = "demo-user"
ORDER_COUNT = 3000
MFA_SERIAL = f"arn:aws:iam::{ACCOUNT}:mfa/demo-user"
EXTERNAL_ID = "rolecall-demo-partner"
SESSION_NAME = "rolecall-demo"

READ_ACTIONS = [
    "dynamodb:DescribeTable",
    "dynamodb:DescribeTimeToLive",
    "dynamodb:ListTables",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
    # PartiQL reads, as AWS names them; moto authorizes every PartiQL call as
    # dynamodb:ExecuteStatement, so in the demo the read-only role's statements are refused.
    "dynamodb:PartiQLSelect",
]


@dataclass(frozen=True)
class DemoRole:
    profile: str
    role: str
    actions: tuple[str, ...]
    description: str
    source: str = USER
    mfa: bool = False
    external_id: str | None = None


ROLES = (
    DemoRole(
        "demo-readonly",
        "DynamoDBReadOnly",
        tuple(READ_ACTIONS),
        "reads every table; writes are denied",
    ),
    DemoRole(
        "demo-admin",
        "DynamoDBAdmin",
        ("dynamodb:*", "sts:AssumeRole"),
        "reads and writes every table",
    ),
    DemoRole(
        "demo-mfa",
        "DynamoDBAdminMFA",
        ("dynamodb:*",),
        "reads and writes; needs an MFA code (any 6 digits in the demo)",
        mfa=True,
    ),
    DemoRole(
        "demo-partner",
        "PartnerAuditor",
        tuple(READ_ACTIONS),
        "a partner's read-only access; needs the external id",
        external_id=EXTERNAL_ID,
    ),
    DemoRole(
        "demo-chained",
        "OrdersAuditor",
        tuple(READ_ACTIONS),
        "reached by chaining through demo-admin",
        source="demo-admin",
    ),
    DemoRole(
        "demo-nodata",
        "NoDataAccess",
        ("sts:GetCallerIdentity",),
        "can sign in, but may read no table",
    ),
)

SANDBOX_ACCOUNT = "210987654321"
PORTAL = "demo-portal"
PORTAL_SESSION_NAME = "demo-person"


@dataclass(frozen=True)
class PortalAccount:
    """An account the demo portal grants; each role is a real IAM role in it (trusting the
    demo user), which the portal assumes for the person."""

    account_id: str
    name: str
    email: str
    roles: tuple[tuple[str, tuple[str, ...]], ...]
    """(role name, the actions its policy allows)"""


PORTAL_ACCOUNTS = (
    PortalAccount(
        ACCOUNT,
        "demo-main",
        "demo-main@example.com",
        (("ReadOnly", tuple(READ_ACTIONS)), ("Admin", ("dynamodb:*",))),
    ),
    PortalAccount(
        SANDBOX_ACCOUNT,
        "demo-sandbox",
        "demo-sandbox@example.com",
        (("Developer", ("dynamodb:*",)), ("ReadOnly", tuple(READ_ACTIONS))),
    ),
)
EXPERIMENT_COUNT = 20


def _client(service: str, endpoint: str, keys: dict[str, str] | None = None) -> Any:
    import boto3

    make: Any = boto3.client  # any service by name (the stubs want a literal one)
    keys = keys or {"AccessKeyId": "AKIASEEDSEEDSEEDSEED", "SecretAccessKey": "seed" * 10}
    return make(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id=keys["AccessKeyId"],
        aws_secret_access_key=keys["SecretAccessKey"],
        aws_session_token=keys.get("SessionToken"),
    )


def _trust(principal: str | list[str], condition: dict[str, Any] | None = None) -> str:
    statement: dict[str, Any] = {
        "Effect": "Allow",
        "Principal": {"AWS": principal},
        "Action": "sts:AssumeRole",
    }
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def _allow(actions: list[str] | tuple[str, ...]) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": list(actions), "Resource": "*"}],
        }
    )


def seed(endpoint: str, order_count: int = ORDER_COUNT) -> dict[str, str]:
    """Create the demo's user, roles and tables; returns the user's (fake) long-term keys."""
    iam = _client("iam", endpoint)
    iam.create_user(UserName=USER)
    iam.put_user_policy(
        UserName=USER,
        PolicyName="assume-demo-roles",
        PolicyDocument=_allow(["sts:AssumeRole", "sts:GetCallerIdentity"]),
    )
    key = iam.create_access_key(UserName=USER)["AccessKey"]
    user_arn = f"arn:aws:iam::{ACCOUNT}:user/{USER}"
    for role in ROLES:
        principal: str | list[str]
        if role.source == USER:
            principal = user_arn
        else:
            source_role = next(r for r in ROLES if r.profile == role.source)
            # moto compares principals exactly, so name the source's session as well.
            principal = [
                f"arn:aws:iam::{ACCOUNT}:role/{source_role.role}",
                f"arn:aws:sts::{ACCOUNT}:assumed-role/{source_role.role}/{SESSION_NAME}",
            ]
        condition = None
        if role.external_id:
            condition = {"StringEquals": {"sts:ExternalId": role.external_id}}
        elif role.mfa:
            condition = {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        iam.create_role(
            RoleName=role.role,
            AssumeRolePolicyDocument=_trust(principal, condition),
            Description=role.description,
            MaxSessionDuration=43200,
        )
        iam.put_role_policy(
            RoleName=role.role, PolicyName="access", PolicyDocument=_allow(role.actions)
        )
    _seed_tables(_client("dynamodb", endpoint), order_count)
    main, sandbox = PORTAL_ACCOUNTS
    _seed_portal_roles(iam, main, user_arn)
    _seed_sandbox(endpoint, sandbox, user_arn)
    return {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}


def _seed_portal_roles(iam: Any, account: PortalAccount, user_arn: str) -> None:
    for name, actions in account.roles:
        iam.create_role(
            RoleName=name,
            AssumeRolePolicyDocument=_trust(user_arn),
            Description=f"the demo portal's {name} in {account.name}",
            MaxSessionDuration=43200,
        )
        iam.put_role_policy(RoleName=name, PolicyName="access", PolicyDocument=_allow(actions))


def _seed_sandbox(endpoint: str, account: PortalAccount, user_arn: str) -> None:
    """The second account: moto puts what a session makes into the account of the role it
    assumed, and (policies not enforced yet) the role need not exist."""
    seeder = _client("sts", endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{account.account_id}:role/rolecall-demo-seed",
        RoleSessionName="rolecall-demo-seed",
    )["Credentials"]
    _seed_portal_roles(_client("iam", endpoint, seeder), account, user_arn)
    db: DynamoDBClient = _client("dynamodb", endpoint, seeder)
    db.create_table(
        TableName="Experiments",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "experiment_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "experiment_id", "KeyType": "HASH"}],
    )
    rng = random.Random(7)  # noqa: S311 - seeded sample data, not security
    _write_all(db, "Experiments", [experiment(i, rng) for i in range(EXPERIMENT_COUNT)])


def experiment(i: int, rng: random.Random) -> Item:
    return {
        "experiment_id": {"S": f"E{i:03d}"},
        "name": {"S": f"{rng.choice(['cache', 'index', 'batch', 'retry'])}-trial-{i}"},
        "runs": {"N": str(rng.randrange(1, 500))},
        "success_rate": {"N": f"{rng.uniform(0.5, 1):.4f}"},
        "active": {"BOOL": i % 3 != 0},
    }


def _seed_tables(db: DynamoDBClient, order_count: int) -> None:
    db.create_table(
        TableName="MyTable",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
    )
    db.put_item(
        TableName="MyTable",
        Item={
            "id": {"S": "123"},
            "name": {"S": "Example item"},
            "note": {"S": "the item the reference Lambda handler reads"},
        },
    )
    _create_orders_table(db)
    db.create_table(
        TableName="Customers",
        BillingMode="PROVISIONED",
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
        AttributeDefinitions=[{"AttributeName": "customer_id", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "customer_id", "KeyType": "HASH"}],
    )
    rng = random.Random(42)  # noqa: S311 - seeded sample data, not security
    customers = [customer(i, rng) for i in range(60)]
    _write_all(db, "Customers", customers)
    _write_all(db, "Orders", [order(i, rng) for i in range(order_count)])


def _create_orders_table(db: DynamoDBClient) -> None:
    """Orders: a sort key, a global and a local index, a stream and a TTL attribute."""
    db.create_table(
        TableName="Orders",
        BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[
            {"AttributeName": "customer_id", "AttributeType": "S"},
            {"AttributeName": "order_id", "AttributeType": "S"},
            {"AttributeName": "status", "AttributeType": "S"},
            {"AttributeName": "created_at", "AttributeType": "S"},
        ],
        KeySchema=[
            {"AttributeName": "customer_id", "KeyType": "HASH"},
            {"AttributeName": "order_id", "KeyType": "RANGE"},
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "status-created_at-index",
                "KeySchema": [
                    {"AttributeName": "status", "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["total"]},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "created_at-index",
                "KeySchema": [
                    {"AttributeName": "customer_id", "KeyType": "HASH"},
                    {"AttributeName": "created_at", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )
    db.update_time_to_live(
        TableName="Orders", TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires_at"}
    )


FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Tim"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Perlman"]
STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled"]


def customer(i: int, rng: random.Random) -> Item:
    item: Item = {
        "customer_id": {"S": f"C{i:04d}"},
        "name": {"S": f"{rng.choice(FIRST)} {rng.choice(LAST)}"},
        "email": {"S": f"customer{i}@example.com"},
        "vip": {"BOOL": rng.random() < 0.2},
        "since": {"N": str(2010 + i % 15)},
    }
    if i % 7 == 0:
        item["phone"] = {"NULL": True}
    return item


def order(i: int, rng: random.Random) -> Item:
    """An order using every DynamoDB type somewhere, 38-digit numbers and "" included."""
    cents = rng.randrange(100, 10_000_000)
    item: Item = {
        "customer_id": {"S": f"C{i % 60:04d}"},
        "order_id": {"S": f"O{i:06d}"},
        "status": {"S": rng.choice(STATUSES)},
        "created_at": {"S": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}T{i % 24:02d}:00:00Z"},
        "total": {"N": str(Decimal(cents) / 100)},
        "quantity": {"N": str(rng.randrange(1, 20))},
        "priority": {"BOOL": i % 5 == 0},
        "tags": {"SS": sorted(rng.sample(["gift", "express", "fragile", "bulk", "eco"], 2))},
        "sizes": {"NS": [str(s) for s in sorted(rng.sample(range(34, 48), 3))]},
        "shipping": {
            "M": {
                "city": {"S": rng.choice(["Berlin", "Lisbon", "Oslo", "Quito", "Osaka"])},
                "address": {"L": [{"S": f"{rng.randrange(1, 200)} Main St"}, {"S": ""}]},
                "geo": {
                    "M": {
                        "lat": {"N": f"{rng.uniform(-80, 80):.6f}"},
                        "lon": {"N": f"{rng.uniform(-170, 170):.6f}"},
                    }
                },
            }
        },
        "lines": {
            "L": [
                {
                    "M": {
                        "sku": {"S": f"SKU-{rng.randrange(1000):03d}"},
                        "qty": {"N": str(rng.randrange(1, 5))},
                    }
                }
                for _ in range(1 + i % 3)
            ]
        },
        "receipt": {"B": base64.b64decode("UEsDBA==") + i.to_bytes(4, "big")},
    }
    if i % 10 == 0:
        item["ledger_ref"] = {"N": "12345678901234567890123456789012345678"}
        item["tiny"] = {"N": "1E-130"}
        item["huge"] = {"N": "9.9999999999999999999999999999999999999E+125"}
    if i % 9 == 0:
        item["checksums"] = {"BS": [b"\x00\x01", b"\xff\xfe" + bytes([i % 256])]}
    if i % 4 == 0:
        item["gift_note"] = {"NULL": True}
    elif i % 4 == 1:
        item["gift_note"] = {"S": ""}
    elif i % 4 == 2:
        item["gift_note"] = {"S": "Happy birthday!"}
    if i % 6 == 0:
        item["expires_at"] = {"N": str(1_900_000_000 + i)}
    return item


def _write_all(db: DynamoDBClient, table: str, items: list[Item]) -> None:
    for start in range(0, len(items), 25):
        # Plain dicts, as DynamoDB's JSON has them (the stubs want their own TypedDicts).
        pending: list[Any] = [{"PutRequest": {"Item": it}} for it in items[start : start + 25]]
        while pending:
            left = db.batch_write_item(RequestItems={table: pending}).get("UnprocessedItems", {})
            pending = left.get(table, [])


def write_files(folder: Path, keys: dict[str, str], portal_url: str = "") -> None:
    """The demo's own AWS config and credentials, in a private folder; with the address of the
    demo's Identity Center stand-in, its portal as an `[sso-session]` too."""
    folder.chmod(0o700)
    lines = [
        "# Rolecall demo: profiles for the embedded moto server. Deleted when the demo stops.",
        f"[profile {USER}]",
        f"region = {REGION}",
        "",
    ]
    for role in ROLES:
        lines += [
            f"[profile {role.profile}]",
            f"role_arn = arn:aws:iam::{ACCOUNT}:role/{role.role}",
            f"source_profile = {role.source}",
            f"region = {REGION}",
            f"role_session_name = {SESSION_NAME}",
            "account_alias = rolecall-demo",
        ]
        if role.mfa:
            lines.append(f"mfa_serial = {MFA_SERIAL}")
        if role.external_id:
            lines.append(f"external_id = {role.external_id}")
        lines.append("")
    if portal_url:
        lines += [
            f"[sso-session {PORTAL}]",
            f"sso_start_url = {portal_url}/start",
            f"sso_region = {REGION}",
            "sso_registration_scopes = sso:account:access",
            "",
        ]
    (folder / "config").write_text("\n".join(lines))
    credentials = folder / "credentials"
    credentials.touch(mode=0o600)
    credentials.write_text(
        f"# fake keys of the demo's moto server: they open nothing real\n[{USER}]\n"
        f"aws_access_key_id = {keys['id']}\naws_secret_access_key = {keys['secret']}\n"
    )
