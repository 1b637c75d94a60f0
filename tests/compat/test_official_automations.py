"""The official client (wandb 0.31.0), unchanged, creating, listing, updating and deleting
automations built with ``wandb.automations`` on the local server and reading its
integrations; the automation it made fires for real on a loopback receiver."""

from __future__ import annotations

import json
import time

import pytest

from wandbkit.server.testing import ServerHandle, add_run
from wandbkit.server.testing import webhook_receiver as receiver

from .conftest import RunOfficial

pytestmark = pytest.mark.official

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
action = SendWebhook.from_integration(hooks[0], payload=payload)
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
        assert out["hooks"] == [["loopback", hook.url]]
        assert out["slack"] == [["acme", "#ml"]]
        assert out["all"] == ["SlackIntegration", "WebhookIntegration"]
        assert out["created"] == ["compat", "RUN_METRIC", "mnist-baselines"]
        assert "exists" in out["duplicate"]
        assert out["fetched"] is True
        assert out["listed"] == ["compat"]
        assert out["updated"] == ["changed", True, {"run": "${run_name}", "e": "${event_type}"}]

        run = add_run(store, "demo/mnist-baselines", "compat-run", display_name="fast-run")
        store.runs.update(run.pk, summary={"loss": 0.5})
        store.runs.update(run.pk, summary={"loss": 0.1})  # min of the last two: 0.1
        deadline = time.monotonic() + 10
        while not hook.bodies and time.monotonic() < deadline:
            time.sleep(0.05)
        assert hook.bodies == [{"run": "fast-run", "e": "RUN_METRIC"}]
        firing = store.automations.firings(demo.pk)[0]
        assert (firing.status, firing.attempts, json.loads(firing.event)["run_id"]) == (
            "DELIVERED",
            1,
            "compat-run",
        )

    assert run_official(DELETE) == {"left": []}
