"""Artifact versions: ``Query.artifact(id)``, the ``Artifact`` and ``ArtifactAlias`` types,
lineage (``createdBy``, ``usedBy``, ``Run.outputArtifacts``/``inputArtifacts``) and the manifest.

A version is readable when its project is; a deleted version is gone (``null``). Aliases of a
version are those of every collection it is a member of, each with its collection, so a
client can keep the ones of the collection it asked about (the official client does).
"""

from __future__ import annotations

from typing import Any

from ariadne import ObjectType, QueryType, UnionType
from graphql import GraphQLResolveInfo

from wandbkit.server.ids import decode_row_cursor, encode_id
from wandbkit.server.resolvers.artifact_common import (
    artifact_id,
    artifact_type,
    collection,
    decode_pk,
    limit_of,
    membership_by_name,
    page,
    prefetched_aliases,
    prefetched_membership,
    prefetched_tags,
    readable_artifact,
    readable_collection,
    readable_project,
    tag_node,
)
from wandbkit.server.resolvers.artifact_files import manifest_node
from wandbkit.server.resolvers.common import (
    Cursor,
    RequestContext,
    context,
    invalid_cursor,
    page_info,
)
from wandbkit.server.store import (
    AliasRow,
    ArtifactCollectionRow,
    ArtifactRow,
    ArtifactTypeRow,
    MembershipRow,
    ProjectRow,
    RunRow,
    UserRow,
)
from wandbkit.server.store.artifact_ttl import TTL_DISABLED, TTL_INHERIT

# -- Query ----------------------------------------------------------------------------------


def resolve_artifact(_: Any, info: GraphQLResolveInfo, *, id: str) -> ArtifactRow | None:
    """The version with this id (pending ones too), or ``null``."""
    return readable_artifact(context(info), decode_pk(id, "Artifact"))


def resolve_project_artifact(
    project: ProjectRow, info: GraphQLResolveInfo, *, name: str
) -> ArtifactRow | None:
    """``Project.artifact(name: "ds:v1")``: the committed version a name resolves to."""
    ctx = context(info)
    membership = membership_by_name(ctx, project, name)
    return readable_artifact(ctx, membership.artifact_pk) if membership else None


# -- Artifact ---------------------------------------------------------------------------------


def _membership_in(
    ctx: RequestContext, row: ArtifactRow, collection_name: str | None
) -> MembershipRow | None:
    """The version's membership of the named collection of its project (default: its
    sequence)."""
    memberships = ctx.store.artifact_memberships
    if collection_name is None:
        key = (row.sequence_pk, row.pk)
        return ctx.memo(prefetched_membership)(key) or memberships.get(*key)
    found = ctx.store.artifact_collections.get(row.project_pk, collection_name)
    return memberships.get(found.pk, row.pk) if found else None


def resolve_artifact_id(row: ArtifactRow, _: GraphQLResolveInfo) -> str:
    return artifact_id(row.pk)


def resolve_version_index(
    row: ArtifactRow, info: GraphQLResolveInfo, *, artifact_collection_name: str | None = None
) -> int | None:
    """The version's index in a collection (default: its sequence); ``null`` while pending."""
    membership = _membership_in(context(info), row, artifact_collection_name)
    return membership.version_index if membership and membership.live else None


def resolve_commit_hash(
    row: ArtifactRow, info: GraphQLResolveInfo, *, artifact_collection_name: str | None = None
) -> str | None:
    membership = _membership_in(context(info), row, artifact_collection_name)
    return membership.commit_hash if membership and membership.live else None


