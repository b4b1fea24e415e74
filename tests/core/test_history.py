"""The browser's history and saved operations, as kept in the settings."""

from __future__ import annotations

from core.history import MAX_RECENT, Entry, Shelf, without_values
from core.partiql import without_literals

QUERY = {
    "mode": "Query",
    "index": None,
    "keys": ["customer", "day"],
    "pk": "customer-4711",
    "sk_op": "between",
    "sk": "2026-01",
    "sk2": "2026-06",
    "filters": [
        ["status", "=", "shipped", "", "S"],
        ["total", "between", "10", "99.5", "N"],
        ["tags", "attribute_type", "SS", "", "S"],
    ],
    "combine": "AND",
    "projection": "pk, total",
    "page_size": 100,
    "consistent": True,
}


def test_the_history_keeps_the_last_hundred_the_latest_first_each_once():
    shelf = Shelf()
    for n in range(MAX_RECENT + 20):
        shelf.ran(Entry("scan", "Orders", {"page_size": n}), now=n)
    assert len(shelf.recent) == MAX_RECENT
    assert [e.form["page_size"] for e in shelf.recent[:3]] == [119, 118, 117]
    shelf.ran(Entry("scan", "Orders", {"page_size": 50}), now=1000)  # run again: moves up
    assert shelf.recent[0].form == {"page_size": 50} and shelf.recent[0].at == 1000
    assert sum(e.form["page_size"] == 50 for e in shelf.recent) == 1


def test_saved_operations_keep_their_names_and_the_same_name_replaces():
    shelf = Shelf()
    shelf.save(Entry("query", "Orders", QUERY), "Shipped to 4711")
    shelf.save(Entry("scan", "Orders", {}), "Everything")
    shelf.save(Entry("scan", "Orders", {"consistent": True}), "Everything")
    assert [(e.name, e.form) for e in shelf.saved] == [
        ("Shipped to 4711", QUERY),
        ("Everything", {"consistent": True}),
    ]
    again = Shelf.loads(shelf.dumps())
    assert again.saved == shelf.saved and again.recent == []


def test_a_query_kept_without_values_has_its_shape_and_none_of_its_values():
    shelf = Shelf()
    kept = shelf.ran(Entry("query", "Orders", QUERY), keep_values=False)
    text = shelf.dumps()
    for value in ("customer-4711", "2026-01", "2026-06", "shipped", "99.5"):
        assert value not in text
    assert kept.blank and kept.form["pk"] == "" and kept.form["sk_op"] == "between"
    assert kept.form["filters"] == [
        ["status", "=", "", "", "S"],
        ["total", "between", "", "", "N"],
        ["tags", "attribute_type", "SS", "", "S"],  # a type's name, not a value
    ]
    assert kept.form["projection"] == "pk, total" and kept.form["page_size"] == 100
    assert kept.title == (
        "Query customer = … · day between … and … · status = … · total between … · "
        "tags attribute_type 'SS' · returns pk, total · consistent"
    )


def test_a_statement_kept_without_values_has_its_literals_as_empty_parameters():
    statement = (
        "SELECT * FROM \"Orders\" WHERE pk = 'customer-4711' AND total > 10.5 "
        "AND a[0] = ? AND tags IN [-3, 'red'] /* for 'bob' */"
    )
    entry = Entry("partiql", "Orders", {"text": statement, "parameters": [["N", "42"]]})
    kept = without_values(entry)
    assert kept.form["text"] == (
        'SELECT * FROM "Orders" WHERE pk = ? AND total > ? AND a[0] = ? AND tags IN [?, ?]  '
    )
    assert kept.form["parameters"] == [["S", ""], ["N", ""], ["N", ""], ["N", ""], ["S", ""]]
    for value in ("customer-4711", "10.5", "42", "red", "bob"):
        assert value not in Shelf([kept]).dumps()
    assert entry.title.endswith("AND tags … · '42'")  # long statements are cut
    assert kept.title.endswith("tags IN [?, ?] · …, …, …, …, …")


