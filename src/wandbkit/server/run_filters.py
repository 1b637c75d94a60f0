"""W&B's run filter and order language, compiled to SQLite SQL over the ``runs`` table.

Filters and orders are parsed by :mod:`wandbkit._lang` (the grammar the client validates with,
so both accept the same input and word errors alike); this module compiles the parsed tree and
re-raises the parser's error as :class:`FilterError`.

``Api.runs(filters=…, order=…)`` sends a Mongo-style dict (as a JSON string) and an order string
such as ``-summary_metrics.loss``; ``project.runs`` and ``project.runCount`` evaluate them here.
Everything is evaluated inside SQLite with the JSON1 functions, so paging and counting stay one
query. The SQL expects the ``runs`` table aliased ``r`` and ``users`` LEFT JOINed as ``u``; the
connection must have had :func:`register_sql_functions` called on it (for ``$regex``).

Semantics, where W&B or Mongo leave room for choice:

* **Types bracket comparisons** (as in Mongo): in ``config``/``summary_metrics``/
  ``system_metrics``, a number operand only matches JSON numbers, a string only JSON strings and a
  boolean only JSON booleans. So ``{"config.flag": True}`` does not match ``1``, and
  ``{"summary_metrics.x": {"$gt": 5}}`` does not match the string ``"abc"`` (bare SQLite would
  say ``'abc' > 5``). Columns have one type each, and an operand of the wrong type for a column
  (``{"state": 1}``) is a :class:`FilterError` rather than a silent non-match.
* **Missing keys** (Mongo): ``$eq: None`` matches a missing key or a JSON null; ``$ne``, ``$nin``,
  ``$not`` and ``$nor`` match rows where the key is missing; ``$exists`` tests presence (a JSON
  null is present). Range operators never match a missing key, and take no ``None`` operand.
* **Tags** are a set: ``$eq``/bare value means "has this tag", ``$in`` "has any of",
  ``$nin``/``$ne`` "has none of"/"does not have", range operators and ``$regex`` "some tag
  matches"; ``None`` (and ``$exists: False``) means "has no tags", as sent by the official
  ``QueryGenerator`` (``{"tags": None}``).
* **Times** (``createdAt``, ``updatedAt``, ``heartbeatAt``) accept ISO-8601 text with or without
  a zone (naive means UTC) and numbers as epoch seconds; both sides are compared in the fixed
  ``YYYY-MM-DDTHH:MM:SS.ffffffZ`` form, so stored values with fewer fraction digits (the store's
  other tables write whole seconds) still compare in time order. ``$regex`` sees the stored text.
* **duration** is ``heartbeat_at - created_at`` in seconds, to the millisecond (SQLite's
  ``julianday`` resolution); a run without a heartbeat has no duration.
* **Paths**: dots separate keys (W&B's convention), so a key containing a dot cannot be named.
  ``config.a`` and ``config.a.value`` both mean the unwrapped value ``config["a"]["value"]``, and
  ``config.a.b`` means ``config["a"]["value"]["b"]``. In filters, keys and operands are bound as
  ``?`` parameters, never spliced into the SQL text; ``ORDER BY`` terms have no parameters, so
  there keys become SQL string literals with quotes doubled. Keys that are not printable ASCII
  (or hold ``"`` or ``\\``) are looked up with ``json_each`` instead of a JSON path, which older
  SQLite versions would compare against the escaped JSON text.
* **$in/$nin** send their list as one JSON-array parameter (read with ``json_each``), so a long
  list never hits SQLite's limit on bound variables.
* **$regex** is evaluated with RE2 (the ``google-re2`` package), W&B's own engine: matching
  takes time linear in the text, so no pattern (``^(a+)+$`` and its kin) can stall the server.
  A pattern RE2 refuses (backreferences, lookaround) or one past
  :data:`MAX_REGEX_LENGTH` characters fails at compile time.
* **Order**: missing and null values sort last in both directions, and ``r.pk`` breaks ties so
  pages are stable; JSON booleans sort as 0/1 among numbers, and numbers before strings.
"""

from __future__ import annotations

