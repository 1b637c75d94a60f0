# Generated from src/wandbkit/_async/runs/listing.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""The lazy listing of a project's runs: ``Runs``, the page batches that load heavy fields,
and the listing of run names that ``Runs.histories`` starts from."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import NotFoundError, UsageError
from wandbkit._core.not_found import project_not_found
from wandbkit._sync.context import ClientContext
from wandbkit._sync.history import histories_of
from wandbkit._sync.pagination import Page, RelayPaginator
from wandbkit._sync.runs.fields import HeavyFields, heavy_of
from wandbkit._sync.runs.run import Run, SweepLoader
from wandbkit._values.checks import check_keys
from wandbkit._values.history import HistoryFormat
from wandbkit.filters import runs_named, validate_run_filters, validate_run_order
from wandbkit.paths import check_name

if TYPE_CHECKING:
    import pandas as pd
    import polars as pl

    from wandbkit._generated.fragments import RunLightFields
    from wandbkit._sync.sweep_record import SweepRecord

# Runs.histories: runs per request, and requests in flight at once (threads in the sync twin).
HISTORIES_BATCH_SIZE = 10
HISTORIES_CONCURRENCY = 8
# Runs.histories on unlisted runs lists their names, this many per request (a server page's most).
RUN_NAMES_PER_PAGE = 1000


class _RunPage:
    """The runs of one lazily listed page: their heavy fields load together, in one request.

    Each run joins its page when it is made, handing over how to give it its heavy fields.
    """

    def __init__(self, ctx: ClientContext, owner: Runs) -> None:
        self._ctx = ctx
        self.owner = owner
        self._runs: list[tuple[Run, Callable[[HeavyFields], None]]] = []

    def join(self, run: Run, receive: Callable[[HeavyFields], None]) -> None:
        """Add ``run``, whose heavy fields ``receive`` takes when this page loads them."""
        self._runs.append((run, receive))

    def load_heavy(self) -> None:
        """Load the heavy fields of every run of the page not loaded yet, in one request."""
        pending = [(run, receive) for run, receive in self._runs if not run.loaded]
        if not pending:
            return
        owner = self.owner
        # The caller wants heavy fields: list the following pages with them (one request per
        # page instead of two).
        owner.lazy = False
        entity = str(owner.entity)  # resolved by the listing that made this page
        result = self._ctx.client.get_runs_heavy(
            entity=entity,
            project=owner.project,
            filters=runs_named([run.id for run, _ in pending]),
            per_page=len(pending),
            config_keys=owner.config_keys,
            summary_keys=owner.summary_keys,
        )
        if result.project is None or result.project.runs is None:
            raise project_not_found(entity, owner.project, "GetRunsHeavy")
        by_name = {edge.node.name: edge.node for edge in result.project.runs.edges}
        for run, receive in pending:
            node = by_name.get(run.id)
            if node is not None:  # else deleted since listed: its own load will say so
                receive(heavy_of(node, partial=owner.partial))


@dataclass(frozen=True)
class _ListedPage(Page[Run]):
    """A page of runs, with the batch that loads their heavy fields when listed lazily."""

    batch: _RunPage | None = None


