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
from collections import OrderedDict
from collections.abc import Iterable, Mapping, MutableSequence, Sequence
from decimal import Decimal, DecimalException, InvalidOperation
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer

from core.errors import ConfigError

AttributeValue = dict[str, Any]
Item = dict[str, AttributeValue]

TAGS = ("$binary", "$set")
_serializer: Any = TypeSerializer()  # typed loosely: the stubs' TypedDicts are not our dicts
_deserializer: Any = TypeDeserializer()


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


def from_dynamodb_json(text: str) -> Item:
    """Read DynamoDB JSON into an item, checking every type and number."""
    data = _loads(text) if isinstance(text, str) else text
    if not isinstance(data, dict):
        raise ItemError("an item must be a JSON object of attribute names and values")
    return {name: _check_av(value, name) for name, value in data.items()}


def _check_av(value: Any, path: str) -> AttributeValue:
    if not isinstance(value, dict) or len(value) != 1:
        raise ItemError(f'{path}: expected one type key such as {{"S": "text"}}')
    ((kind, inner),) = value.items()
    if kind == "S" and isinstance(inner, str):
        return {"S": inner}
    if kind == "N" and isinstance(inner, str):
        return {"N": exact_number(inner)}
    if kind == "BOOL" and isinstance(inner, bool):
        return {"BOOL": inner}
    if kind == "NULL" and inner is True:
        return {"NULL": True}
    if kind == "B":
        return {"B": _binary(inner, path)}
    if kind in ("SS", "NS", "BS") and isinstance(inner, list) and inner:
        if kind == "SS" and all(isinstance(s, str) for s in inner):
            members: list[Any] = inner
        elif kind == "NS" and all(isinstance(n, str) for n in inner):
            members = [exact_number(n) for n in inner]
        elif kind == "BS":
            members = [_binary(b, path) for b in inner]
        else:
            raise ItemError(f"{path}: the members of {kind} have the wrong type")
        if len(set(members)) != len(members):
            raise ItemError(f"{path}: a set cannot hold the same value twice")
        return {kind: members}
    if kind == "L" and isinstance(inner, list):
        return {"L": [_check_av(v, f"{path}[{i}]") for i, v in enumerate(inner)]}
    if kind == "M" and isinstance(inner, dict):
        return {"M": {k: _check_av(v, f"{path}.{k}") for k, v in inner.items()}}
    raise ItemError(f"{path}: '{kind}' with this value is not a DynamoDB attribute value")


def to_python(value: AttributeValue) -> Any:
    """One attribute as boto3's Python value (Decimal, set, Binary, ...)."""
    return _deserializer.deserialize(value)


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
    items: Iterable[Mapping[str, AttributeValue]],
    key_names: Sequence[str] = (),
    known: Sequence[str] = (),
) -> list[str]:
    """Key attributes first, then every other attribute in the order first seen.

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


def _binary_hook(obj: dict[str, Any]) -> Any:
    # In AttributeValue JSON, {"B": str} and {"BS": [str, ...]} are always base64 binary: an
    # attribute *named* B inside a map has a dict as its value, never a string.
    if len(obj) == 1:
        if isinstance(obj.get("B"), str):
            return {"B": base64.b64decode(obj["B"])}
        members = obj.get("BS")
        if isinstance(members, list) and all(isinstance(m, str) for m in members):
            return {"BS": [base64.b64decode(m) for m in members]}
    return obj


def from_wire(value: dict[str, Any]) -> Item:
    """An item or key as DynamoDB sends it (binary as base64 text) as botocore gives it."""
    return json.loads(json.dumps(value), object_hook=_binary_hook)


def _b64_default(value: Any) -> str:
    if isinstance(value, (bytes, bytearray, Binary)):
        return base64.b64encode(bytes(value)).decode("ascii")  # type: ignore[arg-type]
    raise TypeError(type(value).__name__)


class CompactItems(MutableSequence[Item]):
    """A list of items kept as compact JSON text, about the size DynamoDB sent them, and
    decoded back to exact AttributeValue dicts when read (the last few hundred are kept)."""

    def __init__(self, items: Iterable[Item] = (), keep: int = 512) -> None:
        self._rows: list[str] = []
        self._decoded: OrderedDict[int, Item] = OrderedDict()
        self._keep = keep
        self.extend(items)

    @staticmethod
    def _encode(item: Item) -> str:
        return json.dumps(item, separators=(",", ":"), ensure_ascii=False, default=_b64_default)

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self._rows)
        found = self._decoded.get(index)
        if found is None:
            found = json.loads(self._rows[index], object_hook=_binary_hook)
            self._decoded[index] = found
            if len(self._decoded) > self._keep:
                self._decoded.popitem(last=False)
        else:
            self._decoded.move_to_end(index)
        return found

    def __setitem__(self, index: Any, item: Any) -> None:
        self._rows[index] = self._encode(item)
        self._decoded.clear()

    def __delitem__(self, index: Any) -> None:
        del self._rows[index]
        self._decoded.clear()

    def insert(self, index: int, item: Item) -> None:
        self._rows.insert(index, self._encode(item))
        self._decoded.clear()

    def extend(self, items: Iterable[Item]) -> None:
        if isinstance(items, EncodedItems):
            self._rows.extend(items.rows)  # encoded already (on a worker thread)
        else:
            self._rows.extend(self._encode(item) for item in items)

    def __eq__(self, other: object) -> bool:
        return list(self) == list(other) if isinstance(other, (list, CompactItems)) else False

    def snapshot(self) -> CompactItems:
        """A copy that shares the encoded rows (cheap: nothing is decoded)."""
        copy = CompactItems(keep=self._keep)
        copy._rows = list(self._rows)
        return copy

    def memory_bytes(self) -> int:
        """Bytes held: the encoded rows, the list, and the decoded rows kept (deep size)."""
        from sys import getsizeof

        held = getsizeof(self._rows) + sum(getsizeof(row) for row in self._rows)
        return held + getsizeof(self._decoded) + sum(_deep_size(v) for v in self._decoded.values())

    def text_size(self) -> int:
        return sum(len(row) for row in self._rows)


def _deep_size(value: Any) -> int:
    from sys import getsizeof

    size = getsizeof(value)
    if isinstance(value, dict):
        size += sum(getsizeof(k) + _deep_size(v) for k, v in value.items())
    elif isinstance(value, list):
        size += sum(_deep_size(v) for v in value)
    return size


class EncodedItems(Sequence[Item]):
    """A page's items encoded for CompactItems ahead of time, so that a worker thread does
    the encoding and the GUI thread only appends strings."""

    def __init__(self, items: Sequence[Item]) -> None:
        self.rows = [CompactItems._encode(item) for item in items]
        self.names = list(dict.fromkeys(name for item in items for name in item))

    @classmethod
    def from_rows(cls, rows: list[str], names: list[str]) -> EncodedItems:
        """Items already as JSON text in DynamoDB's form (binary as base64), as sent."""
        encoded = cls.__new__(cls)
        encoded.rows, encoded.names = rows, names
        return encoded

    def __len__(self) -> int:
        return len(self.rows)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        return json.loads(self.rows[index], object_hook=_binary_hook)
