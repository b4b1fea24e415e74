"""DynamoDB through the low-level client: tables, pages of raw items, writes, export."""

from __future__ import annotations

import csv
import json
import os
import queue
import re
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from boto3.dynamodb.conditions import Attr, ConditionBase, ConditionExpressionBuilder, Key

from core.errors import AwsError, ConfigError, RolecallError
from core.items import (
    AttributeValue,
    EncodedItems,
    Item,
    ItemError,
    cell_text,
    columns,
    from_wire,
    to_attribute_value,
    to_dynamodb_json,
    to_plain_json,
)
from core.sts import DATA_READ_TIMEOUT, aws_failure, client_config

EXPORT_FORMATS = ("csv", "jsonl", "dynamodb-jsonl")


class Cancelled(RolecallError):
    """The person stopped the read; what was loaded so far stays."""


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


@dataclass
class ScanPage:
    """One page as DynamoDB returned it: raw items and the key to go on from, untouched."""

    items: list[Item]
    last_evaluated_key: Item | None
    count: int
    scanned_count: int
    consumed_capacity: float | None = None
    segment: int | None = None

    @property
    def more(self) -> bool:
        return self.last_evaluated_key is not None


@dataclass(frozen=True)
class FilterClause:
    """`attribute operator value [value2]`, with values as Python values (Decimal, str, …)."""

    attribute: str
    operator: str
    value: Any = None
    value2: Any = None


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
    max_pages: int | None = None
    cancel: threading.Event | None = None
    segment: int | None = None
    total_segments: int | None = None
    return_capacity: bool = True
    extra: dict[str, Any] = field(default_factory=dict)


# operator -> (boto3 condition method, how many values it takes)
_KEY_METHODS = {
    "=": ("eq", 1),
    "<": ("lt", 1),
    "<=": ("lte", 1),
    ">": ("gt", 1),
    ">=": ("gte", 1),
    "begins_with": ("begins_with", 1),
    "between": ("between", 2),
}
_FILTER_METHODS = {
    **_KEY_METHODS,
    "<>": ("ne", 1),
    "contains": ("contains", 1),
    "attribute_exists": ("exists", 0),
    "attribute_not_exists": ("not_exists", 0),
    "attribute_type": ("attribute_type", 1),
}
KEY_OPERATORS = tuple(_KEY_METHODS)
FILTER_OPERATORS = tuple(_FILTER_METHODS)


def _apply(
    target: Any,
    methods: dict[str, tuple[str, int]],
    operator: str,
    what: str,
    values: tuple[Any, Any],
) -> ConditionBase:
    if operator not in methods:
        raise ConfigError(f"'{operator}' is not a {what}: use {', '.join(methods)}")
    method, arity = methods[operator]
    return getattr(target, method)(*values[:arity])


def key_condition(
    partition: str,
    partition_value: Any,
    sort: str | None = None,
    operator: str | None = None,
    value: Any = None,
    value2: Any = None,
) -> ConditionBase:
    """Partition key equals, and optionally a sort key condition, as boto3 conditions."""
    condition = Key(_alias(partition)).eq(partition_value)
    if sort is None or operator is None:
        return condition
    return condition & _apply(
        Key(_alias(sort)), _KEY_METHODS, operator, "sort key condition", (value, value2)
    )


def filter_condition(clauses: Sequence[FilterClause], combine: str = "AND") -> ConditionBase:
    """Filter clauses joined with AND or OR, as boto3 conditions."""
    if combine not in ("AND", "OR"):
        raise ConfigError("filters combine with AND or OR")
    if not clauses:
        raise ConfigError("no filter clauses given")
    built: list[ConditionBase] = []
    for clause in clauses:
        if not clause.attribute:
            raise ConfigError("a filter needs an attribute name")
        built.append(
            _apply(
                Attr(_alias(clause.attribute)),
                _FILTER_METHODS,
                clause.operator,
                "filter",
                (clause.value, clause.value2),
            )
        )
    result = built[0]
    for condition in built[1:]:
        result = (result & condition) if combine == "AND" else (result | condition)
    return result


_ALIAS = "rc_"


def _alias(name: str) -> str:
    """boto3 reads dots and brackets in a name as a path; ours are always plain names, so they
    travel hex-encoded through the builder and are decoded into the placeholders."""
    return _ALIAS + name.encode("utf-8").hex()


def _unalias(name: str) -> str:
    if name.startswith(_ALIAS):
        try:
            return bytes.fromhex(name[len(_ALIAS) :]).decode("utf-8")
        except ValueError:
            pass
    return name


