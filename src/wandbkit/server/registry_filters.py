"""The registry search filters and orders, and a project's artifact filters, compiled to
SQLite SQL.

``organization.orgEntity.projects(filters:)``, ``artifactCollections(projectFilters:,
filters:)`` and ``artifactMemberships(projectFilters:, collectionFilters:, filters:)`` take one
Mongo-style filter per level. Each is parsed by :func:`wandbkit._lang.filters.parse` over the
level's table in :data:`wandbkit._lang.registry_fields.SERVER_LEVELS` (the client validates
with the same grammar), then compiled here over fixed table aliases: ``p`` the registry
(``projects``), ``c`` the collection (``artifact_collections``), ``m`` the membership
(``artifact_memberships``) and ``a`` the version (``artifacts``).

A collection's version filter and a project's collection filter
(:mod:`wandbkit._lang.artifact_fields`) compile the same way over their own columns
(:func:`compile_version_filter`, :func:`compile_collection_filter`).

Semantics:

* ids (``id``, ``project_id``, ``entity_id``, ``artifact_collection_id``, ``artifact_id``)
  take the integer row id or the opaque base64 id this server hands out (``UHJvamVjdDox``);
  ``version`` takes the index or ``"v3"``.
* ``tag`` and ``alias`` are sets: a bare value or ``$eq`` means "has it", ``$in`` "has any",
  ``$all`` "has every one", ``$ne``/``$nin`` "has none", ``$size`` "has that many",
  ``$regex``, ``$contains`` and ranges "some one matches".
* ``$contains`` (W&B's) is a case-sensitive substring test of a text field (or of a metadata
  string); ``$size`` and ``$all`` also apply to metadata arrays.
* ``metadata.<key>[.<key>…]`` is a path into the version's metadata; a number only matches a
  JSON number, a string a JSON string, a boolean a JSON boolean.
* Times accept ISO-8601 text or epoch seconds and compare in time order.
* A missing value never matches a comparison, and ``$ne``, ``$nin``, ``$not`` and ``$nor``
  match it, as in Mongo. Keys and operands are bound as ``?`` parameters.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone

from wandbkit._lang.artifact_fields import COLLECTION_FIELDS, VERSION_FIELDS
from wandbkit._lang.fields import Field, FieldKind, FieldTable
from wandbkit._lang.filters import And, FieldCond, FilterNode, FilterSyntaxError, Nor, Not, Or
from wandbkit._lang.filters import parse as parse_filter
from wandbkit._lang.registry_fields import (
    COLLECTION_ORDERS,
    REGISTRY_ORDERS,
    SERVER_LEVELS,
    VERSION_ORDERS,
    LevelName,
)
from wandbkit.server.run_filters import FilterError, SqlFragment, check_regex

__all__ = [
    "compile_collection_filter",
    "compile_level",
    "compile_order",
    "compile_version_filter",
]

_Convert = Callable[[object], object]
_RANGE = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}
_VERSION_NAME = re.compile(r"^v(\d+)$")


@dataclass(frozen=True)
class _Column:
    sql: str
    id_column: bool = False
    version: bool = False


#: Plain fields -> SQL, per level (the kinds are in SERVER_LEVELS).
_COLUMNS: dict[LevelName, dict[str, _Column]] = {
    "registries": {
        "id": _Column("p.id", id_column=True),
        "project_id": _Column("p.id", id_column=True),
        "name": _Column("p.name"),
        "entity_id": _Column("p.entity_id", id_column=True),
        "description": _Column("p.description"),
        "created_at": _Column("p.created_at"),
        "updated_at": _Column("p.updated_at"),
    },
    "collections": {
        "artifact_collection_id": _Column("c.pk", id_column=True),
        "name": _Column("c.name"),
        "tag": _Column("SELECT name FROM artifact_collection_tags WHERE collection_pk = c.pk"),
        "description": _Column("c.description"),
        "created_at": _Column("c.created_at"),
        "updated_at": _Column("c.updated_at"),
    },
    "versions": {
        "id": _Column("a.pk", id_column=True),
        "artifact_id": _Column("a.pk", id_column=True),
        "version": _Column("m.version_index", version=True),
        "tag": _Column("SELECT name FROM artifact_tags WHERE artifact_pk = a.pk"),
        "alias": _Column(
            "SELECT alias FROM artifact_aliases"
            " WHERE collection_pk = m.collection_pk AND artifact_pk = m.artifact_pk"
        ),
        "created_at": _Column("a.created_at"),
        "updated_at": _Column("a.updated_at"),
        "artifact_created_at": _Column("a.created_at"),
        "artifact_size": _Column("a.size"),
        "acm_created_at": _Column("m.created_at"),
    },
}
for _level, _columns in _COLUMNS.items():
    assert set(_columns) == set(SERVER_LEVELS[_level].kinds), _level

#: Orders per level: the key a client sends -> the SQL it sorts by.
_ORDERS: dict[LevelName, dict[str, str]] = {
    "registries": {key: _COLUMNS["registries"][key].sql for key in REGISTRY_ORDERS},
    "collections": {key: _COLUMNS["collections"][key].sql for key in COLLECTION_ORDERS},
    "versions": {
        **{key: _COLUMNS["versions"][sent].sql for key, sent in VERSION_ORDERS.items()},
    },
}
_DEFAULT_ORDER: dict[LevelName, str] = {
    "registries": "p.id",
    "collections": "c.pk",
    "versions": "m.pk",
}


@dataclass(frozen=True)
class OrderBy:
    """A compiled order: the SQL sort key (``None``: row order only) and the direction."""

    key: str | None
    descending: bool


def _utc(moment: datetime) -> str:
    m = moment.astimezone(timezone.utc)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond:06d}Z"
    )


def _canonical_time(column: str) -> str:
    # Stored stamps have whole seconds or fractions; a fixed width makes text order time order.
    return (
        f"(substr({column}, 1, 19) || '.' || "
        f"substr(ltrim(rtrim(substr({column}, 20), 'Z'), '.') || '000000', 1, 6) || 'Z')"
    )


def _as_id(value: object) -> object:
    """An id operand as the integer row id it names (``-1``, which no row has, for nonsense)."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else -1
    text = str(value)
    if text.isdigit():
        return int(text)
    match = _VERSION_NAME.match(text)
    if match:
        return int(match.group(1))
    try:
        decoded = base64.b64decode(text.encode("ascii"), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeError, ValueError):
        return -1
    _, sep, key = decoded.partition(":")
    return int(key) if sep and key.isdigit() else -1


