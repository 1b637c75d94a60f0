"""Mongo-style filters parsed once into a small typed tree, for the client and the server alike.

The client (:mod:`wandbkit.filters`) parses a filter to reject it before a request leaves; the
server (:mod:`wandbkit.server.run_filters`) parses the same text and compiles the tree to SQL.
One walker means the two cannot disagree on what is valid or on what the error says. The
grammar knows operators and operand rules; the fields come from a :class:`FieldTable` per domain
(:data:`wandbkit._lang.run_fields.RUN_FIELDS` for runs).

Grammar:

* At filter level, the logical operators ``$and``, ``$or``, ``$nor`` (lists of filters) and
  ``$not`` (a filter); several keys in one object mean AND.
* Inside a field, the operators ``$eq $ne $gt $gte $lt $lte $in $nin $exists $regex`` and ``$not``
  (an operator object); a bare value means ``$eq``; several operators mean AND.
* Operands by field kind: strings for text fields and tags; ISO-8601 text or epoch seconds for
  times; numbers for durations; numbers, strings or booleans in JSON paths. ``None`` only with
  ``$eq``/``$ne``/``$in``/``$nin``; booleans with ``$exists``; a string with ``$regex``; a list
  (or tuple) with ``$in``/``$nin``.
* Nesting at most :data:`MAX_DEPTH` levels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from wandbkit._lang.fields import Field, FieldKind, FieldTable
from wandbkit._lang.values import describe, is_number, number_problem, parse_time

__all__ = [
    "EXTRA_OPS",
    "FIELD_OPS",
    "LOGICAL_OPS",
    "MAX_DEPTH",
    "MAX_IN_VALUES",
    "RANGE_OPS",
    "And",
    "FieldCond",
    "FilterNode",
    "FilterSyntaxError",
    "Nor",
    "Not",
    "Operand",
    "Or",
    "Value",
    "parse",
    "resolve_field",
]

#: How deeply filter objects may nest (logical operators, field operator objects, ``$not``).
MAX_DEPTH = 32
#: The most values one ``$in``/``$nin`` list may hold: more is a slow request, not a filter
#: (select by a tag or a config value instead).
MAX_IN_VALUES = 10_000

LOGICAL_OPS = ("$and", "$or", "$nor")
FIELD_OPS = ("$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin", "$exists", "$regex")
RANGE_OPS = ("$gt", "$gte", "$lt", "$lte")
#: Operators only some languages take (``FieldTable.extra_ops``): ``$contains`` (a substring;
#: W&B's, not Mongo's), ``$size`` (a list's length) and ``$all`` (a list holds every value).
EXTRA_OPS = ("$contains", "$size", "$all")

_TIME_EXPECTED = "an ISO-8601 time like '2026-11-01T12:00:00Z' or epoch seconds"


class FilterSyntaxError(ValueError):
    """A filter or order that is not in the language; neutral, so each side re-raises it as its
    own error class (``UsageError`` on the client, ``FilterError`` on the server).

    ``str(error)`` is ``"<where>: <message>"``, e.g. ``filters['state']['$in']: expected a list
    of values, got str 'x'``.

    Attributes:
        where: the place, as the argument name plus subscripts.
        message: what is wrong there.
    """

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


#: A checked scalar operand; times are parsed to aware UTC datetimes.
Value = str | int | float | bool | datetime | None
#: What a field condition compares with: a scalar, or a tuple of them for ``$in``/``$nin``.
Operand = Value | tuple[Value, ...]


@dataclass(frozen=True)
class FieldCond:
    """One operator applied to one field: ``{field: {op: operand}}``.

    Attributes:
        field: the resolved field.
        op: one of :data:`FIELD_OPS` (a bare value is ``$eq``), or of :data:`EXTRA_OPS` where the
            table takes them.
        operand: the checked operand: a :data:`Value`, a tuple of them for ``$in``/``$nin`` and
            ``$all``, a bool for ``$exists``, the pattern for ``$regex``, the substring for
            ``$contains``, the length for ``$size``.
    """

    field: Field
    op: str
    operand: Operand

    @property
    def kind(self) -> FieldKind:
        """What the field holds."""
        return self.field.kind


@dataclass(frozen=True)
class And:
    """All children match (``$and``, or several keys/operators in one object); ``()`` is true."""

    children: tuple[FilterNode, ...]


@dataclass(frozen=True)
class Or:
    """Some child matches (``$or``); ``()`` is false."""

    children: tuple[FilterNode, ...]


@dataclass(frozen=True)
class Nor:
    """No child matches (``$nor``); ``()`` is true."""

    children: tuple[FilterNode, ...]


@dataclass(frozen=True)
class Not:
    """The child does not match (``$not``, at filter level or inside a field)."""

    child: FilterNode


FilterNode = And | Or | Nor | Not | FieldCond

_LOGICAL_NODES: dict[str, type[And | Or | Nor]] = {"$and": And, "$or": Or, "$nor": Nor}


def resolve_field(fields: FieldTable, name: str, where: str, *, for_order: bool = False) -> Field:
    """The field ``name`` names in ``fields``: a plain field, or a path into a document.

    Raises:
        FilterSyntaxError: an unknown field, a document prefix without a key, an empty key, or
            (``for_order``) a list field, which has no order.
    """
    kind = fields.kinds.get(name)
    expected = fields.order_list if for_order else fields.filter_list
    if kind is not None:
        if for_order and kind is FieldKind.TAGS:
            raise FilterSyntaxError(
                where, f"cannot order by {name!r}, a list; expected one of {expected}"
            )
        return Field(name, kind)
    prefix, dot, path = name.partition(".")
    if not dot or prefix not in fields.documents:
        if name in fields.documents:
            raise FilterSyntaxError(where, f"field {name!r} needs a key, like '{name}.<key>'")
        raise FilterSyntaxError(where, f"unknown field {name!r}; expected one of {expected}")
    keys = tuple(path.split("."))
    if any(key == "" for key in keys):
        raise FilterSyntaxError(where, f"field {name!r} has an empty key; write '{prefix}.a.b'")
    return Field(name, FieldKind.JSON, prefix, keys)


def parse(filters: object, fields: FieldTable, *, argument: str = "filters") -> FilterNode:
    """Parse a Mongo-style filter into its tree, checking every operator and operand.

    Args:
        filters: the filter, e.g. ``{"state": "finished", "config.lr": {"$gt": 0.01}}``, or
            ``None`` for no filter.
        fields: the domain's field table.
        argument: the parameter name that starts every error's place.

    Returns:
        The tree. An object with one key is that key's node; with several, an :class:`And` of
        them; ``None`` and ``{}`` are ``And(())``, which matches everything.

    Raises:
        FilterSyntaxError: a wrong shape, an unknown operator or field, an operand of the wrong
            type or one JSON cannot carry, an invalid ``$regex``, or nesting deeper than
            :data:`MAX_DEPTH`; the message names the place, e.g. ``filters['config.lr']['$in']``.

    Example:
        >>> from wandbkit._lang.run_fields import RUN_FIELDS
        >>> parse({"state": "finished"}, RUN_FIELDS)
        FieldCond(field=Field(name='state', kind=<FieldKind.TEXT: 'a string'>, document=None, \
keys=()), op='$eq', operand='finished')
    """
    if filters is None:
        return And(())
    return _Parser(fields).filter(filters, argument, 1)


def _all(parts: list[FilterNode]) -> FilterNode:
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _check_depth(depth: int, where: str) -> None:
    if depth > MAX_DEPTH:
        raise FilterSyntaxError(where, f"filter is nested deeper than {MAX_DEPTH} levels")


def _check_number(value: float, where: str) -> None:
    problem = number_problem(value)
    if problem is not None:
        raise FilterSyntaxError(where, problem)


def _time(value: object, where: str) -> datetime:
    if isinstance(value, datetime):
        # json.dumps cannot send a datetime; say how to write one.
        raise FilterSyntaxError(
            where, f"expected {_TIME_EXPECTED}, got datetime (pass value.isoformat() instead)"
        )
    if is_number(value):
        assert isinstance(value, (int, float))
        _check_number(value, where)
    try:
        moment = parse_time(value)
    except (ValueError, OverflowError) as exc:
        raise FilterSyntaxError(where, f"{describe(value)} is not a valid time ({exc})") from None
    if moment is None:
        raise FilterSyntaxError(where, f"expected {_TIME_EXPECTED}, got {describe(value)}")
    return moment


def _regex(field: Field, pattern: object, where: str) -> str:
    if field.kind is FieldKind.DURATION:
        raise FilterSyntaxError(where, f"$regex needs a string field; {field.name!r} is a number")
    if not isinstance(pattern, str):
        raise FilterSyntaxError(
            where, f"expected a regular expression string, got {describe(pattern)}"
        )
    try:
        re.compile(pattern)
    except re.error as exc:
        raise FilterSyntaxError(where, f"invalid regular expression {pattern!r}: {exc}") from None
    except RecursionError:  # Python's parser recurses per group: "(((...": no real pattern
        raise FilterSyntaxError(
            where, f"regular expression {pattern[:40]!r}... nests its groups too deeply"
        ) from None
    return pattern


def _operand(field: Field, value: object, where: str, *, allow_null: bool) -> Value:
    """One comparison operand checked against the field's kind; times parsed."""
    if value is None:
        if allow_null:
            return None
        raise FilterSyntaxError(where, f"cannot compare {field.name!r} with null; use $exists")
    kind = field.kind
    if kind is FieldKind.TIME:
        return _time(value, where)
    if kind is FieldKind.DURATION:
        if not is_number(value):
            raise FilterSyntaxError(where, f"expected a number of seconds, got {describe(value)}")
    elif kind in (FieldKind.TEXT, FieldKind.TAGS):
        if not isinstance(value, str):
            raise FilterSyntaxError(where, f"expected a string, got {describe(value)}")
    elif not (isinstance(value, (str, bool)) or is_number(value)):
        hint = " (use $in to match any of several values)" if isinstance(value, list) else ""
        raise FilterSyntaxError(
            where, f"expected a number, string, boolean or null, got {describe(value)}{hint}"
        )
    assert isinstance(value, (str, bool, int, float))
    if not isinstance(value, (str, bool)):
        _check_number(value, where)
    return value


