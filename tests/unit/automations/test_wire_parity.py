"""Every event, filter and action type, built with wandbkit and with the official
``wandb.automations`` (0.31.0): the CreateAutomation variables are the same, key for key and
byte for byte in the JSON texts; the trigger the server answers parses back to the same event
and action; and the UpdateAutomation variables of the parsed automation are the official
client's too."""

from __future__ import annotations

import json
from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

import wandbkit.automations as kit
from wandbkit.automations._wire import (
    automation_from_trigger,
    to_create_variables,
    to_update_variables,
)

official = pytest.importorskip("wandb.automations")
from wandb.automations._generated import TriggerFields  # noqa: E402
from wandb.automations._inputs import prepare_to_create, prepare_to_update  # noqa: E402
from wandb.automations.scopes import (  # noqa: E402
    _ArtifactPortfolioScope,
    _ArtifactSequenceScope,
)

PROJECT = ("UHJvamVjdDox", "proj")
SEQUENCE = ("QXJ0aWZhY3RTZXF1ZW5jZTox", "my-model")
PORTFOLIO = ("QXJ0aWZhY3RQb3J0Zm9saW86Mg==", "reg-coll")
TEAM = ("RW50aXR5OjM=", "my-team")
ORG = ("RW50aXR5OjQ=", "my-org")
SLACK = ("SW50ZWdyYXRpb246MQ==", "workspace", "#alerts")
HOOK = ("SW50ZWdyYXRpb246Mg==", "my-hook", "https://hooks.example.com/x")


class Side:
    """One library's way of building the same thing."""

    def __init__(self, ns: ModuleType, *, is_kit: bool) -> None:
        self.ns, self.is_kit = ns, is_kit

    def __getattr__(self, name: str) -> Any:
        return getattr(self.ns, name)

    def project(self) -> Any:
        return self.ns.ProjectScope(id=PROJECT[0], name=PROJECT[1])

    def registry(self) -> Any:
        return self.ns.RegistryScope(id=PROJECT[0], name="wandb-registry-model")

    def sequence(self) -> Any:
        if self.is_kit:
            return kit.ArtifactCollectionScope(SEQUENCE[0], SEQUENCE[1])
        return _ArtifactSequenceScope(id=SEQUENCE[0], name=SEQUENCE[1])

    def portfolio(self) -> Any:
        if self.is_kit:
            return kit.ArtifactCollectionScope(PORTFOLIO[0], PORTFOLIO[1], "ArtifactPortfolio")
        return _ArtifactPortfolioScope(id=PORTFOLIO[0], name=PORTFOLIO[1])

    def team(self) -> Any:
        return self.ns.TeamScope(id=TEAM[0], name=TEAM[1])

    def org(self) -> Any:
        return self.ns.OrgScope(id=ORG[0], name=ORG[1])

    def slack(self) -> Any:
        return self.ns.SlackIntegration(id=SLACK[0], team_name=SLACK[1], channel_name=SLACK[2])

    def hook(self) -> Any:
        return self.ns.WebhookIntegration(id=HOOK[0], name=HOOK[1], url_endpoint=HOOK[2])


KIT = Side(kit, is_kit=True)
OFFICIAL = Side(official, is_kit=False)

Case = Callable[[Side], Any]

