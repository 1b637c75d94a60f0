"""Mongo-style filter expressions for automation events, kept in their JSON form.

``RunEvent.name.contains("x")`` and ``ArtifactEvent.alias.eq("prod")`` build a
:class:`FilterExpr`; ``&``, ``|`` and ``~`` combine them. The server reads these filters as
JSON, so an expression *is* its JSON value: two expressions are equal when their JSON is.

The shapes follow the official ``wandb._filters`` exactly, because the W&B frontend and
backend expect them: a run filter is wrapped as ``{"$and": [...]}`` and an artifact-event
filter as ``{"$or": [{"$and": [...]}]}``, after the same simplification (nested ``$and`` /
``$or`` flattened, single children unnested, ``$not`` pushed into the operators that have an
inverse). Bare values mean ``$eq`` and several keys in one dict mean ``$and``, as in Mongo.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from wandbkit._core.errors import UsageError
from wandbkit._html import Explorable

__all__ = [
    "FilterExpr",
    "FilterableField",
    "as_filter_json",
    "wrap_mutation_filter",
    "wrap_run_filter",
]

_LOGICAL = ("$and", "$or", "$nor")
_SCALAR_OPS = ("$lt", "$gt", "$lte", "$gte")
_KNOWN_OPS = frozenset(
    {*_LOGICAL, "$not", *_SCALAR_OPS, "$eq", "$ne", "$in", "$nin", "$exists", "$regex",
     "$contains", "$size", "$all"}
)  # fmt: skip
# Operators whose negation is another operator (official ``simplify_expr`` of ``$not``).
_INVERSE = {
    "$or": "$nor", "$nor": "$or", "$in": "$nin", "$nin": "$in", "$eq": "$ne", "$ne": "$eq",
    "$lt": "$gte", "$gte": "$lt", "$gt": "$lte", "$lte": "$gt",
}  # fmt: skip

Json = dict[str, Any]


def _op_key(value: object) -> str | None:
    """The operator of a one-key operator dict (``{"$and": [...]}``), else None."""
    if isinstance(value, dict) and len(value) == 1:
        (key,) = value
        if key in _KNOWN_OPS:
            return str(key)
    return None


def _child(value: Any) -> Any:
    """Normalise an operand of a logical operator as the official ``parse_filter`` does."""
    if not isinstance(value, dict):
        return value
    items = list(value.items())
    if not items:
        return value
    if len(items) == 1:
        key, operand = items[0]
        if key in _LOGICAL:
            return {key: [_child(x) for x in operand]} if isinstance(operand, list) else value
        if key == "$not":
            return {key: _child(operand)}
        if key.startswith("$") or isinstance(operand, dict):
            return value
        return {key: {"$eq": operand}}
    return {"$and": [_child({k: v}) for k, v in items]}


def _top(value: Mapping[str, Any]) -> Json:
    """Normalise a filter given at the top level (official: ``Op | FilterExpr | dict``)."""
    raw = copy.deepcopy(dict(value))
    key = _op_key(raw)
    if key in _LOGICAL or key == "$not":
        return dict(_child(raw))
    return raw


def _flatten(node: Json, key: str) -> Iterator[Any]:
    for child in node[key]:
        if _op_key(child) == key:
            yield from _flatten(child, key)
        else:
            yield child


def _invert(node: Json) -> Any:
    key = _op_key(node)
    operand = node[key] if key else None
    if key == "$not":
        return operand
    if key == "$exists":
        return {"$exists": not operand}
    if key in _INVERSE:
        return {_INVERSE[key]: operand}
    return {"$not": node}


def simplify(node: Any) -> Any:
    """Flatten and unnest redundant operators (official ``wandb._filters.simplify_expr``)."""
    key = _op_key(node)
    if key in _LOGICAL and isinstance(node[key], list):
        children = [simplify(x) for x in _flatten(node, key)]
        return children[0] if len(children) == 1 else {key: children}
    if key == "$not":
        inner = node["$not"]
        inner_key = _op_key(inner)
        if inner_key == "$not" or inner_key == "$exists" or inner_key in _INVERSE:
            return simplify(_invert(inner))
        return {"$not": simplify(inner)}
    return node


def _wrap(node: Any, key: str) -> Json:
    return dict(node) if _op_key(node) == key else {key: [_child(node)]}


def wrap_run_filter(value: Any) -> Json:
    """A run filter as the server expects it: ``{"$and": [...]}`` (empty: ``{"$and": []}``)."""
    return _wrap(simplify(as_filter_json(value, "filter")), "$and")


def wrap_mutation_filter(value: Any) -> Json:
    """An artifact-event filter as the frontend expects it: ``{"$or": [{"$and": [...]}]}``."""
    return _wrap(_wrap(simplify(as_filter_json(value, "filter")), "$and"), "$or")


def as_filter_json(value: Any, where: str) -> Json:
    """The JSON of a filter given as a :class:`FilterExpr`, a dict, JSON text or None.

    Raises:
        UsageError: anything else, naming ``where``.
    """
    if value is None:
        return {"$and": []}
    if isinstance(value, FilterExpr):
        return value.to_json()
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError as exc:
            raise UsageError(f"{where}: not valid JSON ({exc})") from None
    if isinstance(value, Mapping):
        if not all(isinstance(k, str) for k in value):
            raise UsageError(f"{where}: filter keys must be strings")
        return _top(value)
    raise UsageError(
        f"{where} must be a filter expression (e.g. ArtifactEvent.alias.eq('prod')) or a "
        f"Mongo-style dict, got {type(value).__name__}"
    )


class FilterExpr(Explorable):
    """A Mongo-style filter expression (its JSON form); combine with ``&``, ``|`` and ``~``.

    Args:
        raw: the expression's JSON, e.g. ``{"display_name": {"$contains": "x"}}``.
    """

    __slots__ = ("_raw",)

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self._raw: Json = _top(raw)

    def to_json(self) -> Json:
        """A copy of the expression's JSON value."""
        return copy.deepcopy(self._raw)

    def __and__(self, other: object) -> Any:
        if isinstance(other, FilterExpr):
            return FilterExpr({"$and": [self._raw, other._raw]})
        return NotImplemented

    def __or__(self, other: object) -> FilterExpr:
        if isinstance(other, FilterExpr):
            return FilterExpr({"$or": [self._raw, other._raw]})
        return NotImplemented

    def __invert__(self) -> FilterExpr:
        return FilterExpr({"$not": self._raw})

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FilterExpr):
            return self._raw == other._raw
        return NotImplemented

    def __hash__(self) -> int:
        return hash(json.dumps(self._raw, sort_keys=True, default=str))

    def __repr__(self) -> str:
        return f"FilterExpr({self._raw!r})"


