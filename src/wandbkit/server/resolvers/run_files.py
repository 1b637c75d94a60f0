"""Run files: ``Run.files``/``fileCount``, the ``File`` type, ``createRunFiles`` and
``deleteFiles``.

Three kinds of URL, all built on the URL the request came in on:

* ``File.url``: ``{base}/files/{entity}/{project}/{run}/{name}``, served to requests that carry
  an API key (the official client downloads through it and sends the key only to its own
  host).
* ``File.directUrl``: ``{base}/signed/files/{token}``, signed and expiring, needs no key.
* ``File.uploadUrl``, ``File.url(upload: true)``: ``{base}/signed/upload/{token}``, a signed
  ``PUT`` target; only for viewers who may write to the run.

Only files whose bytes have arrived are listed and counted; ``createRunFiles`` makes pending
ones that appear once uploaded.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from ariadne import MutationType, ObjectType
from graphql import GraphQLError, GraphQLResolveInfo

from wandbkit.server.ids import InvalidIdError, decode_int_id, encode_id
from wandbkit.server.resolvers.common import (
    ClientError,
    NotFound,
    PermissionDenied,
    RequestContext,
    constant,
    context,
    non_null,
    paginate_by_pk,
)
from wandbkit.server.resolvers.errors import client_errors
from wandbkit.server.resolvers.runs import require_writable_run
from wandbkit.server.signing import (
    DOWNLOAD,
    DOWNLOAD_URL_TTL,
    UPLOAD,
    UPLOAD_URL_TTL,
)
from wandbkit.server.store import InvalidNameError, RunFileRow, RunRow, UnknownRowError
from wandbkit.server.store.run_files import check_file_name
from wandbkit.server.urls import FILES_PATH, SIGNED_DOWNLOAD_PATH, SIGNED_UPLOAD_PATH

# -- Run ----------------------------------------------------------------------------------------


def resolve_run_files(
    run: RunRow,
    info: GraphQLResolveInfo,
    *,
    pattern: str | None = None,
    names: list[str | None] | None = None,
    content_type: list[str] | None = None,
    after: str | None = None,
    first: int | None = None,
    last: int | None = None,
    before: str | None = None,
) -> dict[str, Any]:
    """The run's uploaded files in upload-creation order, relay-paged by row id.

    ``names`` selects exact names (empty or null: all), ``pattern`` is an SQL ``LIKE``
    pattern on the name, ``contentType`` a list of MIME types; all given ones apply.
    """
    store = context(info).store
    wanted = non_null(names)

    def fetch(after_pk: int, limit: int) -> list[RunFileRow]:
        return store.run_files.list(
            run.pk,
            names=wanted,
            pattern=pattern,
            mimetypes=content_type,
            after_pk=after_pk,
            limit=limit,
        )

    return paginate_by_pk(fetch, lambda f: f.pk, first=first, after=after, last=last, before=before)


def resolve_run_file_count(run: RunRow, info: GraphQLResolveInfo) -> int:
    return context(info).store.run_files.count(run.pk)


# -- File -----------------------------------------------------------------------------------


def _owner(ctx: RequestContext, file: RunFileRow) -> tuple[str, str, RunRow]:
    """``(entity name, project name, run)`` of a file."""
    run = ctx.run(file.run_pk)
    project = ctx.project(run.project_pk) if run is not None else None
    if run is None or project is None:
        raise GraphQLError("the file's run was deleted")
    return ctx.required_entity(project.entity_pk).name, project.name, run


def resolve_file_id(file: RunFileRow, _: GraphQLResolveInfo) -> str:
    return encode_id("File", file.pk)


def resolve_file_display_name(file: RunFileRow, _: GraphQLResolveInfo) -> str:
    return posixpath.basename(file.name)


def resolve_file_storage_path(file: RunFileRow, info: GraphQLResolveInfo) -> str:
    entity, project, run = _owner(context(info), file)
    return f"{entity}/{project}/{run.name}/{file.name}"


def resolve_file_md5(file: RunFileRow, _: GraphQLResolveInfo) -> str | None:
    # Bound explicitly: the default resolver would look for `md_5` (snake_case of "md5").
    return file.md5


def resolve_file_url(
    file: RunFileRow, info: GraphQLResolveInfo, *, upload: bool | None = None
) -> str | None:
    """The authenticated download URL; with ``upload: true`` the signed upload URL."""
    ctx = context(info)
    if upload:
        return _upload_url(ctx, file)
    entity, project, run = _owner(ctx, file)
    parts = "/".join(quote(part, safe="") for part in (entity, project, run.name))
    return f"{ctx.base_url}{FILES_PATH}/{parts}/{quote(file.name, safe='/')}"


def resolve_file_direct_url(file: RunFileRow, info: GraphQLResolveInfo) -> str:
    """A signed download URL that works without an API key until it expires."""
    ctx = context(info)
    token = ctx.signer.sign(DOWNLOAD, file.pk, DOWNLOAD_URL_TTL)
    return f"{ctx.base_url}{SIGNED_DOWNLOAD_PATH}/{token}"


def resolve_file_upload_url(file: RunFileRow, info: GraphQLResolveInfo) -> str | None:
    return _upload_url(context(info), file)


def _upload_url(ctx: RequestContext, file: RunFileRow) -> str | None:
    # Readers get no upload URL: a signed URL needs no key, so it must only go to writers.
    _, _, run = _owner(ctx, file)
    try:
        require_writable_run(ctx, run, "upload files")
    except PermissionDenied:
        return None
    token = ctx.signer.sign(UPLOAD, file.pk, UPLOAD_URL_TTL)
    return f"{ctx.base_url}{SIGNED_UPLOAD_PATH}/{token}"


# -- Mutation -------------------------------------------------------------------------------


def _writable_run_by_path(ctx: RequestContext, input: dict[str, Any], what: str) -> RunRow:
    run = ctx.store.runs.find(input["entity_name"], input["project_name"], input["run_name"])
    if run is None:
        raise NotFound(
            f"{what}: run {input['entity_name']}/{input['project_name']}/"
            f"{input['run_name']} not found"
        )
    require_writable_run(ctx, run, "upload files")
    return run


def resolve_create_run_files(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Register files of a run for upload; each comes back with a signed ``uploadUrl``.

    ``PUT`` the bytes there; the file is listed once they arrive. Registering an existing
    file again returns it (a new upload replaces its bytes).
    """
    ctx = context(info)
    store = ctx.store
    run = _writable_run_by_path(ctx, input, "createRunFiles")
    try:
        with client_errors("createRunFiles", errors=(InvalidNameError,)):
            names = [check_file_name(name) for name in input["files"]]
            files = [store.run_files.create(run.pk, name) for name in dict.fromkeys(names)]
    except UnknownRowError:  # pragma: no cover - deleted between two statements
        raise NotFound("createRunFiles: the run was deleted meanwhile") from None
    return {"run_id": encode_id("Run", run.pk), "upload_headers": [], "files": files}


