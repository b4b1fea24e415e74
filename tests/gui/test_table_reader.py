"""The browser's reads without a window: pages into the model, Stop and going on, a failed
page read again by "go on" only, a resume from the last key; nothing lost, nothing twice."""

from __future__ import annotations

import uuid

import pytest
from PySide6.QtCore import QThreadPool

from core.dynamo import DynamoDB, ReadOptions
from core.errors import AwsError
from gui.items_model import ItemsModel
from gui.table_reader import TableReader
from tests.helpers.dynamo import create_table, dynamodb_client

ITEMS = 120


@pytest.fixture
def table(aws):
    client = dynamodb_client()
    name = create_table(client, f"Reader-{uuid.uuid4().hex[:8]}", {"pk": "S", "sk": "N"})
    for start in range(0, ITEMS, 25):
        client.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {"pk": {"S": "p"}, "sk": {"N": str(i)}}}}
                    for i in range(start, min(start + 25, ITEMS))
                ]
            }
        )
    return name


class Flaky:
    """The browser's DynamoDB, but the read breaks once after `after` pages (a network
    failure in the middle of a read)."""

    def __init__(self, db: DynamoDB, after: int) -> None:
        self.db, self.after, self.broke = db, after, False

    def scan(self, table, options):
        for n, page in enumerate(self.db.scan(table, options)):
            if n == self.after and not self.broke:
                self.broke = True
                raise AwsError("the connection was reset", "RequestTimeout")
            yield page


@pytest.fixture
def reader(qtbot, table):
    pool = QThreadPool()
    model = ItemsModel()
    model.reset(("pk", "sk"))
    reader = TableReader(pool, model, lambda: 10)
    reader.db = DynamoDB(client=dynamodb_client(), encoded_pages=True)
    yield reader
    reader.drop()
    assert pool.waitForDone(20000)


def keys(reader) -> list[int]:
    return [int(item["sk"]["N"]) for item in reader.model.items]


def test_a_read_starts_small_goes_on_as_asked_and_loads_all_once(reader, qtbot, table):
    with qtbot.waitSignal(reader.done, timeout=20000):
        reader.start(table, ReadOptions())
    assert keys(reader) == list(range(10))  # the first page asks for what is on screen
    with qtbot.waitSignal(reader.done, timeout=20000):
        reader.fetch_next()
    assert len(keys(reader)) == 50 and reader.model.more  # then four times more
    with qtbot.waitSignal(reader.done, timeout=20000):
        reader.fetch_all()
    assert keys(reader) == list(range(ITEMS)) and not reader.model.more
    assert not reader.model.loading
    reader.fetch_next()  # nothing more to read: no worker, no signal
    assert reader.op is None or not reader.op.running


def test_stop_keeps_the_rows_and_the_next_fetch_goes_on_from_the_last_page(reader, qtbot, table):
    with qtbot.waitSignal(reader.done, timeout=20000):
        reader.start(table, ReadOptions(page_size=7))
    reading = []
    reader.readingChanged.connect(reading.append)
    with qtbot.waitSignal(reader.stopped, timeout=20000):
        reader.fetch_all()
        qtbot.waitUntil(lambda: len(reader.model.items) > 7, timeout=20000)
        reader.stop()
    assert reading == [True, False] and not reader.model.loading
    kept = keys(reader)
    assert kept == list(range(len(kept))) and reader.model.more
    with qtbot.waitSignal(reader.done, timeout=20000):
        reader.fetch_all()
    assert keys(reader) == list(range(ITEMS))


def test_a_failed_page_is_read_again_by_go_on_only(reader, qtbot, table):
    reader.db = Flaky(reader.db, after=2)  # type: ignore[assignment]
    with qtbot.waitSignal(reader.done, timeout=20000):
        reader.start(table, ReadOptions(page_size=20))
    with qtbot.waitSignal(reader.failed, timeout=20000) as failure:
        reader.fetch_all()
    assert failure.args[0].code == "RequestTimeout"
    assert keys(reader) == list(range(40)) and reader.model.more
    reader.fetch_next()  # scrolling does not repeat a failed read
    assert reader.op is None or not reader.op.running
    with qtbot.waitSignal(reader.done, timeout=20000):
        reader.go_on()
    assert keys(reader) == list(range(60))
    with qtbot.waitSignal(reader.done, timeout=20000):
        reader.fetch_all()
    assert keys(reader) == list(range(ITEMS))


def test_a_resume_goes_on_from_the_last_key_with_a_new_client(reader, qtbot, table):
    with qtbot.waitSignal(reader.done, timeout=20000):
        reader.start(table, ReadOptions(page_size=30))
    reader.db = DynamoDB(client=dynamodb_client(), encoded_pages=True)  # a renewed session
    with qtbot.waitSignal(reader.done, timeout=20000):
        reader.resume()
    assert keys(reader) == list(range(60))
    exported = [int(i["sk"]["N"]) for p in reader.whole_result() for i in p.items]
    assert exported == list(range(ITEMS))  # an export repeats the read from its start
