"""The demo seed's automations (``seed/automations.py``): a webhook and two automations that
the client reads back in full, that fire when the demo's data moves, and that seeding again
does not duplicate."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import httpx
import pytest

import wandbkit
from wandbkit.automations import OnAddArtifactAlias, OnRunMetric, SendWebhook
from wandbkit.server import Store, create_app, seed_demo
from wandbkit.server.automations import WebhookPolicy
from wandbkit.server.seed.automations import DEMO_SLACK_CHANNEL, DEMO_WEBHOOK, DEMO_WEBHOOK_URL

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def demo() -> Iterator[tuple[Any, Any]]:
    store = Store()
    seed = seed_demo(store, now=NOW)
    app = create_app(store, webhook_policy=WebhookPolicy(attempts=1, timeout=1.0))
    yield app, seed
    app.state.automations.detach()


def client(demo: tuple[Any, Any]) -> wandbkit.AsyncApi:
    app, seed = demo
    transport = httpx.ASGITransport(app=app)
    return wandbkit.AsyncApi(api_key=seed.api_key, base_url="http://demo.test", transport=transport)


async def test_the_demo_has_a_webhook_and_two_automations_that_read_back(
    demo: tuple[Any, Any],
) -> None:
    async with client(demo) as api:
        [hook] = await api.webhook_integrations("demo").to_list()
        assert (hook.name, hook.url_endpoint) == (DEMO_WEBHOOK, DEMO_WEBHOOK_URL)
        found = {a.name: a for a in await api.automations("demo").to_list()}
    assert set(found) == {"val-acc-above-0.9", "production-alias"}
    metric, alias = found["val-acc-above-0.9"], found["production-alias"]
    assert isinstance(metric.event, OnRunMetric) and isinstance(alias.event, OnAddArtifactAlias)
    assert metric.scope.name == alias.scope.name == "cifar10-augment"
    threshold = metric.event.filter.metric
    assert (threshold.name, threshold.cmp, threshold.threshold) == ("val_acc", "$gt", 0.9)
    assert isinstance(metric.action, SendWebhook) and metric.action.integration_id == hook.id
    assert metric.enabled and alias.enabled and metric.description


async def test_the_demo_team_has_a_slack_channel_for_the_docs_examples(
    demo: tuple[Any, Any],
) -> None:
    # wandb's reference: `next(api.slack_integrations(entity="my-team"))`, then the channels
    # whose name starts with "team-alerts-".
    async with client(demo) as api:
        [slack] = await api.slack_integrations(entity="demo-team").to_list()
        assert slack.channel_name == DEMO_SLACK_CHANNEL
        assert slack.channel_name.startswith("team-alerts-")
        assert [type(i).__name__ for i in await api.integrations("demo-team").to_list()] == [
            "SlackIntegration"
        ]
        assert await api.slack_integrations(entity="demo").to_list() == []


async def test_the_demo_automations_fire_and_seeding_again_adds_none(
    demo: tuple[Any, Any],
) -> None:
    app, seed = demo
    async with client(demo) as api:
        version = await api.artifact("demo/cifar10-augment/classifier:v0")
        version.aliases = [*version.aliases, "production"]
        await version.save()
        project = app.state.store.projects.find("demo", "cifar10-augment")
        first = app.state.store.run_listing.list(project.pk, order="+created_at")[0]
        run = await api.run(f"demo/cifar10-augment/{first.name}")
        await run.summary.update({"val_acc": 0.97})
        firings = await api.automation_firings("demo", wait_for=2, timeout=15)
    assert sorted(f.automation_name for f in firings) == ["production-alias", "val-acc-above-0.9"]
    # Nothing listens on the demo URL: each firing is recorded as failed, with the payload.
    assert all(f.status == "FAILED" and f.url == DEMO_WEBHOOK_URL for f in firings)
    by_name = {f.automation_name: f for f in firings}
    assert by_name["production-alias"].payload["text"].endswith(":v0 is now production")
    assert by_name["val-acc-above-0.9"].payload["author"] == seed.username
    store = app.state.store
    before = store.counts()
    seed_demo(store, now=NOW)
    assert store.counts() == before
    assert (
        len(store.automations.of_entities([store.entities.get("demo").pk], after_pk=0, limit=10))
        == 2
    )
