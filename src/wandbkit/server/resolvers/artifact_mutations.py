"""The mutations the official client sends when it edits artifacts: ``updateArtifact``,
``addAliases``/``deleteAliases``, ``deleteArtifact``, ``linkArtifact``/``unlinkArtifact``,
``updateArtifactSequence``/``updateArtifactPortfolio``/``moveArtifactSequence``,
``deleteArtifactSequence``/``deleteArtifactPortfolio``, the collection tag assignments and
``useArtifact``.

Each names what it changes by id or by ``entity/project/collection``; what the viewer cannot
read is "not found" (``NOT_FOUND``), what they can read but not change is
``PERMISSION_DENIED``. The store's refusals reach the client with their own codes
(``BAD_USER_INPUT``, ``FAILED_PRECONDITION`` for a version that still has aliases),
translated in one place (:func:`~wandbkit.server.resolvers.errors.client_errors`).
"""

from __future__ import annotations

from typing import Any

from ariadne import MutationType
from graphql import GraphQLResolveInfo

from wandbkit.server.resolvers.artifact_common import (
    COLLECTION_ID_TYPES,
    PORTFOLIO_TYPENAME,
    SEQUENCE_TYPENAME,
    check_registry_type,
    readable_artifact,
    readable_collection,
    require_pk,
    tag_node,
    writable_project,
)
from wandbkit.server.resolvers.common import NotFound, RequestContext, context
from wandbkit.server.resolvers.errors import STORE_ERRORS, client_errors
from wandbkit.server.resolvers.runs import require_writable_run
from wandbkit.server.store import ArtifactCollectionRow, ArtifactRow, ProjectRow
from wandbkit.server.store.artifact_collections import PORTFOLIO, SEQUENCE


def _artifact(ctx: RequestContext, artifact_id: Any, operation: str) -> ArtifactRow:
    """A version the viewer may read.

    Raises:
        ClientError: not an artifact id.
        NotFound: no such version, deleted, or unreadable.
    """
    row = readable_artifact(ctx, require_pk(artifact_id, operation, "an artifact", "Artifact"))
    if row is None:
        raise NotFound(f"{operation}: artifact {artifact_id!r} not found")
    return row


def _writable_artifact(ctx: RequestContext, artifact_id: Any, operation: str) -> ArtifactRow:
    row = _artifact(ctx, artifact_id, operation)
    writable_project(ctx, row.project_pk, f"{operation}: change artifacts")
    return row


def _collection(
    ctx: RequestContext, collection_id: Any, operation: str, kind: str | None = None
) -> ArtifactCollectionRow:
    """A live collection the viewer may change (of ``kind`` if given).

    Raises:
        ClientError: not a collection id.
        NotFound: no such live collection of that kind, or unreadable.
        PermissionDenied: readable but not writable.
    """
    types: tuple[str, ...] = COLLECTION_ID_TYPES
    if kind is not None:
        types = (
            SEQUENCE_TYPENAME if kind == SEQUENCE else PORTFOLIO_TYPENAME,
            "ArtifactCollection",
        )
    row = readable_collection(ctx, require_pk(collection_id, operation, "a collection", *types))
    if row is None or (kind is not None and row.kind != kind):
        raise NotFound(f"{operation}: collection {collection_id!r} not found")
    writable_project(ctx, row.project_pk, f"{operation}: change collections")
    return row


def _project(
    ctx: RequestContext, entity_name: str, project_name: str, operation: str
) -> ProjectRow:
    """A project by names that the viewer may read (not found otherwise)."""
    project = ctx.readable(ctx.store.projects.find(entity_name, project_name))
    if project is None:
        raise NotFound(f"{operation}: project {entity_name}/{project_name} not found")
    return project


