"""Scan and Query pages: what one holds, and the fast path that keeps a page's items as
DynamoDB sent them (JSON text) instead of botocore parsing every attribute in Python."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from core.capacity import Capacity
from core.compact import EncodedItems, from_wire
from core.items import Item

WIRE_PAGE = "RolecallWirePage"  # where keep_wire_page leaves the page in botocore's answer


@dataclass
class ScanPage:
    """One page as DynamoDB returned it: raw items and the key to go on from, untouched."""

    items: Sequence[Item]
    last_evaluated_key: Item | None
    count: int
    scanned_count: int
    capacity: Capacity = field(default_factory=Capacity)  # what reading it used, as DynamoDB said

    @property
    def more(self) -> bool:
        return self.last_evaluated_key is not None


def keep_wire_page(
    response_dict: dict[str, Any], customized_response_dict: dict[str, Any], **_: Any
) -> None:
    """botocore's before-parse event: keep a good answer's items as sent, and give botocore an
    empty body to parse (errors are left to botocore, retries included)."""
    if response_dict.get("status_code") == 200 and response_dict.get("body"):
        customized_response_dict[WIRE_PAGE] = split_page(response_dict["body"].decode("utf-8"))
        response_dict["body"] = b"{}"


_ITEMS = re.compile(r'"Items"\s*:\s*\[')
_BETWEEN = re.compile(r"[\s,]*")
_decode_one = json.JSONDecoder().raw_decode


def split_page(text: str) -> tuple[dict[str, Any], EncodedItems]:
    """A Scan/Query answer as (everything but the items, the items as their own JSON text).

    Each item is decoded on its own, so no single call holds the GIL for long (one json.loads
    of a 1 MB page holds it 20-40 ms, and the GUI thread waits that long). `"Items": [` can
    only be the top-level key: inside an item, quotes in strings are escaped and an attribute
    value is always an object."""
    found = _ITEMS.search(text)
    if found is None:
        return json.loads(text), EncodedItems.from_rows([], [])
    at = found.start()
    rows: list[str] = []
    names: dict[str, None] = {}
    i = _BETWEEN.match(text, found.end()).end()  # type: ignore[union-attr]
    while text[i] != "]":
        item, end = _decode_one(text, i)
        rows.append(text[i:end])
        names.update(dict.fromkeys(item))
        i = _BETWEEN.match(text, end).end()  # type: ignore[union-attr]
    rest = json.loads(text[:at] + '"Items":[]' + text[i + 1 :])
    return rest, EncodedItems.from_rows(rows, list(names))


def wire_key(key: dict[str, Any] | None) -> Item | None:
    """A LastEvaluatedKey as sent (binary as base64) in botocore's form (bytes)."""
    return None if key is None else from_wire(key)
