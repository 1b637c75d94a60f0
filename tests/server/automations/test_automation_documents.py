"""The official client's (wandb 0.31.0) automation and integration documents, with the inputs
its ``wandb.automations`` objects serialize to, answered by the local server; what comes back
parses as the official ``Automation`` and ``Integration`` models."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from wandbkit.server.testing import asgi_transport, basic_auth_header

from ..conftest import BASE_URL, Data, PostGraphQL, ServerApp, official_document
from .support import official_automation, official_input, project_id

wandb_automations = pytest.importorskip("wandb.automations")


async def create_webhook(gql: PostGraphQL, data: Data, entity: str, url: str) -> dict[str, Any]:
    response = await gql(
        official_document("CreateGenericWebhookIntegration"),
        {"input": {"entityName": entity, "urlEndpoint": url, "name": "hook"}},
        operationName="",
    )
    integration: dict[str, Any] = data(response)["result"]["integration"]
    return integration


def scopes(server_app: ServerApp) -> tuple[Any, Any]:
    from wandb.automations import ProjectScope
    from wandb.automations.scopes import _ArtifactSequenceScope

    store = server_app.store
    project = ProjectScope(id=project_id(store, "demo", "auto"), name="auto")
    owner = store.projects.find("demo", "auto")
    assert owner is not None
    kind = store.artifact_collections.ensure_type(owner.pk, "model")
    collection = store.artifact_collections.create(owner.pk, kind.pk, "weights")
    from wandbkit.server.ids import encode_id

    sequence = _ArtifactSequenceScope(
        id=encode_id("ArtifactSequence", collection.pk), name="weights"
    )
    return project, sequence


def every_event(project: Any, sequence: Any) -> list[Any]:
    from wandb.automations import (
        ArtifactEvent,
        OnAddArtifactAlias,
        OnAddArtifactTag,
        OnCreateArtifact,
        OnLinkArtifact,
        OnRemoveArtifactTag,
        OnRunMetric,
        OnRunState,
        OnUnlinkArtifact,
        RunEvent,
    )

    return [
        OnRunMetric(scope=project, filter=RunEvent.metric("loss").max(5) > 0.5),
        OnRunMetric(
            scope=project,
            filter=(RunEvent.metric("loss") < 0.1) & RunEvent.name.contains("sweep"),
        ),
        OnRunMetric(scope=project, filter=RunEvent.metric("acc").avg(3).increases_by(frac=0.1)),
        OnRunMetric(scope=project, filter=RunEvent.metric("acc").zscore(10).abs() > 2),
        OnRunState(scope=project, filter=RunEvent.state.in_(["finished", "failed"])),
        OnCreateArtifact(scope=sequence),
        OnLinkArtifact(scope=project, filter=ArtifactEvent.alias.eq("prod")),
        OnUnlinkArtifact(scope=sequence),
        OnAddArtifactAlias(scope=sequence, filter=ArtifactEvent.alias.matches_regex("^prod")),
        OnAddArtifactTag(scope=sequence, filter=ArtifactEvent.tag.eq("x")),
        OnRemoveArtifactTag(scope=sequence),
    ]


async def test_every_event_and_action_round_trips_through_the_official_documents(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    from wandb.automations import Automation, DoNothing, SendNotification, SendWebhook
    from wandb.automations.integrations import IntegrationAdapter

    hook = await create_webhook(gql, data, "demo", "http://127.0.0.1:9/hook")
    slack = server_app.store.automations.create_slack(
        server_app.store.entities.get("demo").pk,
        "acme",
        "#alerts",  # type: ignore[union-attr]
    )
    from wandbkit.server.ids import encode_id

    actions = [
        SendWebhook(integration_id=hook["id"], request_payload={"run": "${run_name}"}),
        SendNotification(integration_id=encode_id("Integration", slack.pk), title="t", text="m"),
        DoNothing(),
    ]
    project, sequence = scopes(server_app)
    created: list[Automation] = []
    for index, event in enumerate(every_event(project, sequence)):
        action = actions[index % len(actions)]
        variables = {"input": official_input(event, action, f"auto-{index}")}
        response = await gql(official_document("CreateAutomation"), variables, operationName="")
        saved = official_automation(data(response)["result"]["trigger"])
        assert saved.event.event_type == event.event_type
        assert saved.scope.id == event.scope.id
        assert saved.action.action_type == action.action_type
        # The saved filter parses back to the filter that was sent.
        assert saved.event.filter.model_dump() != {}
        created.append(saved)

    listed = data(
        await gql(
            official_document("GetEntityAutomations"),
            {"entity": "demo", "perPage": 4},
            operationName="",
        )
    )["scope"]["triggers"]
    assert listed["pageInfo"]["hasNextPage"] is True
    names = [official_automation(e["node"]).name for e in listed["edges"]]
    assert names == ["auto-0", "auto-1", "auto-2", "auto-3"]
    one = data(
        await gql(
            official_document("GetEntityAutomations"),
            {"entity": "demo", "filters": '{"name": "auto-5"}'},
            operationName="",
        )
    )["scope"]["triggers"]["edges"]
    assert [e["node"]["name"] for e in one] == ["auto-5"]

    legacy = data(
        await gql(
            official_document("GetEntityAutomationsLegacy"), {"entity": "demo"}, operationName=""
        )
    )["scope"]["projects"]["edges"]
    on_project = [t["name"] for e in legacy for t in e["node"]["triggers"]]
    assert on_project == [a.name for a in created if a.scope.id == project.id]
    viewer = data(await gql(official_document("GetAutomationsLegacy"), {}, operationName=""))
    assert viewer["scope"]["projects"]["edges"]

    from wandb.automations._inputs import prepare_to_update

    first = created[0]
    update = prepare_to_update(first, name="renamed", enabled=False, description="off")
    updated = official_automation(
        data(
            await gql(
                official_document("UpdateAutomation"),
                {"input": update.model_dump(mode="json", by_alias=True)},
                operationName="",
            )
        )["result"]["trigger"]
    )
    assert (updated.name, updated.enabled, updated.description) == ("renamed", False, "off")
    assert updated.event.filter == first.event.filter
    assert updated.updated_at is not None

    deleted = data(
        await gql(official_document("DeleteAutomation"), {"id": first.id}, operationName="")
    )
    assert deleted["result"]["success"] is True
    again = await gql(official_document("DeleteAutomation"), {"id": first.id}, operationName="")
    assert again.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"

    integrations = data(
        await gql(official_document("IntegrationsByEntity"), {"entity": "demo"}, operationName="")
    )["entity"]["integrations"]["edges"]
    parsed = [IntegrationAdapter.validate_python(e["node"]) for e in integrations]
    assert [type(p).__name__ for p in parsed] == ["WebhookIntegration", "SlackIntegration"]
    assert parsed[0].url_endpoint == "http://127.0.0.1:9/hook"
    assert parsed[1].channel_name == "#alerts"


async def test_a_second_automation_of_the_same_name_is_http_409(
    gql: PostGraphQL, server_app: ServerApp
) -> None:
    from wandb.automations import DoNothing, OnRunState, RunEvent

    project, _ = scopes(server_app)
    event = OnRunState(scope=project, filter=RunEvent.state == "finished")
    variables = {"input": official_input(event, DoNothing(), "twice")}
    first = await gql(official_document("CreateAutomation"), variables, operationName="")
    assert first.status_code == 200 and "errors" not in first.json()
    second = await gql(official_document("CreateAutomation"), variables, operationName="")
    assert second.status_code == 409
    assert "twice" in second.json()["errors"][0]["message"]


async def test_another_entitys_automations_and_integrations_are_invisible_and_untouchable(
    gql: PostGraphQL, data: Data, server_app: ServerApp
) -> None:
    from wandb.automations import DoNothing, OnRunState, RunEvent

    store = server_app.store
    await create_webhook(gql, data, "demo", "https://example.test/hook")
    project, _ = scopes(server_app)
    event = OnRunState(scope=project, filter=RunEvent.state == "finished")
    saved = data(
        await gql(
            official_document("CreateAutomation"),
            {"input": official_input(event, DoNothing(), "mine")},
            operationName="",
        )
    )["result"]["trigger"]
    store.projects.update(store.projects.find("demo", "auto").pk, access="USER_READ")  # type: ignore[union-attr]

    eve = store.accounts.create_user("eve")
    key, _ = store.accounts.create_api_key(eve.pk)
    async with httpx.AsyncClient(
        transport=asgi_transport(server_app.app), base_url=BASE_URL, headers=basic_auth_header(key)
    ) as other:

        async def post(name: str, variables: dict[str, Any]) -> httpx.Response:
            body = {"query": official_document(name), "variables": variables, "operationName": ""}
            return await other.post("/graphql", json=body)

        listed = (await post("GetEntityAutomations", {"entity": "demo"})).json()["data"]
        assert listed["scope"]["triggers"]["edges"] == []
        hooks = (await post("IntegrationsByEntity", {"entity": "demo"})).json()["data"]
        assert hooks["entity"]["integrations"]["edges"] == []
        # The project is public, its automations are not.
        legacy = (await post("GetEntityAutomationsLegacy", {"entity": "demo"})).json()["data"]
        assert all(e["node"]["triggers"] == [] for e in legacy["scope"]["projects"]["edges"])
        refused = await post("CreateAutomation", {"input": official_input(event, DoNothing(), "x")})
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERMISSION_DENIED"
        gone = await post("DeleteAutomation", {"id": saved["id"]})
        assert gone.json()["errors"][0]["extensions"]["code"] == "NOT_FOUND"
        firings = await other.get("/_wandbkit/automations/firings", params={"entity": "demo"})
        assert firings.status_code == 404
    assert store.automations.get(1) is not None


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"triggeringEventType": "CREATE_ARTIFACT"}, "cannot have a PROJECT scope"),
        ({"triggeringEventType": "NOT_AN_EVENT"}, "NOT_AN_EVENT"),
        ({"triggeringEventType": "UPDATE_ARTIFACT_ALIAS"}, "legacy"),
        ({"eventFilter": '{"run_filter": "{}", "run_state_filter": {"states": ["DONE"]}}'}, "DONE"),
        ({"eventFilter": "[1, 2]"}, "eventFilter must be a JSON object"),
        ({"eventFilter": '{"run_filter": "{\\"nope\\": {\\"$bad\\": 1}}"}'}, "run_filter"),
        ({"eventFilter": "{not json"}, "JSON"),
        ({"triggeredActionType": "QUEUE_JOB"}, "QUEUE_JOB"),
        ({"triggeredActionType": "GENERIC_WEBHOOK"}, "must not have ['noOpActionInput']"),
        (
            {"triggeredActionType": "GENERIC_WEBHOOK", "triggeredActionConfig": {}},
            "needs triggeredActionConfig.genericWebhookActionInput",
        ),
        ({"scopeID": "bm9wZQ=="}, "scopeID"),
        ({"name": "  "}, "name"),
    ],
)
async def test_bad_automation_input_is_a_graphql_error_naming_the_field(
    gql: PostGraphQL, server_app: ServerApp, change: dict[str, Any], message: str
) -> None:
    from wandb.automations import DoNothing, OnRunState, RunEvent

    project, _ = scopes(server_app)
    event = OnRunState(scope=project, filter=RunEvent.state == "finished")
    variables = {"input": official_input(event, DoNothing(), "bad") | change}
    response = await gql(official_document("CreateAutomation"), variables, operationName="")
    assert response.status_code in (200, 400)
    errors = response.json()["errors"]
    assert message in errors[0]["message"]
    assert server_app.store.automations.of_entities([1, 2, 3], after_pk=0, limit=10) == []


async def test_a_metric_filter_of_the_wrong_shape_and_a_bad_alias_regex_are_refused(
    gql: PostGraphQL, server_app: ServerApp
) -> None:
    from wandb.automations import (
        ArtifactEvent,
        DoNothing,
        OnAddArtifactAlias,
        OnRunMetric,
        RunEvent,
    )

    project, sequence = scopes(server_app)
    metric = official_input(
        OnRunMetric(scope=project, filter=RunEvent.metric("loss") > 1), DoNothing(), "m"
    )
    metric["eventFilter"] = metric["eventFilter"].replace('"$gt"', '"$between"')
    refused = await gql(official_document("CreateAutomation"), {"input": metric}, operationName="")
    assert "cmp_op" in refused.json()["errors"][0]["message"]
    alias = official_input(
        OnAddArtifactAlias(scope=sequence, filter=ArtifactEvent.alias.matches_regex("ok")),
        DoNothing(),
        "a",
    )
    alias["eventFilter"] = alias["eventFilter"].replace('"ok"', '"(unclosed"')
    refused = await gql(official_document("CreateAutomation"), {"input": alias}, operationName="")
    assert "RE2" in refused.json()["errors"][0]["message"]


@pytest.mark.parametrize(
    "url", ["ftp://example.test/hook", "file:///etc/passwd", "javascript:alert(1)", "http://", "x"]
)
async def test_a_webhook_url_that_is_not_http_is_refused(
    gql: PostGraphQL, server_app: ServerApp, url: str
) -> None:
    response = await gql(
        official_document("CreateGenericWebhookIntegration"),
        {"input": {"entityName": "demo", "urlEndpoint": url, "name": "hook"}},
        operationName="",
    )
    assert response.status_code == 200
    assert "http:// or https://" in response.json()["errors"][0]["message"]
    demo = server_app.store.entities.get("demo")
    assert demo is not None
    assert server_app.store.automations.integrations(demo.pk, after_pk=0, limit=5) == []
