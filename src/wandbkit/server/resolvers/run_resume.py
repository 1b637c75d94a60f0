"""What the official SDK's wandb-core asks about a run it writes: ``RunResumeStatus``
(``Query.model`` and ``Project.bucket``, with the ``Run`` fields a resuming writer continues
from) and ``OrganizationCoreWeaveOrganizationID``.

A resuming wandb-core reads ``historyLineCount``, ``eventsLineCount`` and ``logLineCount`` as
the next line offsets of its file stream, the last row of ``historyTail`` for ``_step`` and
``_runtime``, and needs ``wandbConfig(keys: ["t"])`` to hold ``t`` (the telemetry every SDK run
writes into ``config._wandb``) to count the run as started.
"""

from __future__ import annotations

import json
from typing import Any

from ariadne import ObjectType, QueryType
from graphql import GraphQLResolveInfo

from wandbkit.server.resolvers.common import context
from wandbkit.server.resolvers.projects import resolve_project
from wandbkit.server.resolvers.runs import resolve_project_run
from wandbkit.server.store import ProjectRow, RunRow
from wandbkit.server.store.file_stream import EVENTS_FILE
from wandbkit.server.store.text import dumps_json

#: How many rows ``historyTail`` and ``eventsTail`` hold (what W&B sends).
TAIL_ROWS = 10


def resolve_model(
    _: Any, info: GraphQLResolveInfo, *, name: str | None = None, entity_name: str | None = None
) -> ProjectRow | None:
    """``Query.model``: the deprecated name of ``Query.project``, which wandb-core still uses."""
    return resolve_project(_, info, name=name, entity_name=entity_name)


def resolve_project_bucket(
    project: ProjectRow, info: GraphQLResolveInfo, *, name: str, **__: Any
) -> RunRow | None:
    """``Project.bucket``: the run called ``name``, or ``null`` (``missingOk`` is the only
    behaviour: a missing run is never an error)."""
    return resolve_project_run(project, info, name=name)


def resolve_run_wandb_config(
    run: RunRow, _: GraphQLResolveInfo, *, keys: list[str] | None = None
) -> str:
    """The SDK's own part of the config (``config._wandb.value``), optionally only ``keys``."""
    config = json.loads(run.config)
    stored = config.get("_wandb")
    value = stored.get("value", stored) if isinstance(stored, dict) else {}
    if not isinstance(value, dict):
        value = {}
    if keys is not None:
        value = {key: value[key] for key in keys if key in value}
    return dumps_json(value)


def resolve_run_history_tail(run: RunRow, info: GraphQLResolveInfo) -> str:
    """The last history rows: a JSON string of a list of JSON-string rows."""
    return dumps_json(context(info).store.history.tail(run.pk, TAIL_ROWS))


def resolve_run_events_tail(run: RunRow, info: GraphQLResolveInfo) -> str:
    """The last system-metric rows, in the form of ``historyTail``."""
    return dumps_json(context(info).store.history.event_tail(run.pk, TAIL_ROWS))


def resolve_run_events_line_count(run: RunRow, info: GraphQLResolveInfo) -> int:
    """The next line offset of the run's ``wandb-events.jsonl`` stream."""
    return context(info).store.file_streams.offsets(run.pk)[EVENTS_FILE]


def resolve_core_weave_organization_id(_: Any, __: GraphQLResolveInfo) -> None:
    """No organization of this server runs on CoreWeave."""
    return None


def bindables() -> list[ObjectType]:
    """``Query.model``, ``Project.bucket``, the resume fields of ``Run`` and
    ``Organization.coreWeaveOrganizationId``."""
    query = QueryType()
    query.set_field("model", resolve_model)
    project = ObjectType("Project")
    project.set_field("bucket", resolve_project_bucket)
    run = ObjectType("Run")
    run.set_field("wandbConfig", resolve_run_wandb_config)
    run.set_field("historyTail", resolve_run_history_tail)
    run.set_field("eventsTail", resolve_run_events_tail)
    run.set_field("eventsLineCount", resolve_run_events_line_count)
    organization = ObjectType("Organization")
    organization.set_field("coreWeaveOrganizationId", resolve_core_weave_organization_id)
    return [query, project, run, organization]
