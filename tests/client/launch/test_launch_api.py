"""Launch end to end: run queues made and read with wandbkit, a job enqueued with ``Job.call``,
the queued run worked by a launch agent (the official agent's documents, sent raw), and
``wait_until_running``/``wait_until_finished`` following it to its end.

Every test runs on both flavours (``flavor``)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

import wandbkit
from wandbkit.errors import UsageError
from wandbkit.server.testing import add_run, asgi_transport, basic_auth_header

from ..support import BASE_URL, Flavor

OPS = Path(__file__).resolve().parents[3] / ".." / "shared" / "reference" / "official-ops"
JOB_INFO = {
    "_version": "v0",
    "source_type": "image",
    "source": {"image": "trainer:1", "entrypoint": ["python", "train.py"]},
    "input_types": {
        "wb_type": "typedDict",
        "params": {"type_map": {"lr": {"wb_type": "number"}, "opt": {"wb_type": "string"}}},
    },
    "output_types": {"wb_type": "typedDict", "params": {"type_map": {}}},
}


def agent_document(name: str) -> str:
    """The launch agent's document ``name`` (skips the test without the reference material)."""
    path = OPS / f"{name}.graphql"
    if not OPS.is_dir():
        pytest.skip(f"reference material not present at {OPS}")
    assert path.is_file(), f"{path} is missing from the reference material"
    return path.read_text()


