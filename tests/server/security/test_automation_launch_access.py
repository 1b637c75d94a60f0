"""Who may use the automations and launch mutations: for every one, an outsider (no member of
the entity), an anonymous caller and a member of the organization who is not a member of its
restricted registry are refused, and the store holds exactly what it held before.

victor's automations, webhook, queue, item and sweep sit in ``victor-org``; one automation and
one queue are in its restricted registry. Each mutation names them, so only the access rules
stand between the caller and a change. The owner's answer to the same request is the positive
control: it succeeds (so the refusals are not just bad requests)."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from wandbkit.server.ids import encode_id
from wandbkit.server.store import Store, TriggerSpec
from wandbkit.server.testing import add_run, asgi_transport, basic_auth_header

from ..conftest import BASE_URL, ServerApp
from .test_access import SECRET, SECRET_REGISTRY, plant_secrets

#: The tables the mutations under test could change.
TABLES = (
    "triggers",
    "integrations",
    "trigger_firings",
    "run_queues",
    "run_queue_items",
    "default_resource_configs",
    "projects",
    "runs",
)


def snapshot(store: Store) -> dict[str, list[tuple[Any, ...]]]:
    return {
        table: [tuple(row) for row in store.db.all(f"SELECT * FROM {table} ORDER BY 1")]
        for table in TABLES
    }


@dataclass(frozen=True)
class Planted:
    ids: dict[str, str]


def _no_op_spec(name: str, scope_type: str, scope_pk: int) -> TriggerSpec:
    return TriggerSpec(
        name=name,
        description=name,
        enabled=True,
        scope_type=scope_type,
        scope_pk=scope_pk,
        event_type="ADD_ARTIFACT_ALIAS",
        event_filter="{}",
        action_type="NO_OP",
        action_config=json.dumps({"no_op": True}),
        integration_pk=None,
    )


def plant(store: Store) -> Planted:
    """victor's automations and launch things, in victor-org and its restricted registry."""
    plant_secrets(store)
    victor = store.accounts.get_user("victor")
    org = store.entities.get("victor-org")
    registry = store.projects.find("victor-org", SECRET_REGISTRY)
    shared = store.projects.find("victor-org", "shared")
    assert victor is not None and org is not None and registry is not None and shared
    add_run(store, "victor-org/shared", "r9")
    hook = store.automations.create_webhook(org.pk, "hook", "http://127.0.0.1:9/")
    auto = store.automations.create(
        org.pk, _no_op_spec("auto", "PROJECT", shared.pk), creator_pk=victor.pk
    )
    hidden = store.automations.create(
        org.pk, _no_op_spec(f"{SECRET}-auto", "ARTIFACT_COLLECTION", 3), creator_pk=victor.pk
    )
    queue = store.launch.create_queue(
        shared.pk, "q", access="PROJECT", prioritization_mode="V0", creator_pk=victor.pk
    )
    secret_queue = store.launch.create_queue(
        registry.pk, "rq", access="PROJECT", prioritization_mode="V0", creator_pk=victor.pk
    )
    item = store.launch.push(queue.pk, {"job": "j"}, priority=2)
    secret_item = store.launch.push(secret_queue.pk, {"job": SECRET}, priority=2)
    store.launch.pop(queue, None)
    store.launch.pop(secret_queue, None)
    sweep = store.sweeps.create(shared.pk, config="{}", method="random")
    return Planted(
        {
            "Project": encode_id("Project", shared.pk),
            "Registry": encode_id("Project", registry.pk),
            "Integration": encode_id("Integration", hook.pk),
            "Trigger": encode_id("Trigger", auto.pk),
            "HiddenTrigger": encode_id("Trigger", hidden.pk),
            "RunQueue": encode_id("RunQueue", queue.pk),
            "SecretQueue": encode_id("RunQueue", secret_queue.pk),
            "RunQueueItem": encode_id("RunQueueItem", item.pk),
            "SecretItem": encode_id("RunQueueItem", secret_item.pk),
            "Sweep": encode_id("Sweep", sweep.pk),
        }
    )


def m(field: str, input_type: str, selection: str) -> str:
    return f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} }} }}"


