"""Bad automations are refused before any request, with a UsageError naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from wandbkit._core.errors import UsageError
from wandbkit.automations import (
    ArtifactCollectionScope,
    ArtifactEvent,
    DoNothing,
    MetricThresholdFilter,
    OnCreateArtifact,
    OnLinkArtifact,
    OnRunMetric,
    OnRunState,
    ProjectScope,
    RegistryScope,
    RunEvent,
    SendNotification,
    SendPromptToAria,
    SendWebhook,
    WebhookIntegration,
)
from wandbkit.automations._wire import to_create_variables, to_webhook_integration_variables

PROJECT = ProjectScope("UHJvamVjdDox", "proj")
COLLECTION = ArtifactCollectionScope("QXJ0OjE=", "coll")


def test_a_run_event_on_an_artifact_collection_names_the_scope() -> None:
    with pytest.raises(UsageError, match=r"^scope: OnRunMetric needs a project, team or org"):
        OnRunMetric(scope=COLLECTION, filter=RunEvent.metric("loss") > 1)
    with pytest.raises(UsageError, match=r"^scope: OnRunState"):
        OnRunState(
            scope=RegistryScope("UHJvamVjdDox", "wandb-registry-m"),
            filter=RunEvent.state.eq("failed"),
        )


def test_create_artifact_needs_a_collection_scope() -> None:
    with pytest.raises(UsageError, match=r"^scope: OnCreateArtifact needs an artifact collection"):
        OnCreateArtifact(scope=PROJECT)


def test_a_scope_moved_after_building_is_checked_again_before_sending() -> None:
    new = OnRunMetric(scope=PROJECT, filter=RunEvent.metric("loss") > 1) >> DoNothing()
    with pytest.raises(UsageError, match=r"^scope: OnRunMetric"):
        new.scope = COLLECTION
    assert new.event is not None
    new.event.scope = COLLECTION  # behind the setter's back
    with pytest.raises(UsageError, match=r"^scope: OnRunMetric"):
        to_create_variables(new, name="x")


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: MetricThresholdFilter(name="loss", cmp="$ne", threshold=1),
            r"^cmp must be one of",
        ),
        (
            lambda: MetricThresholdFilter(name="loss", cmp=">", threshold=1, agg="median"),
            r"^agg must be one of AVERAGE, MAX, MIN",
        ),
        (lambda: RunEvent.metric("loss").max(0), r"^window must be a positive int"),
        (lambda: RunEvent.metric("") > 1, r"^name must be a non-empty metric name"),
        (lambda: RunEvent.metric("loss") > "1", r"^threshold must be a number"),
        (lambda: RunEvent.metric("loss") > True, r"^threshold must be a number"),
        (
            lambda: RunEvent.metric("loss").changes_by(diff=1, frac=0.1),
            r"exactly one of diff= or frac=",
        ),
        (lambda: RunEvent.metric("loss").increases_by(diff=-1), r"^diff must be positive"),
        (lambda: RunEvent.metric("loss").zscore(5) < 2, r"needs a negative t"),
        (lambda: abs(RunEvent.metric("loss").zscore(5)) < -2, r"absolute z-score"),
        (
            lambda: RunEvent.state.in_(["finished", "exploded"]),
            r"^states must be one of FAILED, FINISHED, RUNNING",
        ),
        (
            lambda: OnRunMetric(scope=PROJECT, filter=RunEvent.state.eq("failed")),
            r"^filter: OnRunMetric needs a metric filter",
        ),
        (
            lambda: OnRunState(scope=PROJECT, filter=RunEvent.metric("x") > 1),
            r"^filter: OnRunState needs a state filter",
        ),
        (
            lambda: OnLinkArtifact(scope=COLLECTION, filter=42),
            r"^filter must be a filter expression",
        ),
        (lambda: OnLinkArtifact(scope="proj"), r"^scope must be a project, registry"),
        (lambda: ArtifactEvent.alias.in_("prod"), r"alias.in_: expected a list"),
        (lambda: SendNotification(integration_id="", title="t"), r"^integration_id must be"),
        (
            lambda: SendNotification(integration_id="x", severity="loud"),
            r"^severity must be one of ERROR, INFO, WARN",
        ),
        (
            lambda: SendWebhook(integration_id="x", request_payload=[1, 2]),
            r"^request_payload must be a JSON object",
        ),
        (
            lambda: SendWebhook(integration_id="x", request_payload="{nope"),
            r"^request_payload: not valid JSON",
        ),
        (lambda: SendPromptToAria("   "), r"^prompt must be a non-empty string"),
        (lambda: SendPromptToAria("x" * 4001), r"^prompt must be at most 4000 bytes"),
        (lambda: ProjectScope("", "p"), r"^ProjectScope.id must be a non-empty string"),
    ],
)
def test_bad_values_are_refused_naming_the_field(build: Any, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        build()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, r"^name must be a non-empty string"),
        ({"name": "  "}, r"^name must be a non-empty string"),
        ({"name": "x" * 256}, r"^name must be at most 255 characters"),
        ({"name": "n", "enabled": "yes"}, r"^enabled must be a bool"),
        ({"name": "n", "description": 3}, r"^description must be a string"),
        ({"name": "n", "colour": "red"}, r"unknown keyword arguments \['colour'\]"),
        ({"name": "n", "scope": COLLECTION}, r"^scope: OnRunMetric"),
    ],
)
def test_create_variables_refuse_bad_fields(kwargs: dict[str, Any], message: str) -> None:
    new = OnRunMetric(scope=PROJECT, filter=RunEvent.metric("loss") > 1) >> DoNothing()
    with pytest.raises(UsageError, match=message):
        to_create_variables(new, **kwargs)


def test_an_automation_needs_an_event_and_an_action() -> None:
    from wandbkit.automations import NewAutomation

    with pytest.raises(UsageError, match=r"^event is required"):
        to_create_variables(NewAutomation(name="n", action=DoNothing()))
    with pytest.raises(UsageError, match=r"^action is required"):
        to_create_variables(NewAutomation(name="n", event=OnCreateArtifact(scope=COLLECTION)))
    with pytest.raises(TypeError):
        OnCreateArtifact(scope=COLLECTION) >> "webhook"  # type: ignore[operator]


@pytest.mark.parametrize(
    "url", ["ftp://x.example/hook", "file:///etc/passwd", "example.com/x", "https://", ""]
)
def test_a_webhook_url_must_be_http_or_https(url: str) -> None:
    with pytest.raises(UsageError, match=r"^url_endpoint must be an http"):
        to_webhook_integration_variables("hook", url, "team")


def test_webhook_integration_names_follow_the_servers_rule() -> None:
    with pytest.raises(UsageError, match=r"^name must be 1-64 characters"):
        to_webhook_integration_variables("bad/name", "https://x.example", "team")
    assert to_webhook_integration_variables("my hook-1", "http://127.0.0.1:9/x", "team") == {
        "input": {"entityName": "team", "name": "my hook-1", "urlEndpoint": "http://127.0.0.1:9/x"}
    }


def test_lenient_names_are_accepted_as_officially() -> None:
    state = RunEvent.state.in_(["crashed", "Finished", "FINISHED"])
    assert [s.value for s in state.states] == ["FAILED", "FINISHED"]
    assert RunEvent.metric("x").max(2).gt(1).agg is not None
    hook = WebhookIntegration("SWQ=", "h", "https://x.example")
    assert SendWebhook.from_integration(hook, payload='{"a": 1}').request_payload == {"a": 1}