import functools
import json
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Protocol

import re2  # type: ignore[import-untyped]

from wandbkit._lang.fields import Field, FieldKind
from wandbkit._lang.filters import (
    MAX_DEPTH,
    And,
    FieldCond,
    FilterNode,
    FilterSyntaxError,
    Nor,
    Not,
    Or,
    parse,
)
from wandbkit._lang.order import parse_order
from wandbkit._lang.run_fields import DOCUMENT_PREFIXES, FIELD_KINDS, RUN_FIELDS
from wandbkit._lang.values import is_number

__all__ = [
    "MAX_DEPTH",
    "FilterError",
    "OrderTerm",
    "SqlFragment",
    "compile_run_filters",
    "compile_run_order",
    "register_sql_functions",
]

_RANGE_SQL = {"$gt": ">", "$gte": ">=", "$lt": "<", "$lte": "<="}


class FilterError(ValueError):
    """A filter or order the server cannot evaluate; message says which part and why."""


@dataclass(frozen=True)
class SqlFragment:
    """A boolean SQL expression and its ``?`` parameters, in order.

    The expression is self-contained (parenthesized when compound), so it can be embedded as
    ``WHERE r.project_pk = ? AND <sql>``.
    """

    sql: str
    params: tuple[object, ...]


@dataclass(frozen=True)
class OrderTerm:
    """One ``ORDER BY`` item: a single SQL expression (no parameters) and its direction."""

    sql: str
    descending: bool


# -- small SQL builder -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Q:
    """SQL text and the parameters its ``?`` placeholders take, in order."""

    sql: str
    params: tuple[object, ...] = ()


def _fmt(template: str, *parts: _Q) -> _Q:
    # Templates are constants of this module; only _Q parts (whose params follow in placeholder
    # order) are substituted, so user text never becomes SQL.
    params: tuple[object, ...] = ()
    for part in parts:
        params += part.params
    return _Q(template.format(*(part.sql for part in parts)), params)


def _param(value: object) -> _Q:
    return _Q("?", (value,))


def _literal(text: str) -> _Q:
    # For ORDER BY, which has no parameters: SQLite string literals only escape by doubling
    # quotes (no backslash escapes), and a NUL was already rejected by the caller.
    return _Q("'" + text.replace("'", "''") + "'")


_TRUE = _Q("1")
_FALSE = _Q("0")


def _not(inner: _Q) -> _Q:
    return _fmt("(NOT {})", inner)


def _join(parts: list[_Q], word: str, empty: _Q) -> _Q:
    if not parts:
        return empty
    if len(parts) == 1:
        return parts[0]
    return _fmt("(" + f" {word} ".join("{}" for _ in parts) + ")", *parts)


def _two_valued(inner: _Q) -> _Q:
    # A comparison with NULL is NULL, and NOT NULL is NULL too: forcing 0 makes $not, $ne and
    # $nor match rows where the value is missing, as in Mongo.
    return _fmt("ifnull({}, 0)", inner)


# -- fields ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Column:
    sql: str
    nullable: bool


# Each plain field of the runs table (kinds in wandbkit._lang.run_fields) -> its SQL.
_COLUMNS: dict[str, _Column] = {
    "name": _Column("r.name", False),
    "displayName": _Column("r.display_name", True),
    "display_name": _Column("r.display_name", True),
    "state": _Column("r.state", False),
    "tags": _Column("r.tags", False),
    "createdAt": _Column("r.created_at", False),
    "created_at": _Column("r.created_at", False),
    "updatedAt": _Column("r.updated_at", False),
    "updated_at": _Column("r.updated_at", False),
    "heartbeatAt": _Column("r.heartbeat_at", True),
    "heartbeat_at": _Column("r.heartbeat_at", True),
    "duration": _Column("r.heartbeat_at", True),
    "group": _Column("r.group_name", True),
    "jobType": _Column("r.job_type", True),
    "job_type": _Column("r.job_type", True),
    "host": _Column("r.host", True),
    "username": _Column("u.username", True),
    "sweep": _Column("r.sweep_name", True),
    "notes": _Column("r.notes", True),
    "description": _Column("r.description", True),
}
assert set(_COLUMNS) == set(FIELD_KINDS), "every field of the language needs its SQL"

