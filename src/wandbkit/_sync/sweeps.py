# Generated from src/wandbkit/_async/sweeps.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Sweeps: the typed ``Sweep`` (its fields, from ``sweep_record``, plus its runs and best run)
and a lazy paginator over a project's sweeps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wandbkit._core.errors import UsageError
from wandbkit._core.not_found import project_not_found
from wandbkit._sync.pagination import Page, RelayPaginator
from wandbkit._sync.runs.listing import Runs
from wandbkit._sync.sweep_record import SweepRecord
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._generated.fragments import SweepFields
    from wandbkit._sync.context import ClientContext
    from wandbkit._sync.runs.run import Run

#: Runs per page of ``Sweep.runs``, as ``wandb`` lists them.
SWEEP_RUNS_PER_PAGE = 10


class Sweep(SweepRecord):
    """One W&B sweep, typed.

    ``runs`` lists the sweep's runs (10 a page, oldest first, as ``wandb``); ``best_run()`` is
    the first of them in the order the sweep's metric asks for.

    Attributes:
        entity: the owning entity.
        project: the project name.
        runs: the sweep's runs (lazy; nothing is sent until you iterate).
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        sweep_id: str,
        fields: SweepFields | None = None,
    ) -> None:
        super().__init__(ctx, entity, project, sweep_id, fields)
        self.runs = self._runs("+created_at", SWEEP_RUNS_PER_PAGE)

    def _runs(self, order: str, per_page: int) -> Runs:
        # The sweep's runs, with the filter wandb sends: {"$and": [{"sweep": <id>}]}.
        return Runs(
            self._ctx,
            self.entity,
            self.project,
            load_sweep=load_sweep,
            filters={"$and": [{"sweep": self.id}]},
            order=order,
            per_page=per_page,
        )

    def best_run(self, order: str | None = None) -> Run | None:
        """The sweep's best run: the first in ``order`` (default: the sweep metric's order).

        Returns:
            The run, or ``None`` if the sweep has no runs (or no metric and no ``order``).
        """
        chosen = order if order is not None else self.order
        if chosen is None:
            return None
        first = self._runs(chosen, 1)
        first.load()
        return first.objects[0] if first.objects else None


def load_sweep(ctx: ClientContext, entity: str, project: str, sweep_id: str, /) -> Sweep:
    """The sweep ``entity/project/sweep_id``, loaded (a run's ``SweepLoader``).

    Raises:
        NotFoundError: no such sweep.
    """
    return Sweep(ctx, entity, project, sweep_id).load()


class Sweeps(RelayPaginator[Sweep]):
    """The sweeps of a project, oldest first, loaded page by page; ``len()`` is the server's
    count."""

    def __init__(
        self,
        ctx: ClientContext,
        entity: str | None,
        project: str,
        *,
        per_page: int = 50,
        filters: Mapping[str, Any] | None = None,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        if filters is not None and not isinstance(filters, Mapping):
            raise UsageError(f"filters must be a mapping or None, got {filters!r}")
        self._ctx = ctx
        self.entity = check_name(entity, "entity") if entity is not None else None
        self.project = check_name(project, "project")
        self.filters = dict(filters or {})

    def _fetch(self, cursor: str | None) -> Page[Sweep]:
        entity = self._ctx.resolve_entity(self.entity)
        self.entity = entity
        result = self._ctx.client.get_sweeps(
            entity=entity,
            project=self.project,
            filters=self.filters,
            cursor=cursor,
            per_page=self.per_page,
        )
        if result.project is None:
            raise project_not_found(entity, self.project, "GetSweeps")
        connection = result.project.sweeps
        total = result.project.total_sweeps
        if connection is None:
            return Page([], None, False, total)
        sweeps = [
            Sweep(self._ctx, entity, self.project, edge.node.name, edge.node)
            for edge in connection.edges
        ]
        info = connection.page_info
        return Page(sweeps, info.end_cursor, info.has_next_page, total)