def cases(ids: dict[str, str]) -> dict[str, tuple[str, dict[str, Any]]]:
    """Each mutation with an input naming victor-org's things (owner-valid)."""
    trigger_input = {
        "name": "new",
        "triggeringEventType": "ADD_ARTIFACT_ALIAS",
        "scopeType": "PROJECT",
        "scopeID": ids["Project"],
        "eventFilter": "{}",
        "triggeredActionType": "GENERIC_WEBHOOK",
        "triggeredActionConfig": {
            "genericWebhookActionInput": {"integrationID": ids["Integration"]}
        },
        "enabled": True,
    }
    by_name = {"entityName": "victor-org", "projectName": "shared", "queueName": "q"}
    return {
        "createFilterTrigger": (
            m("createFilterTrigger", "CreateFilterTriggerInput", "trigger { id }"),
            trigger_input,
        ),
        "updateFilterTrigger": (
            m("updateFilterTrigger", "UpdateFilterTriggerInput", "trigger { id }"),
            {"id": ids["Trigger"], "name": "renamed"},
        ),
        "updateFilterTrigger (restricted registry)": (
            m("updateFilterTrigger", "UpdateFilterTriggerInput", "trigger { id }"),
            {"id": ids["HiddenTrigger"], "enabled": False},
        ),
        "deleteTrigger": (
            m("deleteTrigger", "DeleteTriggerInput", "success"),
            {"triggerID": ids["Trigger"]},
        ),
        "deleteTrigger (restricted registry)": (
            m("deleteTrigger", "DeleteTriggerInput", "success"),
            {"triggerID": ids["HiddenTrigger"]},
        ),
        "createGenericWebhookIntegration": (
            m(
                "createGenericWebhookIntegration",
                "CreateGenericWebhookIntegrationInput",
                "integration { id }",
            ),
            {"entityName": "victor-org", "urlEndpoint": "http://127.0.0.1:9/x", "name": "h2"},
        ),
        "createRunQueue": (
            m("createRunQueue", "CreateRunQueueInput", "success queueID"),
            {**by_name, "queueName": "q2", "access": "PROJECT"},
        ),
        "createRunQueue (restricted registry)": (
            m("createRunQueue", "CreateRunQueueInput", "success queueID"),
            {**by_name, "projectName": SECRET_REGISTRY, "queueName": "q3", "access": "PROJECT"},
        ),
        "upsertRunQueue": (
            m("upsertRunQueue", "UpsertRunQueueInput", "success"),
            {**by_name, "resourceType": "local-process", "resourceConfig": "{}"},
        ),
        "upsertRunQueue (restricted registry)": (
            m("upsertRunQueue", "UpsertRunQueueInput", "success"),
            {
                **by_name,
                "projectName": SECRET_REGISTRY,
                "resourceType": "local-process",
                "resourceConfig": "{}",
            },
        ),
        "pushToRunQueue": (
            m("pushToRunQueue", "PushToRunQueueInput", "runQueueItemId"),
            {"queueID": ids["RunQueue"], "runSpec": "{}"},
        ),
        "pushToRunQueue (restricted registry)": (
            m("pushToRunQueue", "PushToRunQueueInput", "runQueueItemId"),
            {"queueID": ids["SecretQueue"], "runSpec": "{}"},
        ),
        "pushToRunQueueByName": (
            m("pushToRunQueueByName", "PushToRunQueueByNameInput", "runQueueItemId"),
            {**by_name, "runSpec": "{}"},
        ),
        "pushToRunQueueByName (restricted registry)": (
            m("pushToRunQueueByName", "PushToRunQueueByNameInput", "runQueueItemId"),
            {**by_name, "projectName": SECRET_REGISTRY, "queueName": "rq", "runSpec": "{}"},
        ),
        "popFromRunQueue": (
            m("popFromRunQueue", "PopFromRunQueueInput", "runQueueItemId"),
            {**by_name},
        ),
        "ackRunQueueItem": (
            m("ackRunQueueItem", "AckRunQueueItemInput", "success"),
            {"runQueueItemId": ids["RunQueueItem"], "runName": "abc"},
        ),
        "ackRunQueueItem (restricted registry)": (
            m("ackRunQueueItem", "AckRunQueueItemInput", "success"),
            {"runQueueItemId": ids["SecretItem"], "runName": "abc"},
        ),
        "failRunQueueItem": (
            m("failRunQueueItem", "FailRunQueueItemInput", "success"),
            {"runQueueItemId": ids["RunQueueItem"], "message": "x"},
        ),
        "failRunQueueItem (restricted registry)": (
            m("failRunQueueItem", "FailRunQueueItemInput", "success"),
            {"runQueueItemId": ids["SecretItem"], "message": "x"},
        ),
        "updateRunQueueItemWarning": (
            m("updateRunQueueItemWarning", "UpdateRunQueueItemWarningInput", "success"),
            {"runQueueItemId": ids["RunQueueItem"], "message": "w", "stage": "run"},
        ),
        "deleteFromRunQueue": (
            m("deleteFromRunQueue", "DeleteFromRunQueueInput", "success"),
            {"queueID": ids["RunQueue"], "runQueueItemId": ids["RunQueueItem"]},
        ),
        "deleteFromRunQueue (restricted registry)": (
            m("deleteFromRunQueue", "DeleteFromRunQueueInput", "success"),
            {"queueID": ids["SecretQueue"], "runQueueItemId": ids["SecretItem"]},
        ),
        "deleteRunQueues": (
            m("deleteRunQueues", "DeleteRunQueuesInput", "success"),
            {"queueIDs": [ids["RunQueue"]]},
        ),
        "deleteRunQueues (restricted registry)": (
            m("deleteRunQueues", "DeleteRunQueuesInput", "success"),
            {"queueIDs": [ids["SecretQueue"]]},
        ),
        "enqueueSweepRun": (
            m("enqueueSweepRun", "EnqueueSweepRunInput", "id"),
            {"id": ids["Sweep"], "config": "{}"},
        ),
    }


