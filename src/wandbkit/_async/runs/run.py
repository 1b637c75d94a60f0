"""The typed ``Run``: light fields from any listing, heavy fields loaded on first need."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from wandbkit._async.context import ClientContext
from wandbkit._async.lazy import LazyRecord
from wandbkit._async.runs.artifact_links import AsyncRunArtifactLinks
from wandbkit._async.runs.contents import AsyncRunContents
from wandbkit._async.runs.fields import (
    AsyncSummary,
    HeavyFields,
    RunUser,
    check_optional_str,
    heavy_of,
)
from wandbkit._async.runs.legacy import AsyncRunLegacyNames
from wandbkit._core.errors import UsageError
from wandbkit._core.flavor_async import MaybeAwaitable, async_sleep, monotonic
from wandbkit._core.not_found import project_not_found, run_not_found
from wandbkit._html import Displayable
from wandbkit._lang.summary_merge import SUMMARY_KEYS_HEADER, encode_summary_keys
from wandbkit._values.checks import check_keys, sanitize_json
from wandbkit._values.runs import RunState, as_dict, join_config, split_config

if TYPE_CHECKING:
    from wandbkit._async.sweep_record import AsyncSweepRecord
    from wandbkit._generated.fragments import RunLightFields
    from wandbkit._generated.get_run import GetRunProjectRun

# The states Run.update_state may ask for.
UPDATABLE_STATES = ("pending", "failed")


class RunBatch(Protocol):
    """The lazily listed page a run belongs to: it loads the heavy fields of its runs at once."""

    def join(self, run: AsyncRun, receive: Callable[[HeavyFields], None]) -> None:
        """Add ``run``, whose heavy fields ``receive`` takes when the page loads them."""

    async def load_heavy(self) -> None:
        """Load the heavy fields of the page's runs that have none yet."""


class SweepLoader(Protocol):
    """Loads a run's sweep by id; runs sit below sweeps, so the Api wires this in."""

    async def __call__(
        self, ctx: ClientContext, entity: str, project: str, sweep_id: str, /
    ) -> AsyncSweepRecord:
        """The sweep ``entity/project/sweep_id``, loaded.

        Raises:
            NotFoundError: no such sweep.
        """


class _RunCreator(Protocol):
    """What ``Run.create`` needs of an Api: its ``create_run``."""

    async def create_run(
        self, *, run_id: str | None = None, project: str | None = None, entity: str | None = None
    ) -> AsyncRun: ...