@dataclass
class _Compiler:
    columns: dict[str, _Column]
    params: list[object]

    def bind(self, value: object) -> str:
        self.params.append(value)
        return "?"

    def node(self, node: FilterNode) -> str:
        if isinstance(node, FieldCond):
            return self.condition(node)
        if isinstance(node, Not):
            return f"(NOT {self.node(node.child)})"
        parts = [self.node(child) for child in node.children]
        if isinstance(node, And):
            return "(" + " AND ".join(parts) + ")" if parts else "1"
        joined = "(" + " OR ".join(parts) + ")" if parts else "0"
        assert isinstance(node, (Or, Nor))
        return joined if isinstance(node, Or) else f"(NOT {joined})"

    def condition(self, cond: FieldCond) -> str:
        field = cond.field
        if field.document is not None:
            return self.document(field, cond.op, cond.operand)
        column = self.columns[field.name]
        if cond.kind is FieldKind.TAGS:
            return self.members(column.sql, cond.op, cond.operand)
        value = column.sql
        convert = _as_id if (column.id_column or column.version) else _plain
        if cond.kind is FieldKind.TIME:
            value = _canonical_time(column.sql)
        return self.scalar(value, column.sql, cond.op, cond.operand, convert)

    def scalar(self, value: str, raw: str, op: str, operand: object, convert: _Convert) -> str:
        if op in ("$eq", "$ne"):
            test = (
                f"({value} IS NULL)"
                if operand is None
                else f"({value} IS {self.bind(convert(operand))})"
            )
            return test if op == "$eq" else f"(NOT {test})"
        if op in _RANGE:
            return f"ifnull({value} {_RANGE[op]} {self.bind(convert(operand))}, 0)"
        if op in ("$in", "$nin"):
            assert isinstance(operand, tuple)
            values = [convert(item) for item in operand if item is not None]
            listed = self.bind(json.dumps(values))
            test = f"ifnull({value} IN (SELECT value FROM json_each({listed})), 0)"
            if None in operand:
                test = f"({test} OR {value} IS NULL)"
            return test if op == "$in" else f"(NOT {test})"
        if op == "$exists":
            return f"({value} IS {'NOT ' if operand else ''}NULL)"
        if op == "$contains":
            return f"ifnull(instr({raw}, {self.bind(operand)}) > 0, 0)"
        assert op == "$regex" and isinstance(operand, str)
        return f"ifnull(REGEXP({self.bind(self.pattern(operand))}, {raw}), 0)"

    def pattern(self, pattern: str) -> str:
        check_regex(pattern)
        return pattern

    def members(self, select: str, op: str, operand: object) -> str:
        """A set-valued field: ``select`` is a subquery of its values."""
        if op in ("$eq", "$ne"):
            test = (
                f"(NOT EXISTS ({select}))"
                if operand is None
                else f"EXISTS ({select} AND {_first_column(select)} = {self.bind(operand)})"
            )
            return test if op == "$eq" else f"(NOT {test})"
        if op in ("$in", "$nin"):
            assert isinstance(operand, tuple)
            listed = self.bind(json.dumps([item for item in operand if item is not None]))
            test = (
                f"EXISTS ({select} AND {_first_column(select)}"
                f" IN (SELECT value FROM json_each({listed})))"
            )
            if None in operand:
                test = f"({test} OR NOT EXISTS ({select}))"
            return test if op == "$in" else f"(NOT {test})"
        if op == "$exists":
            return f"({'' if operand else 'NOT '}EXISTS ({select}))"
        column = _first_column(select)
        if op == "$size":
            return f"((SELECT COUNT(*) FROM ({select})) = {self.bind(operand)})"
        if op == "$all":
            assert isinstance(operand, tuple)
            listed = self.bind(json.dumps(list(operand)))
            return (
                f"NOT EXISTS (SELECT value FROM json_each({listed}) WHERE value NOT IN ({select}))"
            )
        if op == "$contains":
            return f"EXISTS ({select} AND instr({column}, {self.bind(operand)}) > 0)"
        if op in _RANGE:
            return f"EXISTS ({select} AND {column} {_RANGE[op]} {self.bind(operand)})"
        assert op == "$regex" and isinstance(operand, str)
        pattern = self.bind(self.pattern(operand))
        return f"EXISTS ({select} AND REGEXP({pattern}, {column}))"

    def document(self, field: Field, op: str, operand: object) -> str:
        # The path is a SQL string literal (quotes doubled), not a parameter: the value and
        # type expressions appear several times in one condition, each needing its own copy.
        path = "$" + "".join(f".{json.dumps(key)}" for key in field.keys)
        literal = "'" + path.replace("'", "''") + "'"
        value = f"json_extract(a.metadata, {literal})"
        kind = f"json_type(a.metadata, {literal})"
        if op == "$exists":
            return f"({kind} IS {'NOT ' if operand else ''}NULL)"
        if op in ("$eq", "$ne"):
            test = (
                f"(ifnull({kind}, 'null') = 'null')"
                if operand is None
                else self.typed(kind, value, "=", operand)
            )
            return test if op == "$eq" else f"(NOT {test})"
        if op in _RANGE:
            return self.typed(kind, value, _RANGE[op], operand)
        if op == "$contains":
            return f"ifnull({kind} = 'text' AND instr({value}, {self.bind(operand)}) > 0, 0)"
        if op == "$size":
            length = f"json_array_length(a.metadata, {literal})"
            return f"ifnull({kind} = 'array' AND {length} = {self.bind(operand)}, 0)"
        if op == "$all":
            assert isinstance(operand, tuple)
            return self.holds_all(literal, kind, operand)
        if op in ("$in", "$nin"):
            assert isinstance(operand, tuple)
            parts = [
                f"(ifnull({kind}, 'null') = 'null')"
                if item is None
                else self.typed(kind, value, "=", item)
                for item in operand
            ]
            test = "(" + " OR ".join(parts) + ")" if parts else "0"
            return test if op == "$in" else f"(NOT {test})"
        assert op == "$regex" and isinstance(operand, str)
        return f"ifnull({kind} = 'text' AND REGEXP({self.bind(self.pattern(operand))}, {value}), 0)"

    def holds_all(self, literal: str, kind: str, operand: tuple[object, ...]) -> str:
        """A metadata array holding every value (numbers equal across int and float, and a
        boolean only a boolean)."""
        listed = self.bind(json.dumps(list(operand)))
        sort = "CASE WHEN {0}.type IN ('integer', 'real') THEN 'number' ELSE {0}.type END"
        missing = (
            f"SELECT 1 FROM json_each({listed}) AS want WHERE NOT EXISTS (SELECT 1 FROM"
            f" json_each(a.metadata, {literal}) AS have WHERE have.value = want.value"
            f" AND {sort.format('have')} = {sort.format('want')})"
        )
        return f"ifnull({kind} = 'array' AND NOT EXISTS ({missing}), 0)"

    def typed(self, kind: str, value: str, sql_op: str, operand: object) -> str:
        if isinstance(operand, bool):
            if sql_op == "=":
                return f"ifnull({kind} = {self.bind('true' if operand else 'false')}, 0)"
            bound = self.bind(int(operand))
            return f"ifnull({kind} IN ('true', 'false') AND {value} {sql_op} {bound}, 0)"
        if isinstance(operand, datetime):
            operand = _utc(operand)
        guard = "= 'text'" if isinstance(operand, str) else "IN ('integer', 'real')"
        return f"ifnull({kind} {guard} AND {value} {sql_op} {self.bind(operand)}, 0)"


