"""Launch run queues: ``Project.runQueue(s)``, ``Entity.defaultResourceConfig`` and the
mutations that make and remove queues and their default resource configs.

Who may do what: an entity's queues, their items and its resource configs are its members'
business. Anyone else sees no queue (``null``, ``[]``), as if there were none, even in a public
project, and every mutation on them is refused with ``PERMISSION_DENIED``. The items' own
mutations (push, pop, acknowledge, fail) are in :mod:`wandbkit.server.resolvers.launch_items`.

The rules for names, resource types, template variables and their values are
:mod:`wandbkit._lang.launch`, the same the client checks before it sends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from ariadne import MutationType, ObjectType
from graphql import GraphQLResolveInfo

from wandbkit._lang.launch import (
    ACCESS_TYPES,
    PRIORITIZATION_MODES,
    LaunchSpecError,
    check_queue_name,
    check_resource_type,
    template_fields,
    template_variables,
)
from wandbkit.server.ids import InvalidIdError, decode_int_id, encode_id
from wandbkit.server.resolvers.common import (
    MAX_PAGE_SIZE,
    ClientError,
    NotFound,
    RequestContext,
    context,
    non_null,
)
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.store import (
    EntityRow,
    ProjectRow,
    ResourceConfigRow,
    RunQueueRow,
)

T = TypeVar("T")

# -- shared by the item mutations -------------------------------------------------------------


@contextmanager
def launch_rules(operation: str) -> Iterator[None]:
    """Turn a refusal of the launch rules (and the store's) into a ``ClientError``."""
    try:
        with client_errors(operation):
            yield
    except LaunchSpecError as exc:
        raise ClientError(f"{operation}: {exc}") from None


def member_entity(ctx: RequestContext, name: str, operation: str) -> EntityRow:
    """The entity called ``name``, whose queues the viewer may work.

    Raises:
        NotFound: no such entity.
        PermissionDenied: the viewer is not a member.
    """
    entity = ctx.store.entities.get(name) if name else None
    if entity is None:
        raise NotFound(f"{operation}: entity {name!r} not found")
    ctx.require_write(entity, f"use the run queues ({operation})")
    return entity


def member_queue(
    ctx: RequestContext, entity_name: str, project_name: str, queue_name: str, operation: str
) -> RunQueueRow:
    """The queue ``entity/project/queue``, which the viewer may work.

    Raises:
        NotFound: no such entity, project or queue.
        PermissionDenied: the viewer is not a member of the entity.
    """
    entity = member_entity(ctx, entity_name, operation)
    project = ctx.readable(ctx.store.projects.get(entity.pk, project_name or ""))
    queue = ctx.store.launch.get_queue(project.pk, queue_name) if project else None
    if queue is None:
        raise NotFound(
            f"{operation}: run queue {entity.name}/{project_name}/{queue_name} not found"
        )
    return queue


def queue_entity(ctx: RequestContext, queue: RunQueueRow) -> EntityRow:
    """The entity a queue belongs to (through its project)."""
    project = ctx.project(queue.project_pk)
    assert project is not None  # queues go with their project (foreign key)
    return ctx.required_entity(project.entity_pk)


def require_queue_member(ctx: RequestContext, queue: RunQueueRow, operation: str) -> None:
    """Refuse unless the viewer is a member of the queue's entity who may read its project
    (a restricted registry's queues are its members' alone).

    Raises:
        PermissionDenied: the viewer is not a member of the entity.
        NotFound: the viewer may not read the queue's project.
    """
    ctx.require_write(queue_entity(ctx, queue), f"use the run queues ({operation})")
    if ctx.readable(ctx.project(queue.project_pk)) is None:
        raise NotFound(f"{operation}: no run queue has the id {encode_id('RunQueue', queue.pk)!r}")


def decode_row_id(value: object, type_name: str, argument: str, operation: str) -> int:
    """The row id of an opaque id of ``type_name``.

    Raises:
        ClientError: not such an id, naming ``argument``.
    """
    try:
        if not isinstance(value, str):
            raise InvalidIdError("not a string")
        return decode_int_id(value, type_name)
    except InvalidIdError:
        raise ClientError(f"{operation}: {argument} is not a {type_name} id: {value!r}") from None


def _choice(value: Any, allowed: tuple[str, ...], argument: str, operation: str) -> str:
    if value not in allowed:
        raise ClientError(f"{operation}: {argument} must be one of {list(allowed)}, got {value!r}")
    assert isinstance(value, str)
    return value


def _object(value: Any, argument: str, operation: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ClientError(f"{operation}: {argument} must be a JSON object, got {value!r}")
    return value


# -- Query ----------------------------------------------------------------------------------


def _readable_queues(
    ctx: RequestContext, project: ProjectRow, load: Callable[[], T], empty: T
) -> T:
    # Queues are their entity's members' business, whatever the project's access.
    return load() if ctx.can_write(ctx.required_entity(project.entity_pk)) else empty


def resolve_project_run_queues(project: ProjectRow, info: GraphQLResolveInfo) -> list[RunQueueRow]:
    """The project's queues, oldest first (``[]`` for anyone but the entity's members); the
    list has no pages, so it stops at :data:`MAX_PAGE_SIZE` queues."""
    ctx = context(info)
    return _readable_queues(
        ctx, project, lambda: ctx.store.launch.queues_of(project.pk, limit=MAX_PAGE_SIZE), []
    )


def resolve_project_run_queue(
    project: ProjectRow, info: GraphQLResolveInfo, *, name: str
) -> RunQueueRow | None:
    """The project's queue called ``name`` (``null`` for anyone but the entity's members)."""
    ctx = context(info)
    return _readable_queues(
        ctx, project, lambda: ctx.store.launch.get_queue(project.pk, name), None
    )


def resolve_entity_default_resource_config(
    entity: EntityRow, info: GraphQLResolveInfo, *, id: str
) -> ResourceConfigRow | None:
    """The entity's default resource config with this id (``null`` for others, or a bad id)."""
    ctx = context(info)
    if not ctx.can_write(entity):
        return None
    try:
        pk = decode_int_id(id, "DefaultResourceConfig")
    except InvalidIdError:
        return None
    config = ctx.store.launch.get_config(pk)
    return config if config is not None and config.entity_pk == entity.pk else None


def resolve_config_id(config: ResourceConfigRow, _: GraphQLResolveInfo) -> str:
    return encode_id("DefaultResourceConfig", config.pk)


def resolve_queue_id(queue: RunQueueRow, _: GraphQLResolveInfo) -> str:
    return encode_id("RunQueue", queue.pk)


def resolve_queue_config_id(queue: RunQueueRow, _: GraphQLResolveInfo) -> str | None:
    return None if queue.config_pk is None else encode_id("DefaultResourceConfig", queue.config_pk)


# -- Mutation: resource configs and queues ----------------------------------------------------


def _config_input(
    resource: Any, config: Any, variables: Any, operation: str
) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    with launch_rules(operation):
        checked = check_resource_type(resource, "resource")
        return (
            checked,
            _object(config, "config", operation),
            template_variables(variables, "templateVariables"),
        )


def resolve_create_default_resource_config(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Save an entity's default resource config; answers its id."""
    operation = "createDefaultResourceConfig"
    ctx = context(info)
    entity = member_entity(ctx, input["entity_name"], operation)
    resource, config, variables = _config_input(
        input["resource"], input["config"], input.get("template_variables"), operation
    )
    row = ctx.store.launch.create_config(entity.pk, resource, config, variables)
    return {
        "success": True,
        "default_resource_config_id": encode_id("DefaultResourceConfig", row.pk),
    }


def _queue_project(ctx: RequestContext, entity: EntityRow, name: str, operation: str) -> ProjectRow:
    """The project a queue goes in, created if the entity has none of that name (W&B keeps
    queues in ``model-registry``, which the official client creates first)."""
    with launch_rules(operation):
        project, _ = ctx.store.projects.upsert(entity.pk, name, creator_pk=ctx.viewer.pk)
    if not ctx.can_read(project):  # a restricted registry the viewer is not a member of
        raise NotFound(f"{operation}: project {entity.name}/{name} not found")
    return project


def _own_config(ctx: RequestContext, entity: EntityRow, value: Any, operation: str) -> int | None:
    if value is None:
        return None
    pk = decode_row_id(value, "DefaultResourceConfig", "defaultResourceConfigID", operation)
    config = ctx.store.launch.get_config(pk)
    if config is None or config.entity_pk != entity.pk:
        raise NotFound(f"{operation}: entity {entity.name!r} has no such default resource config")
    return pk


def resolve_create_run_queue(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Create a queue in ``entityName/projectName``; answers its id."""
    operation = "createRunQueue"
    ctx = context(info)
    entity = member_entity(ctx, input["entity_name"], operation)
    with launch_rules(operation):
        name = check_queue_name(input["queue_name"], "queueName")
    access = _choice(input["access"], ACCESS_TYPES, "access", operation)
    mode = _choice(
        input.get("prioritization_mode") or "DISABLED",
        PRIORITIZATION_MODES,
        "prioritizationMode",
        operation,
    )
    config_pk = _own_config(ctx, entity, input.get("default_resource_config_id"), operation)
    project = _queue_project(ctx, entity, input["project_name"], operation)
    with launch_rules(operation):
        queue = ctx.store.launch.create_queue(
            project.pk,
            name,
            access=access,
            prioritization_mode=mode,
            creator_pk=ctx.viewer.pk,
            config_pk=config_pk,
        )
    return {"success": True, "queue_id": encode_id("RunQueue", queue.pk)}


def resolve_upsert_run_queue(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Create a queue with its resource config, or replace an existing queue's config,
    template variables, prioritization and external links.

    ``configSchemaValidationErrors`` lists the config's ``{{fields}}`` that no template
    variable defines (the queue is saved all the same, as W&B does).
    """
    operation = "upsertRunQueue"
    ctx = context(info)
    entity = member_entity(ctx, input["entity_name"], operation)
    with launch_rules(operation):
        name = check_queue_name(input["queue_name"], "queueName")
    resource, config, variables = _config_input(
        input["resource_type"], input["resource_config"], input.get("template_variables"), operation
    )
    mode = input.get("prioritization_mode")
    if mode is not None:
        mode = _choice(mode, PRIORITIZATION_MODES, "prioritizationMode", operation)
    links = input.get("external_links")
    if links is not None:
        _object(links, "externalLinks", operation)
    project = _queue_project(ctx, entity, input["project_name"], operation)
    store = ctx.store.launch
    queue = store.get_queue(project.pk, name)
    if queue is not None and queue.config_pk is not None:
        store.update_config(queue.config_pk, resource, config, variables)
        store.update_queue(queue.pk, prioritization_mode=mode, external_links=links)
    else:
        row = store.create_config(entity.pk, resource, config, variables)
        if queue is None:
            store.create_queue(
                project.pk,
                name,
                access="PROJECT",
                prioritization_mode=mode or "DISABLED",
                creator_pk=ctx.viewer.pk,
                config_pk=row.pk,
                external_links=links,
            )
        else:
            store.update_queue(
                queue.pk, config_pk=row.pk, prioritization_mode=mode, external_links=links
            )
    undefined = sorted(template_fields(config) - {v["name"] for v in variables})
    return {
        "success": True,
        "config_schema_validation_errors": [
            f"template field {{{{{field}}}}} has no template variable" for field in undefined
        ],
    }


def resolve_delete_run_queues(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> dict[str, Any]:
    """Delete queues (with their items); every one must exist and be the viewer's to delete."""
    operation = "deleteRunQueues"
    ctx = context(info)
    queues = []
    for value in non_null(input.get("queue_i_ds")):
        pk = decode_row_id(value, "RunQueue", "queueIDs", operation)
        queue = ctx.store.launch.get_queue_by_pk(pk)
        project = ctx.readable(ctx.project(queue.project_pk)) if queue else None
        if queue is None or project is None or not ctx.can_write(queue_entity(ctx, queue)):
            raise NotFound(f"{operation}: no run queue has the id {value!r}")
        queues.append(queue)
    for queue in queues:
        ctx.store.launch.delete_queue(queue.pk)
    return {"success": True}


def bindables() -> list[MutationType | ObjectType]:
    """Queue reads on Project and Entity, the RunQueue and DefaultResourceConfig types, and
    the queue mutations."""
    project = ObjectType("Project")
    # Replaces the projects domain's fixed ``runQueues: []``.
    project.set_field("runQueues", resolve_project_run_queues)
    project.set_field("runQueue", resolve_project_run_queue)
    entity = ObjectType("Entity")
    entity.set_field("defaultResourceConfig", resolve_entity_default_resource_config)
    queue = ObjectType("RunQueue")
    queue.set_field("id", resolve_queue_id)
    queue.set_field("createdBy", lambda q, _: q.creator_pk)
    queue.set_field("defaultResourceConfigID", resolve_queue_config_id)
    config = ObjectType("DefaultResourceConfig")
    config.set_field("id", resolve_config_id)
    mutation = MutationType()
    mutation.set_field("createDefaultResourceConfig", resolve_create_default_resource_config)
    mutation.set_field("createRunQueue", resolve_create_run_queue)
    mutation.set_field("upsertRunQueue", resolve_upsert_run_queue)
    mutation.set_field("deleteRunQueues", resolve_delete_run_queues)
    return [project, entity, queue, config, mutation]