def _named_collection(
    ctx: RequestContext, input: dict[str, Any], operation: str
) -> ArtifactCollectionRow:
    project = _project(ctx, input["entity_name"], input["project_name"], operation)
    found = ctx.store.artifact_collections.get(project.pk, input["artifact_collection_name"])
    if found is None:
        raise NotFound(
            f"{operation}: collection {input['entity_name']}/{input['project_name']}/"
            f"{input['artifact_collection_name']} not found"
        )
    writable_project(ctx, project.pk, f"{operation}: change collections")
    return found


def _tag_names(tags: list[dict[str, Any]] | None) -> list[str]:
    return [tag["tag_name"] for tag in tags or ()]


def _forget(ctx: RequestContext, pk: int) -> None:
    ctx.memo(ctx.store.artifacts.get_by_pk).forget(pk)


# -- versions ---------------------------------------------------------------------------------


def resolve_update_artifact(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Change a version's description, metadata, TTL (``-1`` inherit, ``-2`` none) and tags;
    ``aliases`` (legacy) gives it exactly these aliases in each named collection."""
    ctx = context(info)
    row = _writable_artifact(ctx, input["artifact_id"], "updateArtifact")
    store = ctx.store
    with client_errors("updateArtifact", errors=STORE_ERRORS), store.transaction():
        store.artifacts.update(
            row.pk,
            description=input.get("description"),
            metadata=input.get("metadata"),
            ttl_duration_seconds=input.get("ttl_duration_seconds"),
        )
        store.artifacts.add_tags(row.pk, _tag_names(input.get("tags_to_add")))
        store.artifacts.remove_tags(row.pk, _tag_names(input.get("tags_to_delete")))
        by_collection: dict[str, list[str]] = {}
        for alias in input.get("aliases") or ():
            by_collection.setdefault(alias["artifact_collection_name"], []).append(alias["alias"])
        for name, aliases in by_collection.items():
            found = store.artifact_collections.get(row.project_pk, name)
            if found is None or store.artifact_memberships.get(found.pk, row.pk) is None:
                raise NotFound(f"updateArtifact: the artifact is not in collection {name!r}")
            current = [a.alias for a in store.artifact_memberships.aliases(found.pk, row.pk)]
            store.artifact_memberships.remove_aliases(found.pk, row.pk, current)
            store.artifact_memberships.set_aliases(found.pk, row.pk, aliases)
    _forget(ctx, row.pk)
    return {"artifact": store.artifacts.get_by_pk(row.pk)}


def _alias_targets(
    ctx: RequestContext, input: dict[str, Any], operation: str
) -> tuple[ArtifactRow, list[tuple[ArtifactCollectionRow, str]]]:
    row = _artifact(ctx, input["artifact_id"], operation)
    targets = []
    for alias in input["aliases"]:
        found = _named_collection(ctx, alias, operation)
        membership = ctx.store.artifact_memberships.get(found.pk, row.pk)
        if membership is None or not membership.live:
            raise NotFound(f"{operation}: the artifact is not in collection {found.name!r}")
        targets.append((found, alias["alias"]))
    return row, targets


def resolve_add_aliases(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Give a version aliases in collections it is a member of (taken from other versions)."""
    ctx = context(info)
    row, targets = _alias_targets(ctx, input, "addAliases")
    with client_errors("addAliases", errors=STORE_ERRORS), ctx.store.transaction():
        for found, alias in targets:
            ctx.store.artifact_memberships.set_aliases(found.pk, row.pk, [alias])
    return {"success": True}


def resolve_delete_aliases(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Take aliases from a version (``latest`` follows the newest version, not requests)."""
    ctx = context(info)
    row, targets = _alias_targets(ctx, input, "deleteAliases")
    with ctx.store.transaction():
        for found, alias in targets:
            ctx.store.artifact_memberships.remove_aliases(found.pk, row.pk, [alias])
    return {"success": True}


def resolve_delete_artifact(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Delete a version; one with aliases only with ``deleteAliases: true``."""
    ctx = context(info)
    row = _writable_artifact(ctx, input["artifact_id"], "deleteArtifact")
    with client_errors("deleteArtifact", errors=STORE_ERRORS):
        deleted = ctx.store.artifacts.delete(
            row.pk, delete_aliases=bool(input.get("delete_aliases"))
        )
    _forget(ctx, row.pk)
    return {"artifact": deleted}


def resolve_link_artifact(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Link a committed version into a portfolio (by id, or by name in ``entityName/
    projectName``, made with the version's type if missing) with aliases; linking again
    only adds the aliases."""
    ctx = context(info)
    row = _artifact(ctx, input.get("artifact_id"), "linkArtifact")
    if row.state != "COMMITTED":
        raise NotFound("linkArtifact: the artifact is not committed")
    store = ctx.store
    type_row = ctx.memo(store.artifact_collections.get_type_by_pk)(row.type_pk)
    assert type_row is not None
    with client_errors("linkArtifact", errors=STORE_ERRORS), store.transaction():
        if input.get("artifact_portfolio_id"):
            portfolio = _collection(ctx, input["artifact_portfolio_id"], "linkArtifact", PORTFOLIO)
            target = ctx.project(portfolio.project_pk)
            assert target is not None
            check_registry_type(ctx, target, type_row.name)
        else:
            name = input.get("artifact_portfolio_name")
            if not name:
                raise NotFound("linkArtifact: give artifactPortfolioID or artifactPortfolioName")
            source = ctx.project(row.project_pk)
            assert source is not None
            entity = input.get("entity_name") or ctx.required_entity(source.entity_pk).name
            project = _project(
                ctx, entity, input.get("project_name") or source.name, "linkArtifact"
            )
            writable_project(ctx, project.pk, "linkArtifact: link artifacts")
            check_registry_type(ctx, project, type_row.name)
            portfolio = store.artifact_collections.ensure(
                project.pk, type_row.name, name, kind=PORTFOLIO
            )
        membership = store.artifact_memberships.add(portfolio.pk, row.pk)
        aliases = [a["alias"] for a in input.get("aliases") or ()]
        store.artifact_memberships.set_aliases(portfolio.pk, row.pk, aliases)
    return {"version_index": membership.version_index, "artifact_membership": membership}


def resolve_unlink_artifact(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Remove a version from a portfolio (with its aliases there)."""
    ctx = context(info)
    row = _artifact(ctx, input["artifact_id"], "unlinkArtifact")
    portfolio = _collection(ctx, input["artifact_portfolio_id"], "unlinkArtifact", PORTFOLIO)
    if not ctx.store.artifact_memberships.remove(portfolio.pk, row.pk):
        raise NotFound("unlinkArtifact: the artifact is not linked into that portfolio")
    return {"success": True}


def resolve_use_artifact(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Record that a run used a version (of its own project, or of ``artifactEntityName/
    artifactProjectName``); the run must be writable, the version readable."""
    ctx = context(info)
    run = ctx.store.runs.find(input["entity_name"], input["project_name"], input["run_name"])
    if run is None:
        raise NotFound(
            f"useArtifact: run {input['entity_name']}/{input['project_name']}/"
            f"{input['run_name']} not found"
        )
    require_writable_run(ctx, run, "use artifacts")
    row = _artifact(ctx, input["artifact_id"], "useArtifact")
    with client_errors("useArtifact", errors=STORE_ERRORS):
        ctx.store.artifacts.use(row.pk, run.pk, input.get("used_as"))
    return {"artifact": row}


# -- collections ------------------------------------------------------------------------------


def _update_collection(
    info: GraphQLResolveInfo, input: dict[str, Any], key: str, kind: str, operation: str
) -> Any:
    ctx = context(info)
    found = _collection(ctx, input[key], operation, kind)
    with client_errors(operation, errors=STORE_ERRORS):
        updated = ctx.store.artifact_collections.update(
            found.pk, name=input.get("name"), description=input.get("description")
        )
    ctx.memo(ctx.store.artifact_collections.get_by_pk).forget(found.pk)
    return {"artifact_collection": updated}


def resolve_update_artifact_sequence(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    """Rename a sequence or change its description."""
    return _update_collection(
        info, input, "artifact_sequence_id", SEQUENCE, "updateArtifactSequence"
    )


def resolve_update_artifact_portfolio(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    """Rename a portfolio or change its description."""
    return _update_collection(
        info, input, "artifact_portfolio_id", PORTFOLIO, "updateArtifactPortfolio"
    )


def resolve_move_artifact_sequence(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    """Give a sequence (and its versions) another type."""
    ctx = context(info)
    found = _collection(ctx, input["artifact_sequence_id"], "moveArtifactSequence", SEQUENCE)
    with client_errors("moveArtifactSequence", errors=STORE_ERRORS):
        moved = ctx.store.artifacts.move_sequence(found.pk, input["destination_artifact_type_name"])
    ctx.memo(ctx.store.artifact_collections.get_by_pk).forget(found.pk)
    return {"artifact_collection": moved}


def _delete_collection(
    info: GraphQLResolveInfo, collection_id: Any, kind: str, operation: str
) -> Any:
    ctx = context(info)
    found = _collection(ctx, collection_id, operation, kind)
    with client_errors(operation, errors=STORE_ERRORS):
        deleted = ctx.store.artifacts.delete_collection(found)
    ctx.memo(ctx.store.artifact_collections.get_by_pk).forget(found.pk)
    return {"artifact_collection": deleted}


def resolve_delete_artifact_sequence(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    """Delete a sequence and its versions."""
    return _delete_collection(
        info, input["artifact_sequence_id"], SEQUENCE, "deleteArtifactSequence"
    )


def resolve_delete_artifact_portfolio(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    """Delete a portfolio (its versions stay in their sequences)."""
    return _delete_collection(
        info, input["artifact_portfolio_id"], PORTFOLIO, "deleteArtifactPortfolio"
    )


def resolve_add_collection_tags(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Tag a collection; answers the tags given."""
    ctx = context(info)
    found = _named_collection(ctx, input, "createArtifactCollectionTagAssignments")
    with client_errors("createArtifactCollectionTagAssignments", errors=STORE_ERRORS):
        names = ctx.store.artifact_collections.add_tags(found.pk, _tag_names(input["tags"]))
    return {"tags": [tag_node(name) for name in names]}


def resolve_delete_collection_tags(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    """Remove tags from a collection."""
    ctx = context(info)
    found = _named_collection(ctx, input, "deleteArtifactCollectionTagAssignments")
    ctx.store.artifact_collections.remove_tags(found.pk, _tag_names(input["tags"]))
    return {"success": True}


def bindables() -> list[MutationType]:
    """The artifact edit mutations."""
    mutation = MutationType()
    mutation.set_field("updateArtifact", resolve_update_artifact)
    mutation.set_field("addAliases", resolve_add_aliases)
    mutation.set_field("deleteAliases", resolve_delete_aliases)
    mutation.set_field("deleteArtifact", resolve_delete_artifact)
    mutation.set_field("linkArtifact", resolve_link_artifact)
    mutation.set_field("unlinkArtifact", resolve_unlink_artifact)
    mutation.set_field("useArtifact", resolve_use_artifact)
    mutation.set_field("updateArtifactSequence", resolve_update_artifact_sequence)
    mutation.set_field("updateArtifactPortfolio", resolve_update_artifact_portfolio)
    mutation.set_field("moveArtifactSequence", resolve_move_artifact_sequence)
    mutation.set_field("deleteArtifactSequence", resolve_delete_artifact_sequence)
    mutation.set_field("deleteArtifactPortfolio", resolve_delete_artifact_portfolio)
    mutation.set_field("createArtifactCollectionTagAssignments", resolve_add_collection_tags)
    mutation.set_field("deleteArtifactCollectionTagAssignments", resolve_delete_collection_tags)
    return [mutation]
