"""DynamoDB through the low-level client against moto over HTTP: read, write, export, exactly."""

from __future__ import annotations

import csv
import json
import threading
import uuid
from decimal import Decimal

import pytest

from core.clients import ClientFactory
from core.compact import from_wire
from core.credentials import StaticCredentials
from core.dynamo import DynamoDB, ReadOptions, connect
from core.errors import AwsError, Cancelled, ConfigError
from core.export import export
from core.expressions import FilterClause, key_condition
from core.items import from_plain_json

FAKE_KEYS = StaticCredentials("AKIAIOSFODNN7EXAMPLE", "x" * 40)


@pytest.fixture
def db(aws) -> DynamoDB:
    return connect(ClientFactory(), FAKE_KEYS, "eu-west-1")


def make_table(db: DynamoDB, sort_type: str | None = "N", **extra) -> str:
    name = f"t-{uuid.uuid4().hex[:10]}"
    attrs = [{"AttributeName": "pk", "AttributeType": "S"}]
    schema = [{"AttributeName": "pk", "KeyType": "HASH"}]
    if sort_type:
        attrs.append({"AttributeName": "sk", "AttributeType": sort_type})
        schema.append({"AttributeName": "sk", "KeyType": "RANGE"})
    attrs += extra.pop("attrs", [])
    db.client.create_table(
        TableName=name,
        AttributeDefinitions=attrs,
        KeySchema=schema,
        BillingMode="PAY_PER_REQUEST",
        **extra,
    )
    return name


def fill(db: DynamoDB, table: str, count: int, pk: str = "p") -> list[dict]:
    items = [
        {
            "pk": {"S": pk},
            "sk": {"N": str(i)},
            "status": {"S": "odd" if i % 2 else "even"},
            "n": {"N": str(i * 10)},
        }
        for i in range(1, count + 1)
    ]
    for item in items:
        db.put(table, item)
    return items


def test_list_tables_follows_every_page(db):
    made = {make_table(db) for _ in range(3)}
    assert made <= set(db.list_tables())


def test_describe_shows_keys_indexes_billing_stream_and_ttl(db):
    table = make_table(
        db,
        attrs=[{"AttributeName": "status", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["n"]},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "by-pk-status",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "status", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            }
        ],
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_IMAGE"},
    )
    db.client.update_time_to_live(
        TableName=table, TimeToLiveSpecification={"Enabled": True, "AttributeName": "expires"}
    )
    fill(db, table, 3)
    info = db.describe(table)
    assert (info.partition_key.name, info.partition_key.type) == ("pk", "S")
    assert (info.sort_key.name, info.sort_key.type) == ("sk", "N")
    gsi, lsi = info.indexes
    assert (gsi.kind, gsi.partition_key.name, gsi.projection, gsi.projected_attributes) == (
        "GSI",
        "status",
        "INCLUDE",
        ("n",),
    )
    assert (lsi.kind, lsi.sort_key.name, lsi.projection) == ("LSI", "status", "KEYS_ONLY")
    assert info.billing_mode == "PAY_PER_REQUEST" and info.item_count == 3
    assert info.stream == "NEW_IMAGE" and info.ttl_attribute == "expires"
    assert info.key_names == ("pk", "sk")


def scans_sent(db: DynamoDB) -> list[dict]:
    """The parameters of every Scan request the client sends from now on."""
    sent: list[dict] = []
    db.client.meta.events.register(
        "provide-client-params.dynamodb.Scan", lambda params, **_: sent.append(params.copy())
    )
    return sent


def test_scan_pages_pass_the_last_evaluated_key_back_exactly(db):
    table = make_table(db)
    fill(db, table, 12)
    sent = scans_sent(db)
    pages = list(db.scan(table, ReadOptions(page_size=5)))
    assert [len(p.items) for p in pages] == [5, 5, 2]
    assert [p.more for p in pages] == [True, True, False]
    assert sent[1]["ExclusiveStartKey"] == pages[0].last_evaluated_key
    assert sent[2]["ExclusiveStartKey"] == pages[1].last_evaluated_key
    assert sum(p.scanned_count for p in pages) == 12
    assert all(p.capacity.calls == 1 and p.capacity.units > 0 for p in pages)


