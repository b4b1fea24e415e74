"""DynamoDB expressions: key conditions and filters as boto3 conditions, and the placeholders
for attribute names and values that one request's expressions share."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from boto3.dynamodb.conditions import (
    Attr,
    AttributeBase,
    ConditionBase,
    ConditionExpressionBuilder,
    Key,
)

from core.errors import ConfigError
from core.items import AttributeValue, to_attribute_value


@dataclass(frozen=True)
class FilterClause:
    """`attribute operator value [value2]`, with values as Python values (Decimal, str, …)."""

    attribute: str
    operator: str
    value: Any = None
    value2: Any = None


# operator -> (boto3 condition method, how many values it takes)
_KEY_METHODS = {
    "=": ("eq", 1),
    "<": ("lt", 1),
    "<=": ("lte", 1),
    ">": ("gt", 1),
    ">=": ("gte", 1),
    "begins_with": ("begins_with", 1),
    "between": ("between", 2),
}
_FILTER_METHODS = {
    **_KEY_METHODS,
    "<>": ("ne", 1),
    "contains": ("contains", 1),
    "attribute_exists": ("exists", 0),
    "attribute_not_exists": ("not_exists", 0),
    "attribute_type": ("attribute_type", 1),
}
KEY_OPERATORS = tuple(_KEY_METHODS)
FILTER_OPERATORS = tuple(_FILTER_METHODS)


def _apply(
    target: AttributeBase,
    methods: dict[str, tuple[str, int]],
    operator: str,
    what: str,
    values: tuple[Any, Any],
) -> ConditionBase:
    if operator not in methods:
        raise ConfigError(f"'{operator}' is not a {what}: use {', '.join(methods)}")
    method, arity = methods[operator]
    return getattr(target, method)(*values[:arity])


def key_condition(
    partition: str,
    partition_value: Any,
    sort: str | None = None,
    operator: str | None = None,
    value: Any = None,
    value2: Any = None,
) -> ConditionBase:
    """Partition key equals, and optionally a sort key condition, as boto3 conditions."""
    condition = Key(alias(partition)).eq(partition_value)
    if sort is None or operator is None:
        return condition
    return condition & _apply(
        Key(alias(sort)), _KEY_METHODS, operator, "sort key condition", (value, value2)
    )


def filter_condition(clauses: Sequence[FilterClause], combine: str = "AND") -> ConditionBase:
    """Filter clauses joined with AND or OR, as boto3 conditions."""
    if combine not in ("AND", "OR"):
        raise ConfigError("filters combine with AND or OR")
    if not clauses:
        raise ConfigError("no filter clauses given")
    built: list[ConditionBase] = []
    for clause in clauses:
        if not clause.attribute:
            raise ConfigError("a filter needs an attribute name")
        built.append(
            _apply(
                Attr(alias(clause.attribute)),
                _FILTER_METHODS,
                clause.operator,
                "filter",
                (clause.value, clause.value2),
            )
        )
    result = built[0]
    for condition in built[1:]:
        result = (result & condition) if combine == "AND" else (result | condition)
    return result


_ALIAS = "rc_"


def alias(name: str) -> str:
    """boto3 reads dots and brackets in a name as a path; ours are always plain names, so they
    travel hex-encoded through the builder and are decoded into the placeholders."""
    return _ALIAS + name.encode("utf-8").hex()


def _unalias(name: str) -> str:
    if name.startswith(_ALIAS):
        try:
            return bytes.fromhex(name[len(_ALIAS) :]).decode("utf-8")
        except ValueError:
            pass
    return name


class Expressions:
    """Collects expression attribute names and values across the parts of one request."""

    def __init__(self) -> None:
        self.builder = ConditionExpressionBuilder()
        self.names: dict[str, str] = {}
        self.values: dict[str, AttributeValue] = {}

    def condition(self, condition: ConditionBase, is_key: bool = False) -> str:
        expr = self.builder.build_expression(condition, is_key_condition=is_key)
        for placeholder, name in expr.attribute_name_placeholders.items():
            self.names[placeholder] = _unalias(name)
        for placeholder, value in expr.attribute_value_placeholders.items():
            self.values[placeholder] = to_attribute_value(value)
        return expr.condition_expression

    def name(self, attribute: str) -> str:
        placeholder = f"#p{len(self.names)}"
        self.names[placeholder] = attribute
        return placeholder

    def value(self, value: AttributeValue) -> str:
        placeholder = f":u{len(self.values)}"
        self.values[placeholder] = value
        return placeholder

    def apply(self, params: dict[str, Any]) -> dict[str, Any]:
        if self.names:
            params["ExpressionAttributeNames"] = self.names
        if self.values:
            params["ExpressionAttributeValues"] = self.values
        return params