class Agent:
    """A launch agent on the in-process server: the official agent's mutations, sent raw."""

    def __init__(self, app: Any, api_key: str) -> None:
        self._client = httpx.AsyncClient(
            transport=asgi_transport(app), base_url=BASE_URL, headers=basic_auth_header(api_key)
        )

    async def send(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        response = await self._client.post(
            "/graphql", json={"query": agent_document(document), "variables": variables}
        )
        body = response.json()
        assert response.status_code == 200 and "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def pop(self, queue: str) -> Any:
        variables = {"entity": "demo", "project": "model-registry", "queueName": queue}
        return (await self.send("popFromRunQueue", {**variables, "launchAgentId": None}))[
            "popFromRunQueue"
        ]

    async def ack(self, item_id: str, run_id: str) -> bool:
        found = await self.send("ackRunQueueItem", {"itemId": item_id, "runId": run_id})
        return bool(found["ackRunQueueItem"]["success"])

    async def fail(self, item_id: str, message: str) -> None:
        variables = {"runQueueItemId": item_id, "message": message, "stage": "build"}
        await self.send("failRunQueueItem", variables)

    async def aclose(self) -> None:
        await self._client.aclose()


@pytest.fixture
async def agent(seeded_app: tuple[Any, Any]) -> Any:
    app, seed = seeded_app
    worker = Agent(app, seed.api_key)
    yield worker
    await worker.aclose()


async def publish_job(flavor: Flavor, name: str = "demo/train/job-train") -> None:
    draft = flavor.api.create_artifact(name, type="job")
    with draft.new_file("wandb-job.json", mode="w") as handle:
        json.dump(JOB_INFO, handle)
    await flavor(draft.publish())


async def test_a_queue_is_created_and_read_back_with_its_config(flavor: Flavor) -> None:
    queue = await flavor(
        flavor.api.create_run_queue(
            "gpu",
            "kubernetes",
            prioritization_mode="v0",
            config={"spec": {"gpus": "{{gpus}}"}},
            template_variables={"gpus": {"schema": {"type": "integer", "default": 1}}},
        )
    )
    assert (queue.name, queue.entity) == ("gpu", "demo")
    assert isinstance(queue, (wandbkit.RunQueue, wandbkit.AsyncRunQueue))
    fresh = flavor.api.run_queue("demo", "gpu")
    await flavor(fresh.load())
    assert (fresh.type, fresh.access, fresh.prioritization_mode) == ("kubernetes", "PROJECT", "V0")
    assert fresh.default_resource_config == {
        "resource_args": {"kubernetes": {"spec": {"gpus": "{{gpus}}"}}}
    }
    assert fresh.template_variables == [
        {"name": "gpus", "description": None, "schema": {"type": "integer", "default": 1}}
    ]
    assert fresh.id and fresh.external_links is None
    assert await flavor(fresh.items) == []

    upserted = await flavor(
        flavor.api.upsert_run_queue(
            "gpu",
            {"spec": {"gpus": 8}},
            "kubernetes",
            external_links={"docs": "https://example.com/gpu"},
        )
    )
    await flavor(upserted.load())
    assert upserted.default_resource_config == {
        "resource_args": {"kubernetes": {"spec": {"gpus": 8}}}
    }
    assert upserted.prioritization_mode == "DISABLED"
    assert upserted.external_links == {
        "links": [{"label": "docs", "url": "https://example.com/gpu"}]
    }
    await flavor(upserted.delete())
    with pytest.raises(wandbkit.NotFoundError, match="run queue 'demo/gpu' not found"):
        await flavor(flavor.api.run_queue("demo", "gpu").load())


async def test_a_queued_job_goes_from_pending_to_finished(
    flavor: Flavor, agent: Agent, tmp_path: Path
) -> None:
    await flavor(
        flavor.api.create_run_queue(
            "gpu",
            "kubernetes",
            config={"spec": {"gpus": "{{gpus}}"}},
            template_variables={"gpus": {"schema": {"type": "integer", "default": 1}}},
        )
    )
    await publish_job(flavor)
    job = await flavor(flavor.api.job("demo/train/job-train:latest", path=str(tmp_path / "job")))
    assert job.name == "demo/train/job-train:latest" and job.entrypoint == ["python", "train.py"]
    assert (tmp_path / "job" / "wandb-job.json").is_file()
    jobs = await flavor(flavor.api.list_jobs("demo", "train"))
    assert [[e["node"]["artifactSequence"]["name"] for e in c["edges"]] for c in jobs] == [
        ["job-train"]
    ]

    job.set_entrypoint(["python", "train.py", "--fast"])
    queued = await flavor(
        job.call({"lr": 0.1, "opt": "adam"}, queue="gpu", template_variables={"gpus": 2})
    )
    assert isinstance(queued, (wandbkit.QueuedRun, wandbkit.AsyncQueuedRun))
    assert (queued.entity, queued.project, queued.queue_name) == ("demo", "train", "gpu")
    assert await flavor(queued.state) == "pending"
    listed = await flavor(flavor.api.run_queue("demo", "gpu").items)
    assert [(q.id, q.project) for q in listed] == [(queued.id, "train")]

    # The agent takes the item, with the queue's config filled from the values given.
    popped = await agent.pop("gpu")
    assert popped["runQueueItemId"] == queued.id
    spec = popped["runSpec"]
    assert spec["job"] == "demo/train/job-train:latest"
    assert spec["overrides"] == {
        "run_config": {"lr": 0.1, "opt": "adam"},
        "entry_point": ["python", "train.py", "--fast"],
    }
    assert spec["resource_args"] == {"kubernetes": {"spec": {"gpus": 2}}}
    assert await flavor(queued.state) == "leased"
    assert await agent.ack(queued.id, "qrun1") is True
    handle = flavor.api.queued_run("demo", "train", "gpu", queued.id)
    assert await flavor(handle.state) == "claimed"
    # Acknowledged, but the run has not started logging: still not running.
    with pytest.raises(TimeoutError, match="still claimed"):
        await flavor(handle.wait_until_running(poll_interval=0.01, timeout=0.05))

    writer = flavor.api.write_run(
        project="train", run_id="qrun1", config=spec["overrides"]["run_config"]
    )
    await flavor(writer.start())
    running = await flavor(handle.wait_until_running(poll_interval=0.01, timeout=5))
    assert (running.id, running.state) == ("qrun1", "running")
    await flavor(writer.log({"loss": 0.25}))
    await flavor(writer.finish())
    finished = await flavor(handle.wait_until_finished(poll_interval=0.01, timeout=5))
    assert (finished.id, finished.state) == ("qrun1", "finished")
    assert finished.summary["loss"] == 0.25
    assert finished.config["lr"] == 0.1

    await flavor(handle.delete())
    assert await flavor(flavor.api.run_queue("demo", "gpu").items) == []


async def test_a_failed_item_ends_the_wait_with_its_reason(flavor: Flavor, agent: Agent) -> None:
    await flavor(flavor.api.create_run_queue("cpu", "local-process"))
    await publish_job(flavor)
    job = await flavor(flavor.api.job("demo/train/job-train:v0"))
    queued = await flavor(job.call({"lr": 1}, queue="cpu"))
    await agent.pop("cpu")
    await agent.fail(queued.id, "no such image")
    with pytest.raises(
        wandbkit.QueuedRunFailedError, match="failed at stage 'build': no such image"
    ):
        await flavor(queued.wait_until_running(poll_interval=0.01, timeout=5))
    assert await flavor(queued.state) == "failed"


async def test_calling_a_job_without_a_queue_uses_and_makes_the_default_queue(
    flavor: Flavor, agent: Agent
) -> None:
    await publish_job(flavor)
    job = await flavor(flavor.api.job("demo/train/job-train:latest"))
    first = await flavor(job.call({"lr": 0.5}))
    second = await flavor(job.call({"lr": 0.6}, priority=None))
    items = await flavor(flavor.api.run_queue("demo", "default").items)
    assert [q.id for q in items] == [first.id, second.id]
    assert (await agent.pop("default"))["runSpec"]["overrides"]["run_config"] == {"lr": 0.5}


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda api: api.create_run_queue("q", "slurm"), "type must be one of 'local-container'"),
        (lambda api: api.create_run_queue("", "kubernetes"), "name must be a non-empty string"),
        (lambda api: api.create_run_queue("q" * 65, "kubernetes"), "at most 64 characters"),
        (
            lambda api: api.create_run_queue("q", "kubernetes", prioritization_mode="V9"),
            "prioritization_mode",
        ),
        (
            lambda api: api.create_run_queue("q", "kubernetes", prioritization_mode="DISABLED"),
            "prioritization_mode",
        ),
        (lambda api: api.create_run_queue("q", "kubernetes", config=[1]), "config must be a dict"),
        (
            lambda api: api.create_run_queue(
                "q", "kubernetes", template_variables={"g": {"type": "list"}}
            ),
            r"template_variables\['g'\] schema type",
        ),
        (
            lambda api: api.create_run_queue(
                "q", "kubernetes", template_variables={"g": {"type": "integer", "default": "x"}}
            ),
            "default must be of type integer",
        ),
        (lambda api: api.upsert_run_queue("q", {}, "ecs"), "resource_type must be one of"),
        (
            lambda api: api.upsert_run_queue("q", {}, "kubernetes", prioritization_mode="v1"),
            "prioritization_mode",
        ),
        (
            lambda api: api.upsert_run_queue(
                "q", {}, "kubernetes", external_links={"x": "ftp://a"}
            ),
            r"external_links\['x'\] must be an http\(s\) URL",
        ),
        (lambda api: api.run_queue("demo", "a/b"), "name must not contain '/'"),
        (lambda api: api.queued_run("demo", "p", "q", ""), "run_queue_item_id"),
        (lambda api: api.job(None), "You must specify name="),
        (lambda api: api.job("demo/job-train:latest"), "<entity>/<project>/<job-name>"),
        (lambda api: api.list_jobs(None, "p"), "Specify an entity"),
    ],
)
async def test_bad_launch_arguments_fail_before_any_request(
    flavor: Flavor, call: Any, message: str
) -> None:
    flavor.transport.clear()
    with pytest.raises(UsageError, match=message):
        await flavor(call(flavor.api))
    assert flavor.transport.operations == []


