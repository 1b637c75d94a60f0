"""``wandbkit queues ls|show`` and ``wandbkit jobs ls``: an entity's launch run queues, one
queue with its config and items, and a project's jobs (``Api.run_queues``, ``Api.run_queue``,
``RunQueue.items``, ``QueuedRun.state``, ``Api.list_jobs``)."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import click

from wandbkit._lang.launch import LAUNCH_DEFAULT_PROJECT
from wandbkit.cli._common import (
    connection_options,
    handle_errors,
    limited,
    out_console,
    session,
    split_path,
)
from wandbkit.cli.render import FORMATS, jsonable, print_fields, write_json, write_records

if TYPE_CHECKING:
    import wandbkit

__all__ = ["COMMANDS", "jobs", "queues"]

#: Where W&B keeps an entity's queues.
QUEUE_PROJECT = LAUNCH_DEFAULT_PROJECT
QUEUE_COLUMNS = ("name", "type", "prioritization", "access", "created_at", "id")
ITEM_COLUMNS = ("id", "state", "priority", "project")
JOB_COLUMNS = ("name", "versions", "latest", "aliases", "state")

_format_option = click.option(
    "--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True
)


def _queue_row(queue: wandbkit.RunQueue) -> dict[str, Any]:
    return {
        "name": queue.name,
        "type": queue.type,
        "prioritization": queue.prioritization_mode,
        "access": queue.access,
        "created_at": queue.created_at,
        "id": queue.id,
        "entity": queue.entity,
        "project": queue.project,
    }


@click.group(
    "queues",
    epilog="""\b
Examples:
  wandbkit queues ls demo-team
  wandbkit queues show demo-team/gpu-a100
""",
)
def queues() -> None:
    """An entity's launch run queues, and the runs waiting in one."""


@queues.command(
    "ls",
    epilog="""\b
Examples:
  wandbkit queues ls demo-team
  wandbkit queues ls demo-team/model-registry --format json

PROJECT is where the queues live (default: model-registry, where W&B keeps them).
""",
)
@click.argument("path", metavar="ENTITY[/PROJECT]")
@click.option("--limit", type=click.IntRange(min=1), metavar="N", help="Show at most N queues.")
@_format_option
@connection_options
@handle_errors
def list_queues(path: str, limit: int | None, fmt: str) -> None:
    """List the run queues of ENTITY (in its model-registry project, or PROJECT)."""
    entity, *rest = split_path(path, (1, 2), "ENTITY[/PROJECT]")
    project = rest[0] if rest else QUEUE_PROJECT
    api = session(click.get_current_context()).api()
    found = api.run_queues(entity, project)
    columns = QUEUE_COLUMNS if fmt == "table" else (*QUEUE_COLUMNS, "entity", "project")
    rows = (_queue_row(queue) for queue in limited(found, limit))
    shown = write_records(fmt, columns, rows, sys.stdout)
    if fmt == "table":
        click.echo(f"{shown} queues in {entity}/{project}", err=True)


def _item_row(item: wandbkit.QueuedRun) -> dict[str, Any]:
    return {"id": item.id, "state": item.state, "priority": item.priority, "project": item.project}


@queues.command(
    "show",
    epilog="""\b
Examples:
  wandbkit queues show demo-team/gpu-a100
  wandbkit queues show demo-team/gpu-a100 --format json

Items are the queue's first 100, oldest first: pending, leased (an agent took it),
claimed (its run started) or failed.
""",
)
@click.argument("path", metavar="ENTITY/QUEUE")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@connection_options
@handle_errors
def show_queue(path: str, fmt: str) -> None:
    """Show the queue ENTITY/QUEUE: its resource config, template variables and items."""
    entity, name = split_path(path, (2,), "ENTITY/QUEUE")
    api = session(click.get_current_context()).api()
    queue = api.run_queue(entity, name)
    fields = {
        **_queue_row(queue),
        "external_links": queue.external_links,
        "template_variables": queue.template_variables,
        "default_resource_config": queue.default_resource_config,
    }
    items = [_item_row(item) for item in queue.items]
    if fmt == "json":
        write_json([jsonable({**fields, "items": items})], sys.stdout)
        return
    config = fields.pop("default_resource_config")
    print_fields(
        {
            **fields,
            "template_variables": ", ".join(
                f"{v['name']} ({json.dumps(v['schema'], sort_keys=True)})"
                for v in fields["template_variables"]
            ),
            "default_resource_config": json.dumps(config, indent=2) if config else None,
        }
    )
    out_console().print()
    write_records("table", ITEM_COLUMNS, items, sys.stdout, title=f"items ({len(items)})")


def _job_row(job: dict[str, Any]) -> dict[str, Any]:
    versions = [edge["node"] for edge in job.get("edges", []) if edge.get("node")]
    names = {str(v["artifactSequence"]["name"]) for v in versions if v.get("artifactSequence")}
    latest = next(
        (v for v in versions if any(a.get("alias") == "latest" for a in v.get("aliases") or [])),
        versions[0] if versions else {},
    )
    return {
        "name": ", ".join(sorted(names)),
        "versions": len(versions),
        "latest": latest.get("id"),
        "aliases": sorted({a["alias"] for v in versions for a in v.get("aliases") or []}),
        "state": latest.get("state"),
    }


@click.group(
    "jobs",
    epilog="""\b
Examples:
  wandbkit jobs ls demo-team/llm-finetune
""",
)
def jobs() -> None:
    """A project's launch jobs (artifacts of type job)."""


@jobs.command(
    "ls",
    epilog="""\b
Examples:
  wandbkit jobs ls demo-team/llm-finetune
  wandbkit jobs ls demo-team/llm-finetune --format json

Run one with Api.job("ENTITY/PROJECT/NAME:latest").call({...}, queue="QUEUE").
""",
)
@click.argument("path", metavar="ENTITY/PROJECT")
@_format_option
@connection_options
@handle_errors
def list_jobs(path: str, fmt: str) -> None:
    """List the jobs of ENTITY/PROJECT, with their versions and aliases."""
    entity, project = split_path(path, (2,), "ENTITY/PROJECT")
    api = session(click.get_current_context()).api()
    api.project(project, entity=entity).load()  # a missing project is an error, not "0 jobs"
    rows = [_job_row(job) for job in api.list_jobs(entity, project)]
    shown = write_records(fmt, JOB_COLUMNS, rows, sys.stdout)
    if fmt == "table":
        click.echo(f"{shown} jobs in {path}", err=True)


#: The command groups this module adds to ``wandbkit``.
COMMANDS = (queues, jobs)
