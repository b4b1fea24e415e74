"""The browser's history and saved operations: each scan, query or PartiQL run with its
options, as the form held it, kept per role and table so that one click fills the form again
and runs it.

What is kept is what the person typed: never a secret (a form holds no key or token), and
no value of an item or a key once the person turns values off (`without_values` blanks the
typed values and turns a statement's literals into `?` parameters left empty)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from core.partiql import without_literals

MAX_RECENT = 100  # operations kept in a table's history, the latest first
MAX_TEXT = 8000  # a longer statement (a pasted batch of INSERTs) is not kept
LATEST = 4102444800  # 2100-01-01: a time past this in the settings is not one
KINDS = ("scan", "query", "partiql")
BLANK_VALUES = "no_values"  # a form's flag: its values were left out, type them to run it


@dataclass(frozen=True)
class Entry:
    """One operation as its form held it (plain JSON), with its name if it was saved."""

    kind: str  # scan, query or partiql
    table: str
    form: Mapping[str, Any]
    name: str = ""  # "" for the history's entries
    at: float = 0.0  # when it last ran, in seconds since the epoch

    def same(self, other: Entry) -> bool:
        """The same operation, whenever it ran and whatever it is called."""
        return (self.kind, self.table, _canonical(self.form)) == (
            other.kind,
            other.table,
            _canonical(other.form),
        )

    @property
    def blank(self) -> bool:
        """Its values were left out: the form is filled, the person types them, then runs."""
        return bool(self.form.get(BLANK_VALUES))

    @property
    def title(self) -> str:
        """A line that tells the operation apart from the others of its table."""
        form = self.form
        if self.kind == "partiql":
            text = " ".join(str(form.get("text", "")).split())
            text = text if len(text) <= 90 else text[:89] + "…"
            values = [_shown(value) for _kind, value in form.get("parameters") or []]
            return " · ".join([text, ", ".join(values)] if values else [text])
        parts = ["Query" if self.kind == "query" else "Scan"]
        if form.get("index"):
            parts.append(f"index {form['index']}")
        if self.kind == "query":
            pk, sk = [*(form.get("keys") or []), "", ""][:2]
            parts[0] += f" {pk or 'partition key'} = {_shown(form.get('pk', ''))}"
            op = form.get("sk_op") or "(any)"
            if op != "(any)":
                second = f" and {_shown(form.get('sk2', ''))}" if op == "between" else ""
                parts.append(f"{sk or 'sort key'} {op} {_shown(form.get('sk', ''))}{second}")
        for attribute, op, value, *_ in form.get("filters") or []:
            parts.append(f"{attribute} {op} {_shown(value)}".rstrip())
        if form.get("projection"):
            parts.append(f"returns {form['projection']}")
        if form.get("consistent"):
            parts.append("consistent")
        return " · ".join(parts)

    def to_plain(self) -> dict[str, Any]:
        plain = {"kind": self.kind, "table": self.table, "form": dict(self.form), "at": self.at}
        if self.name:
            plain["name"] = self.name
        return plain

    @classmethod
    def from_plain(cls, plain: Any) -> Entry | None:
        """An entry read back from the settings; None for one this version cannot read."""
        if not isinstance(plain, dict) or plain.get("kind") not in KINDS:
            return None
        form, at = plain.get("form"), plain.get("at", 0)
        if not isinstance(form, dict) or not valid_form(plain["kind"], form):
            return None
        if not isinstance(at, int | float) or not (math.isfinite(at) and 0 <= at <= LATEST):
            return None
        return cls(plain["kind"], str(plain.get("table", "")), form, str(plain.get("name", "")), at)


def valid_form(kind: str, form: Mapping[str, Any]) -> bool:
    """The form has the shape the query bar or the PartiQL editor gives (what a settings
    file edited by hand, or written by another version, may not have)."""

    def texts(value: Any, count: int | None = None) -> bool:
        return (
            isinstance(value, list)
            and all(isinstance(v, str) for v in value)
            and (count is None or len(value) == count)
        )

    def typed(name: str, types: type | tuple[type, ...]) -> bool:
        return name not in form or isinstance(form[name], types)

    size = form.get("page_size", 0)
    if isinstance(size, bool) or not isinstance(size, int) or not 0 <= size <= 10000:
        return False
    flags = ("consistent", "transaction", BLANK_VALUES)
    if not all(typed(name, bool) for name in flags):
        return False
    if kind == "partiql":
        parameters = form.get("parameters", [])
        return (
            isinstance(form.get("text"), str)
            and isinstance(parameters, list)
            and all(texts(p, 2) for p in parameters)
        )
    words = ("mode", "pk", "sk_op", "sk", "sk2", "combine", "projection")
    filters = form.get("filters", [])
    return (
        all(typed(name, str) for name in words)
        and typed("index", (str, type(None)))
        and (texts(form["keys"]) if "keys" in form else True)
        and isinstance(filters, list)
        and all(texts(f, 5) for f in filters)
    )


def _canonical(form: Mapping[str, Any]) -> str:
    return json.dumps(form, sort_keys=True, default=str)


def _shown(value: Any) -> str:
    text = str(value)
    if text == "":
        return "…"
    return repr(text) if len(text) <= 40 else repr(text[:39] + "…")


def without_values(entry: Entry) -> Entry | None:
    """The entry with no value of an item or a key: typed values blanked, and a statement's
    string and number literals turned into `?` with an empty parameter of their type. None
    for a statement whose quotes cannot be told apart: it is not kept at all."""
    form = dict(entry.form)
    if entry.kind == "partiql":
        try:
            text, parameters = without_literals(
                str(form.get("text", "")), [tuple(p) for p in form.get("parameters") or []]
            )
        except ValueError:
            return None
        form["text"], form["parameters"] = text, [[kind, ""] for kind, _ in parameters]
    else:
        for name in ("pk", "sk", "sk2"):
            if form.get(name):
                form[name] = ""
        form["filters"] = [
            [attribute, op, value if op == "attribute_type" else "", "", *rest]
            for attribute, op, value, _second, *rest in form.get("filters") or []
        ]
    form[BLANK_VALUES] = True
    return replace(entry, form=form)


@dataclass
class Shelf:
    """One role's operations on one table: the recent ones, the latest first, and the saved
    ones in the order they were saved."""

    recent: list[Entry] = field(default_factory=list)
    saved: list[Entry] = field(default_factory=list)

    def ran(self, entry: Entry, keep_values: bool = True, now: float | None = None) -> Entry | None:
        """Put `entry` first in the history (once: an older run of it moves up); None when
        it is not kept (too long, or its values cannot be left out)."""
        kept = _keepable(entry, keep_values)
        if kept is None:
            return None
        kept = replace(kept, name="", at=time.time() if now is None else now)
        self.recent = [kept, *(e for e in self.recent if not e.same(kept))][:MAX_RECENT]
        return kept

    def save(
        self, entry: Entry, name: str, keep_values: bool = True, now: float | None = None
    ) -> Entry | None:
        """Keep `entry` under `name`; a saved operation of the same name is replaced."""
        kept = _keepable(entry, keep_values)
        if kept is None:
            return None
        kept = replace(kept, name=name, at=time.time() if now is None else now)
        self.saved = [*(e for e in self.saved if e.name != name), kept]
        return kept

    def without_values(self) -> Shelf:
        """The shelf as it would have been kept with values off: when the person turns them
        off, what was kept before goes too."""

        def strip(entries: list[Entry]) -> list[Entry]:
            found = [without_values(e) for e in entries]
            return [e for e in found if e is not None]

        return Shelf(strip(self.recent), strip(self.saved))

    def forget(self, entry: Entry) -> None:
        """Take out a saved operation (by its name) or a past one (the same operation)."""
        if entry.name:
            self.saved = [e for e in self.saved if e.name != entry.name]
        else:
            self.recent = [e for e in self.recent if not e.same(entry)]

    def dumps(self) -> str:
        return json.dumps(
            {
                "recent": [e.to_plain() for e in self.recent],
                "saved": [e.to_plain() for e in self.saved],
            },
            separators=(",", ":"),
        )

    @classmethod
    def loads(cls, text: str) -> Shelf:
        """The shelf kept in the settings; what cannot be read is left out, never an error."""
        try:
            plain = json.loads(text) if text else {}
        except (ValueError, RecursionError):
            plain = {}
        if not isinstance(plain, dict):
            plain = {}

        def entries(name: str) -> list[Entry]:
            found = plain.get(name)
            read = [Entry.from_plain(e) for e in found] if isinstance(found, list) else []
            return [e for e in read if e is not None]

        return cls(entries("recent")[:MAX_RECENT], entries("saved"))


def _keepable(entry: Entry, keep_values: bool) -> Entry | None:
    if len(str(entry.form.get("text", ""))) > MAX_TEXT:
        return None
    return entry if keep_values else without_values(entry)
