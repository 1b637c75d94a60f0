"""The client-side run filter validator, and its agreement with the server's compiler.

``wandbkit.filters`` and ``wandbkit.server.run_filters`` both parse with ``wandbkit._lang``
(the client must not import the server), each re-raising the parser's error as its own class.
The agreement tests run one table of valid and invalid filters and orders through both: valid
ones must pass both (and the server's SQL must run), invalid ones must fail both with the same
message. The grammar itself is pinned in ``test_filters_parse.py``.
"""

from __future__ import annotations

import ast
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from wandbkit._core.errors import UsageError
from wandbkit.filters import (
    MAX_DEPTH,
    ORDER_FIELDS,
    RUN_FILTER_FIELDS,
    validate_run_filters,
    validate_run_order,
)
from wandbkit.server import run_filters as server

FILTERS_SOURCE = Path(__file__).resolve().parents[2] / "src" / "wandbkit" / "filters.py"

VALID_FILTERS: list[object] = [
    {"state": "finished"},
    {"state": {"$eq": "finished"}},
    {"state": {"$ne": "finished"}},
    {"state": {"$in": ["crashed", "failed"]}},
    {"state": {"$nin": []}},
    {"state": {"$in": []}},
    {"state": {"$regex": "^pre"}},
    {"state": {"$gt": "a", "$lte": "z"}},
    {"name": "abc12345"},
    {"displayName": None},
    {"display_name": {"$exists": False}},
    {"group": {"$ne": None}},
    {"jobType": "train", "job_type": {"$in": ["train", None]}},
    {"host": {"$regex": "h[0-9]"}},
    {"username": "ada"},
    {"sweep": "sw1"},
    {"notes": {"$regex": "x"}, "description": {"$exists": True}},
    {"tags": "baseline"},
    {"tags": {"$in": ["a", "b"]}},
    {"tags": {"$nin": ["a"]}},
    {"tags": {"$ne": "a"}},
    {"tags": None},
    {"tags": {"$exists": True}},
    {"tags": {"$regex": "^v"}},
    {"$or": [{"tags": None}, {"tags": {"$ne": "x"}}]},
    {"createdAt": {"$gte": "2026-11-01"}},
    {"created_at": "2026-11-01T12:00:00Z"},
    {"createdAt": "2026-11-01T12:00:00.123456789+05:30"},
    {"createdAt": "2026-11-01 12:00"},
    {"createdAt": {"$lt": 1_790_000_000}},
    {"createdAt": {"$in": [1_790_000_000.5, "2026-11-01T12:00:00", None]}},
    {"updatedAt": {"$regex": "^2026"}},
    {"updated_at": {"$gt": "2026-11-01T00:00:00-0800"}},
    {"heartbeatAt": None},
    {"heartbeat_at": {"$exists": True}},
    {"duration": {"$gt": 3600}},
    {"duration": 10.5},
    {"duration": {"$in": [0, 1]}},
    {"config.lr": 0.01},
    {"config.lr.value": {"$gt": 0.001, "$lt": 0.1}},
    {"config.flag": True},
    {"config.opt": {"$in": ["adam", 1, True, None]}},
    {"config.nested.a.b": {"$exists": False}},
    {"config.key with space": "x"},
    {"config.x') OR 1=1 --": 1},
    {'config.quo"te': "q"},
    {"summary_metrics.loss": {"$lt": 0.3}},
    {"summaryMetrics.eval.acc": {"$gte": 0.5}},
    {"summary.loss": None},
    {"summary_metrics.é.x y": 3},
    {"system_metrics.gpu.util": {"$gte": 80}},
    {"config.lr": {"$not": {"$gt": 0.01}}},
    {"config.lr": {"$not": {"$not": {"$in": [1, 2]}}}},
    {"$and": [{"state": "finished"}, {"config.lr": {"$lt": 0.01}}]},
    {"$or": [{"state": "crashed"}, {"tags": "best"}]},
    {"$nor": [{"state": "finished"}]},
    {"$not": {"state": "finished"}},
    {"$and": []},
    {"$or": [{"$and": []}]},
    {"$and": [{}]},
    {"state": "finished", "$or": [{"host": "h1"}, {"$not": {"duration": None}}]},
    {"config.big": 2**63 - 1, "config.small": -(2**63)},
]