def resolve_artifact_aliases(
    row: ArtifactRow, info: GraphQLResolveInfo, *, artifact_collection_name: str | None = None
) -> list[AliasRow]:
    """The version's aliases in every live collection (or only the named one)."""
    ctx = context(info)
    aliases = ctx.memo(prefetched_aliases)(row.pk)
    if aliases is None:
        aliases = ctx.store.artifact_memberships.aliases_of_artifact(row.pk)
    # Only collections the viewer may read: a restricted registry's aliases stay hidden.
    live = [a for a in aliases if readable_collection(ctx, a.collection_pk) is not None]
    if artifact_collection_name is None:
        return live
    return [a for a in live if collection(ctx, a.collection_pk).name == artifact_collection_name]  # type: ignore[union-attr]


def resolve_artifact_metadata(row: ArtifactRow, _: GraphQLResolveInfo) -> str:
    return row.metadata


def resolve_artifact_type(row: ArtifactRow, info: GraphQLResolveInfo) -> ArtifactTypeRow:
    return artifact_type(context(info), row.type_pk)


def resolve_artifact_sequence(
    row: ArtifactRow, info: GraphQLResolveInfo
) -> ArtifactCollectionRow | None:
    ctx = context(info)
    return collection(ctx, row.sequence_pk) or ctx.store.artifact_collections.get_by_pk(
        row.sequence_pk, include_deleted=True
    )


def resolve_artifact_memberships(
    row: ArtifactRow,
    info: GraphQLResolveInfo,
    **_: Any,
) -> dict[str, Any]:
    """Every live membership of the version (its sequence first), in one page."""
    ctx = context(info)
    memberships = [
        m
        for m in ctx.store.artifact_memberships.of_artifact(row.pk)
        if readable_collection(ctx, m.collection_pk) is not None
    ]
    cursors = [Cursor(m.pk) for m in memberships]
    return {
        "edges": [{"node": m, "cursor": c} for m, c in zip(memberships, cursors, strict=True)],
        "page_info": page_info(cursors, has_next_page=False, has_previous_page=False),
    }


def resolve_artifact_tags(row: ArtifactRow, info: GraphQLResolveInfo) -> list[dict[str, Any]]:
    ctx = context(info)
    names = ctx.memo(prefetched_tags)(row.pk)
    if names is None:
        names = ctx.store.artifacts.tags(row.pk)
    return [tag_node(name) for name in names]


def resolve_ttl_duration_seconds(row: ArtifactRow, _: GraphQLResolveInfo) -> int:
    """Seconds, or ``-1`` (inherited, no policy here) / ``-2`` (disabled) without a TTL."""
    if row.ttl_duration_seconds is not None:
        return row.ttl_duration_seconds
    return TTL_INHERIT if row.ttl_is_inherited else TTL_DISABLED


def resolve_current_manifest(row: ArtifactRow, info: GraphQLResolveInfo) -> dict[str, Any]:
    return manifest_node(context(info), row)


def resolve_created_by(row: ArtifactRow, info: GraphQLResolveInfo) -> RunRow | UserRow | None:
    """The run that logged the version if the viewer may read it, else the user."""
    ctx = context(info)
    if row.created_by_run_pk is not None:
        run = ctx.run(row.created_by_run_pk)
        if run is not None and readable_project(ctx, run.project_pk) is not None:
            return run
        return None
    return ctx.user(row.created_by_user_pk) if row.created_by_user_pk is not None else None


