"""PartiQL through the low-level client against moto over HTTP: statements, their parameters
of every type, paging with NextToken, writes, batches and transactions, and refusals."""

from __future__ import annotations

import threading
import uuid

import pytest

from core.clients import ClientFactory
from core.credentials import StaticCredentials
from core.dynamo import DynamoDB, ReadOptions, connect
from core.errors import AwsError, Cancelled, ConfigError
from core.partiql import Statement, split_statements, statements
from tests.helpers.dynamo import dynamodb_client
from tests.helpers.faultproxy import FaultProxy

FAKE_KEYS = StaticCredentials("AKIAIOSFODNN7EXAMPLE", "x" * 40)

EVERY_TYPE = {
    "s": {"S": "naïve 'quoted' text"},
    "n": {"N": "12345678901234567890.123456789012345678"},
    "b": {"B": b"\x00\x01\xff"},
    "t": {"BOOL": False},
    "z": {"NULL": True},
    "l": {"L": [{"S": "x"}, {"N": "1"}, {"BOOL": True}]},
    "m": {"M": {"k": {"S": "v"}, "n": {"N": "0.10"}}},
    "ss": {"SS": ["a", "b"]},
    "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01", b"\x02"]},
}


def make_table(db: DynamoDB) -> str:
    name = f"pq_{uuid.uuid4().hex[:10]}"  # a name PartiQL takes unquoted (moto needs that)
    db.client.create_table(
        TableName=name,
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


@pytest.fixture
def db(aws) -> DynamoDB:
    return connect(ClientFactory(), FAKE_KEYS, "eu-west-1", encoded_pages=True)


def rows(pages) -> list[dict]:
    return [dict(item) for page in pages for item in page.items]


def test_statements_are_split_on_semicolons_outside_strings_names_and_comments():
    text = """SELECT * FROM "a;b" WHERE x = 'it''s; here' -- a comment; with one
    ; /* ; */ DELETE FROM t WHERE pk = ?;
    ;  -- only a comment
    """
    assert split_statements(text) == [
        "SELECT * FROM \"a;b\" WHERE x = 'it''s; here' -- a comment; with one",
        "/* ; */ DELETE FROM t WHERE pk = ?",
    ]
    select, delete = (Statement(part) for part in split_statements(text))
    assert (select.kind, select.writes, select.table, select.placeholders) == (
        "SELECT",
        False,
        "a;b",
        0,
    )
    assert (delete.kind, delete.writes, delete.table, delete.placeholders) == (
        "DELETE",
        True,
        "t",
        1,
    )
    assert Statement('select "x?" from "Orders"."by-status" where a = ?').table == (
        "Orders.by-status"
    )
    assert Statement("insert into Orders value {'a': ?}").kind == "INSERT"


def test_parameters_are_given_to_each_statement_in_order_and_counted():
    one, two = statements("SELECT * FROM t WHERE a = ?; UPDATE t SET b = ? WHERE a = ?", [1, 2, 3])
    assert (one.parameters, two.parameters) == ((1,), (2, 3))
    with pytest.raises(ConfigError, match="3 \\? placeholders but 2 parameters are given"):
        statements("SELECT * FROM t WHERE a = ?; UPDATE t SET b = ? WHERE a = ?", [1, 2])
    with pytest.raises(ConfigError, match="1 \\? placeholder but 0 parameters"):
        Statement("SELECT * FROM t WHERE a = ?").check()
    with pytest.raises(ConfigError, match="type a PartiQL statement"):
        statements("  -- nothing\n ;")


def test_parameters_of_every_type_are_written_exactly(db):
    table = make_table(db)
    for name in EVERY_TYPE:
        db.client.put_item(TableName=table, Item={"pk": {"S": name}})
    for name, value in EVERY_TYPE.items():
        statement = Statement(f'UPDATE "{table}" SET "v" = ? WHERE pk = ?', [value, {"S": name}])
        assert rows(db.statement(statement)) == []
        stored = db.client.get_item(TableName=table, Key={"pk": {"S": name}})["Item"]
        assert stored["v"] == value, name


def test_a_select_with_parameters_finds_the_items_it_names(db):
    table = make_table(db)
    for name, value in EVERY_TYPE.items():
        db.client.put_item(TableName=table, Item={"pk": {"S": name}, name: value})
    for name, value in EVERY_TYPE.items():
        if name == "m":
            continue  # moto's PartiQL does not compare maps (DynamoDB does)
        found = rows(db.statement(Statement(f'SELECT * FROM "{table}" WHERE {name} = ?', [value])))
        assert found == [{"pk": {"S": name}, name: value}], name


def test_a_statement_pages_with_next_token_to_the_last_item(aws, db):
    table = make_table(db)
    for i in range(250):
        db.client.put_item(TableName=table, Item={"pk": {"S": f"k{i:04d}"}})
    proxy = FaultProxy(aws.endpoint)
    proxy.page_statements = 100
    paged = DynamoDB(dynamodb_client(proxy.url), encoded_pages=True)
    pages = list(paged.statement(Statement(f'SELECT pk FROM "{table}"'), ReadOptions()))
    assert [len(page.items) for page in pages] == [100, 100, 50]
    assert [page.more for page in pages] == [True, True, False]
    assert sorted(item["pk"]["S"] for page in pages for item in page.items) == [
        f"k{i:04d}" for i in range(250)
    ]
    # a read that goes on (Stop, then Load all) starts from the NextToken it was given
    again = list(
        paged.statement(Statement(f'SELECT pk FROM "{table}"'), ReadOptions(start_key="200"))
    )
    assert [len(page.items) for page in again] == [50]
    # the first page asks for what is on screen (Limit), later pages for more
    before = len(proxy.statement_pages)
    list(paged.statement(Statement(f'SELECT pk FROM "{table}"'), ReadOptions(first_page=30)))
    assert proxy.statement_pages[before:] == [30, 100, 100, 20]


def test_stop_between_statement_pages(aws, db):
    table = make_table(db)
    for i in range(30):
        db.client.put_item(TableName=table, Item={"pk": {"S": f"k{i}"}})
    proxy = FaultProxy(aws.endpoint)
    proxy.page_statements = 10
    paged = DynamoDB(dynamodb_client(proxy.url))
    cancel = threading.Event()
    pages = paged.statement(Statement(f'SELECT * FROM "{table}"'), ReadOptions(cancel=cancel))
    assert len(next(pages).items) == 10
    cancel.set()
    with pytest.raises(Cancelled):
        next(pages)


def test_write_statements_change_the_table(db):
    table = make_table(db)
    db.statement(Statement(f"INSERT INTO \"{table}\" VALUE {{'pk': 'a', 'n': 1}}")).__next__()
    assert db.client.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "1"}
    list(
        db.statement(
            Statement(f'UPDATE "{table}" SET n = ? WHERE pk = ?', [{"N": "2"}, {"S": "a"}])
        )
    )
    assert db.client.get_item(TableName=table, Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "2"}