#: What each caller is refused (a registry member outside the registry only there).
RESTRICTED_ONLY = "(restricted registry)"
CASE_NAMES = sorted(cases(defaultdict(lambda: "x")))


@dataclass
class World:
    store: Store
    ids: dict[str, str]
    clients: dict[str, httpx.AsyncClient]


@pytest.fixture
def world(server_app: ServerApp) -> Iterator[World]:
    store = server_app.store
    planted = plant(store)

    def key_of(username: str) -> str:
        user = store.accounts.get_user(username)
        assert user is not None
        return store.accounts.create_api_key(user.pk)[0]

    headers = {
        "owner": basic_auth_header(key_of("victor")),
        "outsider": basic_auth_header(server_app.seed.api_key),
        "anonymous": {},
        "org member outside the registry": basic_auth_header(key_of("rita")),
    }
    clients = {
        who: httpx.AsyncClient(
            transport=asgi_transport(server_app.app), base_url=BASE_URL, headers=h
        )
        for who, h in headers.items()
    }
    yield World(store, planted.ids, clients)


CALLERS = ("outsider", "anonymous", "org member outside the registry")


@pytest.mark.parametrize(
    ("case", "caller"),
    [
        (case, caller)
        for case in CASE_NAMES
        for caller in CALLERS
        # An organization member may use the organization's own automations and queues.
        if caller != "org member outside the registry" or RESTRICTED_ONLY in case
    ],
)
async def test_a_caller_without_access_is_refused_and_nothing_changes(
    world: World, case: str, caller: str
) -> None:
    document, value = cases(world.ids)[case]
    before = snapshot(world.store)
    answer = await world.clients[caller].post(
        "/graphql", json={"query": document, "variables": {"input": value}}
    )
    assert answer.status_code in (200, 401), answer.text
    # Nothing of the registry's but the name the caller sent comes back.
    assert SECRET not in answer.text.replace(SECRET_REGISTRY, ""), answer.text
    if answer.status_code == 200:
        body = answer.json()
        assert body["errors"][0]["extensions"]["code"] in ("PERMISSION_DENIED", "NOT_FOUND"), body
        assert not any(body["data"].values()), body
    assert snapshot(world.store) == before
    owner = await world.clients["owner"].post(
        "/graphql", json={"query": document, "variables": {"input": value}}
    )
    assert "errors" not in owner.json(), owner.text
    assert snapshot(world.store) != before or case.startswith("popFromRunQueue")


READS = """{ entity(name: "victor-org") {
    triggers { edges { node { name description scope { __typename
        ... on ArtifactPortfolio { name } } } } }
    integrations { edges { node { id } } } } }"""


@pytest.mark.parametrize("caller", CALLERS)
async def test_no_caller_without_access_reads_the_automations_or_firings_it_may_not_see(
    world: World, caller: str
) -> None:
    answer = await world.clients[caller].post("/graphql", json={"query": READS})
    firings = await world.clients[caller].get(
        "/_wandbkit/automations/firings", params={"entity": "victor-org"}
    )
    assert SECRET not in answer.text and SECRET not in firings.text
    owner = await world.clients["owner"].post("/graphql", json={"query": READS})
    assert f"{SECRET}-portfolio" in owner.text


async def test_a_restricted_registrys_firings_are_hidden_from_an_organization_member_outside_it(
    world: World,
) -> None:
    store = world.store
    org = store.entities.get("victor-org")
    assert org is not None
    for name in ("auto", f"{SECRET}-auto"):
        (trigger,) = store.automations.of_entities([org.pk], name=name, after_pk=0, limit=1)
        store.automations.record_firing(
            trigger, event=json.dumps({"artifact": name}), payload=None, url=None, status="RECORDED"
        )
    member = await world.clients["org member outside the registry"].get(
        "/_wandbkit/automations/firings", params={"entity": "victor-org"}
    )
    owner = await world.clients["owner"].get(
        "/_wandbkit/automations/firings", params={"entity": "victor-org"}
    )
    assert [f["automationName"] for f in member.json()["firings"]] == ["auto"]
    assert [f["automationName"] for f in owner.json()["firings"]] == ["auto", f"{SECRET}-auto"]