INVALID_FILTERS: list[tuple[object, str]] = [
    ("state=finished", "filters: expected an object of conditions, got str 'state=finished'"),
    (42, "filters: expected an object of conditions, got int 42"),
    ([{"state": "x"}], "filters: expected an object of conditions, got list"),
    ({"$and": {"state": "x"}}, "filters['$and']: expected a list of filters, got dict"),
    ({"$nor": None}, "filters['$nor']: expected a list of filters, got NoneType None"),
    ({"$or": [{"state": "x"}, 3]}, "filters['$or'][1]: expected an object of conditions"),
    ({"$not": "x"}, "filters['$not']: expected an object of conditions, got str 'x'"),
    ({"$foo": 1}, "filters: unknown operator '$foo'; expected one of $and, $or, $nor, $not"),
    ({"$gt": 1}, "filters: '$gt' compares a field and belongs inside one"),
    ({"$regex": "x"}, "filters: '$regex' compares a field and belongs inside one"),
    (
        {"config.lr": {"$gte2": 1}},
        "filters['config.lr']: unknown operator '$gte2'; expected one of $eq, $ne, $gt, $gte, "
        "$lt, $lte, $in, $nin, $exists, $regex, $not",
    ),
    ({"state": {"$or": []}}, "filters['state']: '$or' combines whole filters"),
    ({"state": {}}, "filters['state']: empty operator object"),
    ({"summary.x": {"a": 1}}, "filters['summary.x']: expected an operator object like"),
    ({"state": {"$in": "finished"}}, "filters['state']['$in']: expected a list of values"),
    ({"state": {"$regex": 5}}, "filters['state']['$regex']: expected a regular expression"),
    ({"state": {"$regex": "[a"}}, "filters['state']['$regex']: invalid regular expression"),
    ({"state": {"$exists": "yes"}}, "filters['state']['$exists']: expected true or false"),
    ({"state": {"$not": 1}}, "filters['state']['$not']: expected an operator object"),
    ({"state": {"$not": {}}}, "filters['state']['$not']: empty operator object"),
    ({"state": 1}, "filters['state']: expected a string, got int 1"),
    ({"name": {"$lt": None}}, "filters['name']['$lt']: cannot compare 'name' with null"),
    ({"tags": ["a", "b"]}, "filters['tags']: expected a string, got list"),
    ({"tags": {"$in": ["a", 2]}}, "filters['tags']['$in'][1]: expected a string, got int 2"),
    ({"duration": "1h"}, "filters['duration']: expected a number of seconds"),
    ({"duration": True}, "filters['duration']: expected a number of seconds, got bool True"),
    ({"duration": {"$regex": "1"}}, "filters['duration']['$regex']: $regex needs a string"),
    ({"createdAt": "last week"}, "filters['createdAt']: expected an ISO-8601 time"),
    ({"createdAt": "2026-02-30"}, "filters['createdAt']: str '2026-02-30' is not a valid time"),
    ({"createdAt": "2026-11-01T25:00"}, "is not a valid time"),
    ({"createdAt": "0001-01-01T00:00+01:00"}, "is not a valid time"),
    ({"createdAt": {"$gt": 1e300}}, "filters['createdAt']['$gt']: float 1e+300 is not a valid"),
    ({"heartbeatAt": {"$gt": None}}, "cannot compare 'heartbeatAt' with null"),
    ({"config.lr": float("nan")}, "filters['config.lr']: NaN and infinity"),
    ({"config.lr": {"$in": [float("-inf")]}}, "filters['config.lr']['$in'][0]: NaN"),
    ({"config.lr": -(2**63) - 1}, "is outside the 64-bit range"),
    ({"config.lr": [1]}, "(use $in to match any of several values)"),
    ({"config.lr": {"$eq": {"$gt": 1}}}, "filters['config.lr']['$eq']: expected a number"),
    ({"config.lr": {"$gt": None}}, "cannot compare 'config.lr' with null"),
    ({"confg.lr": 1}, "filters: unknown field 'confg.lr'; expected one of name, displayName"),
    ({"Config.lr": 1}, "unknown field 'Config.lr'"),
    ({"system_metrics": 1}, "filters: field 'system_metrics' needs a key"),
    ({"config.": 1}, "filters: field 'config.' has an empty key"),
    ({"config..lr": 1}, "filters: field 'config..lr' has an empty key"),
    ({"$and": [{"$or": [{"nope": 1}]}]}, "filters['$and'][0]['$or'][0]: unknown field 'nope'"),
    ({1: "x"}, "filters: keys must be strings, got int 1"),
]

