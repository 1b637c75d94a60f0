# Generated from src/wandbkit/_async/agents.py by tools/codegen.py (unasync) — DO NOT EDIT.
# Edit the async source and run `make codegen`; `make codegen-check` fails on drift.
"""Sweep agents (``wandb``'s ``Agent``) and the runs one executed (``AgentRuns``)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from wandbkit._core.errors import NotFoundError
from wandbkit._core.not_found import project_not_found, sweep_not_found
from wandbkit._html import Displayable, HtmlSummary
from wandbkit._sync.pagination import Page, RelayPaginator
from wandbkit._sync.runs.run import Run
from wandbkit.filters import validate_run_order

if TYPE_CHECKING:
    from wandbkit._generated.fragments import AgentFields
    from wandbkit._sync.context import ClientContext
    from wandbkit._sync.runs.run import SweepLoader


def agent_not_found(entity: str, project: str, sweep: str, agent: str) -> NotFoundError:
    """The error for an agent the server answered ``null`` for."""
    return NotFoundError(
        f"agent {agent!r} of sweep '{entity}/{project}/{sweep}' not found",
        operation_name="GetSweepAgent",
    )


class Agent(Displayable):
    """One agent of a sweep: the process that ran some of its runs, with its heartbeat.

    Attributes:
        entity: the sweep's entity.
        project: the sweep's project.
        sweep_id: the sweep's id.
    """

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        sweep_id: str,
        fields: AgentFields,
        *,
        load_sweep: SweepLoader,
    ) -> None:
        self._ctx = ctx
        self.entity = entity
        self.project = project
        self.sweep_id = sweep_id
        self._fields = fields
        self._load_sweep = load_sweep

    @property
    def id(self) -> str:
        """The server's opaque id of the agent."""
        return self._fields.id

    @property
    def name(self) -> str:
        """The agent's name (what ``Sweep.agent()`` takes)."""
        return self._fields.name

    @property
    def host(self) -> str:
        """The machine the agent runs on."""
        return self._fields.host

    @property
    def state(self) -> str | None:
        """``RUNNING``, ``FINISHED``, ``FAILED``... (upper case, as W&B)."""
        return self._fields.state

    @property
    def total_runs(self) -> int:
        """How many runs the agent executed."""
        return self._fields.total_runs

    @property
    def created_at(self) -> datetime:
        """When the agent started."""
        return self._fields.created_at

    @property
    def heartbeat_at(self) -> datetime | None:
        """When the agent last said it was alive."""
        return self._fields.heartbeat_at

    def runs(self, per_page: int = 50, *, order: str = "+created_at") -> AgentRuns:
        """The runs the agent executed, oldest first (or in ``order``), page by page."""
        return AgentRuns(
            self._ctx,
            self.entity,
            self.project,
            self.sweep_id,
            self.name,
            total_runs=self.total_runs,
            order=order,
            per_page=per_page,
            load_sweep=self._load_sweep,
        )

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Agent) and other.id == self.id

    def __hash__(self) -> int:
        return hash(("Agent", self.id))

    def __repr__(self) -> str:
        return f"<Agent {self.name} of {self.entity}/{self.project}/{self.sweep_id} ({self.state})>"

    def _html_summary(self) -> HtmlSummary:
        fields = {"sweep": f"{self.entity}/{self.project}/{self.sweep_id}", "state": self.state}
        return HtmlSummary("Agent", self.name, fields)


class AgentRuns(RelayPaginator[Run]):
    """The runs one sweep agent executed, page by page; ``len()`` is the agent's
    ``total_runs``."""

    def __init__(
        self,
        ctx: ClientContext,
        entity: str,
        project: str,
        sweep_id: str,
        agent: str,
        *,
        total_runs: int | None = None,
        order: str = "+created_at",
        per_page: int = 50,
        load_sweep: SweepLoader,
        start: str | None = None,
    ) -> None:
        super().__init__(per_page=per_page, start=start)
        self._ctx = ctx
        self.entity = entity
        self.project = project
        self.sweep_id = sweep_id
        self.agent = agent
        self.order = validate_run_order(order)
        self._total = total_runs
        self._load_sweep = load_sweep

    def _fetch(self, cursor: str | None) -> Page[Run]:
        result = self._ctx.client.get_agent_runs(
            entity=self.entity,
            project=self.project,
            sweep=self.sweep_id,
            agent=self.agent,
            cursor=cursor,
            per_page=self.per_page,
            order=self.order,
        )
        if result.project is None:
            raise project_not_found(self.entity, self.project, "GetAgentRuns")
        sweep = result.project.sweep
        if sweep is None:
            raise sweep_not_found(self.entity, self.project, self.sweep_id, "GetAgentRuns")
        if sweep.agent is None:
            raise agent_not_found(self.entity, self.project, self.sweep_id, self.agent)
        connection = sweep.agent.runs
        runs = [
            Run(self._ctx, self.entity, self.project, edge.node, load_sweep=self._load_sweep)
            for edge in connection.edges
        ]
        info = connection.page_info
        return Page(runs, info.end_cursor, info.has_next_page, sweep.agent.total_runs)

    def __repr__(self) -> str:
        return f"<AgentRuns {self.agent} of {self.entity}/{self.project}/{self.sweep_id}>"
