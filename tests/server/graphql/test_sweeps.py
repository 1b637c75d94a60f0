"""Sweeps: the store, ``Project.sweep``/``sweeps``/``totalSweeps``, the ``Sweep`` type, and
the demo's sweeps."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
import yaml

from wandbkit.server import Store
from wandbkit.server.seed import seed_demo
from wandbkit.server.store import NameConflictError, StoreError, UnknownRowError
from wandbkit.server.testing import add_run

from ..conftest import Data, PostGraphQL, ServerApp
from ..runs_support import PATH, error_of, project_pk, variables

CONFIG = (
    "method: grid\nmetric:\n  name: loss\n  goal: minimize\n"
    "parameters:\n  lr:\n    values: [0.1, 0.01]\n"
)

FIELDS = """
  __typename id name displayName method state description bestLoss config createdAt updatedAt
  runCount runCountExpected agents { edges { node { id } } }
"""

SWEEP = (
    "query ($entity: String!, $project: String!, $name: String!) {"
    " project(name: $project, entityName: $entity) { sweep(sweepName: $name) {" + FIELDS + "} } }"
)

SWEEPS = (
    "query ($entity: String!, $project: String!, $first: Int, $after: String,"
    " $filters: JSONString) { project(name: $project, entityName: $entity) { totalSweeps"
    " sweeps(first: $first, after: $after, filters: $filters) {"
    " edges { node { name } } pageInfo { endCursor hasNextPage } } } }"
)


@pytest.fixture
def sweeps(server_app: ServerApp) -> list[str]:
    store = server_app.store
    add_run(store, PATH, "r1", sweep_name="grid1")
    add_run(store, PATH, "r2", sweep_name="grid1")
    add_run(store, PATH, "r3")
    pk = project_pk(store)
    names = []
    for i, name in enumerate(("grid1", "rand2", "bayes3")):
        sweep = store.sweeps.create(
            pk,
            name,
            config=CONFIG,
            method="grid" if i == 0 else "random",
            state="FINISHED" if i == 0 else "RUNNING",
            display_name=f"sweep {i}" if i else None,
            run_count_expected=2 if i == 0 else None,
            best_loss=0.25 if i == 0 else None,
            created_at=f"2025-01-0{i + 1}T00:00:00Z",
        )
        names.append(sweep.name)
    return names


async def test_a_sweep_by_name_has_the_fields_the_official_client_reads(
    gql: PostGraphQL, data: Data, sweeps: list[str]
) -> None:
    sweep = data(await gql(SWEEP, variables(name="grid1")))["project"]["sweep"]
    assert sweep["__typename"] == "Sweep" and sweep["name"] == "grid1"
    assert sweep["method"] == "grid" and sweep["state"] == "FINISHED"
    assert sweep["config"] == CONFIG and sweep["bestLoss"] == 0.25
    assert sweep["runCount"] == 2 and sweep["runCountExpected"] == 2
    assert sweep["displayName"] is None and sweep["description"] is None
    assert sweep["createdAt"].startswith("2025-01-01T00:00:00")
    assert sweep["agents"] == {"edges": []}


async def test_a_missing_sweep_is_null(gql: PostGraphQL, data: Data, sweeps: list[str]) -> None:
    assert data(await gql(SWEEP, variables(name="nope")))["project"]["sweep"] is None


async def test_sweeps_page_in_creation_order_with_their_total(
    gql: PostGraphQL, data: Data, sweeps: list[str]
) -> None:
    seen, cursor = [], None
    while True:
        project = data(await gql(SWEEPS, variables(first=2, after=cursor, filters="{}")))["project"]
        assert project["totalSweeps"] == 3
        page = project["sweeps"]
        seen.append([edge["node"]["name"] for edge in page["edges"]])
        if not page["pageInfo"]["hasNextPage"]:
            break
        cursor = page["pageInfo"]["endCursor"]
    assert seen == [["grid1", "rand2"], ["bayes3"]]


async def test_a_sweeps_filter_this_server_cannot_apply_is_refused(
    gql: PostGraphQL, sweeps: list[str]
) -> None:
    error = error_of(await gql(SWEEPS, variables(first=2, filters='{"state": "RUNNING"}')))
    assert "accepts only an empty filter" in error["message"]


def test_the_store_refuses_bad_sweeps(server_app: ServerApp, sweeps: list[str]) -> None:
    store = server_app.store
    pk = project_pk(store)
    with pytest.raises(NameConflictError):
        store.sweeps.create(pk, "grid1", config=CONFIG, method="grid")
    with pytest.raises(StoreError, match="sweep state must be one of"):
        store.sweeps.create(pk, config=CONFIG, method="grid", state="done")
    with pytest.raises(StoreError, match="needs a method and a config"):
        store.sweeps.create(pk, config="", method="grid")
    with pytest.raises(UnknownRowError):
        store.sweeps.create(10_000, config=CONFIG, method="grid")
    generated = store.sweeps.create(pk, config=CONFIG, method="grid")
    assert len(generated.name) == 8 and generated.name.isalnum()


def test_the_demo_sweeps_hold_their_runs_and_a_yaml_config() -> None:
    store = Store()
    seed_demo(store, now=datetime(2026, 11, 1, tzinfo=timezone.utc))
    rows = store.db.all("SELECT * FROM sweeps")
    assert len(rows) == 2
    for row in rows:
        config: dict[str, Any] = yaml.safe_load(row["config"])
        assert config["method"] == row["method"] == "bayes"
        assert config["metric"] == {"name": "fid", "goal": "minimize"}
        assert all(isinstance(v, float) for v in config["parameters"]["lr"]["values"])
        assert store.run_listing.count(row["project_pk"], filters={"sweep": row["name"]}) >= 5
        assert row["best_loss"] is not None