def _plain(value: object) -> object:
    return _utc(value) if isinstance(value, datetime) else value


def _first_column(select: str) -> str:
    # "SELECT name FROM ..." -> "name": the value column of a set-valued field's subquery.
    return select.split()[1]


def compile_level(level: LevelName, filters: object, *, argument: str) -> SqlFragment:
    """Compile one level's filter (``None``/``{}`` matches everything).

    Args:
        level: ``registries``, ``collections`` or ``versions``.
        filters: the parsed JSON filter.
        argument: the GraphQL argument it came in, for error messages.

    Raises:
        FilterError: a wrong shape, an unknown field (naming the allowed ones), a wrong operand,
            or a ``$regex`` RE2 refuses.

    Example:
        >>> compile_level("registries", {"name": "wandb-registry-model"}, argument="filters")
        SqlFragment(sql='(p.name IS ?)', params=('wandb-registry-model',))
    """
    return _compile(filters, SERVER_LEVELS[level].table, _COLUMNS[level], argument)


def _compile(
    filters: object, table: FieldTable, columns: dict[str, _Column], argument: str
) -> SqlFragment:
    try:
        tree = parse_filter(filters, table, argument=argument)
    except FilterSyntaxError as exc:
        raise FilterError(str(exc)) from None
    compiler = _Compiler(columns, [])
    return SqlFragment(compiler.node(tree), tuple(compiler.params))


