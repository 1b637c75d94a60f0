"""The run filter and order compiler, run against a real SQLite ``runs`` table.

The table here is built by the test itself, with the columns the store uses, so these tests pin
the language without depending on the store. Each filter case names the runs it must select; the
runs are numbered 1-12 (``run01``…``run12``) and a thirteenth run in another project must never
leak in, which also checks that compiled expressions are parenthesized.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest

from wandbkit._lang.filters import MAX_IN_VALUES
from wandbkit.filters import validate_run_filters
from wandbkit.server.run_filters import (
    MAX_DEPTH,
    FilterError,
    OrderTerm,
    SqlFragment,
    compile_run_filters,
    compile_run_order,
    register_sql_functions,
)

SCHEMA = """
CREATE TABLE users (pk INTEGER PRIMARY KEY, username TEXT NOT NULL);
CREATE TABLE runs (
  pk INTEGER PRIMARY KEY,
  project_pk INTEGER NOT NULL,
  name TEXT NOT NULL,
  display_name TEXT,
  state TEXT NOT NULL,
  config TEXT NOT NULL,
  summary TEXT NOT NULL,
  system_metrics TEXT NOT NULL,
  tags TEXT NOT NULL,
  notes TEXT, description TEXT, group_name TEXT, job_type TEXT, host TEXT, commit_hash TEXT,
  sweep_name TEXT,
  user_pk INTEGER,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  heartbeat_at TEXT,
  history_line_count INTEGER NOT NULL, last_step INTEGER NOT NULL, history_keys TEXT NOT NULL
);
"""

USERS = {"ada": 1, "bob": 2, "cy": 3}

ODD_KEYS = {
    "key with space": "spaced",
    "it's": 7,
    'quo"te': "q",
    "x') OR 1=1 --": 1,
}

# Durations (heartbeat - created): 1: 3600, 2: 1800, 3: -, 4: 10.25, 5: 0, 6: 7200, 7: 1800,
# 8: -, 9: 86400, 10: 1200, 11: -, 12: 3600. Runs 1 and 3 store whole-second timestamps, the
# rest microseconds, as a store mixing both would.
RUNS: list[dict[str, Any]] = [
    {
        "display_name": "alpha",
        "state": "finished",
        "user": "ada",
        "group_name": "g1",
        "job_type": "train",
        "host": "h1",
        "notes": "first try",
        "config": {
            "lr": 0.01,
            "batch": 32,
            "opt": "adam",
            "flag": True,
            "nested": {"depth": 3, "act": "relu"},
        },
        "summary": {"loss": 0.5, "acc": 0.8, "eval": {"acc": 0.7, "loss": 0.6}},
        "system_metrics": {"gpu": {"util": 80}, "cpu": 30},
        "tags": ["baseline", "v1"],
        "created_at": "2026-11-01T11:00:00Z",
        "heartbeat_at": "2026-11-01T12:00:00Z",
    },
    {
        "display_name": "beta",
        "state": "finished",
        "user": "ada",
        "group_name": "g1",
        "job_type": "train",
        "host": "h2",
        "sweep_name": "sw1",
        "config": {"lr": 0.001, "batch": 64, "opt": "sgd", "flag": False},
        "summary": {"loss": 0.3, "acc": 0.9, "eval": {"acc": 0.85}},
        "system_metrics": {"gpu": {"util": 95}, "cpu": 50},
        "tags": ["v1"],
        "created_at": "2026-11-01T11:00:00.500000Z",
        "heartbeat_at": "2026-11-01T11:30:00.500000Z",
    },
    {
        "display_name": "gamma",
        "state": "crashed",
        "user": "bob",
        "group_name": "g2",
        "job_type": "eval",
        "host": "h1",
        "sweep_name": "sw1",
        "config": {"lr": 0.1, "batch": "32", "flag": 1},
        "summary": {"loss": "high", "acc": None},
        "tags": [],
        "created_at": "2026-11-02T09:00:00Z",
    },
    {
        "display_name": None,
        "state": "running",
        "user": "bob",
        "host": "h3",
        "sweep_name": "sw2",
        "config": {"lr": 0.05, **ODD_KEYS},
        "summary": {"loss": 0.2, "é": {"x y": 3}, "dotted": {"a": {"b": 1}}},
        "tags": ["baseline", "exp"],
        "created_at": "2026-11-03T08:00:00.000000Z",
        "heartbeat_at": "2026-11-03T08:00:10.250000Z",
    },
    {
        "display_name": "epsilon",
        "state": "failed",
        "user": None,
        "group_name": "g2",
        "job_type": "eval",
        "notes": "some notes",
        "description": "desc text",
        "config": {},
        "summary": {},
        "tags": ["exp"],
        "created_at": "2026-11-03T12:00:00.000000Z",
        "heartbeat_at": "2026-11-03T12:00:00.000000Z",
    },
    {
        "display_name": "zeta",
        "state": "killed",
        "user": "cy",
        "group_name": "g1",
        "job_type": "train",
        "config": {"lr": 0.01, "opt": "adam"},
        "summary": {"loss": 0.5, "acc": 0.8},
        "tags": ["v2"],
        "created_at": "2026-11-04T00:00:00.000000Z",
        "heartbeat_at": "2026-11-04T02:00:00.000000Z",
    },
    {
        "display_name": "eta",
        "state": "preempted",
        "user": "cy",
        "config": {"lr": 0.2, "opt": "Adam", "batch": 128},
        "summary": {"loss": 0.9, "acc": 0.1, "eval": {"acc": 0.2}},
        "tags": ["v2", "old"],
        "created_at": "2026-11-04T06:00:00.000000Z",
        "heartbeat_at": "2026-11-04T06:30:00.000000Z",
    },
    {
        "display_name": "theta",
        "state": "pending",
        "user": "ada",
        "config": {"lr": None},
        "summary": {"loss": None},
        "tags": [],
        "created_at": "2026-11-05T00:00:00.000000Z",
    },
    {
        "display_name": "iota",
        "state": "finished",
        "user": "bob",
        "sweep_name": "sw2",
        "config": {"lr": 1, "flag": True},
        "summary": {"loss": 1, "acc": 1, "converged": True},
        "tags": ["baseline"],
        "created_at": "2026-11-05T12:00:00.000000Z",
        "heartbeat_at": "2026-11-06T12:00:00.000000Z",
    },
    {
        "display_name": "kappa",
        "state": "finished",
        "user": "ada",
        "config": {"lr": 0.001, "opt": "sgd", "flag": "true"},
        "summary": {"loss": 0.05, "acc": 0.99, "converged": False},
        "tags": ["v1", "best"],
        "created_at": "2026-11-06T00:00:00.000000Z",
        "heartbeat_at": "2026-11-06T00:20:00.000000Z",
    },
    {
        "display_name": "lambda",
        "state": "preempting",
        "user": "cy",
        "job_type": "sweep-job",
        "config": {"lr": 0.01},
        "summary": {"loss": 0.4, "eval": {"acc": 0.75}},
        "tags": ["exp", "v1"],
        "created_at": "2026-11-06T00:00:00.000000Z",
    },
    {
        "display_name": "mu",
        "state": "finished",
        "user": "bob",
        "host": "h1",
        "config": {"lr": 0.02, "nested": {"depth": 5, "act": "gelu"}},
        "summary": {"loss": 0.25, "acc": 0.95, "eval": {"acc": 0.9, "loss": 0.3}},
        "system_metrics": {"gpu": {"util": 40}, "cpu": 90},
        "tags": ["best"],
        "created_at": "2026-11-07T00:00:00.000000Z",
        "heartbeat_at": "2026-11-07T01:00:00.000000Z",
    },
]

# A run in another project that every filter would otherwise select.
OTHER_PROJECT_RUN: dict[str, Any] = {
    **RUNS[0],
    "name": "other",
    "project_pk": 2,
    "tags": ["baseline", "v1", "exp", "best", "v2"],
}


def runs(*numbers: int) -> set[str]:
    """The names of the numbered runs."""
    return {f"run{n:02d}" for n in numbers}


ALL = runs(*range(1, 13))


def wrap_config(config: dict[str, Any]) -> dict[str, Any]:
    """W&B's stored config form: every key wrapped as ``{"value": …, "desc": None}``."""
    wrapped = {key: {"value": value, "desc": None} for key, value in config.items()}
    wrapped["_wandb"] = {"value": {"cli_version": "0.31.0"}, "desc": None}
    return wrapped


