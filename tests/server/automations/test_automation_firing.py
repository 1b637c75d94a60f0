"""Automations fire for real: a write through the server's ordinary paths (the SDK's
``upsertBucket``, ``file_stream``, artifact mutations) makes the matching triggers fire, a
webhook reaches a receiver on loopback with its payload filled in, retries are bounded, and
Slack messages are recorded, not sent."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from wandbkit.server.automations import WebhookPolicy
from wandbkit.server.ids import encode_id
from wandbkit.server.testing import add_run
from wandbkit.server.testing import webhook_receiver as receiver

from ..conftest import Data, PostGraphQL, ServerApp, official_document, sdk_document
from .support import official_input, project_id, settled_firings

pytest.importorskip("wandb.automations")

FAST = WebhookPolicy(attempts=3, backoff=0.01, timeout=2.0)


@pytest.fixture(autouse=True)
def fast_retries(server_app: ServerApp) -> None:
    server_app.app.state.automations.sender.policy = FAST


async def webhook_id(gql: PostGraphQL, data: Data, url: str) -> str:
    response = await gql(
        official_document("CreateGenericWebhookIntegration"),
        {"input": {"entityName": "demo", "urlEndpoint": url, "name": "receiver"}},
        operationName="",
    )
    return str(data(response)["result"]["integration"]["id"])


async def automate(gql: PostGraphQL, data: Data, event: Any, action: Any, name: str) -> None:
    variables = {"input": official_input(event, action, name)}
    data(await gql(official_document("CreateAutomation"), variables, operationName=""))


async def upsert_summary(gql: PostGraphQL, data: Data, run: str, summary: dict[str, Any]) -> None:
    variables = {
        "name": run,
        "project": "auto",
        "entity": "demo",
        "summaryMetrics": json.dumps(summary),
    }
    data(await gql(sdk_document("UpsertBucket"), variables, operationName="UpsertBucket"))


def project_scope(server_app: ServerApp) -> Any:
    from wandb.automations import ProjectScope

    return ProjectScope(id=project_id(server_app.store, "demo", "auto"), name="auto")


async def test_a_summary_update_fires_a_webhook_that_a_loopback_receiver_gets_filled_in(
    gql: PostGraphQL, data: Data, client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    from wandb.automations import OnRunMetric, RunEvent, SendWebhook

    with receiver() as hook:
        template = {
            "text": "${run_name} of ${entity_name}/${project_name}: ${metric_name}",
            "event": "${event_type}",
            "author": "${event_author}",
            "value": "${metric_value}",
            "unknown": "${ACCESS_TOKEN}",
        }
        action = SendWebhook(
            integration_id=await webhook_id(gql, data, hook.url), request_payload=template
        )
        event = OnRunMetric(scope=project_scope(server_app), filter=RunEvent.metric("loss") < 0.5)
        await automate(gql, data, event, action, "low-loss")
        add_run(server_app.store, "demo/auto", "r1", display_name="brave-run", username="demo")

        await upsert_summary(gql, data, "r1", {"loss": 0.9})
        await upsert_summary(gql, data, "r1", {"loss": 0.3})
        # Still below: the condition stays true and does not fire again.
        await upsert_summary(gql, data, "r1", {"loss": 0.2})
        firings = await settled_firings(client, "demo", 1)
        assert len(firings) == 1
        assert firings[0]["status"] == "DELIVERED" and firings[0]["attempts"] == 1
        assert hook.bodies == [
            {
                "text": "brave-run of demo/auto: loss",
                "event": "RUN_METRIC",
                "author": "demo",
                "value": 0.3,
                "unknown": "${ACCESS_TOKEN}",
            }
        ]
        assert hook.headers[0]["Content-Type"] == "application/json"
        # Back above and below again: it fires a second time.
        await upsert_summary(gql, data, "r1", {"loss": 0.8})
        await upsert_summary(gql, data, "r1", {"loss": 0.1})
        assert len(await settled_firings(client, "demo", 2)) == 2
        assert hook.bodies[1]["value"] == 0.1


async def test_a_windowed_threshold_fires_on_file_stream_history(
    gql: PostGraphQL, data: Data, client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    from wandb.automations import DoNothing, OnRunMetric, RunEvent

    event = OnRunMetric(
        scope=project_scope(server_app), filter=RunEvent.metric("acc").avg(3) >= 0.8
    )
    await automate(gql, data, event, DoNothing(), "mean-acc")
    add_run(server_app.store, "demo/auto", "r2", username="demo")

    async def stream(offset: int, values: list[float]) -> None:
        rows = [json.dumps({"acc": v, "_step": offset + i}) for i, v in enumerate(values)]
        body = {"files": {"wandb-history.jsonl": {"offset": offset, "content": rows}}}
        response = await client.post("/files/demo/auto/r2/file_stream", json=body)
        assert response.status_code == 200, response.text

    await stream(0, [0.9, 0.9, 0.5])  # mean 0.77
    assert await settled_firings(client, "demo", 0) == []
    await stream(3, [0.95])  # last three: 0.9, 0.5, 0.95 -> mean 0.78
    assert await settled_firings(client, "demo", 0) == []
    await stream(4, [0.99])  # 0.5, 0.95, 0.99 -> 0.813
    firings = await settled_firings(client, "demo", 1)
    assert [(f["status"], f["actionType"]) for f in firings] == [("RECORDED", "NO_OP")]
    assert firings[0]["event"]["metric_value"] == pytest.approx((0.5 + 0.95 + 0.99) / 3)


async def test_change_and_zscore_filters_fire_over_their_windows(
    gql: PostGraphQL, data: Data, client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    from wandb.automations import DoNothing, OnRunMetric, RunEvent

    scope = project_scope(server_app)
    change = RunEvent.metric("loss").decreases_by(diff=0.5)
    await automate(gql, data, OnRunMetric(scope=scope, filter=change), DoNothing(), "drop")
    spike = RunEvent.metric("loss").zscore(5) > 3
    await automate(gql, data, OnRunMetric(scope=scope, filter=spike), DoNothing(), "spike")
    add_run(server_app.store, "demo/auto", "r3", username="demo")
    step = 0

    async def log(value: float) -> None:
        nonlocal step
        rows = [json.dumps({"loss": value, "_step": step})]
        body = {"files": {"wandb-history.jsonl": {"offset": step, "content": rows}}}
        assert (await client.post("/files/demo/auto/r3/file_stream", json=body)).status_code == 200
        step += 1

    for value in (1.0, 1.1, 0.9, 1.0, 1.05):
        await log(value)
    assert await settled_firings(client, "demo", 0) == []
    await log(3.0)  # a spike, and no drop
    await log(2.0)  # a drop of 1.0
    firings = await settled_firings(client, "demo", 2)
    assert [f["automationName"] for f in firings] == ["spike", "drop"]


async def test_a_run_state_change_fires_and_a_slack_notification_is_recorded_not_sent(
    gql: PostGraphQL, data: Data, client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    from wandb.automations import OnRunState, RunEvent, SendNotification

    store = server_app.store
    demo = store.entities.get("demo")
    assert demo is not None
    slack = store.automations.create_slack(demo.pk, "acme", "#runs")
    action = SendNotification(
        integration_id=encode_id("Integration", slack.pk),
        title="${run_name} ${run_state}",
        text="!",
    )
    event = OnRunState(scope=project_scope(server_app), filter=RunEvent.state.in_(["failed"]))
    await automate(gql, data, event, action, "failures")
    add_run(store, "demo/auto", "ok", username="demo", state="running")
    add_run(store, "demo/auto", "bad", username="demo", state="running")

    await gql(
        sdk_document("UpsertBucket"),
        {"name": "ok", "project": "auto", "entity": "demo", "state": "finished"},
    )
    body = {"complete": True, "exitcode": 1, "files": {}}
    assert (await client.post("/files/demo/auto/bad/file_stream", json=body)).status_code == 200
    firings = await settled_firings(client, "demo", 1)
    assert len(firings) == 1
    assert firings[0]["status"] == "RECORDED" and firings[0]["url"] is None
    assert firings[0]["payload"] == {
        "team_name": "acme",
        "channel_name": "#runs",
        "title": "bad failed",
        "message": "!",
        "severity": "INFO",
    }


async def test_retries_are_bounded_and_every_attempt_is_recorded(
    gql: PostGraphQL, data: Data, client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    from wandb.automations import OnRunState, RunEvent, SendWebhook

    with receiver(codes=[500, 500, 500, 500, 503, 200]) as hook:
        action = SendWebhook(integration_id=await webhook_id(gql, data, hook.url))
        event = OnRunState(scope=project_scope(server_app), filter=RunEvent.state == "finished")
        await automate(gql, data, event, action, "done")
        for name in ("first", "second"):
            add_run(server_app.store, "demo/auto", name, username="demo", state="running")
        server_app.store.runs.update(
            server_app.store.runs.find("demo", "auto", "first").pk, state="finished"
        )  # type: ignore[union-attr]
        gave_up = (await settled_firings(client, "demo", 1))[0]
        assert (gave_up["status"], gave_up["attempts"], gave_up["responseCode"]) == (
            "FAILED",
            3,
            500,
        )
        assert "500" in gave_up["error"]
        server_app.store.runs.update(
            server_app.store.runs.find("demo", "auto", "second").pk, state="finished"
        )  # type: ignore[union-attr]
        delivered = (await settled_firings(client, "demo", 2))[1]
        # 500 then 503 then 200: delivered on the third attempt.
        assert (delivered["status"], delivered["attempts"], delivered["responseCode"]) == (
            "DELIVERED",
            3,
            200,
        )
        assert delivered["error"] is None
        assert len(hook.bodies) == 6
        # Without a template the payload is the event's variables.
        assert (
            hook.bodies[-1]["run_id"] == "second" and hook.bodies[-1]["event_type"] == "RUN_STATE"
        )


async def test_a_refused_payload_is_not_retried_and_an_unreachable_receiver_gives_up(
    gql: PostGraphQL, data: Data, client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    from wandb.automations import OnRunState, RunEvent, SendWebhook

    with receiver(codes=[400]) as hook:
        url = hook.url
        action = SendWebhook(integration_id=await webhook_id(gql, data, url))
        event = OnRunState(scope=project_scope(server_app), filter=RunEvent.state == "finished")
        await automate(gql, data, event, action, "done")
        add_run(server_app.store, "demo/auto", "one", username="demo", state="finished")
        run = server_app.store.runs.find("demo", "auto", "one")
        assert run is not None
        server_app.store.runs.update(run.pk, state="running")
        server_app.store.runs.update(run.pk, state="finished")
        refused = (await settled_firings(client, "demo", 1))[0]
        assert (refused["status"], refused["attempts"], refused["responseCode"]) == (
            "FAILED",
            1,
            400,
        )
    # The receiver is gone: connection errors, three attempts, then it gives up.
    server_app.store.runs.update(run.pk, state="running")
    server_app.store.runs.update(run.pk, state="finished")
    unreachable = (await settled_firings(client, "demo", 2))[1]
    assert (unreachable["status"], unreachable["attempts"], unreachable["responseCode"]) == (
        "FAILED",
        3,
        None,
    )
    assert unreachable["error"]


async def test_a_disabled_automation_does_not_fire(
    gql: PostGraphQL, data: Data, client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    from wandb.automations import DoNothing, OnRunState, RunEvent

    event = OnRunState(scope=project_scope(server_app), filter=RunEvent.state == "finished")
    variables = {"input": official_input(event, DoNothing(), "off") | {"enabled": False}}
    data(await gql(official_document("CreateAutomation"), variables, operationName=""))
    add_run(server_app.store, "demo/auto", "quiet", username="demo", state="running")
    run = server_app.store.runs.find("demo", "auto", "quiet")
    assert run is not None
    server_app.store.runs.update(run.pk, state="finished")
    assert await settled_firings(client, "demo", 0) == []


async def test_artifact_create_link_alias_and_tag_fire_in_their_scopes(
    gql: PostGraphQL, data: Data, client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    from wandb.automations import (
        ArtifactEvent,
        OnAddArtifactAlias,
        OnAddArtifactTag,
        OnCreateArtifact,
        OnLinkArtifact,
        SendWebhook,
    )
    from wandb.automations.scopes import _ArtifactPortfolioScope, _ArtifactSequenceScope

    store = server_app.store
    project_id(store, "demo", "auto")
    project = store.projects.find("demo", "auto")
    assert project is not None
    model = store.artifact_collections.ensure_type(project.pk, "model")
    sequence = store.artifact_collections.create(project.pk, model.pk, "weights")
    portfolio = store.artifact_collections.create(project.pk, model.pk, "best", kind="PORTFOLIO")
    on_sequence = _ArtifactSequenceScope(
        id=encode_id("ArtifactSequence", sequence.pk), name="weights"
    )
    on_portfolio = _ArtifactPortfolioScope(
        id=encode_id("ArtifactPortfolio", portfolio.pk), name="best"
    )
    with receiver() as hook:
        template = {
            "what": "${event_type}",
            "version": "${artifact_version_string}",
            "alias": "${alias}",
            "tag": "${tag}",
        }
        action = SendWebhook(
            integration_id=await webhook_id(gql, data, hook.url), request_payload=template
        )
        await automate(gql, data, OnCreateArtifact(scope=on_sequence), action, "created")
        prod = ArtifactEvent.alias.matches_regex("^prod")
        await automate(
            gql, data, OnAddArtifactAlias(scope=on_sequence, filter=prod), action, "aliased"
        )
        await automate(gql, data, OnLinkArtifact(scope=on_portfolio), action, "linked")
        await automate(
            gql,
            data,
            OnAddArtifactTag(scope=project_scope(server_app), filter=ArtifactEvent.tag.eq("gold")),
            action,
            "tagged",
        )

        demo = store.accounts.get_user("demo")
        assert demo is not None
        pending, _ = store.artifacts.create_pending(
            project.pk, "model", "weights", "d" * 32, aliases=["staging"], user_pk=demo.pk
        )
        store.artifacts.commit(
            pending.pk, verify_digest=False
        )  # CREATE_ARTIFACT; "staging" no match
        store.artifact_memberships.set_aliases(sequence.pk, pending.pk, ["production", "other"])
        store.artifact_memberships.set_aliases(sequence.pk, pending.pk, ["production"])  # had it
        store.artifact_memberships.add(portfolio.pk, pending.pk)  # LINK_MODEL
        store.artifacts.add_tags(pending.pk, ["silver", "gold"])
        store.artifacts.add_tags(pending.pk, ["gold"])  # had it

        firings = await settled_firings(client, "demo", 4)
        assert [(f["automationName"], f["status"]) for f in firings] == [
            ("created", "DELIVERED"),
            ("aliased", "DELIVERED"),
            ("linked", "DELIVERED"),
            ("tagged", "DELIVERED"),
        ]
        # Deliveries run in parallel: the receiver may see them in any order.
        got = {body["what"]: body for body in hook.bodies}
        assert sorted(got) == [
            "ADD_ARTIFACT_ALIAS",
            "ADD_ARTIFACT_TAG",
            "CREATE_ARTIFACT",
            "LINK_MODEL",
        ]
        assert len(hook.bodies) == 4
        assert got["CREATE_ARTIFACT"]["version"] == "demo/auto/weights:v0"
        assert got["ADD_ARTIFACT_ALIAS"]["alias"] == "production"
        assert got["LINK_MODEL"]["version"] == "demo/auto/best:v0"
        assert got["ADD_ARTIFACT_TAG"]["tag"] == "gold"
        assert firings[0]["event"]["event_author"] == "demo"


async def test_another_projects_writes_do_not_fire_a_project_scoped_automation(
    gql: PostGraphQL, data: Data, client: httpx.AsyncClient, server_app: ServerApp
) -> None:
    from wandb.automations import DoNothing, OnRunState, RunEvent

    event = OnRunState(scope=project_scope(server_app), filter=RunEvent.state == "finished")
    await automate(gql, data, event, DoNothing(), "here-only")
    add_run(server_app.store, "demo/elsewhere", "x", username="demo", state="running")
    run = server_app.store.runs.find("demo", "elsewhere", "x")
    assert run is not None
    server_app.store.runs.update(run.pk, state="finished")
    assert await settled_firings(client, "demo", 0) == []
