"""DynamoDB items, kept exact: raw AttributeValue dicts are the truth; views are made from them.

Two text views of an item:

* DynamoDB JSON, exact for every item: `{"id": {"S": "123"}, "n": {"N": "1.5"}}`, with binary
  as base64 (as the AWS CLI writes it).
* Plain JSON, for reading and editing: strings, numbers (written digit for digit), true/false,
  null, objects and arrays as themselves. What plain JSON has no word for is tagged, as a
  one-key object:

  ==========  ==============================  ===============================
  DynamoDB    plain JSON                      example
  ==========  ==============================  ===============================
  B           {"$binary": "<base64>"}         {"$binary": "AAE="}
  SS          {"$set": ["a", "b"]}            strings inside
  NS          {"$set": [1, 2.5]}              numbers inside
  BS          {"$set": [{"$binary": "AA=="}]} binaries inside
  ==========  ==============================  ===============================

  A real map whose only key is "$binary" or "$set" would read back as a tag, so the plain view
  refuses such an item (use DynamoDB JSON for it); an empty set cannot exist in DynamoDB, and
  numbers beyond DynamoDB's 38 digits are refused, never rounded.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, DecimalException, InvalidOperation
from typing import Any

from boto3.dynamodb.types import Binary, TypeSerializer

from core.errors import ConfigError

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

TAGS = ("$binary", "$set")
_serializer: Any = TypeSerializer()  # typed loosely: the stubs' TypedDicts are not our dicts


class ItemError(ConfigError):
    """An item (or a value typed by a person) that DynamoDB could not store as it is."""


def exact_number(text: str) -> str:
    """Check a number against DynamoDB's limits (38 digits, exponent) and return it unchanged."""
    try:
        value = Decimal(text)
    except InvalidOperation:
        raise ItemError(f"'{text}' is not a number") from None
    if not value.is_finite():
        raise ItemError(f"{text} is not a number DynamoDB can store")
    if value:
        digits = "".join(map(str, value.as_tuple().digits)).strip("0")
        if len(digits) > 38 or not -130 <= value.adjusted() <= 125:
            raise ItemError(
                f"{text} cannot be stored exactly: DynamoDB numbers hold at most 38 significant "
                "digits, with exponents from -130 to 125"
            )
    return text


def _json_number(text: str) -> str:
    # DynamoDB's number strings are valid JSON numbers except for a leading "+" or ".",
    # which only hand-made items carry; normalise those without changing the value.
    if text[:1] in "+." or text[:2] in ("-.",) or text.endswith("."):
        return str(Decimal(text))
    return text


def _plain(value: AttributeValue, path: str) -> str:
    ((kind, inner),) = value.items()
    if kind == "S":
        return json.dumps(inner, ensure_ascii=False)
    if kind == "N":
        return _json_number(inner)
    if kind == "BOOL":
        return "true" if inner else "false"
    if kind == "NULL":
        return "null"
    if kind == "B":
        return '{"$binary": ' + json.dumps(_b64(inner)) + "}"
    if kind == "SS":
        return '{"$set": [' + ", ".join(json.dumps(s, ensure_ascii=False) for s in inner) + "]}"
    if kind == "NS":
        return '{"$set": [' + ", ".join(_json_number(n) for n in inner) + "]}"
    if kind == "BS":
        return (
            '{"$set": ['
            + ", ".join('{"$binary": ' + json.dumps(_b64(b)) + "}" for b in inner)
            + "]}"
        )
    if kind == "L":
        return "[" + ", ".join(_plain(v, f"{path}[{i}]") for i, v in enumerate(inner)) + "]"
    if kind == "M":
        if len(inner) == 1 and next(iter(inner)) in TAGS:
            raise ItemError(
                f"{path} is a map with the single key '{next(iter(inner))}', which the plain "
                "view uses as a type tag; use the DynamoDB JSON view for this item"
            )
        return _plain_map(inner, path)
    raise ItemError(f"{path} has the unknown DynamoDB type '{kind}'")


def _plain_map(item: Mapping[str, AttributeValue], path: str = "") -> str:
    parts = [
        json.dumps(k, ensure_ascii=False) + ": " + _plain(v, f"{path}.{k}" if path else k)
        for k, v in item.items()
    ]
    return "{" + ", ".join(parts) + "}"


def to_plain_json(item: Mapping[str, AttributeValue], indent: int | None = None) -> str:
    """The plain JSON view of an item (see the module's table); refuses what it cannot show."""
    text = _plain_map(item)
    return text if indent is None else _pretty(_loads(text), " " * indent, "")


def to_plain_value(value: AttributeValue, name: str, indent: int | None = None) -> str:
    """One attribute's value in the plain JSON view (what the cell editor shows), exactly;
    a refusal names the attribute `name`."""
    text = _plain(value, name)
    return text if indent is None else _pretty(_loads(text), " " * indent, "")


