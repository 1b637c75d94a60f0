"""Publishing a version, as the official SDK (wandb-core) does it: ``createArtifact`` ->
``createArtifactManifest`` -> ``createArtifactFiles`` -> ``PUT`` each upload URL ->
``createArtifactManifest`` again with the manifest's digest -> ``PUT`` the manifest ->
``commitArtifact`` (official-sdk-wire REPORT.md §4).

* ``createArtifact`` makes a ``PENDING`` version (the sequence and type if missing); with
  ``enableDigestDeduplication`` a committed version of the same digest is answered instead,
  ``COMMITTED``, and the client uploads nothing.
* ``createArtifactFiles`` answers one file per spec, in order: ``uploadUrl: null`` when the
  content is already stored (by md5, whichever version stored it; ``artifact`` is then the
  version that did, the file's ``birthArtifactID``), else a signed ``PUT`` URL bound to the md5.
* ``commitArtifact`` commits in one transaction (every file's bytes present, the digest
  matching the manifest), so a publish that stops half way leaves a pending version that is
  never listed, and publishing again starts clean.

* A spec with ``uploadPartsInput`` (wandb-core sends it for files of 2 GiB and more) is answered
  with ``uploadUrl: null`` and one signed URL per part; ``completeMultipartUploadArtifact``
  joins the parts into the blob (:mod:`wandbkit.server.multipart`).
"""

from __future__ import annotations

from typing import Any

from ariadne import MutationType
from graphql import GraphQLResolveInfo

from wandbkit.server.blobs import md5_hex
from wandbkit.server.multipart import MultipartError, MultipartParts, check_part_specs
from wandbkit.server.resolvers.artifact_common import (
    readable_artifact,
    require_pk,
    writable_project,
)
from wandbkit.server.resolvers.artifact_files import manifest_node, upload_file
from wandbkit.server.resolvers.common import ClientError, NotFound, RequestContext, context
from wandbkit.server.resolvers.errors import STORE_ERRORS, client_errors
from wandbkit.server.signing import ARTIFACT_MULTIPART, InvalidSignatureError
from wandbkit.server.store import ArtifactRow, ProjectRow
from wandbkit.server.store.artifact_manifests import check_manifest_path, check_md5
from wandbkit.server.store.text import check_name

#: The most file specs one ``createArtifactFiles`` call may carry.
MAX_FILE_SPECS = 10_000


def _pending(ctx: RequestContext, artifact_id: Any, operation: str) -> ArtifactRow:
    """A version the viewer may change that is still being published.

    Raises:
        NotFound: unknown or unreadable.
        PermissionDenied: readable but not writable.
        ClientError: already committed (``FAILED_PRECONDITION``).
    """
    row = readable_artifact(ctx, require_pk(artifact_id, operation, "an artifact", "Artifact"))
    if row is None:
        raise NotFound(f"{operation}: artifact {artifact_id!r} not found")
    writable_project(ctx, row.project_pk, f"{operation}: publish artifacts")
    if row.state != "PENDING":
        raise ClientError(
            f"{operation}: artifact {artifact_id!r} is already committed",
            code="FAILED_PRECONDITION",
        )
    return row


def _target_project(ctx: RequestContext, entity_name: str, project_name: str) -> ProjectRow:
    """The project to publish into (made if missing, as ``upsertBucket`` does)."""
    entity = ctx.store.entities.get(entity_name)
    if entity is None:
        raise NotFound(f"createArtifact: entity {entity_name!r} not found")
    project = ctx.store.projects.get(entity.pk, project_name)
    if project is not None and ctx.readable(project) is None:
        raise NotFound(f"createArtifact: project {entity_name}/{project_name} not found")
    ctx.require_write(entity, "publish artifacts")
    if project is None:
        with client_errors("createArtifact"):
            check_name(project_name, "project")
            project, _ = ctx.store.projects.upsert(
                entity.pk, project_name, creator_pk=ctx.viewer.pk
            )
    return project


