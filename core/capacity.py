"""What DynamoDB says an operation consumed (ReturnConsumedCapacity=INDEXES): the units in
all, the table's share and each index's, added up over the pages of a read."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Capacity:
    units: float = 0.0
    table: float = 0.0
    indexes: Mapping[str, float] = field(default_factory=dict)
    calls: int = 0  # answers that said what they consumed

    @classmethod
    def of(cls, answer: Mapping[str, Any]) -> Capacity:
        """From one answer's ConsumedCapacity (a dict, or a list of them for batch calls);
        an answer without one (DynamoDB Local, some stand-ins) adds nothing."""
        consumed = answer.get("ConsumedCapacity")
        if not consumed:
            return cls()
        total = cls()
        for part in consumed if isinstance(consumed, list) else [consumed]:
            indexes: dict[str, float] = {}
            for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
                for name, used in (part.get(kind) or {}).items():
                    indexes[name] = indexes.get(name, 0.0) + float(used.get("CapacityUnits", 0))
            total += cls(
                units=float(part.get("CapacityUnits", 0)),
                table=float((part.get("Table") or {}).get("CapacityUnits", 0)),
                indexes=indexes,
                calls=1,
            )
        return total

    def __add__(self, other: Capacity) -> Capacity:
        indexes = dict(self.indexes)
        for name, units in other.indexes.items():
            indexes[name] = indexes.get(name, 0.0) + units
        return Capacity(
            self.units + other.units, self.table + other.table, indexes, self.calls + other.calls
        )

    def describe(self, unit: str) -> str:
        """`2.5 RCU (table 1, index by-status 1.5)`; `unit` is RCU for reads, WCU for writes."""
        if not self.calls:
            return f"no {unit} reported"
        parts = [f"table {self.table:g}"] + [f"index {n} {u:g}" for n, u in self.indexes.items()]
        return f"{self.units:g} {unit} ({', '.join(parts)})"