def _pretty(value: Any, step: str, pad: str) -> str:
    """json.dumps with indentation, but writing Decimals digit for digit."""
    inner = pad + step
    if isinstance(value, dict):
        if not value:
            return "{}"
        parts = [
            f"{inner}{json.dumps(k, ensure_ascii=False)}: {_pretty(v, step, inner)}"
            for k, v in value.items()
        ]
        return "{\n" + ",\n".join(parts) + f"\n{pad}}}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _pretty(v, step, inner) for v in value) + f"\n{pad}]"
    if isinstance(value, Decimal):
        return _number_text(value)
    return json.dumps(value, ensure_ascii=False)


class _NumberText(Decimal):
    """A number read from JSON, with the text it was written as (str(Decimal) would turn
    0.000000000000000000000000000000000001 into 1E-36, and 1.50 stays 1.50 only by luck)."""

    text: str

    def __new__(cls, text: str) -> _NumberText:
        number = super().__new__(cls, text)
        number.text = text
        return number


def _loads(text: str) -> Any:
    def bad_constant(name: str) -> Any:
        raise ItemError(f"{name} is not a number DynamoDB can store")

    try:
        return json.loads(
            text, parse_float=_NumberText, parse_int=_NumberText, parse_constant=bad_constant
        )
    except json.JSONDecodeError as exc:
        raise ItemError(
            f"not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None


def from_plain_json(text: str) -> Item:
    """Read the plain JSON view back into an item, exactly, or refuse with the reason."""
    data = _loads(text)
    if not isinstance(data, dict):
        raise ItemError("an item must be a JSON object of attribute names and values")
    return {name: _from_plain(value, name) for name, value in data.items()}


def from_plain_value(text: str, name: str) -> AttributeValue:
    """One attribute's value read back from the plain JSON view, exactly, or refused with
    the reason, naming the attribute `name`."""
    return _from_plain(_loads(text), name)


def plain_to_item(data: Mapping[str, Any]) -> Item:
    """A parsed plain-JSON object (numbers as int, Decimal or exact floats) to an item."""
    return {name: _from_plain(_as_decimal(value), name) for name, value in data.items()}


def _as_decimal(value: Any) -> Any:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # json.loads made this float from text; repr gives that text back up to 15 digits.
        text = repr(value)
        if not math.isfinite(value) or len(text.lstrip("-").replace(".", "").lstrip("0")) > 15:
            raise ItemError(f"{text} may not be exact as a float; give the number as Decimal")
        return Decimal(text)
    if isinstance(value, dict):
        return {k: _as_decimal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_decimal(v) for v in value]
    return value


def _binary(text: Any, path: str) -> bytes:
    if not isinstance(text, str):
        raise ItemError(f"{path}: $binary takes a base64 string")
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ItemError(f"{path}: '{text}' is not valid base64") from None


def _from_plain(value: Any, path: str) -> AttributeValue:
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in TAGS:
        tag, inner = next(iter(value.items()))
        if tag == "$binary":
            return {"B": _binary(inner, path)}
        return _set(inner, path)
    if isinstance(value, Decimal):
        return {"N": exact_number(_number_text(value))}
    if isinstance(value, dict):
        return {"M": {k: _from_plain(v, f"{path}.{k}") for k, v in value.items()}}
    if isinstance(value, list):
        return {"L": [_from_plain(v, f"{path}[{i}]") for i, v in enumerate(value)]}
    try:
        return _serializer.serialize(value)
    except TypeError:
        raise ItemError(f"{path}: {type(value).__name__} values cannot be stored") from None


def _number_text(value: Decimal) -> str:
    if not value.is_finite():
        raise ItemError(f"{value} is not a number DynamoDB can store")
    return value.text if isinstance(value, _NumberText) else str(value)


def _set(members: Any, path: str) -> AttributeValue:
    if not isinstance(members, list) or not members:
        raise ItemError(f"{path}: a $set needs a non-empty list (DynamoDB has no empty sets)")
    kinds = {_member_kind(m) for m in members}
    if len(kinds) != 1 or None in kinds:
        raise ItemError(f"{path}: a $set holds only strings, only numbers or only binaries")
    kind = str(kinds.pop())
    if kind == "SS":
        values: list[Any] = members
    elif kind == "NS":
        values = [exact_number(_number_text(m)) for m in members]
    else:
        values = [_binary(m["$binary"], path) for m in members]
    if len(set(values)) != len(values) or (kind == "NS" and _has_equal_numbers(values)):
        raise ItemError(f"{path}: a $set cannot hold the same value twice")
    return {kind: values}


def _has_equal_numbers(values: Sequence[str]) -> bool:
    return len({Decimal(v) for v in values}) != len(values)


def _member_kind(member: Any) -> str | None:
    if isinstance(member, str):
        return "SS"
    if isinstance(member, Decimal):
        return "NS"
    if isinstance(member, dict) and list(member) == ["$binary"]:
        return "BS"
    return None


def _b64(value: Any) -> str:
    raw = bytes(value)  # Binary too
    return base64.b64encode(raw).decode("ascii")


def to_dynamodb_json(item: Mapping[str, AttributeValue], indent: int | None = None) -> str:
    """The exact DynamoDB JSON of an item, binary as base64."""
    return json.dumps(_encode_binary(dict(item)), indent=indent, ensure_ascii=False)


def _encode_binary(value: Any) -> Any:
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        for k, v in value.items():
            if k == "B" and isinstance(v, (bytes, bytearray, Binary)) and len(value) == 1:
                out[k] = _b64(v)
            elif k == "BS" and len(value) == 1 and isinstance(v, list):
                out[k] = [_b64(b) for b in v]
            else:
                out[k] = _encode_binary(v)
        return out
    if isinstance(value, list):
        return [_encode_binary(v) for v in value]
    return value


def to_attribute_value(value: Any) -> AttributeValue:
    """A Python value (Decimal, str, bytes, set, ...) as an AttributeValue, exactly."""
    try:
        return _serializer.serialize(value)
    except (TypeError, DecimalException) as exc:
        raise ItemError(f"{value!r} cannot be stored in DynamoDB: {exc}") from None


def cell_text(value: AttributeValue | None) -> str:
    """A short one-line rendering for tables and CSV: numbers as stored, sets as {…}, binary
    as base64, maps and lists as compact plain JSON; NULL is `null`; missing is empty."""
    if value is None:
        return ""
    ((kind, inner),) = value.items()
    if kind == "S":
        return inner
    if kind == "N":
        return inner
    if kind == "BOOL":
        return "true" if inner else "false"
    if kind == "NULL":
        return "null"
    if kind == "B":
        return _b64(inner)
    if kind == "SS":
        return "{" + ", ".join(json.dumps(s, ensure_ascii=False) for s in inner) + "}"
    if kind == "NS":
        return "{" + ", ".join(inner) + "}"
    if kind == "BS":
        return "{" + ", ".join(_b64(b) for b in inner) + "}"
    try:
        return _plain(value, "value")
    except ItemError:
        return to_dynamodb_json({"v": value})[6:-1]


def columns(
    items: Iterable[Iterable[str]],
    key_names: Sequence[str] = (),
    known: Sequence[str] = (),
) -> list[str]:
    """Key attributes first, then every other attribute in the order first seen (an item
    is anything that iterates its attribute names: a dict item, or a page's names).

    Passing the columns of earlier pages as `known` keeps the order stable as pages arrive:
    new attributes are only ever appended.
    """
    order = list(dict.fromkeys([*key_names, *known]))
    seen = set(order)
    for item in items:
        for name in item:
            if name not in seen:
                seen.add(name)
                order.append(name)
    return order


def item_key(item: Mapping[str, AttributeValue], key_names: Sequence[str]) -> Item:
    """The key attributes of an item, as a key for GetItem, UpdateItem or DeleteItem."""
    try:
        return {name: item[name] for name in key_names}
    except KeyError as exc:
        raise ItemError(f"the item has no value for the key attribute {exc.args[0]}") from None


def _comparable(value: AttributeValue) -> Any:
    """A value in a form where equal DynamoDB values compare equal (1.50 = 1.5, sets unordered)."""
    ((kind, inner),) = value.items()
    if kind == "N":
        return kind, Decimal(inner)
    if kind == "NS":
        return kind, frozenset(Decimal(n) for n in inner)
    if kind in ("SS", "BS"):
        return kind, frozenset(bytes(b) if kind == "BS" else b for b in inner)
    if kind == "B":
        return kind, bytes(inner)
    if kind == "L":
        return kind, tuple(_comparable(v) for v in inner)
    if kind == "M":
        return kind, frozenset((k, _comparable(v)) for k, v in inner.items())
    return kind, inner


def same_value(a: AttributeValue | None, b: AttributeValue | None) -> bool:
    if a is None or b is None:
        return a is b
    return _comparable(a) == _comparable(b)


def typed_text(value: AttributeValue, name: str) -> str:
    """`"paid" (S)`: one value as the plain view shows it, with its DynamoDB type."""
    kind = next(iter(value))
    try:
        text = to_plain_value(value, name)
    except ItemError:
        text = to_dynamodb_json({name: value})
    return f"{text if len(text) <= 80 else text[:77] + '...'} ({kind})"


@dataclass(frozen=True)
class Change:
    """One attribute an edit sets, changes or removes."""

    name: str
    before: AttributeValue | None
    after: AttributeValue | None

    def describe(self) -> str:
        if self.before is None and self.after is not None:
            return f"+ {self.name}: {typed_text(self.after, self.name)}"
        if self.after is None and self.before is not None:
            return f"- {self.name}: {typed_text(self.before, self.name)} (removed)"
        assert self.before is not None and self.after is not None
        before, after = typed_text(self.before, self.name), typed_text(self.after, self.name)
        return f"~ {self.name}: {before} -> {after}"


def diff(old: Mapping[str, AttributeValue], new: Mapping[str, AttributeValue]) -> list[Change]:
    """What changes from `old` to `new`, attribute by attribute, in the item's order."""
    names = list(old) + [n for n in new if n not in old]
    return [
        Change(n, old.get(n), new.get(n)) for n in names if not same_value(old.get(n), new.get(n))
    ]
