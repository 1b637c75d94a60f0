"""``RunQueue``: a launch queue of an entity, its default resource config and its items; and
the functions that create, upsert and push to queues (``Api.create_run_queue``,
``Api.upsert_run_queue``, ``Job.call``)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from wandbkit._async.launch.queued_run import AsyncQueuedRun
from wandbkit._async.lazy import LazyRecord
from wandbkit._core.errors import APIError, GraphQLError, NotFoundError, UsageError
from wandbkit._core.flavor_async import MaybeAwaitable
from wandbkit._html import HtmlSummary
from wandbkit._lang.launch import (
    LAUNCH_DEFAULT_PROJECT,
    check_priority,
    check_queue_name,
    check_resource_type,
    template_variables,
)
from wandbkit._values.launch import checked, external_links_value
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext
    from wandbkit._generated.fragments import RunQueueFields
    from wandbkit._generated.get_default_resource_config import (
        GetDefaultResourceConfigEntityDefaultResourceConfig as ResourceConfig,
    )

#: ``RunQueue.items`` lists at most this many, as ``wandb`` does.
QUEUE_ITEMS_LIMIT = 100


@dataclass(frozen=True)
class QueueFields:
    """What ``RunQueue.load()`` fetches: the queue and its default resource config."""

    queue: RunQueueFields
    config: ResourceConfig | None


def check_prioritization_mode(mode: object, allowed: tuple[str, ...]) -> str | None:
    """``mode`` upper-cased, if it is one of ``allowed`` (``None`` passes)."""
    if mode is None:
        return None
    if not isinstance(mode, str) or mode.upper() not in allowed:
        raise UsageError(
            f"prioritization_mode must be one of {list(allowed)} or None, got {mode!r}"
        )
    return mode.upper()


class AsyncRunQueue(LazyRecord[QueueFields]):
    """A launch run queue of ``entity`` (in its ``model-registry`` project).

    ``name``, ``entity`` and ``project`` need no request; the other fields load together on
    first need (``await queue.load()`` first in async).

    Attributes:
        name: the queue's name.
        entity: the entity that owns it.
        project: the project that holds it (``"model-registry"``, where W&B keeps queues).
    """

    def __init__(
        self, ctx: ClientContext, name: str, entity: str, project: str = LAUNCH_DEFAULT_PROJECT
    ) -> None:
        super().__init__()
        self._ctx = ctx
        self.name = name
        self.entity = entity
        self.project = project

    async def _fetch(self) -> QueueFields:
        result = await self._ctx.client.get_run_queue(
            entity=self.entity, project=self.project, name=self.name
        )
        queue = result.project.run_queue if result.project is not None else None
        if queue is None:
            raise NotFoundError(
                f"run queue '{self.entity}/{self.name}' not found", operation_name="GetRunQueue"
            )
        config = None
        if queue.default_resource_config_id is not None:
            found = await self._ctx.client.get_default_resource_config(
                entity=self.entity, id=queue.default_resource_config_id
            )
            config = found.entity.default_resource_config if found.entity is not None else None
        return QueueFields(queue, config)

    def _not_loaded(self) -> str:
        return f"run queue {self.entity}/{self.name} is not loaded: await queue.load() first"

    @property
    def id(self) -> str:
        """The queue's id."""
        return self._require().queue.id

    @property
    def access(self) -> str:
        """``"PROJECT"`` or ``"USER"``."""
        return self._require().queue.access.value

    @property
    def prioritization_mode(self) -> str:
        """``"V0"`` (items pop most urgent first) or ``"DISABLED"`` (in order of arrival)."""
        return self._require().queue.prioritization_mode.value

    @property
    def external_links(self) -> Any:
        """The queue's links, as the server keeps them: ``{"links": [{"label", "url"}]}``
        (``None`` when it has none)."""
        return self._require().queue.external_links

    @property
    def created_at(self) -> datetime:
        """When the queue was created."""
        return self._require().queue.created_at

    @property
    def type(self) -> str | None:
        """The resource its runs run on (``"kubernetes"``, ...); ``None`` without a config."""
        config = self._require().config
        return config.resource if config is not None else None

    @property
    def default_resource_config(self) -> dict[str, Any]:
        """The default resource config, ``{"resource_args": {<type>: {...}}}`` (``{}`` without
        one), its ``{{fields}}`` unfilled."""
        config = self._require().config
        return dict(config.config or {}) if config is not None else {}

    @property
    def template_variables(self) -> list[dict[str, Any]]:
        """The config's template variables: ``[{"name", "description", "schema"}]``, the schema
        parsed (``wandb`` hands it out as JSON text)."""
        config = self._require().config
        if config is None:
            return []
        return [
            {"name": v.name, "description": v.description, "schema": v.schema_}
            for v in config.template_variables
        ]

    @property
    def items(self) -> MaybeAwaitable[list[AsyncQueuedRun]]:
        """The first 100 items, oldest first, whatever their state (``await queue.items`` in
        async); a snapshot: changing the list changes no queue."""
        return self.get_items()

    async def get_items(self) -> list[AsyncQueuedRun]:
        """The first 100 items of the queue, read from the server.

        Each item's ``project`` is where its run will log (the ``project`` of its launch spec;
        ``wandb`` puts ``"model-registry"`` there).

        Raises:
            NotFoundError: no such queue.
        """
        result = await self._ctx.client.get_run_queue_items(
            entity=self.entity,
            project=self.project,
            queue=self.name,
            first=QUEUE_ITEMS_LIMIT,
        )
        queue = result.project.run_queue if result.project is not None else None
        if queue is None:
            raise NotFoundError(
                f"run queue '{self.entity}/{self.name}' not found",
                operation_name="GetRunQueueItems",
            )
        items = []
        for edge in queue.run_queue_items.edges:
            spec = edge.node.run_spec if isinstance(edge.node.run_spec, dict) else {}
            project = spec.get("project")
            items.append(
                AsyncQueuedRun(
                    self._ctx,
                    self.entity,
                    project if isinstance(project, str) and project else LAUNCH_DEFAULT_PROJECT,
                    self.name,
                    edge.node.id,
                    self.project,
                    edge.node.priority,
                )
            )
        return items

    async def delete(self) -> None:
        """Delete the queue and every item in it.

        Raises:
            NotFoundError: no such queue.
            APIError: the server did not delete it.
        """
        await self.load()
        result = await self._ctx.client.delete_run_queues(ids=[self.id])
        if result.delete_run_queues is None or not result.delete_run_queues.success:
            raise APIError(f"failed to delete run queue {self.name!r}")
        self._fields = None

    @classmethod
    async def create(
        cls,
        name: str,
        resource: str,
        entity: str | None = None,
        prioritization_mode: str | None = None,
        config: dict[str, Any] | None = None,
        template_variables: dict[str, Any] | None = None,
    ) -> AsyncRunQueue:
        """Create a queue with a client configured from the environment, as ``wandb``'s
        ``RunQueue.create`` does (``Api().create_run_queue(...)``)."""
        from wandbkit._async.context import ClientContext
        from wandbkit._core.config import resolve_settings

        ctx = ClientContext(resolve_settings())
        return await create_run_queue(
            ctx, name, resource, entity, prioritization_mode, config, template_variables
        )

    def __repr__(self) -> str:
        loaded = self._fields
        if loaded is None:
            return f"<RunQueue {self.entity}/{self.name}>"
        kind = loaded.config.resource if loaded.config is not None else "no config"
        return f"<RunQueue {self.entity}/{self.name} ({kind}, {self.prioritization_mode})>"

    def _html_summary(self) -> HtmlSummary:
        fields: dict[str, Any] = {"project": self.project}
        if self._fields is not None:
            fields |= {
                "type": self.type,
                "prioritization": self.prioritization_mode,
                "access": self.access,
                "template variables": [v["name"] for v in self.template_variables],
                "created": self.created_at,
            }
        return HtmlSummary("RunQueue", f"{self.entity}/{self.name}", fields)


