"""``wandbkit queues ls|show`` and ``wandbkit jobs ls`` against the demo workspace (its queue
``demo-team/gpu-a100`` with a claimed, a failed and a pending item, and its job
``job-train-lora``): tables, JSON and CSV, a run enqueued with ``Job.call`` showing up as
pending, bad arguments (exit 2) and missing objects (exit 1, one line)."""

from __future__ import annotations

import csv
import io
import json

import pytest

import wandbkit
from wandbkit.server.testing import ServerHandle

from .support import Invoker, one_line_error, parse_json

QUEUE = "demo-team/gpu-a100"


@pytest.fixture(scope="module")
def server(demo_server: ServerHandle) -> ServerHandle:
    """The demo workspace, for ``invoke``."""
    return demo_server


def test_queues_ls_lists_the_teams_queues(invoke: Invoker) -> None:
    result = invoke("queues", "ls", "demo-team")
    assert result.exit_code == 0, result.output
    for text in ("gpu-a100", "kubernetes", "V0", "PROJECT"):
        assert text in result.stdout
    assert "queues in demo-team/model-registry" in result.stderr
    rows = parse_json(invoke("queues", "ls", "demo-team/model-registry", "--format", "json"))
    gpu = next(row for row in rows if row["name"] == "gpu-a100")
    assert gpu["type"] == "kubernetes" and gpu["prioritization"] == "V0"
    assert (gpu["entity"], gpu["project"]) == ("demo-team", "model-registry")
    assert gpu["id"]
    result = invoke("queues", "ls", "demo-team", "--format", "csv")
    assert result.exit_code == 0, result.output
    parsed = list(csv.DictReader(io.StringIO(result.stdout)))
    assert "gpu-a100" in [row["name"] for row in parsed]


def test_queues_ls_of_an_entity_without_queues_is_empty(invoke: Invoker) -> None:
    assert parse_json(invoke("queues", "ls", "demo", "--format", "json")) == []
    result = invoke("queues", "ls", "demo")
    assert result.exit_code == 0 and "0 queues in demo/model-registry" in result.stderr


def test_queues_show_has_the_config_variables_and_item_states(invoke: Invoker) -> None:
    result = invoke("queues", "show", QUEUE)
    assert result.exit_code == 0, result.output
    for text in ("nvidia.com/gpu", "{{gpus}}", "gpus", "runbook", "items (3)"):
        assert text in result.stdout
    for state in ("claimed", "failed", "pending"):
        assert state in result.stdout
    [shown] = parse_json(invoke("queues", "show", QUEUE, "--format", "json"))
    assert shown["name"] == "gpu-a100" and shown["type"] == "kubernetes"
    assert shown["template_variables"] == [
        {
            "name": "gpus",
            "description": "GPUs per run",
            "schema": {"type": "integer", "minimum": 1, "maximum": 8, "default": 1},
        }
    ]
    limits = shown["default_resource_config"]["resource_args"]["kubernetes"]["spec"]
    assert "{{gpus}}" in json.dumps(limits)
    states = [(item["state"], item["priority"]) for item in shown["items"][:3]]
    assert states == [("claimed", 2), ("failed", 2), ("pending", 1)]
    assert {item["project"] for item in shown["items"]} == {"llm-finetune"}


def test_a_run_enqueued_with_job_call_shows_up_pending(
    invoke: Invoker, demo_server: ServerHandle, tmp_path: object
) -> None:
    with wandbkit.Api(base_url=demo_server.base_url, api_key=demo_server.api_key) as api:
        api.create_run_queue(
            "cli-launch",
            "local-process",
            entity="demo-team",
            template_variables={"threads": {"type": "integer", "default": 2}},
        )
        job = api.job("demo-team/llm-finetune/job-train-lora:latest", path=str(tmp_path))
        queued = job.call(
            {"lr": 1e-4, "lora_rank": 8, "epochs": 1},
            queue="cli-launch",
            entity="demo-team",
            template_variables={"threads": 4},
        )
    [shown] = parse_json(invoke("queues", "show", "demo-team/cli-launch", "--format", "json"))
    assert shown["type"] == "local-process"
    assert shown["items"] == [
        {"id": queued.id, "state": "pending", "priority": 2, "project": "llm-finetune"}
    ]
    names = [
        row["name"] for row in parse_json(invoke("queues", "ls", "demo-team", "--format", "json"))
    ]
    assert {"gpu-a100", "cli-launch"} <= set(names)


def test_jobs_ls_lists_the_projects_jobs(invoke: Invoker) -> None:
    result = invoke("jobs", "ls", "demo-team/llm-finetune")
    assert result.exit_code == 0, result.output
    assert "job-train-lora" in result.stdout and "latest" in result.stdout
    assert "1 jobs in demo-team/llm-finetune" in result.stderr
    [job] = parse_json(invoke("jobs", "ls", "demo-team/llm-finetune", "--format", "json"))
    assert job["name"] == "job-train-lora" and job["versions"] == 1
    assert job["aliases"] == ["latest"] and job["state"] == "COMMITTED" and job["latest"]
    assert parse_json(invoke("jobs", "ls", "demo/cifar10-augment", "--format", "json")) == []


@pytest.mark.parametrize(
    "args",
    [
        ("queues", "ls", "a/b/c"),
        ("queues", "ls", "/"),
        ("queues", "show", "demo-team"),
        ("queues", "show", "demo-team/gpu-a100/x"),
        ("queues", "show", QUEUE, "--format", "csv"),
        ("queues", "ls", "demo-team", "--limit", "0"),
        ("jobs", "ls", "demo-team"),
        ("jobs", "ls", "demo-team/llm-finetune", "--format", "xml"),
        ("queues", "ls"),
        ("jobs", "ls"),
    ],
)
def test_bad_arguments_are_usage_errors(invoke: Invoker, args: tuple[str, ...]) -> None:
    result = invoke(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_missing_objects_are_one_line_errors(invoke: Invoker) -> None:
    one_line_error(invoke("queues", "show", "demo-team/no-such-queue"), 1, "no-such-queue")
    one_line_error(invoke("queues", "show", "demo/gpu-a100"), 1, "demo/gpu-a100", "not found")
    one_line_error(invoke("jobs", "ls", "demo-team/no-such-project"), 1, "no-such-project")


def test_a_malformed_entity_is_refused_before_any_request(invoke: Invoker) -> None:
    result = invoke("queues", "ls", "bad name", connect=False)
    assert result.exit_code == 2, result.output
    assert "entity" in result.stderr
