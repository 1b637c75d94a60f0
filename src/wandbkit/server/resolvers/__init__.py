"""GraphQL resolvers of the local server, one module per domain.

Each module exposes ``bindables()``; :func:`all_bindables` collects them. A new domain (runs,
files, artifacts, registries) adds a module here and one line to :data:`DOMAINS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ariadne import ObjectType

from wandbkit.server.resolvers import (
    agents,
    entities,
    projects,
    reports,
    run_files,
    runs,
    server_info,
    sweeps,
    teams,
    users,
)
from wandbkit.server.resolvers.common import ClientError, RequestContext, Strings

__all__ = ["DOMAINS", "ClientError", "RequestContext", "Strings", "all_bindables"]

#: The ``bindables()`` function of every domain module.
DOMAINS: tuple[Callable[[], Sequence[ObjectType]], ...] = (
    users.bindables,
    entities.bindables,
    projects.bindables,
    runs.bindables,
    run_files.bindables,
    sweeps.bindables,
    agents.bindables,
    reports.bindables,
    teams.bindables,
    server_info.bindables,
)


def all_bindables() -> list[ObjectType]:
    """Fresh bindables of every domain (Query, Mutation and object types)."""
    return [bindable for domain in DOMAINS for bindable in domain()]