def insert_run(conn: sqlite3.Connection, number: int, spec: dict[str, Any]) -> None:
    user = spec.get("user")
    conn.execute(
        "INSERT INTO runs (project_pk, name, display_name, state, config, summary, "
        "system_metrics, tags, notes, description, group_name, job_type, host, commit_hash, "
        "sweep_name, user_pk, created_at, updated_at, heartbeat_at, history_line_count, "
        "last_step, history_keys) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
        "?, ?, 0, 0, '{}')",
        (
            spec.get("project_pk", 1),
            spec.get("name", f"run{number:02d}"),
            spec.get("display_name"),
            spec["state"],
            json.dumps(wrap_config(spec["config"])),
            json.dumps(spec["summary"]),
            json.dumps(spec.get("system_metrics", {})),
            json.dumps(spec["tags"]),
            spec.get("notes"),
            spec.get("description"),
            spec.get("group_name"),
            spec.get("job_type"),
            spec.get("host"),
            None,
            spec.get("sweep_name"),
            USERS[user] if user else None,
            spec["created_at"],
            spec.get("heartbeat_at") or spec["created_at"],
            spec.get("heartbeat_at"),
        ),
    )


@pytest.fixture(scope="module")
def conn() -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(":memory:")
    register_sql_functions(connection)
    connection.executescript(SCHEMA)
    connection.executemany("INSERT INTO users (username, pk) VALUES (?, ?)", USERS.items())
    for number, spec in enumerate(RUNS, start=1):
        insert_run(connection, number, spec)
    insert_run(connection, 13, OTHER_PROJECT_RUN)
    yield connection
    connection.close()