VALID_ORDERS: list[str | None] = [
    None,
    "",
    "created_at",
    "+created_at",
    "-createdAt",
    " -created_at ",
    "updated_at",
    "-updatedAt",
    "heartbeat_at",
    "-heartbeatAt",
    "name",
    "-display_name",
    "displayName",
    "state",
    "-duration",
    "config.lr",
    "-config.lr.value",
    "summary_metrics.loss",
    "-summary_metrics.eval.acc",
    "summaryMetrics.loss",
    "system_metrics.gpu.util",
    "username",
    "sweep",
    "group",
    "-config.x') OR 1=1 --",
    "summary_metrics.é.x y",
]

INVALID_ORDERS: list[tuple[object, str]] = [
    ("tags", "order: cannot order by 'tags', a list"),
    ("-tags", "order: cannot order by 'tags', a list"),
    ("loss", "order: unknown field 'loss'; expected one of name, displayName"),
    ("createdat", "order: unknown field 'createdat'"),
    ("-", "order: '-' names no field"),
    ("+", "order: '+' names no field"),
    ("summary_metrics", "order: field 'summary_metrics' needs a key"),
    ("config.", "order: field 'config.' has an empty key"),
    ("config.a\x00", "order: field name contains a NUL character"),
    (5, "order: expected a string like '-created_at', got int 5"),
    (["-created_at"], "order: expected a string like '-created_at', got list"),
]


# -- the client validator --------------------------------------------------------------------


@pytest.mark.parametrize("filters", VALID_FILTERS)
def test_validator_returns_a_valid_filter_unchanged(filters: dict[str, Any]) -> None:
    result = validate_run_filters(filters)
    assert result is filters or (result is None and filters == {})


def test_validator_maps_no_filter_to_none() -> None:
    assert validate_run_filters(None) is None
    assert validate_run_filters({}) is None