async def test_a_job_call_checks_its_config_and_arguments_first(flavor: Flavor) -> None:
    await publish_job(flavor)
    job = await flavor(flavor.api.job("demo/train/job-train:latest"))
    flavor.transport.clear()
    with pytest.raises(wandbkit.JobConfigError, match=r"config\['lr'\] must be a number"):
        await flavor(job.call({"lr": "fast"}))
    with pytest.raises(TypeError, match="keys the job does not take: \\['epochs'\\]"):
        await flavor(job.call({"epochs": 3}))
    with pytest.raises(UsageError, match="priority must be an int from 0"):
        await flavor(job.call({"lr": 1}, priority=7))
    with pytest.raises(UsageError, match="resource must be one of"):
        await flavor(job.call({"lr": 1}, resource="slurm"))
    with pytest.raises(UsageError, match="entrypoint must be a non-empty list"):
        job.set_entrypoint("python train.py")
    assert flavor.transport.operations == []


async def test_another_users_queue_is_not_found(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    await flavor(flavor.api.create_run_queue("gpu", "kubernetes"))
    store = seeded_app[0].state.store
    eve = store.accounts.create_user("eve")
    key, _ = store.accounts.create_api_key(eve.pk)
    async with flavor.connect(api_key=key) as api:
        with pytest.raises(wandbkit.NotFoundError, match="run queue 'demo/gpu' not found"):
            await flavor(api.run_queue("demo", "gpu").load())
        with pytest.raises(wandbkit.PermissionDeniedError):
            await flavor(api.create_run_queue("mine", "kubernetes", entity="demo"))


async def test_a_sweep_enqueues_a_pending_run_with_its_config(
    flavor: Flavor, seeded_app: tuple[Any, Any]
) -> None:
    store = seeded_app[0].state.store
    add_run(store, "demo/tune", "r0", sweep_name="sw1")
    project = store.projects.get(store.entities.get("demo").pk, "tune")
    store.sweeps.create(project.pk, "sw1", config="method: grid\n", method="grid")
    sweep = await flavor(flavor.api.sweep("demo/tune/sw1"))
    run_id = await flavor(sweep.enqueue_run({"lr": 0.3}, display_name="queued"))
    run = await flavor(flavor.api.run(f"demo/tune/{run_id}"))
    assert (run.state, run.name, run.config) == ("pending", "queued", {"lr": 0.3})
    assert store.runs.get(project.pk, run_id).sweep_name == "sw1"
    flavor.transport.clear()
    with pytest.raises(UsageError, match="config must be a dict"):
        await flavor(sweep.enqueue_run([("lr", 1)]))
    assert flavor.transport.operations == []