class Runs(RelayPaginator[Run]):
    """The runs of a project matching ``filters``, in ``order``, loaded page by page.

    ``len()`` is the server's count of matching runs. In lazy mode the heavy fields of a page
    load together on first need, and the pages listed after that bring them along;
    ``upgrade_to_full()`` loads them for every loaded run.
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str | None,
        project: str,
        *,
        load_sweep: SweepLoader,
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
        self._load_sweep = load_sweep
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
        self.project_internal_id: str | None = None
        self._sweeps: dict[str, SweepRecord] = {}
        self._batches: list[_RunPage] = []

    def _fetch(self, cursor: str | None) -> Page[Run]:
        entity = self._ctx.resolve_entity(self.entity)
        self.entity = entity
        variables: dict[str, Any] = {
            "entity": entity,
            "project": self.project,
            "cursor": cursor,
            "per_page": self.per_page,
            "order": self.order,
            "filters": self.filters or None,
        }
        batch: _RunPage | None = None
        nodes: list[tuple[RunLightFields, HeavyFields | None]] = []
        if self.lazy:
            light = self._ctx.client.get_runs(**variables)
            if light.project is None:
                raise project_not_found(entity, self.project, "GetRuns")
            internal_id, total = light.project.internal_id, light.project.run_count
            connection = light.project.runs
            for light_edge in connection.edges if connection is not None else []:
                nodes.append((light_edge.node, None))
            info = connection.page_info if connection is not None else None
            batch = _RunPage(self._ctx, self)
        else:
            full = self._ctx.client.get_runs_full(
                **variables, config_keys=self.config_keys, summary_keys=self.summary_keys
            )
            if full.project is None:
                raise project_not_found(entity, self.project, "GetRunsFull")
            internal_id, total = full.project.internal_id, full.project.run_count
            full_connection = full.project.runs
            for full_edge in full_connection.edges if full_connection is not None else []:
                nodes.append((full_edge.node, heavy_of(full_edge.node, partial=self.partial)))
            info = full_connection.page_info if full_connection is not None else None
        if self.include_sweeps:
            self._load_sweeps(entity, [node.sweep_name for node, _ in nodes])
        runs = [
            Run(
                self._ctx,
                entity,
                self.project,
                node,
                load_sweep=self._load_sweep,
                heavy=heavy,
                page=batch,
                sweep=self._sweeps.get(node.sweep_name) if node.sweep_name else None,
            )
            for node, heavy in nodes
        ]
        self.project_internal_id = internal_id
        if info is None:
            return _ListedPage(runs, None, False, total, batch=batch)
        return _ListedPage(runs, info.end_cursor, info.has_next_page, total, batch=batch)

    def _load_sweeps(self, entity: str, names: Sequence[str | None]) -> None:
        # include_sweeps=True: every run of a page comes with its sweep; each sweep is
        # fetched once per listing, however many of its runs there are.
        for name in dict.fromkeys(name for name in names if name):
            if name not in self._sweeps:
                try:
                    self._sweeps[name] = self._load_sweep(self._ctx, entity, self.project, name)
                except NotFoundError:
                    # A run naming a sweep the server does not know still lists; its
                    # run.sweep raises NotFoundError when asked.
                    continue

    def _apply(self, page: Page[Run]) -> None:
        super()._apply(page)
        if isinstance(page, _ListedPage) and page.batch is not None:
            self._batches.append(page.batch)

    @property
    def partial(self) -> bool:
        """Whether config/summary keys were named: runs then hold only those keys."""
        return self.config_keys is not None or self.summary_keys is not None

    def upgrade_to_full(self) -> None:
        """Load the heavy fields of every loaded run (one request per page) and list the
        following pages with them."""
        self.lazy = False
        for batch in list(self._batches):
            batch.load_heavy()

    def histories(
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
            entity = self._ctx.resolve_entity(self.entity)
            self.entity = entity
            names = _RunNames(
                self._ctx, entity, self.project, self.order, self.filters, start=self.cursor
            ).to_list()
            paths = [(entity, self.project, name) for name in names]
        else:
            paths = [(run.entity, run.project, run.id) for run in self.to_list()]
        return histories_of(
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


class _RunNames(RelayPaginator[str]):
    """The names of the runs a listing selects (its filters, in its order, from its cursor)."""

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        order: str,
        filters: Mapping[str, Any] | None,
        *,
        start: str | None,
    ) -> None:
        super().__init__(per_page=RUN_NAMES_PER_PAGE, start=start)
        self._ctx = ctx
        self._entity = entity
        self._project = project
        self._order = order
        self._filters = filters

    def _fetch(self, cursor: str | None) -> Page[str]:
        listed = self._ctx.client.get_run_names(
            entity=self._entity,
            project=self._project,
            cursor=cursor,
            per_page=self.per_page,
            order=self._order,
            filters=self._filters or None,
        )
        if listed.project is None:
            raise project_not_found(self._entity, self._project, "GetRunNames")
        connection = listed.project.runs
        if connection is None:
            return Page([], None, False)
        names = [edge.node.name for edge in connection.edges]
        info = connection.page_info
        return Page(names, info.end_cursor, info.has_next_page)
