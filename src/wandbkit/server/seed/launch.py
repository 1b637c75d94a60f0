"""The demo's launch data: in the team (``demo-team``), a ``job`` artifact in ``llm-finetune``
that says what to run and which config it takes, and a prioritized Kubernetes run queue,
``gpu-a100``, in the team's ``model-registry`` project (where W&B keeps queues), with a
default resource config and a ``gpus`` template variable, holding three items:

* one ``CLAIMED`` by a launch agent for the project's first finished run (so
  ``QueuedRun.wait_until_running`` returns at once),
* one ``FAILED`` at the build stage, with the agent's error message,
* one ``PENDING`` asking for 2 GPUs at priority 1 (for an agent, or a test, to pop).

Items are made through the store's own push, pop, ack and fail, with each spec filled from the
queue's config as ``pushToRunQueueByName`` fills it, so the demo shows what real ones look like.
"""

from __future__ import annotations

import json
from typing import Any, Final

from wandbkit._lang.launch import LAUNCH_DEFAULT_PROJECT, fill_template, template_variables
from wandbkit.server.seed.catalog import DemoContext, store_files, version

__all__ = [
    "DEMO_JOB",
    "DEMO_JOB_PROJECT",
    "DEMO_LAUNCH_PROJECTS",
    "DEMO_QUEUE",
    "JOB_INFO",
    "seed_demo_launch",
]

#: The project of the demo's job (a team project), and the job's collection name.
DEMO_JOB_PROJECT: Final = "llm-finetune"
DEMO_JOB: Final = "job-train-lora"
#: The demo's run queue (in the team's ``model-registry`` project).
DEMO_QUEUE: Final = "gpu-a100"
#: The projects this step adds to the team: the one W&B keeps launch queues in.
DEMO_LAUNCH_PROJECTS: Final = (LAUNCH_DEFAULT_PROJECT,)

#: The job's ``wandb-job.json``: a container image, its entrypoint and the config it takes.
JOB_INFO: Final[dict[str, Any]] = {
    "_version": "v0",
    "source_type": "image",
    "source": {
        "image": "ghcr.io/demo-team/lora-trainer:1.4",
        "entrypoint": ["python", "train_lora.py"],
    },
    "input_types": {
        "wb_type": "typedDict",
        "params": {
            "type_map": {
                "lr": {"wb_type": "number"},
                "lora_rank": {"wb_type": "number"},
                "epochs": {"wb_type": "number"},
                "base_model": {"wb_type": "string"},
            }
        },
    },
    "output_types": {
        "wb_type": "typedDict",
        "params": {"type_map": {"eval_loss": {"wb_type": "number"}}},
    },
    "runtime": "3.11.9",
}

_RESOURCE_ARGS: Final = {
    "kubernetes": {
        "metadata": {"namespace": "train"},
        "spec": {
            "template": {
                "spec": {"containers": [{"resources": {"limits": {"nvidia.com/gpu": "{{gpus}}"}}}]}
            }
        },
    }
}
_VARIABLES: Final = {
    "gpus": {
        "description": "GPUs per run",
        "schema": {"type": "integer", "minimum": 1, "maximum": 8, "default": 1},
    }
}


def _spec(job: str, config: dict[str, Any], gpus: int) -> dict[str, Any]:
    """The launch spec ``Job.call`` pushes, filled from the queue's config as the server does."""
    return {
        "overrides": {"run_config": config},
        "job": job,
        "entity": "",  # set by the caller
        "project": DEMO_JOB_PROJECT,
        "docker": {},
        "git": {},
        "resource": "kubernetes",
        "resource_args": fill_template(_RESOURCE_ARGS, {"gpus": gpus}),
    }


def seed_demo_launch(ctx: DemoContext) -> None:
    """The demo step: the job artifact, the queue and its three items, unless the team has
    the queue already (or no ``llm-finetune`` runs to launch)."""
    store, team = ctx.store, ctx.team
    project = store.projects.get(team.pk, DEMO_JOB_PROJECT)
    runs = store.run_listing.list(project.pk, order="+created_at") if project else []
    finished = [run for run in runs if run.state == "finished"]
    if project is None or not finished:
        return
    holder, _ = store.projects.upsert(
        team.pk,
        LAUNCH_DEFAULT_PROJECT,
        creator_pk=ctx.user.pk,
        description="Where the team's launch run queues live.",
    )
    if store.launch.get_queue(holder.pk, DEMO_QUEUE) is not None:
        return
    entries = store_files(store, {"wandb-job.json": json.dumps(JOB_INFO, indent=2).encode()})
    store.artifacts.bulk_create(
        project.pk,
        "job",
        DEMO_JOB,
        [
            version(
                entries,
                description="LoRA fine-tuning of the 7B base model, as a container job.",
                metadata={"image": JOB_INFO["source"]["image"]},
                created_by_run_pk=finished[0].pk,
            )
        ],
    )
    config = store.launch.create_config(
        team.pk,
        "kubernetes",
        {"resource_args": _RESOURCE_ARGS},
        template_variables(_VARIABLES),
    )
    queue = store.launch.create_queue(
        holder.pk,
        DEMO_QUEUE,
        access="PROJECT",
        prioritization_mode="V0",
        creator_pk=ctx.user.pk,
        config_pk=config.pk,
        external_links={"links": [{"label": "runbook", "url": "https://example.com/gpu-a100"}]},
    )
    job = f"{team.name}/{DEMO_JOB_PROJECT}/{DEMO_JOB}:v0"
    launch = store.launch
    for run_config, gpus, priority, outcome in (
        ({"lr": 3e-4, "lora_rank": 16, "epochs": 3}, 1, 2, "claimed"),
        ({"lr": 3e-5, "lora_rank": 8, "epochs": 5}, 1, 2, "failed"),
        ({"lr": 1e-4, "lora_rank": 64, "epochs": 3}, 2, 1, "pending"),
    ):
        spec = {**_spec(job, run_config, gpus), "entity": team.name}
        item = launch.push(
            queue.pk, spec, priority=priority, template_variable_values={"gpus": gpus}
        )
        if outcome == "pending":
            continue
        leased = launch.pop(queue, "demo-agent")
        assert leased is not None and leased.pk == item.pk
        if outcome == "claimed":
            launch.ack(item.pk, finished[0].name)
        else:
            launch.fail(
                item.pk,
                "image pull failed: ghcr.io/demo-team/lora-trainer:1.4 not found",
                "build",
                [],
            )
