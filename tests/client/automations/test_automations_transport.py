"""The Api's automations methods at the transport: the operations the official client sends,
with exactly its variables, and its documents' answers read back (httpx.MockTransport; the
answers are shaped like the official documents' results)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

import wandbkit
from wandbkit._core.errors import APIError, ConflictError, NotFoundError, UsageError
from wandbkit.automations import (
    ArtifactCollectionScope,
    DoNothing,
    OnLinkArtifact,
    OnRunMetric,
    ProjectScope,
    RunEvent,
    SendWebhook,
    SlackIntegration,
    WebhookIntegration,
)
from wandbkit.automations._wire import to_create_variables

BASE_URL = "http://wandbkit.test"
PROJECT = ProjectScope("UHJvamVjdDox", "proj")
HOOK = {"__typename": "GenericWebhookIntegration", "id": "SW50OjI=", "name": "hook",
        "urlEndpoint": "https://hooks.example.com/x"}  # fmt: skip
SLACK = {"__typename": "SlackIntegration", "id": "SW50OjE=", "teamName": "ws",
         "channelName": "#alerts"}  # fmt: skip
PAGE_END = {"endCursor": None, "hasNextPage": False}


def trigger(name: str = "loss-alarm", id_: str = "VHJpZ2dlcjox") -> dict[str, Any]:
    """A saved trigger as the server answers it (TriggerFields)."""
    return {
        "__typename": "Trigger", "id": id_, "createdAt": "2025-01-01T00:00:00Z",
        "updatedAt": "2025-01-02T00:00:00Z", "name": name, "description": None, "enabled": True,
        "scope": {"__typename": "Project", "id": PROJECT.id, "name": PROJECT.name},
        "event": {"__typename": "FilterEventTriggeringCondition", "eventType": "RUN_METRIC",
                  "filter": json.dumps({"run_filter": json.dumps({"$and": []}),
                                        "run_metric_filter": {"threshold_filter": {
                                            "name": "loss", "agg_op": "MAX", "window_size": 5,
                                            "cmp_op": "$gt", "threshold": 0.5}},
                                        "metric_filter": None})},
        "action": {"__typename": "GenericWebhookTriggeredAction", "integration": HOOK,
                   "requestPayload": json.dumps({"run": "${run_name}"})},
    }  # fmt: skip


class Server:
    """Answers each operation with ``answers[operationName](variables)``; keeps the bodies."""

    def __init__(
        self,
        answers: dict[str, Callable[[dict[str, Any]], httpx.Response | dict[str, Any]]],
        *,
        entity_triggers: bool = True,
    ) -> None:
        features = [{"name": "QUERY_AUTOMATIONS_ON_ENTITY", "isEnabled": True}]
        # A server with Entity.triggers says so (W&B Server 0.83 and later); an older one not.
        self.answers = {
            "ServerFeatures": lambda v: {
                "serverInfo": {"features": features if entity_triggers else []}
            },
            **answers,
        }
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.bodies.append(body)
        answer = self.answers[body["operationName"]](body.get("variables") or {})
        return (
            answer
            if isinstance(answer, httpx.Response)
            else httpx.Response(200, json={"data": answer})
        )

    @property
    def operations(self) -> list[str]:
        return [b["operationName"] for b in self.bodies]


def api_on(server: Server) -> wandbkit.AsyncApi:
    return wandbkit.AsyncApi(
        api_key="k" * 40, base_url=BASE_URL, entity="team", transport=httpx.MockTransport(server)
    )


def new_automation() -> Any:
    hook = WebhookIntegration(HOOK["id"], HOOK["name"], HOOK["urlEndpoint"])
    event = OnRunMetric(scope=PROJECT, filter=RunEvent.metric("loss").max(5) > 0.5)
    return event >> SendWebhook.from_integration(hook, payload={"run": "${run_name}"})


async def test_create_sends_the_official_variables_and_returns_the_saved_automation() -> None:
    server = Server({"CreateAutomation": lambda v: {"result": {"trigger": trigger()}}})
    async with api_on(server) as api:
        saved = await api.create_automation(new_automation(), name="loss-alarm")
    assert server.operations == ["CreateAutomation"]
    assert server.bodies[0]["variables"] == to_create_variables(new_automation(), name="loss-alarm")
    assert server.bodies[0]["variables"]["input"]["eventFilter"] == (
        '{"run_filter":"{\\"$and\\":[]}","run_metric_filter":{"threshold_filter":{"name":"loss",'
        '"agg_op":"MAX","window_size":5,"cmp_op":"$gt","threshold":0.5}},"metric_filter":null}'
    )
    assert saved.id == "VHJpZ2dlcjox" and saved.name == "loss-alarm"
    assert saved.event == new_automation().event
    assert saved.action == new_automation().action
    assert saved.updated_at is not None and saved.updated_at.year == 2025


async def test_bad_input_is_refused_before_any_request() -> None:
    server = Server({})
    async with api_on(server) as api:
        with pytest.raises(UsageError, match=r"^scope: OnRunMetric"):
            await api.create_automation(
                new_automation(), name="x", scope=ArtifactCollectionScope("QQ==", "c")
            )
        with pytest.raises(UsageError, match=r"^name must be"):
            await api.create_automation(new_automation())
        with pytest.raises(UsageError, match=r"^url_endpoint must be an http"):
            await api.create_webhook_integration("hook", "ftp://x.example")
        with pytest.raises(UsageError, match=r"^obj must be an Automation or its id"):
            await api.delete_automation("")
    assert server.bodies == []


async def test_a_taken_name_is_a_conflict_or_with_fetch_existing_the_existing_one() -> None:
    conflict = httpx.Response(409, json={"errors": [{"message": "name taken"}]})
    server = Server({
        "CreateAutomation": lambda v: conflict,
        "GetEntityAutomations": lambda v: {"scope": {"triggers": {
            "pageInfo": PAGE_END, "edges": [{"node": trigger()}]}}},
    })  # fmt: skip
    async with api_on(server) as api:
        with pytest.raises(ConflictError):
            await api.create_automation(new_automation(), name="loss-alarm")
        found = await api.automation("loss-alarm", entity="team")
    assert found.name == "loss-alarm"
    assert server.bodies[-1]["variables"] == {
        "entity": "team",
        "cursor": None,
        "perPage": 50,
        "filters": '{"name":"loss-alarm"}',
    }


async def test_automations_pages_through_entity_triggers_with_the_name_filter() -> None:
    pages = {
        None: {"pageInfo": {"endCursor": "c1", "hasNextPage": True},
               "edges": [{"node": trigger("a", "VHJpZ2dlcjox")}]},
        "c1": {"pageInfo": PAGE_END, "edges": [{"node": trigger("a", "VHJpZ2dlcjoy")}]},
    }  # fmt: skip
    server = Server(
        {"GetEntityAutomations": lambda v: {"scope": {"triggers": pages[v.get("cursor")]}}}
    )
    async with api_on(server) as api:
        listed = [a.id async for a in api.automations("team", name="a", per_page=1)]
        with pytest.raises(APIError, match=r"^2 automations are named 'a'"):
            await api.automation("a", entity="team")
    assert listed == ["VHJpZ2dlcjox", "VHJpZ2dlcjoy"]
    assert server.operations[:3] == ["ServerFeatures", *["GetEntityAutomations"] * 2]
    assert server.bodies[2]["variables"] == {
        "entity": "team",
        "cursor": "c1",
        "perPage": 1,
        "filters": '{"name":"a"}',
    }


async def test_without_an_entity_automations_walks_the_viewers_projects_as_officially() -> None:
    server = Server({"GetAutomationsLegacy": lambda v: {"scope": {"projects": {
        "pageInfo": PAGE_END,
        "edges": [{"node": {"__typename": "Project",
                            "triggers": [trigger("a"), trigger("b", "VHJpZ2dlcjoy")]}}],
    }}}})  # fmt: skip
    async with api_on(server) as api:
        named = await api.automations(name="b").to_list()
        with pytest.raises(NotFoundError, match=r"no automation named 'zzz'"):
            await api.automation("zzz")
    assert [a.name for a in named] == ["b"]
    assert server.operations == ["GetAutomationsLegacy", "GetAutomationsLegacy"]


async def test_a_server_without_entity_triggers_is_read_through_the_entitys_projects() -> None:
    pages = {
        None: {"pageInfo": {"endCursor": "p1", "hasNextPage": True},
               "edges": [{"node": {"__typename": "Project", "triggers": [trigger("a")]}}]},
        "p1": {"pageInfo": PAGE_END,
               "edges": [{"node": {"__typename": "Project",
                                   "triggers": [trigger("b", "VHJpZ2dlcjoy")]}}]},
    }  # fmt: skip
    server = Server(
        {"GetEntityAutomationsLegacy": lambda v: {"scope": {"projects": pages[v.get("cursor")]}}},
        entity_triggers=False,
    )
    async with api_on(server) as api:
        listed = [a.name async for a in api.automations("team", per_page=1)]
        found = await api.automation("b", entity="team")
    assert listed == ["a", "b"] and found.id == "VHJpZ2dlcjoy"
    # The features are asked once per client; each listing walks the entity's projects.
    assert server.operations == ["ServerFeatures", *["GetEntityAutomationsLegacy"] * 4]
    assert server.bodies[2]["variables"] == {"entity": "team", "cursor": "p1", "perPage": 1}


async def test_update_sends_the_automations_id_and_scope_and_a_missing_one_is_not_found() -> None:
    updated = dict(trigger(), enabled=False, description="off")
    server = Server({"GetEntityAutomations": lambda v: {"scope": {"triggers": {
        "pageInfo": PAGE_END, "edges": [{"node": trigger()}]}}},
        "UpdateAutomation": lambda v: {"result": {"trigger": updated}}})  # fmt: skip
    async with api_on(server) as api:
        saved = await api.automation("loss-alarm", entity="team")
        saved.enabled = False
        result = await api.update_automation(saved, description="off")
        server.answers["UpdateAutomation"] = lambda v: {
            "errors": [{"message": "trigger not found"}],
            "data": {"result": None},
        }
        server.answers["UpdateAutomation"] = lambda v: httpx.Response(
            200,
            json={
                "errors": [{"message": "updateFilterTrigger: trigger not found"}],
                "data": {"result": None},
            },
        )
        with pytest.raises(NotFoundError, match=r"create_missing=True"):
            await api.update_automation(saved)
    sent = server.bodies[server.operations.index("UpdateAutomation")]["variables"]["input"]
    assert (
        sent["id"] == "VHJpZ2dlcjox" and sent["enabled"] is False and sent["description"] == "off"
    )
    assert (sent["scopeID"], sent["scopeType"]) == (PROJECT.id, "PROJECT")
    assert result.enabled is False and result.description == "off"


async def test_delete_sends_the_id_and_integrations_are_split_by_type() -> None:
    server = Server({
        "DeleteAutomation": lambda v: {"result": {"success": True}},
        "IntegrationsByEntity": lambda v: {"entity": {"integrations": {
            "pageInfo": PAGE_END, "edges": [{"node": SLACK}, {"node": HOOK}]}}},
        "CreateGenericWebhookIntegration": lambda v: {"result": {"integration": HOOK}},
    })  # fmt: skip
    async with api_on(server) as api:
        assert await api.delete_automation("VHJpZ2dlcjox") is True
        everything = await api.integrations().to_list()
        slack = await api.slack_integrations(entity="other").to_list()
        hooks = await api.webhook_integrations("team").to_list()
        made = await api.create_webhook_integration("hook", "https://hooks.example.com/x")
    assert server.bodies[0]["variables"] == {"id": "VHJpZ2dlcjox"}
    assert everything == [
        SlackIntegration("SW50OjE=", "ws", "#alerts"),
        WebhookIntegration("SW50OjI=", "hook", "https://hooks.example.com/x"),
    ]
    assert slack == everything[:1] and hooks == everything[1:] and made == everything[1]
    assert server.bodies[2]["variables"] == {"entity": "other", "cursor": None, "perPage": 50}
    hook_input = {"entityName": "team", "name": "hook", "urlEndpoint": HOOK["urlEndpoint"]}
    assert server.bodies[4]["variables"] == {"input": hook_input}


def test_the_sync_api_sends_the_same_create_variables() -> None:
    server = Server({"CreateAutomation": lambda v: {"result": {"trigger": trigger()}}})
    with wandbkit.Api(api_key="k" * 40, base_url=BASE_URL, entity="team",
                      transport=httpx.MockTransport(server)) as api:  # fmt: skip
        saved = api.create_automation(new_automation(), name="loss-alarm")
        link = (
            OnLinkArtifact(scope=ArtifactCollectionScope("QQ==", "c", "ArtifactPortfolio"))
            >> DoNothing()
        )
        server.answers["CreateAutomation"] = lambda v: {"result": {"trigger": trigger("l")}}
        api.create_automation(link, name="l", enabled=False)
    assert server.bodies[0]["variables"] == to_create_variables(new_automation(), name="loss-alarm")
    assert server.bodies[1]["variables"] == to_create_variables(link, name="l", enabled=False)
    assert saved.name == "loss-alarm"
