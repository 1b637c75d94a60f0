"""Client-side checks of W&B's run filter and order language, before any request is sent.

``Api.runs(filters=…, order=…)`` sends the filter dict as JSON and the order string unchanged;
the server evaluates them. These checks catch what the server would reject (unknown operators and
fields, wrong shapes, operands of the wrong type, invalid regular expressions, values JSON cannot
carry) and raise :class:`~wandbkit._core.errors.UsageError` naming the argument and the place
inside it, e.g. ``filters['config.lr']: unknown operator '$gte2'; expected one of $eq, …``.

The language is the one the local server compiles in ``wandbkit.server.run_filters``: both
parse it with :func:`wandbkit._lang.filters.parse` over the runs field table, so they accept the
same filters and fail with the same messages; this module only re-raises the parser's neutral
error as :class:`~wandbkit._core.errors.UsageError`. Summary of the rules:

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

from typing import Any

from wandbkit._core.errors import UsageError
from wandbkit._lang.filters import MAX_DEPTH, FilterSyntaxError, parse
from wandbkit._lang.order import parse_order
from wandbkit._lang.run_fields import DOCUMENT_PREFIXES, FIELD_KINDS, RUN_FIELDS

__all__ = [
    "MAX_DEPTH",
    "ORDER_FIELDS",
    "RUN_FILTER_FIELDS",
    "validate_run_filters",
    "validate_run_order",
]

#: Field names a run filter accepts: the plain names, and the prefixes of JSON paths (``config.``
#: and friends, followed by dot-separated keys).
RUN_FILTER_FIELDS: frozenset[str] = frozenset(FIELD_KINDS) | {f"{p}." for p in DOCUMENT_PREFIXES}

#: Field names a run order accepts: every filter field except ``tags``.
ORDER_FIELDS: frozenset[str] = RUN_FILTER_FIELDS - {"tags"}


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
    try:
        parse(filters, RUN_FIELDS, argument=argument)
    except FilterSyntaxError as exc:
        raise UsageError(str(exc)) from None
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
    try:
        return parse_order(order, RUN_FIELDS, argument=argument).text
    except FilterSyntaxError as exc:
        raise UsageError(str(exc)) from None


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
