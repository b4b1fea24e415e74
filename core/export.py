"""Export: items written to CSV or JSON Lines as they arrive, the file whole or not at all."""

from __future__ import annotations

import csv
import os
import threading
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from core.errors import Cancelled, ConfigError
from core.items import Item, cell_text, columns, to_dynamodb_json, to_plain_json

EXPORT_FORMATS = ("csv", "jsonl", "dynamodb-jsonl")


def export(
    pages: Iterable[Sequence[Item]],
    path: Path,
    fmt: str,
    key_names: Sequence[str] = (),
    progress: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
) -> int:
    """Write items to CSV or JSON Lines as they come; returns how many were written.

    CSV: one column per attribute (keys first), nested values as plain JSON, missing as an
    empty cell. The file appears complete or not at all (written beside, then renamed).
    """
    if fmt not in EXPORT_FORMATS:
        raise ConfigError(f"'{fmt}' is not an export format: use {', '.join(EXPORT_FORMATS)}")
    path = Path(path)
    partial = path.with_name(f".{path.name}.partial")
    count = 0
    names: list[str] = []
    try:
        with partial.open("w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            for page in pages:
                if cancel is not None and cancel.is_set():
                    raise Cancelled(f"the export was stopped after {count} items")
                if fmt == "csv":
                    names = columns(page, key_names, names)
                    for item in page:
                        writer.writerow([cell_text(item.get(n)) for n in names])
                else:
                    for item in page:
                        line = to_plain_json(item) if fmt == "jsonl" else to_dynamodb_json(item)
                        out.write(line + "\n")
                count += len(page)
                if progress:
                    progress(count)
        if fmt == "csv":
            _add_csv_header(partial, names)
        os.replace(partial, path)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return count


def _add_csv_header(partial: Path, names: list[str]) -> None:
    """Prepend the header; rows written before a column first appeared get empty cells."""
    final = partial.with_name(partial.name + "2")
    with (
        partial.open(encoding="utf-8", newline="") as body,
        final.open("w", encoding="utf-8", newline="") as out,
    ):
        writer = csv.writer(out)
        writer.writerow(names)
        for row in csv.reader(body):
            writer.writerow(row + [""] * (len(names) - len(row)))
    os.replace(final, partial)
