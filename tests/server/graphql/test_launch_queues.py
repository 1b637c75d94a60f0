"""Launch run queues over GraphQL, through the documents the official client, its wandb-core
helper and the launch agent send: queues with default resource configs and template variables,
items moving PENDING -> LEASED -> CLAIMED (or FAILED), and who may see and touch them."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from wandbkit.server.testing import asgi_transport, basic_auth_header

from ..conftest import BASE_URL, Data, PostGraphQL, ServerApp, official_document

K8S_CONFIG = {
    "resource_args": {"kubernetes": {"spec": {"gpus": "{{gpus}}", "image": "img:{{tag}}"}}}
}
TEMPLATE_VARIABLES = {
    "gpus": {"schema": {"type": "integer", "minimum": 1, "maximum": 8, "default": 1}},
    "tag": {"description": "image tag", "schema": {"type": "string", "enum": ["a", "b"]}},
}


def error_of(response: httpx.Response) -> dict[str, Any]:
    """The first GraphQL error of a 200 response."""
    assert response.status_code == 200, response.text
    errors = response.json().get("errors")
    assert errors, response.text
    first: dict[str, Any] = errors[0]
    return first


async def make_queue(
    gql: PostGraphQL, data: Data, name: str = "gpu", *, mode: str | None = "V0"
) -> str:
    """A kubernetes queue of demo's, made as wandb-core makes one; returns its id."""
    config = data(
        await gql(
            official_document("wandb-core/CreateDefaultResourceConfig"),
            {
                "entityName": "demo",
                "resource": "kubernetes",
                "config": json.dumps(K8S_CONFIG),
                "templateVariables": json.dumps(TEMPLATE_VARIABLES),
            },
        )
    )["createDefaultResourceConfig"]
    assert config["success"] is True
    queue = data(
        await gql(
            official_document("wandb-core/CreateRunQueue"),
            {
                "entity": "demo",
                "project": "model-registry",
                "queueName": name,
                "access": "PROJECT",
                "prioritizationMode": mode,
                "defaultResourceConfigID": config["defaultResourceConfigID"],
            },
        )
    )["createRunQueue"]
    assert queue["success"] is True
    queue_id: str = queue["queueID"]
    return queue_id


async def push(gql: PostGraphQL, data: Data, queue: str = "gpu", **extra: Any) -> dict[str, Any]:
    variables = {
        "entityName": "demo",
        "projectName": "model-registry",
        "queueName": queue,
        "runSpec": json.dumps({"job": "demo/train/job-x:v0", "entity": "demo", "project": "train"}),
    }
    document = "pushToRunQueueByName_2"
    if "priority" in extra and "templateVariableValues" in extra:
        document = "pushToRunQueueByName_5"
    elif "priority" in extra:
        document = "pushToRunQueueByName_4"
    elif "templateVariableValues" in extra:
        document = "pushToRunQueueByName_3"
    variables.update(extra)
    result: dict[str, Any] = data(await gql(official_document(document), variables))
    return result["pushToRunQueueByName"]


async def item_state(gql: PostGraphQL, data: Data, item_id: str, queue: str = "gpu") -> Any:
    found = data(
        await gql(
            official_document("GetRunQueueItem_2"),
            {
                "projectName": "model-registry",
                "entityName": "demo",
                "runQueue": queue,
                "itemId": item_id,
            },
        )
    )
    return found["project"]["runQueue"]["runQueueItem"]


async def pop(gql: PostGraphQL, data: Data, queue: str = "gpu") -> Any:
    variables = {
        "entity": "demo",
        "project": "model-registry",
        "queueName": queue,
        "launchAgentId": None,
    }
    return data(await gql(official_document("popFromRunQueue"), variables))["popFromRunQueue"]


async def test_a_queue_made_as_wandb_core_makes_it_reads_back_as_the_official_client_reads_it(
    gql: PostGraphQL, data: Data
) -> None:
    queue_id = await make_queue(gql, data)
    meta = data(
        await gql(
            official_document("GetRunQueueMetadata"),
            {"projectName": "model-registry", "entityName": "demo", "runQueue": "gpu"},
        )
    )["project"]["runQueue"]
    assert meta["id"] == queue_id
    assert (meta["access"], meta["prioritizationMode"], meta["externalLinks"]) == (
        "PROJECT",
        "V0",
        None,
    )
    config = data(
        await gql(
            official_document("GetDefaultResourceConfig"),
            {"entityName": "demo", "id": meta["defaultResourceConfigID"]},
        )
    )["entity"]["defaultResourceConfig"]
    assert config["resource"] == "kubernetes"
    assert config["config"] == K8S_CONFIG
    variables = {v["name"]: json.loads(v["schema"]) for v in config["templateVariables"]}
    assert variables == {
        "gpus": TEMPLATE_VARIABLES["gpus"]["schema"],
        "tag": {"type": "string", "enum": ["a", "b"]},
    }
    listed = data(
        await gql(
            official_document("ProjectRunQueues"),
            {"entity": "demo", "projectName": "model-registry"},
        )
    )["project"]["runQueues"]
    assert [(q["id"], q["name"], q["access"]) for q in listed] == [(queue_id, "gpu", "PROJECT")]


