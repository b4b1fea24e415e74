"""Items stay exact: numbers, sets, binary, NULL vs missing vs "" through every view."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.compact import from_wire
from core.items import (
    ItemError,
    cell_text,
    columns,
    exact_number,
    from_plain_json,
    from_plain_value,
    plain_to_item,
    to_dynamodb_json,
    to_plain_json,
    to_plain_value,
)


def _canonical(digits: int, exponent: int, negative: bool) -> str | None:
    text = str(Decimal(f"{'-' if negative else ''}{digits}E{exponent}"))
    try:
        exact_number(text)
    except ItemError:
        return None
    return text


def _positional(digits: int, point: int, trailing: int, negative: bool) -> str | None:
    """A number as DynamoDB may send it: no exponent, with leading and trailing zeros
    (0.000000000000000000000000000000000001, -1.500, 1000000000000000000000000000000)."""
    text = str(digits) + "0" * trailing
    if point >= len(text):
        text = "0." + "0" * (point - len(text)) + text
    elif point > 0:
        text = f"{text[:-point]}.{text[-point:]}"
    text = ("-" if negative else "") + text
    try:
        exact_number(text)
    except ItemError:
        return None
    return text


numbers = st.one_of(
    st.just("0"),
    st.builds(
        _canonical,
        st.integers(min_value=1, max_value=10**38 - 1),
        st.integers(min_value=-168, max_value=125),
        st.booleans(),
    ).filter(lambda n: n is not None),
    st.builds(
        _positional,
        st.integers(min_value=1, max_value=10**38 - 1),
        st.integers(min_value=0, max_value=80),
        st.integers(min_value=0, max_value=6),
        st.booleans(),
    ).filter(lambda n: n is not None),
)
texts = st.text(max_size=12)
scalars = st.one_of(
    st.builds(lambda s: {"S": s}, texts),
    st.builds(lambda n: {"N": n}, numbers),
    st.builds(lambda b: {"B": b}, st.binary(max_size=12)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
    st.builds(lambda s: {"SS": sorted(s)}, st.sets(texts, min_size=1, max_size=4)),
    st.builds(
        lambda s: {"NS": sorted(s)},
        st.sets(numbers, min_size=1, max_size=4).filter(
            lambda s: len({Decimal(n) for n in s}) == len(s)
        ),
    ),
    st.builds(lambda s: {"BS": sorted(s)}, st.sets(st.binary(max_size=6), min_size=1, max_size=3)),
)
names = st.text(min_size=1, max_size=8).filter(lambda n: n not in ("$binary", "$set"))
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=4)),
        st.builds(lambda m: {"M": m}, st.dictionaries(names, inner, max_size=4)),
    ),
    max_leaves=12,
)
items = st.dictionaries(names, values, min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(items)
def test_plain_json_round_trips_exactly(item):
    assert from_plain_json(to_plain_json(item)) == item
    assert from_plain_json(to_plain_json(item, indent=2)) == item


@settings(max_examples=300, deadline=None)
@given(items)
def test_dynamodb_json_round_trips_exactly(item):
    assert from_wire(json.loads(to_dynamodb_json(item))) == item


@settings(max_examples=300, deadline=None)
@given(values)
def test_one_value_round_trips_exactly_as_the_cell_editor_shows_it(value):
    shown = to_plain_value(value, "price")
    assert f'{{"price": {shown}}}' == to_plain_json({"price": value})
    assert from_plain_value(shown, "price") == value
    assert from_plain_value(to_plain_value(value, "price", indent=2), "price") == value


def test_a_value_that_cannot_be_stored_is_refused_naming_its_attribute():
    with pytest.raises(ItemError, match=r"^tags: a \$set cannot hold the same value twice"):
        from_plain_value('{"$set": ["a", "a"]}', "tags")
    with pytest.raises(ItemError, match=r"^photo: 'x!' is not valid base64"):
        from_plain_value('{"$binary": "x!"}', "photo")
    with pytest.raises(ItemError, match="not valid JSON"):
        from_plain_value("[1, ", "l")
    assert to_plain_value({"N": "1.50"}, "n") == "1.50"
    assert to_plain_value({"M": {"a": {"L": [{"N": "1"}]}}}, "m", indent=2) == (
        '{\n  "a": [\n    1\n  ]\n}'
    )


@pytest.mark.parametrize(
    "number",
    [
        "12345678901234567890123456789012345678",
        "-0.12345678901234567890123456789012345678",
        "1E-130",
        "9.9999999999999999999999999999999999999E+125",
    ],
)
def test_numbers_at_the_limits_keep_every_digit(number):
    item = {"n": {"N": number}}
    assert to_plain_json(item) == f'{{"n": {number}}}'
    assert from_plain_json(to_plain_json(item)) == item


@pytest.mark.parametrize(
    "number",
    [
        "0.000000000000000000000000000000000001",
        "-0.0000100",
        "1.50",
        "100000000000000000000000000000000000000000",
        "-12345678901234567890123456789012345678",
    ],
)
def test_the_item_view_and_what_an_edit_writes_keep_dynamodbs_text(number):
    item = {"n": {"N": number}, "l": {"L": [{"N": number}]}, "ns": {"NS": [number]}}
    shown = to_plain_json(item, indent=2)  # the item view, and where "Edit item…" starts
    assert f'"n": {number},' in shown and f"\n    {number}\n" in shown
    assert from_plain_json(shown) == item  # saved unchanged: the same text goes back


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"n": 123456789012345678901234567890123456789}', "at most 38 significant digits"),
        ('{"n": 1E+126}', "exponents from -130 to 125"),
        ('{"n": 1E-131}', "at most 38 significant digits"),
        ('{"n": NaN}', "NaN is not a number"),
        ('{"n": Infinity}', "Infinity is not a number"),
        ('{"s": {"$set": []}}', "no empty sets"),
        ('{"s": {"$set": ["a", 1]}}', "only strings, only numbers or only binaries"),
        ('{"s": {"$set": ["a", "a"]}}', "same value twice"),
        ('{"s": {"$set": [1, 1.0]}}', "same value twice"),
        ('{"b": {"$binary": "not base64!"}}', "not valid base64"),
        ("[1, 2]", "must be a JSON object"),
        ('{"a": ', "not valid JSON"),
    ],
)
def test_what_cannot_be_stored_exactly_is_refused(text, message):
    with pytest.raises(ItemError, match=message):
        from_plain_json(text)


def test_a_map_that_looks_like_a_tag_is_refused_by_the_plain_view_only():
    item = {"m": {"M": {"$binary": {"S": "not really binary"}}}}
    with pytest.raises(
        ItemError, match=r"m is a map with the single key '\$binary'.*DynamoDB JSON"
    ):
        to_plain_json(item)
    assert from_wire(json.loads(to_dynamodb_json(item))) == item


def test_null_missing_and_empty_string_stay_three_things():
    item = from_plain_json('{"a": null, "b": ""}')
    assert item == {"a": {"NULL": True}, "b": {"S": ""}}
    assert "c" not in item
    assert [cell_text(item.get(n)) for n in ("a", "b", "c")] == ["null", "", ""]
    assert to_plain_json(item) == '{"a": null, "b": ""}'


def test_documented_plain_forms():
    item = {
        "b": {"B": b"\x00\x01"},
        "ss": {"SS": ["x", "y"]},
        "ns": {"NS": ["1", "2.5"]},
        "bs": {"BS": [b"\xff"]},
    }
    assert to_plain_json(item) == (
        '{"b": {"$binary": "AAE="}, "ss": {"$set": ["x", "y"]}, "ns": {"$set": [1, 2.5]}, '
        '"bs": {"$set": [{"$binary": "/w=="}]}}'
    )


def test_cells_render_by_type():
    assert cell_text({"N": "1.50"}) == "1.50"
    assert cell_text({"SS": ["a", "b"]}) == '{"a", "b"}'
    assert cell_text({"NS": ["1", "2"]}) == "{1, 2}"
    assert cell_text({"B": b"hi"}) == "aGk="
    assert cell_text({"M": {"k": {"L": [{"N": "1"}, {"NULL": True}]}}}) == '{"k": [1, null]}'
    assert cell_text({"BOOL": False}) == "false"


def test_parsed_events_with_int_and_short_float_numbers_are_exact():
    assert plain_to_item({"id": 123, "price": 0.1}) == {"id": {"N": "123"}, "price": {"N": "0.1"}}
    with pytest.raises(ItemError, match="may not be exact"):
        plain_to_item({"x": 0.1 + 0.2})


def test_columns_put_keys_first_and_only_ever_append():
    page1 = [{"z": {"S": "1"}, "pk": {"S": "a"}, "a": {"S": "x"}}]
    page2 = [{"b": {"S": "1"}, "a": {"S": "y"}, "sk": {"N": "1"}, "pk": {"S": "b"}}]
    first = columns(page1, ["pk", "sk"])
    assert first == ["pk", "sk", "z", "a"]
    assert columns(page2, ["pk", "sk"], first) == ["pk", "sk", "z", "a", "b"]


@settings(max_examples=200, deadline=None)
@given(st.lists(items, max_size=5))
def test_compact_storage_gives_back_exactly_what_was_stored(stored):
    from core.compact import CompactItems

    compact = CompactItems(stored, keep=2)
    assert list(compact) == stored and len(compact) == len(stored)
    assert list(compact.snapshot()) == stored
