"""Sweeps: the typed ``Sweep`` (its fields, from ``sweep_record``, plus its runs and best run)
and a lazy paginator over a project's sweeps."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from wandbkit._async.pagination import AsyncRelayPaginator, Page
from wandbkit._async.runs.listing import AsyncRuns
from wandbkit._async.sweep_record import AsyncSweepRecord
from wandbkit._core.errors import UsageError
from wandbkit._core.not_found import project_not_found
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext
    from wandbkit._async.runs.run import AsyncRun
    from wandbkit._generated.fragments import SweepFields

#: Runs per page of ``Sweep.runs``, as ``wandb`` lists them.
SWEEP_RUNS_PER_PAGE = 10


class AsyncSweep(AsyncSweepRecord):
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

    def _runs(self, order: str, per_page: int) -> AsyncRuns:
        # The sweep's runs, with the filter wandb sends: {"$and": [{"sweep": <id>}]}.
        return AsyncRuns(
            self._ctx,
            self.entity,
            self.project,
            load_sweep=load_sweep,
            filters={"$and": [{"sweep": self.id}]},
            order=order,
            per_page=per_page,
        )

    async def best_run(self, order: str | None = None) -> AsyncRun | None:
        """The sweep's best run: the first in ``order`` (default: the sweep metric's order).

        Returns:
            The run, or ``None`` if the sweep has no runs (or no metric and no ``order``).
        """
        chosen = order if order is not None else self.order
        if chosen is None:
            return None
        first = self._runs(chosen, 1)
        await first.load()
        return first.objects[0] if first.objects else None


async def load_sweep(ctx: ClientContext, entity: str, project: str, sweep_id: str, /) -> AsyncSweep:
    """The sweep ``entity/project/sweep_id``, loaded (a run's ``SweepLoader``).

    Raises:
        NotFoundError: no such sweep.
    """
    return await AsyncSweep(ctx, entity, project, sweep_id).load()


class AsyncSweeps(AsyncRelayPaginator[AsyncSweep]):
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

    async def _fetch(self, cursor: str | None) -> Page[AsyncSweep]:
        entity = await self._ctx.resolve_entity(self.entity)
        self.entity = entity
        result = await self._ctx.client.get_sweeps(
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
            AsyncSweep(self._ctx, entity, self.project, edge.node.name, edge.node)
            for edge in connection.edges
        ]
        info = connection.page_info
        return Page(sweeps, info.end_cursor, info.has_next_page, total)
