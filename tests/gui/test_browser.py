"""The DynamoDB browser, driven from an assumed session against moto over HTTP."""

from __future__ import annotations

import csv
import json
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QLabel,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableView,
    QToolButton,
)

from core.capacity import Capacity
from core.items import from_plain_json, to_plain_json
from gui.browser import BrowserAsk
from gui.items_model import ItemsModel
from tests.helpers.dynamo import count_items, create_table, dynamodb_client
from tests.helpers.heartbeat import Heartbeat
from tests.helpers.windows import assume, open_table, wait_any

AWKWARD = {
    "pk": {"S": "p"},
    "sk": {"N": "0"},
    "big": {"N": "12345678901234567890123456789012345678"},
    "tags": {"SS": ["a", "b"]},
    "bin": {"B": b"\x00\x01\x02"},
    "nothing": {"NULL": True},
    "empty": {"S": ""},
    "nested": {"M": {"l": {"L": [{"N": "1"}, {"BOOL": True}]}}},
}


@pytest.fixture
def table(aws):
    """A table with a numeric sort key, a GSI and 30 items (one of every awkward type)."""
    client = dynamodb_client()
    name = create_table(
        client,
        f"Browse-{uuid.uuid4().hex[:8]}",
        {"pk": "S", "sk": "N"},
        {"status": "S"},
        GlobalSecondaryIndexes=[
            {
                "IndexName": "by-status",
                "KeySchema": [{"AttributeName": "status", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
    )
    client.put_item(TableName=name, Item=AWKWARD)
    for i in range(1, 30):
        client.put_item(
            TableName=name,
            Item={
                "pk": {"S": "p"},
                "sk": {"N": str(i)},
                "status": {"S": "odd" if i % 2 else "even"},
                f"only{i // 10}": {"S": "x"},
            },
        )
    return name


@pytest.fixture
def browser(window, qtbot, table):
    assume(qtbot, window, "reader")
    qtbot.mouseClick(window.findChild(QPushButton, "browseButton"), Qt.MouseButton.LeftButton)
    browser = open_table(qtbot, window, table)  # the window the button opened, raised again
    assert browser is window.browsers["reader"]
    assert browser.findChild(QListWidget, "tableList") is browser.tables.list
    return browser


def run(qtbot, browser):
    browser.findChild(QPushButton, "runQueryButton").click()
    wait_any(qtbot, browser.readFinished, browser.failed)


def loaded(browser) -> list[str]:
    return [item["sk"]["N"] for item in browser.model.items]


def test_the_browser_is_titled_with_role_account_and_region(browser, table):
    assert browser.windowTitle() == "DynamoDB — Reader · 123456789012 · eu-west-1"
    assert browser.countdown.text().startswith("session ")
    assert [browser.query.index.itemText(i) for i in range(browser.query.index.count())] == [
        f"Table {table}",
        "GSI by-status",
    ]
    assert "Partition key: <b>pk</b>" in browser.tables.schema.text()
    for name in ("tableList", "runQueryButton", "itemsView", "itemView", "readOnlyToggle"):
        assert browser.findChild(object, name) is not None, name


def test_scan_pages_load_as_you_scroll_and_load_all_finishes(browser, qtbot):
    browser.query.page_size.setValue(4)
    run(qtbot, browser)
    # The view asks for pages until it is full, then waits for the person to scroll.
    qtbot.waitUntil(lambda: not browser.model.loading, timeout=20000)
    shown = len(browser.model.items)
    assert shown % 4 == 0 and 4 <= shown < 30 and browser.model.canFetchMore()
    assert f"{shown} items loaded" in browser.status.text()
    assert "more to load" in browser.status.text()
    view = browser.findChild(QTableView, "itemsView")
    with qtbot.waitSignal(browser.readFinished, timeout=20000):
        view.verticalScrollBar().setValue(view.verticalScrollBar().maximum())
    assert len(browser.model.items) > shown
    with qtbot.waitSignal(browser.readFinished, timeout=20000):
        browser.load_all.click()
    assert len(browser.model.items) == 30 and not browser.model.more
    assert len(set(loaded(browser))) == 30
    assert "all loaded" in browser.status.text()
    columns = browser.model.columns
    assert columns[:2] == ["pk", "sk"] and {"only0", "only1", "only2"} <= set(columns)


@pytest.mark.parametrize(
    ("operator", "value", "value2", "expected"),
    [
        ("=", "5", "", ["5"]),
        ("<", "3", "", ["0", "1", "2"]),
        ("<=", "2", "", ["0", "1", "2"]),
        (">", "27", "", ["28", "29"]),
        (">=", "28", "", ["28", "29"]),
        ("between", "10", "12", ["10", "11", "12"]),
    ],
)
def test_query_with_each_sort_key_operator(browser, qtbot, operator, value, value2, expected):
    browser.query.mode.setCurrentText("Query")
    browser.query.pk_value.setText("p")
    browser.query.sk_operator.setCurrentText(operator)
    browser.query.sk_value.setText(value)
    browser.query.sk_value2.setText(value2)
    run(qtbot, browser)
    assert loaded(browser) == expected


def odd_after_20(qtbot, browser):
    """Query the by-status index for "odd", filtered to sk > 20, and run it."""
    browser.query.mode.setCurrentText("Query")
    browser.query.index.setCurrentIndex(1)
    browser.query.pk_value.setText("odd")
    row = browser.query.new_filter()
    row.attribute.setText("sk")
    row.operator.setCurrentText(">")
    row.value.setText("20")
    row.kind.setCurrentText("N")
    run(qtbot, browser)


def test_a_gsi_query_and_a_filter(browser, qtbot):
    odd_after_20(qtbot, browser)
    assert sorted(loaded(browser), key=int) == ["21", "23", "25", "27", "29"]


def test_the_capacity_a_read_consumed_is_what_the_same_calls_return(browser, qtbot, table):
    browser.query.mode.setCurrentText("Query")
    browser.query.index.setCurrentIndex(1)  # by-status
    browser.query.pk_value.setText("odd")
    browser.query.page_size.setValue(4)
    run(qtbot, browser)
    while browser.model.more:
        with qtbot.waitSignal(browser.readFinished, timeout=20000):
            browser.load_all.click()
    pages = (
        dynamodb_client()
        .get_paginator("query")
        .paginate(
            TableName=table,
            IndexName="by-status",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":s": {"S": "odd"}},
            ReturnConsumedCapacity="INDEXES",
            PaginationConfig={"PageSize": 4},
        )
    )
    bare = sum((Capacity.of(page) for page in pages), Capacity())
    assert bare.calls == browser.model.pages == 4 and "by-status" in bare.indexes
    assert browser.model.capacity == bare
    assert bare.describe("RCU") in browser.status.text()  # e.g. "4 RCU (table 4, index …)"
    assert "15 items loaded · 15 scanned" in browser.status.text()


def test_a_query_without_a_key_value_says_what_is_missing(browser, qtbot):
    browser.query.mode.setCurrentText("Query")
    browser.run()
    assert browser.message.isVisible()
    assert browser.message.text() == "A query needs a value for the partition key pk"


def test_awkward_types_render_exactly_in_cells_and_the_item_panel(browser, qtbot):
    browser.query.mode.setCurrentText("Query")
    browser.query.pk_value.setText("p")
    browser.query.sk_operator.setCurrentText("=")
    browser.query.sk_value.setText("0")
    run(qtbot, browser)
    model: ItemsModel = browser.model
    cells = {name: model.index(0, col).data() for col, name in enumerate(model.columns)}
    assert cells["big"] == "12345678901234567890123456789012345678"
    assert cells["tags"] in ('{"a", "b"}', '{"b", "a"}')
    assert cells["bin"] == "AAEC"
    assert cells["nothing"] == "NULL" and cells["empty"] == '""'
    assert cells["nested"] == '{"l": [1, true]}'
    panel = browser.findChild(QPlainTextEdit, "itemView")
    browser.view.selectRow(0)
    item = from_plain_json(panel.toPlainText())
    assert item["big"] == AWKWARD["big"] and item["bin"] == AWKWARD["bin"]
    assert "status" not in item  # missing stays missing
    browser.dynamodb_json.setChecked(True)
    assert json.loads(panel.toPlainText())["bin"] == {"B": "AAEC"}


def test_sorting_says_it_sorts_the_loaded_rows_and_sorts_numbers_as_numbers(browser, qtbot):
    run(qtbot, browser)
    header = browser.view.horizontalHeader()
    header.setSortIndicator(browser.model.columns.index("sk"), Qt.SortOrder.AscendingOrder)
    shown = [browser.sorter.index(r, 1).data() for r in range(5)]
    assert shown == ["0", "1", "2", "3", "4"]
    assert "sorted: the loaded rows only" in browser.status.text()


def test_editing_is_off_by_default_and_writes_go_through(browser, qtbot, monkeypatch):
    run(qtbot, browser)
    assert browser.read_only.isChecked()
    assert not browser.edit_button.isEnabled() and not browser.delete_button.isEnabled()
    browser.findChild(QToolButton, "readOnlyToggle").click()
    browser.view.selectRow(0)
    assert browser.edit_button.isEnabled()
    row = browser.current_row()
    original = browser.model.items[row]
    sk = original["sk"]["N"]
    edited = json.dumps({"pk": "p", "sk": int(sk), "note": "edited in the browser"})
    monkeypatch.setattr(BrowserAsk, "edit_json", classmethod(lambda cls, *a: edited))
    asked = []
    monkeypatch.setattr(
        BrowserAsk, "confirm", classmethod(lambda cls, p, t, text: asked.append(text) or True)
    )
    with qtbot.waitSignal(browser.wrote, timeout=20000):
        browser.edit_button.click()
    assert browser.model.items[row] == {
        "pk": {"S": "p"},
        "sk": {"N": sk},
        "note": {"S": "edited in the browser"},
    }
    changes = asked[0].split("\n\n", 1)[1].splitlines()
    assert '+ note: "edited in the browser" (S)' in changes
    assert all(line[:2] in ("+ ", "- ") for line in changes)  # keys unchanged, others removed
    monkeypatch.setattr(
        BrowserAsk,
        "confirm",
        classmethod(lambda cls, parent, title, text: "Delete 1 item from the table" in text),
    )
    with qtbot.waitSignal(browser.wrote, timeout=20000):
        browser.delete_button.click()
    assert sk not in loaded(browser)


def test_export_loaded_rows_and_the_whole_result(browser, qtbot, tmp_path, monkeypatch):
    browser.query.page_size.setValue(10)
    run(qtbot, browser)
    out = tmp_path / "rows.csv"
    monkeypatch.setattr(BrowserAsk, "save_path", classmethod(lambda cls, *a: str(out)))
    loaded = len(browser.model.items)  # a page of 10, or two if the view asked for more
    assert loaded in (10, 20)
    with qtbot.waitSignal(browser.exported, timeout=20000) as done:
        browser.export_rows("csv")
    assert done.args == [loaded]
    rows = list(csv.reader(out.read_text().splitlines()))
    assert rows[0][:2] == ["pk", "sk"] and len(rows) == loaded + 1
    whole = tmp_path / "all.jsonl"
    monkeypatch.setattr(BrowserAsk, "save_path", classmethod(lambda cls, *a: str(whole)))
    with qtbot.waitSignal(browser.exported, timeout=20000) as done:
        browser.export_all("jsonl")
    assert done.args == [30]
    items = [from_plain_json(line) for line in whole.read_text().splitlines()]
    assert any(i.get("big") == AWKWARD["big"] for i in items)


def test_an_expired_session_keeps_the_rows_and_renewal_goes_on_from_the_same_page(
    browser, qtbot, clock, window
):
    browser.query.page_size.setValue(4)
    run(qtbot, browser)
    qtbot.waitUntil(lambda: not browser.model.loading, timeout=20000)  # the view fills itself
    first = loaded(browser)
    assert browser.model.more
    clock.advance(hours=2)
    window.sessions.tick()
    assert browser.expired_bar.isVisible() and loaded(browser) == first
    clock.now = datetime.now(timezone.utc)
    browser.renew_button.click()
    qtbot.waitUntil(
        lambda: len(loaded(browser)) > len(first) and not browser.model.loading, timeout=20000
    )
    assert not browser.expired_bar.isVisible()
    assert loaded(browser)[: len(first)] == first  # went on from the same page
    assert len(set(loaded(browser))) == len(loaded(browser))


def test_two_sessions_browse_side_by_side(window, qtbot, table):
    assume(qtbot, window, "reader")
    one = window.browse()
    assume(qtbot, window, "partner")
    two = window.browse()
    qtbot.addWidget(one)
    qtbot.addWidget(two)
    assert one is not two and "Reader" in one.windowTitle() and "Partner" in two.windowTitle()
    assert window.browsers.keys() == {"reader", "partner"}


# ---- as the demo's real roles, with IAM policies enforced ----------------------------------


@pytest.fixture
def demo_window(qtbot, demo_server, monkeypatch, pool, settings):
    return make_demo_window(qtbot, demo_server, monkeypatch, pool, settings)


def make_demo_window(qtbot, demo_server, monkeypatch, pool, settings, demo: bool = False):
    """The main window on the demo server's AWS (`demo`: as `rolecall --demo` shows it)."""
    from core.vault import MemoryStore
    from gui.controller import Controller
    from gui.mainwindow import MainWindow

    for name, value in demo_server.env.items():
        if name.startswith(("AWS_", "ROLECALL_")):
            monkeypatch.setenv(name, value)
    controller = Controller(pool, store_factory=MemoryStore)
    window = MainWindow(controller, settings, demo=demo)
    qtbot.addWidget(window)
    controller.start()
    wait_any(qtbot, controller.configLoaded, controller.configFailed)
    return window


def browse_orders(qtbot, window, profile):
    """Assume the demo role, open its browser, and pick the Orders table."""
    assume(qtbot, window, profile)
    browser = open_table(qtbot, window, "Orders")
    assert browser.tables.list.count() == 3
    return browser


def open_orders(qtbot, window, profile):
    browser = browse_orders(qtbot, window, profile)
    browser.query.mode.setCurrentText("Query")
    browser.query.pk_value.setText("C0007")
    browser.query.sk_operator.setCurrentText("=")
    browser.query.sk_value.setText("O000007")
    run(qtbot, browser)
    assert len(browser.model.items) == 1
    browser.view.selectRow(0)
    browser.read_only.setChecked(False)
    return browser


def test_read_only_role_sees_access_denied_and_nothing_changes(demo_window, qtbot, monkeypatch):
    browser = open_orders(qtbot, demo_window, "demo-readonly")
    before = dict(browser.model.items[0])
    monkeypatch.setattr(BrowserAsk, "edit_json", classmethod(lambda cls, *a: '"refunded"'))
    status = browser.model.columns.index("status")
    browser.edit_cell(browser.sorter.index(0, status))
    which, args = wait_any(qtbot, browser.failed, browser.wrote)
    assert which == 0
    assert "AccessDenied" in args[0] and "dynamodb:UpdateItem" in args[0]
    assert browser.message.isVisible() and browser.model.items[0] == before


def test_admin_role_changes_the_order(demo_window, qtbot, monkeypatch):
    browser = open_orders(qtbot, demo_window, "demo-admin")
    value = f'"checked-{uuid.uuid4().hex[:6]}"'
    monkeypatch.setattr(BrowserAsk, "edit_json", classmethod(lambda cls, *a: value))
    status = browser.model.columns.index("status")
    browser.edit_cell(browser.sorter.index(0, status))
    which, args = wait_any(qtbot, browser.wrote, browser.failed)
    assert which == 0, args
    assert browser.model.items[0]["status"] == {"S": json.loads(value)}
    assert browser.model.index(0, status).data() == json.loads(value)


def test_heartbeat_while_loading_the_orders_table(demo_window, qtbot):
    browser = browse_orders(qtbot, demo_window, "demo-readonly")
    browser.query.page_size.setValue(250)
    run(qtbot, browser)
    with Heartbeat() as heart:
        with qtbot.waitSignal(browser.readFinished, timeout=60000):
            browser.load_all.click()
        browser.view.scrollToBottom()
        qtbot.waitUntil(lambda: len(heart.gaps) > 20)
    assert len(browser.model.items) == 3000
    assert heart.worst_ms <= 50, f"the GUI thread stalled {heart}"


def test_the_first_rows_come_in_a_small_page_and_stop_is_at_once(demo_window, qtbot):
    browser = browse_orders(qtbot, demo_window, "demo-readonly")
    run(qtbot, browser)
    first = len(browser.model.items)
    assert first == browser._rows_on_screen() * 2 and browser.model.more
    browser.load_all.click()  # moto takes seconds for a full page: Stop comes mid-page
    assert browser.model.loading
    with qtbot.waitSignal(browser.readFinished, timeout=1):
        browser.query.cancel_button.click()
    assert not browser.model.loading and browser.query.run_button.isEnabled()
    assert browser.status.text().endswith("stopped") and browser.load_all.isEnabled()
    kept = [item["order_id"]["S"] for item in browser.model.items]
    assert len(kept) >= first
    with qtbot.waitSignal(browser.readFinished, timeout=120000):
        browser.load_all.click()  # goes on from the last page that arrived
    orders = [item["order_id"]["S"] for item in browser.model.items]
    assert orders[: len(kept)] == kept
    assert len(orders) == len(set(orders)) == 3000


# ---- PartiQL ----------------------------------------------------------------------------------
@pytest.fixture
def paging(aws, monkeypatch):
    """DynamoDB's paging of PartiQL answers (moto gives the whole result at once): every
    request of the test, the browser's included, goes through a proxy that pages them."""
    from tests.helpers.faultproxy import FaultProxy

    proxy = FaultProxy(aws.endpoint)
    proxy.page_statements = 1000
    monkeypatch.setenv("AWS_ENDPOINT_URL", proxy.url)
    return proxy


@pytest.fixture
def orders(paging):
    """3,000 items in a table of their own, written 25 at a time."""
    client = dynamodb_client()
    name = create_table(client, f"Orders-{uuid.uuid4().hex[:8]}", {"pk": "S", "sk": "N"})
    for start in range(0, 3000, 25):
        client.batch_write_item(
            RequestItems={
                name: [
                    {"PutRequest": {"Item": {"pk": {"S": f"c{i % 7}"}, "sk": {"N": str(i)}}}}
                    for i in range(start, start + 25)
                ]
            }
        )
    return name


def run_statement(qtbot, browser, text, *parameters):
    browser.reads.setCurrentWidget(browser.partiql)
    browser.partiql.set_statement(text, list(parameters))
    browser.partiql.run_button.click()
    return wait_any(qtbot, browser.readFinished, browser.failed, browser.wrote)


def test_a_partiql_select_pages_into_the_table_like_a_scan(paging, orders, browser, qtbot):
    which, _ = run_statement(qtbot, browser, f'SELECT * FROM "{orders}"')
    assert which == 0, browser.message.text()
    first = len(browser.model.items)
    assert first == browser._rows_on_screen() * 2 and browser.model.more
    with qtbot.waitSignal(browser.readFinished, timeout=60000):
        browser.load_all.click()
    keys = [(item["pk"]["S"], item["sk"]["N"]) for item in browser.model.items]
    assert len(keys) == len(set(keys)) == 3000
    assert paging.statement_pages[:2] == [first, min(1000, first * 4)]
    assert browser.model.pages == len(paging.statement_pages) >= 4
    status = browser.status.text()
    assert status.startswith("3,000 items loaded · ") and "scanned" not in status
    assert status.endswith("all loaded")


def test_partiql_parameters_are_typed_and_counted(orders, browser, qtbot):
    which, _ = run_statement(
        qtbot,
        browser,
        f'SELECT * FROM "{orders}" WHERE pk = ? AND sk = ?',
        ("S", "c3"),
        ("N", "10"),
    )
    assert which == 0 and [dict(i) for i in browser.model.items] == [
        {"pk": {"S": "c3"}, "sk": {"N": "10"}}
    ]
    browser.partiql.set_statement(f'SELECT * FROM "{orders}" WHERE pk = ?')
    browser.partiql.run_button.click()
    assert browser.message.text() == "The statement has 1 ? placeholder but 0 parameters are given"
    assert len(browser.model.items) == 1  # what was loaded stays
    browser.partiql.set_statement(f'SELECT * FROM "{orders}" WHERE sk = ?', [("N", "1e400x")])
    browser.partiql.run_button.click()
    assert browser.message.text().startswith("Parameter 1: ")


def test_a_write_statement_is_refused_while_read_only_and_confirmed_first(
    orders, browser, qtbot, monkeypatch
):
    update = f'UPDATE "{orders}" SET note = ? WHERE pk = ? AND sk = ?'
    parameters = [("S", "checked"), ("S", "c1"), ("N", "1")]
    browser.reads.setCurrentWidget(browser.partiql)
    browser.partiql.set_statement(update, parameters)
    browser.partiql.run_button.click()
    assert "switch Read-only off" in browser.message.text()
    browser.read_only.setChecked(False)
    asked = []
    monkeypatch.setattr(
        BrowserAsk, "confirm", classmethod(lambda cls, parent, title, text: asked.append(text))
    )
    browser.partiql.run_button.click()  # answered No
    assert asked and orders in asked[0] and "cannot be undone" in asked[0]
    stored = dynamodb_client().get_item(TableName=orders, Key={"pk": {"S": "c1"}, "sk": {"N": "1"}})
    assert "note" not in stored["Item"]
    monkeypatch.setattr(BrowserAsk, "confirm", classmethod(lambda cls, *a: True))
    which, args = run_statement(qtbot, browser, update, *parameters)
    assert which == 2, args
    stored = dynamodb_client().get_item(TableName=orders, Key={"pk": {"S": "c1"}, "sk": {"N": "1"}})
    assert stored["Item"]["note"] == {"S": "checked"}


def test_a_syntax_error_is_the_service_s_sentence(browser, qtbot):
    which, args = run_statement(qtbot, browser, "SELEC * FROM somewhere")
    assert which == 1 and args[0].startswith("running the SELEC statement failed")
    assert browser.message.text().startswith("Running the SELEC statement failed")


def test_partiql_writes_are_refused_by_iam_for_the_read_only_role(demo_window, qtbot, monkeypatch):
    browser = browse_orders(qtbot, demo_window, "demo-readonly")
    browser.read_only.setChecked(False)
    monkeypatch.setattr(BrowserAsk, "confirm", classmethod(lambda cls, *a: True))
    which, args = run_statement(
        qtbot,
        browser,
        "UPDATE \"Orders\" SET status = 'x' WHERE customer_id = ? AND order_id = ?",
        ("S", "C0007"),
        ("S", "O000007"),
    )
    assert which == 1 and "AccessDenied" in args[0] and "dynamodb:ExecuteStatement" in args[0]


def test_a_partiql_query_on_the_demo_orders(demo_window, qtbot):
    browser = browse_orders(qtbot, demo_window, "demo-admin")
    which, _ = run_statement(
        qtbot, browser, 'SELECT * FROM "Orders" WHERE customer_id = ?', ("S", "C0007")
    )
    assert which == 0, browser.message.text()
    assert browser.model.items and all(
        item["customer_id"] == {"S": "C0007"} for item in browser.model.items
    )
    assert browser.model.columns[:2] == ["customer_id", "order_id"]


def test_several_statements_show_each_statement_s_own_error(demo_window, qtbot):
    browser = browse_orders(qtbot, demo_window, "demo-admin")
    which, _ = run_statement(
        qtbot,
        browser,
        "SELECT * FROM Nowhere WHERE customer_id = 'C0007' AND order_id = 'O000007';\n"
        "SELECT * FROM Orders WHERE customer_id = ? AND order_id = ?",
        ("S", "C0007"),
        ("S", "O000007"),
    )
    assert which == 2
    assert browser.message.text().startswith("Statement 1: ResourceNotFound")
    assert "statement 2" not in browser.message.text()
    assert [item["order_id"] for item in browser.model.items] == [{"S": "O000007"}]


# ---- copy as code -----------------------------------------------------------------------------
def test_copy_as_code_gives_the_items_the_browser_showed(browser, qtbot, aws, tmp_path):
    import base64
    import subprocess
    import sys

    from PySide6.QtGui import QGuiApplication

    assert not browser.code_button.isEnabled()  # nothing run yet
    browser.query.page_size.setValue(4)
    row = browser.query.new_filter()
    row.attribute.setText("status")
    row.value.setText("odd")
    run(qtbot, browser)
    qtbot.waitUntil(lambda: not browser.model.loading)
    if browser.model.more:  # the view may have asked for every page already
        with qtbot.waitSignal(browser.readFinished, timeout=20000):
            browser.load_all.click()
    assert not browser.model.more and browser.model.pages > 1
    shown = [
        json.loads(json.dumps(dict(i), default=lambda b: base64.b64encode(b).decode()))
        for i in browser.model.items
    ]
    assert len(shown) == 15
    text = browser.copy_code("boto3")
    assert QGuiApplication.clipboard().text() == text
    assert "profile_name='reader'" in text and "aws_secret_access_key" not in text
    assert browser.statusBar().currentMessage().startswith("Copied Scan of ")
    script = tmp_path / "scan.py"
    script.write_text(text)
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert [json.loads(line) for line in done.stdout.splitlines()] == shown


def test_an_edit_is_not_written_over_a_concurrent_change(browser, qtbot, monkeypatch, table):
    run(qtbot, browser)
    browser.read_only.setChecked(False)
    browser.view.selectRow(3)
    row = browser.current_row()
    loaded = dict(browser.model.items[row])
    key = {"pk": loaded["pk"], "sk": loaded["sk"]}
    dynamodb_client().update_item(
        TableName=table,
        Key=key,
        UpdateExpression="SET #s = :v",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":v": {"S": "changed elsewhere"}},
    )
    edited = json.dumps({**json.loads(to_plain_json(loaded)), "note": "mine"})
    monkeypatch.setattr(BrowserAsk, "edit_json", classmethod(lambda cls, *a: edited))
    monkeypatch.setattr(BrowserAsk, "confirm", classmethod(lambda cls, *a: True))
    which, args = wait_any_after(qtbot, browser, browser.edit_button.click)
    assert which == 0, args
    assert "changed in table" in args[0] and "nothing was written" in args[0]
    assert (
        '"status": "changed elsewhere"' in args[0]
        and f'"status": {json.dumps(loaded["status"]["S"])}' in args[0]
    )
    stored = dynamodb_client().get_item(TableName=table, Key=key)["Item"]
    assert "note" not in stored and stored["status"] == {"S": "changed elsewhere"}
    assert browser.model.items[row]["status"] == {"S": "changed elsewhere"}  # shown as it is now


def wait_any_after(qtbot, browser, action):
    with qtbot.waitSignal(browser.failed, timeout=20000, raising=False) as failed:
        action()
    return (0, failed.args) if failed.signal_triggered else (1, None)


# ---- import -----------------------------------------------------------------------------------
def test_import_a_csv_shows_what_it_writes_then_writes_it(
    browser, qtbot, monkeypatch, tmp_path, table
):
    path = tmp_path / "more.csv"
    rows = ["pk,sk,price (N),note"] + [f"q,{i},{i}.5,row {i}" for i in range(1000, 2500)]
    rows[11] = "q,1010,lots,row"  # line 12: not a number
    path.write_text("\n".join(rows) + "\n")
    before = count_items(table)
    assert not browser.import_button.isEnabled()  # Read-only
    browser.read_only.setChecked(False)
    assert browser.import_button.isEnabled()
    from gui.import_preview import ImportPreview

    asked = []
    monkeypatch.setattr(
        BrowserAsk,
        "import_preview",
        classmethod(lambda cls, parent, *shown: asked.append(ImportPreview(*shown)) or True),
    )
    with Heartbeat() as heart, qtbot.waitSignal(browser.imported, timeout=120000) as done:
        browser.import_file(str(path))
    assert done.args == [1499]
    assert heart.worst_ms <= 50, f"the GUI thread stalled {heart}"
    preview = asked[0]
    heading = preview.findChild(QLabel, "importHeading").text()
    assert heading == f"<b>Write 1,499 items from more.csv into {table}?</b>"
    cells = preview.cells()
    assert cells[0] == ["Line", "pk (S) · key", "sk (N) · key", "price (N)", "note (S)"]
    assert cells[1] == ["2", "q", "1000", "1000.5", "row 1000"]
    assert cells[11] == ["13", "q", "1011", "1011.5", "row 1011"]  # line 12 refused
    assert len(cells) == 1 + 20
    assert preview.refused.toPlainText() == "line 12: price: 'lots' is not a number"
    assert preview.write_button.text() == "Write 1,499 items"
    assert count_items(table) == before + 1499
    assert browser.message.text().startswith("1 row was not imported: line 12: ")
    assert browser.statusBar().currentMessage().startswith("Imported 1,499 items in ")
    assert not browser.import_progress.isVisible()


def test_the_import_preview_types_each_cell_when_a_column_mixes_types(browser, tmp_path, table):
    from core.importer import read_import
    from gui.import_preview import ImportPreview

    path = tmp_path / "mixed.jsonl"
    rows = [
        {"pk": "m", "sk": 1, "n": 5, "when": "today"},
        {"pk": "m", "sk": 2, "n": "five"},
        {"pk": "m", "sk": 1, "n": 6, "tags": {"$set": ["a", "b"]}},  # the first's key again
        {"pk": "m", "sk": "x"},
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    preview = ImportPreview(read_import(path, {"pk": "S", "sk": "N"}), browser.table)
    assert preview.cells() == [
        ["Line", "pk (S) · key", "sk (N) · key", "n", "tags (SS)"],
        ["3", "m", "1", "6  (N)", '{"a", "b"}'],  # the later row of a key is the one written
        ["2", "m", "2", "five  (S)", ""],
    ]
    assert "1 row repeats the key of an earlier row: the later row is written." in (
        preview.notes.text()
    )
    refused = preview.refused.toPlainText()
    assert refused == "line 4: the key attribute sk is S, the table's key is N"


def test_a_stopped_import_says_what_was_written(browser, qtbot, monkeypatch, tmp_path, table):
    path = tmp_path / "many.jsonl"
    path.write_text("".join(json.dumps({"pk": "s", "sk": i}) + "\n" for i in range(3000)))
    before = count_items(table)
    browser.read_only.setChecked(False)
    monkeypatch.setattr(BrowserAsk, "import_preview", classmethod(lambda cls, *a: True))
    browser.importer.progress.connect(lambda done, rate: browser.query.cancel_button.click())
    with qtbot.waitSignal(browser.failed, timeout=120000) as stopped:
        browser.import_file(str(path))
    written = count_items(table) - before
    assert 0 < written < 3000
    assert stopped.args[0] == f"stopped: {written:,} of 3,000 items were written to table '{table}'"


def test_a_bad_import_file_is_a_sentence_and_nothing_is_written(browser, qtbot, tmp_path, table):
    path = tmp_path / "bad.csv"
    path.write_text("sk,price\n1,2\n")
    before = count_items(table)
    browser.read_only.setChecked(False)
    with qtbot.waitSignal(browser.failed, timeout=20000) as failed:
        browser.import_file(str(path))
    assert failed.args[0] == "bad.csv has no column for the key attribute pk: nothing was written"
    assert count_items(table) == before


def test_the_demo_s_partiql_query_copied_as_code_runs_in_a_terminal_set_up_from_the_app(
    demo_server, qtbot, monkeypatch, pool, settings, private_runtime_dir, tmp_path
):
    """The issue's path in the demo: a PartiQL query on Orders, copied as boto3 code, run in a
    shell that pasted the app's "Use in terminals" lines, gives the rows the browser shows."""
    import base64
    import os
    import subprocess

    window = make_demo_window(qtbot, demo_server, monkeypatch, pool, settings, demo=True)
    browser = browse_orders(qtbot, window, "demo-admin")
    which, _ = run_statement(
        qtbot, browser, 'SELECT * FROM "Orders" WHERE customer_id = ?', ("S", "C0042")
    )
    assert which == 0, browser.message.text()
    shown = sorted(
        json.dumps(dict(i), sort_keys=True, default=lambda b: base64.b64encode(b).decode())
        for i in browser.model.items
    )
    assert shown
    script = tmp_path / "orders.py"
    script.write_text(browser.copy_code("boto3"))
    dialog = window.terminals()
    qtbot.addWidget(dialog)
    lines = dialog.text(masked=False)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "ROLECALL_"))}
    done = subprocess.run(
        ["bash", "-c", f'{lines}\n"$0" "$1"', sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=120,
        env=clean,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    printed = sorted(
        json.dumps(json.loads(line), sort_keys=True) for line in done.stdout.splitlines()
    )
    assert printed == shown


def test_rows_of_another_table_are_not_edited_or_deleted_in_the_table_picked(
    orders, browser, qtbot, monkeypatch, table
):
    which, _ = run_statement(qtbot, browser, f'SELECT * FROM "{orders}" WHERE pk = ?', ("S", "c1"))
    assert which == 0 and browser.table.name == table and browser.model.items
    browser.read_only.setChecked(False)
    browser.view.selectRow(0)
    assert not browser.edit_button.isEnabled() and not browser.delete_button.isEnabled()
    monkeypatch.setattr(BrowserAsk, "confirm", classmethod(lambda cls, *a: True))
    browser.delete_items()
    assert browser.message.text().startswith("These rows were not read from the table picked")
    assert count_items(orders) == 3000
    browser.partiql.set_statement(
        f"SELECT * FROM \"{orders}\" WHERE pk = 'c1' AND sk = 1; "
        f"DELETE FROM \"{orders}\" WHERE pk = 'c1' AND sk = 1"
    )
    browser.partiql.run_button.click()
    assert "all read or all write" in browser.message.text()
    assert count_items(orders) == 3000


def history(browser) -> dict[str, QAction]:
    """The History menu as it opens: each operation's title to its action."""
    from core.history import Entry

    browser.history.fill()
    found = {}
    for action in browser.history.actions():
        menu = action.menu()
        for one in menu.actions() if menu else [action]:
            if isinstance(one.data(), Entry):
                found.setdefault(one.data().title, one)
    return found


def test_a_past_query_runs_again_from_the_history_and_outlives_the_window(
    browser, qtbot, table, settings, monkeypatch
):
    from PySide6.QtCore import QSettings

    from gui.operations import OperationStore
    from gui.settings import Settings

    odd_after_20(qtbot, browser)
    odd = sorted(loaded(browser), key=int)
    assert odd == ["21", "23", "25", "27", "29"]
    browser.query.mode.setCurrentText("Scan")
    browser.query.index.setCurrentIndex(0)
    browser.query._remove_filter(browser.query.filter_rows[0])
    run(qtbot, browser)
    assert len(loaded(browser)) == 30
    query = "Query status = 'odd' · index by-status · sk > '20'"
    titles = list(history(browser))
    assert titles[:2] == ["Scan", query]

    with qtbot.waitSignal(browser.readFinished, timeout=20000):
        history(browser)[query].trigger()
    assert sorted(loaded(browser), key=int) == odd
    assert browser.query.mode.currentText() == "Query" and browser.query.index.currentIndex() == 1
    assert browser.query.filter_rows[0].state() == ["sk", ">", "20", "", "N"]
    assert list(history(browser))[:2] == [query, "Scan"]  # run again: first

    monkeypatch.setattr(BrowserAsk, "text", classmethod(lambda cls, *a, **k: "Odd after 20"))
    [save] = [a for a in browser.history.actions() if a.text() == "Save this operation…"]
    save.trigger()
    browser.history.fill()
    [saved] = [a for a in browser.history.actions() if a.text() == "Odd after 20"]
    browser.query.mode.setCurrentText("Scan")
    with qtbot.waitSignal(browser.readFinished, timeout=20000):
        saved.trigger()
    assert sorted(loaded(browser), key=int) == odd

    settings.q.sync()  # what the next start of the app reads
    again = OperationStore(
        Settings(QSettings(settings.q.fileName(), QSettings.Format.IniFormat)), "reader"
    ).shelf(table)
    assert [e.title for e in again.recent] == [query, "Scan"]
    assert [e.name for e in again.saved] == ["Odd after 20"]


def test_with_values_off_the_history_keeps_the_query_but_not_its_values(
    browser, qtbot, table, settings
):
    settings.set("history_values", False)
    browser.query.mode.setCurrentText("Query")
    browser.query.index.setCurrentIndex(1)
    browser.query.pk_value.setText("even")
    run(qtbot, browser)
    assert len(loaded(browser)) == 14
    settings.q.sync()
    on_disk = Path(settings.q.fileName()).read_text()
    assert table in on_disk and "by-status" in on_disk and "even" not in on_disk
    browser.query.mode.setCurrentText("Scan")
    [entry] = [a for title, a in history(browser).items() if title.startswith("Query")]
    assert "(values not kept)" in entry.text()
    entry.trigger()  # fills the form; nothing runs without the value
    assert browser.query.mode.currentText() == "Query" and browser.query.pk_value.text() == ""
    assert "type them, then Run" in browser.status.text()
    assert not browser.model.loading and len(loaded(browser)) == 14  # nothing new was read
    browser.query.pk_value.setText("even")
    run(qtbot, browser)
    assert len(loaded(browser)) == 14


def test_a_partiql_statement_runs_again_from_the_history(orders, browser, qtbot):
    text = f'SELECT * FROM "{orders}" WHERE pk = ? AND sk = ?'
    which, _ = run_statement(qtbot, browser, text, ("S", "c3"), ("N", "1627"))
    assert which == 0, browser.message.text()
    first = [(item["pk"]["S"], item["sk"]["N"]) for item in browser.model.items]
    assert first == [("c3", "1627")]
    browser.partiql.set_statement("SELECT nothing")
    browser.reads.setCurrentWidget(browser.query)
    with qtbot.waitSignal(browser.readFinished, timeout=20000):
        history(browser)[f"{text} · 'c3', '1627'"].trigger()  # kept with the table shown
    assert browser.reads.currentWidget() is browser.partiql
    assert browser.partiql.state()["parameters"] == [["S", "c3"], ["N", "1627"]]
    assert [(item["pk"]["S"], item["sk"]["N"]) for item in browser.model.items] == first


def test_a_history_entry_this_version_cannot_fill_is_a_sentence_and_changes_nothing(browser):
    from core.history import Entry

    browser.query.mode.setCurrentText("Query")
    browser.query.pk_value.setText("p")
    form = {**browser.query.state(), "sk_op": "starts_with_maybe"}
    browser.run_entry(Entry("query", browser.table.name, form))
    assert browser.message.text() == "This version has no sort key condition starts_with_maybe"
    assert browser.query.pk_value.text() == "p"


def test_turning_values_off_in_preferences_takes_them_out_of_the_settings_file(
    browser, qtbot, settings, table
):
    browser.query.mode.setCurrentText("Query")
    browser.query.pk_value.setText("even")
    run(qtbot, browser)
    settings.q.sync()
    assert "even" in Path(settings.q.fileName()).read_text()
    settings.set("history_values", False)  # what Preferences' Save does
    settings.q.sync()
    assert "even" not in Path(settings.q.fileName()).read_text()
    assert next(iter(history(browser))) == "Query pk = …"
