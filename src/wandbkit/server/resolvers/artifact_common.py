"""What the artifact resolver modules share: opaque ids, read access, memoised look-ups and
small answer shapes (tags, cursors).

Every artifact, collection, membership and alias is reached through a project, and every
helper here answers ``None`` for one in a project the viewer may not read, as if it did not
exist (:meth:`~wandbkit.server.resolvers.common.RequestContext.readable`), so no path leaks a
private project's artifacts.
"""

from __future__ import annotations

from typing import Any

from wandbkit.server.ids import (
    InvalidCursorError,
    InvalidIdError,
    decode_cursor,
    decode_id,
    encode_id,
    parse_row_id,
)
from wandbkit.server.resolvers.common import (
    ClientError,
    Cursor,
    NotFound,
    PermissionDenied,
    RequestContext,
    forbid_backward_paging,
    invalid_cursor,
    page_info,
    page_size,
)
from wandbkit.server.store import (
    AliasRow,
    ArtifactCollectionRow,
    ArtifactRow,
    ArtifactTypeRow,
    MembershipRow,
    ProjectRow,
)
from wandbkit.server.store.artifact_collections import SEQUENCE
from wandbkit.server.store.registries import REGISTRY_PREFIX

#: The GraphQL type names of the two kinds of collection.
SEQUENCE_TYPENAME = "ArtifactSequence"
PORTFOLIO_TYPENAME = "ArtifactPortfolio"
#: Id type names a collection id may carry (W&B's own, and the interface's).
COLLECTION_ID_TYPES = (SEQUENCE_TYPENAME, PORTFOLIO_TYPENAME, "ArtifactCollection")


def artifact_id(pk: int) -> str:
    """The opaque id of artifact ``pk``."""
    return encode_id("Artifact", pk)


def collection_typename(collection: ArtifactCollectionRow) -> str:
    """``ArtifactSequence`` or ``ArtifactPortfolio``."""
    return SEQUENCE_TYPENAME if collection.kind == SEQUENCE else PORTFOLIO_TYPENAME


def collection_id(collection: ArtifactCollectionRow) -> str:
    """The opaque id of a collection (its type name says its kind, as on W&B)."""
    return encode_id(collection_typename(collection), collection.pk)


def decode_pk(value: Any, *types: str) -> int | None:
    """The row id an opaque id of one of ``types`` holds, or ``None`` for anything else."""
    if not isinstance(value, str):
        return None
    try:
        _, key = decode_id(value, *types)
    except InvalidIdError:
        return None
    return parse_row_id(key)


def require_pk(value: Any, operation: str, what: str, *types: str) -> int:
    """The row id of an id argument.

    Raises:
        ClientError: naming the operation and the argument, when it is not such an id.
    """
    pk = decode_pk(value, *types)
    if pk is None:
        raise ClientError(f"{operation}: {value!r} is not an id of {what}")
    return pk


def readable_project(ctx: RequestContext, project_pk: int) -> ProjectRow | None:
    """The project if the viewer may read it."""
    return ctx.readable(ctx.project(project_pk))


def artifact(ctx: RequestContext, pk: int) -> ArtifactRow | None:
    """Artifact ``pk`` (any state), memoised for the request, without an access check."""
    return ctx.memo(ctx.store.artifacts.get_by_pk)(pk)


def readable_artifact(ctx: RequestContext, pk: int | None) -> ArtifactRow | None:
    """Artifact ``pk`` if it exists, is not deleted, and the viewer may read its project."""
    if pk is None:
        return None
    row = artifact(ctx, pk)
    if row is None or row.state == "DELETED" or readable_project(ctx, row.project_pk) is None:
        return None
    return row


def collection(ctx: RequestContext, pk: int) -> ArtifactCollectionRow | None:
    """Live collection ``pk``, memoised, without an access check."""
    return ctx.memo(ctx.store.artifact_collections.get_by_pk)(pk)


def readable_collection(ctx: RequestContext, pk: int | None) -> ArtifactCollectionRow | None:
    """Live collection ``pk`` if the viewer may read its project."""
    if pk is None:
        return None
    row = collection(ctx, pk)
    if row is None or readable_project(ctx, row.project_pk) is None:
        return None
    return row


def artifact_type(ctx: RequestContext, pk: int) -> ArtifactTypeRow:
    """Artifact type ``pk``; it exists because a foreign key says so."""
    row = ctx.memo(ctx.store.artifact_collections.get_type_by_pk)(pk)
    assert row is not None
    return row


def split_artifact_name(name: str) -> tuple[str, str]:
    """``(collection, version or alias)`` of ``"ds:v3"``, ``"ds:latest"``; a bare name means
    ``latest``."""
    collection_name, sep, version = name.rpartition(":")
    if not sep:
        return name, "latest"
    return collection_name, version or "latest"


def membership_by_name(ctx: RequestContext, project: ProjectRow, name: str) -> MembershipRow | None:
    """The live membership ``"collection:version-or-alias"`` names in a readable project."""
    collection_name, version = split_artifact_name(name)
    found = ctx.store.artifact_collections.get(project.pk, collection_name)
    if found is None:
        return None
    membership = ctx.store.artifact_memberships.resolve(found.pk, version)
    if membership is None:
        return None
    row = artifact(ctx, membership.artifact_pk)
    return membership if row is not None and row.state == "COMMITTED" else None