def test_a_batch_gives_each_statement_its_own_answer_or_error(db):
    table = make_table(db)
    db.client.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    answers, _ = db.statements(
        statements(
            f"SELECT * FROM {table} WHERE pk = ?; SELECT * FROM nosuchtable WHERE pk = ?",
            [{"S": "a"}, {"S": "a"}],
        )
    )
    assert [(a.number, a.item) for a in answers] == [
        (1, {"pk": {"S": "a"}, "n": {"N": "1"}}),
        (2, None),
    ]
    assert answers[0].error is None and "ResourceNotFound" in answers[1].error
    with pytest.raises(ConfigError, match="at most 25 in one batch"):
        db.statements([Statement(f"SELECT * FROM \"{table}\" WHERE pk = 'a'")] * 26)


def test_a_transaction_runs_every_statement(db):
    table = make_table(db)
    db.client.put_item(TableName=table, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
    db.client.put_item(TableName=table, Item={"pk": {"S": "b"}, "n": {"N": "1"}})
    db.statements(
        statements(
            f'UPDATE "{table}" SET n = ? WHERE pk = ?; UPDATE "{table}" SET n = ? WHERE pk = ?',
            [{"N": "5"}, {"S": "a"}, {"N": "6"}, {"S": "b"}],
        ),
        transaction=True,
    )
    got = {i["pk"]["S"]: i["n"]["N"] for i in dynamodb_client().scan(TableName=table)["Items"]}
    assert got == {"a": "5", "b": "6"}


def test_a_bad_statement_is_the_service_s_sentence(db):
    with pytest.raises(AwsError) as caught:
        list(db.statement(Statement("SELEC * FROM nowhere")))
    assert str(caught.value).startswith("running the SELEC statement failed")
