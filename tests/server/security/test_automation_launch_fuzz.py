"""Hypothesis drives every automations and launch mutation and query with hostile variables
(wrong types, huge and unicode text, NUL bytes, forged and out-of-range ids, deep JSON,
JSONString fields that hold no JSON, unknown enum values): the server answers each with data
or a client error, never a 5xx, a traceback or a logged bug, and quickly.

One app serves the whole module (a queue, an item, a webhook, an automation and a sweep in
the seed user's entity), so the generated requests reach the resolvers' own checks, not only
"not found"."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wandbkit.server.ids import encode_id
from wandbkit.server.store import TriggerSpec
from wandbkit.server.testing import add_run, basic_auth_header, make_seeded_app

from .support import hostile_ints, hostile_text, json_text, opaque_ids, request_cleanly

APP, SEED = make_seeded_app()
STORE = APP.state.store
E = SEED.entity
AUTH = basic_auth_header(SEED.api_key)
add_run(STORE, f"{E}/fz", "r1", config={"a": 1}, summary={"loss": 1.0})
PROJECT = STORE.projects.find(E, "fz")
assert PROJECT is not None
ENTITY = STORE.entities.get(E)
assert ENTITY is not None
VIEWER = STORE.accounts.get_user(SEED.username)
assert VIEWER is not None
WEBHOOK = STORE.automations.create_webhook(ENTITY.pk, "hook", "http://127.0.0.1:9/")
TRIGGER = STORE.automations.create(
    ENTITY.pk,
    TriggerSpec(
        name="auto",
        description=None,
        enabled=False,
        scope_type="PROJECT",
        scope_pk=PROJECT.pk,
        event_type="RUN_STATE",
        event_filter=json.dumps({"run_filter": "{}", "run_state_filter": {"states": ["FAILED"]}}),
        action_type="NO_OP",
        action_config=json.dumps({"no_op": True}),
        integration_pk=None,
    ),
    creator_pk=VIEWER.pk,
)
QUEUE = STORE.launch.create_queue(
    PROJECT.pk, "q", access="PROJECT", prioritization_mode="V0", creator_pk=VIEWER.pk
)
ITEM = STORE.launch.push(QUEUE.pk, {"job": "j"}, priority=2)
SWEEP = STORE.sweeps.create(PROJECT.pk, config="{}", method="random")

IDS = {
    "Project": encode_id("Project", PROJECT.pk),
    "Entity": encode_id("Entity", ENTITY.pk),
    "Integration": encode_id("Integration", WEBHOOK.pk),
    "Trigger": encode_id("Trigger", TRIGGER.pk),
    "RunQueue": encode_id("RunQueue", QUEUE.pk),
    "RunQueueItem": encode_id("RunQueueItem", ITEM.pk),
    "Sweep": encode_id("Sweep", SWEEP.pk),
}


def ids(type_name: str, *more: str) -> st.SearchStrategy[object]:
    """The real id of the module's thing of that type, or anything else."""
    return st.one_of(st.just(IDS[type_name]), opaque_ids(type_name, *more))


def sometimes(value: object, other: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.just(value), other)


anything = st.one_of(hostile_text, hostile_ints, st.none(), st.booleans(), json_text)
names = st.one_of(st.sampled_from([E, "fz", "q", "nobody"]), hostile_text)
enum_values = st.one_of(
    st.sampled_from(
        [
            "PROJECT",
            "ENTITY",
            "ARTIFACT_COLLECTION",
            "RUN_METRIC",
            "RUN_STATE",
            "ADD_ARTIFACT_ALIAS",
            "CREATE_ARTIFACT",
            "GENERIC_WEBHOOK",
            "NOTIFICATION",
            "NO_OP",
            "QUEUE_JOB",
            "V0",
            "DISABLED",
            "USER",
        ]
    ),
    hostile_text,
)
action_configs = st.one_of(
    st.fixed_dictionaries(
        {
            "genericWebhookActionInput": st.fixed_dictionaries(
                {"integrationID": ids("Integration"), "requestPayload": json_text}
            )
        }
    ),
    st.fixed_dictionaries({"noOpActionInput": st.fixed_dictionaries({"noOp": st.booleans()})}),
    st.fixed_dictionaries(
        {
            "notificationActionInput": st.fixed_dictionaries(
                {"integrationID": ids("Integration"), "title": hostile_text}
            )
        }
    ),
    st.dictionaries(hostile_text, anything, max_size=2),
    anything,
)
trigger_fields = {
    "name": sometimes("t", hostile_text),
    "description": st.one_of(st.none(), hostile_text),
    "triggeringEventType": enum_values,
    "scopeType": enum_values,
    "scopeID": ids("Project", "Entity", "ArtifactCollection"),
    "eventFilter": json_text,
    "triggeredActionType": enum_values,
    "triggeredActionConfig": action_configs,
    "enabled": sometimes(True, anything),
}