class _Expressions:
    """Collects expression attribute names and values across the parts of one request."""

    def __init__(self) -> None:
        self.builder = ConditionExpressionBuilder()
        self.names: dict[str, str] = {}
        self.values: dict[str, AttributeValue] = {}

    def condition(self, condition: ConditionBase, is_key: bool = False) -> str:
        expr = self.builder.build_expression(condition, is_key_condition=is_key)
        for placeholder, name in expr.attribute_name_placeholders.items():
            self.names[placeholder] = _unalias(name)
        for placeholder, value in expr.attribute_value_placeholders.items():
            self.values[placeholder] = to_attribute_value(value)
        return expr.condition_expression

    def name(self, attribute: str) -> str:
        placeholder = f"#p{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: AttributeValue) -> str:
        placeholder = f":u{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def apply(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.names:
            params["ExpressionAttributeNames"] = self.names
        if self.values:
            params["ExpressionAttributeValues"] = self.values
        return params


_WIRE_PAGE = "RolecallWirePage"
GROWTH = 4  # each growing page asks for this many times the items of the one before
FULL_PAGE_ITEMS = 3000  # past this, ask for DynamoDB's full 1 MB pages


def _keep_wire_page(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    """botocore's before-parse event: keep a good answer's items as sent, and give botocore an
    empty body to parse (errors are left to botocore, retries included)."""
    if response_dict.get("status_code") == 200 and response_dict.get("body"):
        customized_response_dict[_WIRE_PAGE] = split_page(response_dict["body"].decode("utf-8"))
        response_dict["body"] = b"{}"


_ITEMS = re.compile(r'"Items"\s*:\s*\[')
_BETWEEN = re.compile(r"[\s,]*")
_decode_one = json.JSONDecoder().raw_decode


def split_page(text: str) -> tuple[dict[str, Any], EncodedItems]:
    """A Scan/Query answer as (everything but the items, the items as their own JSON text).

    Each item is decoded on its own, so no single call holds the GIL for long (one json.loads
    of a 1 MB page holds it 20-40 ms, and the GUI thread waits that long). `"Items": [` can
    only be the top-level key: inside an item, quotes in strings are escaped and an attribute
    value is always an object."""
    found = _ITEMS.search(text)
    if found is None:
        return json.loads(text), EncodedItems.from_rows([], [])
    at = found.start()
    rows: list[str] = []
    names: dict[str, None] = {}
    i = _BETWEEN.match(text, found.end()).end()  # type: ignore[union-attr]
    while text[i] != "]":
        item, end = _decode_one(text, i)
        rows.append(text[i:end])
        names.update(dict.fromkeys(item))
        i = _BETWEEN.match(text, end).end()  # type: ignore[union-attr]
    rest = json.loads(text[:at] + '"Items":[]' + text[i + 1 :])
    return rest, EncodedItems.from_rows(rows, list(names))


def wire_key(key: dict[str, Any] | None) -> Item | None:
    """A LastEvaluatedKey as sent (binary as base64) in botocore's form (bytes)."""
    return None if key is None else from_wire(key)


class DynamoDB:
    """The low-level `dynamodb` client of one boto3 session, with the engine's timeouts.

    `encoded_pages=True` (the browser) gives Scan and Query pages whose items are kept as
    DynamoDB sent them: the body is read with one json.loads instead of botocore walking
    every attribute of every item in Python (a 1 MB page: about 20 ms instead of 350 ms,
    during which the GUI thread could not run), and the items come as EncodedItems, which
    decode to exactly what botocore would have given."""

    def __init__(
        self,
        session: Any = None,
        client: Any = None,
        sleep=time.sleep,
        encoded_pages: bool = False,
    ) -> None:
        self.client = client or session.client(
            "dynamodb", config=client_config(read_timeout=DATA_READ_TIMEOUT)
        )
        self._sleep = sleep
        if encoded_pages:
            for operation in ("Scan", "Query"):
                self.client.meta.events.register(
                    f"before-parse.dynamodb.{operation}",
                    _keep_wire_page,
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
        types = {
            a["AttributeName"]: a["AttributeType"] for a in raw.get("AttributeDefinitions", [])
        }

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

    def _read_params(
        self, table: str, options: ReadOptions, key: ConditionBase | None
    ) -> dict[str, Any]:
        exprs = _Expressions()
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
            params["ReturnConsumedCapacity"] = "TOTAL"
        if options.segment is not None:
            params["Segment"] = options.segment
            params["TotalSegments"] = options.total_segments
        params.update(options.extra)
        return exprs.apply(params)

    def _pages(
        self, operation: str, doing: str, params: dict[str, Any], options: ReadOptions
    ) -> Iterator[ScanPage]:
        start = options.start_key
        pages = 0
        growing = options.first_page if not options.page_size else None
        while True:
            if options.cancel is not None and options.cancel.is_set():
                raise Cancelled(f"{doing} was stopped after {pages} page(s)")
            request = dict(params)
            if start is not None:
                request["ExclusiveStartKey"] = start
            if growing is not None:
                request["Limit"] = growing
                growing = growing * GROWTH if growing * GROWTH < FULL_PAGE_ITEMS else None
            answer = self._call(doing, operation, **request)
            items: Any
            wire = answer.get(_WIRE_PAGE)
            if wire is not None:
                answer, items = wire
                start = wire_key(answer.get("LastEvaluatedKey"))
            else:
                items = answer.get("Items", [])
                start = answer.get("LastEvaluatedKey")
            pages += 1
            yield ScanPage(
                items=items,
                last_evaluated_key=start,
                count=answer.get("Count", 0),
                scanned_count=answer.get("ScannedCount", 0),
                consumed_capacity=answer.get("ConsumedCapacity", {}).get("CapacityUnits"),
                segment=options.segment,
            )
            if start is None or (options.max_pages is not None and pages >= options.max_pages):
                return

    def scan(self, table: str, options: ReadOptions | None = None) -> Iterator[ScanPage]:
        """Pages of a scan; stops between pages when options.cancel is set."""
        options = options or ReadOptions()
        params = self._read_params(table, options, None)
        return self._pages("scan", f"scanning table '{table}'", params, options)

    def query(
        self, table: str, key: ConditionBase, options: ReadOptions | None = None
    ) -> Iterator[ScanPage]:
        """Pages of a query with a key condition made by `key_condition`."""
        options = options or ReadOptions()
        params = self._read_params(table, options, key)
        return self._pages("query", f"querying table '{table}'", params, options)

    def parallel_scan(
        self, table: str, segments: int, options: ReadOptions | None = None
    ) -> Iterator[ScanPage]:
        """A scan split in `segments` run side by side; pages arrive as they come."""
        if not 1 <= segments <= 1000000:
            raise ConfigError("a parallel scan takes 1 to 1,000,000 segments")
        base = options or ReadOptions()
        cancel = base.cancel or threading.Event()
        pages: queue.Queue[ScanPage | BaseException | None] = queue.Queue(maxsize=segments * 2)

        def run(segment: int) -> None:
            opts = replace(base, segment=segment, total_segments=segments, cancel=cancel)
            try:
                for page in self.scan(table, opts):
                    pages.put(page)
            except BaseException as exc:  # noqa: BLE001 - handed to the reader
                pages.put(exc)
            finally:
                pages.put(None)

        pool = ThreadPoolExecutor(max_workers=min(segments, 16))
        for segment in range(segments):
            pool.submit(run, segment)
        finished = 0
        try:
            while finished < segments:
                got = pages.get()
                if got is None:
                    finished += 1
                elif isinstance(got, BaseException):
                    cancel.set()
                    raise got
                else:
                    yield got
        finally:
            cancel.set()
            while finished < segments:  # let blocked workers finish
                if pages.get() is None:
                    finished += 1
            pool.shutdown(wait=True)

    def get(self, table: str, key: Item, consistent: bool = False) -> Item | None:
        answer = self._call(
            f"reading an item of table '{table}'",
            "get_item",
            TableName=table,
            Key=key,
            ConsistentRead=consistent,
        )
        return answer.get("Item")

    def put(self, table: str, item: Item, only_if_new: Sequence[str] | None = None) -> None:
        """Write an item; with `only_if_new` (the key names) refuse to replace an existing one."""
        params: dict[str, Any] = {"TableName": table, "Item": item}
        if only_if_new:
            exprs = _Expressions()
            params["ConditionExpression"] = exprs.condition(
                Attr(_alias(only_if_new[0])).not_exists()
            )
            exprs.apply(params)
        try:
            self.client.put_item(**params)
        except Exception as exc:  # noqa: BLE001
            if _code(exc) == "ConditionalCheckFailedException":
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
    ) -> Item:
        """Set and remove chosen attributes of one item; returns the item as it is now."""
        if not set_values and not remove:
            raise ConfigError("nothing to update: give attributes to set or remove")
        exprs = _Expressions()
        clauses = []
        if set_values:
            clauses.append(
                "SET "
                + ", ".join(f"{exprs.name(n)} = {exprs.value(v)}" for n, v in set_values.items())
            )
        if remove:
            clauses.append("REMOVE " + ", ".join(exprs.name(n) for n in remove))
        # Only update an item that exists: an update must never create one by accident.
        exists = exprs.condition(Attr(_alias(next(iter(key)))).exists())
        params = exprs.apply(
            {
                "TableName": table,
                "Key": key,
                "UpdateExpression": " ".join(clauses),
                "ConditionExpression": exists,
                "ReturnValues": "ALL_NEW",
            }
        )
        try:
            return self.client.update_item(**params).get("Attributes", {})
        except Exception as exc:  # noqa: BLE001
            if _code(exc) == "ConditionalCheckFailedException":
                raise AwsError(
                    f"the item is no longer in table '{table}'; nothing was changed",
                    "ConditionalCheckFailedException",
                ) from None
            raise aws_failure(exc, f"updating an item of table '{table}'") from None

    def delete(self, table: str, key: Item) -> None:
        self._call(f"deleting an item of table '{table}'", "delete_item", TableName=table, Key=key)

    def batch_delete(
        self,
        table: str,
        keys: Sequence[Item],
        progress: Callable[[int], None] | None = None,
        max_attempts: int = 8,
    ) -> int:
        """Delete many items, 25 at a time, retrying UnprocessedItems with backoff."""
        done = 0
        for start in range(0, len(keys), 25):
            pending = [{"DeleteRequest": {"Key": k}} for k in keys[start : start + 25]]
            attempt = 0
            while pending:
                answer = self._call(
                    f"deleting items of table '{table}'",
                    "batch_write_item",
                    RequestItems={table: pending},
                )
                left = answer.get("UnprocessedItems", {}).get(table, [])
                done += len(pending) - len(left)
                if progress:
                    progress(done)
                pending = left
                if pending:
                    attempt += 1
                    if attempt >= max_attempts:
                        raise AwsError(
                            f"{len(keys) - done} of {len(keys)} items could not be deleted from "
                            f"table '{table}' after {max_attempts} tries (throttled): try again "
                            "later or raise the table's capacity",
                            "UnprocessedItems",
                        )
                    self._sleep(min(0.05 * 2**attempt, 5.0))
        return done


def _code(exc: Exception) -> str:
    return getattr(exc, "response", {}).get("Error", {}).get("Code", "")


def item_key(item: Mapping[str, AttributeValue], key_names: Sequence[str]) -> Item:
    try:
        return {name: item[name] for name in key_names}
    except KeyError as exc:
        raise ItemError(f"the item has no value for the key attribute {exc.args[0]}") from None


def export(
    pages: Iterable[Sequence[Item]],
    path: Path,
    fmt: str,
    key_names: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Write items to CSV or JSON Lines as they come; returns how many were written.

    CSV: one column per attribute (keys first), nested values as plain JSON, missing as an
    empty cell. The file appears complete or not at all (written beside, then renamed).
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"'{fmt}' is not an export format: use {', '.join(EXPORT_FORMATS)}")
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    count = 0
    names: list[str] = []
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            for page in pages:
                if cancel is not None and cancel.is_set():
                    raise Cancelled(f"the export was stopped after {count} items")
                if fmt == "csv":
                    names = columns(page, key_names, names)
                    for item in page:
                        writer.writerow([cell_text(item.get(n)) for n in names])
                else:
                    for item in page:
                        line = to_plain_json(item) if fmt == "jsonl" else to_dynamodb_json(item)
                        out.write(line + "\n")
                count += len(page)
                if progress:
                    progress(count)
        if fmt == "csv":
            _add_csv_header(partial, names)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def _add_csv_header(partial: Path, names: list[str]) -> None:
    """Prepend the header; rows written before a column first appeared get empty cells."""
    final = partial.with_name(partial.name + "2")
    with (
        partial.open(encoding="utf-8", newline="") as body,
        final.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(names)
        for row in csv.reader(body):
            writer.writerow(row + [""] * (len(names) - len(row)))
    os.replace(final, partial)


def plain_key(text_or_data: str | Mapping[str, Any]) -> Item:
    """A key given as plain JSON ({"id": "123"}) as an item key."""
    from core.items import from_plain_json, plain_to_item

    if isinstance(text_or_data, str):
        return from_plain_json(text_or_data)
    return plain_to_item(text_or_data)