def select_names(
    conn: sqlite3.Connection, filters: object = None, order: str | None = None
) -> list[str]:
    """Run a query the way the runs resolver does: project, filter, order."""
    where = compile_run_filters(filters)
    terms = compile_run_order(order)
    order_by = ", ".join(f"{t.sql} {'DESC' if t.descending else 'ASC'}" for t in terms)
    sql = (
        "SELECT r.name FROM runs AS r LEFT JOIN users AS u ON u.pk = r.user_pk "
        f"WHERE r.project_pk = ? AND {where.sql} ORDER BY {order_by}"
    )
    return [row[0] for row in conn.execute(sql, (1, *where.params))]


def epoch(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc).timestamp()


# -- filters ---------------------------------------------------------------------------------

FILTER_CASES: list[tuple[str, object, set[str]]] = [
    # no filter
    ("none", None, ALL),
    ("empty dict", {}, ALL),
    # text columns
    ("state bare", {"state": "finished"}, runs(1, 2, 9, 10, 12)),
    ("state $eq", {"state": {"$eq": "finished"}}, runs(1, 2, 9, 10, 12)),
    ("state $ne", {"state": {"$ne": "finished"}}, runs(3, 4, 5, 6, 7, 8, 11)),
    ("state $in", {"state": {"$in": ["crashed", "failed"]}}, runs(3, 5)),
    ("state $nin", {"state": {"$nin": ["finished", "running"]}}, runs(3, 5, 6, 7, 8, 11)),
    ("state empty $in", {"state": {"$in": []}}, set()),
    ("state empty $nin", {"state": {"$nin": []}}, ALL),
    ("state $regex", {"state": {"$regex": "^pre"}}, runs(7, 11)),
    ("state $gt string", {"state": {"$gt": "p"}}, runs(4, 7, 8, 11)),
    ("name", {"name": "run03"}, runs(3)),
    ("name $lte", {"name": {"$lte": "run02"}}, runs(1, 2)),
    ("name with a quote is a value", {"name": "x' OR '1'='1"}, set()),
    ("displayName", {"displayName": "alpha"}, runs(1)),
    ("display_name $regex", {"display_name": {"$regex": "ta$"}}, runs(2, 6, 7, 8, 9)),
    ("displayName null", {"displayName": None}, runs(4)),
    ("displayName $exists false", {"displayName": {"$exists": False}}, runs(4)),
    ("displayName $ne null", {"displayName": {"$ne": None}}, ALL - runs(4)),
    ("group", {"group": "g1"}, runs(1, 2, 6)),
    ("group $ne matches missing", {"group": {"$ne": "g1"}}, ALL - runs(1, 2, 6)),
    ("jobType", {"jobType": "eval"}, runs(3, 5)),
    ("job_type $in", {"job_type": {"$in": ["sweep-job", "train"]}}, runs(1, 2, 6, 11)),
    ("host", {"host": "h1"}, runs(1, 3, 12)),
    ("username", {"username": "ada"}, runs(1, 2, 8, 10)),
    ("username null", {"username": None}, runs(5)),
    ("username $in", {"username": {"$in": ["bob", "cy"]}}, runs(3, 4, 6, 7, 9, 11, 12)),
    ("username $in with null", {"username": {"$in": ["cy", None]}}, runs(5, 6, 7, 11)),
    ("sweep", {"sweep": "sw1"}, runs(2, 3)),
    ("sweep $exists", {"sweep": {"$exists": True}}, runs(2, 3, 4, 9)),
    ("sweep null", {"sweep": None}, ALL - runs(2, 3, 4, 9)),
    ("sweep as the official client sends it", {"$and": [{"sweep": "sw2"}]}, runs(4, 9)),
    ("notes $regex", {"notes": {"$regex": "notes"}}, runs(5)),
    ("notes $exists", {"notes": {"$exists": True}}, runs(1, 5)),
    ("description", {"description": "desc text"}, runs(5)),
    # tags
    ("tags bare means contains", {"tags": "baseline"}, runs(1, 4, 9)),
    ("tags $eq means contains", {"tags": {"$eq": "v1"}}, runs(1, 2, 10, 11)),
    ("tags $ne means lacks", {"tags": {"$ne": "v1"}}, ALL - runs(1, 2, 10, 11)),
    ("tags $in means any", {"tags": {"$in": ["exp", "best"]}}, runs(4, 5, 10, 11, 12)),
    ("tags $nin means none", {"tags": {"$nin": ["v1", "v2"]}}, runs(3, 4, 5, 8, 9, 12)),
    ("tags empty $in", {"tags": {"$in": []}}, set()),
    ("tags empty $nin", {"tags": {"$nin": []}}, ALL),
    ("tags null means no tags", {"tags": None}, runs(3, 8)),
    ("tags $exists true", {"tags": {"$exists": True}}, ALL - runs(3, 8)),
    ("tags $exists false", {"tags": {"$exists": False}}, runs(3, 8)),
    ("tags $regex any tag", {"tags": {"$regex": "^v"}}, runs(1, 2, 6, 7, 10, 11)),
    ("tags $in with null", {"tags": {"$in": [None, "best"]}}, runs(3, 8, 10, 12)),
    ("tags $gte any tag", {"tags": {"$gte": "v2"}}, runs(6, 7)),
    ("tags both", {"$and": [{"tags": "v1"}, {"tags": "best"}]}, runs(10)),
    (
        "tags as QueryGenerator sends 'not tagged'",
        {"$or": [{"tags": None}, {"tags": {"$ne": "baseline"}}]},
        ALL - runs(1, 4, 9),
    ),
    # times
    ("createdAt $gte date", {"createdAt": {"$gte": "2026-11-06"}}, runs(10, 11, 12)),
    ("created_at $lt naive", {"created_at": {"$lt": "2026-11-02T09:00:00"}}, runs(1, 2)),
    ("createdAt $lte naive", {"createdAt": {"$lte": "2026-11-02T09:00:00"}}, runs(1, 2, 3)),
    ("createdAt equals whole-second row", {"createdAt": "2026-11-01T11:00:00Z"}, runs(1)),
    (
        "createdAt $gt splits one second",
        {"createdAt": {"$gt": "2026-11-01T11:00:00Z"}},
        ALL - runs(1),
    ),
    ("createdAt with millis", {"createdAt": "2026-11-02T09:00:00.000Z"}, runs(3)),
    ("createdAt with offset", {"createdAt": "2026-11-02T10:00:00+01:00"}, runs(3)),
    ("createdAt lowercase z", {"createdAt": "2026-11-02t09:00:00z"}, runs(3)),
    ("createdAt space separator", {"createdAt": "2026-11-02 09:00:00"}, runs(3)),
    ("createdAt epoch int", {"createdAt": int(epoch("2026-11-02T09:00:00"))}, runs(3)),
    (
        "createdAt epoch float",
        {"createdAt": epoch("2026-11-01T11:00:00.500000")},
        runs(2),
    ),
    (
        "createdAt epoch $gt",
        {"createdAt": {"$gt": epoch("2026-11-05T00:00:00")}},
        runs(9, 10, 11, 12),
    ),
    (
        "createdAt $in",
        {"createdAt": {"$in": ["2026-11-04T00:00:00Z", "2026-11-04T06:00:00"]}},
        runs(6, 7),
    ),
    ("createdAt $regex sees stored text", {"createdAt": {"$regex": "T09:00:00Z$"}}, runs(3)),
    ("heartbeatAt null", {"heartbeatAt": None}, runs(3, 8, 11)),
    ("heartbeat_at $exists", {"heartbeat_at": {"$exists": True}}, ALL - runs(3, 8, 11)),
    ("heartbeatAt $gt", {"heartbeatAt": {"$gt": "2026-11-06T00:00:00Z"}}, runs(9, 10, 12)),
    ("heartbeatAt $ne", {"heartbeatAt": {"$ne": "2026-11-01T12:00:00Z"}}, ALL - runs(1)),
    ("updatedAt $lt", {"updatedAt": {"$lt": "2026-11-02"}}, runs(1, 2)),
    ("updated_at $regex", {"updated_at": {"$regex": "^2026-11-07"}}, runs(12)),
    # duration
    ("duration $gt", {"duration": {"$gt": 3600}}, runs(6, 9)),
    ("duration $gte", {"duration": {"$gte": 3600}}, runs(1, 6, 9, 12)),
    ("duration bare", {"duration": 1800}, runs(2, 7)),
    ("duration fraction", {"duration": 10.25}, runs(4)),
    ("duration $lt", {"duration": {"$lt": 60}}, runs(4, 5)),
    ("duration null", {"duration": None}, runs(3, 8, 11)),
    ("duration $ne matches missing", {"duration": {"$ne": 1800}}, ALL - runs(2, 7)),
    ("duration $in", {"duration": {"$in": [0, 86400]}}, runs(5, 9)),
    ("duration $exists", {"duration": {"$exists": False}}, runs(3, 8, 11)),
    # config
    ("config bare", {"config.lr": 0.01}, runs(1, 6, 11)),
    ("config .value", {"config.lr.value": 0.01}, runs(1, 6, 11)),
    (
        "config range pair",
        {"config.lr": {"$gt": 0.001, "$lt": 0.1}},
        runs(1, 4, 6, 11, 12),
    ),
    ("config $gte", {"config.lr": {"$gte": 0.1}}, runs(3, 7, 9)),
    ("config int equals", {"config.lr": 1}, runs(9)),
    ("config int equals float", {"config.lr": 1.0}, runs(9)),
    ("config null matches missing and null", {"config.lr": None}, runs(5, 8)),
    ("config $exists false", {"config.lr": {"$exists": False}}, runs(5)),
    ("config $exists true counts null", {"config.lr": {"$exists": True}}, ALL - runs(5)),
    ("config $ne matches missing", {"config.lr": {"$ne": 0.01}}, ALL - runs(1, 6, 11)),
    ("config $in", {"config.lr": {"$in": [0.001, 0.2]}}, runs(2, 7, 10)),
    ("config $nin", {"config.lr": {"$nin": [0.001, 0.2]}}, ALL - runs(2, 7, 10)),
    ("config number is not a string", {"config.batch": 32}, runs(1)),
    ("config string is not a number", {"config.batch": "32"}, runs(3)),
    ("config $gt skips strings", {"config.batch": {"$gt": 30}}, runs(1, 2, 7)),
    ("config $in mixed types", {"config.batch": {"$in": [32, "32"]}}, runs(1, 3)),
    ("config $regex", {"config.opt": {"$regex": "^[Aa]dam$"}}, runs(1, 6, 7)),
    ("config $regex is case sensitive", {"config.opt": {"$regex": "^adam"}}, runs(1, 6)),
    ("config true is not 1", {"config.flag": True}, runs(1, 9)),
    ("config false", {"config.flag": False}, runs(2)),
    ("config 1 is not true", {"config.flag": 1}, runs(3)),
    ("config 'true' is a string", {"config.flag": "true"}, runs(10)),
    ("config $ne true", {"config.flag": {"$ne": True}}, ALL - runs(1, 9)),
    ("config $in true and 1", {"config.flag": {"$in": [True, 1]}}, runs(1, 3, 9)),
    ("config $gt false", {"config.flag": {"$gt": False}}, runs(1, 9)),
    ("config nested", {"config.nested.depth": 3}, runs(1)),
    ("config nested $gte", {"config.nested.depth": {"$gte": 4}}, runs(12)),
    ("config nested .value", {"config.nested.value.act": "relu"}, runs(1)),
    ("config nested $in", {"config.nested.act": {"$in": ["relu", "gelu"]}}, runs(1, 12)),
    ("config key with spaces", {"config.key with space": "spaced"}, runs(4)),
    ("config key with apostrophe", {"config.it's": 7}, runs(4)),
    ("config key with double quote", {'config.quo"te': "q"}, runs(4)),
    ("config injection-looking key", {"config.x') OR 1=1 --": 1}, runs(4)),
    (
        "config injection-looking key $exists",
        {"config.x') OR 1=1 --": {"$exists": False}},
        ALL - runs(4),
    ),
    ("config missing key", {"config.missing": {"$exists": True}}, set()),
    ("config _wandb", {"config._wandb.cli_version": "0.31.0"}, ALL),
    (
        "config field $not matches missing",
        {"config.lr": {"$not": {"$gt": 0.01}}},
        runs(1, 2, 5, 6, 8, 10, 11),
    ),
    # summary and system metrics
    ("summary $lt", {"summary_metrics.loss": {"$lt": 0.3}}, runs(4, 10, 12)),
    ("summaryMetrics $lte", {"summaryMetrics.loss": {"$lte": 0.3}}, runs(2, 4, 10, 12)),
    ("summary. string", {"summary.loss": "high"}, runs(3)),
    ("summary $gt skips strings", {"summary_metrics.loss": {"$gt": 0.5}}, runs(7, 9)),
    ("summary nested", {"summary_metrics.eval.acc": {"$gte": 0.75}}, runs(2, 11, 12)),
    (
        "summary nested $exists false",
        {"summary_metrics.eval.acc": {"$exists": False}},
        runs(3, 4, 5, 6, 8, 9, 10),
    ),
    ("summary null", {"summary_metrics.acc": None}, runs(3, 4, 5, 8, 11)),
    ("summary true", {"summary_metrics.converged": True}, runs(9)),
    ("summary false", {"summary_metrics.converged": False}, runs(10)),
    ("summary non-ASCII and spaced keys", {"summary_metrics.é.x y": 3}, runs(4)),
    ("summary non-ASCII $ne", {"summary_metrics.é.x y": {"$ne": 3}}, ALL - runs(4)),
    ("summary non-ASCII $exists", {"summary_metrics.é.x y": {"$exists": True}}, runs(4)),
    ("summary deep path", {"summary_metrics.dotted.a.b": 1}, runs(4)),
    ("system nested", {"system_metrics.gpu.util": {"$gte": 80}}, runs(1, 2)),
    ("system flat", {"system_metrics.cpu": {"$lt": 60}}, runs(1, 2)),
    # logic
    ("implicit AND", {"state": "finished", "username": "ada"}, runs(1, 2, 10)),
    (
        "official client example",
        {"state": "finished", "config.lr": {"$gt": 0.01}},
        runs(9, 12),
    ),
    (
        "$and",
        {"$and": [{"state": "finished"}, {"config.lr": {"$lt": 0.01}}]},
        runs(2, 10),
    ),
    ("$or", {"$or": [{"state": "crashed"}, {"tags": "best"}]}, runs(3, 10, 12)),
    ("$nor", {"$nor": [{"state": "finished"}, {"tags": "exp"}]}, runs(3, 6, 7, 8)),
    ("$not filter", {"$not": {"state": "finished"}}, runs(3, 4, 5, 6, 7, 8, 11)),
    (
        "$not matches missing",
        {"$not": {"config.lr": {"$gt": 0.01}}},
        runs(1, 2, 5, 6, 8, 10, 11),
    ),
    (
        "nested logic",
        {
            "$or": [
                {"$and": [{"username": "bob"}, {"summary_metrics.loss": {"$lt": 0.3}}]},
                {"$not": {"$or": [{"state": "finished"}, {"heartbeatAt": None}]}},
            ]
        },
        runs(4, 5, 6, 7, 12),
    ),
    (
        "field operators with $not",
        {"summary_metrics.loss": {"$gte": 0.2, "$not": {"$gte": 0.5}}},
        runs(2, 4, 11, 12),
    ),
    ("empty $and", {"$and": []}, ALL),
    ("empty $or", {"$or": []}, set()),
    ("empty $nor", {"$nor": []}, ALL),
    ("UI's empty filter", {"$or": [{"$and": []}]}, ALL),
    ("$and of empty filter", {"$and": [{}]}, ALL),
    ("logic beside a field", {"state": "finished", "$or": [{"host": "h1"}]}, runs(1, 12)),
]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [pytest.param(filters, expected, id=name) for name, filters, expected in FILTER_CASES],
)
def test_filter_selects_exactly_the_expected_runs(
    conn: sqlite3.Connection, filters: object, expected: set[str]
) -> None:
    names = select_names(conn, filters)
    assert len(names) == len(set(names))
    assert set(names) == expected


