"""Runs: a lazy paginator over a project's runs, and the typed ``Run``."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wandbkit._async.context import AsyncClientHolder
from wandbkit._async.files import AsyncFile, AsyncFiles, find_file, upload_run_file
from wandbkit._async.history import AsyncHistoryScan, fetch_history, histories_of
from wandbkit._async.lazy import LazyRecord
from wandbkit._async.pagination import AsyncRelayPaginator, Page
from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.flavor_async import MaybeAwaitable, async_sleep, monotonic
from wandbkit.filters import runs_named, validate_run_filters, validate_run_order
from wandbkit.paths import check_name, project_not_found, run_not_found
from wandbkit.run_data import (
    HistoryFormat,
    RunState,
    as_dict,
    check_keys,
    sanitize_json,
    split_config,
    wrap_config,
)

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

    from wandbkit._async.console import AsyncConsoleLogs
    from wandbkit._async.sweeps import AsyncSweep
    from wandbkit._generated.fragments import RunLightFields
    from wandbkit._generated.get_run import GetRunProjectRun

# Runs.histories: runs per request, and requests in flight at once (threads in the sync twin).
HISTORIES_BATCH_SIZE = 10
HISTORIES_CONCURRENCY = 8
# The states Run.update_state may ask for.
UPDATABLE_STATES = ("pending", "failed")
# Runs.histories on runs not listed yet lists only their names, this many per request (the
# most the server gives in one page).
RUN_NAMES_PER_PAGE = 1000


@dataclass(frozen=True)
class RunUser:
    """The user who created a run."""

    name: str
    username: str | None


@dataclass
class _Heavy:
    """The heavy fields of a run: loaded with the run (lazy=False) or on first need."""

    rawconfig_wrapped: dict[str, Any]
    summary: dict[str, Any]
    system_metrics: dict[str, Any]
    history_keys: dict[str, Any]
    partial: bool = False  # loaded with config_keys/summary_keys: not every key is here


class _RunPage:
    """The runs of one lazily listed page: their heavy fields load together, in one request."""

    def __init__(self, owner: AsyncRuns) -> None:
        self.owner = owner
        self.runs: list[AsyncRun] = []

    async def load_heavy(self) -> None:
        pending = [run for run in self.runs if not run.loaded]
        if not pending:
            return
        owner = self.owner
        # The caller wants heavy fields: list the following pages with them (one request per
        # page instead of two).
        owner.lazy = False
        entity = str(owner.entity)  # resolved by the listing that made this page
        result = await owner._ctx.client.get_runs_heavy(
            entity=entity,
            project=owner.project,
            filters=runs_named([run.id for run in pending]),
            per_page=len(pending),
            config_keys=owner.config_keys,
            summary_keys=owner.summary_keys,
        )
        if result.project is None or result.project.runs is None:
            raise project_not_found(entity, owner.project, "GetRunsHeavy")
        by_name = {edge.node.name: edge.node for edge in result.project.runs.edges}
        for run in pending:
            node = by_name.get(run.id)
            if node is not None:  # else deleted since listed: its own load will say so
                run._set_fields(_heavy_of(node, partial=owner.partial))


class AsyncSummary(Mapping[str, Any]):
    """A run's summary: read like a dict, edit locally, persist with ``update()``.

    Example:
        >>> run.summary["best_acc"]
        >>> run.summary.update({"best_acc": 0.93})  # one request; the server keeps it
    """

    def __init__(self, run: AsyncRun) -> None:
        self._run = run

    def _values(self) -> dict[str, Any]:
        return self._run._require().summary

    def __getitem__(self, key: str) -> Any:
        return self._values()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())

    def __len__(self) -> int:
        return len(self._values())

    def __setitem__(self, key: str, value: Any) -> None:
        """Set a value locally; ``update()`` or ``run.update()`` persists it."""
        self._values()[key] = sanitize_json(value, f"summary[{key!r}]")

    def __delitem__(self, key: str) -> None:
        """Remove a key locally; ``update()`` or ``run.update()`` persists it."""
        del self._values()[key]

    async def update(self, values: Mapping[str, Any] | None = None, /, **more: Any) -> None:
        """Merge ``values`` (and keyword values) into the summary and persist it at once."""
        merged = {**dict(values or {}), **more}
        sanitize_json(merged, "summary values")
        self._run._require_whole()
        self._values().update(merged)
        await self._run._persist(summary=True, fields=False)

    def __repr__(self) -> str:
        return f"<Summary of run {self._run.id}: {self._values()!r}>"


class AsyncRun(LazyRecord[_Heavy]):
    """One W&B run, typed.

    Light fields (id, name, state, tags, times, ...) arrive with the listing. Heavy fields
    (config, summary, system metrics, history keys) arrive with ``lazy=False`` listings and
    ``api.run()``; in a lazy listing the first read of one of them loads them for the whole
    page at once (sync), or ``await runs.upgrade_to_full()`` / ``await run.load_full_data()``
    loads them (async).

    Edit ``name``, ``tags``, ``notes``, ``description``, ``group``, ``job_type``, ``config``
    and ``summary`` locally, then ``update()`` persists them in one request.
    """

    def __init__(
        self,
        ctx: AsyncClientHolder,
        entity: str,
        project: str,
        light: RunLightFields,
        *,
        heavy: _Heavy | None = None,
        page: _RunPage | None = None,
    ) -> None:
        super().__init__(heavy)
        self._ctx = ctx
        self.entity = entity
        self.project = project
        self._page = page
        self._config: dict[str, Any] | None = None
        self._rawconfig: dict[str, Any] | None = None
        self._sweep: AsyncSweep | None = None
        self._set_light(light)

    def _set_light(self, light: RunLightFields) -> None:
        self._light = light
        self._tags = list(light.tags or [])
        self._edits: dict[str, Any] = {}

    def _set_fields(self, fields: _Heavy) -> None:
        self._fields = fields
        self._config = None
        self._rawconfig = None

    # -- identity ------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The run id (the server's ``name``), e.g. ``"1mbku38n"``."""
        return self._light.name

    @property
    def username(self) -> str:
        """Deprecated in ``wandb`` (which warns): the run's entity."""
        warnings.warn(
            "Run.username is deprecated; use Run.entity", DeprecationWarning, stacklevel=2
        )
        return self.entity

    @property
    def storage_id(self) -> str:
        """The server's opaque id of the run, which mutations take."""
        return self._light.id

    @property
    def path(self) -> list[str]:
        """``[entity, project, run_id]``, as ``wandb.Api`` gives it."""
        return [self.entity, self.project, self.id]

    @property
    def url(self) -> str:
        """The run's page in the W&B app."""
        return f"{self._ctx.app_url}/{self.entity}/{self.project}/runs/{self.id}"

    # -- light fields --------------------------------------------------------------------

    @property
    def name(self) -> str | None:
        """The display name people see (settable; ``update()`` persists it)."""
        return self._edits.get("display_name", self._light.display_name)

    @name.setter
    def name(self, value: str | None) -> None:
        self._edits["display_name"] = _check_optional_str(value, "name")

    @property
    def display_name(self) -> str | None:
        """Same as ``name``."""
        return self.name

    @property
    def state(self) -> RunState:
        """The run's state (compares equal to strings like ``"finished"``)."""
        return RunState(self._light.state or "running")

    @property
    def tags(self) -> list[str]:
        """The run's tags; edit the list in place and call ``update()``."""
        return self._tags

    @tags.setter
    def tags(self, value: Sequence[str]) -> None:
        tags = check_keys(value, "tags")
        self._tags = list(tags or [])

    @property
    def notes(self) -> str | None:
        """Free-text notes (settable)."""
        return self._edits.get("notes", self._light.notes)

    @notes.setter
    def notes(self, value: str | None) -> None:
        self._edits["notes"] = _check_optional_str(value, "notes")

    @property
    def description(self) -> str | None:
        """The description (settable)."""
        return self._edits.get("description", self._light.description)

    @description.setter
    def description(self, value: str | None) -> None:
        self._edits["description"] = _check_optional_str(value, "description")

    @property
    def group(self) -> str | None:
        """The run's group (settable)."""
        return self._edits.get("group_name", self._light.group)

    @group.setter
    def group(self, value: str | None) -> None:
        self._edits["group_name"] = _check_optional_str(value, "group")

    @property
    def job_type(self) -> str | None:
        """The job type (settable)."""
        return self._edits.get("job_type", self._light.job_type)

    @job_type.setter
    def job_type(self, value: str | None) -> None:
        self._edits["job_type"] = _check_optional_str(value, "job_type")

    @property
    def sweep_name(self) -> str | None:
        """The id of the sweep that made the run, if any."""
        return self._light.sweep_name

    @property
    def sweep(self) -> MaybeAwaitable[AsyncSweep | None]:
        """The sweep that made the run (loaded), or None; see :meth:`get_sweep`."""
        return self.get_sweep()

    async def get_sweep(self) -> AsyncSweep | None:
        """The sweep that made the run, loaded on first use (one request, then kept; runs
        listed with ``include_sweeps=True`` come with theirs); None if the run has none.

        Raises:
            NotFoundError: the run names a sweep the server does not know.
        """
        if self._light.sweep_name is None:
            return None
        if self._sweep is None:
            from wandbkit._async.sweeps import AsyncSweep  # sweeps load on first use

            sweep = AsyncSweep(self._ctx, self.entity, self.project, self._light.sweep_name)
            self._sweep = await sweep.load()
        return self._sweep

    @property
    def commit(self) -> str | None:
        """The git commit the run's code was at."""
        return self._light.commit

    @property
    def read_only(self) -> bool:
        """Whether the caller may only read the run."""
        return bool(self._light.read_only)

    @property
    def created_at(self) -> datetime:
        """When the run started (aware, UTC)."""
        return self._light.created_at

    @property
    def heartbeat_at(self) -> datetime | None:
        """The run's last sign of life (aware, UTC)."""
        return self._light.heartbeat_at

    @property
    def history_line_count(self) -> int:
        """How many history rows the run logged."""
        return self._light.history_line_count or 0

    @property
    def project_id(self) -> str:
        """The server's id of the run's project."""
        return self._light.project_id

    @property
    def user(self) -> RunUser | None:
        """Who created the run."""
        user = self._light.user
        return RunUser(user.name, user.username) if user is not None else None

    # -- heavy fields --------------------------------------------------------------------

    def _not_loaded(self) -> str:
        return (
            f"run {self.id!r} has no config/summary loaded: use lazy=False, "
            "`await runs.upgrade_to_full()` or `await run.load_full_data()` first"
        )

    def _load_on_read(self) -> MaybeAwaitable[object]:
        return self.load_full_data()

    def _split(self) -> None:
        if self._config is None or self._rawconfig is None:
            self._config, self._rawconfig = split_config(self._require().rawconfig_wrapped)

    @property
    def config(self) -> dict[str, Any]:
        """The run's config with plain values (edit it, then ``update()``)."""
        self._split()
        assert self._config is not None
        return self._config

    @property
    def rawconfig(self) -> dict[str, Any]:
        """The config including internal keys (``_wandb``, ``wandb_version``)."""
        self._split()
        assert self._rawconfig is not None
        return {**self._rawconfig, **(self._config or {})}

    @property
    def json_config(self) -> str:
        """The config in the server's wrapped form, as JSON text."""
        return json.dumps(wrap_config(self.config, self.rawconfig))

    @property
    def summary(self) -> AsyncSummary:
        """The run's summary metrics (a mapping whose ``update()`` persists)."""
        self._require()
        return AsyncSummary(self)

    @property
    def summary_metrics(self) -> dict[str, Any]:
        """A copy of the summary as a plain dict."""
        return dict(self._require().summary)

    @property
    def system_metrics(self) -> dict[str, Any]:
        """The latest system metrics (GPU, CPU, memory, ...)."""
        return dict(self._require().system_metrics)

    @property
    def history_keys(self) -> dict[str, Any]:
        """The server's description of the logged history keys (``lastStep``, ``keys``)."""
        return dict(self._require().history_keys)

    @property
    def last_history_step(self) -> int:
        """The last step the run logged, or -1 if none."""
        step = self._require().history_keys.get("lastStep", -1)
        return int(step) if isinstance(step, int) else -1

    @property
    def lastHistoryStep(self) -> int:
        """Alias of ``last_history_step``, as ``wandb.Api`` spells it."""
        return self.last_history_step

    # -- loading -------------------------------------------------------------------------

    async def _fetch(self) -> _Heavy:
        node = await fetch_run_node(self._ctx, self.entity, self.project, self.id)
        self._set_light(node)
        return _heavy_of(node)

    async def load_full_data(self, force: bool = False) -> AsyncRun:
        """Load the heavy fields: with the rest of its page when listed lazily; returns self."""
        if self._fields is not None and not force:
            return self
        if self._page is not None and not force:
            await self._page.load_heavy()
            if self._fields is not None:
                return self
        return await self.load(force=True)

    # -- changes -------------------------------------------------------------------------

    async def update(self) -> None:
        """Persist local changes (name, tags, notes, description, group, job type, config,
        summary) in one request."""
        await self._persist(summary=self._fields is not None, fields=True)

    async def save(self) -> None:
        """Alias of ``update()``."""
        await self.update()

    def _require_whole(self) -> None:
        """Refuse to write back a config or summary that was loaded only in part."""
        if self._fields is not None and self._fields.partial:
            raise UsageError(
                "this run was loaded with config_keys/summary_keys, so its config and summary "
                "are partial; `run.load(force=True)` before updating it"
            )

    async def _persist(self, *, summary: bool, fields: bool) -> None:
        from wandbkit._generated.input_types import UpsertBucketInput

        self._require_whole()
        values: dict[str, Any] = {"id": self.storage_id}
        heavy = self._fields
        if fields:
            values.update(
                display_name=self.name,
                notes=self.notes,
                description=self.description,
                group_name=self.group,
                job_type=self.job_type,
                tags=list(self._tags),
            )
            if heavy is not None:
                values["config"] = sanitize_json(wrap_config(self.config, self.rawconfig), "config")
        if summary and heavy is not None:
            values["summary_metrics"] = sanitize_json(heavy.summary, "summary")
        result = await self._ctx.client.upsert_run(input=UpsertBucketInput(**values))
        bucket = result.upsert_bucket.bucket if result.upsert_bucket is not None else None
        if bucket is None:
            raise run_not_found(self.entity, self.project, self.id, "UpsertRun")
        self._set_light(bucket)
        self._set_fields(_heavy_of(bucket))

    async def delete(self, delete_artifacts: bool = False) -> None:
        """Delete the run (and, with ``delete_artifacts=True``, the artifacts it logged)."""
        if not isinstance(delete_artifacts, bool):
            raise UsageError(f"delete_artifacts must be a bool, got {delete_artifacts!r}")
        await self._ctx.client.delete_run(id=self.storage_id, delete_artifacts=delete_artifacts)

    async def wait_until_finished(
        self, poll_interval: float = 5.0, timeout: float | None = None
    ) -> RunState:
        """Poll the run's state until it stops for good; returns the final state.

        Raises:
            TimeoutError: ``timeout`` seconds passed first.
        """
        if not isinstance(poll_interval, (int, float)) or poll_interval <= 0:
            raise UsageError(f"poll_interval must be a positive number, got {poll_interval!r}")
        deadline = None if timeout is None else monotonic() + float(timeout)
        while True:
            result = await self._ctx.client.get_run_state(
                entity=self.entity, project=self.project, name=self.id
            )
            node = result.project.run if result.project is not None else None
            if node is None:
                raise run_not_found(self.entity, self.project, self.id, "GetRunState")
            state = RunState(node.state or "running")
            if state.is_terminal:
                self._light = self._light.model_copy(update={"state": state.value})
                return state
            if deadline is not None and monotonic() + poll_interval > deadline:
                raise TimeoutError(f"run {self.id!r} still {state.value} after {timeout} s")
            await async_sleep(poll_interval)

    async def update_state(self, state: str) -> bool:
        """Requeue the run or give it up, as ``wandb``'s ``Run.update_state``.

        Allowed by the server: to ``"pending"`` from running, failed, crashed or preempted
        (to run it again); to ``"failed"`` from pending or running (a lost run). Sweep runs
        cannot change state this way.

        Returns:
            Whether the server changed the state (``state`` here is updated when it did).

        Raises:
            UsageError: ``state`` is not ``"pending"`` or ``"failed"`` (before any request).
            GraphQLError: the server refused the transition; its message says why.
        """
        if state not in UPDATABLE_STATES:
            raise UsageError(f"state must be 'pending' or 'failed', got {state!r}")
        result = await self._ctx.client.update_run_state(id=self.storage_id, state=state)
        done = result.update_run_state is not None and result.update_run_state.success
        if done:
            self._light = self._light.model_copy(update={"state": state})
        return done

    async def stop(self) -> None:
        """Ask the run to stop, as the app's "Stop run" button does.

        The server raises the run's stop flag; the process running it sees the flag on its
        next heartbeat and ends the run (``killed``). This returns once the flag is up, not
        when the run has ended: ``wait_until_finished()`` waits for that. Stopping a run that
        is no longer running does nothing.
        """
        await self._ctx.client.stop_run(id=self.storage_id)

    # -- history -------------------------------------------------------------------------

    async def history(
        self,
        samples: int = 500,
        keys: list[str] | None = None,
        x_axis: str = "_step",
        pandas: bool = True,
        stream: str = "default",
    ) -> list[dict[str, Any]] | pd.DataFrame:
        """Sampled history rows, chosen by the server (at most ``samples``).

        Args:
            samples: how many rows at most.
            keys: metrics to return (rows having all of them, plus ``x_axis``); None = all.
            x_axis: the step key rows are indexed by.
            pandas: return a DataFrame (needs the ``pandas`` extra) instead of dicts.
            stream: ``"default"`` (logged metrics) or ``"system"`` (system metrics).
        """
        rows = await fetch_history(
            self._ctx, self.entity, self.project, self.id, samples, keys, x_axis, stream
        )
        if pandas:
            from wandbkit.run_data import to_pandas

            return to_pandas(rows)
        return rows

    def scan_history(
        self,
        keys: list[str] | None = None,
        page_size: int = 1000,
        min_step: int | None = None,
        max_step: int | None = None,
        use_cache: bool = True,
    ) -> AsyncHistoryScan:
        """Every history row in ``[min_step, max_step)``, streamed page by page.

        Memory stays constant whatever the row count: one page is held while the next one
        is fetched in the background. ``use_cache`` is accepted as ``wandb`` takes it; wandbkit
        keeps no local copy of history, so every scan reads the server.
        """
        if not isinstance(use_cache, bool):
            raise UsageError(f"use_cache must be a bool, got {use_cache!r}")
        return AsyncHistoryScan(
            self._ctx,
            self.entity,
            self.project,
            self.id,
            keys=keys,
            page_size=page_size,
            min_step=min_step,
            max_step=max_step,
        )

    def beta_scan_history(
        self,
        keys: list[str] | None = None,
        page_size: int = 1000,
        min_step: int | None = None,
        max_step: int | None = None,
        use_cache: bool = True,
    ) -> AsyncHistoryScan:
        """Deprecated in ``wandb`` (which warns); the same as :meth:`scan_history`."""
        warnings.warn(
            "beta_scan_history is deprecated; use scan_history", DeprecationWarning, stacklevel=2
        )
        return self.scan_history(keys, page_size, min_step, max_step, use_cache)

    def console_logs(self, *, per_page: int = 1000, last: int | None = None) -> AsyncConsoleLogs:
        """What the run's process wrote to stdout and stderr, oldest line first.

        Args:
            per_page: lines per request when reading from the start (ignored with ``last``).
            last: read only the last ``last`` lines, in one request (the server answers with
                at most 1,000, the newest).

        Example:
            >>> for line in run.console_logs(last=50):
            ...     print(line.number, line.level or "info", line.content)
        """
        from wandbkit._async.console import AsyncConsoleLogs  # loads on first use

        return AsyncConsoleLogs(
            self._ctx, self.entity, self.project, self.id, per_page=per_page, last=last
        )

    # -- files ---------------------------------------------------------------------------

    def files(
        self, names: list[str] | None = None, pattern: str | None = None, per_page: int = 50
    ) -> AsyncFiles:
        """The run's files (exact ``names``, or an SQL LIKE ``pattern``; not both)."""
        return AsyncFiles(
            self._ctx, self.entity, self.project, self.id, names, pattern, per_page=per_page
        )

    async def file(self, name: str) -> AsyncFile:
        """One file of the run by name.

        Raises:
            NotFoundError: the run has no such file.
        """
        if not isinstance(name, str) or not name:
            raise UsageError(f"name must be a file name like 'config.yaml', got {name!r}")
        found = await find_file(self._ctx, self.entity, self.project, self.id, name)
        if found is None:
            raise NotFoundError(f"run '{'/'.join(self.path)}' has no file {name!r}")
        return found

    async def upload_file(self, path: str | Path, root: str | Path = ".") -> AsyncFile:
        """Upload a local file; it is named by its path relative to ``root``."""
        return await upload_run_file(self._ctx, self.entity, self.project, self.id, path, root)

    @property
    def metadata(self) -> MaybeAwaitable[dict[str, Any] | None]:
        """The run's ``wandb-metadata.json`` (host, python, GPU, ...), or None."""
        return self.get_metadata()

    async def get_metadata(self) -> dict[str, Any] | None:
        """Fetch and parse ``wandb-metadata.json``; None when the run has none."""
        try:
            found = await self.file("wandb-metadata.json")
        except NotFoundError:
            return None
        data = await found.read_bytes()
        parsed = json.loads(data) if data else None
        return parsed if isinstance(parsed, dict) else None

    # -- display -------------------------------------------------------------------------

    def to_html(self, height: int = 420, hidden: bool = False) -> str:
        """HTML that embeds the run's page (for notebooks), rendered from a template."""
        from wandbkit._html import render

        if isinstance(height, bool) or not isinstance(height, int) or height <= 0:
            raise UsageError(f"height must be a positive int of pixels, got {height!r}")
        return render("run.html.j2", url=self.url, height=height, hidden=hidden, run=self)

    def _repr_html_(self) -> str:
        return self.to_html()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AsyncRun):
            return NotImplemented
        return other.path == self.path

    def __hash__(self) -> int:
        return hash(("Run", *self.path))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {'/'.join(self.path)} ({self.state.value})>"