EVENTS: dict[str, Case] = {
    "metric threshold, max over a window": lambda s: s.OnRunMetric(
        scope=s.project(), filter=s.RunEvent.metric("loss").max(5) > 0.5
    ),
    "metric threshold, latest value, <=, tiny float": lambda s: s.OnRunMetric(
        scope=s.project(), filter=s.RunEvent.metric("acc") <= 1e-5
    ),
    "metric threshold, min, gte method, int": lambda s: s.OnRunMetric(
        scope=s.team(), filter=s.RunEvent.metric("loss").min(3).gte(2)
    ),
    "metric threshold and a run filter": lambda s: s.OnRunMetric(
        scope=s.project(),
        filter=(s.RunEvent.metric("loss").mean(10) < 0.1) & s.RunEvent.name.contains("sweep"),
    ),
    "metric change, absolute, any direction": lambda s: s.OnRunMetric(
        scope=s.project(), filter=s.RunEvent.metric("loss").changes_by(diff=2)
    ),
    "metric change, relative increase of an average": lambda s: s.OnRunMetric(
        scope=s.org(), filter=s.RunEvent.metric("acc").avg(4).increases_by(frac=0.25)
    ),
    "metric change, decrease, with a complex run filter": lambda s: s.OnRunMetric(
        scope=s.project(),
        filter=s.RunEvent.metric("acc").mean(3).decreases_by(frac=0.1)
        & (s.RunEvent.name.contains("a") | ~s.RunEvent.name.eq("b")),
    ),
    "metric z-score rising": lambda s: s.OnRunMetric(
        scope=s.project(), filter=s.RunEvent.metric("loss").zscore(10) > 2
    ),
    "metric z-score falling": lambda s: s.OnRunMetric(
        scope=s.project(), filter=s.RunEvent.metric("loss").zscore(20) < -1.5
    ),
    "metric z-score absolute, with a run filter": lambda s: s.OnRunMetric(
        scope=s.project(),
        filter=(abs(s.RunEvent.metric("loss").zscore(30)) > 3)
        & s.RunEvent.name.matches_regex("^exp-"),
    ),
    "run state in a list": lambda s: s.OnRunState(
        scope=s.project(), filter=s.RunEvent.state.in_(["finished", "failed"])
    ),
    "run state equal, team scope": lambda s: s.OnRunState(
        scope=s.team(), filter=s.RunEvent.state == "running"
    ),
    "run state and a run filter": lambda s: s.OnRunState(
        scope=s.project(), filter=s.RunEvent.state.eq("FINISHED") & s.RunEvent.name.ne("x")
    ),
    "link artifact, alias regex": lambda s: s.OnLinkArtifact(
        scope=s.portfolio(), filter=s.ArtifactEvent.alias.matches_regex("^prod")
    ),
    "link artifact to a registry": lambda s: s.OnLinkArtifact(
        scope=s.registry(), filter=s.ArtifactEvent.alias.eq("staging")
    ),
    "unlink artifact, no filter": lambda s: s.OnUnlinkArtifact(scope=s.portfolio()),
    "create artifact in a collection": lambda s: s.OnCreateArtifact(scope=s.sequence()),
    "add alias, project scope, no filter": lambda s: s.OnAddArtifactAlias(scope=s.project()),
    "add alias, a raw dict filter": lambda s: s.OnAddArtifactAlias(
        scope=s.sequence(), filter={"alias": "prod"}
    ),
    "add alias, an already wrapped dict": lambda s: s.OnAddArtifactAlias(
        scope=s.sequence(), filter={"$or": [{"$and": [{"alias": {"$regex": "p"}}]}]}
    ),
    "add artifact tag, tags in and alias eq": lambda s: s.OnAddArtifactTag(
        scope=s.portfolio(),
        filter=s.ArtifactEvent.tag.in_(["a", "b"]) & s.ArtifactEvent.alias.eq("x"),
    ),
    "remove artifact tag, a negated or": lambda s: s.OnRemoveArtifactTag(
        scope=s.sequence(),
        filter=~(s.ArtifactEvent.tag.eq("a") | s.ArtifactEvent.tag.eq("b")),
    ),
    "add collection tag": lambda s: s.OnAddCollectionTag(
        scope=s.portfolio(), filter=s.ArtifactEvent.tag.not_in(["tmp"])
    ),
    "remove collection tag": lambda s: s.OnRemoveCollectionTag(
        scope=s.project(), filter=~s.ArtifactEvent.tag.exists()
    ),
}

ACTIONS: dict[str, Case] = {
    "slack notification": lambda s: s.SendNotification.from_integration(
        s.slack(), title="Loss alarm", text="loss is ${run_name}", level="warn"
    ),
    "slack notification, defaults": lambda s: s.SendNotification(integration_id=SLACK[0]),
    "webhook with a payload": lambda s: s.SendWebhook.from_integration(
        s.hook(), payload={"run": "${run_name}", "n": 1, "é": [1.5, None, True]}
    ),
    "webhook without a payload": lambda s: s.SendWebhook.from_integration(s.hook()),
    "do nothing": lambda s: s.DoNothing(),
    "prompt to aria": lambda s: s.SendPromptToAria(prompt="  summarise the run  "),
}

WRITES: dict[str, dict[str, Any]] = {
    "name only": {"name": "my automation"},
    "all fields": {"name": "n2", "description": "what it does", "enabled": False},
}


