"""The shared filter grammar, ``wandbkit._lang.filters.parse``, and ``_lang.order.parse_order``.

Both the client validator and the server compiler parse with these, so these tables pin the
tree each filter becomes and the place and text of every error the grammar can raise. A second
field table shows that another domain's filter is a new table, not a new walker.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from wandbkit._lang.fields import Field, FieldKind, FieldTable
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
from wandbkit._lang.order import OrderKey, parse_order
from wandbkit._lang.run_fields import RUN_FIELDS

STATE = Field("state", FieldKind.TEXT)
TAGS = Field("tags", FieldKind.TAGS)
CREATED = Field("createdAt", FieldKind.TIME)
DURATION = Field("duration", FieldKind.DURATION)
LR = Field("config.lr", FieldKind.JSON, "config", ("lr",))
NOON = datetime(2026, 11, 1, 12, tzinfo=timezone.utc)


def cond(field: Field, op: str, operand: Any) -> FieldCond:
    return FieldCond(field, op, operand)


TREES: list[tuple[object, FilterNode]] = [
    (None, And(())),
    ({}, And(())),
    ({"state": "finished"}, cond(STATE, "$eq", "finished")),
    ({"state": {"$ne": None}}, cond(STATE, "$ne", None)),
    ({"state": {"$in": ["a", None]}}, cond(STATE, "$in", ("a", None))),
    ({"state": {"$nin": ("a",)}}, cond(STATE, "$nin", ("a",))),
    ({"state": {"$exists": False}}, cond(STATE, "$exists", False)),
    ({"state": {"$regex": "^f"}}, cond(STATE, "$regex", "^f")),
    (
        {"state": {"$gt": "a", "$lte": "z"}},
        And((cond(STATE, "$gt", "a"), cond(STATE, "$lte", "z"))),
    ),
    ({"tags": None}, cond(TAGS, "$eq", None)),
    ({"createdAt": "2026-11-01T12:00:00Z"}, cond(CREATED, "$eq", NOON)),
    ({"createdAt": {"$gte": "2026-11-01 13:00+01:00"}}, cond(CREATED, "$gte", NOON)),
    ({"createdAt": {"$lt": NOON.timestamp()}}, cond(CREATED, "$lt", NOON)),
    (
        {"createdAt": {"$in": ["2026-11-01T12:00:00.5", None]}},
        cond(CREATED, "$in", (NOON + timedelta(milliseconds=500), None)),
    ),
    ({"duration": {"$gt": 3600}}, cond(DURATION, "$gt", 3600)),
    ({"config.lr": {"$lt": 0.1}}, cond(LR, "$lt", 0.1)),
    (
        {"summary_metrics.eval.acc": True},
        cond(
            Field("summary_metrics.eval.acc", FieldKind.JSON, "summary_metrics", ("eval", "acc")),
            "$eq",
            True,
        ),
    ),
    ({"config.lr": {"$not": {"$gt": 1}}}, Not(cond(LR, "$gt", 1))),
    (
        {"config.lr": {"$not": {"$gt": 1, "$lt": 3}}},
        Not(And((cond(LR, "$gt", 1), cond(LR, "$lt", 3)))),
    ),
    ({"$not": {"state": "x"}}, Not(cond(STATE, "$eq", "x"))),
    ({"$and": []}, And(())),
    ({"$or": []}, Or(())),
    ({"$or": [{"$and": []}]}, Or((And(()),))),
    ({"$and": [{"state": "x"}]}, And((cond(STATE, "$eq", "x"),))),
    (
        {"$nor": [{"state": "x"}, {"tags": "t"}]},
        Nor((cond(STATE, "$eq", "x"), cond(TAGS, "$eq", "t"))),
    ),
    (
        {"state": "x", "$or": [{"tags": "a"}, {"$not": {"duration": None}}]},
        And(
            (
                cond(STATE, "$eq", "x"),
                Or((cond(TAGS, "$eq", "a"), Not(cond(DURATION, "$eq", None)))),
            )
        ),
    ),
]


@pytest.mark.parametrize(("filters", "tree"), TREES)
def test_parse_builds_the_tree(filters: object, tree: FilterNode) -> None:
    assert parse(filters, RUN_FIELDS) == tree


def test_a_condition_exposes_its_field_kind() -> None:
    parsed = parse({"config.lr": 1}, RUN_FIELDS)
    assert isinstance(parsed, FieldCond)
    assert parsed.kind is FieldKind.JSON


_OPS = "$eq, $ne, $gt, $gte, $lt, $lte, $in, $nin, $exists, $regex, $not"
_TIME = "an ISO-8601 time like '2026-11-01T12:00:00Z' or epoch seconds"

#: (filter, where, message): one row for every error the grammar raises.
ERRORS: list[tuple[object, str, str]] = [
    ("x", "filters", "expected an object of conditions, got str 'x'"),
    ({1: "x"}, "filters", "keys must be strings, got int 1"),
    ({"$and": {}}, "filters['$and']", "expected a list of filters, got dict"),
    ({"$or": [{}, 3]}, "filters['$or'][1]", "expected an object of conditions, got int 3"),
    ({"$not": None}, "filters['$not']", "expected an object of conditions, got NoneType None"),
    (
        {"$in": [1]},
        "filters",
        "'$in' compares a field and belongs inside one, like {'config.lr': {'$in': ...}}",
    ),
    (
        {"$where": 1},
        "filters",
        "unknown operator '$where'; expected one of $and, $or, $nor, $not, or a field name",
    ),
    (
        {"nope": 1},
        "filters",
        f"unknown field 'nope'; expected one of {RUN_FIELDS.filter_list}",
    ),
    ({"config": 1}, "filters", "field 'config' needs a key, like 'config.<key>'"),
    ({"config.a..b": 1}, "filters", "field 'config.a..b' has an empty key; write 'config.a.b'"),
    ({"state": {}}, "filters['state']", f"empty operator object; expected one of {_OPS}"),
    (
        {"state": {"k": 1}},
        "filters['state']",
        "expected an operator object like {'$gt': 1} or a plain value, got key 'k' "
        "(objects are not comparable values)",
    ),
    (
        {"state": {"$not": "x"}},
        "filters['state']['$not']",
        "expected an operator object like {'$gt': 1}, got str 'x'",
    ),
    (
        {"state": {"$and": []}},
        "filters['state']",
        "'$and' combines whole filters and cannot be used inside field 'state'; "
        "write {'$and': [{'state': ...}, ...]}",
    ),
    (
        {"state": {"$eqq": 1}},
        "filters['state']",
        f"unknown operator '$eqq'; expected one of {_OPS}",
    ),
    (
        {"state": {"$lt": None}},
        "filters['state']['$lt']",
        "cannot compare 'state' with null; use $exists",
    ),
    ({"state": 1}, "filters['state']", "expected a string, got int 1"),
    ({"tags": {"$in": ["a", 2]}}, "filters['tags']['$in'][1]", "expected a string, got int 2"),
    ({"duration": "1h"}, "filters['duration']", "expected a number of seconds, got str '1h'"),
    (
        {"config.lr": {"a": 1}},
        "filters['config.lr']",
        "expected an operator object like {'$gt': 1} or a plain value, got key 'a' "
        "(objects are not comparable values)",
    ),
    (
        {"config.lr": [1]},
        "filters['config.lr']",
        "expected a number, string, boolean or null, got list "
        "(use $in to match any of several values)",
    ),
    (
        {"config.lr": {"$eq": b"x"}},
        "filters['config.lr']['$eq']",
        "expected a number, string, boolean or null, got bytes",
    ),
    (
        {"config.lr": float("inf")},
        "filters['config.lr']",
        "NaN and infinity are not valid JSON numbers",
    ),
    (
        {"config.lr": 2**63},
        "filters['config.lr']",
        f"integer {2**63} is outside the 64-bit range",
    ),
    ({"state": {"$in": "x"}}, "filters['state']['$in']", "expected a list of values, got str 'x'"),
    ({"state": {"$in": {"x"}}}, "filters['state']['$in']", "expected a list of values, got set"),
    (
        {"state": {"$exists": 1}},
        "filters['state']['$exists']",
        "expected true or false, got int 1",
    ),
    (
        {"duration": {"$regex": "1"}},
        "filters['duration']['$regex']",
        "$regex needs a string field; 'duration' is a number",
    ),
    (
        {"state": {"$regex": 1}},
        "filters['state']['$regex']",
        "expected a regular expression string, got int 1",
    ),
    ({"createdAt": "soon"}, "filters['createdAt']", f"expected {_TIME}, got str 'soon'"),
    (
        {"createdAt": NOON},
        "filters['createdAt']",
        f"expected {_TIME}, got datetime (pass value.isoformat() instead)",
    ),
    (
        {"createdAt": {"$gt": float("nan")}},
        "filters['createdAt']['$gt']",
        "NaN and infinity are not valid JSON numbers",
    ),
    (
        {"createdAt": "2026-13-01"},
        "filters['createdAt']",
        "str '2026-13-01' is not a valid time (month must be in 1..12)",
    ),
]


@pytest.mark.parametrize(("filters", "where", "message"), ERRORS)
def test_parse_names_the_place_and_the_problem(filters: object, where: str, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse(filters, RUN_FIELDS)
    assert (caught.value.where, caught.value.message) == (where, message)
    assert str(caught.value) == f"{where}: {message}"


def test_an_invalid_regex_is_reported_with_the_reason() -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse({"state": {"$regex": "[a"}}, RUN_FIELDS)
    assert caught.value.where == "filters['state']['$regex']"
    assert re.fullmatch(r"invalid regular expression '\[a': .+", caught.value.message)


def test_parse_limits_nesting_and_names_the_argument() -> None:
    filters: dict[str, Any] = {"state": "x"}
    for _ in range(MAX_DEPTH - 1):
        filters = {"$not": filters}
    parse(filters, RUN_FIELDS)
    with pytest.raises(FilterSyntaxError) as caught:
        parse({"$not": filters}, RUN_FIELDS, argument="run_filter")
    assert caught.value.message == f"filter is nested deeper than {MAX_DEPTH} levels"
    assert caught.value.where.startswith("run_filter['$not']")


def test_the_syntax_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse(3, RUN_FIELDS)


# -- another domain is another table ---------------------------------------------------------

ARTIFACTS = FieldTable(
    {"name": FieldKind.TEXT, "aliases": FieldKind.TAGS, "createdAt": FieldKind.TIME},
    ("metadata",),
    default_order="-createdAt",
)
PLAIN = FieldTable({"name": FieldKind.TEXT}, (), default_order="name")


def test_a_second_table_reuses_the_grammar() -> None:
    assert parse({"metadata.size": {"$gt": 3}}, ARTIFACTS) == cond(
        Field("metadata.size", FieldKind.JSON, "metadata", ("size",)), "$gt", 3
    )
    with pytest.raises(FilterSyntaxError) as caught:
        parse({"state": "x"}, ARTIFACTS)
    assert caught.value.message == (
        "unknown field 'state'; expected one of name, aliases, createdAt, or a path under metadata."
    )
    with pytest.raises(FilterSyntaxError) as caught:
        parse({"config.x": 1}, PLAIN)
    assert caught.value.message == "unknown field 'config.x'; expected one of name"


def test_field_lists_leave_out_lists_for_ordering() -> None:
    assert ARTIFACTS.order_list == "name, createdAt, or a path under metadata."
    assert "tags" in RUN_FIELDS.filter_list and "tags" not in RUN_FIELDS.order_list


# -- order -----------------------------------------------------------------------------------

ORDERS: list[tuple[object, OrderKey]] = [
    (None, OrderKey("+created_at", Field("created_at", FieldKind.TIME), False)),
    ("  ", OrderKey("+created_at", Field("created_at", FieldKind.TIME), False)),
    (" -state ", OrderKey("-state", STATE, True)),
    ("+state", OrderKey("+state", STATE, False)),
    ("config.lr", OrderKey("config.lr", LR, False)),
]


@pytest.mark.parametrize(("order", "key"), ORDERS)
def test_parse_order_reads_direction_and_field(order: object, key: OrderKey) -> None:
    assert parse_order(order, RUN_FIELDS) == key


def test_parse_order_uses_the_tables_default() -> None:
    assert parse_order(None, ARTIFACTS).text == "-createdAt"
    assert parse_order("", ARTIFACTS).descending


ORDER_ERRORS: list[tuple[object, str]] = [
    (5, "expected a string like '-created_at', got int 5"),
    ("-", f"'-' names no field; expected one of {RUN_FIELDS.order_list}"),
    ("config.a\x00", "field name contains a NUL character"),
    ("tags", f"cannot order by 'tags', a list; expected one of {RUN_FIELDS.order_list}"),
    ("loss", f"unknown field 'loss'; expected one of {RUN_FIELDS.order_list}"),
    ("summary", "field 'summary' needs a key, like 'summary.<key>'"),
    ("config.", "field 'config.' has an empty key; write 'config.a.b'"),
]


@pytest.mark.parametrize(("order", "message"), ORDER_ERRORS)
def test_parse_order_names_the_problem(order: object, message: str) -> None:
    with pytest.raises(FilterSyntaxError) as caught:
        parse_order(order, RUN_FIELDS, argument="sort")
    assert (caught.value.where, caught.value.message) == ("sort", message)


def test_an_order_example_follows_the_tables_default() -> None:
    with pytest.raises(FilterSyntaxError, match="like '-createdAt'"):
        parse_order(1, ARTIFACTS)