class AsyncRuns(AsyncRelayPaginator[AsyncRun]):
    """The runs of a project matching ``filters``, in ``order``, loaded page by page.

    ``len()`` is the server's count of matching runs. In lazy mode the heavy fields of a page
    load together on first need, and the pages listed after that bring them along;
    ``upgrade_to_full()`` loads them for every loaded run.
    """

    def __init__(
        self,
        ctx: AsyncClientHolder,
        entity: str | None,
        project: str,
        *,
        filters: Mapping[str, Any] | None = None,
        order: str = "+created_at",
        per_page: int = 50,
        lazy: bool = True,
        include_sweeps: bool = False,
        config_keys: list[str] | None = None,
        summary_keys: list[str] | None = None,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        self.entity = check_name(entity, "entity") if entity is not None else None
        self.project = check_name(project, "project")
        self.filters = validate_run_filters(filters)
        self.order = validate_run_order(order)
        if not isinstance(lazy, bool):
            raise UsageError(f"lazy must be a bool, got {lazy!r}")
        self.lazy = lazy
        self.include_sweeps = bool(include_sweeps)
        self.config_keys = check_keys(config_keys, "config_keys")
        self.summary_keys = check_keys(summary_keys, "summary_keys")
        self._filters_json = json.dumps(self.filters) if self.filters else None
        self.project_internal_id: str | None = None
        self._sweeps: dict[str, AsyncSweep] = {}

    async def _fetch(self, cursor: str | None) -> Page[AsyncRun]:
        entity = await self._ctx.resolve_entity(self.entity)
        self.entity = entity
        page = _RunPage(self)
        variables: dict[str, Any] = {
            "entity": entity,
            "project": self.project,
            "cursor": cursor,
            "per_page": self.per_page,
            "order": self.order,
            "filters": self._filters_json,
        }
        runs: list[AsyncRun] = []
        if self.lazy:
            light = await self._ctx.client.get_runs(**variables)
            if light.project is None:
                raise project_not_found(entity, self.project, "GetRuns")
            internal_id, total = light.project.internal_id, light.project.run_count
            connection = light.project.runs
            for light_edge in connection.edges if connection is not None else []:
                runs.append(AsyncRun(self._ctx, entity, self.project, light_edge.node, page=page))
            info = connection.page_info if connection is not None else None
        else:
            full = await self._ctx.client.get_runs_full(
                **variables, config_keys=self.config_keys, summary_keys=self.summary_keys
            )
            if full.project is None:
                raise project_not_found(entity, self.project, "GetRunsFull")
            internal_id, total = full.project.internal_id, full.project.run_count
            full_connection = full.project.runs
            for full_edge in full_connection.edges if full_connection is not None else []:
                heavy = _heavy_of(full_edge.node, partial=self.partial)
                runs.append(AsyncRun(self._ctx, entity, self.project, full_edge.node, heavy=heavy))
            info = full_connection.page_info if full_connection is not None else None
        page.runs = runs
        if self.include_sweeps:
            await self._attach_sweeps(entity, runs)
        self.project_internal_id = internal_id
        if info is None:
            return Page(runs, None, False, total)
        return Page(runs, info.end_cursor, info.has_next_page, total)

    async def _attach_sweeps(self, entity: str, runs: list[AsyncRun]) -> None:
        # include_sweeps=True: every run of a page comes with its sweep; each sweep is
        # fetched once per listing, however many of its runs there are.
        from wandbkit._async.sweeps import AsyncSweep

        for name in dict.fromkeys(run.sweep_name for run in runs if run.sweep_name):
            if name not in self._sweeps:
                try:
                    self._sweeps[name] = await AsyncSweep(
                        self._ctx, entity, self.project, name
                    ).load()
                except NotFoundError:
                    # A run naming a sweep the server does not know still lists; its
                    # run.sweep raises NotFoundError when asked.
                    continue
        for run in runs:
            if run.sweep_name is not None and run.sweep_name in self._sweeps:
                run._sweep = self._sweeps[run.sweep_name]

    @property
    def partial(self) -> bool:
        """Whether config/summary keys were named: runs then hold only those keys."""
        return self.config_keys is not None or self.summary_keys is not None

    async def upgrade_to_full(self) -> None:
        """Load the heavy fields of every loaded run (one request per page) and list the
        following pages with them."""
        self.lazy = False
        pages: list[_RunPage] = []
        for run in self.objects:
            if run._page is not None and run._page not in pages:
                pages.append(run._page)
        for page in pages:
            await page.load_heavy()

    async def histories(
        self,
        samples: int = 500,
        keys: list[str] | None = None,
        x_axis: str = "_step",
        format: HistoryFormat = "default",
        stream: str = "default",
    ) -> list[dict[str, Any]] | pd.DataFrame | pl.DataFrame:
        """The sampled history of every run here, each row tagged with its ``run_id``.

        One request fetches the histories of ``HISTORIES_BATCH_SIZE`` runs; up to
        ``HISTORIES_CONCURRENCY`` requests run at once. When no page of these runs was loaded
        yet, only their names are listed first (``RUN_NAMES_PER_PAGE`` per request), not
        their fields; the runs themselves stay unloaded.

        Args:
            samples: rows per run at most.
            keys: metrics to return; None = all.
            x_axis: the step key.
            format: ``"default"`` (list of dicts), ``"pandas"`` or ``"polars"``.
            stream: ``"default"`` or ``"system"``.
        """
        if self.pages_loaded == 0:
            # Nothing listed yet: the histories need only the runs' names, and a listing of
            # names is a fraction of a listing of runs.
            entity = await self._ctx.resolve_entity(self.entity)
            self.entity = entity
            names = await _RunNames(self, entity).to_list()
            paths = [(entity, self.project, name) for name in names]
        else:
            paths = [(run.entity, run.project, run.id) for run in await self.to_list()]
        return await histories_of(
            self._ctx,
            paths,
            samples=samples,
            keys=keys,
            x_axis=x_axis,
            format=format,
            stream=stream,
            concurrency=HISTORIES_CONCURRENCY,
            batch_size=HISTORIES_BATCH_SIZE,
        )


class _RunNames(AsyncRelayPaginator[str]):
    """The names of the runs an ``AsyncRuns`` selects, in its order, from its start cursor."""

    def __init__(self, runs: AsyncRuns, entity: str) -> None:
        super().__init__(per_page=RUN_NAMES_PER_PAGE, start=runs.cursor)
        self._runs = runs
        self._entity = entity

    async def _fetch(self, cursor: str | None) -> Page[str]:
        runs = self._runs
        listed = await runs._ctx.client.get_run_names(
            entity=self._entity,
            project=runs.project,
            cursor=cursor,
            per_page=self.per_page,
            order=runs.order,
            filters=runs._filters_json,
        )
        if listed.project is None:
            raise project_not_found(self._entity, runs.project, "GetRunNames")
        connection = listed.project.runs
        if connection is None:
            return Page([], None, False)
        names = [edge.node.name for edge in connection.edges]
        info = connection.page_info
        return Page(names, info.end_cursor, info.has_next_page)


async def fetch_run_node(
    ctx: AsyncClientHolder, entity: str, project: str, run_id: str
) -> GetRunProjectRun:
    """Every field of one run (``GetRun``).

    Raises:
        NotFoundError: no such project, or no such run in it.
    """
    result = await ctx.client.get_run(entity=entity, project=project, name=run_id)
    if result.project is None:
        raise project_not_found(entity, project, "GetRun")
    if result.project.run is None:
        raise run_not_found(entity, project, run_id, "GetRun")
    return result.project.run


def full_run(ctx: AsyncClientHolder, entity: str, project: str, node: Any) -> AsyncRun:
    """A run from a node that carries every field (``GetRun``, ``UpsertRun``)."""
    return AsyncRun(ctx, entity, project, node, heavy=_heavy_of(node))


async def fetch_run(ctx: AsyncClientHolder, entity: str, project: str, run_id: str) -> AsyncRun:
    """One run with every field loaded (``Api.run``)."""
    return full_run(ctx, entity, project, await fetch_run_node(ctx, entity, project, run_id))


def _heavy_of(node: Any, *, partial: bool = False) -> _Heavy:
    return _Heavy(
        as_dict(node.config),
        as_dict(node.summary_metrics),
        as_dict(node.system_metrics),
        as_dict(node.history_keys),
        partial=partial,
    )


def _check_optional_str(value: object, argument: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise UsageError(f"{argument} must be a string or None, got {type(value).__name__}")
    return value