def test_a_first_page_asks_for_a_screenful_and_later_pages_grow_to_full_ones(db, monkeypatch):
    monkeypatch.setattr("core.dynamo.FULL_PAGE_ITEMS", 200)  # 3,000 here would be slow
    table = make_table(db)
    fill(db, table, 300)
    sent = scans_sent(db)
    pages = list(db.scan(table, ReadOptions(first_page=10)))
    assert [len(p.items) for p in pages] == [10, 40, 160, 90]
    assert [s.get("Limit") for s in sent] == [10, 40, 160, None]  # then DynamoDB's 1 MB pages
    sent.clear()
    list(db.scan(table, ReadOptions(first_page=10, page_size=100)))  # the person's page size
    assert [s.get("Limit") for s in sent] == [100, 100, 100]


def test_data_calls_wait_for_a_slow_page_but_connecting_and_sts_stay_quick(db):
    from core.clients import client_config

    assert db.client.meta.config.read_timeout == 60
    assert db.client.meta.config.connect_timeout == 3
    assert client_config().read_timeout == 5 and client_config().connect_timeout == 3


def test_a_scan_resumes_from_a_saved_key(db):
    table = make_table(db)
    items = fill(db, table, 9)
    first = next(iter(db.scan(table, ReadOptions(page_size=4))))
    rest = [
        i for p in db.scan(table, ReadOptions(start_key=first.last_evaluated_key)) for i in p.items
    ]
    assert len(first.items) + len(rest) == len(items)
    assert {i["sk"]["N"] for i in first.items + rest} == {i["sk"]["N"] for i in items}


@pytest.mark.parametrize(
    ("operator", "value", "value2", "expected"),
    [
        ("=", 5, None, [5]),
        ("<", 5, None, [1, 2, 3, 4]),
        ("<=", 3, None, [1, 2, 3]),
        (">", 8, None, [9, 10]),
        (">=", 9, None, [9, 10]),
        ("between", 3, 6, [3, 4, 5, 6]),
    ],
)
def test_query_sort_key_conditions(db, operator, value, value2, expected):
    table = make_table(db)
    fill(db, table, 10)
    fill(db, table, 3, pk="other")
    cond = key_condition(
        "pk", "p", "sk", operator, Decimal(value), Decimal(value2) if value2 else None
    )
    found = [int(i["sk"]["N"]) for p in db.query(table, cond) for i in p.items]
    assert found == expected


def test_query_begins_with_on_a_string_sort_key(db):
    table = make_table(db, sort_type="S")
    for sk in ("2026-01-05", "2026-02-01", "2025-12-31"):
        db.put(table, {"pk": {"S": "p"}, "sk": {"S": sk}})
    cond = key_condition("pk", "p", "sk", "begins_with", "2026-")
    assert [i["sk"]["S"] for p in db.query(table, cond) for i in p.items] == [
        "2026-01-05",
        "2026-02-01",
    ]


def test_filters_with_reserved_and_odd_attribute_names(db):
    table = make_table(db)
    odd = ["status", "name", "a.b", "with space", "#hash"]
    for i in range(1, 7):
        item = {"pk": {"S": "p"}, "sk": {"N": str(i)}}
        for name in odd:
            item[name] = {"S": f"{name}-{i}"}
        if i % 2:
            item["size"] = {"N": str(i)}
        db.put(table, item)

    def run(filters, combine="AND"):
        pages = db.scan(table, ReadOptions(filters=filters, combine=combine))
        return sorted(int(i["sk"]["N"]) for p in pages for i in p.items)

    assert run([FilterClause("a.b", "=", "a.b-3")]) == [3]
    assert run([FilterClause("with space", "begins_with", "with space-")]) == [1, 2, 3, 4, 5, 6]
    assert run([FilterClause("#hash", "contains", "-4")]) == [4]
    assert run([FilterClause("size", "attribute_exists")]) == [1, 3, 5]
    assert run([FilterClause("size", "attribute_not_exists")]) == [2, 4, 6]
    assert run([FilterClause("size", "attribute_type", "N")]) == [1, 3, 5]
    assert run([FilterClause("size", ">", Decimal(1)), FilterClause("size", "<", Decimal(5))]) == [
        3
    ]
    assert run(
        [FilterClause("status", "=", "status-1"), FilterClause("name", "=", "name-2")], "OR"
    ) == [1, 2]
    assert run([FilterClause("status", "<>", "status-1")]) == [2, 3, 4, 5, 6]
    assert run([FilterClause("size", "between", Decimal(2), Decimal(5))]) == [3, 5]