class AsyncRun(
    LazyRecord[HeavyFields],
    AsyncRunContents,
    AsyncRunArtifactLinks,
    AsyncRunLegacyNames,
    Displayable,
):
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
        ctx: ClientContext,
        entity: str,
        project: str,
        light: RunLightFields,
        *,
        load_sweep: SweepLoader,
        heavy: HeavyFields | None = None,
        page: RunBatch | None = None,
        sweep: AsyncSweepRecord | None = None,
    ) -> None:
        super().__init__(heavy)
        self._ctx = ctx
        self.entity = entity
        self.project = project
        self._load_sweep = load_sweep
        self._page = page
        self._config: dict[str, Any] | None = None
        self._rawconfig: dict[str, Any] | None = None
        # Summary keys set or removed locally since the summary was loaded or written.
        self._summary_edits: set[str] = set()
        self._sweep = sweep
        self._set_light(light)
        if page is not None:
            page.join(self, self._set_fields)

    def _set_light(self, light: RunLightFields) -> None:
        self._light = light
        self._tags = list(light.tags or [])
        self._edits: dict[str, Any] = {}

    def _set_fields(self, fields: HeavyFields) -> None:
        self._fields = fields
        self._config = None
        self._rawconfig = None
        self._summary_edits = set()

    # -- identity ------------------------------------------------------------------------

    @property
    def id(self) -> str:
        """The run id (the server's ``name``), e.g. ``"1mbku38n"``."""
        return self._light.name

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
        self._edits["display_name"] = check_optional_str(value, "name")

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
        self._edits["notes"] = check_optional_str(value, "notes")

    @property
    def description(self) -> str | None:
        """The description (settable)."""
        return self._edits.get("description", self._light.description)

    @description.setter
    def description(self, value: str | None) -> None:
        self._edits["description"] = check_optional_str(value, "description")

    @property
    def group(self) -> str | None:
        """The run's group (settable)."""
        return self._edits.get("group_name", self._light.group)

    @group.setter
    def group(self, value: str | None) -> None:
        self._edits["group_name"] = check_optional_str(value, "group")

    @property
    def job_type(self) -> str | None:
        """The job type (settable)."""
        return self._edits.get("job_type", self._light.job_type)

    @job_type.setter
    def job_type(self, value: str | None) -> None:
        self._edits["job_type"] = check_optional_str(value, "job_type")

    @property
    def sweep_name(self) -> str | None:
        """The id of the sweep that made the run, if any."""
        return self._light.sweep_name

    @property
    def sweep(self) -> MaybeAwaitable[AsyncSweepRecord | None]:
        """The sweep that made the run (loaded), or None; see :meth:`get_sweep`."""
        return self.get_sweep()

    async def get_sweep(self) -> AsyncSweepRecord | None:
        """The sweep that made the run, loaded on first use (one request, then kept; runs
        listed with ``include_sweeps=True`` come with theirs); None if the run has none.

        Raises:
            NotFoundError: the run names a sweep the server does not know.
        """
        if self._light.sweep_name is None:
            return None
        if self._sweep is None:
            self._sweep = await self._load_sweep(
                self._ctx, self.entity, self.project, self._light.sweep_name
            )
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
        return json.dumps(join_config(self.config, self.rawconfig))

    @property
    def summary(self) -> AsyncSummary:
        """The run's summary metrics (a mapping whose ``update()`` persists)."""
        self._require()
        return AsyncSummary(self.id, self._summary_values, self._merge_summary, self._summary_edits)

    def _summary_values(self) -> dict[str, Any]:
        return self._require().summary

    async def _merge_summary(self, values: dict[str, Any]) -> None:
        """Write ``values`` and the local edits, only those keys, into the summary as the server
        holds it now (:mod:`wandbkit._lang.summary_merge`): other writers' keys are kept."""
        self._require_whole()
        local = self._require().summary
        local.update(values)
        keys = {*values, *self._summary_edits}
        summary = await self._fresh_summary()
        for key in keys:
            if key in local:
                summary[key] = local[key]
            else:
                summary.pop(key, None)
        await self._persist(
            summary=True,
            fields=False,
            summary_values=summary,
            headers={SUMMARY_KEYS_HEADER: encode_summary_keys(keys)},
        )

    async def _fresh_summary(self) -> dict[str, Any]:
        """The summary as the server holds it now (``GetRunSummary``: that field alone)."""
        result = await self._ctx.client.get_run_summary(
            entity=self.entity, project=self.project, name=self.id
        )
        if result.project is None or result.project.run is None:
            raise run_not_found(self.entity, self.project, self.id, "GetRunSummary")
        return as_dict(result.project.run.summary_metrics)

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

    async def _fetch(self) -> HeavyFields:
        node = await fetch_run_node(self._ctx, self.entity, self.project, self.id)
        self._set_light(node)
        return heavy_of(node)

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

    async def _persist(
        self,
        *,
        summary: bool,
        fields: bool,
        summary_values: dict[str, Any] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
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
                values["config"] = sanitize_json(join_config(self.config, self.rawconfig), "config")
        if summary and heavy is not None:
            whole = heavy.summary if summary_values is None else summary_values
            values["summary_metrics"] = sanitize_json(whole, "summary")
        result = await self._ctx.client.upsert_run(
            input=UpsertBucketInput(**values), headers=headers
        )
        bucket = result.upsert_bucket.bucket if result.upsert_bucket is not None else None
        if bucket is None:
            raise run_not_found(self.entity, self.project, self.id, "UpsertRun")
        self._set_light(bucket)
        self._set_fields(heavy_of(bucket))

    async def delete(self, delete_artifacts: bool = False) -> None:
        """Delete the run (and, with ``delete_artifacts=True``, the artifacts it logged)."""
        if not isinstance(delete_artifacts, bool):
            raise UsageError(f"delete_artifacts must be a bool, got {delete_artifacts!r}")
        await self._ctx.client.delete_run(id=self.storage_id, delete_artifacts=delete_artifacts)

    async def wait_until_finished(
        self, *, poll_interval: float = 5.0, timeout: float | None = None
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

    # -- display -------------------------------------------------------------------------

    def to_html(self, height: int = 420, hidden: bool = False) -> str:
        """HTML that embeds the run's page (for notebooks), rendered from a template."""
        from wandbkit._html import render

        if isinstance(height, bool) or not isinstance(height, int) or height <= 0:
            raise UsageError(f"height must be a positive int of pixels, got {height!r}")
        return render("run.html.j2", url=self.url, height=height, hidden=hidden, run=self)

    def display(self, height: int = 420, hidden: bool = False) -> bool:
        """Show the run in a Jupyter notebook; False (with a warning) elsewhere."""
        from wandbkit._html import display_html

        return display_html(self.to_html(height, hidden), "run")

    def _repr_html_(self) -> str:
        return self.to_html()

    @property
    def dir(self) -> str:
        """The run's local directory, ``<WANDB_DIR or the temp dir>/<entity>/<project>/<id>``
        (made on first read), where ``wandb`` puts the run's downloads."""
        import os
        import tempfile

        root = os.environ.get("WANDB_DIR") or tempfile.gettempdir()
        path = os.path.join(root, self.entity, self.project, self.id)
        os.makedirs(path, exist_ok=True)
        return path

    @classmethod
    async def create(
        cls,
        api: _RunCreator,
        run_id: str | None = None,
        project: str | None = None,
        entity: str | None = None,
        state: str = "running",
    ) -> AsyncRun:
        """Create a run (``wandb``'s classmethod; ``Api.create_run`` is the usual way),
        ``running`` or ``pending`` (queued to run later).

        Raises:
            UsageError: a bad id, project, entity or state (before any request).
        """
        if state not in ("running", "pending"):
            raise UsageError(f"state must be 'running' or 'pending', got {state!r}")
        run = await api.create_run(run_id=run_id, project=project, entity=entity)
        if state == "pending":
            await run.update_state("pending")
        return run

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, AsyncRun):
            return NotImplemented
        return other.path == self.path

    def __hash__(self) -> int:
        return hash(("Run", *self.path))

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {'/'.join(self.path)} ({self.state.value})>"


async def fetch_run_node(
    ctx: ClientContext, entity: str, project: str, run_id: str
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


async def fetch_run(
    ctx: ClientContext, entity: str, project: str, run_id: str, load_sweep: SweepLoader
) -> AsyncRun:
    """One run with every field loaded (``Api.run``)."""
    node = await fetch_run_node(ctx, entity, project, run_id)
    return AsyncRun(ctx, entity, project, node, load_sweep=load_sweep, heavy=heavy_of(node))
