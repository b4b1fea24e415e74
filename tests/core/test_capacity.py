"""Consumed capacity as DynamoDB reports it, added up over the pages and calls of a read."""

from __future__ import annotations

from core.capacity import Capacity


def test_one_answer_with_its_table_and_index_shares():
    used = Capacity.of(
        {
            "ConsumedCapacity": {
                "TableName": "Orders",
                "CapacityUnits": 2.5,
                "Table": {"CapacityUnits": 0.5},
                "GlobalSecondaryIndexes": {"by-status": {"CapacityUnits": 2.0}},
            }
        }
    )
    assert used == Capacity(2.5, 0.5, {"by-status": 2.0}, 1)
    assert used.describe("RCU") == "2.5 RCU (table 0.5, index by-status 2)"


def test_pages_and_batch_answers_add_up_per_table_and_index():
    page = {
        "ConsumedCapacity": {
            "CapacityUnits": 1.0,
            "Table": {"CapacityUnits": 0.5},
            "LocalSecondaryIndexes": {"by-date": {"CapacityUnits": 0.5}},
        }
    }
    batch = {
        "ConsumedCapacity": [
            {"TableName": "Orders", "CapacityUnits": 3.0, "Table": {"CapacityUnits": 3.0}},
            {"TableName": "Orders", "CapacityUnits": 1.0, "Table": {"CapacityUnits": 1.0}},
        ]
    }
    total = Capacity.of(page) + Capacity.of(page) + Capacity.of(batch)
    assert total == Capacity(6.0, 5.0, {"by-date": 1.0}, 4)
    assert total.describe("WCU") == "6 WCU (table 5, index by-date 1)"


def test_an_answer_that_reports_nothing_adds_nothing_and_says_so():
    nothing = Capacity.of({"Items": []})
    assert nothing == Capacity() and nothing.calls == 0
    assert (nothing + Capacity.of({"ConsumedCapacity": None})).describe("RCU") == (
        "no RCU reported"
    )