@pytest.mark.parametrize(
    "filters", [pytest.param(filters, id=name) for name, filters, _ in FILTER_CASES]
)
def test_client_validator_accepts_every_filter_the_server_runs(filters: object) -> None:
    assert validate_run_filters(filters) == (filters or None)


def test_no_filter_compiles_to_true() -> None:
    assert compile_run_filters(None) == SqlFragment("1", ())
    assert compile_run_filters({}) == SqlFragment("1", ())


def test_user_text_is_bound_as_parameters_never_spliced_into_sql() -> None:
    fragment = compile_run_filters(
        {"config.x') OR 1=1 --": "y' OR '1'='1", "name": {"$regex": "a'; DROP TABLE runs"}}
    )
    assert "OR 1=1" not in fragment.sql
    assert "DROP" not in fragment.sql
    assert fragment.sql.count("?") == len(fragment.params)
    assert "y' OR '1'='1" in fragment.params


def test_compiled_filters_are_self_contained_expressions(conn: sqlite3.Connection) -> None:
    fragment = compile_run_filters({"$or": [{"state": "finished"}, {"tags": "v2"}]})
    assert fragment.sql.startswith("(") and fragment.sql.endswith(")")
    # The run in project 2 matches both branches; precedence must keep it out.
    assert "other" not in select_names(conn, {"$or": [{"state": "finished"}, {"tags": "v2"}]})


