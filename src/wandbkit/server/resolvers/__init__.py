"""GraphQL resolvers of the local server, one module per domain.

Each module exposes ``bindables()``; :func:`all_bindables` collects them. A new domain (runs,
files, artifacts, registries) adds a module here and one line to :data:`DOMAINS`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from ariadne.types import SchemaBindable

from wandbkit.server.resolvers import (
    agents,
    artifact_collections,
    artifact_mutations,
    artifact_publish,
    artifacts,
    automations,
    entities,
    launch,
    launch_items,
    projects,
    registries,
    registry_mutations,
    reports,
    run_files,
    run_resume,
    runs,
    server_info,
    sweeps,
    teams,
    users,
)
from wandbkit.server.resolvers.common import ClientError, RequestContext, Strings

__all__ = ["DOMAINS", "ClientError", "RequestContext", "Strings", "all_bindables"]

#: The ``bindables()`` function of every domain module.
DOMAINS: tuple[Callable[[], Sequence[SchemaBindable]], ...] = (
    users.bindables,
    entities.bindables,
    projects.bindables,
    runs.bindables,
    run_files.bindables,
    run_resume.bindables,
    sweeps.bindables,
    artifacts.bindables,
    artifact_collections.bindables,
    artifact_mutations.bindables,
    artifact_publish.bindables,
    agents.bindables,
    reports.bindables,
    teams.bindables,
    server_info.bindables,
    # After projects and artifacts: these answer the registry cases of their fields.
    registries.bindables,
    registry_mutations.bindables,
    automations.bindables,
    # After projects: replaces its fixed ``Project.runQueues``.
    launch.bindables,
    launch_items.bindables,
)


def all_bindables() -> list[SchemaBindable]:
    """Fresh bindables of every domain (Query, Mutation and object types)."""
    return [bindable for domain in DOMAINS for bindable in domain()]