def test_count_projection_consistent_read_and_index(db):
    table = make_table(
        db,
        attrs=[{"AttributeName": "status", "AttributeType": "S"}],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    fill(db, table, 6)
    counted = list(db.scan(table, ReadOptions(count_only=True)))
    assert sum(p.count for p in counted) == 6 and all(not p.items for p in counted)
    projected = [
        i for p in db.scan(table, ReadOptions(projection=["sk", "status"])) for i in p.items
    ]
    assert all(set(i) == {"sk", "status"} for i in projected)
    sent = scans_sent(db)
    list(db.scan(table, ReadOptions(consistent=True)))
    assert sent[-1]["ConsistentRead"] is True
    by_index = db.query(table, key_condition("status", "odd"), ReadOptions(index="by-status"))
    assert sorted(int(i["sk"]["N"]) for p in by_index for i in p.items) == [1, 3, 5]


def test_cancel_stops_between_pages(db):
    table = make_table(db)
    fill(db, table, 10)
    cancel = threading.Event()
    pages = db.scan(table, ReadOptions(page_size=3, cancel=cancel))
    first = next(pages)
    cancel.set()
    with pytest.raises(Cancelled, match="stopped after 1 page"):
        next(pages)
    assert len(first.items) == 3


EVERY_TYPE = {
    "pk": {"S": "p"},
    "sk": {"N": "1"},
    "big": {"N": "12345678901234567890123456789012345678"},
    "small": {"N": "1E-130"},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x00", b"\xff"]},
    "bin": {"B": b"\x00\x01\x02"},
    "null": {"NULL": True},
    "empty": {"S": ""},
    "flag": {"BOOL": False},
    "nested": {"M": {"l": {"L": [{"N": "1"}, {"M": {"x": {"NULL": True}}}]}}},
}


def sets_sorted(value):
    """DynamoDB keeps no order inside a set, so compare sets as sorted lists."""
    if isinstance(value, dict):
        return {
            k: sorted(v) if k in ("SS", "NS", "BS") else sets_sorted(v) for k, v in value.items()
        }
    if isinstance(value, list):
        return [sets_sorted(v) for v in value]
    return value


def test_every_type_comes_back_exactly_as_written(db):
    table = make_table(db)
    db.put(table, EVERY_TYPE)
    got = db.get(table, {"pk": {"S": "p"}, "sk": {"N": "1"}})
    assert sets_sorted(got) == sets_sorted(EVERY_TYPE)
    assert "missing" not in got and got["empty"] == {"S": ""} and got["null"] == {"NULL": True}


def test_put_only_if_new_refuses_to_replace(db):
    table = make_table(db)
    db.put(table, {"pk": {"S": "p"}, "sk": {"N": "1"}, "v": {"S": "first"}})
    with pytest.raises(AwsError, match=r"already exists.*nothing was written"):
        db.put(
            table,
            {"pk": {"S": "p"}, "sk": {"N": "1"}, "v": {"S": "second"}},
            only_if_new=["pk", "sk"],
        )
    assert db.get(table, {"pk": {"S": "p"}, "sk": {"N": "1"}})["v"] == {"S": "first"}


def test_update_sets_and_removes_chosen_attributes_only(db):
    table = make_table(db)
    key = {"pk": {"S": "p"}, "sk": {"N": "1"}}
    assert db.put(table, {**key, "a": {"S": "1"}, "b": {"S": "2"}, "c": {"S": "3"}}).calls == 1
    now, used = db.update(table, key, {"a": {"N": "10"}, "new": {"NULL": True}}, remove=["b"])
    assert now == {**key, "a": {"N": "10"}, "c": {"S": "3"}, "new": {"NULL": True}}
    assert used.calls == 1 and used.units > 0  # as DynamoDB reported it
    with pytest.raises(AwsError, match="no longer in table"):
        db.update(table, {"pk": {"S": "p"}, "sk": {"N": "99"}}, {"a": {"S": "x"}})
    assert db.get(table, {"pk": {"S": "p"}, "sk": {"N": "99"}}) is None
    with pytest.raises(ConfigError, match="nothing to update"):
        db.update(table, key)


def test_delete_and_batch_delete(db):
    table = make_table(db)
    items = fill(db, table, 60)
    db.delete(table, {"pk": {"S": "p"}, "sk": {"N": "1"}})
    done = []
    keys = [{"pk": i["pk"], "sk": i["sk"]} for i in items[1:]]
    deleted, used = db.batch_delete(table, keys, progress=done.append)
    assert deleted == 59 and used.calls == 3  # 25 + 25 + 9
    assert done[-1] == 59
    assert sum(p.count for p in db.scan(table)) == 0


class ThrottlingClient:
    """The real moto client, except that batch writes leave items unprocessed at first, as a
    throttled table does (moto never throttles, so this is the one place a stand-in is used)."""

    def __init__(self, client, refusals):
        self._client = client
        self.refusals = refusals

    def batch_write_item(self, RequestItems, **extra):  # noqa: N803
        ((table, requests),) = RequestItems.items()
        if self.refusals:
            self.refusals -= 1
            done, left = requests[: len(requests) // 2], requests[len(requests) // 2 :]
            if done:
                self._client.batch_write_item(RequestItems={table: done}, **extra)
            return {"UnprocessedItems": {table: left}}
        return self._client.batch_write_item(RequestItems=RequestItems, **extra)

    def __getattr__(self, name):
        return getattr(self._client, name)


def test_batch_delete_retries_unprocessed_items_with_backoff(db):
    table = make_table(db)
    items = fill(db, table, 30)
    waits = []
    throttled = DynamoDB(client=ThrottlingClient(db.client, refusals=3), sleep=waits.append)
    deleted, _ = throttled.batch_delete(table, [{"pk": i["pk"], "sk": i["sk"]} for i in items])
    assert deleted == 30
    assert waits == sorted(waits) and len(waits) == 3
    assert sum(p.count for p in db.scan(table)) == 0


def test_batch_delete_gives_up_with_a_sentence(db):
    table = make_table(db)
    items = fill(db, table, 4)
    throttled = DynamoDB(client=ThrottlingClient(db.client, refusals=100), sleep=lambda s: None)
    with pytest.raises(AwsError, match=r"of 4 items could not be deleted .* after 3 tries"):
        throttled.batch_delete(
            table, [{"pk": i["pk"], "sk": i["sk"]} for i in items], max_attempts=3
        )


def test_a_missing_table_is_a_sentence(db):
    with pytest.raises(AwsError, match="scanning table 'nope' failed: ResourceNotFoundException"):
        list(db.scan("nope"))


def test_export_csv_keys_first_nested_as_plain_json_and_late_columns(db, tmp_path):
    page1 = [{"pk": {"S": "a"}, "sk": {"N": "1"}, "m": {"M": {"x": {"N": "1"}}}}]
    page2 = [{"late": {"SS": ["z"]}, "sk": {"N": "2"}, "pk": {"S": "b"}, "m": {"NULL": True}}]
    progress = []
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    out = tmp_path / "rows.csv"
    assert export([page1, page2], out, "csv", ["pk", "sk"], progress=progress.append) == 2
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows == [
        ["pk", "sk", "m", "late"],
        ["a", "1", '{"x": 1}', ""],
        ["b", "2", "null", '{"z"}'],
    ]
    assert progress == [1, 2]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.csv"]


def test_export_json_lines_round_trip_exactly(tmp_path):
    out = tmp_path / "rows.jsonl"
    export([[EVERY_TYPE]], out, "jsonl")
    assert from_plain_json(out.read_text().strip()) == EVERY_TYPE
    export([[EVERY_TYPE]], out, "dynamodb-jsonl")
    assert from_wire(json.loads(out.read_text())) == EVERY_TYPE
    assert json.loads(out.read_text())["big"] == {"N": "12345678901234567890123456789012345678"}


def test_a_whole_scan_streams_to_a_file_and_cancel_leaves_nothing(db, tmp_path):
    table = make_table(db)
    fill(db, table, 25)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    out = tmp_path / "all.jsonl"
    pages = (p.items for p in db.scan(table, ReadOptions(page_size=10)))
    assert export(pages, out, "jsonl") == 25
    assert len(out.read_text().splitlines()) == 25
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        export((p.items for p in db.scan(table)), tmp_path / "stopped.csv", "csv", cancel=cancel)
    assert not (tmp_path / "stopped.csv").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["all.jsonl"]


@pytest.mark.parametrize("operation", ["scan", "query"])
def test_pages_kept_as_sent_decode_to_exactly_what_botocore_gives(db, operation):
    """The browser's reads skip botocore's per-attribute parsing: same items, same keys."""
    from core.compact import EncodedItems

    table = make_table(db, sort_type="B")
    for i in range(7):
        db.put(table, {**EVERY_TYPE, "sk": {"B": bytes([0, i, 255])}, "n": {"N": str(i)}})
    browser_db = connect(ClientFactory(), FAKE_KEYS, "eu-west-1", encoded_pages=True)

    def read(d):
        options = ReadOptions(page_size=3)
        if operation == "query":
            return list(d.query(table, key_condition("pk", "p"), options))
        return list(d.scan(table, options))

    plain, encoded = read(db), read(browser_db)
    assert [p.count for p in encoded] == [p.count for p in plain] == [3, 3, 1]
    assert [p.last_evaluated_key for p in encoded] == [p.last_evaluated_key for p in plain]
    assert isinstance(encoded[1].last_evaluated_key["sk"]["B"], bytes)
    for mine, theirs in zip(encoded, plain, strict=True):
        assert isinstance(mine.items, EncodedItems)
        assert [sets_sorted(i) for i in mine.items] == [sets_sorted(i) for i in theirs.items]
    # and a page that fails is still botocore's error, with its retries
    with pytest.raises(AwsError, match="ResourceNotFoundException"):
        list(browser_db.scan("no-such-table"))


@pytest.mark.parametrize("separators", [(",", ":"), (", ", ": ")])
def test_a_page_splits_into_its_items_whatever_they_hold(separators):
    from core.pages import split_page

    items = [
        {"pk": {"S": 'text with "Items":[ inside'}, "Items": {"L": [{"N": "1"}]}},
        {"pk": {"S": "ünïcode ✓ \\ \n"}, "b": {"B": "AAH/"}, "m": {"M": {"Items": {"S": "x"}}}},
        {"pk": {"S": "]"}, "Count": {"N": "3"}},
    ]
    page = {"Count": 3, "Items": items, "LastEvaluatedKey": {"pk": {"S": "]"}}, "ScannedCount": 9}
    rest, encoded = split_page(json.dumps(page, separators=separators))
    assert rest == {
        "Count": 3,
        "Items": [],
        "LastEvaluatedKey": {"pk": {"S": "]"}},
        "ScannedCount": 9,
    }
    assert [json.loads(row) for row in encoded.rows] == items
    assert encoded.names == ["pk", "Items", "b", "m", "Count"]
    assert encoded[1]["b"] == {"B": b"\x00\x01\xff"}  # binary decoded as botocore would
    assert split_page('{"Count": 0, "ScannedCount": 5}')[0] == {"Count": 0, "ScannedCount": 5}
    assert list(split_page('{"Items": [], "Count": 0}')[1]) == []


LOADED = {
    "pk": {"S": "p"},
    "sk": {"N": "1"},
    "price": {"N": "1.50"},
    "tags": {"SS": ["b", "a"]},
    "bin": {"B": b"\x00\xff"},
    "nothing": {"NULL": True},
    "flag": {"BOOL": False},
    "nested": {"M": {"l": {"L": [{"N": "1"}, {"S": "x"}]}}},
}


def test_an_edit_is_written_only_if_the_item_is_as_it_was_loaded(db):
    from core.dynamo import ItemChanged
    from core.items import diff

    table = make_table(db)
    db.put(table, LOADED)
    loaded = db.get(table, {"pk": {"S": "p"}, "sk": {"N": "1"}})
    edited = {**loaded, "price": {"N": "2"}, "note": {"S": "new"}}
    del edited["flag"]
    assert [c.describe() for c in diff(loaded, edited)] == [
        "~ price: 1.50 (N) -> 2 (N)",
        "- flag: false (BOOL) (removed)",
        '+ note: "new" (S)',
    ]
    # someone else adds an attribute meanwhile: it is kept, the edit goes through
    db.update(table, item_key_of(loaded), {"other": {"S": "theirs"}})
    saved, _ = db.save_if_unchanged(table, ("pk", "sk"), loaded, edited)
    assert saved["price"] == {"N": "2"} and saved["other"] == {"S": "theirs"}
    assert "flag" not in saved and saved["note"] == {"S": "new"}
    # someone else changes an attribute that was loaded: nothing is written
    db.update(table, item_key_of(loaded), {"price": {"N": "3"}})
    with pytest.raises(ItemChanged) as changed:
        db.save_if_unchanged(table, ("pk", "sk"), saved, {**saved, "note": {"S": "mine"}})
    assert '"price": 2' in str(changed.value) and '"price": 3' in str(changed.value)
    assert changed.value.now["price"] == {"N": "3"}
    assert db.get(table, item_key_of(loaded))["note"] == {"S": "new"}
    # an item deleted since it was loaded is not written again
    db.delete(table, item_key_of(loaded))
    with pytest.raises(ItemChanged, match="Now: deleted"):
        db.save_if_unchanged(table, ("pk", "sk"), saved, {**saved, "note": {"S": "mine"}})
    assert db.get(table, item_key_of(loaded)) is None


def item_key_of(item):
    return {"pk": item["pk"], "sk": item["sk"]}
