"""``wandbkit automations ls|show|delete|firings`` and ``wandbkit integrations ls`` against a
local server on loopback: tables and JSON, a missing automation (exit 1, one line), deletion
with and without confirmation, and firings read back after a summary update fired a webhook."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

import wandbkit
from wandbkit.automations import (
    ArtifactEvent,
    OnAddArtifactAlias,
    OnRunMetric,
    RunEvent,
    SendWebhook,
)
from wandbkit.cli import cli
from wandbkit.server.testing import Receiver, ServerHandle, running_server, webhook_receiver

from .support import Invoker


@pytest.fixture(scope="module")
def receiver() -> Iterator[Receiver]:
    with webhook_receiver() as hook:
        yield hook


@pytest.fixture(scope="module")
def server(receiver: Receiver) -> Iterator[ServerHandle]:
    """A loopback server whose user has a webhook and two automations in project ``cli``."""
    with running_server() as handle:
        with wandbkit.Api(api_key=handle.api_key, base_url=handle.base_url) as api:
            entity = handle.seed.entity
            api.create_project("cli", entity=entity)
            project = api.project("cli", entity=entity)
            hook = api.create_webhook_integration("cli-hook", receiver.url, entity=entity)
            action = SendWebhook.from_integration(hook, payload={"run": "${run_name}"})
            metric = OnRunMetric(scope=project, filter=RunEvent.metric("loss") > 0.5)
            api.create_automation(metric >> action, name="loss-alarm", description="too high")
            alias = OnAddArtifactAlias(scope=project, filter=ArtifactEvent.alias.eq("prod"))
            api.create_automation(alias >> action, name="to-prod")
        yield handle


def rows(text: str) -> list[dict[str, Any]]:
    parsed: list[dict[str, Any]] = json.loads(text)
    return parsed


def test_automations_ls_shows_a_table_and_json(invoke: Invoker) -> None:
    result = invoke("automations", "ls")
    assert result.exit_code == 0, result.output
    for text in ("loss-alarm", "RUN_METRIC", "to-prod", "ADD_ARTIFACT_ALIAS", "project:cli"):
        assert text in result.stdout
    assert "2 automations in" in result.stderr
    result = invoke("automations", "ls", "--format", "json", "--name", "loss-alarm")
    assert result.exit_code == 0, result.output
    [found] = rows(result.stdout)
    assert found["name"] == "loss-alarm" and found["description"] == "too high"
    assert found["event"]["type"] == "RUN_METRIC"
    threshold = found["event"]["filter"]["run_metric_filter"]["threshold_filter"]
    assert (threshold["name"], threshold["cmp_op"], threshold["threshold"]) == ("loss", "$gt", 0.5)
    assert found["action"]["type"] == "GENERIC_WEBHOOK"
    assert found["scope"]["type"] == "PROJECT" and found["scope"]["name"] == "cli"


def test_automations_show_one_and_a_missing_one_is_one_line(invoke: Invoker) -> None:
    result = invoke("automations", "show", "to-prod")
    assert result.exit_code == 0, result.output
    assert "ADD_ARTIFACT_ALIAS" in result.stdout and "prod" in result.stdout
    result = invoke("automations", "show", "to-prod", "--format", "json")
    shown = json.loads(result.stdout)
    assert shown["event"]["filter"] == {"$or": [{"$and": [{"alias": {"$eq": "prod"}}]}]}
    payload = shown["action"]["config"]["genericWebhookActionInput"]["requestPayload"]
    assert payload == {"run": "${run_name}"}
    missing = invoke("automations", "show", "nope")
    assert missing.exit_code == 1
    assert missing.stderr.startswith("wandbkit: error:") and "nope" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_integrations_ls(invoke: Invoker, receiver: Receiver) -> None:
    result = invoke("integrations", "ls", "--format", "json")
    assert result.exit_code == 0, result.output
    [hook] = rows(result.stdout)
    assert (hook["type"], hook["name"], hook["target"]) == ("webhook", "cli-hook", receiver.url)
    table = invoke("integrations", "ls")
    assert "cli-hook" in table.stdout and "1 integrations in" in table.stderr


def test_firings_after_a_summary_update(
    invoke: Invoker, server: ServerHandle, receiver: Receiver
) -> None:
    with wandbkit.Api(api_key=server.api_key, base_url=server.base_url) as api:
        run = api.create_run(run_id="hot", project="cli", entity=server.seed.entity)
        run.summary.update({"loss": 0.9})
        [fired] = api.automation_firings(automation="loss-alarm", wait_for=1)
    assert fired.delivered and receiver.bodies[-1] == {"run": "hot"}
    result = invoke("automations", "firings", "--automation", "loss-alarm", "--format", "json")
    assert result.exit_code == 0, result.output
    [found] = rows(result.stdout)
    assert (found["status"], found["payload"], found["event"]["run_id"]) == (
        "DELIVERED",
        {"run": "hot"},
        "hot",
    )
    table = invoke("automations", "firings")
    assert "loss-alarm" in table.stdout and "DELIVERED" in table.stdout


def test_delete_asks_first_unless_yes(invoke: Invoker) -> None:
    refused = invoke.runner.invoke(
        cli,
        ["automations", "delete", "to-prod", *connection(invoke)],
        input="n\n",
    )
    assert refused.exit_code == 1 and "Aborted" in refused.output
    assert "to-prod" in invoke("automations", "ls").stdout
    result = invoke("automations", "delete", "to-prod", "--yes")
    assert result.exit_code == 0, result.output
    assert "deleted automation 'to-prod'" in result.stderr
    assert "to-prod" not in invoke("automations", "ls").stdout
    again = invoke("automations", "delete", "to-prod", "--yes")
    assert again.exit_code == 1 and "to-prod" in again.stderr


def connection(invoke: Invoker) -> list[str]:
    return ["--base-url", invoke.server.base_url, "--api-key", invoke.server.api_key]
