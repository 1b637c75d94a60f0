"""Sweeps: ``Project.sweep``/``sweeps``/``totalSweeps`` and the ``Sweep`` type.

A sweep's runs are the project's runs whose ``sweepName`` is the sweep's name (its id); the
run filter ``{"sweep": name}`` selects them (see :mod:`wandbkit.server.run_filters`). Its
agents are resolved by :mod:`~wandbkit.server.resolvers.agents`.
"""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import encode_id
from wandbkit.server.resolvers.common import (
    ClientError,
    context,
    paginate_by_pk,
)
from wandbkit.server.store import ProjectRow, SweepRow


def resolve_project_sweep(
    project: ProjectRow, info: GraphQLResolveInfo, *, sweep_name: str, **__: Any
) -> SweepRow | None:
    """The sweep called ``sweepName`` (its id), or ``null``."""
    return context(info).store.sweeps.get(project.pk, sweep_name)


def resolve_project_sweeps(
    project: ProjectRow,
    info: GraphQLResolveInfo,
    *,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    filters: Any = None,
    order: str | None = None,
) -> dict[str, Any]:
    """The project's sweeps, oldest first.

    ``filters`` may be empty (``{}``, what ``wandb``'s ``project.sweeps()`` sends); this
    server filters sweeps no further, and says so rather than ignore a filter. ``order`` other
    than creation order is refused the same way.
    """
    if filters not in (None, {}, ""):
        raise ClientError("sweeps(filters:) accepts only an empty filter on this server")
    if order not in (None, "", "+created_at", "createdAt"):
        raise ClientError("sweeps(order:) accepts only creation order on this server")
    store = context(info).store
    return paginate_by_pk(
        lambda after_pk, limit: store.sweeps.list(project.pk, after_pk=after_pk, limit=limit),
        lambda sweep: sweep.pk,
        first=first,
        after=after,
        last=last,
        before=before,
    )


def resolve_project_total_sweeps(project: ProjectRow, info: GraphQLResolveInfo) -> int:
    return context(info).store.sweeps.count(project.pk)


def resolve_sweep_id(sweep: SweepRow, _: GraphQLResolveInfo) -> str:
    return encode_id("Sweep", sweep.pk)


def resolve_sweep_run_count(sweep: SweepRow, info: GraphQLResolveInfo) -> int:
    """How many runs of the project belong to the sweep."""
    return context(info).store.run_listing.count(sweep.project_pk, filters={"sweep": sweep.name})


def bindables() -> list[ObjectType]:
    """The Project sweep fields and the Sweep type."""
    project = ObjectType("Project")
    project.set_field("sweep", resolve_project_sweep)
    project.set_field("sweeps", resolve_project_sweeps)
    project.set_field("totalSweeps", resolve_project_total_sweeps)
    sweep = ObjectType("Sweep")
    sweep.set_field("id", resolve_sweep_id)
    sweep.set_field("runCount", resolve_sweep_run_count)
    return [project, sweep]
