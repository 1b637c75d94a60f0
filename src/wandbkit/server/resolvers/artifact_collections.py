"""Artifact types, collections and memberships: ``Project.artifactTypes``/``artifactType``/
``artifactCollections``/``artifactCollection``/``artifactCollectionMembership``,
``Query.artifactCollection(id)``, the ``ArtifactType``, ``ArtifactSequence``,
``ArtifactPortfolio`` (behind the ``ArtifactCollection`` interface) and
``ArtifactCollectionMembership`` types.

Listings are filtered and ordered by the store in SQL; their cursors hold the keyset values
of the last row (``(sort value, pk)`` for collections, the version index for versions).
"""

from __future__ import annotations

from typing import Any

from ariadne import InterfaceType, ObjectType, QueryType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import encode_id
from wandbkit.server.resolvers.artifact_common import (
    COLLECTION_ID_TYPES,
    artifact_type,
    collection_id,
    collection_typename,
    decode_pk,
    keyset_after,
    limit_of,
    membership_by_name,
    page,
    prefetch_versions,
    prefetched_aliases,
    readable_artifact,
    readable_collection,
    readable_project,
    tag_connection,
)
from wandbkit.server.resolvers.artifact_files import resolve_membership_files
from wandbkit.server.resolvers.common import context, invalid_cursor
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.store import (
    AliasRow,
    ArtifactCollectionRow,
    ArtifactRow,
    ArtifactTypeRow,
    MembershipRow,
    ProjectRow,
)

# -- Query and Project -------------------------------------------------------------------------


def resolve_artifact_collection_by_id(
    _: Any, info: GraphQLResolveInfo, *, id: str
) -> ArtifactCollectionRow | None:
    """The live collection with this id, or ``null``."""
    return readable_collection(context(info), decode_pk(id, *COLLECTION_ID_TYPES))