def test_literals_become_parameters_that_say_the_same():
    text, parameters = without_literals(
        "INSERT INTO \"T\" VALUE {'pk': 'it''s', 'n': 1e3, 'list': [1, 2]}"
    )
    assert text == "INSERT INTO \"T\" VALUE {'pk': ?, 'n': ?, 'list': [?, ?]}"
    assert parameters == [("S", "it's"), ("N", "1e3"), ("N", "1"), ("N", "2")]
    text, parameters = without_literals("UPDATE T SET n = n - 1 WHERE x2 = 7 AND \"a1\" = 'b'")
    assert text == 'UPDATE T SET n = n - ? WHERE x2 = ? AND "a1" = ?'
    assert parameters == [("N", "1"), ("N", "7"), ("S", "b")]


def test_what_cannot_be_read_back_is_left_out():
    assert Shelf.loads("") == Shelf() and Shelf.loads("not json") == Shelf()
    assert Shelf.loads('{"recent": [{"kind": "drop table"}, 3]}') == Shelf()
    text = Shelf([Entry("scan", "T", {"page_size": 5}, at=1.5)]).dumps()
    assert Shelf.loads(text).recent == [Entry("scan", "T", {"page_size": 5}, at=1.5)]


def test_a_statement_whose_quotes_run_together_is_not_kept_without_values():
    shelf = Shelf()
    for text in (
        "SELECT * FROM Orders WHERE name = 'O'Brien' AND email = 'bob@example.com'",
        "SELECT * FROM \"Orders WHERE pk = 'c-4711'",
        "SELECT * FROM T WHERE a = 'Côte d'Ivoire'",
    ):
        assert shelf.ran(Entry("partiql", "Orders", {"text": text}), keep_values=False) is None
    assert shelf.recent == [] and "Brien" not in shelf.dumps()
    kept = shelf.ran(Entry("partiql", "T", {"text": "DELETE/*who*/FROM t WHERE a IN[1]"}), False)
    assert kept.form["text"] == "DELETE FROM t WHERE a IN[?]"  # a comment keeps words apart
    assert shelf.ran(Entry("partiql", "T", {"text": "SELECT 1" + " " * 8000})) is None


def test_turning_values_off_takes_them_out_of_what_was_kept_before():
    shelf = Shelf()
    shelf.ran(Entry("query", "Orders", QUERY))
    shelf.save(Entry("partiql", "Orders", {"text": "SELECT * FROM T WHERE a = 'x'"}), "x")
    stripped = shelf.without_values()
    text = stripped.dumps()
    assert "customer-4711" not in text and "'x'" not in text
    assert [e.blank for e in stripped.recent + stripped.saved] == [True, True]
    saved = Shelf().save(Entry("query", "Orders", QUERY), "mine", keep_values=False)
    assert saved.form["pk"] == "" and saved.name == "mine"


def test_a_settings_file_edited_by_hand_never_breaks_the_menu():
    import json

    bad_forms = [
        {"parameters": [1, 2], "text": "x"},
        {"filters": [["a"]]},
        {"keys": 5},
        {"page_size": "x"},
        {"page_size": 10**12},
        {"filters": 5},
    ]
    entries = [{"kind": "partiql" if "text" in f else "scan", "form": f} for f in bad_forms]
    entries += [{"kind": "scan", "form": {}, "at": at} for at in (float("nan"), 1e300, -1e20)]
    shelf = Shelf.loads(json.dumps({"recent": entries}))
    assert shelf.recent == []
    assert Shelf.loads("[" * 100000) == Shelf()
    good = Shelf.loads(json.dumps({"recent": [{"kind": "query", "form": QUERY, "at": 5}]}))
    assert good.recent[0].title.startswith("Query customer = 'customer-4711'")


def test_forgetting_takes_out_a_saved_one_by_name_and_a_past_one_by_what_it_ran():
    shelf = Shelf()
    shelf.ran(Entry("scan", "T", {"page_size": 1}))
    shelf.ran(Entry("scan", "T", {"page_size": 2}))
    saved = shelf.save(Entry("scan", "T", {"page_size": 1}), "one")
    shelf = Shelf.loads(shelf.dumps())  # as the menu reads it back
    shelf.forget(saved)
    assert shelf.saved == [] and len(shelf.recent) == 2
    shelf.forget(Entry("scan", "T", {"page_size": 2}))
    assert [e.form for e in shelf.recent] == [{"page_size": 1}]
