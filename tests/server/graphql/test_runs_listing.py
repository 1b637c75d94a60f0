"""Listing runs: relay pages under every order, stable while runs change, filters and counts."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from graphql import GraphQLObjectType

from wandbkit.server.ids import decode_id, encode_cursor
from wandbkit.server.schema import build_executable_schema
from wandbkit.server.store import RunRow
from wandbkit.server.testing import add_run

from ..conftest import Data, PostGraphQL, ServerApp
from ..runs_support import (
    PATH,
    RUN,
    RUNS,
    error_of,
    make_runs,
    project_pk,
    variables,
)
from .test_non_null_fields import selection


@pytest.fixture
def runs(server_app: ServerApp) -> list[RunRow]:
    return make_runs(server_app)


async def walk(
    gql: PostGraphQL,
    data: Data,
    per_page: int,
    *,
    order: str | None = None,
    filters: Any = None,
    between_pages: Callable[[int], None] = lambda _: None,
    use_end_cursor: bool = False,
) -> list[str]:
    """Page through the runs as a client does; returns the names in order."""
    names: list[str] = []
    cursor = None
    for page in range(100):
        body = data(
            await gql(
                RUNS,
                variables(
                    cursor=cursor,
                    perPage=per_page,
                    order=order,
                    filters=json.dumps(filters) if filters is not None else None,
                ),
            )
        )
        connection = body["project"]["runs"]
        edges = connection["edges"]
        names += [edge["node"]["name"] for edge in edges]
        assert len(edges) <= per_page
        if edges:
            assert connection["pageInfo"]["endCursor"] == edges[-1]["cursor"]
        if not connection["pageInfo"]["hasNextPage"]:
            return names
        # The official client continues from the last edge's cursor; both must work.
        cursor = connection["pageInfo"]["endCursor"] if use_end_cursor else edges[-1]["cursor"]
        between_pages(page)
    raise AssertionError("pagination did not end")


def by_day(*days: int) -> list[str]:
    return [f"aaaa000{day}" for day in days]


EXPECTED_ORDERS: dict[str | None, list[str]] = {
    None: by_day(1, 2, 3, 4, 5, 6, 7),
    "+created_at": by_day(1, 2, 3, 4, 5, 6, 7),
    "-created_at": by_day(7, 6, 5, 4, 3, 2, 1),
    # Missing values sort last both ways; equal values tie-break by row id in the same
    # direction as the order.
    "+summary_metrics.loss": by_day(5, 2, 7, 4, 1, 6, 3),
    "-summary_metrics.loss": by_day(6, 1, 4, 7, 2, 5, 3),
    "config.lr": by_day(3, 5, 2, 7, 4, 1, 6),
    "-config.lr": by_day(6, 1, 4, 7, 2, 5, 3),
}
MORE_ORDERS = ["+state", "-state", "-heartbeat_at", "+displayName", "-config.model", "+name"]


@pytest.mark.parametrize("per_page", [1, 2, 3])
@pytest.mark.parametrize("order", [*EXPECTED_ORDERS, *MORE_ORDERS])
async def test_walking_every_page_under_every_order_sees_each_run_once_in_order(
    gql: PostGraphQL,
    data: Data,
    server_app: ServerApp,
    runs: list[RunRow],
    order: str | None,
    per_page: int,
) -> None:
    names = await walk(gql, data, per_page, order=order)
    expected = [
        r.name for r in server_app.store.run_listing.list(project_pk(server_app.store), order=order)
    ]
    assert names == expected
    assert sorted(names) == sorted(r.name for r in runs)
    if order in EXPECTED_ORDERS:
        assert names == EXPECTED_ORDERS[order]


async def test_end_cursor_and_edge_cursors_both_continue_a_listing(
    gql: PostGraphQL, data: Data, runs: list[RunRow]
) -> None:
    assert await walk(gql, data, 2, use_end_cursor=True) == by_day(1, 2, 3, 4, 5, 6, 7)
    first = data(await gql(RUNS, variables(perPage=3)))["project"]["runs"]
    middle = first["edges"][0]["cursor"]
    after_middle = data(await gql(RUNS, variables(perPage=3, cursor=middle)))["project"]["runs"]
    assert [e["node"]["name"] for e in after_middle["edges"]] == by_day(2, 3, 4)
    assert after_middle["pageInfo"]["hasNextPage"] is True


async def test_pages_stay_stable_while_runs_are_created_updated_and_deleted(
    gql: PostGraphQL, data: Data, server_app: ServerApp, runs: list[RunRow]
) -> None:
    store = server_app.store
    by_name = {run.name: run for run in runs}
    before = EXPECTED_ORDERS["-summary_metrics.loss"]

    def meddle(page: int) -> None:
        if page == 0:
            # A new run that sorts first, before everything already seen; a seen run moved to
            # the end and an unseen one to the front.
            add_run(store, PATH, "newcomer", summary={"loss": 99.0})
            store.runs.update(by_name[before[0]].pk, summary={"loss": 0.0})
            store.runs.update(by_name[before[-1]].pk, summary={"loss": 50.0})
        elif page == 1:
            store.runs.delete(by_name[before[5]].pk)  # not seen yet

    names = await walk(gql, data, 2, order="-summary_metrics.loss", between_pages=meddle)
    assert names == [name for name in before if name != before[5]]
    # A new listing sees the changes.
    fresh = await walk(gql, data, 2, order="-summary_metrics.loss")
    assert fresh[:2] == ["newcomer", before[-1]] and fresh[-1] == before[0]


async def test_a_page_skips_runs_deleted_since_and_still_fills_up(
    gql: PostGraphQL, data: Data, server_app: ServerApp, runs: list[RunRow]
) -> None:
    first = data(await gql(RUNS, variables(perPage=2)))["project"]["runs"]
    for run in runs[2:5]:
        server_app.store.runs.delete(run.pk)
    cursor = first["edges"][-1]["cursor"]
    rest = data(await gql(RUNS, variables(perPage=2, cursor=cursor)))["project"]["runs"]
    assert [e["node"]["name"] for e in rest["edges"]] == by_day(6, 7)
    assert rest["pageInfo"]["hasNextPage"] is False


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        encode_cursor(1),  # a projects cursor
        encode_cursor(987654, 0),  # no such snapshot
        encode_cursor(1, -1),
    ],
)
async def test_a_foreign_or_unknown_cursor_is_an_invalid_cursor_error(
    gql: PostGraphQL, runs: list[RunRow], cursor: str
) -> None:
    error = error_of(await gql(RUNS, variables(perPage=2, cursor=cursor)))
    assert error["extensions"]["code"] == "INVALID_CURSOR"
    assert error["path"] == ["project", "runs"]


async def test_a_cursor_expires_and_belongs_to_its_own_query(
    gql: PostGraphQL, data: Data, server_app: ServerApp, runs: list[RunRow]
) -> None:
    store = server_app.store
    cursor = data(await gql(RUNS, variables(perPage=2)))["project"]["runs"]["pageInfo"]["endCursor"]
    other = await gql(RUNS, variables(perPage=2, cursor=cursor, order="-created_at"))
    assert "another listing" in error_of(other)["message"]
    assert error_of(other)["extensions"]["code"] == "INVALID_CURSOR"
    later = datetime.now(timezone.utc) + timedelta(days=2)
    store.clock = lambda: later
    expired = error_of(await gql(RUNS, variables(perPage=2, cursor=cursor)))
    assert expired["extensions"]["code"] == "INVALID_CURSOR" and "expired" in expired["message"]


async def test_page_size_defaults_to_50_and_is_clamped_to_1000(
    gql: PostGraphQL, data: Data, server_app: ServerApp, runs: list[RunRow]
) -> None:
    for i in range(50):
        add_run(server_app.store, PATH, f"bulk{i:04d}")
    default = data(await gql(RUNS, variables()))["project"]["runs"]
    assert len(default["edges"]) == 50 and default["pageInfo"]["hasNextPage"] is True
    huge = data(await gql(RUNS, variables(perPage=5000)))["project"]["runs"]
    assert len(huge["edges"]) == 57 and huge["pageInfo"]["hasNextPage"] is False
    negative = error_of(await gql(RUNS, variables(perPage=-1)))
    assert negative["extensions"]["code"] == "BAD_USER_INPUT"


async def test_bad_filters_and_orders_are_bad_user_input_errors(
    gql: PostGraphQL, runs: list[RunRow]
) -> None:
    query = """
    query ($filters: JSONString, $order: String) {
      project(name: "runs-test", entityName: "demo") {
        name
        runs(filters: $filters, order: $order) { edges { node { name } } }
      }
    }
    """
    for bad in ({"filters": '{"nope.x": 1}'}, {"order": "-tags"}, {"filters": '{"$gt": 1}'}):
        response = await gql(query, bad)
        error = error_of(response)
        assert error["extensions"]["code"] == "BAD_USER_INPUT"
        assert response.json()["data"] == {"project": {"name": "runs-test", "runs": None}}
    count = error_of(await gql(RUNS, variables(filters='{"state": {"$nope": 1}}')))
    assert count["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, by_day(1, 2, 3, 4, 5, 6, 7)),
        ({"state": "finished"}, by_day(1, 2, 4, 7)),
        ({"config.lr": {"$gt": 0.01}}, by_day(1, 4, 6, 7)),
        ({"state": "finished", "config.lr": {"$gt": 0.01}}, by_day(1, 4, 7)),
        ({"summary_metrics.loss": {"$lte": 0.2}}, by_day(2, 5, 7)),
        ({"tags": "baseline"}, by_day(1, 3, 7)),
        ({"$or": [{"state": "crashed"}, {"state": "failed"}]}, by_day(3, 6)),
        ({"display_name": {"$regex": "^aaaa000[12]$"}}, by_day(1, 2)),
        ({"createdAt": {"$gte": "2024-01-06T00:00:00"}}, by_day(6, 7)),
    ],
)
async def test_filters_select_runs_and_run_count_agrees(
    gql: PostGraphQL,
    data: Data,
    runs: list[RunRow],
    filters: dict[str, Any],
    expected: list[str],
) -> None:
    assert await walk(gql, data, 2, filters=filters) == expected
    body = data(await gql(RUNS, variables(perPage=1, filters=json.dumps(filters))))
    assert body["project"]["runCount"] == len(expected)


async def test_sweep_runs_are_found_by_sweep_name_and_names_select_runs(
    gql: PostGraphQL, data: Data, server_app: ServerApp, runs: list[RunRow]
) -> None:
    add_run(server_app.store, PATH, "swept01", sweep_name="sw33p")
    assert await walk(gql, data, 5, filters={"$and": [{"sweep": "sw33p"}]}) == ["swept01"]
    query = """
    { project(name: "runs-test", entityName: "demo") {
        runs(names: ["aaaa0003", "aaaa0001", null]) { edges { node { name } } } } }
    """
    edges = data(await gql(query))["project"]["runs"]["edges"]
    assert [e["node"]["name"] for e in edges] == by_day(1, 3)


async def test_a_missing_run_or_project_is_null(
    gql: PostGraphQL, data: Data, runs: list[RunRow]
) -> None:
    assert data(await gql(RUN % "name", variables(name="nope"))) == {"project": {"run": None}}
    missing = variables(name="x", project="no-such-project")
    assert data(await gql(RUN % "name", missing)) == {"project": None}


async def test_run_fields_have_the_shapes_the_official_client_reads(
    gql: PostGraphQL, data: Data, server_app: ServerApp, runs: list[RunRow]
) -> None:
    fields = """
      id name displayName state tags group jobType sweepName commit readOnly createdAt
      heartbeatAt description notes historyLineCount projectId fileCount
      config summaryMetrics systemMetrics historyKeys
      user { name username } project { name entityName }
    """
    run = data(await gql(RUN % fields, variables(name="aaaa0001")))["project"]["run"]
    assert decode_id(run["id"], "Run") == ("Run", str(runs[0].pk))
    assert int(run["projectId"]) == project_pk(server_app.store)
    assert run["name"] == run["displayName"] == "aaaa0001"
    assert json.loads(run["config"]) == {
        "lr": {"value": 0.1, "desc": None},
        "model": {"value": "m1", "desc": None},
    }
    assert json.loads(run["summaryMetrics"]) == {"loss": 0.5}
    assert json.loads(run["systemMetrics"]) == {}
    assert run["historyKeys"] == {"lastStep": -1, "keys": {}}
    assert run["tags"] == ["baseline"] and run["state"] == "finished"
    assert run["createdAt"] == "2024-01-01T00:00:00.000000Z"
    assert run["user"] == {"name": "Demo", "username": "demo"}
    assert run["project"] == {"name": "runs-test", "entityName": "demo"}
    assert run["readOnly"] is False and run["fileCount"] == 0


async def test_config_and_summary_keys_are_selected_server_side(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    add_run(
        server_app.store,
        PATH,
        "keyed",
        config={"lr": 0.1, "bs": 64, "opt": "adam"},
        summary={"loss": 0.2, "acc": 0.9, "eval": {"loss": 0.3}},
    )
    fields = 'config(keys: ["lr", "opt", "missing"]) summaryMetrics(keys: ["eval", "acc"])'
    run = data(await gql(RUN % fields, variables(name="keyed")))["project"]["run"]
    assert json.loads(run["config"]) == {
        "lr": {"value": 0.1, "desc": None},
        "opt": {"value": "adam", "desc": None},
    }
    assert json.loads(run["summaryMetrics"]) == {"eval": {"loss": 0.3}, "acc": 0.9}
    empty = data(await gql(RUN % "config(keys: [])", variables(name="keyed")))
    assert json.loads(empty["project"]["run"]["config"]) == {}


async def test_runs_of_an_entity_the_viewer_cannot_write_are_read_only(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    store = server_app.store
    mallory = store.accounts.create_user("mallory")
    # A public project: readable by anyone, writable by its entity's members only.
    store.projects.upsert(mallory.entity_pk, "public", creator_pk=mallory.pk, access="USER_READ")
    add_run(store, "mallory/public", "theirs")
    run = data(
        await gql(RUN % "readOnly", {"entity": "mallory", "project": "public", "name": "theirs"})
    )
    assert run["project"]["run"]["readOnly"] is True


async def test_every_run_and_file_field_resolves_without_errors(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    add_run(
        server_app.store,
        PATH,
        "everything",
        config={"lr": 0.1},
        history=[{"loss": 1.0}, {"loss": 0.5}],
        files={"a.txt": b"a"},
    )
    schema = build_executable_schema()
    run_type, file_type = schema.get_type("Run"), schema.get_type("File")
    assert isinstance(run_type, GraphQLObjectType) and isinstance(file_type, GraphQLObjectType)
    run_fields = selection(run_type, 0)[1:-1]
    file_fields = selection(file_type, 0)[1:-1]
    fields = f"{run_fields} more: files {{ edges {{ node {{ {file_fields} }} }} }}"
    run = data(await gql(RUN % fields, variables(name="everything")))["project"]["run"]
    assert run["name"] == "everything" and run["more"]["edges"][0]["node"]["name"] == "a.txt"


async def test_a_page_of_runs_loads_its_users_and_project_once(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    store = server_app.store
    for i in range(4):
        store.accounts.create_user(f"member{i}")
        add_run(store, PATH, f"by{i}", username=f"member{i}")
    add_run(store, PATH, "mine")  # the owner of the personal entity, demo
    statements: list[str] = []
    store.db.connection.set_trace_callback(statements.append)
    try:
        query = RUNS.replace("node { name }", "node { name user { username } project { name } }")
        edges = data(await gql(query, variables()))["project"]["runs"]["edges"]
    finally:
        store.db.connection.set_trace_callback(None)
    users = {edge["node"]["name"]: edge["node"]["user"]["username"] for edge in edges}
    assert users == {**{f"by{i}": f"member{i}" for i in range(4)}, "mine": "demo"}
    assert all(edge["node"]["project"] == {"name": "runs-test"} for edge in edges)
    assert len([s for s in statements if s.startswith("SELECT * FROM users")]) == 1
    assert not [s for s in statements if s.startswith("SELECT * FROM projects WHERE id")]
