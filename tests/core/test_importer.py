"""Import: files read into exact items, bad rows reported by line, bad files refused whole,
and BatchWriteItem against moto (throttled by the fault proxy, or stopped) losing nothing."""

from __future__ import annotations

import json
import threading
import uuid
from decimal import Decimal

import pytest

from core.dynamo import DynamoDB, WriteStopped
from core.errors import ConfigError
from core.importer import read_import
from tests.helpers.dynamo import count_items as count
from tests.helpers.dynamo import create_table, dynamodb_client
from tests.helpers.faultproxy import THROTTLING, FaultProxy

KEYS = {"pk": "S", "sk": "N"}


@pytest.fixture
def table(aws) -> str:
    return create_table(dynamodb_client(), f"Import-{uuid.uuid4().hex[:8]}", KEYS)


BAD_ROWS = {  # line number -> (the row, what the report says)
    101: ("c1,101,1.5,x", None),
    2002: ("c2,not-a-number,3,x", "not-a-number"),
    3003: (",3003,3,x", "the key attribute pk is missing"),
    5005: ("c5,5005,1e400,x", "at most 38 significant digits"),
    7007: ("c7,7007,2,x,extra", "5 cells where the header has 4"),
    9009: ("c9,9009,abc,x", "abc"),
}


def write_csv(path, rows: int = 10_000) -> None:
    lines = ["pk,sk (N),price (N),note"]
    for line in range(2, rows + 2):
        row, _ = BAD_ROWS.get(line, (f"c{line % 10},{line},{line}.25,note {line}", None))
        lines.append(row)
    lines[101 - 1] = "c1,101,1.5,"  # an empty cell: the attribute is left out
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_a_csv_of_10000_rows_with_5_bad_ones_writes_the_other_9995(table, aws, tmp_path):
    path = tmp_path / "orders.csv"
    write_csv(path)
    found = read_import(path, KEYS)
    assert found.columns == {"pk": "S", "sk": "N", "price": "N", "note": "S"}
    assert [r.line for r in found.refused] == [2002, 3003, 5005, 7007, 9009]
    for refused in found.refused:
        assert BAD_ROWS[refused.line][1] in refused.reason, refused
    assert len(found.items) == 9995
    assert found.items[99] == {"pk": {"S": "c1"}, "sk": {"N": "101"}, "price": {"N": "1.5"}}
    assert (
        found.preview(1)
        == 'line 2: pk = "c2" (S), sk = 2 (N), price = 2.25 (N), note = "note 2" (S)'
    )
    db = DynamoDB(dynamodb_client())
    seen = []
    written, _ = db.batch_put(table, found.items, progress=seen.append)
    assert written == 9995 == count(table)
    assert seen == sorted(seen) and seen[-1] == 9995
    item = dynamodb_client().get_item(TableName=table, Key={"pk": {"S": "c3"}, "sk": {"N": "123"}})
    assert item["Item"]["price"] == {"N": "123.25"}


def test_an_import_throttled_on_the_way_finishes_with_nothing_lost_or_doubled(table, aws, tmp_path):
    proxy = FaultProxy(aws.endpoint)
    proxy.inject("dynamodb", "BatchWriteItem", *[THROTTLING] * 14)  # past botocore's retries
    slept = []
    db = DynamoDB(dynamodb_client(proxy.url), sleep=slept.append)
    items = [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(500)]
    written, _ = db.batch_put(table, items)
    assert written == 500 == count(table)
    assert proxy.pending() == 0 and slept  # our own backoff took over from botocore's


def test_a_stopped_import_says_exactly_what_was_written(table, aws):
    db = DynamoDB(dynamodb_client())
    items = [{"pk": {"S": "p"}, "sk": {"N": str(i)}} for i in range(1000)]
    cancel = threading.Event()

    def progress(done: int) -> None:
        if done >= 300:
            cancel.set()

    with pytest.raises(WriteStopped) as stopped:
        db.batch_put(table, items, progress=progress, cancel=cancel)
    assert stopped.value.done == 300 == count(table)
    assert "300 of 1,000 items were written to" in str(stopped.value)