_ALIASES = _COLUMNS["versions"]["alias"]
_TAGS = _COLUMNS["versions"]["tag"]
_COLLECTION_TAGS = _COLUMNS["collections"]["tag"]
#: A project's artifact filters (:mod:`wandbkit._lang.artifact_fields`) -> SQL, over ``m``
#: (the membership) and ``a`` (the version), or ``c`` (the collection).
_VERSION_COLUMNS: dict[str, _Column] = {
    "state": _Column("a.state"),
    "digest": _Column("a.digest"),
    **dict.fromkeys(("alias", "aliases", "aliases.alias"), _ALIASES),
    **dict.fromkeys(("tag", "tags", "tags.name"), _TAGS),
    "versionIndex": _Column("m.version_index", version=True),
}
_COLLECTION_COLUMNS: dict[str, _Column] = {
    "name": _Column("c.name"),
    "description": _Column("c.description"),
    **dict.fromkeys(("tag", "tags", "tags.name"), _COLLECTION_TAGS),
}
assert set(_VERSION_COLUMNS) == set(VERSION_FIELDS.kinds)
assert set(_COLLECTION_COLUMNS) == set(COLLECTION_FIELDS.kinds)


def _json_filter(filters: object) -> object:
    """A filter given as its JSON text (as GraphQL ``JSONString`` arguments may arrive)."""
    if isinstance(filters, str):
        if not filters.strip():
            return None
        try:
            return json.loads(filters)
        except ValueError:
            raise FilterError("filters must be a JSON object") from None
    return filters


def compile_version_filter(filters: object, *, argument: str = "filters") -> SqlFragment:
    """Compile a collection's version filter (``ArtifactCollection.artifacts(filters:)``).

    Raises:
        FilterError: not a filter of :data:`~wandbkit._lang.artifact_fields.VERSION_FIELDS`.

    Example:
        >>> compile_version_filter('{"versionIndex": "v2"}')
        SqlFragment(sql='(m.version_index IS ?)', params=(2,))
    """
    return _compile(_json_filter(filters), VERSION_FIELDS, _VERSION_COLUMNS, argument)


def compile_collection_filter(filters: object, *, argument: str = "filters") -> SqlFragment:
    """Compile a project's collection filter (``Project.artifactCollections(filters:)``).

    Raises:
        FilterError: not a filter of :data:`~wandbkit._lang.artifact_fields.COLLECTION_FIELDS`.
    """
    return _compile(_json_filter(filters), COLLECTION_FIELDS, _COLLECTION_COLUMNS, argument)


def compile_order(level: LevelName, order: str | None) -> OrderBy:
    """Compile an order string (``[+|-]<key>``) of a level; ``None`` is row order.

    Raises:
        FilterError: a key this level cannot be ordered by (naming the allowed ones).
    """
    text = (order or "").strip()
    if not text:
        return OrderBy(None, False)
    descending = text.startswith("-")
    key = text[1:] if text[0] in "+-" else text
    orders = _ORDERS[level]
    if key not in orders:
        raise FilterError(
            f"order: cannot order {level} by {key!r}; expected one of {', '.join(orders)}"
        )
    return OrderBy(orders[key], descending)


def default_order_column(level: LevelName) -> str:
    """The row id column a level's pages are keyed on (and ties broken by)."""
    return _DEFAULT_ORDER[level]