def filter_text(value: object, limit: int = 80) -> str:
    """A filter as a short text: a metric or state condition as written (``val_acc > 0.9``),
    a Mongo expression as its JSON, cut at ``limit`` characters."""
    if isinstance(value, FilterExpr):
        text = json.dumps(value.to_json(), default=str, separators=(",", ":"))
    elif hasattr(value, "_short_text"):
        text = value._short_text()
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _scalar(value: object, where: str) -> object:
    if isinstance(value, (str, int, float, bool)):
        return value
    raise UsageError(f"{where}: expected a string, number or boolean, got {type(value).__name__}")


def _scalars(values: Iterable[object] | object, where: str) -> list[object]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise UsageError(f"{where}: expected a list of values, got {type(values).__name__}")
    return [_scalar(v, where) for v in values]


class FilterableField(Explorable):
    """A field of an event that filters can test (``RunEvent.name``, ``ArtifactEvent.alias``).

    Args:
        server_name: the field's name on the server, when it differs from the attribute's
            (``RunEvent.name`` filters on ``display_name``).
    """

    def __init__(self, server_name: str | None = None) -> None:
        self._server_name = server_name
        self._python_name = server_name or ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._python_name = name

    @property
    def _name(self) -> str:
        return self._server_name or self._python_name

    def __str__(self) -> str:
        return self._name

    def __repr__(self) -> str:
        return f"FilterableField({self._name!r})"

    def _expr(self, op: str, operand: object) -> FilterExpr:
        return FilterExpr({self._name: {op: operand}})

    def matches_regex(self, pattern: str, /) -> FilterExpr:
        """``field`` matches the regular expression ``pattern``."""
        if not isinstance(pattern, str):
            raise UsageError(f"{self._name}.matches_regex: pattern must be a string")
        return self._expr("$regex", pattern)

    def contains(self, text: str, /) -> FilterExpr:
        """``field`` contains the substring ``text``."""
        if not isinstance(text, str):
            raise UsageError(f"{self._name}.contains: text must be a string")
        return self._expr("$contains", text)

    def exists(self, exists: bool = True, /) -> FilterExpr:
        """``field`` is set (or, with ``False``, is not)."""
        if not isinstance(exists, bool):
            raise UsageError(f"{self._name}.exists: expected a bool")
        return self._expr("$exists", exists)

    def lt(self, value: object, /) -> FilterExpr:
        """``field < value``."""
        return self._expr("$lt", _scalar(value, f"{self._name}.lt"))

    def gt(self, value: object, /) -> FilterExpr:
        """``field > value``."""
        return self._expr("$gt", _scalar(value, f"{self._name}.gt"))

    def lte(self, value: object, /) -> FilterExpr:
        """``field <= value``."""
        return self._expr("$lte", _scalar(value, f"{self._name}.lte"))

    def gte(self, value: object, /) -> FilterExpr:
        """``field >= value``."""
        return self._expr("$gte", _scalar(value, f"{self._name}.gte"))

    def eq(self, value: object, /) -> FilterExpr:
        """``field == value`` (a list compares as a whole)."""
        if isinstance(value, (list, tuple)):
            return self._expr("$eq", _scalars(value, f"{self._name}.eq"))
        return self._expr("$eq", _scalar(value, f"{self._name}.eq"))

    def ne(self, value: object, /) -> FilterExpr:
        """``field != value``."""
        if isinstance(value, (list, tuple)):
            return self._expr("$ne", _scalars(value, f"{self._name}.ne"))
        return self._expr("$ne", _scalar(value, f"{self._name}.ne"))

    def in_(self, values: Iterable[object], /) -> FilterExpr:
        """``field`` is one of ``values``."""
        return self._expr("$in", _scalars(values, f"{self._name}.in_"))

    def not_in(self, values: Iterable[object], /) -> FilterExpr:
        """``field`` is none of ``values``."""
        return self._expr("$nin", _scalars(values, f"{self._name}.not_in"))

    def __lt__(self, other: object) -> FilterExpr:
        return self.lt(other)

    def __gt__(self, other: object) -> FilterExpr:
        return self.gt(other)

    def __le__(self, other: object) -> FilterExpr:
        return self.lte(other)

    def __ge__(self, other: object) -> FilterExpr:
        return self.gte(other)

    def __eq__(self, other: object) -> FilterExpr:  # type: ignore[override]
        return self.eq(other)

    def __ne__(self, other: object) -> FilterExpr:  # type: ignore[override]
        return self.ne(other)

    __hash__ = object.__hash__