async def list_run_queues(ctx: ClientContext, entity: str, project: str) -> list[AsyncRunQueue]:
    """``Api.run_queues``: the queues of ``entity/project``, oldest first, each a lazy
    handle (``[]`` when the project does not exist or has none)."""
    check_name(entity, "entity")
    check_name(project, "project")
    result = await ctx.client.get_project_run_queues(entity=entity, project=project)
    if result.project is None:
        return []
    return [AsyncRunQueue(ctx, queue.name, entity, project) for queue in result.project.run_queues]


async def _ensure_launch_project(ctx: ClientContext, entity: str) -> None:
    from wandbkit._generated.input_types import UpsertModelInput

    await ctx.client.create_project(
        input=UpsertModelInput(name=LAUNCH_DEFAULT_PROJECT, entity_name=entity)
    )


async def create_run_queue(
    ctx: ClientContext,
    name: str,
    type: str,
    entity: str | None,
    prioritization_mode: str | None,
    config: dict[str, Any] | None,
    template_variables_: dict[str, Any] | None,
) -> AsyncRunQueue:
    """``Api.create_run_queue``: the launch project, a default resource config, the queue."""
    from wandbkit._generated.enums import RunQueueAccessType, RunQueuePrioritizationMode

    checked(check_queue_name, name, "name")
    checked(check_resource_type, type, "type")
    mode = check_prioritization_mode(prioritization_mode, ("V0",))
    if config is not None and not isinstance(config, Mapping):
        raise UsageError(f"config must be a dict, got {type_name(config)}")
    checked(template_variables, template_variables_, "template_variables")
    if entity is not None:
        check_name(entity, "entity")
    owner = await ctx.resolve_entity(entity)
    await _ensure_launch_project(ctx, owner)
    made = await ctx.client.create_default_resource_config(
        entity=owner,
        resource=type,
        config={"resource_args": {type: dict(config or {})}},
        template_variables=dict(template_variables_ or {}),
    )
    if (
        made.create_default_resource_config is None
        or not made.create_default_resource_config.success
    ):
        raise APIError("failed to create default resource config")
    result = await ctx.client.create_run_queue(
        entity=owner,
        project=LAUNCH_DEFAULT_PROJECT,
        queue_name=name,
        access=RunQueueAccessType.PROJECT,
        prioritization_mode=RunQueuePrioritizationMode(mode) if mode else None,
        default_resource_config_id=made.create_default_resource_config.default_resource_config_id,
    )
    if result.create_run_queue is None or not result.create_run_queue.success:
        raise APIError(f"failed to create run queue {name!r}")
    return AsyncRunQueue(ctx, name, owner)