@pytest.mark.parametrize(("filters", "message"), INVALID_FILTERS)
def test_validator_rejects_a_bad_filter_naming_the_place(filters: object, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        validate_run_filters(filters)
    assert message in str(caught.value)


def test_validator_error_is_a_value_error_and_names_the_argument() -> None:
    with pytest.raises(ValueError, match=r"^run_filter\['state'\]\['\$in'\]: expected a list"):
        validate_run_filters({"state": {"$in": "x"}}, argument="run_filter")


@pytest.mark.parametrize(
    ("filters", "message"),
    [
        (
            {"tags": {"$in": {"a", "b"}}},
            "filters['tags']['$in']: expected a list of values, got set",
        ),
        ({"config.x": object()}, "filters['config.x']: expected a number, string, boolean or null"),
        ({"config.x": b"raw"}, "got bytes"),
        (
            {"createdAt": {"$gt": datetime(2026, 1, 1, tzinfo=timezone.utc)}},
            "got datetime (pass value.isoformat() instead)",
        ),
        ({("a", "b"): 1}, "filters: keys must be strings, got tuple"),
        ({"state": {1: "x"}}, "filters['state']: expected an operator object"),
    ],
)
def test_validator_rejects_python_values_json_cannot_carry(filters: object, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        validate_run_filters(filters)
    assert message in str(caught.value)


def test_validator_accepts_tuples_where_json_has_lists() -> None:
    filters = {"state": {"$in": ("finished", "crashed")}}
    assert validate_run_filters(filters) is filters


def test_validator_limits_nesting_depth() -> None:
    filters: dict[str, Any] = {"state": "x"}
    for _ in range(MAX_DEPTH - 1):
        filters = {"$and": [filters]}
    assert validate_run_filters(filters) is filters
    with pytest.raises(UsageError, match="nested deeper than 32 levels"):
        validate_run_filters({"$not": filters})


def test_validator_fails_cleanly_on_absurd_nesting() -> None:
    filters: dict[str, Any] = {"state": "x"}
    for _ in range(10_000):
        filters = {"$not": filters}
    with pytest.raises(UsageError, match="nested deeper"):
        validate_run_filters(filters)


def test_run_filter_fields_lists_names_and_path_prefixes() -> None:
    for name in ("name", "displayName", "display_name", "state", "tags", "createdAt"):
        assert name in RUN_FILTER_FIELDS
    for name in ("created_at", "updatedAt", "heartbeatAt", "heartbeat_at", "duration", "group"):
        assert name in RUN_FILTER_FIELDS
    for name in ("jobType", "job_type", "host", "username", "sweep", "notes", "description"):
        assert name in RUN_FILTER_FIELDS
    for prefix in ("config.", "summary_metrics.", "summaryMetrics.", "summary.", "system_metrics."):
        assert prefix in RUN_FILTER_FIELDS
    assert {"tags"} | ORDER_FIELDS == RUN_FILTER_FIELDS
    assert "tags" not in ORDER_FIELDS


@pytest.mark.parametrize("order", VALID_ORDERS)
def test_order_validator_keeps_the_order_as_given(order: str | None) -> None:
    expected = (order or "").strip() or "+created_at"
    assert validate_run_order(order) == expected


@pytest.mark.parametrize(("order", "message"), INVALID_ORDERS)
def test_order_validator_rejects_a_bad_order(order: object, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        validate_run_order(order)
    assert message in str(caught.value)


def test_order_validator_names_the_argument() -> None:
    with pytest.raises(UsageError, match=r"^sort: unknown field 'x'"):
        validate_run_order("x", argument="sort")


def _non_stdlib_imports(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(encoding="utf-8"))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return {m for m in modules if m.split(".")[0] not in sys.stdlib_module_names}


def test_client_module_imports_only_the_stdlib_core_errors_and_the_shared_language() -> None:
    # The language (grammar, field table, order) lives in wandbkit._lang, which the server's
    # compiler reads too; that package imports only the stdlib and itself.
    assert _non_stdlib_imports(FILTERS_SOURCE) == {
        "wandbkit._core.errors",
        "wandbkit._lang.filters",
        "wandbkit._lang.order",
        "wandbkit._lang.run_fields",
    }
    for module in sorted(FILTERS_SOURCE.with_name("_lang").glob("*.py")):
        imported = _non_stdlib_imports(module)
        assert {m for m in imported if not m.startswith("wandbkit._lang.")} == set(), module


def test_importing_the_client_module_does_not_load_the_server() -> None:
    code = (
        "import sys, wandbkit.filters; "
        "sys.exit(any(m.startswith('wandbkit.server') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


# -- agreement with the server ---------------------------------------------------------------

SCHEMA = """
CREATE TABLE users (pk INTEGER PRIMARY KEY, username TEXT NOT NULL);
CREATE TABLE runs (
  pk INTEGER PRIMARY KEY, project_pk INTEGER NOT NULL, name TEXT NOT NULL, display_name TEXT,
  state TEXT NOT NULL, config TEXT NOT NULL, summary TEXT NOT NULL,
  system_metrics TEXT NOT NULL, tags TEXT NOT NULL, notes TEXT, description TEXT,
  group_name TEXT, job_type TEXT, host TEXT, commit_hash TEXT, sweep_name TEXT, user_pk INTEGER,
  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, heartbeat_at TEXT,
  history_line_count INTEGER NOT NULL, last_step INTEGER NOT NULL, history_keys TEXT NOT NULL
);
INSERT INTO users VALUES (1, 'ada');
INSERT INTO runs VALUES (
  1, 1, 'abc12345', 'alpha', 'finished',
  '{"lr": {"value": 0.01, "desc": null}, "nested": {"value": {"a": {"b": 1}}}}',
  '{"loss": 0.2, "eval": {"acc": 0.9}}', '{"gpu": {"util": 80}}', '["baseline", "v1"]',
  'n', 'd', 'g1', 'train', 'h1', 'c0ffee', 'sw1', 1,
  '2026-11-01T12:00:00.000000Z', '2026-11-01T13:00:00.000000Z', '2026-11-01T13:00:00.000000Z',
  0, 0, '[]'
);
"""


@pytest.fixture(scope="module")
def db() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    server.register_sql_functions(connection)
    connection.executescript(SCHEMA)
    yield connection
    connection.close()


def run_server(db: sqlite3.Connection, filters: object, order: str | None = None) -> int:
    where = server.compile_run_filters(filters)
    terms = server.compile_run_order(order)
    order_by = ", ".join(f"{t.sql} {'DESC' if t.descending else 'ASC'}" for t in terms)
    sql = (
        "SELECT count(*) FROM (SELECT r.pk FROM runs AS r "
        "LEFT JOIN users AS u ON u.pk = r.user_pk "
        f"WHERE {where.sql} ORDER BY {order_by})"
    )
    return int(db.execute(sql, where.params).fetchone()[0])


@pytest.mark.parametrize("filters", VALID_FILTERS)
def test_client_and_server_both_accept_a_valid_filter(
    db: sqlite3.Connection, filters: object
) -> None:
    validate_run_filters(filters)
    assert run_server(db, filters) in (0, 1)


@pytest.mark.parametrize(("filters", "message"), INVALID_FILTERS)
def test_client_and_server_reject_a_bad_filter_with_the_same_message(
    filters: object, message: str
) -> None:
    with pytest.raises(UsageError) as client_error:
        validate_run_filters(filters)
    with pytest.raises(server.FilterError) as server_error:
        server.compile_run_filters(filters)
    assert str(client_error.value) == str(server_error.value)


@pytest.mark.parametrize("order", VALID_ORDERS)
def test_client_and_server_both_accept_a_valid_order(
    db: sqlite3.Connection, order: str | None
) -> None:
    assert run_server(db, None, validate_run_order(order)) == 1
    assert run_server(db, None, order) == 1


@pytest.mark.parametrize(("order", "message"), INVALID_ORDERS)
def test_client_and_server_reject_a_bad_order_with_the_same_message(
    order: Any, message: str
) -> None:
    with pytest.raises(UsageError) as client_error:
        validate_run_order(order)
    with pytest.raises(server.FilterError) as server_error:
        server.compile_run_order(order)
    assert str(client_error.value) == str(server_error.value)


def test_client_and_server_accept_the_same_fields() -> None:
    plain = {name for name in RUN_FILTER_FIELDS if not name.endswith(".")}
    prefixes = {name for name in RUN_FILTER_FIELDS if name.endswith(".")}
    for name in plain:
        validate_run_filters({name: None})
        server.compile_run_filters({name: None})
    for prefix in prefixes:
        validate_run_filters({prefix + "k": None})
        server.compile_run_filters({prefix + "k": None})
    for name in ("foo", "config", "summary_metric.x", "tags.x", "inputArtifacts", "_step"):
        with pytest.raises(UsageError):
            validate_run_filters({name: None})
        with pytest.raises(server.FilterError):
            server.compile_run_filters({name: None})