def resolve_used_by(
    row: ArtifactRow,
    info: GraphQLResolveInfo,
    *,
    after: str | None = None,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    """The runs that used the version and that the viewer may read, in run order."""
    ctx = context(info)
    limit = limit_of(first, last, before)
    after_pk = _row_cursor(after)
    runs: list[RunRow] = []
    position = after_pk
    while len(runs) <= limit:
        pks = ctx.store.artifacts.users_of(row.pk, after_pk=position, limit=limit + 1)
        if not pks:
            break
        position = pks[-1]
        for pk in pks:
            run = ctx.run(pk)
            if run is not None and readable_project(ctx, run.project_pk) is not None:
                runs.append(run)
    return page(runs, limit, lambda r: (r.pk,), started=after_pk > 0)


def _row_cursor(after: str | None) -> int:
    if not after:
        return 0
    try:
        return decode_row_cursor(after)
    except ValueError:
        raise invalid_cursor() from None


# -- ArtifactAlias ------------------------------------------------------------------------


def resolve_alias_id(alias: AliasRow, _: GraphQLResolveInfo) -> str:
    return encode_id("ArtifactAlias", alias.pk)


def resolve_alias_collection(
    alias: AliasRow, info: GraphQLResolveInfo
) -> ArtifactCollectionRow | None:
    return readable_collection(context(info), alias.collection_pk)


# -- Run --------------------------------------------------------------------------------


def _run_artifacts(
    run: RunRow,
    info: GraphQLResolveInfo,
    *,
    used: bool,
    after: str | None,
    first: int | None,
    last: int | None,
    before: str | None,
) -> dict[str, Any]:
    ctx = context(info)
    limit = limit_of(first, last, before)
    after_pk = _row_cursor(after)
    artifacts = ctx.store.artifacts
    if used:
        rows = artifacts.used_by_run(run.pk, after_pk=after_pk, limit=limit + 1)
        total = artifacts.count_used_by_run(run.pk)
    else:
        rows = artifacts.logged_by_run(run.pk, after_pk=after_pk, limit=limit + 1)
        total = artifacts.count_logged_by_run(run.pk)
    # A run may use versions of projects the viewer cannot read: they are left out.
    visible = [r for r in rows if readable_project(ctx, r.project_pk) is not None]
    return page(
        visible, limit, lambda r: (r.pk,), started=after_pk > 0, extra={"total_count": total}
    )


def resolve_output_artifacts(
    run: RunRow,
    info: GraphQLResolveInfo,
    *,
    after: str | None = None,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    """The committed versions the run logged."""
    return _run_artifacts(run, info, used=False, after=after, first=first, last=last, before=before)


def resolve_input_artifacts(
    run: RunRow,
    info: GraphQLResolveInfo,
    *,
    after: str | None = None,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
    **_: Any,
) -> dict[str, Any]:
    """The committed versions the run used."""
    return _run_artifacts(run, info, used=True, after=after, first=first, last=last, before=before)


def _initiator_type(obj: Any, *_: Any) -> str:
    return "Run" if isinstance(obj, RunRow) else "User"


def bindables() -> list[ObjectType | QueryType | UnionType]:
    """``Query.artifact``, ``Project.artifact``, the Artifact and ArtifactAlias types and the
    Run artifact connections."""
    query = QueryType()
    query.set_field("artifact", resolve_artifact)

    project = ObjectType("Project")
    project.set_field("artifact", resolve_project_artifact)

    artifact = ObjectType("Artifact")
    artifact.set_field("id", resolve_artifact_id)
    artifact.set_field("versionIndex", resolve_version_index)
    artifact.set_field("commitHash", resolve_commit_hash)
    artifact.set_field("aliases", resolve_artifact_aliases)
    artifact.set_field("metadata", resolve_artifact_metadata)
    artifact.set_field("artifactType", resolve_artifact_type)
    artifact.set_field("artifactSequence", resolve_artifact_sequence)
    artifact.set_field("artifactMemberships", resolve_artifact_memberships)
    artifact.set_field("tags", resolve_artifact_tags)
    artifact.set_field("ttlDurationSeconds", resolve_ttl_duration_seconds)
    artifact.set_field("currentManifest", resolve_current_manifest)
    artifact.set_field("createdBy", resolve_created_by)
    artifact.set_field("usedBy", resolve_used_by)

    alias = ObjectType("ArtifactAlias")
    alias.set_field("id", resolve_alias_id)
    alias.set_field("artifactCollection", resolve_alias_collection)

    run = ObjectType("Run")
    run.set_field("outputArtifacts", resolve_output_artifacts)
    run.set_field("inputArtifacts", resolve_input_artifacts)

    initiator = UnionType("Initiator", _initiator_type)
    return [query, project, artifact, alias, run, initiator]
