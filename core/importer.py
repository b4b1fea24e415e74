"""Files read into items for an import: CSV (a typed header such as `price (N)`, or the
table's key types; other columns are strings), JSON Lines of plain JSON (as the browser's
plain view and export write it) or of DynamoDB JSON (also `{"Item": {...}}`, as DynamoDB's
export to S3 writes it).

What is wrong with the file as a whole (not UTF-8, a broken JSON line, no column for a key
attribute) refuses the file: nothing is written. What is wrong with one row (a number that
is not one, an empty key) refuses that row, with its line number; the others are written."""

from __future__ import annotations

import base64
import binascii
import csv
import io
import json
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from core.compact import CompactItems, from_wire
from core.errors import ConfigError
from core.items import (
    AttributeValue,
    Item,
    ItemError,
    exact_number,
    from_plain_value,
    plain_to_item,
    typed_text,
)

TYPES = ("S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS")
_TYPED = re.compile(r"^(.*\S)\s*\((S|N|B|BOOL|NULL|L|M|SS|NS|BS)\)$")
_TAGS = {"S", "N", "B", "BOOL", "NULL", "L", "M", "SS", "NS", "BS"}


@dataclass(frozen=True)
class Refused:
    line: int
    reason: str

    def describe(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ImportFile:
    """A file read for an import: the items to write (with their line numbers), the rows
    refused, and the types each column will be written as."""

    path: Path
    format: str  # "csv", "jsonl" or "dynamodb-jsonl"
    key_types: dict[str, str] = field(default_factory=dict)
    # Kept as compact JSON text: 10,000 items as dicts would be tens of thousands of objects
    # for the garbage collector to walk, on whichever thread (the GUI's too) it runs.
    items: CompactItems = field(default_factory=CompactItems)
    lines: list[int] = field(default_factory=list)
    refused: list[Refused] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # CSV: column -> DynamoDB type
    repeated: int = 0  # rows whose key an earlier row had: the later row is written
    _where: dict[str, int] = field(default_factory=dict, repr=False)

    def add(self, line: int, item: Item) -> None:
        reason = _key_problem(item, self.key_types)
        if reason:
            self.refused.append(Refused(line, reason))
            return
        # One BatchWriteItem may not name a key twice; written in order, the last row wins.
        key = json.dumps([item[k] for k in self.key_types], default=_bytes_text)
        at = self._where.get(key)
        if at is not None:
            self.items[at], self.lines[at] = item, line
            self.repeated += 1
            return
        self._where[key] = len(self.lines)
        self.items.append(item)
        self.lines.append(line)

    def preview(self, rows: int = 5) -> str:
        """The first rows as they will be written, each value with its type."""
        shown = []
        for line, item in zip(self.lines[:rows], self.items[:rows], strict=True):
            values = ", ".join(f"{n} = {typed_text(v, n)}" for n, v in item.items())
            shown.append(f"line {line}: {values}")
        return "\n".join(shown)


def read_import(path: Path, key_types: dict[str, str]) -> ImportFile:
    """The file's items for a table whose key attributes have these types (name -> S/N/B)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"{path.name} is not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at position "
            f"{exc.start:,}): save it as UTF-8 and import again; nothing was written"
        ) from None
    except OSError as exc:
        raise ConfigError(f"{path.name} cannot be read: {exc.strerror}") from None
    if path.suffix.lower() == ".csv":
        found = _read_csv(path, text, key_types)
    else:
        found = _read_jsonl(path, text, key_types)
    found.refused.sort(key=lambda r: r.line)
    return found


def _bytes_text(value: Any) -> str:
    return base64.b64encode(bytes(value)).decode()


def _key_problem(item: Item, key_types: dict[str, str]) -> str | None:
    for name, kind in key_types.items():
        value = item.get(name)
        if value is None:
            return f"the key attribute {name} is missing"
        have = next(iter(value))
        if have != kind:
            return f"the key attribute {name} is {have}, the table's key is {kind}"
        if kind in ("S", "B") and not value[kind]:
            return f"the key attribute {name} is empty"
    return None


# ---- CSV ------------------------------------------------------------------------------------
def _read_csv(path: Path, text: str, key_types: dict[str, str]) -> ImportFile:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise ConfigError(f"{path.name} is empty: nothing was written") from None
    except csv.Error as exc:
        raise ConfigError(f"{path.name} is not valid CSV: {exc}") from None
    columns: dict[str, str] = {}
    for cell in header:
        typed = _TYPED.match(cell.strip())
        name, kind = (typed.group(1), typed.group(2)) if typed else (cell.strip(), None)
        if not name:
            raise ConfigError(f"{path.name}: a column has no name in the header (line 1)")
        if name in columns:
            raise ConfigError(f"{path.name}: the column {name} is there twice (line 1)")
        columns[name] = kind or key_types.get(name, "S")
    missing = [k for k in key_types if k not in columns]
    if missing:
        raise ConfigError(
            f"{path.name} has no column for the key attribute{'s' if len(missing) > 1 else ''} "
            f"{', '.join(missing)}: nothing was written"
        )
    found = ImportFile(path, "csv", key_types, columns=columns)
    names = list(columns)
    try:
        while True:
            line = reader.line_num + 1  # where the record starts (a quoted cell may span lines)
            row = next(reader, None)
            if row is None:
                break
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(names):
                found.refused.append(
                    Refused(line, f"{len(row)} cells where the header has {len(names)}")
                )
                continue
            try:
                item = {
                    name: _cell(cell, columns[name], name)
                    for name, cell in zip(names, row, strict=True)
                    if cell != ""  # an empty cell is an attribute left out, not ""
                }
            except ItemError as exc:
                found.refused.append(Refused(line, str(exc)))
                continue
            found.add(line, item)
    except csv.Error as exc:
        raise ConfigError(
            f"{path.name} is not valid CSV at line {reader.line_num}: {exc}"
        ) from None
    return found


def _cell(text: str, kind: str, name: str) -> AttributeValue:
    if kind == "S":
        return {"S": text}
    if kind == "N":
        try:
            return {"N": exact_number(text.strip())}
        except ItemError as exc:
            raise ItemError(f"{name}: {exc}") from None
    if kind == "B":
        try:
            return {"B": base64.b64decode(text.strip(), validate=True)}
        except (binascii.Error, ValueError):
            raise ItemError(f"{name}: '{text}' is not base64") from None
    if kind == "BOOL":
        if text.strip().lower() not in ("true", "false"):
            raise ItemError(f"{name}: '{text}' is not true or false")
        return {"BOOL": text.strip().lower() == "true"}
    if kind == "NULL":
        return {"NULL": True}
    value = from_plain_value(text, name)  # L, M and sets as the plain JSON view writes them
    if next(iter(value)) != kind:
        raise ItemError(f"{name}: the cell is {next(iter(value))}, the column is {kind}")
    return value


# ---- JSON Lines -----------------------------------------------------------------------------
def _is_dynamodb_json(data: dict[str, Any]) -> bool:
    return bool(data) and all(
        isinstance(v, dict) and len(v) == 1 and next(iter(v)) in _TAGS for v in data.values()
    )


def _read_jsonl(path: Path, text: str, key_types: dict[str, str]) -> ImportFile:
    rows: list[tuple[int, dict[str, Any]]] = []
    # Split on newlines only: U+2028 and the like may stand unescaped inside JSON strings.
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        try:
            data = json.loads(line, parse_float=Decimal, parse_int=Decimal)
        except json.JSONDecodeError as exc:
            raise ConfigError(
                f"{path.name} line {number} is not valid JSON ({exc.msg} at column {exc.colno}): "
                "nothing was written"
            ) from None
        if isinstance(data, dict) and set(data) == {"Item"} and isinstance(data["Item"], dict):
            data = data["Item"]
        if not isinstance(data, dict):
            raise ConfigError(
                f"{path.name} line {number} is not a JSON object: nothing was written"
            )
        rows.append((number, data))
    if not rows:
        raise ConfigError(f"{path.name} has no items: nothing was written")
    dynamodb = all(_is_dynamodb_json(data) for _, data in rows)
    found = ImportFile(path, "dynamodb-jsonl" if dynamodb else "jsonl", key_types)
    for number, data in rows:
        try:
            item = _wire_item(data) if dynamodb else plain_to_item(data)
        except (ItemError, ValueError, TypeError) as exc:
            found.refused.append(Refused(number, str(exc)))
            continue
        found.add(number, item)
    return found


def _wire_item(data: dict[str, Any]) -> Item:
    """DynamoDB JSON (binary as base64, numbers as strings) as the client takes it."""
    text = json.dumps(data, default=str)  # Decimals from parse_int/parse_float: back to JSON
    item = from_wire(json.loads(text))
    for name, value in item.items():
        kind = next(iter(value))
        if kind == "N":
            exact_number(str(value["N"]))
        elif kind not in _TAGS:
            raise ItemError(f"{name} has the unknown DynamoDB type '{kind}'")
    return item