# JSON documents addressed by "<prefix>.<path>"; config values are wrapped as {"value": …}.
_DOCUMENTS: dict[str, str] = {
    "config": "r.config",
    "summary_metrics": "r.summary",
    "summaryMetrics": "r.summary",
    "summary": "r.summary",
    "system_metrics": "r.system_metrics",
}
assert tuple(_DOCUMENTS) == DOCUMENT_PREFIXES


@dataclass(frozen=True)
class _Field:
    """A resolved field: its value expression, and for JSON fields its ``json_type``."""

    name: str
    kind: FieldKind
    value: _Q
    raw: _Q  # the stored text (times), or the value itself
    json_type: _Q | None = None
    nullable: bool = True


def _canonical_time(column: str) -> str:
    # 'YYYY-MM-DDTHH:MM:SS[.f…]Z' -> 'YYYY-MM-DDTHH:MM:SS.ffffffZ': fixed width, so text order is
    # time order even if some rows were written with whole seconds or milliseconds.
    return (
        f"(substr({column}, 1, 19) || '.' || "
        f"substr(ltrim(rtrim(substr({column}, 20), 'Z'), '.') || '000000', 1, 6) || 'Z')"
    )


def _duration_sql() -> str:
    # julianday() resolves milliseconds; rounding removes the float noise of the subtraction.
    return "round((julianday(r.heartbeat_at) - julianday(r.created_at)) * 86400.0, 3)"


def _is_plain_key(key: str) -> bool:
    # Old SQLite (< 3.45) compares a quoted path label with the key's raw JSON text, so only keys
    # whose JSON text equals the key itself (printable ASCII, no quote or backslash) can be
    # addressed by a path on every version; other keys are found through json_each.
    return all(" " <= ch <= "~" and ch not in '"\\' for ch in key)


def _json_access(document: str, keys: list[str], *, inline: bool) -> tuple[_Q, _Q]:
    """Value and ``json_type`` expressions for ``document[k1][k2]…``."""
    text = _literal if inline else _param
    if all(_is_plain_key(key) for key in keys):
        path = text("$" + "".join(f'."{key}"' for key in keys))
        return (
            _fmt(f"json_extract({document}, {{}})", path),
            _fmt(f"json_type({document}, {{}})", path),
        )
    sources = [f"json_each({document}) AS _j1"]
    sources += [
        f"json_each(CASE WHEN _j{i - 1}.type = 'object' THEN _j{i - 1}.value END) AS _j{i}"
        for i in range(2, len(keys) + 1)
    ]
    where = " AND ".join(f"_j{i}.key = {{}}" for i in range(1, len(keys) + 1))
    key_parts = [text(key) for key in keys]
    last = f"_j{len(keys)}"
    tail = f" FROM {', '.join(sources)} WHERE {where})"
    return (
        _fmt(f"(SELECT {last}.value" + tail, *key_parts),
        _fmt(f"(SELECT {last}.type" + tail, *key_parts),
    )


def _sql_field(field: Field, *, inline: bool) -> _Field:
    """The SQL for a field the parser resolved; ``inline`` puts keys in the text (ORDER BY)."""
    if field.document is None:
        column = _COLUMNS[field.name]
        if field.kind is FieldKind.TIME:
            value = _Q(_canonical_time(column.sql))
            return _Field(field.name, field.kind, value, _Q(column.sql), nullable=column.nullable)
        if field.kind is FieldKind.DURATION:
            value = _Q(_duration_sql())
            return _Field(field.name, field.kind, value, value, nullable=True)
        value = _Q(column.sql)
        return _Field(field.name, field.kind, value, value, nullable=column.nullable)
    keys = list(field.keys)
    if field.document == "config":
        # "config.a.value.b" names the same value as "config.a.b": the wrapper is implicit.
        if len(keys) > 1 and keys[1] == "value":
            del keys[1]
        keys.insert(1, "value")
    value, json_type = _json_access(_DOCUMENTS[field.document], keys, inline=inline)
    return _Field(field.name, FieldKind.JSON, value, value, json_type=json_type)