async def test_an_item_goes_pending_leased_claimed_with_its_config_filled(
    gql: PostGraphQL, data: Data
) -> None:
    await make_queue(gql, data)
    pushed = await push(
        gql, data, priority=1, templateVariableValues=json.dumps({"gpus": 4, "tag": "b"})
    )
    spec = json.loads(pushed["runSpec"])
    assert spec["resource"] == "kubernetes"
    assert spec["resource_args"] == {"kubernetes": {"spec": {"gpus": 4, "image": "img:b"}}}
    item_id = pushed["runQueueItemId"]
    assert await item_state(gql, data, item_id) == {
        "id": item_id,
        "state": "PENDING",
        "associatedRunId": None,
    }

    popped = await pop(gql, data)
    assert popped["runQueueItemId"] == item_id
    assert popped["runSpec"]["resource_args"]["kubernetes"]["spec"]["gpus"] == 4
    assert (await item_state(gql, data, item_id))["state"] == "LEASED"
    assert await pop(gql, data) is None  # nothing else waits

    ack = official_document("ackRunQueueItem")
    assert (
        data(await gql(ack, {"itemId": item_id, "runId": "run42"}))["ackRunQueueItem"]["success"]
        is True
    )
    assert await item_state(gql, data, item_id) == {
        "id": item_id,
        "state": "CLAIMED",
        "associatedRunId": "run42",
    }
    # Acknowledged once: an agent that acks again is told so (the official client raises).
    assert (
        data(await gql(ack, {"itemId": item_id, "runId": "run43"}))["ackRunQueueItem"]["success"]
        is False
    )


async def test_a_prioritized_queue_pops_the_most_urgent_item_first(
    gql: PostGraphQL, data: Data
) -> None:
    await make_queue(gql, data)
    low = (await push(gql, data, priority=3))["runQueueItemId"]
    default = (await push(gql, data))["runQueueItemId"]
    urgent = (await push(gql, data, priority=0))["runQueueItemId"]
    order = [(await pop(gql, data))["runQueueItemId"] for _ in range(3)]
    assert order == [urgent, default, low]


async def test_a_failed_item_keeps_its_error_and_a_deleted_one_is_gone(
    gql: PostGraphQL, data: Data
) -> None:
    queue_id = await make_queue(gql, data)
    item_id = (await push(gql, data))["runQueueItemId"]
    other = (await push(gql, data))["runQueueItemId"]
    failed = data(
        await gql(
            official_document("failRunQueueItem"),
            {
                "runQueueItemId": item_id,
                "message": "image pull failed",
                "stage": "build",
                "filePaths": [],
            },
        )
    )
    assert failed["failRunQueueItem"]["success"] is True
    assert (await item_state(gql, data, item_id))["state"] == "FAILED"
    warned = data(
        await gql(
            official_document("updateRunQueueItemWarning"),
            {"runQueueItemId": other, "message": "slow", "stage": "run", "filePaths": ["a.log"]},
        )
    )
    assert warned["updateRunQueueItemWarning"]["success"] is True
    deleted = data(
        await gql(
            official_document("DeleteFromRunQueue"), {"queueID": queue_id, "runQueueItemId": other}
        )
    )
    assert deleted["deleteFromRunQueue"]["success"] is True
    assert await item_state(gql, data, other) is None
    items = data(
        await gql(
            official_document("GetRunQueueItems"),
            {"projectName": "model-registry", "entityName": "demo", "runQueue": "gpu"},
        )
    )["project"]["runQueue"]["runQueueItems"]["edges"]
    assert [e["node"]["id"] for e in items] == [item_id]
    gone = data(await gql(official_document("DeleteRunQueue"), {"id": queue_id}))
    assert gone["deleteRunQueues"]["success"] is True
    assert (
        data(
            await gql(
                official_document("fetchRunQueuesFromProject"),
                {"entityName": "demo", "projectName": "model-registry", "runQueueName": "gpu"},
            )
        )["project"]["runQueue"]
        is None
    )