def resolve_project_artifact_types(
    project: ProjectRow,
    info: GraphQLResolveInfo,
    *,
    after: str | None = None,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    """The project's artifact types in creation order."""
    ctx = context(info)
    limit = limit_of(first, last, before)
    keys = keyset_after(after, 1)
    after_pk = _int_key(keys[0]) if keys else 0
    rows = ctx.store.artifact_collections.list_types(project.pk, after_pk=after_pk, limit=limit + 1)
    return page(rows, limit, lambda t: (t.pk,), started=after_pk > 0)


def _int_key(value: int | str) -> int:
    if not isinstance(value, int):
        raise invalid_cursor()
    return value


def resolve_project_artifact_type(
    project: ProjectRow, info: GraphQLResolveInfo, *, name: str
) -> ArtifactTypeRow | None:
    return context(info).store.artifact_collections.get_type(project.pk, name)


def resolve_project_artifact_collection(
    project: ProjectRow, info: GraphQLResolveInfo, *, name: str
) -> ArtifactCollectionRow | None:
    return context(info).store.artifact_collections.get(project.pk, name)


def resolve_project_membership(
    project: ProjectRow, info: GraphQLResolveInfo, *, name: str
) -> MembershipRow | None:
    """``artifactCollectionMembership(name: "ds:v0")``: a version of a collection by version,
    alias, commit hash or digest."""
    return membership_by_name(context(info), project, name)


def collections_connection(
    project_pk: int,
    info: GraphQLResolveInfo,
    *,
    type_pk: int | None,
    after: str | None = None,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
    order: str | None = None,
    filters: Any = None,
    collection_types: list[str] | None = None,
) -> dict[str, Any]:
    """A page of a project's live collections (of one type if ``type_pk``), for
    ``Project.artifactCollections`` and ``ArtifactType.artifactCollections``."""
    ctx = context(info)
    limit = limit_of(first, last, before)
    keys = keyset_after(after, 2)
    collections = ctx.store.artifact_collections
    with client_errors():
        start = (keys[0], _int_key(keys[1])) if keys else None
        rows = collections.listing(
            project_pk,
            type_pk=type_pk,
            kinds=collection_types,
            filters=filters,
            order=order,
            after=start,
            limit=limit + 1,
        )
        total = collections.count(
            project_pk, type_pk=type_pk, kinds=collection_types, filters=filters
        )
    return page(
        rows,
        limit,
        lambda c: (collections.sort_value(c, order), c.pk),
        started=start is not None,
        extra={"total_count": total},
    )


def resolve_project_artifact_collections(
    project: ProjectRow, info: GraphQLResolveInfo, **arguments: Any
) -> dict[str, Any]:
    """Every live collection of the project (all types), filtered and ordered (the
    connection's arguments as :func:`collections_connection` takes them)."""
    return collections_connection(project.pk, info, type_pk=None, **arguments)


# -- ArtifactType -----------------------------------------------------------------------------


def resolve_type_id(row: ArtifactTypeRow, _: GraphQLResolveInfo) -> str:
    return encode_id("ArtifactType", row.pk)


def resolve_type_collection(
    row: ArtifactTypeRow, info: GraphQLResolveInfo, *, name: str
) -> ArtifactCollectionRow | None:
    """The live collection ``name`` if it has this type."""
    found = context(info).store.artifact_collections.get(row.project_pk, name)
    return found if found is not None and found.type_pk == row.pk else None


def resolve_type_collections(
    row: ArtifactTypeRow, info: GraphQLResolveInfo, **arguments: Any
) -> dict[str, Any]:
    """The type's live collections, filtered and ordered."""
    return collections_connection(row.project_pk, info, type_pk=row.pk, **arguments)


# -- ArtifactSequence / ArtifactPortfolio ---------------------------------------------------------


def resolve_collection_id(row: ArtifactCollectionRow, _: GraphQLResolveInfo) -> str:
    return collection_id(row)


def resolve_collection_project(row: ArtifactCollectionRow, info: GraphQLResolveInfo) -> ProjectRow:
    project = readable_project(context(info), row.project_pk)
    assert project is not None  # the collection was reached through a readable project
    return project


def resolve_default_type(row: ArtifactCollectionRow, info: GraphQLResolveInfo) -> ArtifactTypeRow:
    return artifact_type(context(info), row.type_pk)


def resolve_collection_tags(
    row: ArtifactCollectionRow, info: GraphQLResolveInfo, **_: Any
) -> dict[str, Any]:
    return tag_connection(context(info).store.artifact_collections.tags(row.pk))


def resolve_latest_artifact(
    row: ArtifactCollectionRow, info: GraphQLResolveInfo
) -> ArtifactRow | None:
    ctx = context(info)
    latest = ctx.store.artifact_memberships.resolve(row.pk, "latest")
    return readable_artifact(ctx, latest.artifact_pk) if latest else None


def resolve_collection_membership(
    row: ArtifactCollectionRow, info: GraphQLResolveInfo, *, alias_name: str
) -> MembershipRow | None:
    """A member by version (``v0``), alias, commit hash or digest."""
    ctx = context(info)
    membership = ctx.store.artifact_memberships.resolve(row.pk, alias_name)
    if membership is None or readable_artifact(ctx, membership.artifact_pk) is None:
        return None
    return membership


def resolve_collection_artifacts(
    row: ArtifactCollectionRow,
    info: GraphQLResolveInfo,
    *,
    after: str | None = None,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
    order: str | None = None,
    filters: Any = None,
) -> dict[str, Any]:
    """A page of the collection's versions (newest first by default); each edge carries its
    ``version`` in this collection."""
    ctx = context(info)
    limit = limit_of(first, last, before)
    keys = keyset_after(after, 1)
    after_index = _int_key(keys[0]) if keys else None
    memberships = ctx.store.artifact_memberships
    with client_errors():
        rows = memberships.versions(
            row.pk, filters=filters, order=order, after_index=after_index, limit=limit + 1
        )
        total = memberships.count_versions(row.pk, filters=filters)
    # The extra row only tells whether another page exists: its version is not shown.
    artifacts = ctx.store.artifacts.get_by_pks([m.artifact_pk for m in rows[:limit]])
    prefetch_versions(ctx, artifacts)
    return page(
        rows,
        limit,
        lambda m: (m.version_index,),
        started=after_index is not None,
        node_of=lambda m: {"node": artifacts[m.artifact_pk], "version": f"v{m.version_index}"},
        extra={"total_count": total},
    )


def resolve_collection_aliases(
    row: ArtifactCollectionRow,
    info: GraphQLResolveInfo,
    *,
    after: str | None = None,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """The collection's aliases in creation order."""
    ctx = context(info)
    limit = limit_of(first, last, before)
    keys = keyset_after(after, 1)
    after_pk = _int_key(keys[0]) if keys else 0
    rows = ctx.store.artifact_memberships.collection_aliases(
        row.pk, after_pk=after_pk, limit=limit + 1
    )
    return page(rows, limit, lambda a: (a.pk,), started=after_pk > 0)


# -- ArtifactCollectionMembership ------------------------------------------------------------


def resolve_membership_id(membership: MembershipRow, _: GraphQLResolveInfo) -> str:
    return encode_id("ArtifactCollectionMembership", membership.pk)


def resolve_membership_collection(
    membership: MembershipRow, info: GraphQLResolveInfo
) -> ArtifactCollectionRow | None:
    return readable_collection(context(info), membership.collection_pk)


def resolve_membership_artifact(
    membership: MembershipRow, info: GraphQLResolveInfo
) -> ArtifactRow | None:
    return readable_artifact(context(info), membership.artifact_pk)


def resolve_membership_aliases(
    membership: MembershipRow, info: GraphQLResolveInfo
) -> list[AliasRow]:
    ctx = context(info)
    every = ctx.memo(prefetched_aliases)(membership.artifact_pk)
    if every is not None:  # a page loaded them (artifact_common.prefetch_versions)
        return [alias for alias in every if alias.collection_pk == membership.collection_pk]
    return ctx.store.artifact_memberships.aliases(membership.collection_pk, membership.artifact_pk)


def _collection_type(obj: Any, *_: Any) -> str:
    assert isinstance(obj, ArtifactCollectionRow)
    return collection_typename(obj)


def bindables() -> list[ObjectType | QueryType | InterfaceType]:
    """The collection fields of Query and Project, and the type, collection and membership
    types."""
    query = QueryType()
    query.set_field("artifactCollection", resolve_artifact_collection_by_id)

    project = ObjectType("Project")
    project.set_field("artifactTypes", resolve_project_artifact_types)
    project.set_field("artifactType", resolve_project_artifact_type)
    project.set_field("artifactCollection", resolve_project_artifact_collection)
    project.set_field("artifactCollections", resolve_project_artifact_collections)
    project.set_field("artifactCollectionMembership", resolve_project_membership)

    artifact_type_ = ObjectType("ArtifactType")
    artifact_type_.set_field("id", resolve_type_id)
    artifact_type_.set_field("artifactCollection", resolve_type_collection)
    artifact_type_.set_field("artifactCollections", resolve_type_collections)

    interface = InterfaceType("ArtifactCollection", _collection_type)
    kinds = [interface]
    for typename in ("ArtifactSequence", "ArtifactPortfolio"):
        kind = ObjectType(typename)
        kind.set_field("id", resolve_collection_id)
        kind.set_field("project", resolve_collection_project)
        kind.set_field("defaultArtifactType", resolve_default_type)
        kind.set_field("tags", resolve_collection_tags)
        kind.set_field("artifactMembership", resolve_collection_membership)
        kind.set_field("artifacts", resolve_collection_artifacts)
        kind.set_field("aliases", resolve_collection_aliases)
        kinds.append(kind)  # type: ignore[arg-type]
    kinds[1].set_field("latestArtifact", resolve_latest_artifact)

    membership = ObjectType("ArtifactCollectionMembership")
    membership.set_field("id", resolve_membership_id)
    membership.set_field("artifactCollection", resolve_membership_collection)
    membership.set_field("artifact", resolve_membership_artifact)
    membership.set_field("aliases", resolve_membership_aliases)
    membership.set_field("files", resolve_membership_files)
    return [query, project, artifact_type_, *kinds, membership]
