"""The embedded demo AWS: a moto server on loopback, seeded with roles and tables.

`rolecall demo-server` runs it; `rolecall --demo` (the app or a command) starts that as a
child process of its own (`spawn`, `activate`), because moto building a big answer holds the
GIL for seconds and would freeze a window beside it. It never touches the person's own
config or keychain: the config and credentials files live in a private temporary folder
that goes with the child, and sessions are kept in memory only.
"""

from __future__ import annotations

import atexit
import base64
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.errors import RolecallError
from core.vault import MemoryStore

ACCOUNT = "123456789012"
REGION = "eu-west-1"
USER = "demo-user"
ORDER_COUNT = 3000
MFA_SERIAL = f"arn:aws:iam::{ACCOUNT}:mfa/demo-user"
EXTERNAL_ID = "rolecall-demo-partner"
SESSION_NAME = "rolecall-demo"
READY_TIMEOUT = 120.0  # seeding takes about 5 s here; a slow machine gets room

READ_ACTIONS = [
    "dynamodb:DescribeTable",
    "dynamodb:DescribeTimeToLive",
    "dynamodb:ListTables",
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:Scan",
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

_store = MemoryStore()


def memory_store() -> MemoryStore:
    """The demo's keyring: this process's memory, never the person's keychain."""
    return _store


@dataclass
class Demo:
    """The demo AWS running in this process: only ever in its own (`rolecall demo-server`)."""

    endpoint: str
    folder: Path
    server: Any
    seconds_to_start: float

    @property
    def environment(self) -> dict[str, str]:
        return environment(self.endpoint, self.folder)

    def announcement(self) -> str:
        """The one line a parent reads once the demo is up (no secret: the keys stay in files)."""
        return json.dumps({"endpoint": self.endpoint, "seconds": self.seconds_to_start})

    def stop(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)  # first: it holds the demo user's keys
        self.server.stop()


def environment(endpoint: str, folder: Path) -> dict[str, str]:
    return {
        "AWS_CONFIG_FILE": str(folder / "config"),
        "AWS_SHARED_CREDENTIALS_FILE": str(folder / "credentials"),
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_REGION": REGION,
        "ROLECALL_SESSION_STORE": "memory",
        "ROLECALL_DEMO": "1",
    }


def start(order_count: int = ORDER_COUNT, folder: Path | None = None) -> Demo:
    """Start and seed a moto server on 127.0.0.1 (a free port), with IAM policies enforced.

    moto holds the GIL for seconds while it builds a big answer: call this only in a process
    of its own (`rolecall demo-server`), never in one with a window."""
    import logging

    try:
        from moto.server import ThreadedMotoServer
    except ImportError:
        raise RolecallError(
            "the demo needs moto: install Rolecall with its demo extra "
            "(pip install 'rolecall[demo]')"
        ) from None

    began = time.monotonic()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    folder = folder or private_folder()
    try:
        keys = seed(endpoint, order_count)
        write_files(folder, keys)
        enforce_policies()
    except BaseException:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return Demo(endpoint, folder, server, time.monotonic() - began)


def private_folder() -> Path:
    """A new folder only this user can enter, for the demo's config and keys."""
    return Path(tempfile.mkdtemp(prefix="rolecall-demo-"))


def folder_from_parent() -> Path:
    """In the demo's own process: the folder its parent made (and removes, whatever happens)."""
    return Path(os.environ["ROLECALL_DEMO_FOLDER"])


def watch_parent() -> None:
    """In the demo's own process: take SIGTERM when the process that started it goes, however
    it goes (quit, crash, SIGKILL). Its end of our stdin closes then, on every platform; on
    Linux the kernel also sends the signal itself (PR_SET_PDEATHSIG)."""
    if sys.platform.startswith("linux") and os.environ.get("ROLECALL_DEMO_PDEATHSIG"):
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # 1: PR_SET_PDEATHSIG
    parent = os.environ.get("ROLECALL_DEMO_PARENT")

    def read_until_closed() -> None:
        if not parent or os.getppid() == int(parent):  # else gone before prctl took effect
            while sys.stdin.buffer.read(4096):
                pass
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=read_until_closed, name="demo-parent", daemon=True).start()