def writable_project(ctx: RequestContext, project_pk: int, action: str) -> ProjectRow:
    """A project the viewer may change.

    Raises:
        NotFound: the viewer cannot read it (it does not exist for them).
        PermissionDenied: the viewer can read but not write it.
    """
    project = readable_project(ctx, project_pk)
    if project is None:
        raise NotFound(f"{action}: not found")
    registry_role = _registry_role(ctx, project)
    if registry_role in READ_ONLY_ROLES:
        raise PermissionDenied(
            f"permission denied: user {ctx.viewer.username!r} cannot {action} in registry "
            f"{project.name.removeprefix(REGISTRY_PREFIX)!r}: their role there is "
            f"{registry_role!r}, which may only read (a registry admin can make them a member)"
        )
    if registry_role is None:
        ctx.require_write(ctx.required_entity(project.entity_pk), action)
    return project


#: Registry roles that may read but not change anything (W&B's "Viewer" and
#: "Restricted Viewer").
READ_ONLY_ROLES = ("viewer", "restricted_viewer")


def _registry_role(ctx: RequestContext, project: ProjectRow) -> str | None:
    """The viewer's role in a registry project (``admin`` for instance and organization
    admins), or ``None`` for another project or a registry they hold no role in (then the
    entity's membership decides, as for any project)."""
    registries = ctx.store.registries
    if not registries.is_registry(project):
        return None
    entity = ctx.required_entity(project.entity_pk)
    if ctx.viewer.admin or (
        entity.organization_pk is not None
        and registries.is_org_admin(entity.organization_pk, ctx.viewer.pk)
    ):
        return "admin"
    return registries.role_of(project.pk, ctx.viewer.pk)


def check_registry_type(ctx: RequestContext, project: ProjectRow, type_name: str) -> None:
    """Refuse a version of a type the registry does not accept.

    Raises:
        ClientError: the registry lists its types and ``type_name`` is not one of them.
    """
    registries = ctx.store.registries
    if not registries.is_registry(project):
        return
    settings = registries.settings(project.pk)
    if settings.allow_all_artifact_types or type_name in settings.artifact_types:
        return
    accepted = ", ".join(repr(name) for name in settings.artifact_types) or "none"
    raise ClientError(
        f"linkArtifact: registry {project.name.removeprefix(REGISTRY_PREFIX)!r} accepts "
        f"artifact types {accepted}, not {type_name!r}"
    )


def tag_node(name: str) -> dict[str, Any]:
    """A ``Tag`` answer."""
    return {"id": encode_id("Tag", name), "name": name}


def tag_connection(names: list[str]) -> dict[str, Any]:
    """A ``TagConnection`` answer."""
    return {"edges": [{"node": tag_node(name)} for name in names]}


def keyset_after(after: str | None, size: int) -> list[int | str] | None:
    """The keyset values of an ``after`` cursor that must hold ``size`` values.

    Raises:
        ClientError: a cursor this server did not hand out for such a listing.
    """
    if not after:
        return None
    try:
        keys = decode_cursor(after)
    except InvalidCursorError:
        raise invalid_cursor() from None
    if len(keys) != size:
        raise invalid_cursor()
    return keys


def page(
    rows: list[Any],
    limit: int,
    cursor_of: Any,
    *,
    started: bool,
    node_of: Any = None,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A relay connection from ``limit + 1`` fetched rows (the extra one says whether there is
    a next page); ``cursor_of(row)`` gives the keyset values, ``node_of(row)`` the edge (the
    row as ``node`` by default)."""
    shown = rows[:limit]
    cursors = [Cursor(*cursor_of(row)) for row in shown]
    edges = [
        {**(node_of(row) if node_of else {"node": row}), "cursor": cursor}
        for row, cursor in zip(shown, cursors, strict=True)
    ]
    return {
        "edges": edges,
        "page_info": page_info(cursors, has_next_page=len(rows) > limit, has_previous_page=started),
        **(extra or {}),
    }


def limit_of(first: int | None, last: int | None, before: str | None) -> int:
    """The page size for ``first`` (forward paging only).

    Raises:
        ClientError: ``last``/``before`` or a negative ``first``.
    """
    forbid_backward_paging(last, before)
    return page_size(first)


# -- what a page of versions loads at once ---------------------------------------------------
#
# A page of versions needs, per version, its membership of its sequence (``versionIndex``,
# ``commitHash``), its aliases and its tags: loaded per version, that is three queries each.
# The listing resolvers load them for the whole page in three queries and leave them in the
# request's memos below; the field resolvers look there first. The loaders answer ``None``
# ("not loaded": query as usual), so nothing but a page's own rows is ever served from them.


def prefetched_membership(_: tuple[int, int]) -> MembershipRow | None:
    """Memo loader of ``(collection pk, artifact pk)`` memberships a page loaded."""
    return None


def prefetched_aliases(_: int) -> list[AliasRow] | None:
    """Memo loader of the aliases of the versions of a page in every collection, by artifact
    pk (in each collection ``latest`` first, then by name)."""
    return None


def prefetched_tags(_: int) -> list[str] | None:
    """Memo loader of the tags of the versions of a page, by artifact pk."""
    return None


def prefetch_versions(ctx: RequestContext, artifacts: dict[int, ArtifactRow]) -> None:
    """Load what the versions of a page will be asked for in a few queries, not per version:
    the versions (for ``artifact``), their memberships of their own sequences
    (``versionIndex``, ``commitHash``), their aliases in every collection (``aliases``, and a
    membership's ``aliases``) and their tags."""
    store = ctx.store
    ctx.memo(store.artifacts.get_by_pk).remember_all(artifacts)
    pks = list(artifacts)
    own = ctx.memo(prefetched_membership).remember
    for membership in store.artifact_memberships.own_of_artifacts(pks):
        own((membership.collection_pk, membership.artifact_pk), membership)
    ctx.memo(prefetched_aliases).remember_all(store.artifact_memberships.aliases_of_artifacts(pks))
    ctx.memo(prefetched_tags).remember_all(store.artifacts.tags_of_artifacts(pks))
