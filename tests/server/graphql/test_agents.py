"""Sweep agents over GraphQL: ``Sweep.agents``, ``Sweep.agent`` and an agent's runs, through
the official documents; the store's heartbeats and run lists."""

from __future__ import annotations

from typing import Any

import pytest

from wandbkit.server.store import StoreError, UnknownRowError
from wandbkit.server.testing import add_run

from ..conftest import Data, PostGraphQL, ServerApp, official_document


@pytest.fixture
def sweep(server_app: ServerApp) -> dict[str, Any]:
    """demo/vision with sweep "sw1" of four runs; agent "a1" ran two, "a2" one, "a3" none."""
    store = server_app.store
    runs = [add_run(store, "demo/vision", f"r{i}", sweep_name="sw1") for i in range(4)]
    project = store.projects.get(store.entities.get("demo").pk, "vision")
    assert project is not None
    row = store.sweeps.create(project.pk, "sw1", config="method: grid\n", method="grid")
    a1 = store.agents.create(row.pk, "a1", host="gpu-1", created_at="2026-01-01T00:00:00Z")
    a2 = store.agents.create(row.pk, "a2", host="gpu-2")
    store.agents.create(row.pk, "a3", host="gpu-3", state="FAILED")
    for run in runs[:2]:
        store.agents.add_run(a1.pk, run.pk)
    store.agents.add_run(a1.pk, runs[0].pk)  # again: no double count
    store.agents.add_run(a2.pk, runs[3].pk)
    store.agents.heartbeat(a1.pk, at="2026-01-02T00:00:00Z", state="FINISHED")
    return {"sweep": row, "runs": runs, "a1": a1}


async def test_a_sweep_lists_its_agents(gql: PostGraphQL, data: Data, sweep: Any) -> None:
    variables = {"sweep": "sw1", "entity": "demo", "project": "vision"}
    found = data(await gql(official_document("GetSweepAgents"), variables))
    agents = [e["node"] for e in found["project"]["sweep"]["agents"]["edges"]]
    assert [(a["name"], a["host"], a["state"], a["totalRuns"]) for a in agents] == [
        ("a1", "gpu-1", "FINISHED", 2),
        ("a2", "gpu-2", "RUNNING", 1),
        ("a3", "gpu-3", "FAILED", 0),
    ]
    assert agents[0]["createdAt"] == "2026-01-01T00:00:00.000000Z"
    assert agents[0]["heartbeatAt"] == "2026-01-02T00:00:00.000000Z"


async def test_one_agent_and_its_runs(gql: PostGraphQL, data: Data, sweep: Any) -> None:
    variables = {"agentID": "a1", "sweep": "sw1", "entity": "demo", "project": "vision"}
    one = data(await gql(official_document("GetSweepAgent"), variables))
    assert one["project"]["sweep"]["agent"]["name"] == "a1"
    missing = data(await gql(official_document("GetSweepAgent"), {**variables, "agentID": "zz"}))
    assert missing["project"]["sweep"]["agent"] is None
    runs = data(await gql(official_document("GetAgentRuns"), {**variables, "order": "-created_at"}))
    page = runs["project"]["sweep"]["agent"]["runs"]
    assert [e["node"]["name"] for e in page["edges"]] == ["r1", "r0"]
    first = data(await gql(official_document("GetAgentRuns"), {**variables, "first": 1}))
    assert first["project"]["sweep"]["agent"]["runs"]["pageInfo"]["hasNextPage"] is True
    idle = data(await gql(official_document("GetAgentRuns"), {**variables, "agentID": "a3"}))
    assert idle["project"]["sweep"]["agent"]["runs"]["edges"] == []


def test_the_store_refuses_bad_agents(server_app: ServerApp, sweep: Any) -> None:
    agents = server_app.store.agents
    with pytest.raises(StoreError, match="agent state must be one of"):
        agents.create(sweep["sweep"].pk, host="h", state="DANCING")
    with pytest.raises(StoreError, match="needs a host"):
        agents.create(sweep["sweep"].pk, host=" ")
    with pytest.raises(UnknownRowError):
        agents.create(9999, host="h")
    with pytest.raises(StoreError, match="exists in this sweep"):
        agents.create(sweep["sweep"].pk, "a1", host="h")
    with pytest.raises(UnknownRowError):
        agents.heartbeat(9999)
    # Deleting a run takes it out of its agent's runs.
    server_app.store.runs.delete(sweep["runs"][0].pk)
    assert agents.run_pks(sweep["a1"].pk) == [sweep["runs"][1].pk]