def _operator(field: Field, op: str, operand: object, where: str) -> FieldCond:
    checked: Operand
    if op in ("$eq", "$ne"):
        checked = _operand(field, operand, where, allow_null=True)
    elif op in RANGE_OPS:
        checked = _operand(field, operand, where, allow_null=False)
    elif op in ("$in", "$nin"):
        # A tuple serializes as a JSON list too; sets and other iterables do not.
        if not isinstance(operand, (list, tuple)):
            raise FilterSyntaxError(where, f"expected a list of values, got {describe(operand)}")
        items: Sequence[object] = operand
        if len(items) > MAX_IN_VALUES:
            raise FilterSyntaxError(
                where, f"{op} takes at most {MAX_IN_VALUES} values, got {len(items)}"
            )
        checked = tuple(
            _operand(field, item, f"{where}[{index}]", allow_null=True)
            for index, item in enumerate(items)
        )
    elif op == "$exists":
        if not isinstance(operand, bool):
            raise FilterSyntaxError(where, f"expected true or false, got {describe(operand)}")
        checked = operand
    elif op == "$regex":
        checked = _regex(field, operand, where)
    else:
        checked = _extra_operand(field, op, operand, where)
    return FieldCond(field, op, checked)


def _extra_operand(field: Field, op: str, operand: object, where: str) -> Operand:
    """The operand of ``$contains`` (text or a list of text), ``$size`` and ``$all`` (a list
    field, or a JSON path, which may hold a list)."""
    listy = field.kind is FieldKind.TAGS or field.document is not None
    if op == "$contains":
        if field.kind not in (FieldKind.TEXT, FieldKind.TAGS) and field.document is None:
            raise FilterSyntaxError(where, f"$contains needs a string field; {field.name!r} is not")
        if not isinstance(operand, str):
            raise FilterSyntaxError(where, f"expected a string, got {describe(operand)}")
        return operand
    if not listy:
        raise FilterSyntaxError(where, f"{op} needs a list field; {field.name!r} is not one")
    if op == "$size":
        if isinstance(operand, bool) or not isinstance(operand, int) or operand < 0:
            raise FilterSyntaxError(where, f"expected an int >= 0, got {describe(operand)}")
        return operand
    assert op == "$all"
    if not isinstance(operand, (list, tuple)) or not operand:
        raise FilterSyntaxError(
            where, f"expected a non-empty list of values, got {describe(operand)}"
        )
    if len(operand) > MAX_IN_VALUES:
        raise FilterSyntaxError(where, f"$all takes at most {MAX_IN_VALUES} values")
    return tuple(
        _operand(field, item, f"{where}[{index}]", allow_null=False)
        for index, item in enumerate(operand)
    )


