"""Projects: ``Query.models``, ``Query.project``, ``Mutation.upsertModel`` and ``renameProject``.

The schema keeps W&B's legacy names: a project is a "model", and the list of an entity's
projects is the root field ``models``.
"""

from __future__ import annotations

from typing import Any

from ariadne import MutationType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import InvalidIdError, decode_int_id, encode_id
from wandbkit.server.permissions import PUBLIC_ACCESS
from wandbkit.server.resolvers.common import (
    ClientError,
    NotFound,
    RequestContext,
    context,
    paginate_by_pk,
)
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.store import (
    EntityRow,
    ProjectRow,
    UnknownRowError,
    UserRow,
)
from wandbkit.server.store.text import check_name, dumps_json

# -- Query ----------------------------------------------------------------------------------


def projects_connection(
    ctx: RequestContext,
    entity_pk: int,
    *,
    first: int | None,
    after: str | None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """A relay page of an entity's projects in creation order (``models``,
    ``Entity.projects``, ``User.projects``): all of them for a member of the entity, only the
    public and open ones for anyone else."""
    store = ctx.store
    entity = ctx.required_entity(entity_pk)
    access_in = None if ctx.can_write(entity) else PUBLIC_ACCESS
    # Restricted registries: only those the viewer is a member of.
    restricted_in = (
        ctx.readable_restricted(entity) if access_in is None and not ctx.viewer.admin else None
    )

    def fetch(after_pk: int, limit: int) -> list[ProjectRow]:
        return store.projects.list(
            entity_pk,
            after_pk=after_pk,
            limit=limit,
            access_in=access_in,
            restricted_in=restricted_in,
        )

    return paginate_by_pk(fetch, lambda p: p.pk, first=first, after=after, last=last, before=before)


def resolve_models(
    _: Any,
    info: GraphQLResolveInfo,
    *,
    entity_name: str | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    **__: Any,
) -> dict[str, Any] | None:
    """An entity's projects (default: the viewer's entity), or ``null`` for no such entity."""
    ctx = context(info)
    entity = ctx.entity_or_default(entity_name)
    if entity is None:
        return None
    return projects_connection(ctx, entity.pk, first=first, after=after, last=last, before=before)


def resolve_project(
    _: Any, info: GraphQLResolveInfo, *, name: str | None = None, entity_name: str | None = None
) -> ProjectRow | None:
    """The project, or ``null`` when it (or its entity) does not exist or the viewer may not
    read it; never an error."""
    ctx = context(info)
    if not name:
        return None
    entity = ctx.entity_or_default(entity_name)
    if entity is None:
        return None
    return ctx.readable(ctx.store.projects.get(entity.pk, name))


# -- Project ----------------------------------------------------------------------------------


def resolve_project_id(project: ProjectRow, _: GraphQLResolveInfo) -> str:
    return encode_id("Project", project.pk)


def resolve_project_internal_id(project: ProjectRow, _: GraphQLResolveInfo) -> str:
    # Clients that decode it (registries) expect ProjectInternalId:<int>.
    return encode_id("ProjectInternalId", project.pk)


def resolve_project_entity(project: ProjectRow, info: GraphQLResolveInfo) -> EntityRow:
    return context(info).required_entity(project.entity_pk)


def resolve_project_entity_name(project: ProjectRow, info: GraphQLResolveInfo) -> str:
    return context(info).required_entity(project.entity_pk).name


def resolve_project_user(project: ProjectRow, info: GraphQLResolveInfo) -> UserRow | None:
    """The user who created the project (``null`` if that user is gone)."""
    if project.creator_pk is None:
        return None
    return context(info).user(project.creator_pk)


def resolve_project_read_only(project: ProjectRow, info: GraphQLResolveInfo) -> bool:
    """Locked projects, and every project of an entity the viewer cannot write to."""
    return context(info).project_read_only(project)


# -- Mutation ---------------------------------------------------------------------------------


def _writable_entity(ctx: RequestContext, entity_name: str | None) -> EntityRow:
    entity = ctx.entity_or_default(entity_name)
    if entity is None:
        raise NotFound(f"entity {entity_name!r} not found")
    ctx.require_write(entity, "create or change projects")
    return entity


def _views_text(views: Any) -> str | None:
    # JSONString arguments arrive parsed; the store keeps JSON text.
    if views is None:
        return None
    return views if isinstance(views, str) else dumps_json(views)


def _payload(project: ProjectRow, inserted: bool) -> dict[str, Any]:
    return {"project": project, "model": project, "inserted": inserted}


def resolve_upsert_model(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Create the project ``input.name`` in ``input.entityName`` (default: the viewer's entity),
    or update its description, access, views and benchmark flag.

    With ``input.id`` the project with that id is updated instead (and renamed if
    ``input.name`` differs). The viewer must be able to write to the entity.
    """
    ctx = context(info)
    changes: dict[str, Any] = {
        "description": input.get("description"),
        "access": input.get("access"),
        "views": _views_text(input.get("views")),
        "is_benchmark": input.get("is_benchmark"),
    }
    with client_errors():
        if input.get("id"):
            return _payload(_update_by_id(ctx, input["id"], input.get("name"), changes), False)
        name = input.get("name")
        if not name:
            raise ClientError("upsertModel: input.name is required when input.id is not given")
        check_name(name, "project")
        entity = _writable_entity(ctx, input.get("entity_name"))
        project, inserted = ctx.store.projects.upsert(
            entity.pk, name, creator_pk=ctx.viewer.pk, **changes
        )
    return _payload(project, inserted)


def _update_by_id(
    ctx: RequestContext, project_id: str, name: str | None, changes: dict[str, Any]
) -> ProjectRow:
    try:
        pk = decode_int_id(project_id, "Project")
    except InvalidIdError:
        raise ClientError("upsertModel: input.id is not a project id") from None
    project = ctx.store.projects.get_by_pk(pk)
    if project is None:
        raise NotFound("upsertModel: no project has that id")
    _writable_entity(ctx, ctx.required_entity(project.entity_pk).name)
    try:
        return ctx.store.projects.update(pk, name=name, **changes)
    except UnknownRowError:  # pragma: no cover - deleted between the two statements
        raise NotFound("upsertModel: no project has that id") from None


def resolve_rename_project(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Rename ``input.oldProjectName`` in ``input.entityName`` to ``input.newProjectName``."""
    ctx = context(info)
    entity = _writable_entity(ctx, input["entity_name"])
    project = ctx.store.projects.get(entity.pk, input["old_project_name"])
    if project is None:
        raise NotFound(
            f"renameProject: project {entity.name}/{input['old_project_name']} not found"
        )
    with client_errors():
        renamed = ctx.store.projects.update(project.pk, name=input["new_project_name"])
    return _payload(renamed, False)


def bindables() -> list[QueryType | MutationType | ObjectType]:
    """The Query and Mutation fields and types this module resolves."""
    query = QueryType()
    query.set_field("models", resolve_models)
    query.set_field("project", resolve_project)

    mutation = MutationType()
    mutation.set_field("upsertModel", resolve_upsert_model)
    mutation.set_field("renameProject", resolve_rename_project)

    project = ObjectType("Project")
    project.set_field("id", resolve_project_id)
    project.set_field("internalId", resolve_project_internal_id)
    project.set_field("entity", resolve_project_entity)
    project.set_field("entityName", resolve_project_entity_name)
    project.set_field("user", resolve_project_user)
    project.set_field("readOnly", resolve_project_read_only)
    # runs, runCount and run are resolved by the runs domain (resolvers/runs.py); sweep,
    # sweeps and totalSweeps by the sweeps domain (resolvers/sweeps.py); allViews by the
    # reports domain (resolvers/reports.py). Artifact fields (artifactTypes,
    # artifactCollections, ...) are resolved by the artifact domains
    # (resolvers/artifact_collections.py, resolvers/artifacts.py); registry fields by
    # resolvers/registries.py; triggers by resolvers/automations.py; runQueues by
    # resolvers/launch.py.
    return [query, mutation, project]
