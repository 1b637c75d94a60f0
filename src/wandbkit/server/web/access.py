"""Which projects a page's viewer may read: the GraphQL read rules, through the request
context the resolvers use (:mod:`wandbkit.server.permissions`)."""

from __future__ import annotations

from wandbkit.server.permissions import PUBLIC_ACCESS
from wandbkit.server.store import EntityRow, ProjectRow
from wandbkit.server.web.render import Page

__all__ = ["MAX_PROJECTS", "entity_projects", "readable_project"]

#: The most projects an entity's page lists (and pages through).
MAX_PROJECTS = 10_000


def readable_project(page: Page, entity_name: str, project_name: str) -> ProjectRow | None:
    """The project ``entity/project`` if it exists and the viewer may read it."""
    entity = page.store.entities.get(entity_name)
    if entity is None:
        return None
    project = page.store.projects.get(entity.pk, project_name)
    return page.ctx.readable(page.ctx.remember_project(project) if project else None)


def entity_projects(page: Page, entity: EntityRow) -> list[ProjectRow]:
    """The entity's projects the viewer may list, in creation order, at most
    :data:`MAX_PROJECTS`: the same selection as the API's project listings (all for a member,
    the public and open ones for anyone else; restricted registries only for their members)."""
    access_in = None if page.ctx.can_write(entity) else PUBLIC_ACCESS
    restricted_in = (
        page.ctx.readable_restricted(entity)
        if access_in is None and not page.viewer.admin
        else None
    )
    found: list[ProjectRow] = []
    after = 0
    while True:
        chunk = page.store.projects.list(
            entity.pk, after_pk=after, limit=500, access_in=access_in, restricted_in=restricted_in
        )
        found.extend(chunk)
        if len(chunk) < 500 or len(found) >= MAX_PROJECTS:
            return found[:MAX_PROJECTS]
        after = chunk[-1].pk
