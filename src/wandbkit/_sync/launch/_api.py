# Generated from src/wandbkit/_async/launch/_api.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The launch methods of the Api: run queues, queued runs and jobs. The launch package loads
on first use: importing the Api does not import it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import UsageError
from wandbkit._lang.launch import LAUNCH_DEFAULT_PROJECT
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._sync.context import ClientContext
    from wandbkit._sync.launch.jobs import Job
    from wandbkit._sync.launch.queued_run import QueuedRun
    from wandbkit._sync.launch.queues import RunQueue


class LaunchMethods:
    """The Api's launch methods (a part of ``Api``, which supplies the context)."""

    _ctx: ClientContext

    def create_run_queue(
        self,
        name: str,
        type: str,
        entity: str | None = None,
        prioritization_mode: str | None = None,
        config: dict[str, Any] | None = None,
        template_variables: dict[str, Any] | None = None,
    ) -> RunQueue:
        """Create a launch run queue (in the entity's ``model-registry`` project, which is
        created if missing) with a default resource config.

        Args:
            name: the queue's name (at most 64 characters).
            type: the resource its runs run on: ``"local-container"``, ``"local-process"``,
                ``"kubernetes"``, ``"sagemaker"`` or ``"gcp-vertex"``.
            entity: the owner; defaults to ``WANDB_ENTITY``, then the viewer's.
            prioritization_mode: ``"V0"`` to pop items most urgent first, or ``None``.
            config: the resource config; strings may hold ``{{variable}}`` fields.
            template_variables: the fields runs may set: ``{"gpus": {"schema": {"type":
                "integer", "minimum": 1, "default": 1}, "description": "..."}}`` (or the
                schema alone as the value).

        Raises:
            UsageError: a bad name, type, mode, config or variable (before any request).
            GraphQLError: the server refused (a queue of that name exists, ...).

        Example:
            >>> queue = api.create_run_queue("gpu", "kubernetes", config={"gpus": "{{gpus}}"},
            ...     template_variables={"gpus": {"type": "integer", "default": 1}})
        """
        from wandbkit._sync.launch.queues import create_run_queue

        return create_run_queue(
            self._ctx, name, type, entity, prioritization_mode, config, template_variables
        )

    def upsert_run_queue(
        self,
        name: str,
        resource_config: dict[str, Any],
        resource_type: str,
        entity: str | None = None,
        template_variables: dict[str, Any] | None = None,
        external_links: dict[str, str] | None = None,
        prioritization_mode: str | None = None,
    ) -> RunQueue:
        """Create a launch run queue, or replace an existing one's resource config, template
        variables, external links and prioritization.

        Args:
            name: the queue's name (at most 64 characters).
            resource_config: the resource config (``{{variable}}`` fields allowed).
            resource_type: as ``type`` of :meth:`create_run_queue`.
            entity: the owner; defaults to ``WANDB_ENTITY``, then the viewer's.
            template_variables: as in :meth:`create_run_queue`.
            external_links: ``{"label": "https://..."}``.
            prioritization_mode: ``"V0"`` or ``"DISABLED"`` (the default).

        Raises:
            UsageError: a bad argument (before any request).
        """
        from wandbkit._sync.launch.queues import upsert_run_queue

        return upsert_run_queue(
            self._ctx,
            name,
            resource_config,
            resource_type,
            entity,
            template_variables,
            external_links,
            prioritization_mode,
        )

    def run_queue(self, entity: str, name: str) -> RunQueue:
        """A lazy handle on the entity's run queue ``name`` (no request until a field needs
        the server).

        Raises:
            UsageError: ``entity`` or ``name`` is not a valid name.
        """
        from wandbkit._lang.launch import check_queue_name
        from wandbkit._sync.launch.queues import RunQueue
        from wandbkit._values.launch import checked

        check_name(entity, "entity")
        checked(check_queue_name, name, "name")
        return RunQueue(self._ctx, name, entity)

    def run_queues(self, entity: str, project: str = LAUNCH_DEFAULT_PROJECT) -> list[RunQueue]:
        """The run queues of an entity, oldest first, as lazy handles (each loads its fields
        on first need). A wandbkit extension: ``wandb.Api`` reads one queue by name only.

        Args:
            entity: the entity that owns the queues.
            project: the project that holds them (default ``"model-registry"``, where W&B
                keeps an entity's queues).

        Returns:
            The queues (``[]`` when the project does not exist or has none).

        Raises:
            UsageError: a malformed entity or project.

        Example:
            >>> [queue.name for queue in api.run_queues("demo-team")]  # doctest: +SKIP
            ['gpu-a100']
        """
        from wandbkit._sync.launch.queues import list_run_queues

        return list_run_queues(self._ctx, entity, project)

    def queued_run(
        self,
        entity: str,
        project: str,
        queue_name: str,
        run_queue_item_id: str,
        project_queue: str | None = None,
        priority: int | None = None,
    ) -> QueuedRun:
        """A handle on an item of a run queue (no request).

        Args:
            entity: the entity of the queue and the run.
            project: where the run logs.
            queue_name: the queue.
            run_queue_item_id: the item's id (what enqueueing returned).
            project_queue: the project holding the queue (default ``"model-registry"``).
            priority: the priority it was pushed with, if known.

        Raises:
            UsageError: a malformed argument.
        """
        from wandbkit._sync.launch.queued_run import QueuedRun

        check_name(entity, "entity")
        check_name(project, "project")
        if project_queue is not None:
            check_name(project_queue, "project_queue")
        if not isinstance(queue_name, str) or not queue_name:
            raise UsageError(f"queue_name must be a non-empty string, got {queue_name!r}")
        if not isinstance(run_queue_item_id, str) or not run_queue_item_id:
            raise UsageError(
                f"run_queue_item_id must be a non-empty string, got {run_queue_item_id!r}"
            )
        return QueuedRun(
            self._ctx, entity, project, queue_name, run_queue_item_id, project_queue, priority
        )

    def job(self, name: str | None, path: str | None = None) -> Job:
        """A launch job, ``entity/project/job-name:alias``, its artifact downloaded.

        Args:
            name: the job's full name.
            path: where to download its files (default: the artifact's download directory).

        Raises:
            UsageError: a malformed name.
            NotFoundError: no such job, or its artifact has no ``wandb-job.json``.
        """
        from wandbkit._sync.launch.jobs import fetch_job

        return fetch_job(self._ctx, name, path)

    def list_jobs(self, entity: str, project: str) -> list[dict[str, Any]]:
        """The job artifacts of ``entity/project``, one dict per job with its versions, as
        ``wandb`` returns them (``[]`` if the project is missing or has none).

        Raises:
            UsageError: a missing or malformed entity or project.
        """
        from wandbkit._sync.launch.jobs import list_jobs

        return list_jobs(self._ctx, entity, project)