def inputs(**fields: st.SearchStrategy[Any]) -> st.SearchStrategy[dict[str, Any]]:
    """``{"input": {...}}`` with every field drawn, some of them left out."""
    return st.fixed_dictionaries({"input": st.fixed_dictionaries({}, optional=fields)})


def mutation(field: str, input_type: str, selection: str) -> str:
    return f"mutation($input: {input_type}!) {{ {field}(input: $input) {{ {selection} }} }}"


#: Each operation: its document and a strategy for its variables.
OPERATIONS: dict[str, tuple[str, st.SearchStrategy[dict[str, Any]]]] = {
    "createFilterTrigger": (
        mutation("createFilterTrigger", "CreateFilterTriggerInput", "trigger { id name }"),
        inputs(**trigger_fields),
    ),
    "updateFilterTrigger": (
        mutation("updateFilterTrigger", "UpdateFilterTriggerInput", "trigger { id name }"),
        inputs(id=ids("Trigger"), **trigger_fields),
    ),
    "deleteTrigger": (
        mutation("deleteTrigger", "DeleteTriggerInput", "success"),
        inputs(triggerID=opaque_ids("Trigger")),
    ),
    "createGenericWebhookIntegration": (
        mutation(
            "createGenericWebhookIntegration",
            "CreateGenericWebhookIntegrationInput",
            "integration { id }",
        ),
        inputs(
            entityName=names,
            urlEndpoint=st.one_of(
                hostile_text, hostile_text.map(lambda t: f"http://{t}"), st.just("http://h/")
            ),
            name=hostile_text,
            secretRef=st.one_of(st.none(), hostile_text),
        ),
    ),
    "triggers": (
        """query($e: String!, $f: JSONString, $first: Int, $after: String) {
            entity(name: $e) { triggers(filters: $f, first: $first, after: $after) {
                edges { node { id name scope { __typename }
                    triggeringCondition { ... on FilterEventTriggeringCondition { filter } }
                    triggeredAction { __typename } } } }
                integrations(first: $first, after: $after) { edges { node { id } } } }
            project(name: "fz", entityName: $e) { triggers { id } } }""",
        st.fixed_dictionaries(
            {
                "e": names,
                "f": json_text,
                "first": st.one_of(st.none(), hostile_ints),
                "after": st.one_of(st.none(), hostile_text),
            }
        ),
    ),
    "createRunQueue": (
        mutation("createRunQueue", "CreateRunQueueInput", "success queueID"),
        inputs(
            entityName=names,
            projectName=names,
            queueName=hostile_text,
            access=enum_values,
            defaultResourceConfigID=opaque_ids("DefaultResourceConfig"),
            prioritizationMode=enum_values,
        ),
    ),
    "upsertRunQueue": (
        mutation("upsertRunQueue", "UpsertRunQueueInput", "success configSchemaValidationErrors"),
        inputs(
            entityName=names,
            projectName=names,
            queueName=sometimes("q", hostile_text),
            resourceType=st.one_of(st.sampled_from(["local-process", "kubernetes"]), hostile_text),
            resourceConfig=json_text,
            templateVariables=json_text,
            prioritizationMode=enum_values,
            externalLinks=json_text,
        ),
    ),
    "runQueues": (
        """query($e: String!, $q: String!, $first: Int, $after: String) {
            project(name: "fz", entityName: $e) { runQueues { id name }
                runQueue(name: $q) { id runQueueItems(first: $first, after: $after) {
                    edges { node { id state runSpec error { message } } } } } } }""",
        st.fixed_dictionaries(
            {
                "e": names,
                "q": sometimes("q", hostile_text),
                "first": st.one_of(st.none(), hostile_ints),
                "after": st.one_of(st.none(), hostile_text),
            }
        ),
    ),
    "pushToRunQueue": (
        mutation("pushToRunQueue", "PushToRunQueueInput", "runQueueItemId"),
        inputs(
            queueID=ids("RunQueue"),
            runSpec=json_text,
            templateVariableValues=json_text,
            priority=hostile_ints,
        ),
    ),
    "pushToRunQueueByName": (
        mutation("pushToRunQueueByName", "PushToRunQueueByNameInput", "runQueueItemId runSpec"),
        inputs(
            entityName=names,
            projectName=names,
            queueName=sometimes("q", hostile_text),
            runSpec=json_text,
            templateVariableValues=json_text,
            priority=hostile_ints,
        ),
    ),
    "popFromRunQueue": (
        mutation("popFromRunQueue", "PopFromRunQueueInput", "runQueueItemId runSpec"),
        inputs(
            entityName=names,
            projectName=names,
            queueName=sometimes("q", hostile_text),
            launchAgentId=opaque_ids("LaunchAgent"),
        ),
    ),
    "ackRunQueueItem": (
        mutation("ackRunQueueItem", "AckRunQueueItemInput", "success"),
        inputs(runQueueItemId=ids("RunQueueItem"), runName=hostile_text),
    ),
    "failRunQueueItem": (
        mutation("failRunQueueItem", "FailRunQueueItemInput", "success"),
        inputs(
            runQueueItemId=ids("RunQueueItem"),
            info=json_text,
            message=hostile_text,
            stage=hostile_text,
            filePaths=st.lists(hostile_text, max_size=3),
        ),
    ),
    "updateRunQueueItemWarning": (
        mutation("updateRunQueueItemWarning", "UpdateRunQueueItemWarningInput", "success"),
        inputs(
            runQueueItemId=ids("RunQueueItem"),
            message=hostile_text,
            stage=hostile_text,
            filePaths=st.one_of(st.none(), st.lists(hostile_text, max_size=3)),
        ),
    ),
    "deleteFromRunQueue": (
        mutation("deleteFromRunQueue", "DeleteFromRunQueueInput", "success"),
        inputs(queueID=opaque_ids("RunQueue"), runQueueItemId=opaque_ids("RunQueueItem")),
    ),
    "deleteRunQueues": (
        mutation("deleteRunQueues", "DeleteRunQueuesInput", "success"),
        inputs(queueIDs=st.one_of(st.lists(opaque_ids("RunQueue"), max_size=3), anything)),
    ),
    # The multipart upload and parquet history surfaces, fuzzed the same way.
    "completeMultipartUploadArtifact": (
        mutation(
            "completeMultipartUploadArtifact", "CompleteMultipartUploadArtifactInput", "digest"
        ),
        inputs(
            completeMultipartAction=enum_values,
            completedParts=st.lists(
                st.fixed_dictionaries(
                    {"partNumber": hostile_ints, "hexMD5": st.one_of(hostile_text, anything)}
                ),
                max_size=4,
            ),
            artifactID=opaque_ids("Artifact"),
            storagePath=hostile_text,
            uploadID=hostile_text,
        ),
    ),
    "parquetHistory": (
        """query($e: String!, $keys: [String!]!) { project(name: "fz", entityName: $e) {
            run(name: "r1") { parquetHistory(liveKeys: $keys) { parquetUrls liveData } } } }""",
        st.fixed_dictionaries({"e": names, "keys": st.one_of(st.lists(hostile_text), anything)}),
    ),
    "enqueueSweepRun": (
        mutation("enqueueSweepRun", "EnqueueSweepRunInput", "id runQueueItemId"),
        inputs(id=ids("Sweep"), config=json_text, displayName=hostile_text),
    ),
}


@pytest.mark.parametrize("name", sorted(OPERATIONS))
def test_no_hostile_variables_get_a_server_error(
    name: str, caplog: pytest.LogCaptureFixture
) -> None:
    document, variables = OPERATIONS[name]

    @settings(
        max_examples=30,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(variables)
    def fuzz(values: dict[str, Any]) -> None:
        request_cleanly(
            APP, AUTH, caplog, "POST", "/graphql", json={"query": document, "variables": values}
        )

    fuzz()


@settings(max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck))
@given(
    entity=st.one_of(st.just(E), hostile_text),
    after=st.one_of(st.none(), hostile_text, hostile_ints.map(str)),
    limit=st.one_of(st.none(), hostile_text, hostile_ints.map(str)),
)
def test_the_firings_route_answers_any_parameters_without_a_server_error(
    caplog: pytest.LogCaptureFixture, entity: str, after: str | None, limit: str | None
) -> None:
    params = {"entity": entity, "after": after, "limit": limit}
    response = request_cleanly(
        APP,
        AUTH,
        caplog,
        "GET",
        "/_wandbkit/automations/firings",
        params={k: v for k, v in params.items() if v is not None},
    )
    if response.status_code == 200:
        assert len(response.json()["firings"]) <= 1000
