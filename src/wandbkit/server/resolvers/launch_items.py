"""Run queue items: reading them (``RunQueue.runQueueItems``/``runQueueItem``) and moving them
through the mutations the official client and launch agent send.

``pushToRunQueueByName``/``pushToRunQueue`` add a pending item. The queue's default resource
config, its ``{{fields}}`` filled from ``templateVariableValues`` (or the variables' defaults),
becomes the spec's ``resource``/``resource_args`` (what the spec brings itself wins), and the
answer's ``runSpec`` is that spec, as W&B answers it. ``popFromRunQueue`` leases the next item
to an agent (``null`` when none waits), ``ackRunQueueItem`` records the run it became, and
``failRunQueueItem`` why it could not. Only the queue's entity's members may do any of this.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ariadne import MutationType, ObjectType
from graphql import GraphQLResolveInfo

from wandbkit._lang.launch import (
    DEFAULT_PRIORITY,
    check_priority,
    fill_template,
    template_values,
)
from wandbkit.server.ids import InvalidIdError, decode_int_id, encode_id
from wandbkit.server.resolvers.common import (
    ClientError,
    NotFound,
    RequestContext,
    context,
    non_null,
    paginate_by_pk,
)
from wandbkit.server.resolvers.launch import (
    decode_row_id,
    launch_rules,
    member_queue,
    require_queue_member,
)
from wandbkit.server.store import RunQueueItemRow, RunQueueRow
from wandbkit.server.store.runs import wrap_config

#: How much text an agent may attach to a failure or warning (it is stored as given).
MAX_MESSAGE_LENGTH = 10_000


def item_id(item: RunQueueItemRow) -> str:
    """The opaque id of an item."""
    return encode_id("RunQueueItem", item.pk)


# -- Query ----------------------------------------------------------------------------------


def resolve_queue_items(
    queue: RunQueueRow,
    info: GraphQLResolveInfo,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """A page of the queue's items, oldest first (whatever their state)."""
    store = context(info).store

    def fetch(after_pk: int, limit: int) -> list[RunQueueItemRow]:
        return store.launch.items(queue.pk, after_pk=after_pk, limit=limit)

    return paginate_by_pk(fetch, lambda i: i.pk, first=first, after=after, last=last, before=before)


def resolve_queue_item(
    queue: RunQueueRow, info: GraphQLResolveInfo, *, id: str
) -> RunQueueItemRow | None:
    """The queue's item with this id (``null`` for another queue's item or a bad id)."""
    try:
        pk = decode_int_id(id, "RunQueueItem")
    except InvalidIdError:
        return None
    item = context(info).store.launch.get_item(pk)
    return item if item is not None and item.queue_pk == queue.pk else None


# -- pushing --------------------------------------------------------------------------------


def _merge(defaults: Any, given: Any) -> Any:
    """``given`` over ``defaults``, key by key where both are objects."""
    if isinstance(defaults, Mapping) and isinstance(given, Mapping):
        merged = dict(defaults)
        for key, value in given.items():
            merged[key] = _merge(defaults.get(key), value)
        return merged
    return given


def push_item(
    ctx: RequestContext, queue: RunQueueRow, input: dict[str, Any], operation: str
) -> dict[str, Any]:
    """Add a pending item to ``queue`` from a push's ``input`` (``runSpec``, ``priority``,
    ``templateVariableValues``); answers its id and the spec the agent will get."""
    run_spec, priority = input["run_spec"], input.get("priority")
    values = input.get("template_variable_values")
    if not isinstance(run_spec, dict):
        raise ClientError(f"{operation}: runSpec must be a JSON object, got {run_spec!r}")
    config = ctx.store.launch.get_config(queue.config_pk) if queue.config_pk else None
    with launch_rules(operation):
        if priority is None:
            priority = DEFAULT_PRIORITY
        elif queue.prioritization_mode != "V0":
            raise ClientError(
                f"{operation}: priority is only taken by a prioritized queue "
                f"(prioritizationMode V0); queue {queue.name!r} is {queue.prioritization_mode}"
            )
        else:
            priority = check_priority(priority)
        filled = template_values(
            config.template_variables if config else [], values, "templateVariableValues"
        )
    spec = dict(run_spec)
    if config is not None:
        defaults = fill_template(config.config.get("resource_args") or {}, filled)
        spec["resource"] = config.resource
        spec["resource_args"] = _merge(defaults, spec.get("resource_args") or {})
    item = ctx.store.launch.push(queue.pk, spec, priority=priority, template_variable_values=values)
    return {"run_queue_item_id": item_id(item), "run_spec": spec}