# -- operands --------------------------------------------------------------------------------


def _format_utc(moment: datetime) -> str:
    # By hand: strftime('%Y') does not zero-pad years before 1000 on every platform.
    m = moment.astimezone(timezone.utc)
    return (
        f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
        f".{m.microsecond:06d}Z"
    )


def _sql_value(value: object) -> object:
    """A checked operand as SQL compares it: times in the fixed-width UTC form."""
    return _format_utc(value) if isinstance(value, datetime) else value


# -- predicates ------------------------------------------------------------------------------


def _json_guard(field: _Field, operand: object) -> _Q:
    """Type bracketing: a JSON value only compares with an operand of the same JSON type."""
    assert field.json_type is not None
    if isinstance(operand, bool):
        return _fmt("{} IN ('true', 'false')", field.json_type)
    if isinstance(operand, str):
        return _fmt("{} = 'text'", field.json_type)
    return _fmt("{} IN ('integer', 'real')", field.json_type)


def _is_null(field: _Field) -> _Q:
    if field.kind is FieldKind.JSON:
        assert field.json_type is not None
        return _fmt("(ifnull({}, 'null') = 'null')", field.json_type)
    if field.kind is FieldKind.TAGS:
        return _fmt("(ifnull(json_array_length({}), 0) = 0)", field.value)
    return _fmt("({} IS NULL)", field.value)


def _compare(field: _Field, sql_op: str, operand: object) -> _Q:
    """``field <op> operand`` for a non-null operand, never NULL."""
    if field.kind is FieldKind.TAGS:
        return _fmt(
            f"EXISTS (SELECT 1 FROM json_each({{}}) AS _tag WHERE _tag.value {sql_op} {{}})",
            field.value,
            _param(operand),
        )
    if field.kind is FieldKind.JSON:
        if sql_op == "=" and isinstance(operand, bool):
            assert field.json_type is not None
            return _fmt("ifnull({} = {}, 0)", field.json_type, _literal(json.dumps(operand)))
        guard = _json_guard(field, operand)
        return _two_valued(
            _fmt(f"({{}} AND {{}} {sql_op} {{}})", guard, field.value, _param(operand))
        )
    if sql_op == "=":
        # IS is never NULL and, unlike ifnull(x = ?, 0), lets SQLite use an index on a column.
        return _fmt("({} IS {})", field.value, _param(operand))
    return _two_valued(_fmt(f"{{}} {sql_op} {{}}", field.value, _param(operand)))


def _member_of(field: _Field, operands: list[object]) -> _Q:
    """``field IN operands`` (operands already checked), never NULL."""
    parts: list[_Q] = []
    if any(value is None for value in operands):
        parts.append(_is_null(field))
    values = [value for value in operands if value is not None]
    if field.kind is FieldKind.JSON:
        assert field.json_type is not None
        bools = sorted({json.dumps(value) for value in values if isinstance(value, bool)})
        if bools:
            names = ", ".join(f"'{name}'" for name in bools)  # only 'true' and 'false'
            parts.append(_two_valued(_fmt(f"{{}} IN ({names})", field.json_type)))
        texts = [value for value in values if isinstance(value, str)]
        numbers = [value for value in values if is_number(value)]
        for group, types in ((texts, "'text'"), (numbers, "'integer', 'real'")):
            if group:
                parts.append(
                    _two_valued(
                        _fmt(
                            f"({{}} IN ({types}) AND {{}} IN (SELECT value FROM json_each({{}})))",
                            field.json_type,
                            field.value,
                            _param(json.dumps(group)),
                        )
                    )
                )
    elif values:
        # One JSON-array parameter however long the list: no limit on bound variables.
        listed = _param(json.dumps(values))
        if field.kind is FieldKind.TAGS:
            parts.append(
                _fmt(
                    "EXISTS (SELECT 1 FROM json_each({}) AS _tag "
                    "WHERE _tag.value IN (SELECT value FROM json_each({})))",
                    field.value,
                    listed,
                )
            )
        else:
            member = _fmt("{} IN (SELECT value FROM json_each({}))", field.value, listed)
            # A NOT NULL column needs no ifnull(), and without it SQLite looks names up in the
            # (project, name) index instead of testing every run of the project.
            parts.append(_two_valued(member) if field.nullable else member)
    return _join(parts, "OR", _FALSE)