def server_command() -> list[str]:
    """`rolecall demo-server --child`, run by the same Python (or the same bundle)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "demo-server", "--child"]
    return [sys.executable, "-m", "core.cli", "demo-server", "--child"]


class DemoProcess:
    """The demo AWS as the app and the CLI see it: a child process of its own, which ends
    (and removes its folder) when this process ends or calls `stop()`."""

    def __init__(self, process: subprocess.Popen[str], folder: Path) -> None:
        self.process = process
        self.folder = folder
        self.endpoint = ""
        self.seconds_to_start = 0.0
        self._lock = threading.Lock()

    @property
    def environment(self) -> dict[str, str]:
        assert self.endpoint, "wait_ready() first"
        return environment(self.endpoint, self.folder)

    def wait_ready(self, timeout: float = READY_TIMEOUT) -> DemoProcess:
        """Block (off the GUI thread) until the child says it is up; a sentence if it cannot."""
        with self._lock:
            if self.endpoint:
                return self
            lines: list[str] = []
            assert self.process.stdout is not None
            stdout = self.process.stdout
            reader = threading.Thread(target=lambda: lines.append(stdout.readline()), daemon=True)
            reader.start()
            reader.join(timeout)
            if reader.is_alive():
                self.stop()
                raise RolecallError(f"the demo AWS did not start within {timeout:.0f} s")
            try:
                answer = json.loads(lines[0] if lines else "")
            except ValueError:
                code = self.process.wait()
                raise RolecallError(
                    f"the demo AWS stopped before it was ready (exit code {code}); "
                    "run `rolecall demo-server` in a terminal to see why"
                ) from None
            if "error" in answer:
                self.process.wait()
                raise RolecallError(f"the demo AWS could not start: {answer['error']}")
            self.endpoint = answer["endpoint"]
            self.seconds_to_start = float(answer["seconds"])
            return self

    def stop(self, timeout: float = 10) -> None:
        """Close the child's stdin (it stops its server and removes its folder), wait for it,
        and make sure of both."""
        process = self.process
        try:
            process.stdin.close()  # type: ignore[union-attr]
            process.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
        shutil.rmtree(self.folder, ignore_errors=True)


_lock = threading.Lock()
_running: list[DemoProcess] = []


def spawn() -> DemoProcess:
    """Start the demo AWS in a child process, once per process (later calls return that one);
    `wait_ready()` tells when it is up. Call it first on the thread that lives as long as the
    demo should: Linux ties the child's end to the thread that started it."""
    with _lock:
        if not _running:
            folder = private_folder()
            env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
            env["ROLECALL_DEMO_PARENT"] = str(os.getpid())
            env["ROLECALL_DEMO_FOLDER"] = str(folder)
            if threading.current_thread() is threading.main_thread():
                env["ROLECALL_DEMO_PDEATHSIG"] = "1"
            process = subprocess.Popen(
                server_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                env=env,
                text=True,
            )
            _running.append(DemoProcess(process, folder))
            atexit.register(deactivate)
        return _running[0]


def activate() -> DemoProcess:
    """Start the demo AWS (once per process), wait until it is up, and point this process's
    AWS settings at it."""
    try:
        running = spawn().wait_ready()
    except RolecallError:
        deactivate()  # the next try starts a new one
        raise
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        del os.environ[name]
    os.environ.update(running.environment)
    return running


def deactivate() -> None:
    """Stop the demo AWS this process started, if any (also done at exit)."""
    with _lock:
        running = _running.pop() if _running else None
    if running is not None:
        running.stop()


def enforce_policies() -> None:
    """From now on moto checks IAM policies on every request (its INITIAL_NO_AUTH_ACTION_COUNT)."""
    from moto import settings
    from moto.core.authorization import ActionAuthenticatorMixin

    settings.INITIAL_NO_AUTH_ACTION_COUNT = ActionAuthenticatorMixin.request_count


def _client(service: str, endpoint: str) -> Any:
    import boto3

    make: Any = boto3.client  # any service by name (the stubs want a literal one)
    return make(
        service,
        endpoint_url=endpoint,
        region_name=REGION,
        aws_access_key_id="AKIASEEDSEEDSEEDSEED",
        aws_secret_access_key="seed" * 10,
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
    return {"id": key["AccessKeyId"], "secret": key["SecretAccessKey"]}


def _seed_tables(db: Any, order_count: int) -> None:
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


FIRST = ["Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Margaret", "Linus", "Radia", "Tim"]
LAST = ["Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Thompson", "Hamilton", "Perlman"]
STATUSES = ["pending", "paid", "shipped", "delivered", "cancelled"]


def customer(i: int, rng: random.Random) -> dict[str, Any]:
    item: dict[str, Any] = {
        "customer_id": {"S": f"C{i:04d}"},
        "name": {"S": f"{rng.choice(FIRST)} {rng.choice(LAST)}"},
        "email": {"S": f"customer{i}@example.com"},
        "vip": {"BOOL": rng.random() < 0.2},
        "since": {"N": str(2010 + i % 15)},
    }
    if i % 7 == 0:
        item["phone"] = {"NULL": True}
    return item


def order(i: int, rng: random.Random) -> dict[str, Any]:
    """An order using every DynamoDB type somewhere, 38-digit numbers and "" included."""
    cents = rng.randrange(100, 10_000_000)
    item: dict[str, Any] = {
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


def _write_all(db: Any, table: str, items: list[dict[str, Any]]) -> None:
    for start in range(0, len(items), 25):
        pending = [{"PutRequest": {"Item": it}} for it in items[start : start + 25]]
        while pending:
            left = db.batch_write_item(RequestItems={table: pending}).get("UnprocessedItems", {})
            pending = left.get(table, [])


def write_files(folder: Path, keys: dict[str, str]) -> None:
    """The demo's own AWS config and credentials, in a private folder."""
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
    (folder / "config").write_text("\n".join(lines))
    credentials = folder / "credentials"
    credentials.touch(mode=0o600)
    credentials.write_text(
        f"# fake keys of the demo's moto server: they open nothing real\n[{USER}]\n"
        f"aws_access_key_id = {keys['id']}\naws_secret_access_key = {keys['secret']}\n"
    )


def shell_exports(demo: Demo) -> str:
    from core.credentials import sh_quote

    return "".join(f"export {k}={sh_quote(v)}\n" for k, v in demo.environment.items())