async def test_upsert_run_queue_creates_then_replaces_the_config(
    gql: PostGraphQL, data: Data
) -> None:
    upsert = official_document("wandb-core/UpsertRunQueue")
    variables = {
        "entityName": "demo",
        "projectName": "model-registry",
        "queueName": "cpu",
        "resourceType": "local-process",
        "resourceConfig": json.dumps({"resource_args": {"local-process": {"env": "{{mode}}"}}}),
        "externalLinks": json.dumps({"links": [{"label": "docs", "url": "https://example.com"}]}),
    }
    first = data(await gql(upsert, variables))["upsertRunQueue"]
    assert first == {
        "success": True,
        "configSchemaValidationErrors": ["template field {{mode}} has no template variable"],
    }
    again = {
        **variables,
        "resourceConfig": json.dumps({"resource_args": {"local-process": {"env": "{{mode}}"}}}),
        "templateVariables": json.dumps({"mode": {"type": "string", "default": "fast"}}),
        "prioritizationMode": "V0",
    }
    assert data(await gql(upsert, again))["upsertRunQueue"]["configSchemaValidationErrors"] == []
    meta = data(
        await gql(
            official_document("GetRunQueueMetadata"),
            {"projectName": "model-registry", "entityName": "demo", "runQueue": "cpu"},
        )
    )["project"]["runQueue"]
    assert meta["prioritizationMode"] == "V0"
    assert meta["externalLinks"] == {"links": [{"label": "docs", "url": "https://example.com"}]}
    spec = json.loads((await push(gql, data, "cpu"))["runSpec"])
    assert spec["resource_args"] == {"local-process": {"env": "fast"}}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"templateVariableValues": json.dumps({"gpus": 99})}, "at most 8"),
        ({"templateVariableValues": json.dumps({"gpus": "4"})}, "of type integer"),
        ({"templateVariableValues": json.dumps({"tag": "c"})}, "one of ['a', 'b']"),
        ({"templateVariableValues": json.dumps({"nope": 1})}, "does not define"),
        ({"priority": 9}, "priority must be an int from 0"),
    ],
)
async def test_a_push_the_queue_cannot_take_is_refused_naming_the_argument(
    gql: PostGraphQL, data: Data, extra: dict[str, Any], message: str
) -> None:
    await make_queue(gql, data)
    variables = {
        "entityName": "demo",
        "projectName": "model-registry",
        "queueName": "gpu",
        "runSpec": json.dumps({"job": "x"}),
        "priority": extra.get("priority"),
        "templateVariableValues": extra.get("templateVariableValues"),
    }
    error = error_of(await gql(official_document("pushToRunQueueByName_5"), variables))
    assert message in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_bad_queue_input_is_a_client_error_never_a_crash(
    gql: PostGraphQL, data: Data
) -> None:
    await make_queue(gql, data, "plain", mode=None)
    refused = error_of(await push_raw(gql, "plain", priority=1))
    assert "only taken by a prioritized queue" in refused["message"]
    create = official_document("wandb-core/CreateDefaultResourceConfig")
    unknown = error_of(
        await gql(create, {"entityName": "demo", "resource": "slurm", "config": "{}"})
    )
    assert "resource must be one of" in unknown["message"]
    not_object = error_of(
        await gql(create, {"entityName": "demo", "resource": "kubernetes", "config": "[1]"})
    )
    assert "config must be a JSON object" in not_object["message"]
    bad_vars = error_of(
        await gql(
            create,
            {
                "entityName": "demo",
                "resource": "kubernetes",
                "config": "{}",
                "templateVariables": '{"x": {"type": "list"}}',
            },
        )
    )
    assert "schema type must be" in bad_vars["message"]
    queue = official_document("wandb-core/CreateRunQueue")
    base = {"entity": "demo", "project": "model-registry", "access": "PROJECT"}
    long_name = error_of(await gql(queue, {**base, "queueName": "q" * 65}))
    assert "at most 64 characters" in long_name["message"]
    taken = error_of(await gql(queue, {**base, "queueName": "plain"}))
    assert "exists" in taken["message"]
    bad_id = error_of(
        await gql(queue, {**base, "queueName": "x", "defaultResourceConfigID": "nope"})
    )
    assert "defaultResourceConfigID is not a DefaultResourceConfig id" in bad_id["message"]
    ack = error_of(
        await gql(official_document("ackRunQueueItem"), {"itemId": "bogus", "runId": "r"})
    )
    assert "runQueueItemId is not a RunQueueItem id" in ack["message"]
    missing = error_of(await pop_raw(gql, "nowhere"))
    assert missing["extensions"]["code"] == "NOT_FOUND"


