"""Changing runs: upsertBucket (create and update), deleteRun, updateRunState, stopRun."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from wandbkit.server.ids import encode_id
from wandbkit.server.store import RunRow
from wandbkit.server.testing import add_run

from ..conftest import Data, PostGraphQL, ServerApp
from ..runs_support import PATH, RUN, error_of, project_pk, variables

UPSERT = """
mutation UpsertBucket($input: UpsertBucketInput!) {
  upsertBucket(input: $input) {
    inserted
    bucket {
      id name displayName state config summaryMetrics tags notes description group jobType
      sweepName commit createdAt user { username } project { name entityName }
    }
  }
}
"""

DELETE = """
mutation DeleteRun($id: ID!, $deleteArtifacts: Boolean) {
  deleteRun(input: {id: $id, deleteArtifacts: $deleteArtifacts, clientMutationId: "c1"}) {
    clientMutationId
  }
}
"""


async def upsert(gql: PostGraphQL, data: Data, **input: Any) -> dict[str, Any]:
    result: dict[str, Any] = data(await gql(UPSERT, {"input": input}))["upsertBucket"]
    return result


async def test_upsert_bucket_creates_a_run_with_everything_given(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    config = {"lr": {"value": 0.1, "desc": None}, "_wandb": {"value": {"t": 1}, "desc": None}}
    result = await upsert(
        gql,
        data,
        entityName="demo-team",
        modelName="fresh",
        name="run00001",
        displayName="resnet-lr1e-1",
        config=json.dumps(config),
        summaryMetrics=json.dumps({"loss": 0.5}),
        tags=["a", "b"],
        notes="n",
        description="d",
        groupName="g",
        jobType="train",
        state="finished",
        sweep="sw33p",
        host="node-1",
        commit="abc123",
    )
    assert result["inserted"] is True
    bucket = result["bucket"]
    assert bucket["name"] == "run00001" and bucket["displayName"] == "resnet-lr1e-1"
    assert json.loads(bucket["config"]) == config  # stored in the wrapped form, as given
    assert json.loads(bucket["summaryMetrics"]) == {"loss": 0.5}
    assert (bucket["tags"], bucket["notes"], bucket["description"]) == (["a", "b"], "n", "d")
    assert (bucket["group"], bucket["jobType"], bucket["state"]) == ("g", "train", "finished")
    assert (bucket["sweepName"], bucket["commit"]) == ("sw33p", "abc123")
    assert bucket["user"] == {"username": "demo"}
    assert bucket["project"] == {"name": "fresh", "entityName": "demo-team"}
    team = server_app.store.entities.get("demo-team")
    assert team is not None
    project = server_app.store.projects.get(team.pk, "fresh")
    assert project is not None  # created on the fly, as W&B does
    run = server_app.store.runs.get(project.pk, "run00001")
    assert run is not None and run.host == "node-1"


async def test_upsert_bucket_defaults_to_a_random_name_in_uncategorized(
    gql: PostGraphQL, data: Data
) -> None:
    first = await upsert(gql, data)
    second = await upsert(gql, data)
    for result in (first, second):
        assert result["inserted"] is True
        assert re.fullmatch(r"[a-z0-9]{8}", result["bucket"]["name"])
        assert result["bucket"]["project"] == {"name": "uncategorized", "entityName": "demo"}
        assert result["bucket"]["state"] == "running"
        assert result["bucket"]["displayName"] == result["bucket"]["name"]
    assert first["bucket"]["name"] != second["bucket"]["name"]


async def test_upsert_bucket_updates_by_id_replacing_summary_and_config(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    run = add_run(
        server_app.store,
        PATH,
        "existing",
        config={"lr": 0.1},
        summary={"loss": 1.0, "acc": 0.5},
        tags=["old"],
        notes="keep me",
    )
    result = await upsert(
        gql,
        data,
        id=encode_id("Run", run.pk),
        summaryMetrics=json.dumps({"loss": 0.25}),
        tags=["new", None],
        displayName="renamed",
    )
    assert result["inserted"] is False
    bucket = result["bucket"]
    assert json.loads(bucket["summaryMetrics"]) == {"loss": 0.25}  # whole summary replaced
    assert json.loads(bucket["config"]) == {"lr": {"value": 0.1, "desc": None}}  # untouched
    assert bucket["tags"] == ["new"] and bucket["notes"] == "keep me"
    assert bucket["displayName"] == "renamed" and bucket["name"] == "existing"
    stored = server_app.store.runs.get_by_pk(run.pk)
    assert stored is not None and stored.updated_at > run.updated_at
    assert stored.created_at == run.created_at


async def test_upsert_bucket_by_name_updates_the_existing_run(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    run = add_run(server_app.store, PATH, "byname")
    result = await upsert(
        gql, data, entityName="demo", modelName="runs-test", name="byname", state="crashed"
    )
    assert result["inserted"] is False
    assert result["bucket"]["id"] == encode_id("Run", run.pk)
    assert result["bucket"]["state"] == "crashed"


@pytest.mark.parametrize(
    ("input", "code"),
    [
        ({"id": "bm9wZQ=="}, "BAD_USER_INPUT"),  # not a Run id
        ({"id": encode_id("Run", 99999)}, "NOT_FOUND"),
        ({"state": "exploded"}, "BAD_USER_INPUT"),
        ({"name": "bad name"}, "BAD_USER_INPUT"),
        ({"modelName": "bad/project"}, "BAD_USER_INPUT"),
        ({"entityName": "nobody"}, "NOT_FOUND"),
        ({"config": "[1, 2]"}, "BAD_USER_INPUT"),
        ({"summaryMetrics": '"text"'}, "BAD_USER_INPUT"),
    ],
)
async def test_upsert_bucket_refuses_bad_input(
    gql: PostGraphQL, input: dict[str, Any], code: str
) -> None:
    error = error_of(await gql(UPSERT, {"input": input}))
    assert error["extensions"]["code"] == code


async def test_upsert_bucket_needs_write_access_to_the_entity(
    gql: PostGraphQL, server_app: ServerApp
) -> None:
    store = server_app.store
    store.accounts.create_user("mallory")
    theirs = add_run(store, "mallory/secret", "theirs")
    for input in (
        {"entityName": "mallory", "modelName": "secret"},
        {"id": encode_id("Run", theirs.pk)},
    ):
        error = error_of(await gql(UPSERT, {"input": {**input, "notes": "mine now"}}))
        assert error["extensions"]["code"] == "PERMISSION_DENIED"
    stored = store.runs.get_by_pk(theirs.pk)
    assert stored is not None and stored.notes is None
    mallory = store.entities.get("mallory")
    assert mallory is not None and store.projects.get(mallory.pk, "uncategorized") is None


async def test_runs_of_a_read_only_project_cannot_change(
    gql: PostGraphQL, server_app: ServerApp
) -> None:
    run = add_run(server_app.store, PATH, "locked")
    with server_app.store.transaction() as conn:
        conn.execute("UPDATE projects SET read_only = 1 WHERE id = ?", (run.project_pk,))
    error = error_of(await gql(UPSERT, {"input": {"id": encode_id("Run", run.pk), "notes": "x"}}))
    assert error["extensions"]["code"] == "PERMISSION_DENIED"


async def test_delete_run_removes_the_run_its_history_files_and_bytes(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    store = server_app.store
    run = add_run(
        store, PATH, "doomed", history=[{"loss": 1.0}] * 5, files={"a.txt": b"a", "b/c.bin": b"c"}
    )
    store.history.append_events(run.pk, [{"system.cpu": 1}])
    kept = add_run(store, PATH, "kept", history=[{"loss": 1.0}], files={"a.txt": b"a"})
    paths = [store.run_files.path(f) for f in store.run_files.list(run.pk)]
    assert all(path.is_file() for path in paths)

    result = data(await gql(DELETE, {"id": encode_id("Run", run.pk), "deleteArtifacts": True}))
    assert result == {"deleteRun": {"clientMutationId": "c1"}}
    assert data(await gql(RUN % "name", variables(name="doomed"))) == {"project": {"run": None}}
    assert store.history.rows(run.pk) == [] and store.history.event_rows(run.pk) == []
    assert store.run_files.list(run.pk, uploaded_only=False) == []
    assert not any(path.exists() for path in paths)
    assert store.run_listing.count(project_pk(store)) == 1
    assert len(store.history.rows(kept.pk)) == 1 and store.run_files.count(kept.pk) == 1

    again = error_of(await gql(DELETE, {"id": encode_id("Run", run.pk)}))
    assert again["extensions"]["code"] == "NOT_FOUND"


async def test_delete_run_needs_write_access(gql: PostGraphQL, server_app: ServerApp) -> None:
    server_app.store.accounts.create_user("mallory")
    theirs = add_run(server_app.store, "mallory/secret", "theirs")
    error = error_of(await gql(DELETE, {"id": encode_id("Run", theirs.pk)}))
    assert error["extensions"]["code"] == "PERMISSION_DENIED"
    assert server_app.store.runs.get_by_pk(theirs.pk) is not None


UPDATE_STATE = """
mutation UpdateRunState($input: UpdateRunStateInput!) { updateRunState(input: $input) { success } }
"""


@pytest.mark.parametrize(
    ("start", "target", "allowed"),
    [
        ("crashed", "pending", True),
        ("running", "pending", True),
        ("running", "failed", True),
        ("pending", "failed", True),
        ("finished", "pending", False),
        ("finished", "failed", False),
        ("running", "finished", False),
    ],
)
async def test_update_run_state_allows_only_w_and_b_transitions(
    gql: PostGraphQL,
    data: Data,
    server_app: ServerApp,
    start: str,
    target: str,
    allowed: bool,
) -> None:
    run = add_run(server_app.store, PATH, "stateful", state=start)
    response = await gql(UPDATE_STATE, {"input": {"id": encode_id("Run", run.pk), "state": target}})
    stored = server_app.store.runs.get_by_pk(run.pk)
    assert stored is not None
    if allowed:
        assert data(response) == {"updateRunState": {"success": True}}
        assert stored.state == target
    else:
        assert error_of(response)["extensions"]["code"] == "BAD_USER_INPUT"
        assert stored.state == start


async def test_stop_run_kills_a_running_run_and_leaves_others_alone(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    stop = "mutation ($id: ID!) { stopRun(input: {id: $id}) { success } }"
    running = add_run(server_app.store, PATH, "going", state="running")
    done = add_run(server_app.store, PATH, "done", state="finished")
    for run in (running, done):
        assert data(await gql(stop, {"id": encode_id("Run", run.pk)})) == {
            "stopRun": {"success": True}
        }
    states = {
        r.name: r.state for r in server_app.store.run_listing.list(project_pk(server_app.store))
    }
    assert states == {"going": "killed", "done": "finished"}


def test_store_runs_are_plain_rows(server_app: ServerApp) -> None:
    run: RunRow = add_run(server_app.store, PATH, "plain", config={"a": 1}, tags=["t"])
    assert run.tags == ("t",) and json.loads(run.config) == {"a": {"value": 1, "desc": None}}