async def upsert_run_queue(
    ctx: ClientContext,
    name: str,
    resource_config: dict[str, Any],
    resource_type: str,
    entity: str | None,
    template_variables_: dict[str, Any] | None,
    external_links: dict[str, str] | None,
    prioritization_mode: str | None,
) -> AsyncRunQueue:
    """``Api.upsert_run_queue``: the launch project, then the queue created or replaced."""
    from wandbkit._generated.enums import RunQueuePrioritizationMode

    checked(check_queue_name, name, "name")
    checked(check_resource_type, resource_type, "resource_type")
    if not isinstance(resource_config, Mapping):
        raise UsageError(f"resource_config must be a dict, got {type_name(resource_config)}")
    mode = check_prioritization_mode(prioritization_mode or "DISABLED", ("V0", "DISABLED"))
    variables = checked(template_variables, template_variables_, "template_variables")
    links = external_links_value(external_links)
    if entity is not None:
        check_name(entity, "entity")
    owner = await ctx.resolve_entity(entity)
    await _ensure_launch_project(ctx, owner)
    result = await ctx.client.upsert_run_queue(
        entity=owner,
        project=LAUNCH_DEFAULT_PROJECT,
        queue_name=name,
        resource_type=resource_type,
        resource_config={"resource_args": {resource_type: dict(resource_config)}},
        template_variables=dict(template_variables_ or {}) if variables else None,
        prioritization_mode=RunQueuePrioritizationMode(mode) if mode else None,
        external_links=links if links["links"] else None,
    )
    if result.upsert_run_queue is None or not result.upsert_run_queue.success:
        raise APIError(f"failed to create run queue {name!r}")
    return AsyncRunQueue(ctx, name, owner)


def check_push(
    queue_name: str, project_queue: str, template_variables_: object, priority: object
) -> None:
    """Check what a push names before any request.

    Raises:
        UsageError: a bad queue or project name, template values that are not a dict, a
            priority out of range.
    """
    checked(check_queue_name, queue_name, "queue")
    check_name(project_queue, "project_queue")
    if priority is not None:
        checked(check_priority, priority, "priority")
    if template_variables_ is not None and not isinstance(template_variables_, Mapping):
        raise UsageError(f"template_variables must be a dict, got {type_name(template_variables_)}")


async def push_to_queue(
    ctx: ClientContext,
    spec: dict[str, Any],
    *,
    queue_name: str,
    project_queue: str,
    template_variables_: dict[str, Any] | None,
    priority: int | None,
) -> AsyncQueuedRun:
    """Push a launch spec onto ``spec["entity"]/project_queue/queue_name``, as
    ``wandb.sdk.launch``'s ``push_to_run_queue_by_name``; a missing queue called ``default``
    is created first, as the official client's fallback does."""
    from wandbkit._generated.enums import RunQueueAccessType

    check_push(queue_name, project_queue, template_variables_, priority)
    entity = spec["entity"]

    async def push() -> Any:
        return await ctx.client.push_to_run_queue_by_name(
            entity=entity,
            project=project_queue,
            queue_name=queue_name,
            run_spec=spec,
            priority=priority,
            template_variable_values=(
                dict(template_variables_) if template_variables_ is not None else None
            ),
        )

    try:
        result = await push()
    except GraphQLError as exc:
        if queue_name != "default" or not _says_not_found(exc):
            raise
        await ctx.client.create_run_queue(
            entity=entity,
            project=project_queue,
            queue_name=queue_name,
            access=RunQueueAccessType.PROJECT,
        )
        result = await push()
    pushed = result.push_to_run_queue_by_name
    if pushed is None:
        raise APIError(f"the server added nothing to run queue {queue_name!r}")
    return AsyncQueuedRun(
        ctx, entity, spec["project"], queue_name, pushed.run_queue_item_id, project_queue, priority
    )


def _says_not_found(exc: GraphQLError) -> bool:
    return any(
        isinstance(error.get("extensions"), dict) and error["extensions"].get("code") == "NOT_FOUND"
        for error in exc.errors
    )


def type_name(value: object) -> str:
    """The type of a refused argument, for messages."""
    return type(value).__name__