async def push_raw(gql: PostGraphQL, queue: str, **extra: Any) -> httpx.Response:
    variables = {
        "entityName": "demo",
        "projectName": "model-registry",
        "queueName": queue,
        "runSpec": json.dumps({"job": "x"}),
        **extra,
    }
    return await gql(official_document("pushToRunQueueByName_4"), variables)


async def pop_raw(gql: PostGraphQL, queue: str) -> httpx.Response:
    variables = {"entity": "demo", "project": "model-registry", "queueName": queue}
    return await gql(official_document("popFromRunQueue"), variables)


@pytest.fixture
def stranger_key(server_app: ServerApp) -> str:
    """An API key of "eve", who is in none of demo's entities."""
    eve = server_app.store.accounts.create_user("eve")
    key, _ = server_app.store.accounts.create_api_key(eve.pk)
    return key


async def test_another_entitys_queues_are_invisible_and_untouchable(
    gql: PostGraphQL, data: Data, server_app: ServerApp, stranger_key: str
) -> None:
    queue_id = await make_queue(gql, data)
    item_id = (await push(gql, data))["runQueueItemId"]
    # Even in a public project, the queues are the entity's members' business.
    server_app.store.db.connection.execute(
        "UPDATE projects SET access = 'USER_READ' WHERE name = 'model-registry'"
    )
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app),
        base_url=BASE_URL,
        headers=basic_auth_header(stranger_key),
    ) as eve:

        async def as_eve(document: str, variables: dict[str, Any]) -> httpx.Response:
            return await eve.post(
                "/graphql", json={"query": official_document(document), "variables": variables}
            )

        meta = await as_eve(
            "GetRunQueueMetadata",
            {"projectName": "model-registry", "entityName": "demo", "runQueue": "gpu"},
        )
        assert data(meta)["project"]["runQueue"] is None
        listed = await as_eve(
            "ProjectRunQueues", {"entity": "demo", "projectName": "model-registry"}
        )
        assert data(listed)["project"]["runQueues"] == []
        push_vars = {
            "entityName": "demo",
            "projectName": "model-registry",
            "queueName": "gpu",
            "runSpec": "{}",
        }
        attempts = [
            await as_eve("pushToRunQueueByName_2", push_vars),
            await as_eve(
                "popFromRunQueue",
                {"entity": "demo", "project": "model-registry", "queueName": "gpu"},
            ),
            await as_eve("ackRunQueueItem", {"itemId": item_id, "runId": "r1"}),
            await as_eve(
                "failRunQueueItem", {"runQueueItemId": item_id, "message": "m", "stage": "s"}
            ),
            await as_eve("pushToRunQueue", {"queueID": queue_id, "runSpec": "{}"}),
            await as_eve("DeleteFromRunQueue", {"queueID": queue_id, "runQueueItemId": item_id}),
        ]
        assert [error_of(r)["extensions"]["code"] for r in attempts] == ["PERMISSION_DENIED"] * 6
        deleted = error_of(await as_eve("DeleteRunQueue", {"id": queue_id}))
        assert deleted["extensions"]["code"] == "NOT_FOUND"
    assert (await item_state(gql, data, item_id))["state"] == "PENDING"


async def test_enqueue_sweep_run_adds_a_pending_run_for_members_only(
    gql: PostGraphQL, data: Data, server_app: ServerApp, stranger_key: str
) -> None:
    store = server_app.store
    project, _ = store.projects.upsert(store.entities.get("demo").pk, "tune", creator_pk=None)
    sweep = store.sweeps.create(project.pk, "sw1", config="method: grid\n", method="grid")
    found = data(
        await gql(
            'query { project(name: "tune", entityName: "demo") { sweep(sweepName: "sw1") { id } } }'
        )
    )
    sweep_id = found["project"]["sweep"]["id"]
    document = official_document("EnqueueSweepRun")
    variables = {"id": sweep_id, "config": json.dumps({"lr": 0.3}), "displayName": "queued"}
    enqueued = data(await gql(document, variables))["enqueueSweepRun"]
    assert enqueued["runQueueItemId"] is None
    run = store.runs.get(project.pk, enqueued["id"])
    assert run is not None and (run.state, run.sweep_name, run.display_name) == (
        "pending",
        sweep.name,
        "queued",
    )
    assert json.loads(run.config) == {"lr": {"value": 0.3, "desc": None}}
    bad = error_of(await gql(document, {**variables, "config": "[1]"}))
    assert "config must be a JSON object" in bad["message"]
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app),
        base_url=BASE_URL,
        headers=basic_auth_header(stranger_key),
    ) as eve:
        hidden = await eve.post("/graphql", json={"query": document, "variables": variables})
    assert error_of(hidden)["extensions"]["code"] == "NOT_FOUND"
