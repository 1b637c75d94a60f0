"""The official client (wandb 0.31.0), unchanged, making and reading launch run queues on the
local server, enqueueing a job and following the queued run; wandbkit reads the same data.

Between the two official scripts a launch agent works the queue with the official agent's
documents (``popFromRunQueue``, ``ackRunQueueItem``) and the run starts, so the official
``QueuedRun.wait_until_running`` returns it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import wandbkit
from wandbkit.server.testing import ServerHandle, basic_auth_header

from .conftest import RunOfficial

pytestmark = pytest.mark.official

OPS = Path(__file__).resolve().parents[2] / ".." / "shared" / "reference" / "official-ops"
JOB_INFO = {
    "_version": "v0",
    "source_type": "image",
    "source": {"image": "trainer:1", "entrypoint": ["python", "train.py"]},
    "input_types": {
        "wb_type": "typedDict",
        "params": {"type_map": {"lr": {"wb_type": "number"}}},
    },
    "output_types": {"wb_type": "typedDict", "params": {"type_map": {}}},
}

CREATE_AND_ENQUEUE = """
import json
import wandb

api = wandb.Api()
api.create_run_queue(
    "gpu", "kubernetes", prioritization_mode="V0",
    config={"spec": {"gpus": "{{gpus}}"}},
    template_variables={"gpus": {"schema": {"type": "integer", "default": 1}}},
)
api.upsert_run_queue("cpu", {"env": "x"}, "local-process",
                     external_links={"docs": "https://example.com/cpu"})
gpu, cpu = api.run_queue("demo", "gpu"), api.run_queue("demo", "cpu")
out = {name: {
    "id": q.id, "access": q.access, "mode": q.prioritization_mode, "type": q.type,
    "config": q.default_resource_config, "links": q.external_links,
    "variables": [{"name": v["name"], "schema": json.loads(v["schema"])}
                  for v in q.template_variables],
} for name, q in (("gpu", gpu), ("cpu", cpu))}
job = api.job("demo/train/job-train:latest")
queued = job.call({"lr": 0.1}, project="train", queue="gpu",
                  template_variables={"gpus": 2}, priority=1)
out["job"] = job.name
out["queued"] = {"id": queued.id, "state": queued.state, "project": queued.project,
                 "queue": queued.queue_name, "entity": queued.entity}
out["items"] = [item.id for item in api.run_queue("demo", "gpu").items]
out["jobs"] = api.list_jobs("demo", "train")
sweep = api.sweep("demo-team/diffusion-sweeps/" + SWEEP_ID)
out["sweep_run"] = sweep.enqueue_run({"lr": 0.3}, display_name="queued")
print(json.dumps(out))
"""

WAIT = """
import json
import wandb

api = wandb.Api()
# wandb's Api.queued_run passes project_queue=None on, so it must be given.
queued = api.queued_run("demo", "train", "gpu", {item_id!r}, project_queue="model-registry")
run = queued.wait_until_running()
print(json.dumps({{"run": run.id, "state": queued.state, "run_state": run.state}}))
"""


def agent_send(server: ServerHandle, name: str, variables: dict[str, Any]) -> dict[str, Any]:
    """Send the official launch agent's document ``name`` to the server."""
    document = OPS / f"{name}.graphql"
    if not document.is_file():
        pytest.skip(f"the official agent's documents are not present at {OPS}")
    response = httpx.post(
        server.graphql_url,
        json={"query": document.read_text(), "variables": variables},
        headers=basic_auth_header(server.api_key),
    )
    body = response.json()
    assert response.status_code == 200 and "errors" not in body, body
    data: dict[str, Any] = body["data"]
    return data


def test_the_official_client_and_wandbkit_share_run_queues_jobs_and_queued_runs(
    run_official: RunOfficial, demo_server: ServerHandle, tmp_path: Path
) -> None:
    with wandbkit.Api(api_key=demo_server.api_key, base_url=demo_server.base_url) as api:
        draft = api.create_artifact("demo/train/job-train", type="job")
        with draft.new_file("wandb-job.json", mode="w") as handle:
            json.dump(JOB_INFO, handle)
        draft.publish()

        sweep_id = demo_server.store.db.all("SELECT name FROM sweeps ORDER BY pk")[0]["name"]
        out = run_official(CREATE_AND_ENQUEUE.replace("SWEEP_ID", repr(sweep_id)))

        for name in ("gpu", "cpu"):
            queue = api.run_queue("demo", name)
            queue.load()
            mine = {
                "id": queue.id,
                "access": queue.access,
                "mode": queue.prioritization_mode,
                "type": queue.type,
                "config": queue.default_resource_config,
                "links": queue.external_links,
                "variables": [
                    {"name": v["name"], "schema": v["schema"]} for v in queue.template_variables
                ],
            }
            assert mine == out[name], json.dumps([mine, out[name]])
        assert out["gpu"]["config"] == {
            "resource_args": {"kubernetes": {"spec": {"gpus": "{{gpus}}"}}}
        }
        assert (out["gpu"]["mode"], out["cpu"]["mode"]) == ("V0", "DISABLED")
        assert out["cpu"]["links"] == {
            "links": [{"label": "docs", "url": "https://example.com/cpu"}]
        }

        queued = out["queued"]
        assert queued["state"] == "pending" and queued["project"] == "train"
        items = api.run_queue("demo", "gpu").items
        assert [item.id for item in items] == out["items"] == [queued["id"]]
        mine_queued = api.queued_run("demo", "train", "gpu", queued["id"])
        assert mine_queued.state == "pending"
        assert out["jobs"] == api.list_jobs("demo", "train")
        assert out["jobs"][0]["edges"][0]["node"]["artifactSequence"]["name"] == "job-train"
        assert api.job(out["job"], path=str(tmp_path / "job")).entrypoint == ["python", "train.py"]
        enqueued = api.run(f"demo-team/diffusion-sweeps/{out['sweep_run']}")
        assert (enqueued.state, enqueued.name, enqueued.config) == (
            "pending",
            "queued",
            {"lr": 0.3},
        )
        assert enqueued.sweep is not None and enqueued.sweep.id == sweep_id

        # The agent takes it: the official job call's spec, the queue's config filled.
        popped = agent_send(
            demo_server,
            "popFromRunQueue",
            {"entity": "demo", "project": "model-registry", "queueName": "gpu"},
        )["popFromRunQueue"]
        assert popped["runQueueItemId"] == queued["id"]
        spec = popped["runSpec"]
        assert spec["job"] == "demo/train/job-train:latest"
        assert spec["overrides"]["run_config"] == {"lr": 0.1}
        assert spec["resource"] == "kubernetes"
        assert spec["resource_args"] == {"kubernetes": {"spec": {"gpus": 2}}}
        acked = agent_send(
            demo_server, "ackRunQueueItem", {"itemId": queued["id"], "runId": "qrun7"}
        )
        assert acked["ackRunQueueItem"]["success"] is True
        api.create_run(run_id="qrun7", project="train", entity="demo")

        waited = run_official(WAIT.format(item_id=queued["id"]))
        assert waited == {"run": "qrun7", "state": "claimed", "run_state": "running"}
        assert mine_queued.wait_until_running(poll_interval=0.01, timeout=5).id == "qrun7"
