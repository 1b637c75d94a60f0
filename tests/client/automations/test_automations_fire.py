"""Automations built and written through wandbkit alone fire on the local server (both
flavours): a summary update (``run.summary.update``) and history logged by the writer
(``api.write_run``) cross a metric threshold, a run finishes, an artifact is published, linked
into a registry and given an alias — and a webhook receiver on loopback gets each payload
filled in, which ``api.automation_firings`` reads back too."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit.automations import (
    ArtifactEvent,
    AutomationFiring,
    OnAddArtifactAlias,
    OnCreateArtifact,
    OnLinkArtifact,
    OnRunMetric,
    OnRunState,
    RunEvent,
    SendWebhook,
)
from wandbkit.server.automations import WebhookPolicy
from wandbkit.server.seed import seed_basic_artifacts, seed_basic_registries
from wandbkit.server.testing import Receiver, webhook_receiver

from ..support import Flavor

FAST = WebhookPolicy(attempts=3, backoff=0.01, timeout=2.0)
RUN_PAYLOAD = {
    "text": "${run_name} (${run_id}) of ${entity_name}/${project_name}",
    "event": "${event_type}",
    "author": "${event_author}",
    "metric": "${metric_name}",
    "value": "${metric_value}",
    "state": "${run_state}",
}
ARTIFACT_PAYLOAD = {
    "event": "${event_type}",
    "version": "${artifact_version_string}",
    "collection": "${artifact_collection_name}",
    "alias": "${alias}",
    "author": "${event_author}",
    "artifact": "${artifact_version}",
}


@pytest.fixture(autouse=True)
def fast_retries(seeded_app: tuple[Any, Any]) -> None:
    seeded_app[0].state.automations.sender.policy = FAST


async def loaded_project(flavor: Flavor, name: str) -> Any:
    await flavor(flavor.api.create_project(name, entity=flavor.seed.entity))
    project = await flavor(flavor.api.project(name, entity=flavor.seed.entity))
    if flavor.is_async:
        await project.load()
    return project


async def webhook(flavor: Flavor, receiver: Receiver) -> Any:
    api, entity = flavor.api, flavor.seed.entity
    hook = await flavor(api.create_webhook_integration("receiver", receiver.url, entity=entity))
    assert hook in await flavor.list(api.webhook_integrations(entity))
    return hook


async def settled(
    flavor: Flavor, count: int, entity: str | None = None, **options: Any
) -> list[AutomationFiring]:
    firings = await flavor(
        flavor.api.automation_firings(entity or flavor.seed.entity, wait_for=count, **options)
    )
    assert len(firings) == count, firings
    assert all(f.delivered for f in firings), firings
    return list(firings)


async def write(flavor: Flavor, rows: list[dict[str, Any]], **options: Any) -> Any:
    writer = flavor.api.write_run(**options)
    if flavor.is_async:
        async with writer as run:
            for row in rows:
                await run.log(row)
    else:
        with writer as run:
            for row in rows:
                run.log(row)
    return writer


async def test_a_summary_update_and_logged_history_fire_a_webhook_with_the_payload_filled_in(
    flavor: Flavor,
) -> None:
    api, entity, user = flavor.api, flavor.seed.entity, flavor.seed.username
    project = await loaded_project(flavor, "fire")
    with webhook_receiver() as receiver:
        hook = await webhook(flavor, receiver)
        event = OnRunMetric(scope=project, filter=RunEvent.metric("loss").max(3) > 0.5)
        action = SendWebhook.from_integration(hook, payload=RUN_PAYLOAD)
        alarm = await flavor(api.create_automation(event >> action, name="loss-alarm"))

        # A run written only through its summary: the update crosses the threshold.
        run = await flavor(api.create_run(run_id="summary-run", project="fire", entity=entity))
        await flavor(run.summary.update({"loss": 0.25}))
        assert await flavor(api.automation_firings(entity)) == []
        await flavor(run.summary.update({"loss": 0.75}))
        [first] = await settled(flavor, 1, automation=alarm)
        assert receiver.bodies[0] == {
            "text": f"summary-run (summary-run) of {entity}/fire",
            "event": "RUN_METRIC",
            "author": user,
            "metric": "loss",
            "value": 0.75,
            "state": "running",
        }
        assert first.payload == receiver.bodies[0] and first.url == receiver.url
        assert (first.automation_id, first.automation_name) == (alarm.id, "loss-alarm")
        assert first.event["metric_value"] == 0.75 and first.response_code == 200
        # It fires when the condition becomes true, not again while it stays true.
        await flavor(run.summary.update({"loss": 0.8}))

        # A run logged by the writer: the max of the last 3 logged values passes 0.5 at the
        # fourth row (the first rows are below it).
        rows = [{"loss": v} for v in (0.1, 0.2, 0.3, 0.6, 0.4)]
        await write(flavor, rows, project="fire", entity=entity, run_id="logged", name="logged")
        firings = await settled(flavor, 2)
        assert [f.event["run_id"] for f in firings] == ["summary-run", "logged"]
        assert receiver.bodies[1]["text"] == f"logged (logged) of {entity}/fire"
        assert receiver.bodies[1]["value"] == 0.6
        newer = await flavor(api.automation_firings(entity, after=first.id))
        assert [f.id for f in newer] == [firings[1].id]


async def test_a_run_finishing_fires_a_run_state_automation(flavor: Flavor) -> None:
    api, entity = flavor.api, flavor.seed.entity
    project = await loaded_project(flavor, "states")
    with webhook_receiver() as receiver:
        hook = await webhook(flavor, receiver)
        event = OnRunState(scope=project, filter=RunEvent.state.in_(["finished", "failed"]))
        action = SendWebhook.from_integration(hook, payload=RUN_PAYLOAD)
        await flavor(api.create_automation(event >> action, name="run-ended"))
        await write(flavor, [{"loss": 1.0}], project="states", entity=entity, run_id="ok")
        [fired] = await settled(flavor, 1)
        assert fired.event_type == "RUN_STATE"
        assert receiver.bodies[0]["state"] == "finished"
        assert receiver.bodies[0]["text"].startswith("ok (ok) of")


async def test_publishing_linking_and_aliasing_an_artifact_fire_their_automations(
    flavor: Flavor, seeded_app: tuple[Any, Any], tmp_path: Path
) -> None:
    app, seed = seeded_app
    arts = seed_basic_artifacts(app.state.store, seed)
    seed_basic_registries(app.state.store, seed)
    api, entity = flavor.api, flavor.seed.entity
    collection = await flavor(api.artifact_collection("model", f"{entity}/artifacts/classifier"))
    project = await flavor(api.project(arts.project, entity=entity))
    if flavor.is_async:
        await project.load()
    registry = await flavor(api.registry("model"))
    with webhook_receiver() as receiver:
        hook = await webhook(flavor, receiver)
        action = SendWebhook.from_integration(hook, payload=ARTIFACT_PAYLOAD)
        for name, event in {
            "on-publish": OnCreateArtifact(scope=collection),
            "on-prod": OnAddArtifactAlias(scope=project, filter=ArtifactEvent.alias.eq("prod")),
        }.items():
            await flavor(api.create_automation(event >> action, name=name))
        # A registry's automations belong to its organization, and so must their webhook.
        org = flavor.seed.organization
        org_hook = await flavor(
            api.create_webhook_integration("org-hook", receiver.url, entity=org)
        )
        org_action = SendWebhook.from_integration(org_hook, payload=ARTIFACT_PAYLOAD)
        link_event = OnLinkArtifact(scope=registry)
        await flavor(api.create_automation(link_event >> org_action, name="on-link"))

        (tmp_path / "weights.bin").write_bytes(b"new weights")
        draft = api.create_artifact(f"{entity}/artifacts/classifier", type="model")
        draft.add_file(str(tmp_path / "weights.bin"))
        published = await flavor(draft.publish())
        version = published.version
        [created] = await settled(flavor, 1)
        assert created.automation_name == "on-publish"
        assert receiver.bodies[0]["version"] == f"{entity}/artifacts/classifier:{version}"
        assert receiver.bodies[0]["artifact"]["type"] == "model"
        assert receiver.bodies[0]["author"] == flavor.seed.username

        await flavor(published.link("wandb-registry-model/classifier", aliases=["staging"]))
        [linked] = await settled(flavor, 1, org)
        assert (linked.automation_name, linked.event_type) == ("on-link", "LINK_MODEL")
        assert receiver.bodies[1]["collection"] == "classifier"
        assert receiver.bodies[1]["version"].startswith(f"{org}/wandb-registry-model/classifier:")
        assert "staging" in receiver.bodies[1]["artifact"]["aliases"]

        published.aliases = [*published.aliases, "prod"]
        await flavor(published.save())
        aliased = (await settled(flavor, 2))[-1]
        assert (aliased.automation_name, aliased.event["alias"]) == ("on-prod", "prod")
        assert receiver.bodies[2]["alias"] == "prod"
        assert receiver.bodies[2]["version"] == f"{entity}/artifacts/classifier:{version}"


async def test_firings_are_read_only_by_members_and_bad_arguments_are_refused(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    api = flavor.api
    with pytest.raises(UsageError, match="limit"):
        await flavor(api.automation_firings(limit=0))
    with pytest.raises(UsageError, match="after"):
        await flavor(api.automation_firings(after=-1))
    with pytest.raises(UsageError, match="automation"):
        await flavor(api.automation_firings(automation=""))
    store = seeded_app[0].state.store
    store.entities.create_team("strangers")
    with pytest.raises(NotFoundError, match="wandbkit local server"):
        await flavor(api.automation_firings("strangers"))
    assert await flavor(api.automation_firings()) == []


async def test_the_event_author_is_the_user_whose_request_fired_it(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    app, seed = seeded_app
    store = app.state.store
    alice = store.accounts.create_user("alice")
    team = store.entities.get(seed.team)
    store.entities.add_team_member(team.pk, alice.pk)
    key, _ = store.accounts.create_api_key(alice.pk)
    api = flavor.api
    await flavor(api.create_project("shared", entity=seed.team))
    project = await flavor(api.project("shared", entity=seed.team))
    if flavor.is_async:
        await project.load()
    with webhook_receiver() as receiver:
        hook = await flavor(api.create_webhook_integration("hook", receiver.url, entity=seed.team))
        event = OnRunMetric(scope=project, filter=RunEvent.metric("acc") >= 0.9)
        action = SendWebhook.from_integration(hook, payload={"by": "${event_author}"})
        await flavor(api.create_automation(event >> action, name="good-enough"))
        # The seed user creates the run; alice, a member of the team, writes its summary.
        await flavor(api.create_run(run_id="joint", project="shared", entity=seed.team))
        async with flavor.connect(api_key=key) as as_alice:
            run = await flavor(as_alice.run(f"{seed.team}/shared/joint"))
            await flavor(run.summary.update({"acc": 0.95}))
        [fired] = await settled(flavor, 1, seed.team)
        assert fired.event["event_author"] == "alice" and receiver.bodies == [{"by": "alice"}]


async def test_change_and_zscore_filters_fire_over_a_summary_only_runs_writes(
    flavor: Flavor,
) -> None:
    api, entity = flavor.api, flavor.seed.entity
    project = await loaded_project(flavor, "summaries")
    with webhook_receiver() as receiver:
        hook = await webhook(flavor, receiver)
        action = SendWebhook.from_integration(hook, payload=RUN_PAYLOAD)
        drop = OnRunMetric(scope=project, filter=RunEvent.metric("loss").decreases_by(diff=0.3))
        spike = OnRunMetric(scope=project, filter=RunEvent.metric("acc").zscore(5) > 2)
        await flavor(api.create_automation(drop >> action, name="loss-drop"))
        await flavor(api.create_automation(spike >> action, name="acc-spike"))
        run = await flavor(api.create_run(run_id="only-summary", project="summaries"))
        # Each summary write that changes a metric is one value of its series.
        for loss in (1.0, 0.9, 0.8):
            await flavor(run.summary.update({"loss": loss}))
        for acc in (0.50, 0.52, 0.48, 0.51, 0.49):
            await flavor(run.summary.update({"acc": acc}))
        assert await flavor(api.automation_firings(entity)) == []
        await flavor(run.summary.update({"loss": 0.4}))  # 0.8 -> 0.4: down by 0.4
        [dropped] = await settled(flavor, 1)
        assert dropped.automation_name == "loss-drop"
        assert dropped.event["metric_value"] == pytest.approx(-0.4)
        await flavor(run.summary.update({"acc": 0.9}))  # far outside the last five
        spiked = (await settled(flavor, 2))[-1]
        assert spiked.automation_name == "acc-spike" and spiked.event["metric_value"] > 2
        assert [body["metric"] for body in receiver.bodies] == ["loss", "acc"]