def test_long_in_lists_use_one_parameter(conn: sqlite3.Connection) -> None:
    # More than the 999 bound variables older SQLite builds allow, at the $in limit.
    names = [f"nope{i}" for i in range(MAX_IN_VALUES - 1)] + ["run07"]
    fragment = compile_run_filters({"name": {"$in": names}})
    assert len(fragment.params) == 1
    assert select_names(conn, {"name": {"$in": names}}) == ["run07"]


def test_nesting_up_to_the_limit_is_accepted(conn: sqlite3.Connection) -> None:
    filters: dict[str, Any] = {"state": "finished"}
    for _ in range(MAX_DEPTH - 1):
        filters = {"$not": filters}
    # An odd number of negations (31) inverts the condition.
    assert set(select_names(conn, filters)) == ALL - runs(1, 2, 9, 10, 12)


def test_nesting_past_the_limit_is_rejected() -> None:
    filters: dict[str, Any] = {"state": "finished"}
    for _ in range(MAX_DEPTH):
        filters = {"$not": filters}
    with pytest.raises(FilterError, match="nested deeper than 32 levels"):
        compile_run_filters(filters)


def test_very_deep_json_fails_cleanly_not_with_recursion_error() -> None:
    filters: dict[str, Any] = {"state": "x"}
    for _ in range(5000):
        filters = {"$and": [filters]}
    with pytest.raises(FilterError, match="nested deeper"):
        compile_run_filters(filters)


