"""PartiQL statements as the browser and the generated code send them: the text, its `?`
parameters as DynamoDB values, what kind of statement it is and which table it names.

Only what is needed to send a statement safely is read from its text (quotes, comments, the
first keyword, the FROM/INTO/UPDATE table); DynamoDB itself parses the statement and its
refusal of a bad one is shown as it comes."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from core.errors import ConfigError

if TYPE_CHECKING:  # boto3 (under core.items) is not for the window's start: a type only
    from core.items import AttributeValue

WRITES = ("INSERT", "UPDATE", "DELETE")
MAX_BATCH = 25  # BatchExecuteStatement's limit
MAX_TRANSACTION = 100  # ExecuteTransaction's limit
_TABLE = re.compile(r'\b(?:FROM|INTO|UPDATE)\s+("(?:[^"]|"")+"|[A-Za-z0-9_.-]+)', re.IGNORECASE)


def _parts(text: str) -> Iterator[tuple[str, int, int]]:
    """The statement cut into (kind, start, end): kind is "'" for a string, '"' for a
    quoted name ("'!" and '"!' when the text ends before its closing quote), "-" for a
    comment, and "" for one character of code."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c in "'\"":
            end = i + 1
            while end < n:
                if text[end] == c:
                    if end + 1 < n and text[end + 1] == c:  # '' or "" inside the quotes
                        end += 2
                        continue
                    break
                end += 1
            yield (c if end < n else c + "!"), i, min(end + 1, n)
            i = end + 1
        elif text.startswith("--", i):
            end = text.find("\n", i)
            yield "-", i, n if end < 0 else end
            i = n if end < 0 else end
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            yield "-", i, n if end < 0 else end + 2
            i = n if end < 0 else end + 2
        else:
            yield "", i, i + 1
            i += 1


def _code(text: str) -> Iterator[tuple[int, str]]:
    """(position, character) of the statement outside strings, quoted names and comments;
    a quoted part is given as one space, so words on either side stay apart."""
    for kind, start, _end in _parts(text):
        if kind == "":
            yield start, text[start]
        elif kind[:1] in ("'", '"'):
            yield start, " "


_NOT_A_PATH = {"AND", "BETWEEN", "IN", "NOT", "OR", "SET", "VALUE", "VALUES", "WHERE"}
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def without_literals(
    text: str, parameters: Sequence[tuple[str, str]] = ()
) -> tuple[str, list[tuple[str, str]]]:
    """The statement with each string and number literal as a `?`, and the parameters as
    (type, value) in the order of the `?`: the literals' own as ("S" or "N", their text).
    Names stay: quoted names, a map's keys ('k': ...), and list indexes in paths (a[0]);
    comments go (they may quote values too). TRUE, FALSE, NULL and MISSING stay: they are
    the statement's shape more than anyone's data.

    ValueError when the quotes cannot be told apart (a quote left open, or one run into a
    word, as in 'O'Brien'): where the values start and end is then anyone's guess."""
    parts = list(_parts(text))
    for kind, start, end in parts:
        if kind[:1] in ("'", '"'):
            around = text[start - 1 : start] + text[end : end + 1]
            if kind.endswith("!") or any(c.isalnum() or c in "'\"_" for c in around):
                raise ValueError("the statement's quotes cannot be told apart")
    out: list[str] = []
    found: list[tuple[str, str]] = []
    given = iter(parameters)
    at = 0
    while at < len(parts):
        kind, start, end = parts[at]
        piece = text[start:end]
        after = text[end:].lstrip()
        if kind == "'" and not after.startswith(":"):
            out.append("?")
            found.append(("S", piece[1:-1].replace("''", "'")))
        elif kind == "-":
            out.append(" ")  # a comment may quote values too; a space keeps words apart
        elif kind == "" and piece == "?":
            out.append("?")
            found.append(next(given, ("S", "")))
        elif kind == "" and (piece[0].isdigit() or piece in "-+."):
            number = _NUMBER.match(text, start)
            before = text[:start].rstrip()
            word = start > 0 and (text[start - 1].isalnum() or text[start - 1] in "_.")
            if number and number.end() > start + (piece in "-+.") and not word:
                if not _in_path(text, before) and (
                    piece not in "-+" or before[-1:] in ("", "=", "<", ">", "(", ",", "[")
                ):
                    out.append("?")
                    found.append(("N", number.group(0)))
                    while at + 1 < len(parts) and parts[at + 1][1] < number.end():
                        at += 1
                else:
                    out.append(piece)  # a path's index, or a minus between two terms
            else:
                out.append(piece)
        else:
            out.append(piece)
        at += 1
    return "".join(out), found


