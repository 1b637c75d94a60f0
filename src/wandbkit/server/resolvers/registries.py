"""Registries, read side: the search over an organization's entity and the registry fields of
``Project``.

``organization.orgEntity.projects(filters:, order:)`` lists registries (FetchRegistries),
``orgEntity.artifactCollections(projectFilters:, filters:)`` their collections
(RegistryCollections) and ``orgEntity.artifactMemberships(projectFilters:,
collectionFilters:, filters:)`` the versions linked into them (RegistryVersions). Every search
sees only the registries the viewer may read: none for someone outside the organization, and
of the restricted ones only those the viewer is a member of
(:meth:`RequestContext.readable_restricted`). Other entities' ``projects`` keep the plain
project listing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ariadne import ObjectType
from graphql import GraphQLResolveInfo

from wandbkit._lang.registry_fields import LevelName
from wandbkit.server.ids import encode_id
from wandbkit.server.resolvers.artifact_collections import resolve_project_artifact_types
from wandbkit.server.resolvers.artifact_common import (
    keyset_after,
    limit_of,
    page,
    prefetch_versions,
    prefetched_aliases,
)
from wandbkit.server.resolvers.common import (
    ClientError,
    RequestContext,
    context,
    empty_connection,
)
from wandbkit.server.resolvers.entities import member_dict, resolve_entity_projects
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.store import (
    ArtifactCollectionRow,
    EntityRow,
    Membership,
    MembershipRow,
    ProjectRow,
    RegistryQuery,
)
from wandbkit.server.store.registries import is_registry_name

__all__ = ["bindables", "search_query"]

#: Selection names (for error messages) of the three searches.
_FIELDS: dict[LevelName, str] = {
    "registries": "Entity.projects",
    "collections": "Entity.artifactCollections",
    "versions": "Entity.artifactMemberships",
}


def search_query(ctx: RequestContext, entity: EntityRow, **filters: Any) -> RegistryQuery | None:
    """The search of ``entity``'s registries as the viewer may see them, or ``None`` when the
    viewer may see none (not in the organization, or not an organization's entity)."""
    if entity.kind != "organization" or not ctx.can_write(entity):
        return None
    restricted_in = None if ctx.viewer.admin else ctx.readable_restricted(entity)
    return RegistryQuery(entity.pk, restricted_in, **filters)


def _search(
    ctx: RequestContext,
    level: LevelName,
    query: RegistryQuery | None,
    *,
    order: str | None,
    first: int | None,
    after: str | None,
    last: int | None,
    before: str | None,
    node_of: Any,
    count: bool = False,
    prime: Callable[[list[int]], None] | None = None,
    fetch: Callable[[tuple[Any, int] | None, int], list[tuple[int, Any]]] | None = None,
) -> dict[str, Any]:
    limit = limit_of(first, last, before)
    if query is None:
        return {**empty_connection(), **({"total_count": 0} if count else {})}
    keyed = bool((order or "").strip())
    keys = keyset_after(after, 2 if keyed else 1)
    position: tuple[Any, int] | None = None
    if keys is not None:
        if not isinstance(keys[-1], int):
            raise ClientError("invalid cursor: pass an endCursor from an earlier page")
        position = (keys[0] if keyed else None, keys[-1])
    with client_errors(_FIELDS[level]):
        if fetch is not None:
            rows = fetch(position, limit + 1)
        else:
            rows = ctx.store.registry_search.page(
                level, query, order=order, after=position, limit=limit + 1
            )
        extra = {"total_count": ctx.store.registry_search.count(level, query)} if count else None

    if prime is not None:
        prime([pk for pk, _ in rows[:limit]])

    def cursor_of(row: tuple[int, Any]) -> tuple[Any, ...]:
        return (row[1], row[0]) if keyed else (row[0],)

    return page(
        rows,
        limit,
        cursor_of,
        started=position is not None,
        node_of=lambda row: {"node": node_of(row[0])},
        extra=extra,
    )


def resolve_org_entity_projects(
    entity: EntityRow,
    info: GraphQLResolveInfo,
    *,
    filters: Any = None,
    order: str | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
    pattern: str | None = None,
) -> dict[str, Any]:
    """An organization's registries (FetchRegistries); other entities' projects as before."""
    if entity.kind != "organization":
        if filters is not None:
            raise ClientError(
                "Entity.projects: filters are supported on an organization's entity only "
                "(they search its registries)"
            )
        return resolve_entity_projects(
            entity, info, first=first, after=after, last=last, before=before,
            pattern=pattern, order=order,
        )  # fmt: skip
    if pattern is not None:
        raise ClientError("Entity.projects: pattern is not supported by this server; use filters")
    ctx = context(info)
    return _search(
        ctx,
        "registries",
        search_query(ctx, entity, registry_filter=filters),
        order=order,
        first=first,
        after=after,
        last=last,
        before=before,
        node_of=lambda pk: ctx.project(pk),
    )


def resolve_entity_artifact_collections(
    entity: EntityRow,
    info: GraphQLResolveInfo,
    *,
    project_filters: Any = None,
    filters: Any = None,
    collection_types: list[str] | None = None,
    order: str | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """The collections of an organization's registries (RegistryCollections)."""
    ctx = context(info)
    kinds = [kind for kind in collection_types or ["PORTFOLIO"] if kind]
    return _search(
        ctx,
        "collections",
        search_query(
            ctx,
            entity,
            registry_filter=project_filters,
            collection_filter=filters,
            collection_kinds=kinds,
        ),
        order=order,
        first=first,
        after=after,
        last=last,
        before=before,
        node_of=lambda pk: _collection(ctx, pk),
        count=True,
        prime=lambda pks: _remember_collections(ctx, set(pks)),
    )


def resolve_entity_artifact_memberships(
    entity: EntityRow,
    info: GraphQLResolveInfo,
    *,
    project_filters: Any = None,
    collection_filters: Any = None,
    filters: Any = None,
    order: str | None = None,
    first: int | None = None,
    after: str | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """The versions linked into an organization's registries (RegistryVersions)."""
    ctx = context(info)
    query = search_query(
        ctx,
        entity,
        registry_filter=project_filters,
        collection_filter=collection_filters,
        version_filter=filters,
    )
    rows: dict[int, MembershipRow] = {}

    def fetch(position: tuple[Any, int] | None, limit: int) -> list[tuple[int, Any]]:
        # The page's memberships come with the search, in the same query.
        assert query is not None
        found = ctx.store.registry_search.membership_page(
            query, order=order, after=position, limit=limit
        )
        rows.update((m.pk, m) for m, _ in found)
        return [(m.pk, value) for m, value in found]

    def prime(pks: list[int]) -> None:
        # One query per table for the page, remembered where the artifact resolvers look.
        page_rows = [rows[pk] for pk in pks]
        versions = ctx.store.artifacts.get_by_pks([m.artifact_pk for m in page_rows])
        prefetch_versions(ctx, versions)
        aliases = ctx.memo(prefetched_aliases)
        wanted = {m.collection_pk for m in page_rows}
        wanted |= {a.sequence_pk for a in versions.values()}
        wanted |= {alias.collection_pk for pk in versions for alias in aliases(pk) or ()}
        _remember_collections(ctx, wanted)
        ctx.memo(ctx.store.artifact_collections.get_type_by_pk).remember_all(
            ctx.store.artifact_collections.get_types_by_pks({a.type_pk for a in versions.values()})
        )

    return _search(
        ctx,
        "versions",
        query,
        order=order,
        first=first,
        after=after,
        last=last,
        before=before,
        node_of=rows.__getitem__,
        prime=prime,
        fetch=fetch,
    )


def _remember_collections(ctx: RequestContext, pks: set[int]) -> None:
    """Load a page's collections, their projects and the projects' entities in one query
    each, into the memos the artifact resolvers read."""
    collections = ctx.memo(ctx.store.artifact_collections.get_by_pk)
    live = [
        row
        for row in ctx.store.artifact_collections.get_by_pks(sorted(pks)).values()
        if row.state == "READY"
    ]
    for row in live:
        collections.remember(row.pk, row)
    projects = ctx.store.projects.get_by_pks(sorted({row.project_pk for row in live}))
    for project in projects.values():
        ctx.remember_project(project)
    wanted = sorted({project.entity_pk for project in projects.values()})
    ctx.memo(ctx.store.entities.get_by_pk).remember_all(ctx.store.entities.get_by_pks(wanted))


def _collection(ctx: RequestContext, pk: int) -> ArtifactCollectionRow | None:
    return ctx.memo(ctx.store.artifact_collections.get_by_pk)(pk)


def resolve_advanced_registry_features(_: Any, __: GraphQLResolveInfo) -> dict[str, Any]:
    # This server evaluates the fields, aliases and version orders of W&B's advanced search.
    return {"advanced_search": True}


# -- Project's registry fields --------------------------------------------------------------


def _registry(ctx: RequestContext, project: ProjectRow) -> bool:
    return is_registry_name(project.name) and ctx.store.registries.is_registry(project)


def resolve_allow_all_types(project: ProjectRow, info: GraphQLResolveInfo) -> bool:
    ctx = context(info)
    if not _registry(ctx, project):
        return False
    return ctx.store.registries.settings(project.pk).allow_all_artifact_types


def resolve_registry_artifact_types(
    project: ProjectRow, info: GraphQLResolveInfo, *, include_all: bool | None = None, **kw: Any
) -> dict[str, Any]:
    """A registry's artifact types with ``includeAll``: the types it allows (whether or not a
    collection has one yet); otherwise, and for other projects, the types in use."""
    ctx = context(info)
    if not include_all or not _registry(ctx, project):
        return resolve_project_artifact_types(project, info, **kw)
    allowed = ctx.store.registries.settings(project.pk).artifact_types
    used = {
        t.name
        for t in ctx.store.artifact_collections.list_types(project.pk, after_pk=0, limit=1000)
    }
    names = sorted(set(allowed) | used)
    return {
        "edges": [
            {"node": {"id": encode_id("ArtifactType", name), "name": name}, "cursor": ""}
            for name in names
        ],
        "page_info": {"has_next_page": False, "has_previous_page": False},
    }


def _role(name: str) -> dict[str, Any]:
    return {"name": name}


def resolve_project_members(project: ProjectRow, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    """A registry's user members with their roles (RegistryUserMembers)."""
    ctx = context(info)
    members = ctx.store.registries.members(project.pk, "user")
    ctx.expect_users(m.member_pk for m in members)
    answer = []
    for member in members:
        user = ctx.user(member.member_pk)
        if user is not None:
            fields = member_dict(Membership(user, member.role))
            answer.append({**fields, "role": _role(member.role)})
    return answer


def resolve_project_team_members(
    project: ProjectRow, info: GraphQLResolveInfo
) -> list[dict[str, Any]]:
    """A registry's team members with their roles (RegistryTeamMembers)."""
    ctx = context(info)
    answer = []
    for member in ctx.store.registries.members(project.pk, "team"):
        team = ctx.entity(member.member_pk)
        if team is not None:
            answer.append({"team": team, "role": _role(member.role)})
    return answer


def bindables() -> list[ObjectType]:
    """The types this module resolves fields of."""
    entity = ObjectType("Entity")
    entity.set_field("projects", resolve_org_entity_projects)
    entity.set_field("artifactCollections", resolve_entity_artifact_collections)
    entity.set_field("artifactMemberships", resolve_entity_artifact_memberships)

    organization = ObjectType("Organization")
    organization.set_field("advancedRegistryFeatures", resolve_advanced_registry_features)

    project = ObjectType("Project")
    project.set_field("allowAllArtifactTypesInRegistry", resolve_allow_all_types)
    project.set_field("artifactTypes", resolve_registry_artifact_types)
    project.set_field("members", resolve_project_members)
    project.set_field("teamMembers", resolve_project_team_members)
    return [entity, organization, project]
