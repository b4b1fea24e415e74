"""DynamoDB through the low-level client: what a table is, and reading and writing its items."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.conditions import Attr, ConditionBase

from core.capacity import Capacity
from core.clients import DATA_READ_TIMEOUT, ClientFactory
from core.credentials import Credentials
from core.errors import AwsError, Cancelled, ConfigError, aws_failure, error_code
from core.expressions import Expressions, FilterClause, alias, filter_condition
from core.items import (
    AttributeValue,
    Item,
    ItemError,
    diff,
    item_key,
    to_dynamodb_json,
    to_plain_json,
)
from core.pages import WIRE_PAGE, ScanPage, keep_wire_page, wire_key
from core.partiql import MAX_BATCH, MAX_TRANSACTION, Statement, StatementAnswer

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

GROWTH = 4  # each growing page asks for this many times the items of the one before
FULL_PAGE_ITEMS = 3000  # past this, ask for DynamoDB's full 1 MB pages


@dataclass(frozen=True)
class KeyAttribute:
    name: str
    type: str  # S, N or B


@dataclass(frozen=True)
class IndexInfo:
    name: str
    kind: str  # GSI or LSI
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None
    projection: str
    projected_attributes: tuple[str, ...] = ()


@dataclass(frozen=True)
class TableInfo:
    name: str
    partition_key: KeyAttribute
    sort_key: KeyAttribute | None
    indexes: tuple[IndexInfo, ...]
    item_count: int
    size_bytes: int
    billing_mode: str
    status: str
    stream: str | None
    ttl_attribute: str | None
    ttl_status: str | None
    arn: str = ""

    @property
    def key_names(self) -> tuple[str, ...]:
        return (self.partition_key.name,) + ((self.sort_key.name,) if self.sort_key else ())

    def index(self, name: str | None) -> IndexInfo | None:
        if name is None:
            return None
        for index in self.indexes:
            if index.name == name:
                return index
        raise ConfigError(f"table '{self.name}' has no index named '{name}'")

    def keys_for(self, index_name: str | None) -> tuple[KeyAttribute, KeyAttribute | None]:
        index = self.index(index_name)
        if index is None:
            return self.partition_key, self.sort_key
        return index.partition_key, index.sort_key


def table_info(raw: Mapping[str, Any], ttl: Mapping[str, Any]) -> TableInfo:
    """A DescribeTable answer (and DescribeTimeToLive's) as a TableInfo."""
    types = {a["AttributeName"]: a["AttributeType"] for a in raw.get("AttributeDefinitions", [])}

    def keys(schema: list[dict[str, str]]) -> tuple[KeyAttribute, KeyAttribute | None]:
        by_type = {k["KeyType"]: k["AttributeName"] for k in schema}
        hash_key = KeyAttribute(by_type["HASH"], types.get(by_type["HASH"], "S"))
        rng = by_type.get("RANGE")
        return hash_key, KeyAttribute(rng, types.get(rng, "S")) if rng else None

    indexes = []
    for kind, entries in (
        ("GSI", raw.get("GlobalSecondaryIndexes", [])),
        ("LSI", raw.get("LocalSecondaryIndexes", [])),
    ):
        for index in entries:
            pk, sk = keys(index["KeySchema"])
            projection = index.get("Projection", {})
            indexes.append(
                IndexInfo(
                    index["IndexName"],
                    kind,
                    pk,
                    sk,
                    projection.get("ProjectionType", "ALL"),
                    tuple(projection.get("NonKeyAttributes", [])),
                )
            )
    pk, sk = keys(raw["KeySchema"])
    stream = raw.get("StreamSpecification", {})
    return TableInfo(
        name=raw["TableName"],
        partition_key=pk,
        sort_key=sk,
        indexes=tuple(indexes),
        item_count=raw.get("ItemCount", 0),
        size_bytes=raw.get("TableSizeBytes", 0),
        billing_mode=raw.get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED"),
        status=raw.get("TableStatus", ""),
        stream=stream.get("StreamViewType") if stream.get("StreamEnabled") else None,
        ttl_attribute=ttl.get("AttributeName"),
        ttl_status=ttl.get("TimeToLiveStatus"),
        arn=raw.get("TableArn", ""),
    )


@dataclass
class ReadOptions:
    """What a Scan or Query reads. `page_size` is every request's Limit (None: DynamoDB's
    1 MB pages); without one, `first_page` makes the first request ask for only that many
    items (rows on screen quickly, even from a slow server) and each later one for four
    times more, up to full pages."""

    index: str | None = None
    page_size: int | None = None
    first_page: int | None = None
    consistent: bool = False
    projection: Sequence[str] = ()
    filters: Sequence[FilterClause] = ()
    combine: str = "AND"
    count_only: bool = False
    start_key: Item | None = None
    cancel: threading.Event | None = None
    return_capacity: bool = True


WRITE_CAPACITY = {"ReturnConsumedCapacity": "INDEXES"}
CONDITION_BUDGET = 3000  # characters of a conditional edit's checks; past it, what changed only
THROTTLED = {
    "ThrottlingException",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
}  # every write says what it consumed


def read_request(table: str, options: ReadOptions, key: ConditionBase | None) -> dict[str, Any]:
    """The Scan (key None) or Query request of one read, as the low-level client takes it."""
    exprs = Expressions()
    params: dict[str, Any] = {"TableName": table}
    if key is not None:
        params["KeyConditionExpression"] = exprs.condition(key, is_key=True)
    if options.filters:
        params["FilterExpression"] = exprs.condition(
            filter_condition(options.filters, options.combine)
        )
    if options.projection and not options.count_only:
        params["ProjectionExpression"] = ", ".join(exprs.name(n) for n in options.projection)
    if options.index:
        params["IndexName"] = options.index
    if options.page_size:
        params["Limit"] = options.page_size
    if options.consistent:
        params["ConsistentRead"] = True
    if options.count_only:
        params["Select"] = "COUNT"
    if options.return_capacity:
        params["ReturnConsumedCapacity"] = "INDEXES"
    return exprs.apply(params)


def put_request(table: str, item: Item, only_if_new: Sequence[str] | None = None) -> dict[str, Any]:
    """PutItem of `item`; with `only_if_new` (the key names) only where no item has its key."""
    params: dict[str, Any] = {"TableName": table, "Item": item, **WRITE_CAPACITY}
    if only_if_new:
        exprs = Expressions()
        params["ConditionExpression"] = exprs.condition(Attr(alias(only_if_new[0])).not_exists())
        exprs.apply(params)
    return params


def update_request(
    table: str,
    key: Item,
    set_values: Mapping[str, AttributeValue] | None = None,
    remove: Sequence[str] = (),
) -> dict[str, Any]:
    """UpdateItem setting and removing attributes of the item that exists with `key`."""
    if not set_values and not remove:
        raise ConfigError("nothing to update: give attributes to set or remove")
    exprs = Expressions()
    clauses = []
    if set_values:
        clauses.append(
            "SET " + ", ".join(f"{exprs.name(n)} = {exprs.value(v)}" for n, v in set_values.items())
        )
    if remove:
        clauses.append("REMOVE " + ", ".join(exprs.name(n) for n in remove))
    # Only update an item that exists: an update must never create one by accident.
    exists = exprs.condition(Attr(alias(next(iter(key)))).exists())
    params = exprs.apply(
        {
            "TableName": table,
            "Key": key,
            "UpdateExpression": " ".join(clauses),
            "ConditionExpression": exists,
            "ReturnValues": "ALL_NEW",
            **WRITE_CAPACITY,
        }
    )
    return params


def save_request(
    table: str, key_names: Sequence[str], loaded: Item, edited: Item
) -> dict[str, Any]:
    """UpdateItem of what changed from `loaded` to `edited`, on the condition that the item
    is as it was loaded (see DynamoDB.save_if_unchanged)."""
    key = item_key(loaded, key_names)
    changes = diff(loaded, edited)
    if not changes:
        raise ConfigError("nothing changed: nothing was written")
    exprs = Expressions()
    sets = [f"{exprs.name(c.name)} = {exprs.value(c.after)}" for c in changes if c.after]
    removes = [exprs.name(c.name) for c in changes if c.after is None]
    update = " ".join(
        part
        for part in (
            "SET " + ", ".join(sets) if sets else "",
            "REMOVE " + ", ".join(removes) if removes else "",
        )
        if part
    )
    checks = [_unchanged(exprs, name, value) for name, value in loaded.items()]
    if sum(map(len, checks)) > CONDITION_BUDGET:  # DynamoDB's expressions hold 4 KB at most
        touched = {c.name for c in changes}
        checks = [_unchanged(exprs, n, v) for n, v in loaded.items() if n in touched]
    checks += [f"attribute_not_exists({exprs.name(c.name)})" for c in changes if c.before is None]
    params = exprs.apply(
        {
            "TableName": table,
            "Key": key,
            "UpdateExpression": update,
            "ConditionExpression": " AND ".join(checks),
            "ReturnValues": "ALL_NEW",
            **WRITE_CAPACITY,
        }
    )
    return params


def _unchanged(exprs: Expressions, name: str, value: AttributeValue) -> str:
    placeholder = exprs.name(name)
    if "NULL" in value:  # NULL is compared by its type
        return f"attribute_type({placeholder}, {exprs.value({'S': 'NULL'})})"
    return f"{placeholder} = {exprs.value(value)}"


def _put_request(item: Item) -> dict[str, Any]:
    return {"PutRequest": {"Item": item}}


def _delete_request(key: Item) -> dict[str, Any]:
    return {"DeleteRequest": {"Key": key}}


class WriteStopped(Cancelled):
    """Stop during a batch write: `done` requests were written before it."""

    def __init__(self, message: str, done: int) -> None:
        super().__init__(message)
        self.done = done


class ItemChanged(AwsError):
    """An edit refused because the item is no longer as it was loaded: both versions."""

    def __init__(self, table: str, loaded: Item, now: Item | None) -> None:
        shown = _shown(now) if now is not None else "deleted"
        super().__init__(
            f"the item changed in table '{table}' since it was loaded; nothing was written. "
            f"Loaded: {_shown(loaded)}. Now: {shown}",
            "ConditionalCheckFailedException",
        )
        self.loaded, self.now = loaded, now


def _shown(item: Item) -> str:
    try:
        return to_plain_json(item)
    except ItemError:
        return to_dynamodb_json(item)


class DynamoDB:
    """DynamoDB through one low-level client (`connect` makes it with the engine's timeouts).

    `encoded_pages=True` (the browser) gives Scan, Query and PartiQL pages whose items are kept as
    DynamoDB sent them: the body is read with one json.loads instead of botocore walking
    every attribute of every item in Python (a 1 MB page: about 20 ms instead of 350 ms,
    during which the GUI thread could not run), and the items come as EncodedItems, which
    decode to exactly what botocore would have given."""

    def __init__(
        self,
        client: DynamoDBClient,
        sleep: Callable[[float], None] = time.sleep,
        encoded_pages: bool = False,
    ) -> None:
        self.client = client
        self._sleep = sleep
        if encoded_pages:
            for operation in ("Scan", "Query", "ExecuteStatement"):
                self.client.meta.events.register(
                    f"before-parse.dynamodb.{operation}",
                    keep_wire_page,
                    unique_id=f"rolecall-{operation}",
                )

    def _call(self, doing: str, operation: str, **params: Any) -> Any:
        try:
            return getattr(self.client, operation)(**params)
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            raise aws_failure(exc, doing) from None

    def list_tables(self) -> list[str]:
        names: list[str] = []
        params: dict[str, Any] = {}
        while True:
            answer = self._call("listing tables", "list_tables", **params)
            names += answer.get("TableNames", [])
            if "LastEvaluatedTableName" not in answer:
                return names
            params["ExclusiveStartTableName"] = answer["LastEvaluatedTableName"]

    def describe(self, table: str) -> TableInfo:
        raw = self._call(f"describing table '{table}'", "describe_table", TableName=table)["Table"]
        try:
            ttl = self.client.describe_time_to_live(TableName=table).get(
                "TimeToLiveDescription", {}
            )
        except Exception:  # noqa: BLE001 - TTL is extra detail; a role may not see it
            ttl = {}
        return table_info(raw, dict(ttl))

    def _pages(
        self,
        operation: str,
        doing: str,
        params: dict[str, Any],
        options: ReadOptions,
        token: bool = False,
    ) -> Iterator[ScanPage]:
        """Pages of a Scan or Query (ExclusiveStartKey) or, with `token`, of a PartiQL
        statement (NextToken, kept where a page's LastEvaluatedKey would be)."""
        start: Any = options.start_key
        start_param = "NextToken" if token else "ExclusiveStartKey"
        pages = 0
        growing = options.first_page if not options.page_size else None
        while True:
            if options.cancel is not None and options.cancel.is_set():
                raise Cancelled(f"{doing} was stopped after {pages} page(s)")
            request = dict(params)
            if start is not None:
                request[start_param] = start
            if growing is not None:
                request["Limit"] = growing
                growing = growing * GROWTH if growing * GROWTH < FULL_PAGE_ITEMS else None
            answer = self._call(doing, operation, **request)
            items: Sequence[Item]
            wire = answer.get(WIRE_PAGE)
            if wire is not None:
                answer, items = wire
                start = None if token else wire_key(answer.get("LastEvaluatedKey"))
            else:
                items = answer.get("Items", [])
                start = None if token else answer.get("LastEvaluatedKey")
            if token:
                start = answer.get("NextToken")
            pages += 1
            yield ScanPage(
                items=items,
                last_evaluated_key=start,
                count=answer.get("Count", len(items)),
                scanned_count=answer.get("ScannedCount", 0),
                capacity=Capacity.of(answer),
            )
            if start is None:
                return

    def scan(self, table: str, options: ReadOptions | None = None) -> Iterator[ScanPage]:
        """Pages of a scan; stops between pages when options.cancel is set."""
        options = options or ReadOptions()
        params = read_request(table, options, None)
        return self._pages("scan", f"scanning table '{table}'", params, options)

    def query(
        self, table: str, key: ConditionBase, options: ReadOptions | None = None
    ) -> Iterator[ScanPage]:
        """Pages of a query with a key condition made by `key_condition`."""
        options = options or ReadOptions()
        params = read_request(table, options, key)
        return self._pages("query", f"querying table '{table}'", params, options)

    def statement(
        self, statement: Statement, options: ReadOptions | None = None
    ) -> Iterator[ScanPage]:
        """Pages of one PartiQL statement (ExecuteStatement with NextToken): `page_size` is its
        Limit, `consistent` its ConsistentRead; a write statement gives one empty page."""
        options = options or ReadOptions()
        statement.check()
        params = statement.request()
        if options.page_size:
            params["Limit"] = options.page_size
        if options.consistent:
            params["ConsistentRead"] = True
        if options.return_capacity:
            params["ReturnConsumedCapacity"] = "INDEXES"
        doing = f"running the {statement.kind or 'PartiQL'} statement"
        return self._pages("execute_statement", doing, params, options, token=True)

    def statements(
        self, statements: Sequence[Statement], transaction: bool = False
    ) -> tuple[list[StatementAnswer], Capacity]:
        """Several statements in one call: BatchExecuteStatement (each statement succeeds or
        fails on its own, its error given with its number) or, with `transaction`,
        ExecuteTransaction (all or none)."""
        most = MAX_TRANSACTION if transaction else MAX_BATCH
        if len(statements) > most:
            raise ConfigError(
                f"{len(statements)} statements: DynamoDB takes at most {most} "
                f"{'in one transaction' if transaction else 'in one batch'}"
            )
        for one in statements:
            one.check()
        requests = [one.request() for one in statements]
        if transaction:
            answer = self._call(
                "running the transaction",
                "execute_transaction",
                TransactStatements=requests,
                ReturnConsumedCapacity="INDEXES",
            )
        else:
            answer = self._call(
                "running the statements",
                "batch_execute_statement",
                Statements=requests,
                ReturnConsumedCapacity="INDEXES",
            )
        answers = []
        for number, response in enumerate(answer.get("Responses", []), start=1):
            error = response.get("Error")
            answers.append(
                StatementAnswer(
                    number,
                    response.get("Item"),
                    f"{error.get('Code', 'Error')}: {error.get('Message', '')}".rstrip(": ")
                    if error
                    else None,
                )
            )
        return answers, Capacity.of(answer)

    def get(self, table: str, key: Item, consistent: bool = False) -> Item | None:
        answer = self._call(
            f"reading an item of table '{table}'",
            "get_item",
            TableName=table,
            Key=key,
            ConsistentRead=consistent,
        )
        return answer.get("Item")

    def put(self, table: str, item: Item, only_if_new: Sequence[str] | None = None) -> Capacity:
        """Write an item; with `only_if_new` (the key names) refuse to replace an existing one.
        Returns the capacity the write consumed."""
        params = put_request(table, item, only_if_new)
        try:
            return Capacity.of(self.client.put_item(**params))
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            if error_code(exc) == "ConditionalCheckFailedException":
                raise AwsError(
                    f"an item with this key already exists in table '{table}'; nothing was written",
                    "ConditionalCheckFailedException",
                ) from None
            raise aws_failure(exc, f"writing an item to table '{table}'") from None

    def update(
        self,
        table: str,
        key: Item,
        set_values: Mapping[str, AttributeValue] | None = None,
        remove: Sequence[str] = (),
    ) -> tuple[Item, Capacity]:
        """Set and remove chosen attributes of one item; returns the item as it is now, and
        the capacity the write consumed."""
        params = update_request(table, key, set_values, remove)
        try:
            answer: Any = self.client.update_item(**params)  # our items, not the stubs' dicts
            return answer.get("Attributes", {}), Capacity.of(answer)
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            if error_code(exc) == "ConditionalCheckFailedException":
                raise AwsError(
                    f"the item is no longer in table '{table}'; nothing was changed",
                    "ConditionalCheckFailedException",
                ) from None
            raise aws_failure(exc, f"updating an item of table '{table}'") from None

    def save_if_unchanged(
        self, table: str, key_names: Sequence[str], loaded: Item, edited: Item
    ) -> tuple[Item, Capacity]:
        """Write the edit of an item (UpdateItem with what changed) only if the item is still
        as it was loaded: every loaded attribute the same, every new one still absent.
        Attributes someone else added since are kept. If the item changed, ItemChanged
        says how it is now and nothing is written."""
        params = save_request(table, key_names, loaded, edited)
        key = params["Key"]
        try:
            answer: Any = self.client.update_item(**params)
            return answer.get("Attributes", {}), Capacity.of(answer)
        except Exception as exc:  # noqa: BLE001 - turned into a sentence
            if error_code(exc) != "ConditionalCheckFailedException":
                raise aws_failure(exc, f"saving an item of table '{table}'") from None
        now = self.get(table, key, consistent=True)
        raise ItemChanged(table, loaded, now)

    def delete(self, table: str, key: Item) -> None:
        self._call(f"deleting an item of table '{table}'", "delete_item", TableName=table, Key=key)

    def batch_delete(
        self,
        table: str,
        keys: Sequence[Item],
        progress: Callable[[int], None] | None = None,
        max_attempts: int = 8,
    ) -> tuple[int, Capacity]:
        """Delete many items, 25 at a time, retrying UnprocessedItems with backoff; how many
        were deleted, and the capacity that consumed."""
        return self.batch_write(
            table, keys, _delete_request, "deleted from", progress, None, max_attempts
        )

    def batch_put(
        self,
        table: str,
        items: Sequence[Item],
        progress: Callable[[int], None] | None = None,
        cancel: threading.Event | None = None,
        max_attempts: int = 8,
    ) -> tuple[int, Capacity]:
        """Write many items, 25 at a time (see batch_write)."""
        return self.batch_write(
            table, items, _put_request, "written to", progress, cancel, max_attempts
        )

    def batch_write(
        self,
        table: str,
        requests: Sequence[Any],
        make: Callable[[Any], dict[str, Any]],
        done_to: str,
        progress: Callable[[int], None] | None = None,
        cancel: threading.Event | None = None,
        max_attempts: int = 8,
    ) -> tuple[int, Capacity]:
        """BatchWriteItem in 25s, in order; `make` turns each of `requests` into a write
        request, 25 at a time, so a long import is not held as request dicts. UnprocessedItems
        and throttled calls are retried with backoff, so nothing is lost or written twice.
        Returns how many requests were done and the capacity they consumed; Stop (`cancel`)
        ends between calls, and WriteStopped says how many were done."""
        done, used = 0, Capacity()
        for start in range(0, len(requests), 25):
            pending = [make(one) for one in requests[start : start + 25]]
            attempt = 0
            while pending:
                if cancel is not None and cancel.is_set():
                    raise WriteStopped(
                        f"stopped: {done:,} of {len(requests):,} items were {done_to} "
                        f"table '{table}'",
                        done,
                    )
                try:
                    client: Any = self.client  # our plain dicts, not the stubs' TypedDicts
                    answer = client.batch_write_item(
                        RequestItems={table: pending}, **WRITE_CAPACITY
                    )
                    used += Capacity.of(answer)
                    left = list(answer.get("UnprocessedItems", {}).get(table, []))
                except Exception as exc:  # noqa: BLE001 - throttling is retried, the rest said
                    if error_code(exc) not in THROTTLED:
                        failure = aws_failure(exc, f"writing items to table '{table}'")
                        raise AwsError(
                            f"{failure} ({done:,} of {len(requests):,} items were {done_to} it)",
                            failure.code if isinstance(failure, AwsError) else None,
                        ) from None
                    left = pending
                done += len(pending) - len(left)
                if progress:
                    progress(done)
                pending = left
                if pending:
                    attempt += 1
                    if attempt >= max_attempts:
                        raise AwsError(
                            f"{len(requests) - done:,} of {len(requests):,} items could not be "
                            f"{done_to} table '{table}' after {max_attempts} tries (throttled): "
                            "try again later or raise the table's capacity",
                            "UnprocessedItems",
                        )
                    self._sleep(min(0.05 * 2**attempt, 5.0))
        return done, used


def connect(
    factory: ClientFactory,
    creds: Credentials,
    region: str | None,
    profile: str | None = None,
    encoded_pages: bool = False,
) -> DynamoDB:
    """DynamoDB with the factory's client for these credentials, kept and reused: data calls
    wait DATA_READ_TIMEOUT for an answer; `profile` only lends its endpoint settings."""
    client = factory.client(
        "dynamodb",
        profile,
        creds,
        region,
        read_timeout=DATA_READ_TIMEOUT,
        variant="encoded pages" if encoded_pages else "",
    )
    return DynamoDB(client, encoded_pages=encoded_pages)