def _in_path(text: str, before: str) -> bool:
    """The number after `before` is a list index in a path (a[0], "a"[0], a[0][1])."""
    if not before.endswith("["):
        return False
    name = before[:-1]
    if name[-1:] in ('"', "]"):
        return True
    word = re.search(r"[A-Za-z_][A-Za-z0-9_]*$", name)
    return word is not None and word.group(0).upper() not in _NOT_A_PATH


def split_statements(text: str) -> list[str]:
    """The statements of an editor's text, split on the semicolons between them."""
    cuts = [i for i, c in _code(text) if c == ";"]
    parts, start = [], 0
    for cut in [*cuts, len(text)]:
        part = text[start:cut].strip()
        if "".join(c for _, c in _code(part)).strip():
            parts.append(part)
        start = cut + 1
    return parts


@dataclass(frozen=True)
class Statement:
    """One PartiQL statement and its parameters (AttributeValues, in the order of the `?`)."""

    text: str
    parameters: Sequence[AttributeValue] = field(default_factory=tuple)

    @property
    def kind(self) -> str:
        """SELECT, INSERT, UPDATE, DELETE (or the first word, uppercased, of anything else)."""
        code = "".join(c for _, c in _code(self.text)).split()
        return code[0].upper() if code else ""

    @property
    def writes(self) -> bool:
        return self.kind in WRITES

    @property
    def placeholders(self) -> int:
        return sum(1 for _, c in _code(self.text) if c == "?")

    @property
    def table(self) -> str | None:
        """The table (or `table.index`) the statement names, unquoted; None if none is found."""
        found = _TABLE.search(self.text)
        if found is None:
            return None
        name = found.group(1)
        if name.startswith('"'):
            name = name[1:-1].replace('""', '"')
            rest = self.text[found.end() :]
            index = re.match(r'\."((?:[^"]|"")+)"', rest)
            if index:
                name += "." + index.group(1).replace('""', '"')
        return name

    def check(self) -> None:
        """A statement with the wrong number of parameters is refused before it is sent."""
        if not self.kind:
            raise ConfigError("type a PartiQL statement first")
        wanted, given = self.placeholders, len(self.parameters)
        if wanted != given:
            raise ConfigError(
                f"the statement has {wanted} ? placeholder{'s' if wanted != 1 else ''} "
                f"but {given} parameter{'s are' if given != 1 else ' is'} given"
            )

    def request(self) -> dict[str, Any]:
        """The statement as ExecuteStatement, BatchExecuteStatement and ExecuteTransaction
        take it."""
        params: dict[str, Any] = {"Statement": self.text}
        if self.parameters:
            params["Parameters"] = list(self.parameters)
        return params


def statements(text: str, parameters: Sequence[AttributeValue] = ()) -> list[Statement]:
    """The editor's statements, each with its share of the parameters, in order: the first
    statement's `?` take the first parameters, and so on."""
    found = split_statements(text)
    if not found:
        raise ConfigError("type a PartiQL statement first")
    out, used = [], 0
    for text_ in found:
        wanted = Statement(text_).placeholders
        out.append(Statement(text_, tuple(parameters[used : used + wanted])))
        used += wanted
    if used != len(parameters):
        these = "the statement has" if len(out) == 1 else "the statements have"
        raise ConfigError(
            f"{these} {used} ? placeholder{'s' if used != 1 else ''} "
            f"but {len(parameters)} parameter{'s are' if len(parameters) != 1 else ' is'} given"
        )
    for statement in out:
        statement.check()
    return out


@dataclass(frozen=True)
class StatementAnswer:
    """One statement's answer in a batch or transaction: its item, or its own error."""

    number: int  # 1-based, as the person counts the statements in the editor
    item: dict[str, AttributeValue] | None = None
    error: str | None = None