BAD_FILTERS: list[tuple[object, str]] = [
    ("state=finished", "filters: expected an object of conditions, got str 'state=finished'"),
    ([{"state": "x"}], "filters: expected an object of conditions, got list"),
    ({"$and": {"state": "x"}}, "filters['$and']: expected a list of filters, got dict"),
    ({"$or": "x"}, "filters['$or']: expected a list of filters, got str 'x'"),
    ({"$and": ["x"]}, "filters['$and'][0]: expected an object of conditions, got str 'x'"),
    ({"$not": [{"state": "x"}]}, "filters['$not']: expected an object of conditions, got list"),
    ({"$foo": 1}, "filters: unknown operator '$foo'; expected one of $and, $or, $nor, $not"),
    ({"$gt": 1}, "filters: '$gt' compares a field and belongs inside one"),
    ({"state": {"$gte2": "x"}}, "filters['state']: unknown operator '$gte2'; expected one of $eq"),
    ({"state": {"$and": [1]}}, "filters['state']: '$and' combines whole filters"),
    ({"state": {}}, "filters['state']: empty operator object"),
    ({"state": {"$eq": "x", "a": 1}}, "filters['state']: expected an operator object"),
    ({"state": {"$in": "finished"}}, "filters['state']['$in']: expected a list of values"),
    ({"state": {"$nin": None}}, "filters['state']['$nin']: expected a list of values"),
    ({"state": {"$regex": 5}}, "filters['state']['$regex']: expected a regular expression"),
    ({"state": {"$regex": "("}}, "filters['state']['$regex']: invalid regular expression '('"),
    ({"state": {"$exists": 1}}, "filters['state']['$exists']: expected true or false"),
    ({"state": {"$not": "x"}}, "filters['state']['$not']: expected an operator object"),
    ({"state": 1}, "filters['state']: expected a string, got int 1"),
    ({"state": True}, "filters['state']: expected a string, got bool True"),
    ({"state": ["a"]}, "filters['state']: expected a string, got list"),
    ({"state": {"$gt": None}}, "filters['state']['$gt']: cannot compare 'state' with null"),
    ({"state": {"$in": ["a", 1]}}, "filters['state']['$in'][1]: expected a string, got int 1"),
    ({"tags": 1}, "filters['tags']: expected a string, got int 1"),
    ({"duration": "1h"}, "filters['duration']: expected a number of seconds, got str '1h'"),
    ({"duration": {"$regex": "1"}}, "filters['duration']['$regex']: $regex needs a string field"),
    ({"createdAt": "yesterday"}, "filters['createdAt']: expected an ISO-8601 time"),
    ({"createdAt": "2026-13-01"}, "filters['createdAt']: str '2026-13-01' is not a valid time"),
    ({"createdAt": True}, "filters['createdAt']: expected an ISO-8601 time"),
    ({"createdAt": 1e20}, "filters['createdAt']: float 1e+20 is not a valid time"),
    ({"config.lr": {"$gt": float("nan")}}, "filters['config.lr']['$gt']: NaN and infinity"),
    ({"config.lr": float("inf")}, "filters['config.lr']: NaN and infinity"),
    ({"config.lr": 2**63}, "filters['config.lr']: integer 9223372036854775808 is outside"),
    ({"config.lr": [1, 2]}, "(use $in to match any of several values)"),
    ({"config.lr": {"$eq": {"a": 1}}}, "filters['config.lr']['$eq']: expected a number, string"),
    ({"config.lr": {"$in": [[1]]}}, "filters['config.lr']['$in'][0]: expected a number"),
    ({"foo": 1}, "filters: unknown field 'foo'; expected one of name, displayName"),
    ({"summary": 1}, "filters: field 'summary' needs a key, like 'summary.<key>'"),
    ({"config.": 1}, "filters: field 'config.' has an empty key"),
    ({"summary_metrics.a..b": 1}, "filters: field 'summary_metrics.a..b' has an empty key"),
    ({"$or": [{"ok": 1}]}, "filters['$or'][0]: unknown field 'ok'"),
    ({1: "x"}, "filters: keys must be strings, got int 1"),
]


