"""The projects methods of the Api: ``project()``, ``projects()`` and ``create_project()``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wandbkit._async.projects import AsyncProject, AsyncProjects, SweepsLister
from wandbkit._core.errors import UsageError
from wandbkit.paths import check_name, parse_path

if TYPE_CHECKING:
    from wandbkit._async.context import ClientContext


class AsyncProjectsMethods:
    """The Api's projects methods (a part of ``Api``, which supplies the context and the
    lister)."""

    _ctx: ClientContext
    _list_sweeps: SweepsLister

    def project(self, name: str, entity: str | None = None) -> AsyncProject:
        """A lazy handle on one project: no request until an attribute needs the server.

        Args:
            name: the project name, or ``entity/project``.
            entity: the owning entity; defaults to ``WANDB_ENTITY``, then the viewer's.

        Raises:
            UsageError: ``name`` or ``entity`` is not a valid name.
        """
        if isinstance(name, str) and "/" in name:
            parsed = parse_path(name, argument="name")
            if parsed.kind != "project":
                raise UsageError(f"name must be 'project' or 'entity/project', got {name!r}")
            if entity is not None and parsed.entity != entity:
                raise UsageError(
                    f"name {name!r} names entity {parsed.entity!r} but entity={entity!r}"
                )
            name, entity = str(parsed.project), parsed.entity
        return AsyncProject(self._ctx, name, entity, list_sweeps=self._list_sweeps)

    def projects(
        self, entity: str | None = None, per_page: int = 200, *, start: str | None = None
    ) -> AsyncProjects:
        """The projects of an entity, fetched lazily page by page.

        Args:
            entity: the entity; defaults to ``WANDB_ENTITY``, then the viewer's.
            per_page: projects per request.
            start: a ``cursor`` from an earlier paginator, to resume from.
        """
        return AsyncProjects(
            self._ctx, entity, list_sweeps=self._list_sweeps, per_page=per_page, start=start
        )

    async def create_project(
        self,
        name: str,
        entity: str | None = None,
        *,
        description: str | None = None,
        access: str | None = None,
    ) -> AsyncProject:
        """Create a project (or update it if it exists) and return it, loaded.

        Args:
            name: the new project's name.
            entity: the owning entity; defaults to ``WANDB_ENTITY``, then the viewer's.
            description: an optional description.
            access: optional visibility as the server names it (e.g. ``PRIVATE``).
        """
        check_name(name, "name")
        if entity is not None:
            check_name(entity, "entity")
        owner = await self._ctx.resolve_entity(entity)
        fields: dict[str, Any] = {"name": name, "entity_name": owner}
        if description is not None:
            fields["description"] = description
        if access is not None:
            fields["access"] = access
        from wandbkit._generated.input_types import UpsertModelInput

        result = await self._ctx.client.create_project(input=UpsertModelInput(**fields))
        created = result.upsert_model.project if result.upsert_model is not None else None
        if created is None:
            raise UsageError(f"the server did not create project '{owner}/{name}'")
        return AsyncProject(
            self._ctx,
            created.name,
            created.entity_name,
            fields=created,
            list_sweeps=self._list_sweeps,
        )