def test_json_lines_plain_and_dynamodb_json_are_read_exactly(tmp_path):
    plain = tmp_path / "plain.jsonl"
    plain.write_text(
        '{"pk": "a", "sk": 1, "n": 12345678901234567890.123456789, "tags": {"$set": ["x"]}}\n'
        "\n"
        '{"pk": "b", "sk": 2, "b": {"$binary": "AAE="}, "l": [1, "x", null]}\n'
    )
    found = read_import(plain, KEYS)
    assert found.format == "jsonl" and found.lines == [1, 3]
    assert found.items[0]["n"] == {"N": "12345678901234567890.123456789"}
    assert found.items[0]["tags"] == {"SS": ["x"]}
    assert found.items[1]["b"] == {"B": b"\x00\x01"}
    wire = tmp_path / "export.json"
    wire.write_text(
        json.dumps({"Item": {"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": "AAE="}}})
        + "\n"
        + json.dumps({"pk": {"S": "b"}, "sk": {"N": "2.50"}, "s": {"NS": ["1", "2"]}})
        + "\n"
    )
    found = read_import(wire, KEYS)
    assert found.format == "dynamodb-jsonl"
    assert found.items == [
        {"pk": {"S": "a"}, "sk": {"N": "1"}, "b": {"B": b"\x00\x01"}},
        {"pk": {"S": "b"}, "sk": {"N": "2.50"}, "s": {"NS": ["1", "2"]}},
    ]
    assert Decimal(found.items[1]["sk"]["N"]) == Decimal("2.5")


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("no-key.csv", b"pk,price (N)\na,1\n", "has no column for the key attribute sk"),
        (
            "broken.jsonl",
            b'{"pk": "a", "sk": 1}\n{"pk": "b", "sk": 2\n',
            "line 2 is not valid JSON",
        ),
        ("latin1.csv", "pk,sk\nzoë,1\n".encode("latin-1"), "is not UTF-8 text (byte 0xeb"),
        ("array.jsonl", b'["pk", "a"]\n', "line 1 is not a JSON object"),
        ("empty.csv", b"", "is empty"),
    ],
)
def test_a_bad_file_is_a_sentence_and_nothing_is_read(tmp_path, name, content, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=says.replace("(", r"\(")):
        read_import(path, KEYS)


def test_rows_with_keys_of_the_wrong_type_are_refused_by_line(tmp_path):
    path = tmp_path / "keys.jsonl"
    path.write_text('{"pk": "a", "sk": "one"}\n{"pk": "a", "sk": 1}\n{"sk": 2}\n')
    found = read_import(path, KEYS)
    assert [r.describe() for r in found.refused] == [
        "line 1: the key attribute sk is S, the table's key is N",
        "line 3: the key attribute pk is missing",
    ]
    assert found.lines == [2]


def test_rows_that_repeat_a_key_are_written_once_the_last_one_winning(tmp_path, table, aws):
    path = tmp_path / "repeat.csv"
    rows = ["pk,sk (N),v"] + [f"p,{i % 20},{i}" for i in range(60)]
    rows.insert(3, '"multi\nline",7,"quoted\ncell"')  # one record on lines 4 to 6
    rows.insert(6, "p,oops,1")  # line 9, after it
    path.write_text("\n".join(rows) + "\n")
    found = read_import(path, KEYS)
    assert [r.describe() for r in found.refused] == ["line 9: sk: 'oops' is not a number"]
    assert len(found.items) == 21 and found.repeated == 40
    assert found.items[2] == {
        "pk": {"S": "multi\nline"},
        "sk": {"N": "7"},
        "v": {"S": "quoted\ncell"},
    }
    assert {i["sk"]["N"]: i["v"]["S"] for i in found.items if i["pk"]["S"] == "p"}["3"] == "43"
    written, _ = DynamoDB(dynamodb_client()).batch_put(table, found.items)
    assert written == 21 == count(table)


def test_json_lines_keep_unicode_line_separators_inside_strings(tmp_path):
    path = tmp_path / "u2028.jsonl"
    path.write_text('{"pk": "a\u2028b", "sk": 1, "t": "x\u0085y"}\r\n{"pk": "c", "sk": 2}\n')
    found = read_import(path, KEYS)
    assert found.items[0]["pk"] == {"S": "a\u2028b"} and found.lines == [1, 2]