@pytest.mark.parametrize(("filters", "message"), BAD_FILTERS)
def test_bad_filters_raise_filter_error_naming_the_place(filters: object, message: str) -> None:
    with pytest.raises(FilterError) as caught:
        compile_run_filters(filters)
    assert message in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_unknown_field_error_lists_every_accepted_field() -> None:
    with pytest.raises(FilterError) as caught:
        compile_run_filters({"stat": "x"})
    message = str(caught.value)
    for field in ("createdAt", "heartbeat_at", "duration", "username", "sweep", "tags"):
        assert field in message
    for prefix in ("config.", "summary_metrics.", "summaryMetrics.", "system_metrics."):
        assert prefix in message


# -- order -----------------------------------------------------------------------------------

ORDER_CASES: list[tuple[str | None, list[int]]] = [
    (None, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ("", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ("+created_at", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ("createdAt", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ("-created_at", [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]),
    (" -createdAt ", [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]),
    ("updated_at", [2, 1, 3, 4, 5, 6, 7, 8, 11, 10, 9, 12]),
    ("-updatedAt", [12, 9, 10, 11, 8, 7, 6, 5, 4, 3, 1, 2]),
    ("heartbeat_at", [2, 1, 4, 5, 6, 7, 10, 9, 12, 3, 8, 11]),
    ("-heartbeatAt", [12, 9, 10, 7, 6, 5, 4, 1, 2, 11, 8, 3]),
    ("name", [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    ("-name", [12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1]),
    ("display_name", [1, 2, 5, 7, 3, 9, 10, 11, 12, 8, 6, 4]),
    ("-displayName", [6, 8, 12, 11, 10, 9, 3, 7, 5, 2, 1, 4]),
    ("state", [3, 5, 1, 2, 9, 10, 12, 6, 8, 7, 11, 4]),
    ("-state", [4, 11, 7, 8, 6, 12, 10, 9, 2, 1, 5, 3]),
    ("duration", [5, 4, 10, 2, 7, 1, 12, 6, 9, 3, 8, 11]),
    ("-duration", [9, 6, 12, 1, 7, 2, 10, 4, 5, 11, 8, 3]),
    ("summary_metrics.loss", [10, 4, 12, 2, 11, 1, 6, 7, 9, 3, 5, 8]),
    ("-summary_metrics.loss", [3, 9, 7, 6, 1, 11, 2, 12, 4, 10, 8, 5]),
    ("config.lr", [2, 10, 1, 6, 11, 12, 4, 3, 7, 9, 5, 8]),
    ("-config.lr.value", [9, 7, 3, 4, 12, 11, 6, 1, 10, 2, 8, 5]),
    ("summary_metrics.eval.acc", [7, 1, 11, 2, 12, 3, 4, 5, 6, 8, 9, 10]),
    ("-summary_metrics.eval.acc", [12, 2, 11, 1, 7, 10, 9, 8, 6, 5, 4, 3]),
    ("-system_metrics.gpu.util", [2, 1, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3]),
    ("-config.key with space", [4, 12, 11, 10, 9, 8, 7, 6, 5, 3, 2, 1]),
    ('config.quo"te', [4, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]),
    ("summary_metrics.é.x y", [4, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]),
    ("config.x') OR 1=1 --", [4, 1, 2, 3, 5, 6, 7, 8, 9, 10, 11, 12]),
    ("username", [1, 2, 8, 10, 3, 4, 9, 12, 6, 7, 11, 5]),
    ("sweep", [2, 3, 4, 9, 1, 5, 6, 7, 8, 10, 11, 12]),
]


@pytest.mark.parametrize(("order", "expected"), ORDER_CASES)
def test_order_sorts_runs_with_nulls_last_and_pk_breaking_ties(
    conn: sqlite3.Connection, order: str | None, expected: list[int]
) -> None:
    assert select_names(conn, None, order) == [f"run{n:02d}" for n in expected]


def test_order_combines_with_a_filter(conn: sqlite3.Connection) -> None:
    names = select_names(conn, {"state": "finished"}, "-summary_metrics.loss")
    assert names == ["run09", "run01", "run02", "run12", "run10"]


@pytest.mark.parametrize("order", [o for o, _ in ORDER_CASES])
def test_order_ends_with_the_pk_in_the_direction_of_the_first_term(order: str | None) -> None:
    terms = compile_run_order(order)
    assert terms[-1].sql == "r.pk"
    assert all(term.descending == terms[0].descending for term in terms)
    assert terms[0].descending == (order or "").strip().startswith("-")


def test_order_on_a_column_that_is_never_null_has_no_null_flag() -> None:
    assert compile_run_order("-state") == [OrderTerm("r.state", True), OrderTerm("r.pk", True)]


def test_order_on_a_nullable_field_leads_with_a_null_flag() -> None:
    ascending = compile_run_order("config.lr")
    descending = compile_run_order("-config.lr")
    assert ascending[0].sql.endswith("IS NULL)") and not ascending[0].descending
    assert descending[0].sql.endswith("IS NOT NULL)") and descending[0].descending
    assert len(ascending) == len(descending) == 3


@pytest.mark.parametrize(
    ("order", "message"),
    [
        ("tags", "order: cannot order by 'tags', a list"),
        ("foo", "order: unknown field 'foo'; expected one of name"),
        ("-", "order: '-' names no field"),
        ("+", "order: '+' names no field"),
        ("config", "order: field 'config' needs a key"),
        ("config.", "order: field 'config.' has an empty key"),
        ("summary_metrics..x", "has an empty key"),
        ("config.a\x00b", "NUL character"),
        (5, "order: expected a string like '-created_at', got int 5"),
    ],
)
def test_bad_orders_raise_filter_error(order: Any, message: str) -> None:
    with pytest.raises(FilterError) as caught:
        compile_run_order(order)
    assert message in str(caught.value)


# -- REGEXP ----------------------------------------------------------------------------------


def test_regexp_function_searches_and_treats_null_as_no_match() -> None:
    connection = sqlite3.connect(":memory:")
    register_sql_functions(connection)
    row = connection.execute(
        "SELECT REGEXP('b+', 'abbc'), REGEXP('^b', 'abc'), REGEXP('x', NULL), "
        "'abc' REGEXP '^a', REGEXP('1', 12)"
    ).fetchone()
    assert row == (1, 0, 0, 1, 1)
    connection.close()