def resolve_push_by_name(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Push a run spec onto ``entityName/projectName/queueName``."""
    operation = "pushToRunQueueByName"
    ctx = context(info)
    queue = member_queue(
        ctx, input["entity_name"], input["project_name"], input["queue_name"], operation
    )
    return push_item(ctx, queue, input, operation)


def resolve_push(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> dict[str, Any]:
    """Push a run spec onto the queue with id ``queueID``."""
    operation = "pushToRunQueue"
    ctx = context(info)
    pk = decode_row_id(input["queue_id"], "RunQueue", "queueID", operation)
    queue = ctx.store.launch.get_queue_by_pk(pk)
    if queue is None:
        raise NotFound(f"{operation}: no run queue has the id {input['queue_id']!r}")
    require_queue_member(ctx, queue, operation)
    return push_item(ctx, queue, input, operation)


# -- what an agent does -----------------------------------------------------------------------


def resolve_pop(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any] | None:
    """Lease the next pending item of the queue to the agent; ``null`` when none waits."""
    operation = "popFromRunQueue"
    ctx = context(info)
    queue = member_queue(
        ctx, input["entity_name"], input["project_name"], input["queue_name"], operation
    )
    agent = input.get("launch_agent_id")
    item = ctx.store.launch.pop(queue, None if agent is None else str(agent))
    if item is None:
        return None
    return {"run_queue_item_id": item_id(item), "run_spec": item.run_spec}


def _member_item(ctx: RequestContext, value: Any, operation: str) -> RunQueueItemRow:
    pk = decode_row_id(value, "RunQueueItem", "runQueueItemId", operation)
    item = ctx.store.launch.get_item(pk)
    queue = ctx.store.launch.get_queue_by_pk(item.queue_pk) if item else None
    if item is None or queue is None:
        raise NotFound(f"{operation}: no run queue item has the id {value!r}")
    require_queue_member(ctx, queue, operation)
    return item


def _text(value: Any, argument: str, operation: str, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ClientError(f"{operation}: {argument} must be a non-empty string, got {value!r}")
    if len(value) > MAX_MESSAGE_LENGTH:
        raise ClientError(f"{operation}: {argument} is longer than {MAX_MESSAGE_LENGTH} characters")
    return value


def resolve_ack(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> dict[str, Any]:
    """Record the run a leased item became (``success: false`` if it is not leased)."""
    operation = "ackRunQueueItem"
    ctx = context(info)
    item = _member_item(ctx, input["run_queue_item_id"], operation)
    run_name = _text(input["run_name"], "runName", operation)
    if "/" in run_name or len(run_name) > 128:
        raise ClientError(f"{operation}: runName must be a run id, got {run_name!r}")
    return {"success": ctx.store.launch.ack(item.pk, run_name)}


def _details(
    input: dict[str, Any], operation: str, *, required: bool
) -> tuple[str, str, list[str]]:
    message = _text(input.get("message"), "message", operation, required=required)
    stage = _text(input.get("stage"), "stage", operation, required=required)
    paths = [_text(p, "filePaths", operation) for p in non_null(input.get("file_paths"))]
    return message, stage, paths


def resolve_fail(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> dict[str, Any]:
    """Mark an item failed, with what went wrong and where (``success: false`` if it had)."""
    operation = "failRunQueueItem"
    ctx = context(info)
    item = _member_item(ctx, input["run_queue_item_id"], operation)
    message, stage, paths = _details(input, operation, required=False)
    return {"success": ctx.store.launch.fail(item.pk, message, stage or "run", paths)}


def resolve_warning(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> dict[str, Any]:
    """Add a warning to an item."""
    operation = "updateRunQueueItemWarning"
    ctx = context(info)
    item = _member_item(ctx, input["run_queue_item_id"], operation)
    message, stage, paths = _details(input, operation, required=True)
    ctx.store.launch.warn(item.pk, message, stage, paths)
    return {"success": True}


def resolve_delete_from_queue(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Remove an item from the queue with id ``queueID``."""
    operation = "deleteFromRunQueue"
    ctx = context(info)
    queue_pk = decode_row_id(input["queue_id"], "RunQueue", "queueID", operation)
    item = _member_item(ctx, input["run_queue_item_id"], operation)
    if item.queue_pk != queue_pk or not ctx.store.launch.delete_item(queue_pk, item.pk):
        raise NotFound(f"{operation}: the queue holds no item {input['run_queue_item_id']!r}")
    return {"success": True}


def resolve_enqueue_sweep_run(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """``Sweep.enqueue_run``: a ``pending`` run of the sweep with this config (W&B's local
    sweep scheduler launches it later); answers the run's id. No queue item is made
    (``runQueueItemId`` is ``null``): the sweep's scheduler, not a queue, owns the run."""
    operation = "enqueueSweepRun"
    ctx = context(info)
    pk = decode_row_id(input["id"], "Sweep", "id", operation)
    sweep = ctx.store.sweeps.get_by_pk(pk)
    project = ctx.readable(ctx.project(sweep.project_pk)) if sweep else None
    if sweep is None or project is None:
        raise NotFound(f"{operation}: no sweep has the id {input['id']!r}")
    ctx.require_write(ctx.required_entity(project.entity_pk), "enqueue sweep runs")
    config = input["config"]
    if not isinstance(config, dict):
        raise ClientError(f"{operation}: config must be a JSON object, got {config!r}")
    display_name = input.get("display_name")
    if display_name is not None:
        _text(display_name, "displayName", operation)
    with launch_rules(operation):
        run = ctx.store.runs.create(
            project.pk,
            user_pk=ctx.viewer.pk,
            display_name=display_name,
            state="pending",
            config=wrap_config(config),
            sweep_name=sweep.name,
        )
    return {"id": run.name, "run_queue_item_id": None}


def bindables() -> list[MutationType | ObjectType]:
    """``RunQueue.runQueueItems``/``runQueueItem``, the ``RunQueueItem`` type and the item
    mutations."""
    queue = ObjectType("RunQueue")
    queue.set_field("runQueueItems", resolve_queue_items)
    queue.set_field("runQueueItem", resolve_queue_item)
    item = ObjectType("RunQueueItem")
    item.set_field("id", lambda i, _: item_id(i))
    mutation = MutationType()
    mutation.set_field("pushToRunQueueByName", resolve_push_by_name)
    mutation.set_field("pushToRunQueue", resolve_push)
    mutation.set_field("popFromRunQueue", resolve_pop)
    mutation.set_field("ackRunQueueItem", resolve_ack)
    mutation.set_field("failRunQueueItem", resolve_fail)
    mutation.set_field("updateRunQueueItemWarning", resolve_warning)
    mutation.set_field("deleteFromRunQueue", resolve_delete_from_queue)
    mutation.set_field("enqueueSweepRun", resolve_enqueue_sweep_run)
    return [queue, item, mutation]