def _exists(field: _Field, present: bool) -> _Q:
    if field.kind is FieldKind.JSON:
        assert field.json_type is not None
        return _fmt("({} IS NOT NULL)" if present else "({} IS NULL)", field.json_type)
    if field.kind is FieldKind.TAGS:
        absent = _is_null(field)
        return _not(absent) if present else absent
    return _fmt("({} IS NOT NULL)" if present else "({} IS NULL)", field.value)


def _regex(field: _Field, pattern: str) -> _Q:
    if field.kind is FieldKind.TAGS:
        return _fmt(
            "EXISTS (SELECT 1 FROM json_each({}) AS _tag WHERE REGEXP({}, _tag.value))",
            field.value,
            _param(pattern),
        )
    if field.kind is FieldKind.JSON:
        assert field.json_type is not None
        return _two_valued(
            _fmt("({} = 'text' AND REGEXP({}, {}))", field.json_type, _param(pattern), field.raw)
        )
    return _two_valued(_fmt("REGEXP({}, {})", _param(pattern), field.raw))


def _equals(field: _Field, operand: object) -> _Q:
    return _is_null(field) if operand is None else _compare(field, "=", _sql_value(operand))


def _condition(cond: FieldCond) -> _Q:
    """The SQL for one parsed field condition (its operand already checked by the parser)."""
    field = _sql_field(cond.field, inline=False)
    op, operand = cond.op, cond.operand
    if op in ("$eq", "$ne"):
        equal = _equals(field, operand)
        return equal if op == "$eq" else _not(equal)
    if op in _RANGE_SQL:
        return _compare(field, _RANGE_SQL[op], _sql_value(operand))
    if op in ("$in", "$nin"):
        assert isinstance(operand, tuple)
        member = _member_of(field, [_sql_value(item) for item in operand])
        return member if op == "$in" else _not(member)
    if op == "$exists":
        assert isinstance(operand, bool)
        return _exists(field, operand)
    assert op == "$regex" and isinstance(operand, str)
    check_regex(operand)  # also warms the cache REGEXP() reads
    return _regex(field, operand)


# -- the tree compiler -----------------------------------------------------------------------


def _compile(node: FilterNode) -> _Q:
    if isinstance(node, FieldCond):
        return _condition(node)
    if isinstance(node, Not):
        return _not(_compile(node.child))
    parts = [_compile(child) for child in node.children]
    if isinstance(node, And):
        return _join(parts, "AND", _TRUE)
    if isinstance(node, Or):
        return _join(parts, "OR", _FALSE)
    assert isinstance(node, Nor)
    return _not(_join(parts, "OR", _FALSE))


def compile_run_filters(filters: object) -> SqlFragment:
    """Compile a W&B run filter into a SQL boolean expression over ``runs r`` / ``users u``.

    The filter is parsed by :func:`wandbkit._lang.filters.parse` (the client's validator parses
    it the same way), and the tree is compiled here.

    Args:
        filters: the parsed ``filters`` JSON: a Mongo-style dict, or ``None``/``{}`` for "all
            runs".

    Returns:
        The expression and its parameters; ``SqlFragment("1", ())`` when there is no filter.

    Raises:
        FilterError: a wrong shape, unknown operator or field, an operand of the wrong type, an
            invalid regular expression, or nesting deeper than :data:`MAX_DEPTH`.

    Example:
        >>> fragment = compile_run_filters({"state": "finished"})
        >>> fragment.sql, fragment.params
        ('(r.state IS ?)', ('finished',))
    """
    try:
        tree = parse(filters, RUN_FIELDS)
    except FilterSyntaxError as exc:
        raise FilterError(str(exc)) from None
    compiled = _compile(tree)
    return SqlFragment(compiled.sql, compiled.params)