class _Parser:
    """The walk over one filter, reading fields from one table."""

    def __init__(self, fields: FieldTable) -> None:
        self.fields = fields

    def field_condition(
        self, field: Field, condition: object, where: str, depth: int
    ) -> FilterNode:
        if not isinstance(condition, dict):
            return FieldCond(field, "$eq", _operand(field, condition, where, allow_null=True))
        _check_depth(depth, where)
        ops = ", ".join((*FIELD_OPS, *self.fields.extra_ops))
        if not condition:
            raise FilterSyntaxError(where, f"empty operator object; expected one of {ops}, $not")
        parts: list[FilterNode] = []
        for op, operand in condition.items():
            op_where = f"{where}[{op!r}]"
            if not isinstance(op, str) or not op.startswith("$"):
                raise FilterSyntaxError(
                    where,
                    "expected an operator object like {'$gt': 1} or a plain value, "
                    f"got key {op!r} (objects are not comparable values)",
                )
            if op == "$not":
                if not isinstance(operand, dict):
                    raise FilterSyntaxError(
                        op_where,
                        f"expected an operator object like {{'$gt': 1}}, got {describe(operand)}",
                    )
                parts.append(Not(self.field_condition(field, operand, op_where, depth + 1)))
            elif op in FIELD_OPS or op in self.fields.extra_ops:
                parts.append(_operator(field, op, operand, op_where))
            elif op in LOGICAL_OPS:
                raise FilterSyntaxError(
                    where,
                    f"{op!r} combines whole filters and cannot be used inside field "
                    f"{field.name!r}; write {{'{op}': [{{'{field.name}': ...}}, ...]}}",
                )
            else:
                raise FilterSyntaxError(
                    where, f"unknown operator {op!r}; expected one of {ops}, $not"
                )
        return _all(parts)

    def filter(self, node: object, where: str, depth: int) -> FilterNode:
        _check_depth(depth, where)
        if not isinstance(node, dict):
            raise FilterSyntaxError(
                where, f"expected an object of conditions, got {describe(node)}"
            )
        parts: list[FilterNode] = []
        for key, value in node.items():
            key_where = f"{where}[{key!r}]"
            if not isinstance(key, str):
                raise FilterSyntaxError(where, f"keys must be strings, got {describe(key)}")
            if key in LOGICAL_OPS:
                if not isinstance(value, list):
                    raise FilterSyntaxError(
                        key_where, f"expected a list of filters, got {describe(value)}"
                    )
                # Empty lists are vacuous ({"$and": []} matches all) rather than errors: the
                # W&B UI sends {"$or": [{"$and": []}]} for "no filter".
                children = tuple(
                    self.filter(item, f"{key_where}[{index}]", depth + 1)
                    for index, item in enumerate(value)
                )
                parts.append(_LOGICAL_NODES[key](children))
            elif key == "$not":
                parts.append(Not(self.filter(value, key_where, depth + 1)))
            elif key in FIELD_OPS or key in self.fields.extra_ops:
                raise FilterSyntaxError(
                    where,
                    f"{key!r} compares a field and belongs inside one, "
                    f"like {{'config.lr': {{'{key}': ...}}}}",
                )
            elif key.startswith("$"):
                raise FilterSyntaxError(
                    where,
                    f"unknown operator {key!r}; expected one of "
                    f"{', '.join(LOGICAL_OPS)}, $not, or a field name",
                )
            else:
                field = resolve_field(self.fields, key, where)
                parts.append(self.field_condition(field, value, key_where, depth + 1))
        return _all(parts)
