# Generated from src/wandbkit/_async/sweeps.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Sweeps: the typed ``Sweep`` (its fields, from ``sweep_record``, plus its runs and best run)
and a lazy paginator over a project's sweeps."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Protocol

from wandbkit._core.errors import APIError, UsageError
from wandbkit._core.not_found import project_not_found, sweep_not_found
from wandbkit._html import Displayable
from wandbkit._sync.agents import Agent, agent_not_found
from wandbkit._sync.pagination import Page, RelayPaginator
from wandbkit._sync.runs.listing import Runs
from wandbkit._sync.sweep_record import SweepRecord
from wandbkit.paths import check_name

if TYPE_CHECKING:
    from wandbkit._generated.fragments import AgentFields, SweepFields
    from wandbkit._generated.get_sweep_agents import GetSweepAgentsProjectSweep
    from wandbkit._sync.context import ClientContext
    from wandbkit._sync.runs.run import Run

#: Runs per page of ``Sweep.runs``, as ``wandb`` lists them.
SWEEP_RUNS_PER_PAGE = 10


class Sweep(SweepRecord, Displayable):
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

    def enqueue_run(self, config: dict[str, Any], display_name: str | None = None) -> str:
        """Add a run with ``config`` to the sweep for W&B's local sweep scheduler to launch
        (it starts ``pending``); returns the run's id (not a queue item's).

        Raises:
            UsageError: ``config`` is not a dict or ``display_name`` not a string.
            GraphQLError: the server cannot enqueue sweep runs, or refused.
            APIError: the server answered without a run.
        """
        if not isinstance(config, Mapping):
            raise UsageError(f"config must be a dict, got {type(config).__name__}")
        if display_name is not None and not isinstance(display_name, str):
            raise UsageError(f"display_name must be a string or None, got {display_name!r}")
        self.load()
        fields = self._require()
        result = self._ctx.client.enqueue_sweep_run(
            id=fields.id, config=dict(config), display_name=display_name
        )
        if result.enqueue_sweep_run is None:
            raise APIError(f"the server enqueued no run in sweep {self.id!r}")
        return result.enqueue_sweep_run.id

    @classmethod
    def get(
        cls,
        api: _HasContext,
        entity: str | None = None,
        project: str | None = None,
        sid: str | None = None,
        order: str | None = None,
        query: str | None = None,
        **kwargs: Any,
    ) -> Sweep:
        """Load a sweep (``wandb``'s classmethod; ``Api.sweep()`` is the usual way).

        Args:
            api: the Api to ask with.
            entity: the sweep's entity (default: the Api's default entity).
            project: its project (default: ``WANDB_PROJECT``).
            sid: the sweep id.
            order: the runs order of ``runs`` (default: oldest first).
            query: a custom GraphQL document; not supported (wandbkit sends only its own
                typed operations), so giving one raises.

        Raises:
            UsageError: no ``sid`` or project, ``query`` or extra keyword arguments given.
            NotFoundError: no such sweep.
        """
        if query is not None or kwargs:
            raise UsageError(
                "Sweep.get accepts no custom query or query variables; wandbkit sends its own "
                "typed GetSweep"
            )
        if not sid:
            raise UsageError("sid is required: the sweep id")
        ctx = api._ctx
        chosen_project = project or ctx.settings.project
        if chosen_project is None:
            raise UsageError("project is required: pass project=..., or set WANDB_PROJECT")
        sweep = cls(ctx, ctx.resolve_entity(entity), chosen_project, sid)
        sweep.load()
        if order is not None:
            sweep.runs = sweep._runs(order, SWEEP_RUNS_PER_PAGE)
        return sweep

    def agent(self, agent_id: str) -> Agent:
        """One agent of the sweep, by its name.

        Raises:
            UsageError: a malformed name (before any request).
            NotFoundError: the sweep has no such agent (or there is no such sweep).
        """
        check_name(agent_id, "agent_id")
        result = self._ctx.client.get_sweep_agent(
            entity=self.entity, project=self.project, sweep=self.id, agent=agent_id
        )
        if result.project is None:
            raise project_not_found(self.entity, self.project, "GetSweepAgent")
        if result.project.sweep is None:
            raise sweep_not_found(self.entity, self.project, self.id, "GetSweepAgent")
        if result.project.sweep.agent is None:
            raise agent_not_found(self.entity, self.project, self.id, agent_id)
        return self._agent(result.project.sweep.agent)

    def agents(self) -> list[Agent]:
        """Every agent of the sweep, oldest first.

        Raises:
            NotFoundError: no such sweep (``wandb`` answers ``[]``).
        """
        result = self._ctx.client.get_sweep_agents(
            entity=self.entity, project=self.project, sweep=self.id
        )
        if result.project is None:
            raise project_not_found(self.entity, self.project, "GetSweepAgents")
        sweep: GetSweepAgentsProjectSweep | None = result.project.sweep
        if sweep is None:
            raise sweep_not_found(self.entity, self.project, self.id, "GetSweepAgents")
        return [self._agent(edge.node) for edge in sweep.agents.edges]

    def _agent(self, fields: AgentFields) -> Agent:
        return Agent(self._ctx, self.entity, self.project, self.id, fields, load_sweep=load_sweep)

    @property
    def username(self) -> str:
        """Deprecated: the sweep's entity (``wandb`` keeps this name, and warns)."""
        warnings.warn(
            "Sweep.username is deprecated; use Sweep.entity", DeprecationWarning, stacklevel=2
        )
        return self.entity

    def to_html(self, height: int = 420, hidden: bool = False) -> str:
        """HTML that embeds the sweep's page (for notebooks), rendered from a template."""
        from wandbkit._html import render

        if isinstance(height, bool) or not isinstance(height, int) or height <= 0:
            raise UsageError(f"height must be a positive int of pixels, got {height!r}")
        return render("sweep.html.j2", url=self.url, height=height, hidden=hidden, sweep=self)

    def display(self, height: int = 420, hidden: bool = False) -> bool:
        """Show the sweep in a Jupyter notebook; False (with a warning) elsewhere."""
        from wandbkit._html import display_html

        return display_html(self.to_html(height, hidden), "sweep")

    def _repr_html_(self) -> str:
        return self.to_html()


class _HasContext(Protocol):
    """What ``Sweep.get`` needs of an Api: its client context."""

    _ctx: ClientContext


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
