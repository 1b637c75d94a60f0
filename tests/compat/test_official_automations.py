"""The official client (wandb 0.31.0), unchanged, creating, listing, updating and deleting
automations built with ``wandb.automations`` on the local server and reading its
integrations; the automation it made fires for real on a loopback receiver."""

from __future__ import annotations

import json
import time

import pytest

from wandbkit.server.seed.automations import DEMO_WEBHOOK, DEMO_WEBHOOK_URL
from wandbkit.server.testing import ServerHandle, add_run
from wandbkit.server.testing import webhook_receiver as receiver

from .conftest import RunOfficial

pytestmark = pytest.mark.official

#: The demo seed's automations, oldest first.
SEEDED = ["val-acc-above-0.9", "production-alias"]

CREATE = """
import json
import wandb
from wandb.automations import OnRunMetric, RunEvent, SendWebhook

api = wandb.Api()
out = {}
hooks = list(api.webhook_integrations(entity="demo"))
out["hooks"] = [[h.name, h.url_endpoint] for h in hooks]
out["slack"] = [[s.team_name, s.channel_name] for s in api.slack_integrations(entity="demo")]
out["all"] = sorted(type(i).__name__ for i in api.integrations(entity="demo"))
project = api.project("mnist-baselines", entity="demo")
event = OnRunMetric(scope=project, filter=RunEvent.metric("loss").min(2) < 0.2)
payload = {"run": "${run_name}", "e": "${event_type}"}
action = SendWebhook.from_integration(
    next(h for h in hooks if h.name == "loopback"), payload=payload
)
created = api.create_automation(event >> action, name="compat", description="first")
out["created"] = [created.name, created.event.event_type.value, created.scope.name]
try:
    api.create_automation(event >> action, name="compat")
except Exception as exc:  # wandb wraps the ValueError of an HTTP 409 in a CommError
    out["duplicate"] = str(exc)
again = api.create_automation(event >> action, name="compat", fetch_existing=True)
out["fetched"] = again.id == created.id
out["listed"] = [a.name for a in api.automations(entity="demo")]
one = api.automation(name="compat", entity="demo")
one.description = "changed"
updated = api.update_automation(one)
out["updated"] = [updated.description, updated.enabled, updated.action.request_payload]
print(json.dumps(out))
"""

DELETE = """
import json
import wandb

api = wandb.Api()
automation = api.automation(name="compat", entity="demo")
api.delete_automation(automation)
print(json.dumps({"left": [a.name for a in api.automations(entity="demo")]}))
"""


def test_the_official_client_manages_automations_that_then_fire(
    run_official: RunOfficial, demo_server: ServerHandle
) -> None:
    store = demo_server.store
    demo = store.entities.get("demo")
    assert demo is not None
    with receiver() as hook:
        store.automations.create_webhook(demo.pk, "loopback", hook.url)
        store.automations.create_slack(demo.pk, "acme", "#ml")
        out = run_official(CREATE)
        # The demo seed has a webhook and two automations of its own.
        assert out["hooks"] == [[DEMO_WEBHOOK, DEMO_WEBHOOK_URL], ["loopback", hook.url]]
        assert out["slack"] == [["acme", "#ml"]]
        assert out["all"] == ["SlackIntegration", "WebhookIntegration", "WebhookIntegration"]
        assert out["created"] == ["compat", "RUN_METRIC", "mnist-baselines"]
        assert "exists" in out["duplicate"]
        assert out["fetched"] is True
        assert out["listed"] == [*SEEDED, "compat"]
        assert out["updated"] == ["changed", True, {"run": "${run_name}", "e": "${event_type}"}]

        run = add_run(store, "demo/mnist-baselines", "compat-run", display_name="fast-run")
        store.runs.update(run.pk, summary={"loss": 0.5})
        store.runs.update(run.pk, summary={"loss": 0.1})  # min of the last two: 0.1
        deadline = time.monotonic() + 10
        while not hook.bodies and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hook.bodies == [{"run": "fast-run", "e": "RUN_METRIC"}]
        # The delivery is recorded once the receiver has answered: a moment after it saw it.
        firing = store.automations.firings(demo.pk)[0]
        while firing.status == "PENDING" and time.monotonic() < deadline:
            time.sleep(0.05)
            firing = store.automations.firings(demo.pk)[0]
        assert (firing.status, firing.attempts, json.loads(firing.event)["run_id"]) == (
            "DELIVERED",
            1,
            "compat-run",
        )

    assert run_official(DELETE) == {"left": SEEDED}


SDK_TRAIN = """
import json
import wandb

run = wandb.init(project="mnist-baselines", id="sdk-hot", name="sdk-run")
for loss in (0.9, 0.8, 0.7, 0.3, 0.2):
    wandb.log({"loss": loss})
run.finish()
print(json.dumps({"id": run.id, "entity": run.entity}))
"""


def test_a_metric_logged_by_the_official_sdk_fires_a_wandbkit_automation(
    run_official: RunOfficial, demo_server: ServerHandle
) -> None:
    import wandbkit
    from wandbkit.automations import OnRunMetric, RunEvent, SendWebhook

    with receiver() as hook, wandbkit.Api(**api_options(demo_server)) as api:
        integration = api.create_webhook_integration("sdk-hook", hook.url, entity="demo")
        project = api.project("mnist-baselines", entity="demo")
        event = OnRunMetric(scope=project, filter=RunEvent.metric("loss").avg(2) < 0.5)
        payload = {"run": "${run_name}", "by": "${event_author}", "avg": "${metric_value}"}
        action = SendWebhook.from_integration(integration, payload=payload)
        api.create_automation(event >> action, name="sdk-loss")
        out = run_official(SDK_TRAIN)
        assert (out["id"], out["entity"]) == ("sdk-hot", "demo")
        [fired] = api.automation_firings("demo", automation="sdk-loss", wait_for=1, timeout=20)
    # The SDK streams history in batches; the mean of the last two logged values first drops
    # below 0.5 at 0.7 and 0.3 (or at a later row when they arrived in one batch).
    assert fired.delivered and hook.bodies == [fired.payload]
    assert fired.payload["run"] == "sdk-run" and fired.payload["by"] == "demo"
    assert fired.payload["avg"] < 0.5 and fired.event["run_id"] == "sdk-hot"


def api_options(server: ServerHandle) -> dict[str, str]:
    return {"api_key": server.api_key, "base_url": server.base_url}
