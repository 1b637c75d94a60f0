"""Client-side checks of W&B's run filter and order language, before any request is sent.

``Api.runs(filters=…, order=…)`` sends the filter dict as JSON and the order string unchanged;
the server evaluates them. These checks catch what the server would reject (unknown operators and
fields, wrong shapes, operands of the wrong type, invalid regular expressions, values JSON cannot
carry) and raise :class:`~wandbkit._core.errors.UsageError` naming the argument and the place
inside it, e.g. ``filters['config.lr']: unknown operator '$gte2'; expected one of $eq, …``.

The language is the one the local server compiles in ``wandbkit.server.run_filters``; this module
repeats its rules without importing the server (which needs optional dependencies), and a shared
test runs every case through both. Summary of the rules:

* Logical operators ``$and``, ``$or``, ``$nor`` (lists of filters) and ``$not`` (a filter) at
  filter level; several keys in one dict mean AND.
* Field operators ``$eq $ne $gt $gte $lt $lte $in $nin $exists $regex`` and ``$not`` (an operator
  dict) inside a field; a bare value means ``$eq``; several operators mean AND.
* Operand types by field: strings for text fields and ``tags``; ISO-8601 text or epoch seconds
  for times; numbers for ``duration``; numbers, strings or booleans in ``config.``/
  ``summary_metrics.``/``system_metrics.`` paths. ``None`` only with ``$eq``/``$ne``/``$in``/
  ``$nin``; booleans with ``$exists``; a string with ``$regex``; a list with ``$in``/``$nin``.
* Nesting at most :data:`MAX_DEPTH` levels.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from wandbkit._core.errors import UsageError
from wandbkit.filter_language import (
    DOCUMENT_PREFIXES,
    FIELD_KINDS,
    FIELD_LIST,
    FIELD_OPS,
    LOGICAL_OPS,
    MAX_DEPTH,
    ORDER_FIELD_LIST,
    RANGE_OPS,
    FieldKind,
    describe,
    is_number,
    number_problem,
    parse_time,
)

__all__ = [
    "MAX_DEPTH",
    "ORDER_FIELDS",
    "RUN_FILTER_FIELDS",
    "validate_run_filters",
    "validate_run_order",
]

_LOGICAL_OPS, _FIELD_OPS, _RANGE_OPS = LOGICAL_OPS, FIELD_OPS, RANGE_OPS
_PREFIXES = DOCUMENT_PREFIXES

#: Field names a run filter accepts: the plain names, and the prefixes of JSON paths (``config.``
#: and friends, followed by dot-separated keys).
RUN_FILTER_FIELDS: frozenset[str] = frozenset(FIELD_KINDS) | {f"{p}." for p in _PREFIXES}

#: Field names a run order accepts: every filter field except ``tags``.
ORDER_FIELDS: frozenset[str] = RUN_FILTER_FIELDS - {"tags"}


def _check_number(value: float, where: str) -> None:
    problem = number_problem(value, where)
    if problem is not None:
        raise UsageError(problem)


def _field_kind(name: str, where: str, *, for_order: bool = False) -> FieldKind:
    kind = FIELD_KINDS.get(name)
    expected = ORDER_FIELD_LIST if for_order else FIELD_LIST
    if kind is not None:
        if for_order and kind is FieldKind.TAGS:
            raise UsageError(
                f"{where}: cannot order by {name!r}, a list; expected one of {expected}"
            )
        return kind
    prefix, dot, path = name.partition(".")
    if not dot or prefix not in _PREFIXES:
        if name in _PREFIXES:
            raise UsageError(f"{where}: field {name!r} needs a key, like '{name}.<key>'")
        raise UsageError(f"{where}: unknown field {name!r}; expected one of {expected}")
    keys = path.split(".")
    if any(key == "" for key in keys):
        raise UsageError(f"{where}: field {name!r} has an empty key; write '{prefix}.a.b'")
    return FieldKind.JSON


def _check_time(value: object, where: str) -> None:
    expected = "an ISO-8601 time like '2026-11-01T12:00:00Z' or epoch seconds"
    if isinstance(value, datetime):
        # json.dumps cannot send a datetime; say how to write one.
        raise UsageError(
            f"{where}: expected {expected}, got datetime (pass value.isoformat() instead)"
        )
    if is_number(value):
        assert isinstance(value, (int, float))
        _check_number(value, where)
    try:
        moment = parse_time(value)
    except (ValueError, OverflowError) as exc:
        raise UsageError(f"{where}: {describe(value)} is not a valid time ({exc})") from None
    if moment is None:
        raise UsageError(f"{where}: expected {expected}, got {describe(value)}")


def _check_operand(
    name: str, kind: FieldKind, value: object, where: str, *, allow_null: bool
) -> None:
    if value is None:
        if allow_null:
            return
        raise UsageError(f"{where}: cannot compare {name!r} with null; use $exists")
    if kind is FieldKind.TIME:
        _check_time(value, where)
        return
    if kind is FieldKind.DURATION:
        if not is_number(value):
            raise UsageError(f"{where}: expected a number of seconds, got {describe(value)}")
    elif kind in (FieldKind.TEXT, FieldKind.TAGS):
        if not isinstance(value, str):
            raise UsageError(f"{where}: expected a string, got {describe(value)}")
    elif not (isinstance(value, (str, bool)) or is_number(value)):
        hint = " (use $in to match any of several values)" if isinstance(value, list) else ""
        raise UsageError(
            f"{where}: expected a number, string, boolean or null, got {describe(value)}{hint}"
        )
    if is_number(value):
        assert isinstance(value, (int, float))
        _check_number(value, where)


def _check_operator(name: str, kind: FieldKind, op: str, operand: object, where: str) -> None:
    if op in ("$eq", "$ne"):
        _check_operand(name, kind, operand, where, allow_null=True)
    elif op in _RANGE_OPS:
        _check_operand(name, kind, operand, where, allow_null=False)
    elif op in ("$in", "$nin"):
        # A tuple serializes as a JSON list too; sets and other iterables do not.
        if not isinstance(operand, (list, tuple)):
            raise UsageError(f"{where}: expected a list of values, got {describe(operand)}")
        for index, item in enumerate(operand):
            _check_operand(name, kind, item, f"{where}[{index}]", allow_null=True)
    elif op == "$exists":
        if not isinstance(operand, bool):
            raise UsageError(f"{where}: expected true or false, got {describe(operand)}")
    else:
        if kind is FieldKind.DURATION:
            raise UsageError(f"{where}: $regex needs a string field; {name!r} is a number")
        if not isinstance(operand, str):
            raise UsageError(
                f"{where}: expected a regular expression string, got {describe(operand)}"
            )
        try:
            re.compile(operand)
        except re.error as exc:
            raise UsageError(f"{where}: invalid regular expression {operand!r}: {exc}") from None


def _check_depth(depth: int, where: str) -> None:
    if depth > MAX_DEPTH:
        raise UsageError(f"{where}: filter is nested deeper than {MAX_DEPTH} levels")


def _check_field_condition(
    name: str, kind: FieldKind, condition: object, where: str, depth: int
) -> None:
    if not isinstance(condition, dict):
        _check_operand(name, kind, condition, where, allow_null=True)
        return
    _check_depth(depth, where)
    if not condition:
        raise UsageError(
            f"{where}: empty operator object; expected one of {', '.join(_FIELD_OPS)}, $not"
        )
    for op, operand in condition.items():
        op_where = f"{where}[{op!r}]"
        if not isinstance(op, str) or not op.startswith("$"):
            raise UsageError(
                f"{where}: expected an operator object like {{'$gt': 1}} or a plain value, "
                f"got key {op!r} (objects are not comparable values)"
            )
        if op == "$not":
            if not isinstance(operand, dict):
                raise UsageError(
                    f"{op_where}: expected an operator object like {{'$gt': 1}}, "
                    f"got {describe(operand)}"
                )
            _check_field_condition(name, kind, operand, op_where, depth + 1)
        elif op in _FIELD_OPS:
            _check_operator(name, kind, op, operand, op_where)
        elif op in _LOGICAL_OPS:
            raise UsageError(
                f"{where}: {op!r} combines whole filters and cannot be used inside field "
                f"{name!r}; write {{'{op}': [{{'{name}': ...}}, ...]}}"
            )
        else:
            raise UsageError(
                f"{where}: unknown operator {op!r}; expected one of {', '.join(_FIELD_OPS)}, $not"
            )


def _check_filter(node: object, where: str, depth: int) -> None:
    _check_depth(depth, where)
    if not isinstance(node, dict):
        raise UsageError(f"{where}: expected an object of conditions, got {describe(node)}")
    for key, value in node.items():
        key_where = f"{where}[{key!r}]"
        if not isinstance(key, str):
            raise UsageError(f"{where}: keys must be strings, got {describe(key)}")
        if key in _LOGICAL_OPS:
            if not isinstance(value, list):
                raise UsageError(f"{key_where}: expected a list of filters, got {describe(value)}")
            for index, item in enumerate(value):
                _check_filter(item, f"{key_where}[{index}]", depth + 1)
        elif key == "$not":
            _check_filter(value, key_where, depth + 1)
        elif key in _FIELD_OPS:
            raise UsageError(
                f"{where}: {key!r} compares a field and belongs inside one, "
                f"like {{'config.lr': {{'{key}': ...}}}}"
            )
        elif key.startswith("$"):
            raise UsageError(
                f"{where}: unknown operator {key!r}; expected one of "
                f"{', '.join(_LOGICAL_OPS)}, $not, or a field name"
            )
        else:
            kind = _field_kind(key, where)
            _check_field_condition(key, kind, value, key_where, depth + 1)


def validate_run_filters(filters: object, *, argument: str = "filters") -> dict[str, Any] | None:
    """Check a run filter before it is sent, and return it unchanged.

    Args:
        filters: a Mongo-style dict such as ``{"state": "finished", "config.lr": {"$gt": 0.01}}``,
            or ``None``.
        argument: the parameter name used in error messages.

    Returns:
        ``filters`` itself (the same object), or ``None`` for ``None`` and ``{}``.

    Raises:
        UsageError: the filter is not a dict, uses an unknown operator or field, has a wrong
            shape or an operand of the wrong type, holds a value JSON cannot carry (NaN,
            infinity, sets, arbitrary objects), an invalid ``$regex``, or nests deeper than
            :data:`MAX_DEPTH`. The message names the place, e.g. ``filters['config.lr']['$in']``.

    Example:
        >>> validate_run_filters({"config.lr": {"$gt": 0.001, "$lt": 0.1}})
        {'config.lr': {'$gt': 0.001, '$lt': 0.1}}
        >>> validate_run_filters({"state": {"$gte2": "x"}})
        Traceback (most recent call last):
        ...
        wandbkit._core.errors.UsageError: filters['state']: unknown operator '$gte2'; ...
    """
    if filters is None:
        return None
    _check_filter(filters, argument, 1)
    assert isinstance(filters, dict)
    return filters or None


def validate_run_order(order: object, *, argument: str = "order") -> str:
    """Check a run order string before it is sent.

    The form is ``[+|-]<field>``: ``+`` or no sign is ascending, ``-`` descending; the field is
    any of :data:`ORDER_FIELDS` (``created_at``, ``summary_metrics.loss``, ``config.lr``, …).

    Args:
        order: the order string, or ``None``/``""`` for the default.
        argument: the parameter name used in error messages.

    Returns:
        ``order`` without surrounding whitespace, as given otherwise (the official client sends
        it unchanged); ``"+created_at"`` for ``None`` and empty strings.

    Raises:
        UsageError: not a string, no field, or an unknown field.

    Example:
        >>> validate_run_order("-summary_metrics.loss")
        '-summary_metrics.loss'
        >>> validate_run_order(None)
        '+created_at'
    """
    if order is not None and not isinstance(order, str):
        raise UsageError(f"{argument}: expected a string like '-created_at', got {describe(order)}")
    text = (order or "").strip()
    if not text:
        return "+created_at"
    name = text[1:] if text[0] in "+-" else text
    if not name:
        raise UsageError(
            f"{argument}: {order!r} names no field; expected one of {ORDER_FIELD_LIST}"
        )
    if "\x00" in name:
        raise UsageError(f"{argument}: field name contains a NUL character")
    _field_kind(name, argument, for_order=True)
    return text


def runs_named(names: list[str]) -> dict[str, Any]:
    """The filter that selects runs by their id (``name`` in W&B's filter language).

    Args:
        names: run ids, e.g. ``["a1b2c3d4", "e5f6g7h8"]``.

    Returns:
        ``{"name": {"$in": names}}``, a filter the ``JSONString`` scalar serializes as it is sent.

    Example:
        >>> runs_named(["a1b2c3d4"])
        {'name': {'$in': ['a1b2c3d4']}}
    """
    return {"name": {"$in": list(names)}}
