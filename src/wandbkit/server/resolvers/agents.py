"""Sweep agents: ``Sweep.agents``, ``Sweep.agent(agentName:)`` and the ``Agent`` type.

An agent's ``runs`` are the project's runs it executed, listed like ``Project.runs`` (same
order and paging rules); ``totalRuns`` counts them. The emulator runs no sweep controller:
agents and their runs are recorded by whoever drives the server (seeds, tests).
"""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import encode_id
from wandbkit.server.resolvers.common import context, page_info
from wandbkit.server.resolvers.runs import resolve_project_runs
from wandbkit.server.store import AgentRow, SweepRow


def resolve_sweep_agents(sweep: SweepRow, info: GraphQLResolveInfo) -> dict[str, Any]:
    """Every agent of the sweep, oldest first (``AgentConnection`` has no pages)."""
    agents = context(info).store.agents.of_sweep(sweep.pk)
    return {"edges": [{"node": agent} for agent in agents]}


def resolve_sweep_agent(
    sweep: SweepRow, info: GraphQLResolveInfo, *, agent_name: str
) -> AgentRow | None:
    """The sweep's agent called ``agentName``, or ``null``."""
    return context(info).store.agents.get(sweep.pk, agent_name)


def resolve_agent_id(agent: AgentRow, _: GraphQLResolveInfo) -> str:
    return encode_id("Agent", agent.pk)


def resolve_agent_runs(
    agent: AgentRow,
    info: GraphQLResolveInfo,
    *,
    order: str | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """A page of the runs the agent executed, in ``order`` (as ``Project.runs`` pages)."""
    ctx = context(info)
    store = ctx.store
    sweep = store.sweeps.get_by_pk(agent.sweep_pk)
    project = ctx.project(sweep.project_pk) if sweep is not None else None
    assert project is not None  # agents and sweeps go with their project (foreign keys)
    names = [run.name for pk in store.agents.run_pks(agent.pk) if (run := ctx.run(pk))]
    if not names:
        return {
            "edges": [],
            "page_info": page_info([], has_next_page=False, has_previous_page=False),
        }
    return resolve_project_runs(
        project,
        info,
        filters={"name": {"$in": names}},
        order=order,
        first=first,
        after=after,
        last=last,
        before=before,
    )


def bindables() -> list[ObjectType]:
    """``Sweep.agents``/``agent`` and the ``Agent`` type."""
    sweep = ObjectType("Sweep")
    sweep.set_field("agents", resolve_sweep_agents)
    sweep.set_field("agent", resolve_sweep_agent)
    agent = ObjectType("Agent")
    agent.set_field("id", resolve_agent_id)
    agent.set_field("runs", resolve_agent_runs)
    return [sweep, agent]
