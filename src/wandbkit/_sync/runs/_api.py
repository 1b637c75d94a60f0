# Generated from src/wandbkit/_async/runs/_api.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The runs methods of the Api: ``runs()``, ``run()`` and ``create_run()``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import UsageError
from wandbkit._sync.runs.fields import heavy_of
from wandbkit._sync.runs.listing import Runs
from wandbkit._sync.runs.run import Run, SweepLoader, fetch_run
from wandbkit.paths import check_name, parse_project_path, parse_run_path

if TYPE_CHECKING:
    from wandbkit._core.retry import RetryPolicy
    from wandbkit._sync.context import ClientContext
    from wandbkit._sync.runs.writer import RunWriter


class RunsMethods:
    """The Api's runs methods (a part of ``Api``, which supplies the context and the loader)."""

    _ctx: ClientContext
    _load_sweep: SweepLoader

    def _project_of(self, path: str | None, argument: str = "path") -> tuple[str | None, str]:
        if path is None or path == "":
            if self._ctx.settings.project is None:
                raise UsageError(
                    f"{argument} is required: pass 'entity/project' or set WANDB_PROJECT"
                )
            return self._ctx.settings.entity, self._ctx.settings.project
        parsed = parse_project_path(path, argument=argument)
        return parsed.entity, str(parsed.project)

    def runs(
        self,
        path: str | None = None,
        filters: Mapping[str, Any] | None = None,
        order: str = "+created_at",
        per_page: int = 50,
        include_sweeps: bool = False,
        lazy: bool = True,
        *,
        config_keys: list[str] | None = None,
        summary_keys: list[str] | None = None,
        start: str | None = None,
    ) -> Runs:
        """The runs of a project, lazily, page by page (nothing is sent until you iterate).

        Args:
            path: ``entity/project`` or ``project`` (default entity); default ``WANDB_PROJECT``.
            filters: MongoDB-style filters, checked before any request, e.g.
                ``{"state": "finished", "config.lr": {"$gt": 1e-3}}``.
            order: ``[+|-]`` then ``created_at``, ``heartbeat_at``, ``name``,
                ``config.<key>`` or ``summary_metrics.<key>``.
            per_page: runs per request.
            include_sweeps: load each listed run's sweep with its page (one request per
                sweep per listing), so ``run.sweep`` needs no request of its own.
            lazy: list the light fields only; config/summary load per page on first need.
            config_keys: load only these config keys (server-side selection).
            summary_keys: load only these summary keys (server-side selection).
            start: a ``cursor`` from an earlier ``Runs``, to resume from.

        Example:
            >>> for run in api.runs("team/proj", {"state": "finished"}, "-summary_metrics.acc"):
            ...     print(run.name, run.summary["acc"])
        """
        entity, project = self._project_of(path)
        return Runs(
            self._ctx,
            entity,
            project,
            load_sweep=self._load_sweep,
            filters=filters,
            order=order,
            per_page=per_page,
            lazy=lazy,
            include_sweeps=include_sweeps,
            config_keys=config_keys,
            summary_keys=summary_keys,
            start=start,
        )

    def run(self, path: str = "") -> Run:
        """One run with every field loaded.

        Args:
            path: ``entity/project/run_id`` (also ``entity/project/runs/run_id``, an app URL,
                ``project/run_id`` or ``run_id`` with the default entity and project).

        Raises:
            UsageError: the path is malformed.
            NotFoundError: no such run.
        """
        parsed = parse_run_path(path)
        project = parsed.project or self._ctx.settings.project
        if project is None:
            raise UsageError(
                f"path {path!r} names no project: use 'entity/project/run_id' or set WANDB_PROJECT"
            )
        entity = self._ctx.resolve_entity(parsed.entity)
        return fetch_run(self._ctx, entity, project, str(parsed.id), self._load_sweep)

    def create_run(
        self,
        *,
        run_id: str | None = None,
        project: str | None = None,
        entity: str | None = None,
    ) -> Run:
        """Create a run (state ``running``) and return it.

        Args:
            run_id: the new run's id; the server picks one when omitted.
            project: the project; default ``WANDB_PROJECT``, else ``uncategorized``.
            entity: the entity; default ``WANDB_ENTITY``, else the viewer's.
        """
        from wandbkit._generated.input_types import UpsertBucketInput

        if run_id is not None:
            check_name(run_id, "run_id")
        project = check_name(project or self._ctx.settings.project or "uncategorized", "project")
        owner = self._ctx.resolve_entity(
            check_name(entity, "entity") if entity is not None else None
        )
        values: dict[str, Any] = {"model_name": project, "entity_name": owner}
        if run_id is not None:
            values["name"] = run_id
        result = self._ctx.client.upsert_run(input=UpsertBucketInput(**values))
        bucket = result.upsert_bucket.bucket if result.upsert_bucket is not None else None
        if bucket is None:
            raise UsageError(f"the server did not create a run in '{owner}/{project}'")
        # bucket is RunLightFields and RunHeavyFields: the run comes with every field.
        return Run(
            self._ctx, owner, project, bucket, load_sweep=self._load_sweep, heavy=heavy_of(bucket)
        )

    def write_run(
        self,
        *,
        project: str | None = None,
        entity: str | None = None,
        run_id: str | None = None,
        config: Mapping[str, Any] | None = None,
        name: str | None = None,
        notes: str | None = None,
        tags: Sequence[str] | None = None,
        group: str | None = None,
        job_type: str | None = None,
        resume: bool = False,
        max_rows: int = 5000,
        flush_every: float = 5.0,
        retry: RetryPolicy | None = None,
    ) -> RunWriter:
        """A writer for a new run (or, with ``resume``, an existing one): use it as a context
        manager that logs history, summary, config, console output and files through the same
        endpoints as the official SDK, and ends the run ``finished`` (``failed`` when the block
        raises). Nothing is sent until the block is entered.

        Args:
            project: the project; default ``WANDB_PROJECT``, else ``uncategorized``.
            entity: the entity; default ``WANDB_ENTITY``, else the viewer's.
            run_id: the run's id (default: the server picks one).
            config: the run's config (plain values; sent in W&B's ``{"k": {"value": v}}`` form).
            name: the display name.
            notes: the run's notes.
            tags: the run's tags.
            group: the run's group.
            job_type: the run's job type.
            resume: continue the run ``run_id`` if it exists (its history, console lines,
                summary and config); without it an existing ``run_id`` is a ``UsageError``.
            max_rows: send once this many history rows wait.
            flush_every: send at the first call this many seconds after the last send.
            retry: how a ``file_stream`` request is retried (default: like wandb-core, for up to
                15 minutes; chunks carry line offsets, so a re-sent one is not stored twice).

        Example:
            >>> with api.write_run(project="mnist", config={"lr": 0.1}) as run:  # doctest: +SKIP
            ...     run.log({"loss": 0.5})
            ...     run.summary["best"] = 0.5
        """
        from wandbkit._sync.runs.writer import RunWriter

        return RunWriter(
            self._ctx,
            self._load_sweep,
            project=project or self._ctx.settings.project or "uncategorized",
            entity=entity if entity is not None else self._ctx.settings.entity,
            run_id=run_id,
            config=config,
            name=name,
            notes=notes,
            tags=tags,
            group=group,
            job_type=job_type,
            resume=resume,
            max_rows=max_rows,
            flush_every=flush_every,
            retry=retry,
        )

    def sync_tensorboard(
        self,
        root_dir: str | Path,
        run_id: str | None = None,
        project: str | None = None,
        entity: str | None = None,
    ) -> Run:
        """Write the TensorBoard scalars under ``root_dir`` as a new run's history.

        Every event file below ``root_dir`` is read (TensorBoard's own reader: install
        ``wandbkit[tensorboard]``); tags of files in sub-directories are prefixed with the
        directory (``train/loss``). One row per TensorBoard step, with ``global_step``.

        Args:
            root_dir: a TensorBoard log directory (or one event file).
            run_id: the new run's id (default: the server picks one).
            project: the project; default ``WANDB_PROJECT``, else ``uncategorized``.
            entity: the entity; default ``WANDB_ENTITY``, else the viewer's.

        Returns:
            The run, finished, with every field loaded.

        Raises:
            UsageError: no event files, ``tensorboard`` not installed, or an existing
                ``run_id`` (checked before any history is sent).
        """
        from wandbkit._sync.runs.tensorboard import sync_tensorboard

        return sync_tensorboard(
            self._ctx,
            self._load_sweep,
            root_dir,
            run_id=run_id,
            project=project or self._ctx.settings.project or "uncategorized",
            entity=entity if entity is not None else self._ctx.settings.entity,
        )