def resolve_create_artifact(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """A new pending version (or, deduplicated, the committed one with the same digest)."""
    ctx = context(info)
    project = _target_project(ctx, input["entity_name"], input["project_name"])
    names = [input.get("artifact_collection_name"), *(input.get("artifact_collection_names") or ())]
    collection_name = next((name for name in names if name), None)
    if collection_name is None:
        raise ClientError("createArtifact: give artifactCollectionName")
    run_pk = None
    if input.get("run_name"):
        run = ctx.store.runs.get(project.pk, input["run_name"])
        if run is None:
            raise NotFound(f"createArtifact: run {input['run_name']!r} not found in the project")
        run_pk = run.pk
    aliases = [
        a["alias"]
        for a in input.get("aliases") or ()
        if a.get("artifact_collection_name") in (None, collection_name)
    ]
    with client_errors("createArtifact", errors=STORE_ERRORS):
        row, _ = ctx.store.artifacts.create_pending(
            project.pk,
            input["artifact_type_name"],
            collection_name,
            input["digest"],
            digest_algorithm=input.get("digest_algorithm") or "MANIFEST_MD5",
            description=input.get("description"),
            metadata=input.get("metadata"),
            aliases=aliases,
            tags=[t["tag_name"] for t in input.get("tags") or ()],
            ttl_duration_seconds=input.get("ttl_duration_seconds"),
            history_step=input.get("history_step"),
            run_pk=run_pk,
            user_pk=ctx.viewer.pk,
            deduplicate=bool(input.get("enable_digest_deduplication")),
        )
    return {"artifact": row}


def resolve_create_artifact_manifest(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    """The pending version's manifest, with a signed upload URL for its JSON."""
    ctx = context(info)
    row = _pending(ctx, input["artifact_id"], "createArtifactManifest")
    if input.get("type", "FULL") != "FULL":
        raise ClientError(
            f"createArtifactManifest: manifest type {input['type']} is not supported; send FULL"
        )
    return {"artifact_manifest": manifest_node(ctx, row, with_upload=True)}


def resolve_create_artifact_files(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    """One upload answer per file spec, in order (``uploadUrl: null`` when stored)."""
    ctx = context(info)
    specs: list[dict[str, Any]] = input["artifact_files"]
    if len(specs) > MAX_FILE_SPECS:
        raise ClientError(f"createArtifactFiles: at most {MAX_FILE_SPECS} files per call")
    manifests = ctx.store.artifact_manifests
    with client_errors("createArtifactFiles", errors=STORE_ERRORS):
        for spec in specs:
            check_manifest_path(spec["name"])
            check_md5(spec["md_5"], f"the md5 of {spec['name']!r}")
        stored = manifests.stored_blobs([spec["md_5"] for spec in specs])
        edges = []
        versions: dict[str, ArtifactRow] = {}
        for index, spec in enumerate(specs):
            row = versions.get(spec["artifact_id"])
            if row is None:
                row = versions[spec["artifact_id"]] = _pending(
                    ctx, spec["artifact_id"], "createArtifactFiles"
                )
            blob = stored.get(spec["md_5"])
            if blob is not None:
                birth = readable_artifact(ctx, blob.birth_artifact_pk) or row
                node = upload_file(ctx, spec["name"], blob.md5, None, birth)
            else:
                parts = _part_count(spec)
                pending = manifests.expect_blob(spec["md_5"], row.pk)
                node = upload_file(ctx, spec["name"], pending.md5, pending.pk, row, parts)
            edges.append({"node": node, "cursor": str(index)})
    return {
        "files": {"edges": edges, "page_info": {"has_next_page": False}, "total_count": len(edges)}
    }


def _part_count(spec: dict[str, Any]) -> int:
    """How many parts a file spec announces (0: a single ``PUT``)."""
    parts = spec.get("upload_parts_input")
    if not parts:
        return 0
    try:
        check_part_specs([(part["part_number"], part["hex_m_d_5"]) for part in parts])
    except MultipartError as exc:
        raise ClientError(f"createArtifactFiles: {spec['name']!r}: {exc}") from None
    return len(parts)


def resolve_complete_multipart_upload_artifact(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    """Join the uploaded parts of a file into its content, checked against the file's md5."""
    ctx = context(info)
    operation = "completeMultipartUploadArtifact"
    _pending(ctx, input["artifact_id"], operation)
    try:
        blob_pk = ctx.signer.verify(ARTIFACT_MULTIPART, input["upload_id"])
    except InvalidSignatureError as exc:
        raise ClientError(f"{operation}: uploadID is not valid: {exc}") from None
    manifests = ctx.store.artifact_manifests
    blob = manifests.blob_by_pk(blob_pk)
    if blob is None:
        raise NotFound(f"{operation}: the upload was not found")
    if input["storage_path"] != f"artifacts/{md5_hex(blob.md5)}":
        raise ClientError(f"{operation}: storagePath is not the one the upload was given")
    completed = [(p["part_number"], p["hex_m_d_5"]) for p in input["completed_parts"]]
    parts = MultipartParts(manifests.blobs)
    try:
        writer = parts.join(blob_pk, completed)
    except MultipartError as exc:
        raise ClientError(f"{operation}: {exc}") from None
    with writer, client_errors(operation, errors=STORE_ERRORS):
        stored = manifests.commit_blob(blob_pk, writer)
    parts.discard(blob_pk)
    return {"digest": stored.md5}


def resolve_commit_artifact(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Commit a pending version: it gets its version index, ``latest`` and its aliases.
    Committing a committed version answers it unchanged."""
    ctx = context(info)
    pk = require_pk(input["artifact_id"], "commitArtifact", "an artifact", "Artifact")
    row = readable_artifact(ctx, pk)
    if row is None:
        raise NotFound(f"commitArtifact: artifact {input['artifact_id']!r} not found")
    writable_project(ctx, row.project_pk, "commitArtifact: publish artifacts")
    with client_errors("commitArtifact", errors=STORE_ERRORS):
        committed = ctx.store.artifacts.commit(row.pk)
    ctx.memo(ctx.store.artifacts.get_by_pk).forget(row.pk)
    return {"artifact": committed}


def bindables() -> list[MutationType]:
    """The publishing mutations."""
    mutation = MutationType()
    mutation.set_field("createArtifact", resolve_create_artifact)
    mutation.set_field("createArtifactManifest", resolve_create_artifact_manifest)
    mutation.set_field("createArtifactFiles", resolve_create_artifact_files)
    mutation.set_field("commitArtifact", resolve_commit_artifact)
    mutation.set_field(
        "completeMultipartUploadArtifact", resolve_complete_multipart_upload_artifact
    )
    return [mutation]