def _official_create(event: Any, action: Any, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {"input": prepare_to_create(event >> action, **kwargs).model_dump()}


def _trigger(variables: dict[str, Any], scope: tuple[str, str, str | None]) -> dict[str, Any]:
    """What a W&B server answers for the trigger these variables created."""
    body = variables["input"]
    typename, name, entity_type = scope
    scope_node: dict[str, Any] = {"__typename": typename, "id": body["scopeID"], "name": name}
    if entity_type is not None:
        scope_node["entityType"] = entity_type
    event_filter = body["eventFilter"]
    if not body["triggeringEventType"].startswith("RUN_"):
        event_filter = json.dumps({"filter": event_filter})  # saved mutation filters nest once
    ((key, config),) = body["triggeredActionConfig"].items()
    action: dict[str, Any]
    if key == "notificationActionInput":
        action = {
            "__typename": "NotificationTriggeredAction",
            "integration": {"__typename": "SlackIntegration", "id": config["integrationID"],
                            "teamName": SLACK[1], "channelName": SLACK[2]},
            "title": config.get("title"),
            "message": config.get("message"),
            "severity": config.get("severity"),
        }  # fmt: skip
    elif key == "genericWebhookActionInput":
        action = {
            "__typename": "GenericWebhookTriggeredAction",
            "integration": {"__typename": "GenericWebhookIntegration",
                            "id": config["integrationID"], "name": HOOK[1], "urlEndpoint": HOOK[2]},
            "requestPayload": config.get("requestPayload"),
        }  # fmt: skip
    elif key == "noOpActionInput":
        action = {"__typename": "NoOpTriggeredAction", "noOp": True}
    else:
        action = {"__typename": "ARIATriggeredAction", "prompt": config["prompt"]}
    return {
        "__typename": "Trigger",
        "id": "VHJpZ2dlcjo3",
        "createdAt": "2025-01-02T03:04:05.123456Z",
        "updatedAt": None,
        "name": body["name"],
        "description": body.get("description"),
        "enabled": body["enabled"],
        "scope": scope_node,
        "event": {"__typename": "FilterEventTriggeringCondition",
                  "eventType": body["triggeringEventType"], "filter": event_filter},
        "action": action,
    }  # fmt: skip


def _scope_node(scope: Any) -> tuple[str, str, str | None]:
    entity_type = getattr(scope, "entity_type", None)
    return scope.typename__, scope.name, entity_type


@pytest.mark.parametrize("write", list(WRITES), ids=list(WRITES))
@pytest.mark.parametrize("action", list(ACTIONS), ids=list(ACTIONS))
@pytest.mark.parametrize("event", list(EVENTS), ids=list(EVENTS))
def test_create_variables_are_the_official_clients_and_the_answer_parses_back(
    event: str, action: str, write: str
) -> None:
    ours_event, ours_action = EVENTS[event](KIT), ACTIONS[action](KIT)
    kwargs = WRITES[write]
    ours = to_create_variables(ours_event >> ours_action, **kwargs)
    theirs = _official_create(EVENTS[event](OFFICIAL), ACTIONS[action](OFFICIAL), kwargs)
    assert ours == theirs
    assert list(ours["input"]) == list(theirs["input"])

    node = _trigger(ours, _scope_node(ours_event.scope))
    saved = automation_from_trigger(node)
    assert saved.event == ours_event
    assert saved.action == ours_action
    assert saved.scope == ours_event.scope
    assert (saved.name, saved.description, saved.enabled) == (
        kwargs["name"], kwargs.get("description"), kwargs.get("enabled", True)
    )  # fmt: skip

    official_saved = official.Automation.model_validate(TriggerFields.model_validate(node))
    assert to_update_variables(saved) == {"input": prepare_to_update(official_saved).model_dump()}
    edits = {"enabled": False, "description": "edited", "name": "renamed"}
    assert to_update_variables(saved, **edits) == {
        "input": prepare_to_update(official_saved, **edits).model_dump()
    }


def test_an_update_with_a_new_event_keeps_the_automations_scope_as_officially() -> None:
    base = to_create_variables(
        EVENTS["add alias, project scope, no filter"](KIT) >> kit.DoNothing(), name="x"
    )
    node = _trigger(base, ("Project", PROJECT[1], None))
    saved = automation_from_trigger(node)
    official_saved = official.Automation.model_validate(TriggerFields.model_validate(node))
    new_scope = ("UHJvamVjdDo5", "other")
    ours = to_update_variables(
        saved,
        event=kit.OnRunState(
            scope=kit.ProjectScope(*new_scope), filter=kit.RunEvent.state.eq("failed")
        ),
    )
    theirs = prepare_to_update(
        official_saved,
        event=official.OnRunState(
            scope=official.ProjectScope(id=new_scope[0], name=new_scope[1]),
            filter=official.RunEvent.state.eq("failed"),
        ),
    ).model_dump()
    assert ours == {"input": theirs}
    assert ours["input"]["scopeID"] == PROJECT[0]


def test_saved_filters_given_as_objects_or_text_parse_alike() -> None:
    text = to_create_variables(
        EVENTS["link artifact, alias regex"](KIT) >> kit.DoNothing(), name="x"
    )
    node = _trigger(text, ("ArtifactPortfolio", PORTFOLIO[1], None))
    as_text = automation_from_trigger(node)
    node["event"]["filter"] = {"filter": json.loads(text["input"]["eventFilter"])}
    assert automation_from_trigger(node).event == as_text.event
    run = to_create_variables(
        EVENTS["metric threshold and a run filter"](KIT) >> kit.DoNothing(), name="y"
    )
    run_node = _trigger(run, ("Project", PROJECT[1], None))
    parsed_text = automation_from_trigger(run_node)
    decoded = json.loads(run["input"]["eventFilter"])
    decoded["run_filter"] = json.loads(decoded["run_filter"])
    run_node["event"]["filter"] = decoded
    assert automation_from_trigger(run_node).event == parsed_text.event