# -- order -----------------------------------------------------------------------------------


def compile_run_order(order: str | None) -> list[OrderTerm]:
    """Compile a W&B run order string into ``ORDER BY`` terms.

    ``order`` is ``[+|-]<field>``: no sign or ``+`` is ascending, ``-`` descending. Fields are
    every filter field except ``tags``. For a field that can be missing or null, the first term
    is a null flag, ``(expr IS NULL)`` ascending or ``(expr IS NOT NULL)`` descending, so such
    rows come last in both directions while every term keeps the requested direction. The last
    term is always ``r.pk`` in the same direction, a unique tiebreaker for stable pages.

    Args:
        order: the order string, or ``None``/``""`` for ``+created_at``.

    Returns:
        The terms, for ``ORDER BY ", ".join(f"{t.sql} {'DESC' if t.descending else 'ASC'}")``.

    Raises:
        FilterError: an unknown field or an empty field name.

    Example:
        >>> [(t.sql, t.descending) for t in compile_run_order("-state")]
        [('r.state', True), ('r.pk', True)]
    """
    try:
        key = parse_order(order, RUN_FIELDS)
    except FilterSyntaxError as exc:
        raise FilterError(str(exc)) from None
    field = _sql_field(key.field, inline=True)
    assert not field.value.params  # ORDER BY terms carry no parameters
    terms: list[OrderTerm] = []
    if field.nullable:
        flag = "({} IS NOT NULL)" if key.descending else "({} IS NULL)"
        terms.append(OrderTerm(flag.format(field.value.sql), key.descending))
    terms.append(OrderTerm(field.value.sql, key.descending))
    terms.append(OrderTerm("r.pk", key.descending))
    return terms


# -- SQL functions ---------------------------------------------------------------------------


class _Pattern(Protocol):
    """What a compiled RE2 pattern offers here (``google-re2`` ships no type information)."""

    def search(self, text: str) -> object | None: ...


#: The longest ``$regex`` pattern, in characters.
MAX_REGEX_LENGTH = 1000
#: The memory RE2 may use for one compiled pattern (its default is 8 MiB as well).
_RE2_MAX_MEM = 8 << 20


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> _Pattern:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is the caller's error, not a server log line
    options.max_mem = _RE2_MAX_MEM
    compiled: _Pattern = re2.compile(pattern, options)
    return compiled


def check_regex(pattern: str) -> None:
    """Raise :class:`FilterError` for a ``$regex`` pattern too long or refused by RE2."""
    if len(pattern) > MAX_REGEX_LENGTH:
        raise FilterError(
            f"filters: a $regex pattern may be at most {MAX_REGEX_LENGTH} characters, "
            f"got {len(pattern)}"
        )
    try:
        _compiled(pattern)
    except re2.error as exc:
        detail = exc.args[0] if exc.args else "refused"
        reason = detail.decode(errors="replace") if isinstance(detail, bytes) else str(detail)
        raise FilterError(
            f"filters: $regex {pattern!r} is not a pattern RE2 (W&B's regular expression "
            f"engine) accepts: {reason}"
        ) from None


def _regexp(pattern: object, value: object) -> bool:
    if pattern is None or value is None:
        return False
    text = value if isinstance(value, str) else str(value)
    return _compiled(str(pattern)).search(text) is not None


def register_sql_functions(conn: sqlite3.Connection) -> None:
    """Register the SQL functions compiled filters use on a connection.

    Registers ``REGEXP(pattern, value)``: true when RE2 finds ``pattern`` anywhere in
    ``value`` (as :func:`re.search` would), false for a NULL value. It also serves SQLite's
    ``value REGEXP pattern`` syntax.

    Args:
        conn: the connection the compiled SQL will run on.

    Example:
        >>> conn = sqlite3.connect(":memory:")
        >>> register_sql_functions(conn)
        >>> conn.execute("SELECT REGEXP('^ab', 'abc'), REGEXP('x', NULL)").fetchone()
        (1, 0)
    """
    conn.create_function("REGEXP", 2, _regexp, deterministic=True)