def resolve_mark_run_files_uploaded(
    _: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]
) -> Any:
    """Confirm uploads (wandb-core's ``MarkRunFilesUploaded``).

    The upload endpoint already marks a file uploaded when its bytes arrive, so this only
    checks that every named file has its bytes.
    """
    ctx = context(info)
    run = _writable_run_by_path(ctx, input, "markRunFilesUploaded")
    names: list[str] = input["files"]
    uploaded = (
        {file.name for file in ctx.store.run_files.list(run.pk, names=names, limit=len(names))}
        if names
        else set()
    )
    missing = [name for name in names if name not in uploaded]
    if missing:
        raise NotFound(f"markRunFilesUploaded: no bytes have arrived for {', '.join(missing)}")
    return {"success": True}


def resolve_delete_files(_: Any, info: GraphQLResolveInfo, *, input: dict[str, Any]) -> Any:
    """Delete run files (and their bytes) by ``File`` id; already-deleted ones are skipped."""
    ctx = context(info)
    pks: list[int] = []
    for file_id in input["files"]:
        try:
            pks.append(decode_int_id(file_id, "File"))
        except InvalidIdError:
            raise ClientError(f"deleteFiles: {file_id!r} is not a file id") from None
    files = ctx.store.run_files.get_by_pks(pks)
    for pk in pks:
        file = files.get(pk)
        run = ctx.run(file.run_pk) if file else None
        if run is not None:
            require_writable_run(ctx, run, "delete files")
    ctx.store.run_files.delete(pks)
    return {"success": True}


def run_file_field(resolver: Callable[..., Any], attribute: str) -> Callable[..., Any]:
    """A ``File`` field resolver for run files; other files (an artifact's entries and
    manifests) are objects whose ``attribute`` is the answer."""

    def resolve(file: Any, info: GraphQLResolveInfo, **kwargs: Any) -> Any:
        if isinstance(file, RunFileRow):
            return resolver(file, info, **kwargs)
        return getattr(file, attribute)

    return resolve


def bindables() -> list[ObjectType]:
    """The Run file fields, the File type and the file mutations."""
    run = ObjectType("Run")
    run.set_field("files", resolve_run_files)
    run.set_field("fileCount", resolve_run_file_count)

    file = ObjectType("File")
    file.set_field("id", run_file_field(resolve_file_id, "id"))
    file.set_field("displayName", run_file_field(resolve_file_display_name, "display_name"))
    file.set_field("storagePath", run_file_field(resolve_file_storage_path, "storage_path"))
    file.set_field("md5", run_file_field(resolve_file_md5, "md5"))
    file.set_field("digest", run_file_field(resolve_file_md5, "digest"))
    file.set_field("url", run_file_field(resolve_file_url, "url"))
    file.set_field("directUrl", run_file_field(resolve_file_direct_url, "direct_url"))
    file.set_field("uploadUrl", run_file_field(resolve_file_upload_url, "upload_url"))
    # Run file uploads need no extra headers; artifact files say their own.
    file.set_field("uploadHeaders", run_file_field(constant([]), "upload_headers"))

    mutation = MutationType()
    mutation.set_field("createRunFiles", resolve_create_run_files)
    mutation.set_field("deleteFiles", resolve_delete_files)
    mutation.set_field("markRunFilesUploaded", resolve_mark_run_files_uploaded)
    return [run, file, mutation]
