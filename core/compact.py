"""Items kept compactly: as JSON text rows, the form DynamoDB sends them in, decoded back to
exact AttributeValue dicts only when read."""

from __future__ import annotations

import base64
import json
from collections import OrderedDict
from collections.abc import Iterable, MutableSequence, Sequence
from typing import Any

from boto3.dynamodb.types import Binary

from core.items import Item


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
